"""Bluesky through the public AppView: resolve references, fetch and unroll threads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache, partial
from itertools import islice
from typing import Any
from urllib.parse import unquote, urlsplit

import msgspec

from tui_reader.clean import clean_line, clean_text
from tui_reader.errors import BadReference, BadResponse, FetchError, NotFound
from tui_reader.limits import MAX_LINKS_PER_POST, MAX_MEDIA_PER_POST, cap_links
from tui_reader.models import Author, AuthorRef, Media, Post, PostRef, Quote, Ref, Thread
from tui_reader.sources import AuthorScan, Source
from tui_reader.sources.chain import (
    FeedItem,
    FeedLimits,
    FeedPage,
    climb,
    cut_note,
    scan_author,
    walk_down,
)
from tui_reader.times import normalise_time, parse_time, utc_now

#: Levels of replies asked for per request. The AppView allows up to 1000, but every level
#: nests the JSON deeper and pulls in everyone's replies, so long chains are read in steps.
THREAD_DEPTH = 100
PARENT_HEIGHT = 300
#: A guard against servers that keep sending the same partial view.
MAX_THREAD_REQUESTS = 60
#: 100 posts a page, 10 pages on an author's first sync.
FEED_LIMITS = FeedLimits(page_size=100, first_page_when_known=5, max_pages=10)

POST_COLLECTION = "app.bsky.feed.post"
WEB_HOSTS = frozenset({"bsky.app", "www.bsky.app", "staging.bsky.app"})
HANDLE_RE = re.compile(
    r"^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)\Z",
    re.IGNORECASE,
)
DID_RE = re.compile(r"^did:(?:plc|web):[a-zA-Z0-9._:%-]+\Z")
MAX_URI_LENGTH = 1024
RKEY_RE = re.compile(r"^[A-Za-z0-9._:~-]{1,512}\Z")
#: A record key at the end of a URI whose start is known (``fullmatch`` from its place).
RKEY_TAIL_RE = re.compile(r"[A-Za-z0-9._:~-]{1,512}")


# The part of a post view (``app.bsky.feed.defs#postView``) that the library reads, typed: a
# sync's feed pages are decoded straight into these, and a view read from any JSON is put
# into the same shape field by field (``_post_view``), so one definition builds every post.
# They hold strings and decoded JSON, never themselves: the collector need not track them.


class _StrongRef(msgspec.Struct, gc=False):
    """A ``com.atproto.repo.strongRef`` (its ``cid`` is not read)."""

    uri: str = ""


class _ReplyRefs(msgspec.Struct, gc=False):
    """A post record's ``reply``: the thread's first post and the post it answers."""

    root: _StrongRef | None = None
    parent: _StrongRef | None = None


class _PostRecord(msgspec.Struct, gc=False):
    """An ``app.bsky.feed.post`` record, as far as it is read."""

    text: str = ""
    createdAt: str = ""  # noqa: N815 - the lexicon's name
    reply: _ReplyRefs | None = None
    #: Rich-text facets, read tolerantly by ``restore_links``.
    facets: Any = None


class _Actor(msgspec.Struct, gc=False):
    """An ``app.bsky.actor.defs#profileViewBasic``, as far as it is read."""

    did: str = ""
    handle: str = ""
    displayName: str = ""  # noqa: N815 - the lexicon's name


class _PostView(msgspec.Struct, gc=False):
    """A post view, as far as it is read."""

    uri: str = ""
    author: _Actor = msgspec.field(default_factory=_Actor)
    record: _PostRecord = msgspec.field(default_factory=_PostRecord)
    #: The view of what the post embeds, read tolerantly by ``_media`` and ``_quote``.
    embed: Any = None
    indexedAt: str = ""  # noqa: N815 - the lexicon's name


class _Reason(msgspec.Struct, gc=False):
    """Why a post is in a feed (a repost, a pin); only its kind is read."""

    kind: str = msgspec.field(default="", name="$type")


