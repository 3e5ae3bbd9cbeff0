"""A small fake Thread Reader App: authors' pages of thread cards, and thread pages, in the
site's markup (the markup is the site's; the threads are invented)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html import escape

from tests.server import FakeServer, Reply, Request

BASE_TIME = 1_700_000_000  # Unix seconds


@dataclass
class FakeThread:
    """One unrolled thread."""

    root: int
    handle: str
    tweets: list[str]
    time: int


@dataclass
class FakeThreadReader:
    """Authors and their threads on one server, with ``/user/<handle>`` pages answering
    ETag revalidation, ``/thread/<id>.html`` pages with a "More from" section, and pings."""

    server: FakeServer
    names: dict[str, str] = field(default_factory=dict)
    threads: dict[int, FakeThread] = field(default_factory=dict)
    #: Threads shown in each thread page's "More from" but not on the author's page.
    more_from_only: set[int] = field(default_factory=set)
    #: Authors whose page has lost its thread cards (the site changed its markup).
    without_cards: set[str] = field(default_factory=set)
    _next: int = 1_800_000_000_000_000_001

    def __post_init__(self) -> None:
        self.server.route_prefix("/user/", self.user_page)
        self.server.route_prefix("/thread/", self.thread_page)
        self.server.route_prefix("/api/v0/ping/", self.ping)

    def author(self, handle: str, name: str) -> None:
        """An author the site knows."""
        self.names[handle.lower()] = name

    def thread(self, handle: str, count: int, *, hours: int, title: str = "") -> int:
        """A thread of ``count`` tweets, ``hours`` after the base time; returns its root."""
        root = self._next
        self._next += 1000
        first = title or f"Thread {root} by {handle}"
        tweets = [first] + [f"Tweet {n} of {root}" for n in range(2, count + 1)]
        self.threads[root] = FakeThread(root, handle, tweets, BASE_TIME + hours * 3600)
        return root

    def _card(self, thread: FakeThread) -> str:
        name = escape(self.names.get(thread.handle.lower(), ""))
        tweets = "".join(
            f'<div class="content-tweet">{escape(text)}</div>' for text in thread.tweets[:2]
        )
        address = f"{self.server.url}/thread/{thread.root}.html"
        return f"""
<div class="t-user-related-entry"><div class="thread-card">
  <div class="box-user">
    <span class="username"><a href="/user/{thread.handle}">{name}</a></span>
    <span class="screenName"><a href="/user/{thread.handle}">@{thread.handle}</a></span>
  </div>
  <span class="time" data-time="{thread.time}">a date</span>
  <div class="card-tweets">{tweets}</div>
  <a class="tweet-url" href="{address}">Read {len(thread.tweets)} tweets</a>
</div></div>"""

    def _of(self, handle: str) -> list[FakeThread]:
        found = [t for t in self.threads.values() if t.handle.lower() == handle.lower()]
        return sorted(found, key=lambda t: t.time, reverse=True)

    def user_page(self, request: Request) -> Reply:
        """``/user/<handle>``: the author's header and a card per thread, newest first."""
        handle = request.path.removeprefix("/user/")
        if handle.lower() not in self.names:
            return Reply(404, b"<html><body>Not found</body></html>", {"content-type": "text/html"})
        cards = (
            ""
            if handle.lower() in self.without_cards
            else "".join(
                self._card(t) for t in self._of(handle) if t.root not in self.more_from_only
            )
        )
        page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="container"><h4 class="twitter_name"><a href="/user/{handle}">{
            escape(self.names[handle.lower()])
        }</a></h4>
<div class="screenName"><a href="//twitter.com/{handle}">@{handle}</a></div>
<div class="t-user-threads">{cards}</div></div></body></html>"""
        return self._with_etag(request, page)

    def thread_page(self, request: Request) -> Reply:
        """``/thread/<root>.html``: the tweets, and "More from" with the author's others."""
        root = int(request.path.removeprefix("/thread/").removesuffix(".html") or 0)
        thread = self.threads.get(root)
        if thread is None:
            return Reply(404, b"<html><body>Not found</body></html>", {"content-type": "text/html"})
        tweets = "".join(
            f'<div class="content-tweet" data-screenname="{thread.handle}" '
            f'data-tweet="{root + n}">{escape(text)}</div>'
            for n, text in enumerate(thread.tweets)
        )
        others = "".join(self._card(t) for t in self._of(thread.handle) if t.root != root)
        page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<h4 class="twitter_name"><a href="/user/{thread.handle}">{
            escape(self.names.get(thread.handle.lower(), ""))
        }</a></h4>
<div class="thread-info"><a class="time" data-time="{thread.time}">a date</a></div>
<div class="t-main">{tweets}</div>
<div class="t-user-related"><h1 class="list-content-header">More from @{thread.handle}
<a href="{self.server.url}/user/{thread.handle}">see all</a></h1>{others}</div>
</body></html>"""
        return self._with_etag(request, page)

    def ping(self, request: Request) -> Reply:
        """``/api/v0/ping/<tweet>.json``: the root of the thread holding the tweet."""
        tweet = int(request.path.rsplit("/", 1)[1].removesuffix(".json") or 0)
        for thread in self.threads.values():
            if thread.root <= tweet < thread.root + len(thread.tweets):
                return Reply.json({"code": 200, "pong": str(thread.root)})
        return Reply.json({"code": 404, "message": "not found"})

    @staticmethod
    def _with_etag(request: Request, page: str) -> Reply:
        tag = '"' + hashlib.sha256(page.encode()).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == tag:
            return Reply(304, b"", {"etag": tag})
        return Reply(200, page.encode(), {"content-type": "text/html; charset=utf-8", "etag": tag})
