"""Bluesky's records as the AppView sends them: typed views decoded with msgspec, and the
parsing of posts, authors, links, embeds and thread graphs (no network here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import msgspec

from tui_reader.clean import clean_line, clean_text
from tui_reader.errors import BadResponse
from tui_reader.limits import MAX_LINKS_PER_POST, MAX_MEDIA_PER_POST, cap_links
from tui_reader.models import Author, AuthorRef, Media, Post, PostRef, Quote
from tui_reader.times import normalise_time, parse_time

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
# into the same shape field by field (``post_view``), so one definition builds every post.
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


class PostView(msgspec.Struct, gc=False):
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


class FeedEntry(msgspec.Struct, gc=False):
    """An ``app.bsky.feed.defs#feedViewPost`` as far as a sync reads it: each entry also
    carries the whole posts it answers, two thirds of its 1.7 KB, which nothing reads."""

    post: PostView | None = None
    reason: _Reason | None = None


class _FeedPage(msgspec.Struct, gc=False):
    """A ``getAuthorFeed`` answer as far as a sync reads it."""

    feed: list[FeedEntry]
    cursor: Any = None


_FEED_PAGE = msgspec.json.Decoder(_FeedPage)


def feed_entries(body: bytes | bytearray) -> tuple[list[FeedEntry], object] | None:
    """A ``getAuthorFeed`` page's entries and cursor, decoded straight into the shape a sync
    reads (JSON and reading took 19 us a post as dictionaries, 4 as these). ``None`` when
    the page is not of that shape, or not JSON this decoder takes: the caller then reads it
    as any JSON (``Response.json``) and keeps what it can, field by field
    (:func:`feed_entry`)."""
    try:
        page = _FEED_PAGE.decode(body)
    except (msgspec.MsgspecError, RecursionError):  # nested past msgspec's depth limit
        return None
    return page.feed, page.cursor


def feed_entry(data: object) -> FeedEntry | None:
    """A feed entry from any JSON, keeping each field that has the right type (``None`` if
    it is not an object)."""
    if not isinstance(data, dict):
        return None
    post, reason = data.get("post"), data.get("reason")
    return FeedEntry(
        post=post_view(post) if isinstance(post, dict) else None,
        reason=_Reason(_raw(reason.get("$type"))) if isinstance(reason, dict) else None,
    )


def post_view(data: dict[str, Any]) -> PostView:
    """A post view from any JSON, keeping each field that has the right type."""
    author = _dict(data.get("author"))
    record = _dict(data.get("record"))
    reply = record.get("reply")
    return PostView(
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


def author_matches(view: dict[str, Any], uri: str) -> bool:
    """Whether a post view's author is the account its URI names (a server could otherwise
    file a post, and a name, under someone else)."""
    author = view.get("author")
    did = text_of(author.get("did")) if isinstance(author, dict) else ""
    return not did or did == split_uri(uri)[0]


def _decode(data: bytes) -> str:
    """UTF-8 back to text, lone surrogates included (``clean_text`` replaces each once)."""
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:  # a facet that cuts a character in two
        return data.decode("utf-8", errors="replace")


def _raw(value: object) -> str:
    return value if isinstance(value, str) else ""


def text_of(value: object) -> str:
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
    return author_of_actor(
        _Actor(_raw(view.get("did")), _raw(view.get("handle")), _raw(view.get("displayName")))
    )


def author_of_actor(actor: _Actor) -> Author:
    """The author an actor view names."""
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
    kind = text_of(record.get("$type"))
    uri = text_of(record.get("uri"))
    url = web_url(uri) if uri.startswith("at://") and POST_COLLECTION in uri else uri
    if kind.endswith("#viewRecord"):
        value = record.get("value") if isinstance(record.get("value"), dict) else {}
        assert isinstance(value, dict)
        text, _ = restore_links(_raw(value.get("text")), value.get("facets"))
        author = record.get("author") if isinstance(record.get("author"), dict) else {}
        assert isinstance(author, dict)
        embeds = record.get("embeds")
        media = [
            item
            for embed in (embeds[:MAX_MEDIA_PER_POST] if isinstance(embeds, list) else [])
            if isinstance(embed, dict)
            for item in _media(embed)
        ]
        return Quote(
            url=url,
            author=text_of(author.get("handle")),
            text=text,
            media=tuple(media[:MAX_MEDIA_PER_POST]),
        )
    if kind.endswith("#viewNotFound"):
        return Quote(url=url, author="", text="(the quoted post was deleted)", gone="deleted")
    if kind.endswith("#viewBlocked"):
        return Quote(url=url, author="", text="(the quoted post is blocked)", gone="blocked")
    if kind.endswith("#viewDetached"):
        return Quote(
            url=url,
            author="",
            text="(the quoted post was detached by its author)",
            gone="detached",
        )
    return None


def _media(embed: dict[str, Any]) -> list[Media]:
    kind = text_of(embed.get("$type"))
    found: list[Media] = []
    if kind.startswith("app.bsky.embed.images"):
        images = embed.get("images")
        # A post holds four images; a hostile view may list any number.
        for image in images[:MAX_MEDIA_PER_POST] if isinstance(images, list) else []:
            if isinstance(image, dict):
                url = text_of(image.get("fullsize")) or text_of(image.get("thumb"))
                found.append(Media("image", url, text_of(image.get("alt"))))
    elif kind.startswith("app.bsky.embed.video"):
        url = text_of(embed.get("playlist")) or text_of(embed.get("thumbnail"))
        poster = text_of(embed.get("thumbnail"))
        found.append(Media("video", url, text_of(embed.get("alt")), preview=poster))
    elif kind.startswith("app.bsky.embed.external"):
        external = embed.get("external")
        if isinstance(external, dict) and text_of(external.get("uri")):
            found.append(
                Media(
                    "link",
                    text_of(external.get("uri")),
                    text_of(external.get("title")),
                    preview=text_of(external.get("thumb")),
                )
            )
    return found


def parse_post(view: dict[str, Any]) -> Post:
    """An ``app.bsky.feed.defs#postView`` as a ``Post``: text with full links, media, quote."""
    return post_of_view(post_view(view))