class _FeedEntry(msgspec.Struct, gc=False):
    """An ``app.bsky.feed.defs#feedViewPost`` as far as a sync reads it: each entry also
    carries the whole posts it answers, two thirds of its 1.7 KB, which nothing reads."""

    post: _PostView | None = None
    reason: _Reason | None = None


class _FeedPage(msgspec.Struct, gc=False):
    """A ``getAuthorFeed`` answer as far as a sync reads it."""

    feed: list[_FeedEntry]
    cursor: Any = None


_FEED_PAGE = msgspec.json.Decoder(_FeedPage)


def _feed_entries(body: bytes | bytearray) -> tuple[list[_FeedEntry], object] | None:
    """A ``getAuthorFeed`` page's entries and cursor, decoded straight into the shape a sync
    reads (JSON and reading took 19 us a post as dictionaries, 4 as these). ``None`` when
    the page is not of that shape, or not JSON this decoder takes: the caller then reads it
    as any JSON (``Response.json``) and keeps what it can, field by field
    (:func:`_feed_entry`)."""
    try:
        page = _FEED_PAGE.decode(body)
    except (msgspec.MsgspecError, RecursionError):  # nested past msgspec's depth limit
        return None
    return page.feed, page.cursor


def _feed_entry(data: object) -> _FeedEntry | None:
    """A feed entry from any JSON, keeping each field that has the right type (``None`` if
    it is not an object)."""
    if not isinstance(data, dict):
        return None
    post, reason = data.get("post"), data.get("reason")
    return _FeedEntry(
        post=_post_view(post) if isinstance(post, dict) else None,
        reason=_Reason(_raw(reason.get("$type"))) if isinstance(reason, dict) else None,
    )


def _post_view(data: dict[str, Any]) -> _PostView:
    """A post view from any JSON, keeping each field that has the right type."""
    author = _dict(data.get("author"))
    record = _dict(data.get("record"))
    reply = record.get("reply")
    return _PostView(
        uri=_raw(data.get("uri")),
        author=_Actor(
            _raw(author.get("did")), _raw(author.get("handle")), _raw(author.get("displayName"))
        ),
        record=_PostRecord(
            text=_raw(record.get("text")),
            createdAt=_raw(record.get("createdAt")),
            reply=(
                _ReplyRefs(_strong_ref(reply.get("root")), _strong_ref(reply.get("parent")))
                if isinstance(reply, dict)
                else None
            ),
            facets=record.get("facets"),
        ),
        embed=data.get("embed"),
        indexedAt=_raw(data.get("indexedAt")),
    )


def _strong_ref(data: object) -> _StrongRef | None:
    return _StrongRef(_raw(data.get("uri"))) if isinstance(data, dict) else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
BLOCKED = "app.bsky.feed.defs#blockedPost"


def is_actor(text: str) -> bool:
    """Whether ``text`` is a Bluesky handle or DID."""
    return bool(DID_RE.match(text) or HANDLE_RE.match(text))


def post_uri(did: str, rkey: str) -> str:
    """The AT URI of a post."""
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


def split_uri(uri: str) -> tuple[str, str]:
    """The repository (DID) and record key of a post's AT URI."""
    rest = uri.removeprefix("at://")
    repo, _, tail = rest.partition("/")
    return repo, tail.rpartition("/")[2]


def web_url(uri: str) -> str:
    """The bsky.app address of a post, by DID so it survives handle changes."""
    repo, rkey = split_uri(uri)
    return f"https://bsky.app/profile/{repo}/post/{rkey}"


def _norm_link(text: str) -> str:
    text = text.strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.")


