"""Mastodon through any instance's public API: resolve references, unroll and sync threads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tui_reader.clean import clean_line, clean_text
from tui_reader.errors import BadReference, BadResponse, FetchError, NotFound, Unauthorized
from tui_reader.fetch import Fetcher
from tui_reader.models import Author, Media, Post, Quote, Ref, SourceName, Thread
from tui_reader.sources import MAX_CHAIN_STEPS, AuthorScan, follow_chain
from tui_reader.times import normalise_time, parse_time, utc_now

#: Statuses per page of an account's timeline (the API's maximum).
STATUS_PAGE = 40
FIRST_PAGE_WHEN_KNOWN = 5
MAX_STATUS_PAGES = 25
#: Context calls for one thread; each reaches 20 replies deeper.
MAX_CONTEXT_REQUESTS = 60

USER_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
ADDRESS_RE = re.compile(r"^@?([A-Za-z0-9_.-]{1,64})@([A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d{1,5})?)$")
#: Mastodon status IDs are numbers; requiring that keeps other sites' "/@name/page" out.
ID_RE = re.compile(r"^[0-9]{1,32}$")
#: Hosts other sources own; their URLs are never Mastodon statuses.
NOT_MASTODON = frozenset(
    {
        "bsky.app",
        "www.bsky.app",
        "staging.bsky.app",
        "threadreaderapp.com",
        "www.threadreaderapp.com",
        "x.com",
        "twitter.com",
        "www.x.com",
        "www.twitter.com",
        "mobile.twitter.com",
        "mobile.x.com",
    }
)


#: Status and account IDs are opaque (numbers on Mastodon, ULIDs or flake IDs elsewhere), but
#: they go into request paths: only these characters are taken.
OPAQUE_ID_RE = re.compile(r"^[A-Za-z0-9_.~-]{1,100}$")


def _text(value: object) -> str:
    """A string field of an answer, cleaned where it enters (see ``tui_reader.clean``)."""
    return clean_text(value) if isinstance(value, str) else ""


def _id(value: object) -> str:
    """A status or account ID: a string of safe characters, or a JSON number; else ""."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and OPAQUE_ID_RE.match(value):
        return value
    return ""


class _ContentParser(HTMLParser):
    """Mastodon's status HTML to plain text: paragraphs, line breaks, full link URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.links: list[str] = []
        self._hidden = 0  # depth inside span.invisible
        self._anchor: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        classes = attributes.get("class", "").split()
        if tag == "p":
            self._end_paragraph()
        elif tag == "br":
            self._emit("\n")
        elif tag == "span" and self._hidden:
            self._hidden += 1
        elif tag == "span" and "invisible" in classes:
            self._hidden = 1
        elif tag == "a" and self._anchor is None:
            kind = (
                "tag"
                if ("hashtag" in classes or attributes.get("rel") == "tag")
                else ("mention" if "mention" in classes else "link")
            )
            self._anchor = {"href": attributes.get("href", ""), "kind": kind, "text": []}

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._end_paragraph()
        elif tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "a" and self._anchor is not None:
            anchor, self._anchor = self._anchor, None
            href = anchor["href"]
            shown = "".join(anchor["text"])
            is_web = urlsplit(href).scheme in ("http", "https")
            if anchor["kind"] == "link" and is_web:
                if href not in self.links:
                    self.links.append(href)
                # A shortened URL comes back whole; words linked to a page stay words.
                looks_like_url = shown.strip().lower().startswith(("http://", "https://"))
                self._emit(href if looks_like_url or not shown.strip() else shown)
            else:
                self._emit(anchor.get("visible", shown))

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            # The invisible parts ("https://", the tail) are part of the full link text.
            self._anchor["text"].append(data)
            if not self._hidden:
                self._anchor.setdefault("visible", "")
                self._anchor["visible"] += data
            return
        if not self._hidden:
            self._emit(data)

    def _emit(self, text: str) -> None:
        if self._anchor is not None:
            self._anchor["text"].append(text)
        else:
            self.current.append(text)

    def _end_paragraph(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def result(self) -> tuple[str, tuple[str, ...]]:
        self.close()
        self._end_paragraph()
        return "\n\n".join(self.paragraphs), tuple(self.links)


def content_to_text(html: str) -> tuple[str, tuple[str, ...]]:
    """A status's HTML ``content`` as plain text, and the web links it holds."""
    parser = _ContentParser()
    parser.feed(html)
    text, links = parser.result()
    # Character references (&#27;) only become characters here: clean the result too.
    return clean_text(text), tuple(clean_line(link) for link in links)