def post_of_view(view: PostView) -> Post:
    """The post a typed post view holds."""
    uri = clean_text(view.uri)
    record = view.record
    text, links = restore_links(record.text, record.facets)
    media: list[Media] = []
    quote: Quote | None = None
    embed = view.embed
    if isinstance(embed, dict):
        kind = text_of(embed.get("$type"))
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


def sort_key(view: dict[str, Any]) -> tuple[datetime, str]:
    """Where a reply comes among its siblings (the branch rule's order), from a raw view."""
    return reading_order(post_view(view))


def reading_order(view: PostView) -> tuple[datetime, str]:
    """The branch rule's order: the post's own time, else the server's, then its URI."""
    when = parse_time(view.record.createdAt) or parse_time(view.indexedAt)
    # The URI only breaks ties between equal times: compared, never shown, so not cleaned.
    return (when or datetime.max.replace(tzinfo=UTC), view.uri)


@dataclass
class ThreadGraph:
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
        below = (
            text_of(root.get("post", {}).get("uri")) if isinstance(root.get("post"), dict) else ""
        )
        while isinstance(node, dict) and below:
            uri = self._add_node(node)
            if not uri or not self.mine(below):
                break
            self.parent[below] = uri
            self._link_child(uri, below)
            below = (
                uri if text_of(node.get("$type")) in (THREAD_VIEW, "") and "post" in node else ""
            )
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
        kind = text_of(node.get("$type"))
        if kind == NOT_FOUND or node.get("notFound") is True:
            uri = text_of(node.get("uri"))
            if self.mine(uri):
                self.gone.setdefault(uri, "deleted")
            return uri
        if kind == BLOCKED or node.get("blocked") is True:
            uri = text_of(node.get("uri"))
            if self.mine(uri):
                self.gone.setdefault(uri, "blocked")
            return uri
        post = node.get("post")
        if not isinstance(post, dict) or not is_post_uri(text_of(post.get("uri"))):
            return ""  # no post, or one whose URI could not be a library key
        uri = text_of(post["uri"])
        if not author_matches(post, uri):
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
            if isinstance(author, dict) and text_of(author.get("did")):
                return text_of(author["did"])
        return split_uri(uri)[0]

    def record_parent(self, uri: str) -> str:
        """The parent a post names in its own record, even when the view left it out."""
        view = self.views.get(uri, {})
        record = view.get("record") if isinstance(view.get("record"), dict) else {}
        reply = record.get("reply") if isinstance(record, dict) else None
        if isinstance(reply, dict) and isinstance(reply.get("parent"), dict):
            return text_of(reply["parent"].get("uri"))
        return ""


def actor_ref(actor: str) -> AuthorRef:
    """An author by handle or DID (a DID names them for good)."""
    return AuthorRef("bluesky", actor, stable=actor.startswith("did:"))


def post_ref(actor: str, rkey: str) -> PostRef:
    """A post by its author (handle or DID) and record key; its library key is its AT URI,
    which needs the DID."""
    author = actor_ref(actor)
    return PostRef(
        "bluesky",
        author,
        rkey,
        key=post_uri(actor, rkey) if author.stable else "",
        keyed_by=lambda did: post_uri(did, rkey),
    )