def _is_web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def restore_links(text: str, facets: object) -> tuple[str, tuple[str, ...]]:
    """Put full URLs back where the visible text shortened them, and list the links.

    Facet offsets count UTF-8 bytes, not characters. A link facet over words that are not
    the URL itself ("read this") keeps its words; the URL still goes into the list.
    """
    if not facets:
        return clean_text(text), ()  # most posts: nothing to put back
    # Lone surrogates (from JSON "\ud800") keep their place, so offsets still line up.
    data = text.encode("utf-8", errors="surrogatepass")
    spans: list[tuple[int, int, str]] = []
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            continue
        for feature in facet.get("features") or []:
            if (
                isinstance(feature, dict)
                and feature.get("$type") == "app.bsky.richtext.facet#link"
                and isinstance(feature.get("uri"), str)
            ):
                spans.append((start, end, feature["uri"]))
                break
    spans.sort()
    pieces: list[str] = []
    links: dict[str, None] = {}  # an ordered set: membership in a list is quadratic
    position = 0
    for start, end, uri in spans:
        if start < position:
            continue  # overlapping facets: keep the first
        pieces.append(_decode(data[position:start]))
        visible = _decode(data[start:end])
        shown = visible.rstrip(".…")
        uri = clean_line(uri)
        if shown and _norm_link(uri).startswith(_norm_link(shown)):
            pieces.append(uri)
        else:
            pieces.append(visible)
        if _is_web(uri):
            links[uri] = None
        position = end
    pieces.append(_decode(data[position:]))
    return cap_links(
        clean_text("".join(pieces)), list(islice(links, MAX_LINKS_PER_POST)), len(links)
    )


def _author_matches(view: dict[str, Any], uri: str) -> bool:
    """Whether a post view's author is the account its URI names (a server could otherwise
    file a post, and a name, under someone else)."""
    author = view.get("author")
    did = _text(author.get("did")) if isinstance(author, dict) else ""
    return not did or did == split_uri(uri)[0]


def _decode(data: bytes) -> str:
    """UTF-8 back to text, lone surrogates included (``clean_text`` replaces each once)."""
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:  # a facet that cuts a character in two
        return data.decode("utf-8", errors="replace")


def _raw(value: object) -> str:
    return value if isinstance(value, str) else ""


def _text(value: object) -> str:
    """A string field of an answer, cleaned where it enters (see ``tui_reader.clean``)."""
    return clean_text(value) if isinstance(value, str) else ""


def is_post_uri(uri: str) -> bool:
    """Whether ``uri`` has the shape of a post's AT URI (``at://<did>/app.bsky.feed.post/…``)."""
    # A sync asks this of each post more than once: remembered, for URIs of a sane length.
    return len(uri) <= MAX_URI_LENGTH and _is_post_uri(uri)


@lru_cache(maxsize=4096)
def _is_post_uri(uri: str) -> bool:
    repo, rkey = split_uri(uri)
    return (
        uri.startswith("at://")
        and uri == post_uri(repo, rkey)
        and bool(DID_RE.match(repo))
        and bool(RKEY_RE.match(rkey))
    )


def parse_author(view: dict[str, Any]) -> Author:
    """An ``app.bsky.actor.defs#profileViewBasic`` as an ``Author``."""
    return _author(
        _Actor(_raw(view.get("did")), _raw(view.get("handle")), _raw(view.get("displayName")))
    )


def _author(actor: _Actor) -> Author:
    did = clean_text(actor.did)
    if not DID_RE.match(did):
        raise BadResponse("the Bluesky server sent an author without a usable DID")
    handle = clean_text(actor.handle)
    return Author(
        source="bluesky",
        id=did,
        # A handle that is not one ("handle.invalid" is valid) is shown as the DID instead.
        handle=handle if HANDLE_RE.match(handle) else did,
        display_name=clean_line(actor.displayName),
        url=f"https://bsky.app/profile/{did}",
    )


def _quote(record: object) -> Quote | None:
    if not isinstance(record, dict):
        return None
    kind = _text(record.get("$type"))
    uri = _text(record.get("uri"))
    url = web_url(uri) if uri.startswith("at://") and POST_COLLECTION in uri else uri
    if kind.endswith("#viewRecord"):
        value = record.get("value") if isinstance(record.get("value"), dict) else {}
        assert isinstance(value, dict)
        text, _ = restore_links(_raw(value.get("text")), value.get("facets"))
        author = record.get("author") if isinstance(record.get("author"), dict) else {}
        assert isinstance(author, dict)
        return Quote(url=url, author=_text(author.get("handle")), text=text)
    if kind.endswith("#viewNotFound"):
        return Quote(url=url, author="", text="(the quoted post was deleted)")
    if kind.endswith("#viewBlocked"):
        return Quote(url=url, author="", text="(the quoted post is blocked)")
    if kind.endswith("#viewDetached"):
        return Quote(url=url, author="", text="(the quoted post was detached by its author)")
    return None


