"""A small fake Bluesky AppView: posts held in memory, served as the real XRPC endpoints do.

It lists replies the way a busy server might (most liked first, then newest first), so a
client that trusts server order picks the wrong branch.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.server import FakeServer, Reply, Request

BASE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakePost:
    """A post in the fake network."""

    uri: str
    did: str
    text: str
    created_at: datetime
    parent: str = ""
    root: str = ""
    likes: int = 0
    facets: list[dict[str, Any]] = field(default_factory=list)
    embed: dict[str, Any] | None = None
    embed_view: dict[str, Any] | None = None
    deleted: bool = False


@dataclass
class FakeAccount:
    """An account in the fake network."""

    did: str
    handle: str
    display_name: str


class FakeAppView:
    """Accounts and posts, and the XRPC handlers that serve them."""

    def __init__(self) -> None:
        self.accounts: dict[str, FakeAccount] = {}
        self.posts: dict[str, FakePost] = {}
        #: (reposter DID, post URI, when) for every repost.
        self.reposts: list[tuple[str, str, datetime]] = []
        #: Send ETags on author feeds and answer 304 when they match.
        self.etags = True
        self._counter = itertools.count(1)
        #: The most reply levels the server will return, whatever the client asks for.
        self.max_depth = 1000
        self._by_author: dict[str, list[FakePost]] = {}
        self._children: dict[str, list[FakePost]] = {}
        self._index_size = -1
        self._index_lock = threading.Lock()

    def account(self, handle: str, display_name: str = "") -> FakeAccount:
        """Create an account."""
        did = f"did:plc:{handle.split('.')[0]:a<24}"[:32]
        account = FakeAccount(did, handle, display_name or handle.split(".")[0].title())
        self.accounts[did] = account
        return account

    def post(
        self,
        author: FakeAccount,
        text: str,
        *,
        reply_to: str = "",
        minutes: float | None = None,
        likes: int = 0,
        facets: list[dict[str, Any]] | None = None,
        embed: dict[str, Any] | None = None,
        embed_view: dict[str, Any] | None = None,
    ) -> str:
        """Add a post; ``minutes`` after the base time (default: one more than the last)."""
        number = next(self._counter)
        rkey = f"3k{number:011d}"
        uri = f"at://{author.did}/app.bsky.feed.post/{rkey}"
        when = BASE_TIME + timedelta(minutes=number if minutes is None else minutes)
        root = ""
        if reply_to:
            parent = self.posts[reply_to]
            root = parent.root or parent.uri
        self.posts[uri] = FakePost(
            uri, author.did, text, when, reply_to, root, likes, facets or [], embed, embed_view
        )
        return uri

    def chain(self, author: FakeAccount, count: int, *, reply_to: str = "") -> list[str]:
        """A thread of ``count`` self-replies; returns the URIs in order."""
        uris: list[str] = []
        for index in range(count):
            parent = uris[-1] if uris else reply_to
            uris.append(self.post(author, f"Post {index + 1} of {count}.", reply_to=parent))
        return uris

    def repost(self, account: FakeAccount, uri: str) -> None:
        """``account`` reposts ``uri``, now (after every post so far)."""
        when = BASE_TIME + timedelta(minutes=next(self._counter))
        self.reposts.append((account.did, uri, when))

    def install(self, server: FakeServer) -> None:
        """Serve this AppView's endpoints on ``server``."""
        server.route("/xrpc/app.bsky.feed.getAuthorFeed", self.get_author_feed)
        server.route("/xrpc/app.bsky.feed.getPostThread", self.get_post_thread)
        server.route("/xrpc/com.atproto.identity.resolveHandle", self.resolve_handle)
        server.route("/xrpc/app.bsky.actor.getProfile", self.get_profile)

    # Views ------------------------------------------------------------------------------

    def _author_view(self, did: str) -> dict[str, Any]:
        account = self.accounts[did]
        return {"did": did, "handle": account.handle, "displayName": account.display_name}

    def _replies(self, uri: str) -> list[FakePost]:
        self._index()
        found = [p for p in self._children.get(uri, []) if not p.deleted]
        return sorted(found, key=lambda p: (-p.likes, -p.created_at.timestamp()))

    def post_view(self, post: FakePost) -> dict[str, Any]:
        """An ``app.bsky.feed.defs#postView``."""
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": post.created_at.isoformat().replace("+00:00", "Z"),
        }
        if post.facets:
            record["facets"] = post.facets
        if post.parent:
            record["reply"] = {
                "root": {"uri": post.root, "cid": "bafyroot"},
                "parent": {"uri": post.parent, "cid": "bafyparent"},
            }
        if post.embed:
            record["embed"] = post.embed
        view: dict[str, Any] = {
            "uri": post.uri,
            "cid": "bafy" + post.uri[-12:],
            "author": self._author_view(post.did),
            "record": record,
            "replyCount": len(self._replies(post.uri)),
            "repostCount": 0,
            "likeCount": post.likes,
            "indexedAt": record["createdAt"],
            "labels": [],
        }
        if post.embed_view:
            view["embed"] = post.embed_view
        return view

    def _node(self, uri: str, depth: int) -> dict[str, Any]:
        post = self.posts.get(uri)
        if post is None or post.deleted:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}
        node: dict[str, Any] = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self.post_view(post),
        }
        if depth > 0:
            node["replies"] = [self._node(reply.uri, depth - 1) for reply in self._replies(uri)]
        return node

    # Handlers ---------------------------------------------------------------------------

    def get_post_thread(self, request: Request) -> Reply:
        """``app.bsky.feed.getPostThread`` with ``depth`` (default 6) and ``parentHeight``."""
        uri = request.query.get("uri", "")
        depth = min(int(request.query.get("depth", "6")), self.max_depth)
        height = int(request.query.get("parentHeight", "80"))
        post = self.posts.get(uri)
        if post is None or post.deleted:
            return Reply.json({"error": "NotFound", "message": f"Post not found: {uri}"}, 400)
        thread = self._node(uri, depth)
        holder = thread
        parent_uri = post.parent
        while parent_uri and height > 0:
            parent = self.posts.get(parent_uri)
            if parent is None or parent.deleted:
                holder["parent"] = {
                    "$type": "app.bsky.feed.defs#notFoundPost",
                    "uri": parent_uri,
                    "notFound": True,
                }
                break
            holder["parent"] = {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self.post_view(parent),
            }
            holder = holder["parent"]
            parent_uri = parent.parent
            height -= 1
        return Reply.json({"thread": thread})

    def get_author_feed(self, request: Request) -> Reply:
        """``app.bsky.feed.getAuthorFeed``, newest first, paged by an opaque cursor.

        Like a server that ignores ``filter``, it lists replies to other people too.
        """
        actor = request.query.get("actor", "")
        did = next((a.did for a in self.accounts.values() if actor in (a.did, a.handle)), "")
        if not did:
            return Reply.json({"error": "InvalidRequest", "message": "Profile not found"}, 400)
        limit = min(int(request.query.get("limit", "50")), 100)
        offset = int(request.query.get("cursor", "0") or 0)
        # Sorted and paged before any view is built: views cost, and an author may have
        # thousands of posts (the benchmarks sync 100,000).
        entries: list[tuple[datetime, FakePost, datetime | None]] = [
            (post.created_at, post, None) for post in self._posts_of(did) if not post.deleted
        ]
        for reposter, uri, when in self.reposts:
            if reposter == did and uri in self.posts:
                entries.append((when, self.posts[uri], when))
        entries.sort(key=lambda entry: entry[0], reverse=True)
        page: list[dict[str, Any]] = []
        for _, post, reposted in entries[offset : offset + limit]:
            item: dict[str, Any] = {"post": self.post_view(post)}
            if reposted is not None:
                item["reason"] = {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": self._author_view(did),
                    "indexedAt": reposted.isoformat().replace("+00:00", "Z"),
                }
            elif post.parent:
                parent, root = self.posts.get(post.parent), self.posts.get(post.root)
                if parent is not None and root is not None:
                    item["reply"] = {"root": self.post_view(root), "parent": self.post_view(parent)}
            page.append(item)
        body: dict[str, Any] = {"feed": page}
        if offset + limit < len(entries):
            body["cursor"] = str(offset + limit)
        reply = Reply.json(body)
        if self.etags:
            import hashlib

            tag = '"' + hashlib.sha256(reply.body).hexdigest()[:16] + '"'
            if request.headers.get("if-none-match") == tag:
                return Reply(304, b"", {"etag": tag})
            reply.headers["etag"] = tag
        return reply

    def _index(self) -> None:
        """Posts by author and by parent, made again when posts were added or removed (the
        benchmarks serve 100,000).

        Requests are answered in threads: the index is built whole under a lock and then
        swapped in. Built in place without one, two requests arriving together both filled
        it, every reply was listed twice, and thread views doubled at every level (a
        benchmark of 200 authors never finished, and looked like the client's fault).
        """
        with self._index_lock:
            if self._index_size == len(self.posts):
                return
            by_author: dict[str, list[FakePost]] = {}
            children: dict[str, list[FakePost]] = {}
            for post in self.posts.values():
                by_author.setdefault(post.did, []).append(post)
                if post.parent:
                    children.setdefault(post.parent, []).append(post)
            self._by_author, self._children = by_author, children
            self._index_size = len(self.posts)

    def _posts_of(self, did: str) -> list[FakePost]:
        """An account's posts."""
        self._index()
        return self._by_author.get(did, [])

    def resolve_handle(self, request: Request) -> Reply:
        """``com.atproto.identity.resolveHandle``."""
        handle = request.query.get("handle", "")
        for account in self.accounts.values():
            if account.handle == handle:
                return Reply.json({"did": account.did})
        return Reply.json({"error": "InvalidRequest", "message": "Unable to resolve handle"}, 400)

    def get_profile(self, request: Request) -> Reply:
        """``app.bsky.actor.getProfile``."""
        actor = request.query.get("actor", "")
        for account in self.accounts.values():
            if actor in (account.did, account.handle):
                return Reply.json(self._author_view(account.did))
        return Reply.json({"error": "InvalidRequest", "message": "Profile not found"}, 400)
