"""Bluesky through the public AppView: resolve references, fetch and unroll threads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import unquote, urlsplit

from tui_reader.errors import BadReference, BadResponse, FetchError, NotFound
from tui_reader.models import Author, PostRef, Ref, Thread
from tui_reader.sources import AuthorScan, Source
from tui_reader.sources.bluesky_records import (
    BLOCKED,
    DID_RE,
    HANDLE_RE,
    MAX_URI_LENGTH,
    NOT_FOUND,
    POST_COLLECTION,
    RKEY_RE,
    RKEY_TAIL_RE,
    WEB_HOSTS,
    FeedEntry,
    PostView,
    ThreadGraph,
    actor_ref,
    author_matches,
    author_of_actor,
    feed_entries,
    feed_entry,
    is_actor,
    parse_author,
    post_of_view,
    post_ref,
    post_uri,
    post_view,
    reading_order,
    sort_key,
    split_uri,
    text_of,
    web_url,
)
from tui_reader.sources.chain import (
    FeedItem,
    FeedLimits,
    FeedPage,
    climb,
    cut_note,
    scan_author,
    walk_down,
)
from tui_reader.times import normalise_time, utc_now

#: Levels of replies asked for per request. The AppView allows up to 1000, but every level
#: nests the JSON deeper and pulls in everyone's replies, so long chains are read in steps.
THREAD_DEPTH = 100
PARENT_HEIGHT = 300
#: A guard against servers that keep sending the same partial view.
MAX_THREAD_REQUESTS = 60
#: 100 posts a page, 10 pages on an author's first sync.
FEED_LIMITS = FeedLimits(page_size=100, first_page_when_known=5, max_pages=10)


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
                return actor_ref(repo) if is_actor(repo) else None
            if collection != POST_COLLECTION or not RKEY_RE.match(rkey) or not is_actor(repo):
                raise BadReference(f"not a Bluesky post: {text}")
            return post_ref(repo, rkey)
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.hostname in WEB_HOSTS:
            segments = [unquote(s) for s in parts.path.split("/") if s]
            if len(segments) >= 2 and segments[0] == "profile" and is_actor(segments[1]):
                actor = segments[1] if DID_RE.match(segments[1]) else segments[1].lower()
                if len(segments) == 2:
                    return actor_ref(actor)
                if len(segments) == 4 and segments[2] == "post" and RKEY_RE.match(segments[3]):
                    return post_ref(actor, segments[3])
            raise BadReference(f"not a Bluesky post or profile URL: {text}")
        if DID_RE.match(text):
            return actor_ref(text)
        if (
            HANDLE_RE.match(text)
            and not text.startswith("@")
            or (text.startswith("@") and text.count("@") == 1 and HANDLE_RE.match(text))
        ):
            return actor_ref(text.lstrip("@").lower())
        return None

    def _xrpc(self, method: str) -> str:
        return f"{self.appview}/xrpc/{method}"

    async def _ask(self, method: str, params: dict[str, str], missing: str) -> object:
        """The AppView's answer to ``method``; ``missing`` is the NotFound it means by a 400
        or 404 (the AppView says 400 for a handle or actor it does not know)."""
        try:
            return await self.fetcher.get_json(self._xrpc(method), params)
        except FetchError as error:
            if error.status in (400, 404):
                raise NotFound(missing) from None
            raise

    async def resolve_handle(self, handle: str) -> str:
        """The DID behind a handle."""
        if handle.startswith("did:"):
            return handle
        data = await self._ask(
            "com.atproto.identity.resolveHandle",
            {"handle": handle},
            f"no Bluesky account has the handle {handle}",
        )
        did = data.get("did") if isinstance(data, dict) else None
        if not isinstance(did, str) or not DID_RE.match(did):
            raise BadResponse(f"the Bluesky server gave no usable DID for {handle}")
        return did

    async def profile(self, author: str) -> Author:
        """Look up an author by handle or DID."""
        data = await self._ask(
            "app.bsky.actor.getProfile", {"actor": author}, f"no Bluesky account is called {author}"
        )
        if not isinstance(data, dict) or not DID_RE.match(text_of(data.get("did"))):
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
            feed: Sequence[FeedEntry | None]
            decoded = feed_entries(response.body)
            if decoded is not None:
                feed, following = decoded
            else:
                data = response.json()
                found = data.get("feed") if isinstance(data, dict) else None
                if not isinstance(found, list):
                    raise BadResponse("the Bluesky server sent a feed without a 'feed' list")
                feed, following = [feed_entry(entry) for entry in found], data.get("cursor")
            if len(feed) > limit:
                # A page holds what was asked for; one that holds far more is a flood.
                raise BadResponse(
                    f"the Bluesky server sent {len(feed):,} posts for a page of {limit}; "
                    "refusing it"
                )
            items = [
                item for entry in feed if (item := feed_item(entry, did, own, checked)) is not None
            ]
            return FeedPage(items, len(feed), text_of(following), response.etag)

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
            ref_of=lambda item: post_ref(did, split_uri(item.fetch_as)[1]),
        )

    def _thread_of(self, views: list[PostView], fetched_at: str) -> Thread:
        posts = tuple([post_of_view(view) for view in views])
        return Thread.from_posts("bluesky", author_of_actor(views[0].author), posts, fetched_at)

    async def _fetch_view(self, uri: str, graph: ThreadGraph) -> None:
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
        kind = text_of(thread.get("$type"))
        if kind == NOT_FOUND or thread.get("notFound") is True:
            raise NotFound(f"that Bluesky post was deleted ({web_url(uri)})")
        if kind == BLOCKED or thread.get("blocked") is True:
            raise NotFound(f"that Bluesky post is blocked ({web_url(uri)})")
        if not isinstance(thread.get("post"), dict):
            raise BadResponse("the Bluesky server sent a thread with no post in it")
        top = thread["post"]
        if not author_matches(top, text_of(top.get("uri"))):
            raise BadResponse(
                "the Bluesky server sent a post whose author is not the one its address names"
            )
        graph.add(thread)

    async def thread(self, ref: PostRef) -> Thread:
        """Unroll the author's chain that contains the post ``ref`` names, from its root."""
        did = await self.resolve_handle(ref.author.name)
        start = post_uri(did, ref.locator)
        graph = ThreadGraph(author=did)
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

        chain = await walk_down(root, own_replies, lambda uri: sort_key(graph.views[uri]), complete)
        gone = [
            graph.gone[child]
            for child in graph.children.get(chain[-1], ())
            if child in graph.gone and graph.author_of(child) == author_did
        ]
        if gone and not ends_early and not own_replies(chain[-1]):
            ends_early = f"the thread goes on past a post that is {gone[0]}"
        ends_early = ends_early or cut_note(chain, bool(own_replies(chain[-1])), False)
        thread = self._thread_of([post_view(graph.views[uri]) for uri in chain], utc_now())
        return replace(thread, ends_early=ends_early)


def feed_item(
    entry: FeedEntry | None, did: str, own: str, checked: set[str] | None = None
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
        partial(reading_order, view),
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
    if is_own_post(uri, own):
        checked.add(uri)
        return True
    return False


def is_own_post(uri: str, own: str) -> bool:
    """Whether ``uri`` is a post of the author whose post URIs start with ``own`` (the
    same test as ``is_post_uri`` and a DID comparison, for an author already checked)."""
    return (
        uri.startswith(own)
        and len(uri) <= MAX_URI_LENGTH
        and RKEY_TAIL_RE.fullmatch(uri, len(own)) is not None
    )