def _media(embed: dict[str, Any]) -> list[Media]:
    kind = _text(embed.get("$type"))
    found: list[Media] = []
    if kind.startswith("app.bsky.embed.images"):
        images = embed.get("images")
        # A post holds four images; a hostile view may list any number.
        for image in images[:MAX_MEDIA_PER_POST] if isinstance(images, list) else []:
            if isinstance(image, dict):
                url = _text(image.get("fullsize")) or _text(image.get("thumb"))
                found.append(Media("image", url, _text(image.get("alt"))))
    elif kind.startswith("app.bsky.embed.video"):
        url = _text(embed.get("playlist")) or _text(embed.get("thumbnail"))
        found.append(Media("video", url, _text(embed.get("alt"))))
    elif kind.startswith("app.bsky.embed.external"):
        external = embed.get("external")
        if isinstance(external, dict) and _text(external.get("uri")):
            found.append(Media("link", _text(external.get("uri")), _text(external.get("title"))))
    return found


def parse_post(view: dict[str, Any]) -> Post:
    """An ``app.bsky.feed.defs#postView`` as a ``Post``: text with full links, media, quote."""
    return _post(_post_view(view))


def _post(view: _PostView) -> Post:
    uri = clean_text(view.uri)
    record = view.record
    text, links = restore_links(record.text, record.facets)
    media: list[Media] = []
    quote: Quote | None = None
    embed = view.embed
    if isinstance(embed, dict):
        kind = _text(embed.get("$type"))
        if kind.startswith("app.bsky.embed.recordWithMedia"):
            inner = embed.get("media")
            if isinstance(inner, dict):
                media = _media(inner)
            holder = embed.get("record")
            quote = _quote(holder.get("record") if isinstance(holder, dict) else None)
        elif kind.startswith("app.bsky.embed.record"):
            quote = _quote(embed.get("record"))
        else:
            media = _media(embed)
    if media:
        all_links = list(links)
        for item in media:
            if item.kind == "link" and _is_web(item.url) and item.url not in all_links:
                all_links.append(item.url)
        links = tuple(all_links)
    # Positional: keywords cost a dictionary a call, and a sync makes one of these a post.
    return Post(
        uri,
        web_url(uri),
        normalise_time(record.createdAt or view.indexedAt),
        text,
        links,
        tuple(media),
        quote,
    )


def _sort_key(view: dict[str, Any]) -> tuple[datetime, str]:
    return _order(_post_view(view))


def _order(view: _PostView) -> tuple[datetime, str]:
    """The branch rule's order: the post's own time, else the server's, then its URI."""
    when = parse_time(view.record.createdAt) or parse_time(view.indexedAt)
    # The URI only breaks ties between equal times: compared, never shown, so not cleaned.
    return (when or datetime.max.replace(tzinfo=UTC), view.uri)