def parse_account(account: dict[str, Any], base: str) -> Author:
    """A Mastodon account as an ``Author``, keyed by its full address ``user@host``."""
    acct = _text(account.get("acct"))
    host = urlsplit(base).netloc
    if "@" not in acct:
        acct = f"{acct}@{host}"
    user, _, domain = acct.partition("@")
    if not USER_RE.match(user) or not HOST_RE.match(domain):
        raise BadResponse(f"{host} sent an account whose address is not one")
    return Author(
        source="mastodon",
        id=acct.lower(),
        handle=acct,
        display_name=clean_line(_text(account.get("display_name"))),
        url=clean_line(_text(account.get("url"))),
    )


def _media(status: dict[str, Any]) -> list[Media]:
    found: list[Media] = []
    for item in status.get("media_attachments") or []:
        if not isinstance(item, dict):
            continue
        kind = _text(item.get("type"))
        url = _text(item.get("url")) or _text(item.get("remote_url"))
        alt = _text(item.get("description"))
        if kind == "image":
            found.append(Media("image", url, alt))
        elif kind in ("video", "gifv"):
            found.append(Media("video", url, alt))
        elif url:
            # Audio and unknown kinds: kept as a link, labelled, so nothing is lost.
            found.append(Media("link", url, f"{kind}: {alt}" if alt else kind))
    card = status.get("card")
    if isinstance(card, dict) and _text(card.get("url")):
        found.append(Media("link", _text(card.get("url")), _text(card.get("title"))))
    return found


def parse_status(status: dict[str, Any], base: str) -> Post:
    """A Mastodon status as a ``Post``."""
    text, links = content_to_text(_text(status.get("content")))
    media = _media(status)
    all_links = list(links)
    for item in media:
        if (
            item.kind == "link"
            and item.url.startswith(("http://", "https://"))
            and (item.url not in all_links)
        ):
            all_links.append(item.url)
    quote = None
    quoted = status.get("quote")
    if isinstance(quoted, dict):
        inner = quoted.get("quoted_status") if "quoted_status" in quoted else quoted
        if isinstance(inner, dict) and inner.get("id"):
            quoted_text, _ = content_to_text(_text(inner.get("content")))
            account = inner.get("account") if isinstance(inner.get("account"), dict) else {}
            assert isinstance(account, dict)
            quote = Quote(
                _text(inner.get("url")) or _text(inner.get("uri")),
                _text(account.get("acct")),
                quoted_text,
            )
    return Post(
        id=_post_key(status, base),
        url=clean_line(_text(status.get("url")) or _text(status.get("uri"))),
        created_at=normalise_time(status.get("created_at")),
        text=text,
        links=tuple(all_links),
        media=tuple(media),
        quote=quote,
        content_warning=_text(status.get("spoiler_text")).strip(),
    )


def _post_key(status: dict[str, Any], base: str) -> str:
    """The library's ID of a status: its ActivityPub URI when that lives on the server that
    sent it. A server cannot name another server's post, so it cannot overwrite its thread."""
    uri = _text(status.get("uri"))
    parts = urlsplit(uri)
    served = urlsplit(base)
    if (
        parts.scheme in ("http", "https")
        and parts.netloc.lower() == served.netloc.lower()
        and uri == clean_line(uri)
    ):
        return uri
    return f"{base}/statuses/{_id(status.get('id'))}"


def _sort_key(status: dict[str, Any]) -> tuple[datetime, str]:
    when = parse_time(status.get("created_at")) or datetime.max.replace(tzinfo=UTC)
    return when, _id(status.get("id")).rjust(32, "0")


