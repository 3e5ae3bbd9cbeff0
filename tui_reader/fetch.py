"""The only place that speaks HTTP: one shared client with limits, retries and typed errors.

The client is httpx's (its connection pool, shared by every request). Only plain GETs are
made, redirects are followed and checked by hand, header bytes are read raw, and bodies are
read raw and decoded here in bounded steps, so the client's own features do not matter.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import json
import random
import re
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import h11
import httpx
import orjson

from tui_reader import __version__
from tui_reader.clean import clean_line
from tui_reader.errors import (
    BadResponse,
    FetchError,
    NotFound,
    Offline,
    RateLimited,
    SourceUnavailable,
    Unauthorized,
)
from tui_reader.http_rules import (
    Decoder,
    host_of,
    redirect_target,
    shortened,
    too_big,
    with_params,
)
from tui_reader.limits import BIG_ANSWER_BYTES, current_action

USER_AGENT = f"tui-reader/{__version__} (+https://pypi.org/project/tui-reader/)"
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5
#: All of an answer's header lines together; what is past it cannot be a real answer.
MAX_HEADER_BYTES = 16 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ValidatorCache(Protocol):
    """Where revalidated responses are kept (the library implements it)."""

    def cached_response(self, url: str) -> tuple[str, str, bytes] | None:
        """The ETag, Last-Modified and body last fetched from ``url``."""
        ...

    def cache_response(
        self, url: str, etag: str, last_modified: str, body: bytes | bytearray
    ) -> None:
        """Keep a response that came with validators."""
        ...


@dataclass
class FetchStats:
    """What the fetcher has done so far: requests sent."""

    requests: int = 0


@dataclass(frozen=True)
class Response:
    """A successful response, already read in full."""

    url: str
    status: int
    headers: Mapping[str, str]
    #: As read (a bytearray from the network: copying it into bytes would hold it twice).
    body: bytes | bytearray

    def json(self) -> Any:
        """The body parsed as JSON, or ``BadResponse`` naming the host."""
        try:
            return parse_json(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadResponse(
                f"{host_of(self.url)} sent a response that is not valid JSON", status=self.status
            ) from None

    @property
    def not_modified(self) -> bool:
        """The server said our copy (named by its ETag) is still current."""
        return self.status == 304

    @property
    def etag(self) -> str:
        """The validator to send back next time, if the server gave one that can be sent
        back at all (see :func:`sendable`)."""
        return sendable(self.headers.get("etag", ""))

    def text(self) -> str:
        """The body decoded as text (UTF-8 unless the server says otherwise)."""
        charset = "utf-8"
        content_type = self.headers.get("content-type", "")
        for part in content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except (LookupError, UnicodeError):
            # An unknown charset, or a codec that is not one for text (idna).
            return self.body.decode("utf-8", errors="replace")


def parse_json(body: bytes | bytearray) -> Any:
    """``body`` parsed as JSON. orjson reads it (in a third of the time: a sync parses every
    post this way); what it refuses is read again by the standard library, which decides:
    lone surrogates, UTF-16 and NaN are JSON it accepts, and its errors are the ones
    ``Response.json`` reports. One difference stays: a whole number past 64 bits comes back
    as a float. No source sends one (IDs are strings, or 64-bit numbers on old Mastodon
    servers), and where one is checked (``mastodon._id``) a float is refused as garbage."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def sendable(value: str) -> str:
    """``value`` if it can go back to a server as a header value (visible ASCII and spaces,
    at most 1,024 characters), else "". A validator a server sent with a control byte in it
    would otherwise be kept, and fail every later request for that author."""
    if len(value) > 1024 or not value.isascii():
        return ""
    if any(char < " " and char != "\t" or char == "\x7f" for char in value):
        return ""
    return value.strip()


#: What the socket layer's words mean, for people: the start of the error, and ours.
TRANSPORT_REASONS = (
    ("connection refused", "connection refused (is the server running?)"),
    ("name or service not known", "no such host"),
    ("nodename nor servname", "no such host"),
    ("temporary failure in name resolution", "cannot look up the host (no network?)"),
    ("no address associated", "no such host"),
    ("network is unreachable", "network unreachable"),
    ("no route to host", "no route to the host"),
    ("connection reset", "the connection was cut"),
    ("certificate verify failed", "its TLS certificate is not valid"),
    ("server disconnected", "the server hung up"),
)