@dataclass
class _ThreadGraph:
    """Every post seen in one or more ``getPostThread`` answers, linked both ways."""

    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    #: Each post's replies in the order first seen (a dict as an ordered set: a hostile post's
    #: 100,000 replies would make a list's membership checks quadratic).
    children: dict[str, dict[str, None]] = field(default_factory=dict)
    #: Posts whose full list of replies has been seen in some answer.
    replies_known: set[str] = field(default_factory=set)
    #: URIs of posts the server reported as deleted or blocked, with which.
    gone: dict[str, str] = field(default_factory=dict)
    #: The thread's author: only their posts are kept and walked. Other people's replies
    #: (any number of them in an answer) are never part of the thread.
    author: str = ""

    def mine(self, uri: str) -> bool:
        """Whether a post is the thread author's (every post, when no author is set)."""
        return not self.author or split_uri(uri)[0] == self.author

    def add(self, root: dict[str, Any]) -> None:
        """Merge one answer's tree; walked with a stack, since chains nest deeply."""
        # Upward: the "parent" chain of the requested post.
        node: Any = root.get("parent")
        below = _text(root.get("post", {}).get("uri")) if isinstance(root.get("post"), dict) else ""
        while isinstance(node, dict) and below:
            uri = self._add_node(node)
            if not uri or not self.mine(below):
                break
            self.parent[below] = uri
            self._link_child(uri, below)
            below = uri if _text(node.get("$type")) in (THREAD_VIEW, "") and "post" in node else ""
            node = node.get("parent")
        # Downward: the requested post and its replies.
        stack: list[dict[str, Any]] = [root]
        while stack:
            node = stack.pop()
            uri = self._add_node(node)
            if not uri or "post" not in node:
                continue
            replies = node.get("replies")
            if not isinstance(replies, list):
                continue  # the depth limit was reached here
            self.replies_known.add(uri)
            for reply in replies:
                if not isinstance(reply, dict):
                    continue
                child = self._add_node(reply)
                if child and self.mine(child):
                    self.parent[child] = uri
                    self._link_child(uri, child)
                    stack.append(reply)

    def _add_node(self, node: dict[str, Any]) -> str:
        kind = _text(node.get("$type"))
        if kind == NOT_FOUND or node.get("notFound") is True:
            uri = _text(node.get("uri"))
            if self.mine(uri):
                self.gone.setdefault(uri, "deleted")
            return uri
        if kind == BLOCKED or node.get("blocked") is True:
            uri = _text(node.get("uri"))
            if self.mine(uri):
                self.gone.setdefault(uri, "blocked")
            return uri
        post = node.get("post")
        if not isinstance(post, dict) or not is_post_uri(_text(post.get("uri"))):
            return ""  # no post, or one whose URI could not be a library key
        uri = _text(post["uri"])
        if not _author_matches(post, uri):
            return ""  # a view that names another author than its URI does is not taken
        if self.mine(uri):
            self.views[uri] = post
        return uri

    def _link_child(self, parent: str, child: str) -> None:
        self.children.setdefault(parent, {})[child] = None

    def needs_replies(self, uri: str) -> bool:
        """Whether the post may have replies that no answer has shown yet."""
        if uri in self.replies_known:
            return False
        count = self.views.get(uri, {}).get("replyCount")
        return not (isinstance(count, int) and count == 0)

    def author_of(self, uri: str) -> str:
        """The DID of a post's author, from its view or else from its URI."""
        view = self.views.get(uri)
        if view is not None:
            author = view.get("author")
            if isinstance(author, dict) and _text(author.get("did")):
                return _text(author["did"])
        return split_uri(uri)[0]

    def record_parent(self, uri: str) -> str:
        """The parent a post names in its own record, even when the view left it out."""
        view = self.views.get(uri, {})
        record = view.get("record") if isinstance(view.get("record"), dict) else {}
        reply = record.get("reply") if isinstance(record, dict) else None
        if isinstance(reply, dict) and isinstance(reply.get("parent"), dict):
            return _text(reply["parent"].get("uri"))
        return ""


def _actor_ref(actor: str) -> AuthorRef:
    return AuthorRef("bluesky", actor, stable=actor.startswith("did:"))


def _post_ref(actor: str, rkey: str) -> PostRef:
    """A post by its author (handle or DID) and record key; its library key is its AT URI,
    which needs the DID."""
    author = _actor_ref(actor)
    return PostRef(
        "bluesky",
        author,
        rkey,
        key=post_uri(actor, rkey) if author.stable else "",
        keyed_by=lambda did: post_uri(did, rkey),
    )