@dataclass
class _Statuses:
    """Every status seen for one thread, by ID, with replies linked both ways."""

    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)

    def add(self, status: Any) -> None:
        if not isinstance(status, dict) or not _id(status.get("id")):
            return
        status_id = _id(status["id"])
        if status_id in self.by_id:
            return
        self.by_id[status_id] = status
        parent = _id(status.get("in_reply_to_id"))
        if parent:
            self.children.setdefault(parent, []).append(status_id)

    def account_of(self, status_id: str) -> str:
        account = self.by_id.get(status_id, {}).get("account")
        return _id(account.get("id")) if isinstance(account, dict) else ""


class MastodonSource:
    """Reads threads from any Mastodon instance's public API, without logging in."""

    name: SourceName = "mastodon"

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    # References -------------------------------------------------------------------------

    def resolve(self, text: str) -> Ref | None:
        """Recognise status URLs, profile URLs and ``@user@instance`` addresses."""
        text = text.strip()
        address = ADDRESS_RE.match(text)
        if address:
            user, host = address.group(1), address.group(2)
            return Ref(
                "mastodon", "author", author=f"{user}@{host}".lower(), post=f"https://{host}"
            )
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        parts.port  # noqa: B018 - raises ValueError (a bad REF) for a port out of range
        if parts.hostname in NOT_MASTODON or not HOST_RE.match(parts.netloc):
            return None
        base = f"{parts.scheme}://{parts.netloc}"
        segments = [unquote(s) for s in parts.path.split("/") if s]
        # https://host/@user[/id] and https://host/@user@other[/id]
        if segments and segments[0].startswith("@") and len(segments) in (1, 2):
            user = segments[0][1:]
            acct = user if "@" in user else f"{user}@{parts.netloc}"
            if not all(USER_RE.match(piece) or HOST_RE.match(piece) for piece in acct.split("@")):
                return None
            if len(segments) == 1:
                return Ref("mastodon", "author", author=acct.lower(), post=base)
            if ID_RE.match(segments[1]):
                return Ref("mastodon", "post", author=acct.lower(), post=f"{base}/{segments[1]}")
            return None
        # https://host/users/user/statuses/id (the ActivityPub form)
        if len(segments) == 4 and segments[0] == "users" and segments[2] == "statuses":
            if USER_RE.match(segments[1]) and ID_RE.match(segments[3]):
                acct = f"{segments[1]}@{parts.netloc}".lower()
                return Ref("mastodon", "post", author=acct, post=f"{base}/{segments[3]}")
        return None

    def post_id(self, ref: Ref, author_id: str) -> str:
        """The library's ID of a status: its ActivityPub URI on the author's instance."""
        base, _, status_id = ref.post.rpartition("/")
        user = author_id.partition("@")[0]
        return f"{base}/users/{user}/statuses/{status_id}"

    def is_stable_id(self, author: str) -> bool:
        """Mastodon authors are keyed by their address, which is what a REF carries."""
        return True

    # Requests ---------------------------------------------------------------------------

    async def _get(
        self, base: str, path: str, params: dict[str, Any] | None = None, *, etag: str = ""
    ) -> Any:
        response = await self._request(base, path, params, etag=etag)
        return None if response.not_modified else response.json()

    async def _request(
        self, base: str, path: str, params: dict[str, Any] | None = None, *, etag: str = ""
    ) -> Any:
        host = urlsplit(base).netloc
        try:
            return await self.fetcher.get(
                f"{base}{path}", params, accept="application/json", etag=etag
            )
        except Unauthorized as error:
            raise Unauthorized(
                f"{host} does not let anonymous readers use its API ({error.message})",
                status=error.status,
            ) from None
        except FetchError as error:
            if error.status == 404:
                raise NotFound(
                    f"{host} has no such post or account (Record not found)", status=404
                ) from None
            raise

    async def _account(self, acct: str) -> tuple[str, dict[str, Any]]:
        """The home instance's base URL and the account, for an address ``user@host``."""
        user, _, host = acct.partition("@")
        # Instances speak https; a test server on this machine may speak plain http.
        scheme = "http" if _loopback(host) else "https"
        base = f"{scheme}://{host}"
        data = await self._get(base, "/api/v1/accounts/lookup", {"acct": user})
        if not isinstance(data, dict) or not _id(data.get("id")):
            raise BadResponse(f"{host} sent an unusable account for {acct}")
        return base, data

    async def profile(self, author: str) -> Author:
        """Look up an account by its address ``user@host``."""
        base, account = await self._account(author)
        return parse_account(account, base)

    # Threads ----------------------------------------------------------------------------

    async def thread(self, ref: Ref) -> Thread:
        """Unroll the author's chain that contains the status ``ref`` names, from its root."""
        if ref.kind != "post":
            raise BadReference("to unroll a thread, give a post URL, not a profile")
        base, _, start = ref.post.rpartition("/")
        statuses = _Statuses()
        first = await self._get(base, f"/api/v1/statuses/{start}")
        if not isinstance(first, dict) or not _id(first.get("id")):
            raise BadResponse(f"{urlsplit(base).netloc} sent an unusable status")
        home = _home_of(first)
        if home is not None and home[0] != base:
            # A remote author's thread is whole only on their own instance.
            base, start = home
            first = await self._get(base, f"/api/v1/statuses/{start}")
            if not isinstance(first, dict) or not _id(first.get("id")):
                raise BadResponse(f"{urlsplit(base).netloc} sent an unusable status")
        statuses.add(first)
        author_id = statuses.account_of(start)
        requests = 1
        context_of: set[str] = set()

        async def context(status_id: str) -> None:
            nonlocal requests
            if status_id in context_of or requests >= MAX_CONTEXT_REQUESTS:
                return
            context_of.add(status_id)
            requests += 1
            data = await self._get(base, f"/api/v1/statuses/{status_id}/context")
            if not isinstance(data, dict):
                raise BadResponse(f"{urlsplit(base).netloc} sent an unusable thread context")
            for key in ("ancestors", "descendants"):
                for status in data.get(key) or []:
                    statuses.add(status)

        await context(start)
        # Up: the author's own chain of parents; a long one needs asking again higher up.
        root = start
        climbed = {root}
        for _step in range(MAX_CHAIN_STEPS):
            parent = _self_reply_to(statuses.by_id[root], author_id)
            if not parent:
                break
            if parent in climbed:
                break  # a reply cycle: only a hostile or broken server sends one
            if parent not in statuses.by_id:
                before = len(statuses.by_id)
                await context(root)
                if parent not in statuses.by_id or len(statuses.by_id) == before:
                    break
            climbed.add(parent)
            root = parent
        if root != start:
            await context(root)
        # Down: earliest self-reply at each step; the API stops 20 replies deep, so ask
        # again from the last post until the chain stops growing.
        while True:
            chain = self._chain(root, author_id, statuses)
            last = chain[-1]
            if last in context_of or requests >= MAX_CONTEXT_REQUESTS:
                break
            await context(last)
        posts = tuple(parse_status(statuses.by_id[i], base) for i in chain)
        account = statuses.by_id[root].get("account")
        author = parse_account(account if isinstance(account, dict) else {}, base)
        return Thread.from_posts("mastodon", author, posts, utc_now())

    @staticmethod
    def _chain(root: str, author_id: str, statuses: _Statuses) -> list[str]:
        def own_replies(status_id: str) -> list[str]:
            return [
                child
                for child in statuses.children.get(status_id, [])
                if statuses.account_of(child) == author_id
            ]

        return follow_chain(root, own_replies, lambda i: _sort_key(statuses.by_id[i]))

    # Sync -------------------------------------------------------------------------------

    async def author_threads(
        self, author_id: str, *, watermark: str = "", etag: str = ""
    ) -> AuthorScan:
        """The author's threads since ``watermark``, from their statuses, newest first."""
        scan = AuthorScan(watermark=watermark, etag=etag)
        base, account = await self._account(author_id)
        account_id = _id(account.get("id"))
        seen: dict[str, dict[str, Any]] = {}
        max_id = ""
        for page in range(MAX_STATUS_PAGES):
            params: dict[str, Any] = {
                "limit": FIRST_PAGE_WHEN_KNOWN if (watermark and page == 0) else STATUS_PAGE,
                "exclude_reblogs": "true",
            }
            if max_id:
                params["max_id"] = max_id
            response = await self._request(
                base,
                f"/api/v1/accounts/{account_id}/statuses",
                params,
                etag=etag if page == 0 else "",
            )
            if response.not_modified:
                return scan
            if page == 0:
                scan.etag = response.etag
            items = response.json()
            if not isinstance(items, list):
                raise BadResponse(f"{urlsplit(base).netloc} sent statuses that are not a list")
            reached_known = False
            for status in items:
                if not isinstance(status, dict) or status.get("reblog"):
                    continue
                when = normalise_time(status.get("created_at"))
                if watermark and when <= watermark and not status.get("pinned"):
                    reached_known = True
                    continue
                scan.watermark = max(scan.watermark, when)
                if _id(status.get("id")):
                    seen[_id(status.get("id"))] = status
            max_id = _next_max_id(response.headers.get("link", ""))
            if reached_known or not max_id or not items:
                break

        statuses = _Statuses()
        for status in seen.values():
            statuses.add(status)
        # The tops of the author's chains in this window: among the self-replies and the
        # posts they answer, those that do not answer one of the author's posts in hand. One
        # pass, not a climb per post; a reply cycle has no top and is left out.
        candidates: set[str] = set()
        for status_id, status in seen.items():
            if _id(status.get("in_reply_to_account_id")) == account_id:
                candidates.add(status_id)
                parent = _id(status.get("in_reply_to_id"))
                if parent in statuses.by_id:
                    candidates.add(parent)
        roots = [
            status_id
            for status_id in candidates
            if _self_reply_to(statuses.by_id[status_id], account_id) not in statuses.by_id
        ]
        for top in sorted(roots):
            status = statuses.by_id[top]
            replying_to = _id(status.get("in_reply_to_id"))
            if not replying_to:
                chain = self._chain(top, account_id, statuses)
                if len(chain) > 1:
                    posts = tuple(parse_status(statuses.by_id[i], base) for i in chain)
                    author = parse_account(account, base)
                    scan.threads.append(Thread.from_posts("mastodon", author, posts, utc_now()))
                continue
            if _id(status.get("in_reply_to_account_id")) == account_id:
                # Its parent is the author's too, but older than the window: fetch it whole.
                scan.to_fetch.append(
                    Ref("mastodon", "post", author=author_id, post=f"{base}/{top}")
                )
        return scan