def transport_reason(error: BaseException) -> str:
    """Why a connection failed, in words, without ``[Errno 111]`` and library names."""
    # The client wraps the socket's error ("Cannot connect to host"): the cause, deeper
    # in the chain, says more, so it is asked first.
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for link in reversed(chain):
        if isinstance(link, ConnectionRefusedError):
            return "connection refused (is the server running?)"
        if isinstance(link, ConnectionResetError):
            return "the connection was cut"
        if isinstance(link, OSError) and link.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable"
        lowered = str(link).lower()
        for words, reason in TRANSPORT_REASONS:
            if words in lowered:
                return reason
    text = re.sub(r"\[Errno -?\d+\]\s*", "", str(error)).strip()
    return shortened(text or type(error).__name__, 120)


def _failure(host: str, error: Exception) -> FetchError:
    """What a request that failed below HTTP's statuses means, in words."""
    if isinstance(error, httpx.ProxyError):
        return SourceUnavailable(
            f"cannot reach {host}: the proxy refused ({transport_reason(error)})"
        )
    if isinstance(error, _CutShort):
        return SourceUnavailable(f"{host} cut its answer short; try again later")
    if isinstance(error, _Unreadable):
        # The parser refused the answer: a bad status line, a header too long.
        return BadResponse(f"{host} sent an answer that cannot be read as HTTP")
    return SourceUnavailable(f"cannot reach {host}: {transport_reason(error)}")


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the server asked us to wait, from ``Retry-After`` or rate-limit headers."""
    now = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        # ASCII digits only: "²".isdigit() is true, and float() then fails.
        if re.fullmatch(r"[0-9]{1,10}", value):
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - now)
    # Bluesky and Mastodon say when the window resets instead (epoch seconds or a date).
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        reset = headers.get(name)
        if not reset:
            continue
        reset = reset.strip()
        if re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,6})?", reset):
            return max(0.0, float(reset) - now)
        try:
            stamp = datetime.fromisoformat(reset.replace("Z", "+00:00")).timestamp()
            return max(0.0, stamp - now)
        except ValueError:
            continue
    return None


def _error_detail(body: bytes | bytearray) -> tuple[str, str]:
    """A server's own error code and message, from the JSON bodies Bluesky and Mastodon send."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code = data.get("error")
    message = data.get("message") or data.get("error_description") or ""
    if isinstance(code, str) and not message and " " in code:
        # Mastodon puts its human-readable message in "error".
        return "", shortened(code)
    return (clean_line(code) if isinstance(code, str) else ""), shortened(str(message))


def replay_key(url: str) -> str:
    """How a recorded request is looked up: the URL with its query sorted."""
    parts = urlsplit(url)
    pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
    query = "&".join(f"{key}={value}" for key, value in pairs)
    return f"{parts.scheme}://{parts.hostname}{parts.path}?{query}"


