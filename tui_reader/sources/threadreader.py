"""Twitter/X threads as unrolled by Thread Reader App: references, requests and following.
Its pages are read by ``tui_reader.sources.threadreader_pages``, loaded when first needed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from tui_reader.errors import BadReference, BadResponse, FetchError, NotFound
from tui_reader.models import Author, AuthorRef, PostRef, Ref, Thread
from tui_reader.sources import AuthorScan, SavedPage, Source
from tui_reader.sources.twitter import HANDLE_RE, TWEET_ID_RE, TWITTER_HOSTS

#: Thread Reader App is run by two people: ask like a browser, one request at a time.
BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 tui-reader"
#: A bare tweet ID given as a REF: five digits at least, so a short number is not taken
#: for one.
BARE_TWEET_ID_RE = re.compile(r"^\d{5,25}\Z")
READER_HOSTS = frozenset({"threadreaderapp.com", "www.threadreaderapp.com"})
#: x.com's own pages, which are not anybody's profile.
NOT_PROFILES = frozenset(
    "home explore search i settings notifications messages compose login logout signup "
    "tos privacy hashtag intent share".split()
)
#: A locator of this form is a thread's first tweet: its page is read without a ping.
ROOT_PREFIX = "thread/"
#: Threads unrolled on an author's first sync; older ones are listed, to open on demand.
FIRST_SYNC_THREADS = 20


def _tweet_ref(tweet_id: str, handle: str = "") -> PostRef:
    """A tweet, by its ID (the same everywhere, so also its library key)."""
    author = AuthorRef("threadreader", handle.lower(), stable=bool(handle))
    return PostRef("threadreader", author, tweet_id, key=tweet_id)


def _root_ref(tweet_id: str, handle: str = "") -> PostRef:
    """The first tweet of a thread Thread Reader App has unrolled (its page's address names
    it): read its page directly, without asking which thread the tweet is in."""
    return replace(_tweet_ref(tweet_id, handle), locator=f"{ROOT_PREFIX}{tweet_id}")


def _user_ref(handle: str) -> AuthorRef:
    return AuthorRef("threadreader", handle.lower(), stable=True)


class ThreadReaderSource(Source):
    """Reads Twitter/X threads from Thread Reader App's published pages."""

    @classmethod
    def is_author_id(cls, author_id: str) -> bool:
        """A Twitter/X handle in lower case."""
        return bool(HANDLE_RE.match(author_id)) and author_id == author_id.lower()

    name = "threadreader"
    hosts = TWITTER_HOSTS | READER_HOSTS
    server_setting = "base_url"
    #: Thread Reader App is run by two people: one request at a time.
    requests_at_a_time = 1
    examples = (
        "an x.com or threadreaderapp.com URL (a tweet, a thread, a profile), @handle@x.com, "
        "a tweet ID"
    )
    post_ids_name_author = False

    def resolve(self, text: str) -> Ref | None:
        """Recognise Thread Reader App and x.com/twitter.com URLs (tweets, profiles, thread
        and author pages), ``@handle@x.com`` and bare tweet IDs."""
        text = text.strip()
        if BARE_TWEET_ID_RE.match(text):
            return _tweet_ref(text)
        address = re.fullmatch(r"@?([A-Za-z0-9_]{1,15})@([A-Za-z0-9.-]+)", text)
        if address and address.group(2).lower() in TWITTER_HOSTS:
            return _user_ref(address.group(1))
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https"):
            return None
        segments = [s for s in parts.path.split("/") if s]
        own_host = urlsplit(self.base_url).netloc
        if parts.hostname in READER_HOSTS or parts.netloc == own_host:
            if len(segments) == 2 and segments[0] == "thread":
                tweet_id = segments[1].removesuffix(".html")
                if TWEET_ID_RE.match(tweet_id):
                    return _root_ref(tweet_id)
            if len(segments) == 2 and segments[0] == "user" and HANDLE_RE.match(segments[1]):
                return _user_ref(segments[1])
            if parts.hostname in READER_HOSTS:
                raise BadReference(f"not a Thread Reader App thread URL: {text}")
            return None
        if parts.hostname in TWITTER_HOSTS:
            if len(segments) >= 3 and segments[1] == "status" and TWEET_ID_RE.match(segments[2]):
                return _tweet_ref(segments[2], segments[0])
            if (
                len(segments) == 1
                and HANDLE_RE.match(segments[0])
                and segments[0].lower() not in NOT_PROFILES
            ):
                return _user_ref(segments[0])
            raise BadReference(f"not a tweet or profile URL: {text}")
        return None

    def read_saved(self, content: str) -> SavedPage | None:
        """A Thread Reader App page a user saved (the HTML, or the text a browser copies)."""
        from tui_reader.sources import threadreader_pages as pages

        return pages.parse_saved(content, self.base_url)

    async def _get(
        self,
        path: str,
        *,
        revalidate: bool = False,
        etag: str = "",
        missing: str = "Thread Reader App has no such thread",
    ) -> Any:
        try:
            return await self.fetcher.get(
                f"{self.base_url}{path}",
                headers={"user-agent": BROWSER_AGENT},
                revalidate=revalidate,
                etag=etag,
            )
        except FetchError as error:
            if error.status == 404:
                raise NotFound(missing, status=404) from None
            raise

    async def root_of(self, tweet_id: str) -> str:
        """The first tweet of the unrolled thread that contains ``tweet_id``."""
        response = await self._get(f"/api/v0/ping/{tweet_id}.json")
        data = response.json()
        if not isinstance(data, dict):
            raise BadResponse("Thread Reader App sent an unusable answer to its ping")
        if data.get("code") == 200 and TWEET_ID_RE.match(str(data.get("pong", ""))):
            return str(data["pong"])
        if data.get("code") == 404:
            raise NotFound(
                f"nobody has unrolled the thread of tweet {tweet_id} on Thread Reader App yet; "
                "reply to it with '@threadreaderapp unroll' on X, then try again"
            )
        raise BadResponse("Thread Reader App sent an unusable answer to its ping")

    async def thread(self, ref: PostRef) -> Thread:
        """The whole unrolled thread that contains the tweet ``ref`` names."""
        return (await self.thread_page(ref)).thread

    async def thread_page(self, ref: PostRef) -> SavedPage:
        """The thread's page: the thread, and the author's other threads it lists."""
        if ref.locator.startswith(ROOT_PREFIX):
            root = ref.locator.removeprefix(ROOT_PREFIX)
        else:
            root = await self.root_of(ref.locator)
        response = await self._get(f"/thread/{root}.html", revalidate=True)
        from tui_reader.sources import threadreader_pages as pages

        return pages.parse_page_and_list(response.text(), self.base_url)

    async def still_the_same(self, thread: Thread, tag: str) -> tuple[bool, str]:
        """One request: the thread's page, revalidated (a 304 when it did not change, the
        kept copy then compared); the same page as at the last check is no change."""
        root = thread.id.removeprefix("threadreader:")
        if not TWEET_ID_RE.match(root):
            return False, tag  # a thread from copied text: no page to ask for
        response = await self._get(f"/thread/{root}.html", revalidate=True)
        fresh = "sha256:" + hashlib.sha256(response.body).hexdigest()
        return fresh == tag, fresh

    def _user_path(self, handle: str) -> str:
        if not HANDLE_RE.match(handle):
            raise BadReference(f"not an X handle: {handle}")
        return f"/user/{handle}"

    async def profile(self, author: str) -> Author:
        """An X author, from their page on Thread Reader App."""
        from tui_reader.sources import threadreader_pages as pages

        path = self._user_path(author.lstrip("@"))
        response = await self._get(
            path,
            revalidate=True,
            missing=(
                f"Thread Reader App has no page for @{author.lstrip('@')} "
                f"({self.base_url}{path}): nobody has unrolled their threads there"
            ),
        )
        return pages.parse_user_page(response.text(), author.lstrip("@"), self.base_url).author

    async def author_threads(
        self, author_id: str, *, watermark: str = "", etag: str = ""
    ) -> AuthorScan:
        """The threads an author's page on Thread Reader App lists: those newer than
        ``watermark`` to unroll (the newest few on a first sync), the rest kept as listed.
        One request, revalidated by ETag."""
        from tui_reader.sources import threadreader_pages as pages

        path = self._user_path(author_id)
        address = f"{self.base_url}{path}"
        response = await self._get(
            path,
            etag=etag,
            # A first sync asks again with what following the author kept of this page
            # (profile): unchanged since, it is not sent twice.
            revalidate=not etag,
            missing=f"Thread Reader App has no page for @{author_id} ({address})",
        )
        if response.not_modified:
            return AuthorScan(watermark=watermark, etag=etag)
        page = pages.parse_user_page(response.text(), author_id, self.base_url)
        if not page.threads:
            raise BadResponse(f"Thread Reader App's page {address} lists no threads")
        if watermark:
            new = [t for t in page.threads if t.created_at > watermark]
        else:
            new = list(page.threads[:FIRST_SYNC_THREADS])
        chosen = {t.id for t in new}
        return AuthorScan(
            to_fetch=[
                _root_ref(t.id.removeprefix("threadreader:"), page.author.handle) for t in new
            ],
            listed=[t for t in page.threads if t.id not in chosen],
            watermark=max([watermark, *(t.created_at for t in page.threads)]),
            etag=response.etag,
        )