def _self_reply_to(status: dict[str, Any], account_id: str) -> str:
    """The ID of the status this one answers, when it answers its own author ("" if not)."""
    if _id(status.get("in_reply_to_account_id")) != account_id:
        return ""
    return _id(status.get("in_reply_to_id"))


def _home_of(status: dict[str, Any]) -> tuple[str, str] | None:
    """The author's home instance and the status's ID there, for a remote author."""
    account = status.get("account")
    if not isinstance(account, dict) or "@" not in _text(account.get("acct")):
        return None
    parts = urlsplit(_text(status.get("uri")))
    segments = [s for s in parts.path.split("/") if s]
    if (
        parts.scheme in ("http", "https")
        and len(segments) == 4
        and segments[0] == "users"
        and segments[2] == "statuses"
        and ID_RE.match(segments[3])
    ):
        return f"{parts.scheme}://{parts.netloc}", segments[3]
    return None


def _loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name == "localhost" or name.startswith("127.") or name == "[::1]"


def _next_max_id(link: str) -> str:
    """The ``max_id`` of the ``rel="next"`` page in a ``Link`` header."""
    for part in link.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            query = parse_qs(urlsplit(url.strip().strip("<>")).query)
            values = query.get("max_id")
            if values and ID_RE.match(values[0]):
                return values[0]
    return ""