class BlueskySource(Source):
    """Reads Bluesky through an AppView (public, no login)."""

    @classmethod
    def is_author_id(cls, author_id: str) -> bool:
        """A DID (``did:plc:…``, ``did:web:…``)."""
        return bool(DID_RE.match(author_id)) and "/" not in author_id

    @classmethod
    def is_handle_of(cls, handle: str, author_id: str) -> bool:
        """Any well-formed handle (a handle is the author's to change)."""
        return bool(HANDLE_RE.match(handle)) and not handle.startswith("@")

    name = "bluesky"
    label = "Bluesky"
    hosts = WEB_HOSTS
    server_setting = "appview"
    examples = "a bsky.app post or profile URL, a handle (alice.bsky.social), a DID"

    @property
    def appview(self) -> str:
        """The AppView's base URL."""
        return self.base_url

    @classmethod
    def feed_url(cls, author: Author) -> str:
        """bsky.app's RSS feed of the author's posts."""
        return f"https://bsky.app/profile/{author.id}/rss"

    def resolve(self, text: str) -> Ref | None:
        """Recognise bsky.app URLs, AT URIs, handles and DIDs."""
        text = text.strip()
        if text.startswith("at://"):
            repo, _, rest = text.removeprefix("at://").partition("/")
            collection, _, rkey = rest.partition("/")
            if not rest:
                return _actor_ref(repo) if is_actor(repo) else None
            if collection != POST_COLLECTION or not RKEY_RE.match(rkey) or not is_actor(repo):
                raise BadReference(f"not a Bluesky post: {text}")
            return _post_ref(repo, rkey)
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.hostname in WEB_HOSTS:
            segments = [unquote(s) for s in parts.path.split("/") if s]
            if len(segments) >= 2 and segments[0] == "profile" and is_actor(segments[1]):
                actor = segments[1] if DID_RE.match(segments[1]) else segments[1].lower()
                if len(segments) == 2:
                    return _actor_ref(actor)
                if len(segments) == 4 and segments[2] == "post" and RKEY_RE.match(segments[3]):
                    return _post_ref(actor, segments[3])
            raise BadReference(f"not a Bluesky post or profile URL: {text}")
        if DID_RE.match(text):
            return _actor_ref(text)
        if (
            HANDLE_RE.match(text)
            and not text.startswith("@")
            or (text.startswith("@") and text.count("@") == 1 and HANDLE_RE.match(text))
        ):
            return _actor_ref(text.lstrip("@").lower())
        return None

    def _xrpc(self, method: str) -> str:
        return f"{self.appview}/xrpc/{method}"

    async def resolve_handle(self, handle: str) -> str:
        """The DID behind a handle."""
        if handle.startswith("did:"):
            return handle
        try:
            data = await self.fetcher.get_json(
                self._xrpc("com.atproto.identity.resolveHandle"), {"handle": handle}
            )
        except FetchError as error:
            if error.status in (400, 404):
                raise NotFound(f"no Bluesky account has the handle {handle}") from None
            raise
        did = data.get("did") if isinstance(data, dict) else None
        if not isinstance(did, str) or not DID_RE.match(did):
            raise BadResponse(f"the Bluesky server gave no usable DID for {handle}")
        return did

    async def profile(self, author: str) -> Author:
        """Look up an author by handle or DID."""
        try:
            data = await self.fetcher.get_json(
                self._xrpc("app.bsky.actor.getProfile"), {"actor": author}
            )
        except FetchError as error:
            if error.status in (400, 404):
                raise NotFound(f"no Bluesky account is called {author}") from None
            raise
        if not isinstance(data, dict) or not DID_RE.match(_text(data.get("did"))):
            raise BadResponse(f"the Bluesky server sent an unusable profile for {author}")
        return parse_author(data)

    async def author_threads(self, did: str, *, watermark: str = "", etag: str = "") -> AuthorScan:
        """Read an author's feed back to ``watermark`` (everything new since the last sync)
        and sort what it holds into threads complete in the feed and roots to fetch whole.

        Reposts, single posts and replies to other people are not the author's threads.
        """

        async def read_page(cursor: str, limit: int, etag: str) -> FeedPage:
            params: dict[str, Any] = {
                "actor": did,
                "filter": "posts_and_author_threads",
                "limit": limit,
            }
            if cursor:
                params["cursor"] = cursor
            try:
                response = await self.fetcher.get(
                    self._xrpc("app.bsky.feed.getAuthorFeed"),
                    params,
                    accept="application/json",
                    etag=etag,
                )
            except FetchError as error:
                if error.status in (400, 404):
                    raise NotFound(f"Bluesky has no account {did} any more") from None
                raise
            if response.not_modified:
                return FeedPage([], 0, not_modified=True)
            feed: Sequence[_FeedEntry | None]
            decoded = _feed_entries(response.body)
            if decoded is not None:
                feed, following = decoded
            else:
                data = response.json()
                found = data.get("feed") if isinstance(data, dict) else None
                if not isinstance(found, list):
                    raise BadResponse("the Bluesky server sent a feed without a 'feed' list")
                feed, following = [_feed_entry(entry) for entry in found], data.get("cursor")
            if len(feed) > limit:
                # A page holds what was asked for; one that holds far more is a flood.
                raise BadResponse(
                    f"the Bluesky server sent {len(feed):,} posts for a page of {limit}; "
                    "refusing it"
                )
            items = [
                item for entry in feed if (item := _feed_item(entry, did, own, checked)) is not None
            ]
            return FeedPage(items, len(feed), _text(following), response.etag)

        own = post_uri(did, "")
        # The author's post URIs found well formed so far in this scan (see _is_own).
        checked: set[str] = set()
        fetched_at = utc_now()
        return await scan_author(
            read_page,
            FEED_LIMITS,
            watermark=watermark,
            etag=etag,
            # One time for the whole scan: every thread in it was fetched in it.
            thread_of=lambda chain: self._thread_of([item.data for item in chain], fetched_at),
            ref_of=lambda item: _post_ref(did, split_uri(item.fetch_as)[1]),
        )

    def _thread_of(self, views: list[_PostView], fetched_at: str) -> Thread:
        posts = tuple([_post(view) for view in views])
        return Thread.from_posts("bluesky", _author(views[0].author), posts, fetched_at)

    async def _fetch_view(self, uri: str, graph: _ThreadGraph) -> None:
        try:
            data = await self.fetcher.get_json(
                self._xrpc("app.bsky.feed.getPostThread"),
                {"uri": uri, "depth": THREAD_DEPTH, "parentHeight": PARENT_HEIGHT},
            )
        except FetchError as error:
            if error.code == "NotFound" or error.status == 404:
                raise NotFound(
                    f"that Bluesky post was not found; it may have been deleted ({web_url(uri)})"
                ) from None
            raise
        thread = data.get("thread") if isinstance(data, dict) else None
        if not isinstance(thread, dict):
            raise BadResponse("the Bluesky server sent a thread without a 'thread' field")
        kind = _text(thread.get("$type"))
        if kind == NOT_FOUND or thread.get("notFound") is True:
            raise NotFound(f"that Bluesky post was deleted ({web_url(uri)})")
        if kind == BLOCKED or thread.get("blocked") is True:
            raise NotFound(f"that Bluesky post is blocked ({web_url(uri)})")
        if not isinstance(thread.get("post"), dict):
            raise BadResponse("the Bluesky server sent a thread with no post in it")
        top = thread["post"]
        if not _author_matches(top, _text(top.get("uri"))):
            raise BadResponse(
                "the Bluesky server sent a post whose author is not the one its address names"
            )
        graph.add(thread)

    async def thread(self, ref: PostRef) -> Thread:
        """Unroll the author's chain that contains the post ``ref`` names, from its root."""
        did = await self.resolve_handle(ref.author.name)
        start = post_uri(did, ref.locator)
        graph = _ThreadGraph(author=did)
        requests = 1
        await self._fetch_view(start, graph)
        if start not in graph.views:
            raise BadResponse("the Bluesky server's answer did not include the post asked for")
        author_did = graph.author_of(start)
        ends_early = ""

        def own_parent(uri: str) -> str:
            nonlocal ends_early
            parent = graph.parent.get(uri) or graph.record_parent(uri)
            if not parent or graph.author_of(parent) != author_did:
                return ""
            if parent in graph.gone:
                ends_early = f"earlier posts of this thread were {graph.gone[parent]}"
                return ""
            return parent

        async def ask_above(uri: str, parent: str) -> bool:
            # The view stops some levels up: ask again from the highest post in hand.
            nonlocal requests
            if requests >= MAX_THREAD_REQUESTS:
                return False
            requests += 1
            await self._fetch_view(uri, graph)
            return parent in graph.views or parent in graph.gone

        root = await climb(start, own_parent, lambda uri: uri in graph.views, ask_above)

        def own_replies(uri: str) -> list[str]:
            return [
                child
                for child in graph.children.get(uri, ())
                if child in graph.views and graph.author_of(child) == author_did
            ]

        asked: set[str] = set()

        async def complete(uri: str) -> bool:
            # Ancestors seen only in a "parent" chain come without their replies, and the
            # depth limit cuts replies off: ask for them before taking a step.
            nonlocal requests, ends_early
            if graph.needs_replies(uri) and uri not in asked:
                if requests >= MAX_THREAD_REQUESTS:
                    ends_early = "the server stopped answering before the end of the thread"
                    return False
                asked.add(uri)
                requests += 1
                await self._fetch_view(uri, graph)
            return True

        chain = await walk_down(
            root, own_replies, lambda uri: _sort_key(graph.views[uri]), complete
        )
        gone = [
            graph.gone[child]
            for child in graph.children.get(chain[-1], ())
            if child in graph.gone and graph.author_of(child) == author_did
        ]
        if gone and not ends_early and not own_replies(chain[-1]):
            ends_early = f"the thread goes on past a post that is {gone[0]}"
        ends_early = ends_early or cut_note(chain, bool(own_replies(chain[-1])), False)
        thread = self._thread_of([_post_view(graph.views[uri]) for uri in chain], utc_now())
        return replace(thread, ends_early=ends_early)


