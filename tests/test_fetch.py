"""The fetch layer over real sockets: retries, rate limits, size cap, offline, typed errors."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from tests.server import FakeServer, Reply
from tui_reader.errors import (
    BadResponse,
    NotFound,
    Offline,
    RateLimited,
    SourceUnavailable,
    Unauthorized,
)
from tui_reader.fetch import Fetcher, retry_after_seconds


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    client = Fetcher(timeout=2.0, backoff=0.01, sleep=record_wait)
    client.waits = waits  # type: ignore[attr-defined]
    yield client
    await client.aclose()


async def test_json_comes_back(server: FakeServer, fetcher: Fetcher) -> None:
    server.json("/hello", {"ok": True})

    assert await fetcher.get_json(server.url + "/hello") == {"ok": True}
    assert fetcher.stats.requests == 1


async def test_server_errors_are_retried_then_succeed(server: FakeServer, fetcher: Fetcher) -> None:
    server.json("/flaky", {"ok": 1})
    server.fail("/flaky", Reply(503), Reply(502), Reply(fault="drop"))

    assert await fetcher.get_json(server.url + "/flaky") == {"ok": 1}
    assert len(server.requests_to("/flaky")) == 4


async def test_a_server_that_keeps_failing_is_reported(
    server: FakeServer, fetcher: Fetcher
) -> None:
    server.route("/down", lambda _r: Reply(500))

    with pytest.raises(SourceUnavailable, match=r"127\.0\.0\.1:\d+ is having trouble \(HTTP 500\)"):
        await fetcher.get_json(server.url + "/down")
    assert len(server.requests_to("/down")) == fetcher.attempts


async def test_retry_after_is_honoured(server: FakeServer, fetcher: Fetcher) -> None:
    server.json("/limited", {"ok": 1})
    server.fail("/limited", Reply.json({"error": "RateLimitExceeded"}, 429, {"retry-after": "3"}))

    assert await fetcher.get_json(server.url + "/limited") == {"ok": 1}
    assert fetcher.waits == [3.0]  # type: ignore[attr-defined]


async def test_a_long_rate_limit_is_not_waited_out(server: FakeServer, fetcher: Fetcher) -> None:
    server.route("/limited", lambda _r: Reply.json({}, 429, {"retry-after": "3600"}))

    with pytest.raises(RateLimited, match="try again in 3600 s"):
        await fetcher.get_json(server.url + "/limited")
    assert len(server.requests_to("/limited")) == 1


def test_rate_limit_reset_headers_count_as_retry_after() -> None:
    assert retry_after_seconds({"ratelimit-reset": "1010"}, now=1000.0) == 10.0
    assert (
        retry_after_seconds({"x-ratelimit-reset": "2024-01-01T00:00:10Z"}, now=1704067200.0) == 10.0
    )
    assert (
        retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0)
        == 10.0
    )
    assert retry_after_seconds({}) is None


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (404, NotFound, "no such thing"),
        (401, Unauthorized, "refuses anonymous access"),
        (400, BadResponse, "rejected the request"),
    ],
)
async def test_client_errors_are_typed_and_not_retried(
    server: FakeServer, fetcher: Fetcher, status: int, error: type[Exception], words: str
) -> None:
    server.route(
        "/x", lambda _r: Reply.json({"error": "Nope", "message": "it is not here"}, status)
    )

    with pytest.raises(error, match=words) as caught:
        await fetcher.get_json(server.url + "/x")
    assert "it is not here" in str(caught.value)
    assert len(server.requests_to("/x")) == 1


async def test_garbage_is_a_bad_response(server: FakeServer, fetcher: Fetcher) -> None:
    server.route("/garbage", lambda _r: Reply(200, b"<html>\x00\xff not json"))

    with pytest.raises(BadResponse, match="not valid JSON"):
        await fetcher.get_json(server.url + "/garbage")


async def test_a_response_over_the_cap_is_refused(server: FakeServer) -> None:
    server.route("/big", lambda _r: Reply(200, b"x" * 5000))
    async with Fetcher(max_bytes=1000) as small:
        with pytest.raises(BadResponse, match="sent more than"):
            await small.get(server.url + "/big")


async def test_a_slow_server_times_out(server: FakeServer) -> None:
    server.route("/slow", lambda _r: Reply(200, b"{}", delay=1.0))
    async with Fetcher(timeout=0.2, attempts=1) as impatient:
        with pytest.raises(SourceUnavailable, match="did not answer within 0.2 s"):
            await impatient.get(server.url + "/slow")


async def test_nothing_listening_is_unavailable(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceUnavailable) as caught:
        await fetcher.get(f"http://127.0.0.1:{port}/")
    # Words for people, not the socket layer's "[Errno 111] Connection refused".
    assert caught.value.message == (
        f"cannot reach 127.0.0.1:{port}: connection refused (is the server running?)"
    )


async def test_offline_sends_nothing(server: FakeServer) -> None:
    server.json("/hello", {"ok": True})
    async with Fetcher(offline=True) as offline:
        with pytest.raises(Offline, match="was not contacted"):
            await offline.get(server.url + "/hello")
    assert server.log == []


async def test_only_web_urls_are_fetched(fetcher: Fetcher) -> None:
    with pytest.raises(BadResponse, match="only http and https"):
        await fetcher.get("file:///etc/passwd")


def test_json_the_fast_parser_refuses_is_read_as_json_allows() -> None:
    from tui_reader.fetch import parse_json

    # orjson refuses these; the standard library's parser reads them, as it always did.
    assert parse_json(b'{"a": "\\ud800"}') == {"a": "\ud800"}
    assert parse_json(b"[18446744073709551615, -9223372036854775808]") == [2**64 - 1, -(2**63)]
    assert parse_json('{"a": 1}'.encode("utf-16")) == {"a": 1}
    with pytest.raises(ValueError):
        parse_json(b"{not json")


async def test_a_proxy_named_in_the_environment_is_used(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    server.json("/via", {"proxied": True})
    monkeypatch.setenv("HTTP_PROXY", server.url)
    async with Fetcher(attempts=1) as client:
        assert await client.get_json("http://feeds.example/via") == {"proxied": True}
    assert server.requests_to("/via")[0].headers["host"] == "feeds.example"
    # A host NO_PROXY names is reached directly: here the proxy is not even listening.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with Fetcher(attempts=1) as client:
        assert await client.get_json(server.url + "/via") == {"proxied": True}


async def test_a_port_that_cannot_be_is_not_a_web_address(fetcher: Fetcher) -> None:
    # httpx surfaces this as an exception group from its socket layer; it is bad input.
    with pytest.raises(BadResponse, match="it is not a web address"):
        await fetcher.get("http://127.0.0.1:99999/")


async def test_cookies_are_never_sent_back(server: FakeServer, fetcher: Fetcher) -> None:
    server.route("/set", lambda _r: Reply(200, b"{}", {"set-cookie": "track=me; Path=/"}))
    server.json("/next", {})
    await fetcher.get(server.url + "/set")
    await fetcher.get(server.url + "/next")
    assert "cookie" not in server.requests_to("/next")[0].headers


async def test_a_bad_location_on_an_answer_not_followed_is_ignored(
    server: FakeServer, fetcher: Fetcher
) -> None:
    # A 304 may carry anything in Location; the client must not parse it as a redirect.
    server.route("/same", lambda _r: Reply(304, b"", {"location": "http://[::1"}))
    response = await fetcher.get(server.url + "/same", etag='"v1"')
    assert response.not_modified


async def test_a_header_block_past_the_limit_is_not_http(server: FakeServer) -> None:
    headers = {f"x-pad-{i}": "a" * 1000 for i in range(40)}
    server.route("/fat", lambda _r: Reply(200, b"{}", headers))
    async with Fetcher(attempts=1) as client:
        with pytest.raises(BadResponse, match="cannot be read as HTTP"):
            await client.get(server.url + "/fat")


async def test_a_socks_proxy_without_its_extra_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    if importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed here")
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    async with Fetcher(attempts=1) as client:
        with pytest.raises(SourceUnavailable, match=r"install tui-reader\[socks\]"):
            await client.get("http://feeds.example/x")