class _Answer:
    """A response's status and headers, with its body still to be read as sent."""

    def __init__(
        self,
        url: str,
        status: int,
        headers: Iterable[tuple[str, str]],
        chunks: AsyncIterator[bytes],
        release: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.url = url
        self.status = status
        #: Names in lower case; a name sent more than once has its values joined by commas.
        self.headers: dict[str, str] = {}
        for name, value in headers:
            name = name.lower()
            known = self.headers.get(name)
            self.headers[name] = value if known is None else f"{known}, {value}"
        self.chunks = chunks
        self._release = release

    async def release(self) -> None:
        """Give the connection back (or close it, when the body was not read to its end)."""
        if self._release is not None:
            await self._release()


class _Unreadable(Exception):
    """An answer that cannot be read as HTTP (raised below the client's own errors)."""


def _header_text(raw: bytes) -> str:
    """A header's bytes as text. httpx would read them as Latin-1, turning a UTF-8 name
    into mojibake; bytes that are not UTF-8 are replaced, as in any text from a server
    (and lone surrogates, which SQLite refuses when an ETag is kept, never appear)."""
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def _parser_error(error: BaseException) -> h11.RemoteProtocolError | None:
    """h11's own protocol error somewhere in ``error``'s chain: the HTTP parser refused what
    the server sent, or saw the connection end early."""
    current: BaseException | None = error
    for _ in range(10):
        if current is None:
            return None
        if isinstance(current, h11.RemoteProtocolError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _ended_early(error: h11.RemoteProtocolError) -> bool:
    """Whether h11 raised ``error`` because the connection closed inside a body (its readers'
    ``read_eof``), not because the bytes were not HTTP. httpx raises one exception type for
    both, and neither its message nor h11's is a contract; where h11 raised it is."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return trace is not None and trace.tb_frame.f_code.co_name == "read_eof"


class _Network:
    """GET requests over the network through httpx: one connection pool (an
    ``httpx.AsyncHTTPTransport``) for direct requests and one per proxy the environment
    names, made on first use (they belong to the event loop running then).

    The transport is asked directly rather than through an ``AsyncClient``: only plain GETs
    are made, redirects are followed and checked by hand (the client parses a redirect's
    ``Location`` even when told not to follow it, and fails on a bad one before we can say
    why), no cookies are kept (the client has no setting for that), and proxies are read once
    from the environment (``_proxy_for``)."""

    def __init__(self, *, max_connections: int, user_agent: str) -> None:
        self.max_connections = max_connections
        self.user_agent = user_agent
        self._pools: dict[str | None, httpx.AsyncHTTPTransport] = {}
        self._environment: dict[str, str] | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _pool_for(self, proxy: str | None) -> httpx.AsyncHTTPTransport:
        pool = self._pools.get(proxy)
        if pool is None:
            try:
                pool = httpx.AsyncHTTPTransport(
                    limits=httpx.Limits(max_connections=self.max_connections),
                    trust_env=False,
                    proxy=proxy,
                )
            except ImportError:
                # httpx speaks SOCKS only with socksio installed.
                raise SourceUnavailable(
                    f"the proxy {shortened(proxy or '', 80)} is a SOCKS proxy: install "
                    "tui-reader[socks] to use it"
                ) from None
            except (ValueError, httpx.InvalidURL):
                named = shortened(proxy or "", 80)
                raise SourceUnavailable(
                    f"the proxy the environment names is not an address: {named}"
                ) from None
            self._pools[proxy] = pool
        return pool

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for ``url`` (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
        NO_PROXY, as curl and httpx read them), looked up once per scheme and host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxies:
            if self._environment is None:
                self._environment = urllib.request.getproxies()
            proxy = self._environment.get(parts.scheme) or self._environment.get("all")
            if proxy and urllib.request.proxy_bypass(parts.netloc):
                proxy = None
            self._proxies[key] = proxy or None
        return self._proxies[key]

    async def open(self, url: str, headers: Mapping[str, str]) -> _Answer:
        """Send a GET and read as far as the headers."""
        pool = self._pool_for(self._proxy_for(url))
        request = httpx.Request(
            "GET",
            url,
            headers={
                "user-agent": self.user_agent,
                "accept-encoding": "gzip, deflate",
                **headers,
            },
        )
        try:
            response = await pool.handle_async_request(request)
        except httpx.RemoteProtocolError as error:
            cause = _parser_error(error)
            if cause is not None and not _ended_early(cause):
                raise _Unreadable from None
            raise
        raw = response.headers.raw
        if sum(len(name) + len(value) for name, value in raw) > MAX_HEADER_BYTES:
            # httpcore accepts 100 KiB of headers; no source sends a tenth of our limit.
            await response.aclose()
            raise _Unreadable
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        return _Answer(
            str(request.url),
            response.status_code,
            [(_header_text(name), _header_text(value)) for name, value in raw],
            _body_of(stream),
            response.aclose,
        )

    async def aclose(self) -> None:
        """Close the connections."""
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            await pool.aclose()


async def _body_of(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    """A body's raw chunks; the answer ending early, or garbled, as our own errors."""
    try:
        async for chunk in stream:
            yield chunk
    except httpx.RemoteProtocolError as error:
        cause = _parser_error(error)
        if cause is not None and not _ended_early(cause):
            raise _Unreadable from None
        raise _CutShort from None
    except httpx.ReadError:
        raise _CutShort from None


class _CutShort(Exception):
    """The connection ended before the whole body came."""


class _Replay:
    """Answers from recorded responses (the demo uses it): the rest of the stack, retries
    and parsers included, runs as it does over the network."""

    def __init__(self, recordings: Mapping[str, tuple[int, dict[str, str], bytes]]) -> None:
        self.recordings = recordings

    async def open(self, url: str, headers: Mapping[str, str]) -> _Answer:
        """The recorded answer to a GET of ``url`` (404 if none was recorded)."""
        recorded = self.recordings.get(replay_key(url))
        if recorded is None:
            missing = b'{"error": "NotFound", "message": "not recorded"}'
            recorded = (404, {"content-type": "application/json"}, missing)
        status, recorded_headers, body = recorded
        return _Answer(url, status, recorded_headers.items(), _chunks_of(body))

    async def aclose(self) -> None:
        """Nothing to close."""


async def _chunks_of(body: bytes) -> AsyncIterator[bytes]:
    yield body


class Fetcher:
    """One shared HTTP client (httpx's connection pool) with per-host limits, retries, a size
    cap and an
    offline switch. Use it as an async context manager, or call :meth:`aclose`.
    """

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_connections: int = 8,
        per_host: int = 4,
        offline: bool = False,
        max_bytes: int = MAX_RESPONSE_BYTES,
        attempts: int = 4,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        cache: ValidatorCache | None = None,
        replay: Mapping[str, tuple[int, dict[str, str], bytes]] | None = None,
    ) -> None:
        self.timeout = timeout
        self.offline = offline
        self.max_bytes = max_bytes
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.per_host = max(1, per_host)
        self.stats = FetchStats()
        self._sleep = sleep
        self._host_limits: dict[str, asyncio.Semaphore] = {}
        self._host_sizes: dict[str, int] = {}
        self._gate: asyncio.Lock | None = None
        self.cache = cache
        self._wire: _Network | _Replay = (
            _Replay(replay)
            if replay is not None
            else _Network(max_connections=max_connections, user_agent=user_agent)
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._wire.aclose()

    def set_host_limit(self, host: str, requests: int) -> None:
        """Allow at most ``requests`` at a time to ``host`` (a small site asks for one)."""
        self._host_sizes[host] = max(1, requests)
        self._host_limits.pop(host, None)

    def _limit_for(self, host: str) -> asyncio.Semaphore:
        if host not in self._host_limits:
            size = self._host_sizes.get(host, self.per_host)
            self._host_limits[host] = asyncio.Semaphore(size)
        return self._host_limits[host]

    async def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``url`` and parse the answer as JSON; a big one in a thread, so the reader
        keeps drawing and taking keys (escape) while it is read."""
        response = await self.get(url, params, accept="application/json")
        if len(response.body) > BIG_ANSWER_BYTES:
            return await asyncio.to_thread(response.json)
        return response.json()

    async def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        accept: str = "*/*",
        etag: str = "",
        headers: Mapping[str, str] | None = None,
        revalidate: bool = False,
        max_bytes: int = 0,
    ) -> Response:
        """GET ``url``, retrying what is worth retrying; raise a ``FetchError`` otherwise.

        ``max_bytes`` caps this answer's body (decoded) below the fetcher's own cap.

        With ``etag``, the server may answer 304 (``Response.not_modified``) with no body.
        With ``revalidate`` and a cache, a page fetched before is asked for with its
        validators, and a 304 answers with the kept copy.
        """
        cached = None
        key = with_params(url, params) if revalidate else ""
        extra = dict(headers or {})
        if revalidate and self.cache is not None and not self.offline:
            cached = self.cache.cached_response(key)
            if cached is not None:
                if sendable(cached[0]):
                    extra["if-none-match"] = sendable(cached[0])
                if sendable(cached[1]):
                    extra["if-modified-since"] = sendable(cached[1])
        response = await self._get_with_retries(url, params, accept, etag, extra, max_bytes)
        if cached is not None and response.not_modified:
            return Response(response.url, 200, response.headers, cached[2])
        if revalidate and self.cache is not None and response.status == 200:
            validator = response.etag
            modified = sendable(response.headers.get("last-modified", ""))
            if validator or modified:
                self.cache.cache_response(key, validator, modified, response.body)
        return response

    async def _get_with_retries(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        accept: str,
        etag: str,
        headers: dict[str, str],
        max_bytes: int = 0,
    ) -> Response:
        host = host_of(url)
        if urlsplit(url).scheme not in ("http", "https"):
            raise BadResponse(f"refusing to fetch {shortened(url)}: only http and https are used")
        if self.offline:
            raise Offline(f"offline: {host} was not contacted")
        try:
            urlsplit(url).port  # noqa: B018 - a port past 65535, or not a number, raises here
        except ValueError:
            raise BadResponse(f"cannot fetch {shortened(url)}: it is not a web address") from None
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                async with self._limit_for(host):
                    # One deadline for the whole answer: a server dripping a byte at a time
                    # gets no longer than a silent one.
                    async with asyncio.timeout(self.timeout) as deadline:
                        response = await self._send(
                            url, params, accept, etag, headers, deadline, max_bytes
                        )
            except TimeoutError:
                # Not retried: a server that did not answer in time would only be waited for
                # again, and the message would no longer be true.
                raise SourceUnavailable(
                    f"{host} did not answer within {self.timeout:g} s"
                ) from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError):
                raise BadResponse(
                    f"cannot fetch {shortened(url)}: it is not a web address"
                ) from None
            except (httpx.TransportError, _Unreadable, _CutShort) as error:
                # Refused, reset, cut short, garbled: worth another try.
                if last:
                    raise _failure(host, error) from None
            else:
                if response.status < 400:
                    return response
                wait = retry_after_seconds(response.headers)
                if response.status not in RETRY_STATUSES or last:
                    raise self._error_for(response, wait)
                if wait is not None and wait > self.max_wait:
                    raise self._error_for(response, wait)
                if wait is not None:
                    await self._sleep(wait)
                    continue
            # Full jitter: many clients retrying in step would hit the server together.
            await self._sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, self.max_wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        accept: str,
        etag: str,
        extra: dict[str, str],
        deadline: asyncio.Timeout,
        max_bytes: int = 0,
    ) -> Response:
        headers = {"accept": accept, **extra}
        if sendable(etag):
            # One kept before validators were checked is left out, not sent to fail.
            headers["if-none-match"] = sendable(etag)
        target = with_params(url, params)
        for _hop in range(MAX_REDIRECTS + 1):
            self.stats.requests += 1
            answer = await self._wire.open(target, headers)
            try:
                if answer.status in REDIRECTS and "location" in answer.headers:
                    target = redirect_target(target, answer.headers["location"])
                    continue
                body = await self._read_body(target, answer, deadline, max_bytes)
            finally:
                await answer.release()
            return Response(url=answer.url, status=answer.status, headers=answer.headers, body=body)
        raise BadResponse(f"{host_of(url)} redirected more than {MAX_REDIRECTS} times; giving up")

    async def _read_body(
        self, url: str, answer: _Answer, deadline: asyncio.Timeout, max_bytes: int = 0
    ) -> bytes | bytearray:
        """The body, decoded by us and in bounded steps, so that no coding can inflate it
        past the cap (a client decoding each chunk whole would hold a gzip bomb in memory).

        What it decodes counts against the action's budget (``limits.current_action``), and
        a body past ``BIG_ANSWER_BYTES`` is read by one request at a time: eight authors
        syncing at once cannot each hold a 32 MB answer and its parse."""
        cap = min(max_bytes, self.max_bytes) if max_bytes else self.max_bytes
        declared = answer.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            raise too_big(url, cap)
        budget = current_action.get()
        decoder = Decoder(url, answer.headers.get("content-encoding", ""), cap)
        received = 0
        gated = False
        try:
            async for chunk in answer.chunks:
                received += len(chunk)
                if received > cap:
                    raise too_big(url, cap)
                decoder.feed(chunk)
                if budget is not None and budget.read + decoder.size > budget.limit:
                    raise BadResponse(budget.spent_message())
                if not gated and decoder.size > BIG_ANSWER_BYTES:
                    await self._enter_gate(deadline)
                    gated = True
            body = decoder.finish()
            if budget is not None:
                budget.read += len(body)
                if budget.read > budget.limit:
                    raise BadResponse(budget.spent_message())
            return body
        finally:
            if gated:
                self._big_answers().release()

    def _big_answers(self) -> asyncio.Lock:
        # Made on first use: a lock belongs to the event loop running then.
        if self._gate is None:
            self._gate = asyncio.Lock()
        return self._gate

    async def _enter_gate(self, deadline: asyncio.Timeout) -> None:
        """Wait for the turn to read a big answer, with the request's deadline paused: the
        wait is for our own other requests, not for the server."""
        loop = asyncio.get_running_loop()
        when = deadline.when()
        remaining = None if when is None else when - loop.time()
        deadline.reschedule(None)
        try:
            await self._big_answers().acquire()
        finally:
            if remaining is not None:
                deadline.reschedule(loop.time() + remaining)

    def _error_for(self, response: Response, wait: float | None) -> FetchError:
        host = host_of(response.url)
        status = response.status
        code, message = _error_detail(response.body)
        said = f": {message}" if message else ""
        if status == 429:
            when = f"; try again in {wait:.0f} s" if wait is not None else "; try again later"
            return RateLimited(f"{host} is rate limiting requests{when}", status=status, code=code)
        if status in (401, 403):
            return Unauthorized(
                f"{host} refuses anonymous access (HTTP {status}){said}",
                status=status,
                code=code,
                detail=message,
            )
        if status in (404, 410):
            return NotFound(
                f"{host} has no such thing (HTTP {status}){said}", status=status, code=code
            )
        if status >= 500:
            return SourceUnavailable(
                f"{host} is having trouble (HTTP {status}); try again later",
                status=status,
                code=code,
            )
        return BadResponse(
            f"{host} rejected the request (HTTP {status}){said}", status=status, code=code
        )