def _feed_item(
    entry: _FeedEntry | None, did: str, own: str, checked: set[str] | None = None
) -> FeedItem | None:
    """A feed entry as a :class:`FeedItem`, or ``None`` when it is not part of the author's
    threads (a repost, someone else's post, a reply in someone else's conversation).
    ``own`` is the start of the author's post URIs (``at://<did>/app.bsky.feed.post/``);
    ``checked`` holds URIs already found to be the author's posts, for a scan to share."""
    if entry is None or entry.post is None:
        return None
    view = entry.post
    known = checked if checked is not None else set()
    # Every field used here is compared with the author's DID or checked for the shape of a
    # post URI, which no unclean string has: they need no cleaning (a sync reads thousands).
    kind = entry.reason.kind if entry.reason is not None else ""
    if "reasonRepost" in kind or view.author.did != did or not _is_own(view.uri, own, known):
        return None
    reply = view.record.reply
    parent = root = ""
    if reply is not None:
        root = reply.root.uri if reply.root is not None else ""
        parent = reply.parent.uri if reply.parent is not None else ""
        if not (_is_own(root, own, known) and _is_own(parent, own, known)):
            return None
    # Positional: keywords cost a dictionary a call, and a sync makes one of these a post.
    return FeedItem(
        view.uri,
        normalise_time(view.indexedAt or view.record.createdAt),
        partial(_order, view),
        parent,
        False,
        "reasonPin" in kind,
        root,
        view,
    )


def _is_own(uri: str, own: str, checked: set[str]) -> bool:
    """:func:`_is_own_post`, remembering the URIs that are: a chain's posts name its first
    post and the post they answer, which the feed lists again as posts of their own."""
    if uri in checked:
        return True
    if _is_own_post(uri, own):
        checked.add(uri)
        return True
    return False


def _is_own_post(uri: str, own: str) -> bool:
    """Whether ``uri`` is a post of the author whose post URIs start with ``own`` (the
    same test as ``is_post_uri`` and a DID comparison, for an author already checked)."""
    return (
        uri.startswith(own)
        and len(uri) <= MAX_URI_LENGTH
        and RKEY_TAIL_RE.fullmatch(uri, len(own)) is not None
    )
