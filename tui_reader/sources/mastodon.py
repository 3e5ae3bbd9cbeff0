"""Mastodon through any instance's public API: resolve references, unroll and sync threads."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import msgspec
import orjson

from tui_reader.clean import clean_line, clean_text
from tui_reader.errors import (
    BadResponse,
    FetchError,
    NotFound,
    SourceUnavailable,
    Unauthorized,
)
from tui_reader.limits import MAX_MEDIA_PER_POST, MAX_VERSIONS
from tui_reader.models import (
    Author,
    AuthorRef,
    Media,
    Post,
    PostRef,
    Quote,
    Ref,
    Thread,
    Version,
)
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

#: 40 statuses a page (the API's most), 25 pages on an account's first sync.
FEED_LIMITS = FeedLimits(page_size=40, first_page_when_known=5, max_pages=25)
#: Context calls for one thread; each reaches 20 replies deeper.
MAX_CONTEXT_REQUESTS = 60
#: Statuses read from one context answer (anonymous Mastodon sends at most 100; Akkoma may
#: send a whole busy conversation), and the author's statuses kept for one thread.
MAX_CONTEXT_STATUSES = 10_000
MAX_KEPT_STATUSES = 20_000

USER_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")
HOST_RE = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?\Z")
ADDRESS_RE = re.compile(r"^@?([A-Za-z0-9_.-]{1,64})@([A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d{1,5})?)\Z")
#: Mastodon's own ``/@user/ID`` form has numeric IDs; requiring that there keeps other sites'
#: ``/@name/page`` (Medium, YouTube) out. Every other form's ID is opaque.
ID_RE = re.compile(r"^[0-9]{1,32}\Z")
#: Status and account IDs are opaque (numbers on Mastodon, ULIDs or flake IDs elsewhere), but
#: they go into request paths: only these characters are taken.
#: Letters, digits and ``_.~-``, but not only dots: "." and ".." would make a request's path
#: climb (``/api/v1/statuses/..`` is ``/api/v1/``).
OPAQUE_ID_RE = re.compile(r"^(?!\.{1,2}\Z)[A-Za-z0-9_.~-]{1,100}\Z")


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


def parse_account(account: dict[str, Any], base: str) -> Author:
    """A Mastodon account as an ``Author``, keyed by its full address ``user@host``."""
    acct = _text(account.get("acct"))
    host = urlsplit(base).netloc
    if "@" not in acct:
        acct = f"{acct}@{host}"
    user, _, domain = acct.partition("@")
    if not USER_RE.match(user) or not HOST_RE.match(domain):
        raise BadResponse(f"{host} sent an account whose address is not one")
    if domain.lower() != host.lower():
        # Another instance's account, as this server describes it: its address is all that
        # is taken. Its name and profile address come only from its home server, so a
        # server cannot rename (or re-link) an author who lives elsewhere.
        return Author(source="mastodon", id=acct.lower(), handle=acct)
    url = clean_line(_text(account.get("url")))
    return Author(
        source="mastodon",
        id=acct.lower(),
        handle=acct,
        display_name=clean_line(_text(account.get("display_name"))),
        url=url if urlsplit(url).scheme in ("http", "https") else "",
    )


def _media(status: dict[str, Any]) -> list[Media]:
    found: list[Media] = []
    attached = status.get("media_attachments")
    # Mastodon allows four; a hostile status may list any number: the first are kept.
    for item in attached[:MAX_MEDIA_PER_POST] if isinstance(attached, list) else []:
        if not isinstance(item, dict):
            continue
        kind = _text(item.get("type"))
        url = _text(item.get("url")) or _text(item.get("remote_url"))
        alt = _text(item.get("description"))
        if kind == "image":
            found.append(Media("image", url, alt))
        elif kind in ("video", "gifv"):
            found.append(Media("video", url, alt, preview=_text(item.get("preview_url"))))
        elif url:
            # Audio and unknown kinds: kept as a link, labelled, so nothing is lost.
            found.append(Media("link", url, f"{kind}: {alt}" if alt else kind))
    card = status.get("card")
    if isinstance(card, dict) and _text(card.get("url")):
        found.append(
            Media(
                "link",
                _text(card.get("url")),
                _text(card.get("title")),
                preview=_text(card.get("image")),
            )
        )
    return found


def parse_status(status: dict[str, Any], base: str) -> Post:
    """A Mastodon status as a ``Post``."""
    # The HTML reader loads with the first status: starting the reader does not need it.
    from tui_reader.sources.mastodon_html import content_to_text

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
                media=tuple(_media(inner)),
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
        edited_at=normalise_time(status.get("edited_at")) if status.get("edited_at") else "",
    )


def parse_history(body: bytes | bytearray, keep: int) -> tuple[list[Version], int]:
    """A status's edit history (``/api/v1/statuses/:id/history``: every version, oldest
    first, the last being the current text) as its earlier texts: the newest ``keep`` of
    them, and how many earlier ones were left out. Only those kept are read as HTML."""
    from tui_reader.sources.mastodon_html import content_to_text

    raw = _raw_list(body)
    if raw is None:
        raise BadResponse("the server sent an unusable edit history")
    earlier = raw[:-1]
    chosen = earlier[-keep:] if keep > 0 else []
    versions = []
    for entry in chosen:
        edit = _status_of(entry)
        if not isinstance(edit, dict):
            continue
        text, _ = content_to_text(_text(edit.get("content")))
        versions.append(
            Version(
                text,
                normalise_time(edit.get("created_at")) if edit.get("created_at") else "",
                _text(edit.get("spoiler_text")).strip(),
            )
        )
    return versions, len(earlier) - len(chosen)


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


class _Context(msgspec.Struct):
    """A context answer with its statuses left unparsed: each is parsed when it is read,
    and dropped at once when it is not the author's (a flood of others' replies is never
    held as objects, which take eight times the JSON's size)."""

    ancestors: list[msgspec.Raw] = []
    descendants: list[msgspec.Raw] = []


def _raw_list(body: bytes | bytearray) -> list[Any] | None:
    """A JSON array's items, unparsed where they can be; ``None`` when the body is not one.
    What msgspec refuses (a lone surrogate, which JSON allows) is read whole, as any JSON."""
    try:
        return msgspec.json.decode(body, type=list[msgspec.Raw])
    except (msgspec.DecodeError, RecursionError):
        data = _loads(body)
        return data if isinstance(data, list) else None


def _context(body: bytes | bytearray) -> tuple[list[Any], list[Any]] | None:
    """A context answer's ancestors and descendants, unparsed where they can be."""
    try:
        answer = msgspec.json.decode(body, type=_Context)
        return answer.ancestors, answer.descendants
    except (msgspec.DecodeError, RecursionError):
        data = _loads(body)
        if not isinstance(data, dict):
            return None
        above, below = data.get("ancestors"), data.get("descendants")
        return (above if isinstance(above, list) else [], below if isinstance(below, list) else [])


def _loads(data: bytes | bytearray | memoryview) -> Any:
    """JSON as orjson reads it, else as the standard library does; ``None`` if neither."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(bytes(data))
        except (ValueError, RecursionError):
            return None


def _status_of(raw: Any) -> Any:
    """One status, parsed now if it came unparsed."""
    return _loads(memoryview(raw)) if isinstance(raw, msgspec.Raw) else raw


@dataclass
class _Statuses:
    """Every status seen for one thread, by ID, with replies linked both ways."""

    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    #: Once known, only this account's statuses are kept: a context answer may carry any
    #: number of other people's replies, and none of them is part of the thread.
    author: str = ""

    def add(self, status: Any) -> None:
        if not isinstance(status, dict) or not _id(status.get("id")):
            return
        if self.author and _account_id(status) != self.author:
            return
        if len(self.by_id) >= MAX_KEPT_STATUSES:
            return
        status_id = _id(status["id"])
        if status_id in self.by_id:
            return
        self.by_id[status_id] = status
        parent = _id(status.get("in_reply_to_id"))
        if parent:
            self.children.setdefault(parent, []).append(status_id)

    def account_of(self, status_id: str) -> str:
        """The ID of the account that wrote a status in hand ("" if none)."""
        return _account_id(self.by_id.get(status_id, {}))


def _account_id(status: dict[str, Any]) -> str:
    account = status.get("account")
    return _id(account.get("id")) if isinstance(account, dict) else ""


def _acct(user: str, host: str) -> str:
    """``user`` (or ``user@other``) as a full address on ``host``; "" if it cannot be one."""
    acct = user if "@" in user else f"{user}@{host}"
    name, _, domain = acct.partition("@")
    return acct if USER_RE.match(name) and HOST_RE.match(domain) else ""


def _status_at(host: str, segments: list[str]) -> tuple[str, str] | None:
    """The author's address (or "" when the form names none) and the status ID, for a
    status URL's path in the forms the servers that speak Mastodon's API publish:

    - ``/@user/ID`` and ``/@user@other/ID`` (Mastodon and its forks: glitch-soc, Hometown)
    - ``/@user/statuses/ID`` (GoToSocial, whose IDs are ULIDs)
    - ``/users/user/statuses/ID`` (the ActivityPub form of Mastodon and GoToSocial)
    - ``/notice/ID`` (Pleroma and Akkoma, whose IDs are flake IDs)
    """
    if len(segments) == 2 and segments[0] == "notice":
        return ("", segments[1]) if OPAQUE_ID_RE.match(segments[1]) else None
    if segments and segments[0].startswith("@"):
        acct = _acct(segments[0][1:], host)
        if not acct:
            return None
        if len(segments) == 2 and ID_RE.match(segments[1]):
            return acct, segments[1]
        if len(segments) == 3 and segments[1] == "statuses" and OPAQUE_ID_RE.match(segments[2]):
            return acct, segments[2]
        return None
    if (
        len(segments) == 4
        and segments[0] == "users"
        and segments[2] == "statuses"
        and USER_RE.match(segments[1])
        and OPAQUE_ID_RE.match(segments[3])
    ):
        return f"{segments[1]}@{host}", segments[3]
    return None


def _author_ref(acct: str, base: str) -> AuthorRef:
    """An account by its address ``user@host``, which is its library ID."""
    return AuthorRef("mastodon", acct.lower(), stable=True, home=base)


def _status_ref(acct: str, base: str, status_id: str) -> PostRef:
    """A status on the author's own instance; its library key is the ActivityPub URI
    Mastodon gives it there."""
    user = acct.partition("@")[0].lower()
    return PostRef(
        "mastodon",
        _author_ref(acct, base),
        status_id,
        key=f"{base}/users/{user}/statuses/{status_id}",
    )


class MastodonSource(Source):
    """Reads threads from any Mastodon instance's public API, without logging in."""

    @classmethod
    def is_author_id(cls, author_id: str) -> bool:
        """An address ``user@host`` in lower case."""
        user, at, host = author_id.partition("@")
        return (
            bool(at)
            and author_id == author_id.lower()
            and bool(USER_RE.match(user))
            and bool(HOST_RE.match(host))
        )

    name = "mastodon"
    any_host = True
    dates_edits = True
    examples = "a status or profile URL on any instance, an address (@user@instance)"

    @classmethod
    def feed_url(cls, author: Author) -> str:
        """The instance's RSS feed of the account, next to its profile page."""
        return author.url.rstrip("/") + ".rss" if author.url else ""

    # References -------------------------------------------------------------------------

    def resolve(self, text: str) -> Ref | None:
        """Recognise status URLs, profile URLs and ``@user@instance`` addresses."""
        text = text.strip()
        address = ADDRESS_RE.match(text)
        if address:
            user, host = address.group(1), address.group(2)
            return _author_ref(f"{user}@{host}", f"https://{host}")
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        parts.port  # noqa: B018 - raises ValueError (a bad REF) for a port out of range
        if not HOST_RE.match(parts.netloc):
            return None
        base = f"{parts.scheme}://{parts.netloc}"
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if segments[:2] == ["web", "statuses"]:
            segments = ["notice", *segments[2:]]  # Mastodon's old web app: no author named
        elif segments[:1] == ["web"]:
            segments = segments[1:]  # /web/@user/ID
        # https://host/@user and https://host/@user@other: a profile
        if len(segments) == 1 and segments[0].startswith("@"):
            acct = _acct(segments[0][1:], parts.netloc)
            return _author_ref(acct, base) if acct else None
        # https://host/users/user: the ActivityPub actor (Mastodon, GoToSocial, Akkoma)
        if len(segments) == 2 and segments[0] == "users" and USER_RE.match(segments[1]):
            return _author_ref(f"{segments[1]}@{parts.netloc}", base)
        found = _status_at(parts.netloc, segments)
        if found is None:
            return None
        user, status_id = found
        if not user:
            # /notice/ID names no author: who wrote it is learnt when it is fetched.
            return PostRef("mastodon", AuthorRef("mastodon", home=base), status_id)
        return _status_ref(user, base, status_id)

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
            said = f": {error.detail}" if error.detail else ""
            raise Unauthorized(
                f"{host} does not let anonymous readers use its API (HTTP {error.status}{said}); "
                "open the post on a server that lets you read it, or in a browser",
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
        answered = _text(data.get("acct"))
        if answered.lower() not in (user.lower(), f"{user}@{host}".lower()):
            raise BadResponse(
                f"{host} answered for {user} with another account ({clean_line(answered)[:80]})"
            )
        return base, data

    async def profile(self, author: str) -> Author:
        """Look up an account by its address ``user@host``."""
        base, account = await self._account(author)
        return parse_account(account, base)

    # Threads ----------------------------------------------------------------------------

    async def thread(self, ref: PostRef) -> Thread:
        """Unroll the author's chain that contains the status ``ref`` names, from its root."""
        base, start = ref.author.home, ref.locator
        statuses = _Statuses()
        first = await self._get(base, f"/api/v1/statuses/{start}")
        if not isinstance(first, dict) or not _id(first.get("id")):
            raise BadResponse(f"{urlsplit(base).netloc} sent an unusable status")
        home = _home_of(first)
        through = ""
        if home is not None and home[0] != base and may_follow_home(base, home[0]):
            # A remote author's thread is whole only on their own instance; when that cannot
            # be read, the copy the first server serves is read instead, and that is said.
            try:
                at_home = await self._get(home[0], f"/api/v1/statuses/{home[1]}")
            except (SourceUnavailable, Unauthorized) as error:
                why = (
                    "refuses anonymous reading"
                    if isinstance(error, Unauthorized)
                    else "did not answer"
                )
                through = f"read through {urlsplit(base).netloc}; {urlsplit(home[0]).netloc} {why}"
            else:
                if not isinstance(at_home, dict) or not _id(at_home.get("id")):
                    raise BadResponse(f"{urlsplit(home[0]).netloc} sent an unusable status")
                (base, start), first = home, at_home
        statuses.add(first)
        author_id = statuses.account_of(start)
        statuses.author = author_id
        requests = 1
        context_of: set[str] = set()

        async def context(status_id: str) -> None:
            nonlocal requests
            if status_id in context_of or requests >= MAX_CONTEXT_REQUESTS:
                return
            context_of.add(status_id)
            requests += 1
            response = await self._request(base, f"/api/v1/statuses/{status_id}/context")
            answer = _context(response.body)
            if answer is None:
                raise BadResponse(f"{urlsplit(base).netloc} sent an unusable thread context")
            for listed in answer:
                for raw in listed[:MAX_CONTEXT_STATUSES]:
                    statuses.add(_status_of(raw))

        async def ask_above(status_id: str, parent: str) -> bool:
            # Context reaches 40 ancestors up: a long chain needs asking again higher up.
            await context(status_id)
            return parent in statuses.by_id

        async def complete(status_id: str) -> bool:
            # Context reaches 20 replies down: ask again from a post that shows none.
            if not self._own_replies(status_id, author_id, statuses):
                await context(status_id)
            return True

        await context(start)
        root = await climb(
            start,
            lambda status_id: _self_reply_to(statuses.by_id[status_id], author_id),
            lambda status_id: status_id in statuses.by_id,
            ask_above,
        )
        if root != start:
            await context(root)
        chain = await walk_down(
            root,
            lambda status_id: self._own_replies(status_id, author_id, statuses),
            lambda status_id: _sort_key(statuses.by_id[status_id]),
            complete,
        )
        posts = tuple(parse_status(statuses.by_id[i], base) for i in chain)
        account = statuses.by_id[root].get("account")
        author = parse_account(account if isinstance(account, dict) else {}, base)
        thread = Thread.from_posts("mastodon", author, posts, utc_now())
        note = cut_note(
            chain,
            goes_on=bool(self._own_replies(chain[-1], author_id, statuses)),
            starts_earlier=bool(_self_reply_to(statuses.by_id[root], author_id)),
        )
        note = "; ".join(filter(None, (through, note)))
        return replace(thread, ends_early=note) if note else thread

    async def earlier_versions(self, post: Post) -> tuple[list[Version], int]:
        """The status's edit history: its newest ``MAX_VERSIONS`` earlier texts (a server may
        keep thousands), and how many more it had."""
        ref = self.resolve(post.url)
        if not isinstance(ref, PostRef) or not ref.author.home:
            return [], 0
        response = await self._request(ref.author.home, f"/api/v1/statuses/{ref.locator}/history")
        return parse_history(response.body, MAX_VERSIONS)

    async def still_the_same(self, thread: Thread, tag: str) -> tuple[bool, str]:
        """One request: the context of the thread's last post (new replies below it, edits
        above it), asked with the validator the last check kept; the same answer as then
        (a 304, or the same bytes from a server without validators) is no change."""
        last = next((post for post in reversed(thread.posts) if not post.deleted), None)
        ref = self.resolve(last.url) if last is not None else None
        if (
            not isinstance(ref, PostRef)
            or not ref.author.home
            or not OPAQUE_ID_RE.match(ref.locator)
        ):
            return False, tag
        etag = tag.removeprefix("etag:") if tag.startswith("etag:") else ""
        response = await self._request(
            ref.author.home, f"/api/v1/statuses/{ref.locator}/context", etag=etag
        )
        if response.not_modified:
            return bool(tag), tag
        if response.etag:
            fresh = f"etag:{response.etag}"
        else:
            fresh = "sha256:" + hashlib.sha256(response.body).hexdigest()
        return fresh == tag, fresh

    @staticmethod
    def _own_replies(status_id: str, author_id: str, statuses: _Statuses) -> list[str]:
        return [
            child
            for child in statuses.children.get(status_id, [])
            if statuses.account_of(child) == author_id
        ]

    # Sync -------------------------------------------------------------------------------

    async def author_threads(
        self, author_id: str, *, watermark: str = "", etag: str = ""
    ) -> AuthorScan:
        """The author's threads since ``watermark``, from their statuses, newest first."""
        base, account = await self._account(author_id)
        account_id = _id(account.get("id"))

        async def read_page(max_id: str, limit: int, etag: str) -> FeedPage:
            params: dict[str, Any] = {"limit": limit, "exclude_reblogs": "true"}
            if max_id:
                params["max_id"] = max_id
            response = await self._request(
                base, f"/api/v1/accounts/{account_id}/statuses", params, etag=etag
            )
            if response.not_modified:
                return FeedPage([], 0, not_modified=True)
            raws = _raw_list(response.body)
            if raws is None:
                raise BadResponse(f"{urlsplit(base).netloc} sent statuses that are not a list")
            if len(raws) > limit:
                # A page holds what was asked for; one with more is a flood, refused before
                # any status of it is parsed.
                raise BadResponse(
                    f"{urlsplit(base).netloc} sent {len(raws):,} statuses for a page of "
                    f"{limit}; refusing it"
                )
            statuses = [_status_of(raw) for raw in raws]
            items = [
                item for status in statuses if (item := _feed_item(status, account_id)) is not None
            ]
            return FeedPage(
                items, len(statuses), _next_max_id(response.headers.get("link", "")), response.etag
            )

        author = parse_account(account, base)
        fetched_at = utc_now()  # one time for the scan: every thread in it was fetched in it

        def thread_of(chain: list[FeedItem]) -> Thread:
            posts = tuple(parse_status(item.data, base) for item in chain)
            return Thread.from_posts("mastodon", author, posts, fetched_at)

        return await scan_author(
            read_page,
            FEED_LIMITS,
            watermark=watermark,
            etag=etag,
            thread_of=thread_of,
            ref_of=lambda item: _status_ref(author_id, base, item.id),
        )


def _feed_item(status: object, account_id: str) -> FeedItem | None:
    """One of the account's statuses as a :class:`FeedItem` (``None`` for a boost)."""
    if not isinstance(status, dict) or status.get("reblog") or not _id(status.get("id")):
        return None
    answers = _id(status.get("in_reply_to_id"))
    own_parent = _self_reply_to(status, account_id)
    return FeedItem(
        id=_id(status["id"]),
        when=normalise_time(status.get("created_at")),
        order=partial(_sort_key, status),
        parent=own_parent,
        answers_other=bool(answers) and not own_parent,
        pinned=bool(status.get("pinned")),
        data=status,
    )


def _self_reply_to(status: dict[str, Any], account_id: str) -> str:
    """The ID of the status this one answers, when it answers its own author ("" if not)."""
    if _id(status.get("in_reply_to_account_id")) != account_id:
        return ""
    return _id(status.get("in_reply_to_id"))


def _home_of(status: dict[str, Any]) -> tuple[str, str] | None:
    """The author's home instance and the status's ID there, for a remote author: from its
    ActivityPub ``uri`` when that has an ID in it, else from its web ``url`` (Akkoma's URIs
    are ``/objects/UUID``; its web addresses are ``/notice/ID``)."""
    account = status.get("account")
    if not isinstance(account, dict) or "@" not in _text(account.get("acct")):
        return None
    for field_name in ("uri", "url"):
        parts = urlsplit(_text(status.get(field_name)))
        if parts.scheme not in ("http", "https") or not HOST_RE.match(parts.netloc):
            continue
        found = _status_at(parts.netloc, [unquote(s) for s in parts.path.split("/") if s])
        if found is not None:
            return f"{parts.scheme}://{parts.netloc}", found[1]
    return None


def may_follow_home(base: str, home: str) -> bool:
    """Whether a status read on ``base`` may send us to the author's ``home`` server: a host
    the user did not name passes a redirect's checks, so never from https down to http."""
    return not (urlsplit(base).scheme == "https" and urlsplit(home).scheme != "https")


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
            if values and OPAQUE_ID_RE.match(values[0]):
                return values[0]
    return ""
