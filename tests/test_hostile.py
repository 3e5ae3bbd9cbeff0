"""Hostile servers and hostile text: nothing a stranger writes may act, hang, flood or overwrite.

Each test here reproduced a hole found by probing tui-reader as an attacker would; the servers
are real sockets on 127.0.0.1 (``tests/server.py``) sending the answers in ``tests/hostile.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests.conftest import Cli
from tests.fake_bluesky import FakeAppView
from tests.fake_mastodon import FakeMastodon
from tests.hostile import (
    CRASHER,
    HOSTILE,
    VISIBLE,
    assert_inert,
    bomb_reply,
    drip_reply,
    nested_json,
    redirect,
)
from tests.screen import screen_actions, screen_text, settle
from tests.server import FakeServer, Reply
from tui_reader.config import Config, NetworkConfig, SourcesConfig
from tui_reader.errors import BadReference, BadResponse, ReaderError, SourceUnavailable
from tui_reader.export import export_thread
from tui_reader.fetch import Fetcher
from tui_reader.library import Library
from tui_reader.models import Author, Post, Thread
from tui_reader.render import to_html, to_json, to_markdown, to_text
from tui_reader.sources.bluesky_records import web_url
from tui_reader.sources.threadreader_pages import parse_page
from tui_reader.store import Store, StoreError
from tui_reader.ui.app import make_app
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadView

PAGE_HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'


@pytest.fixture
async def fetcher() -> Any:
    client = Fetcher(timeout=2.0, backoff=0.01)
    yield client
    await client.aclose()


# 3. Bodies are capped whatever their content coding --------------------------------------


async def test_a_layered_gzip_bomb_is_refused(server: FakeServer, fetcher: Fetcher) -> None:
    reply = bomb_reply(256 * 1024 * 1024, layers=2)
    server.route("/bomb", lambda _r: reply)

    with pytest.raises(BadResponse, match="compressed 2 times over"):
        await fetcher.get_json(server.url + "/bomb")


async def test_a_gzip_bomb_is_decoded_only_up_to_the_cap(server: FakeServer) -> None:
    reply = bomb_reply(64 * 1024 * 1024)  # made before memory is traced
    server.route("/bomb", lambda _r: reply)
    async with Fetcher(timeout=5.0, max_bytes=1024 * 1024) as small:
        tracemalloc.start()
        try:
            with pytest.raises(BadResponse, match="sent more than 1 MB"):
                await small.get_json(server.url + "/bomb")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # httpx decoded the 64 KB chunk whole: 64 MB in memory before any check.
    assert peak < 8 * 1024 * 1024


async def test_gzip_within_the_cap_still_reads(server: FakeServer, fetcher: Fetcher) -> None:
    import gzip

    body = gzip.compress(json.dumps({"ok": "yes"}).encode())
    server.route(
        "/gz",
        lambda _r: Reply(200, body, {"content-encoding": "gzip"}, encoded=True),
    )
    assert await fetcher.get_json(server.url + "/gz") == {"ok": "yes"}


# 5. One deadline per request --------------------------------------------------------------


async def test_a_server_dripping_bytes_gets_one_deadline(server: FakeServer) -> None:
    server.route("/drip", lambda _r: drip_reply(b'{"a": "' + b"x" * 200 + b'"}', 0.05))
    async with Fetcher(timeout=1.0, backoff=0.01) as client:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match="did not answer within 1 s"):
            await client.get_json(server.url + "/drip")
        assert time.monotonic() - started < 3
    assert len(server.requests_to("/drip")) == 1


async def test_a_hung_server_is_asked_once_and_the_message_is_true(server: FakeServer) -> None:
    server.route("/hang", lambda _r: Reply(200, b"{}", delay=5))
    async with Fetcher(timeout=0.5, backoff=0.01) as client:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match=r"did not answer within 0\.5 s"):
            await client.get_json(server.url + "/hang")
        assert time.monotonic() - started < 2
    assert len(server.requests_to("/hang")) == 1


# 10 and 11. Errors that escaped the one-line scheme; redirects -----------------------------


GARBLED = {
    "a status line that is not one": b"HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}",
    "not HTTP at all": b"hello there\r\n\r\n",
    "a header past the parser's limit": (
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 20_000 + b"\r\nContent-Length: 2\r\n\r\n{}"
    ),
    "a chunk size that is not a number": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    ),
    "a body shorter than it said": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}",
}


@pytest.mark.parametrize("what", GARBLED)
async def test_a_garbled_answer_is_one_clear_error(what: str) -> None:
    # Raw bytes from a socket server of our own: the test server speaks only good HTTP.
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        writer.write(GARBLED[what])
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    host = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with Fetcher(attempts=2, backoff=0.01) as client:
            with pytest.raises((BadResponse, SourceUnavailable)) as caught:
                await client.get(f"http://{host}/x")
    finally:
        server.close()
    expected = (
        f"{host} cut its answer short; try again later"
        if what == "a body shorter than it said"
        else f"{host} sent an answer that cannot be read as HTTP"
    )
    assert caught.value.message == expected


async def test_odd_retry_after_values_are_ignored(server: FakeServer, fetcher: Fetcher) -> None:
    server.json("/rl", {"ok": 1})
    server.fail("/rl", Reply(503, b"", {"retry-after": "\u00b2"}))
    assert await fetcher.get_json(server.url + "/rl") == {"ok": 1}


async def test_a_redirect_loop_is_one_clear_error(server: FakeServer, fetcher: Fetcher) -> None:
    server.route("/a", lambda _r: redirect("/b"))
    server.route("/b", lambda _r: redirect("/a"))
    with pytest.raises(BadResponse, match="redirected more than 5 times"):
        await fetcher.get_json(server.url + "/a")


async def test_redirects_leave_neither_the_web_nor_the_site(
    server: FakeServer, fetcher: Fetcher
) -> None:
    port = server.url.rsplit(":", 1)[1]
    server.route("/js", lambda _r: redirect("javascript:alert(1)"))
    server.route("/away", lambda _r: redirect(f"http://localhost:{port}/elsewhere"))
    server.json("/elsewhere", {"reached": True})
    server.route("/here", lambda _r: redirect("/elsewhere", 301))

    server.route("/ftp", lambda _r: redirect("ftp://files.example/x"))
    with pytest.raises(BadResponse, match="redirected to an address that is not a web address"):
        await fetcher.get_json(server.url + "/js")
    with pytest.raises(BadResponse, match="redirected to ftp://files.example/x: only http"):
        await fetcher.get_json(server.url + "/ftp")
    with pytest.raises(BadResponse, match=f"another site: http://localhost:{port}/elsewhere"):
        await fetcher.get_json(server.url + "/away")
    assert await fetcher.get_json(server.url + "/here") == {"reached": True}


async def test_a_deeply_nested_error_body_is_an_ordinary_error(
    server: FakeServer, fetcher: Fetcher
) -> None:
    server.route("/deep", lambda _r: Reply(400, nested_json(100_000)))
    with pytest.raises(BadResponse, match=r"rejected the request \(HTTP 400\)"):
        await fetcher.get_json(server.url + "/deep")


def test_urls_that_are_not_urls_are_bad_references(library: Library) -> None:
    # "." and ".." would make the request's path climb (/notice/.. asked for /api/v1/).
    for text in (
        "http://[::1",
        "http://127.0.0.1:99999/@ann/1",
        "https://masto.example/notice/..",
        "https://masto.example/@ann/.",
        "https://masto.example/web/statuses/..",
    ):
        with pytest.raises(BadReference):
            library.resolve(text)


def test_bad_input_gets_one_line_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    results = [cli("unroll", "http://[::1"), cli("unroll", "http://127.0.0.1:99999/@a/1")]
    state = tmp_path / "state.json"
    for threads in ('[{"id": "x", "unread": true, "position": 1e400}]', "5"):
        state.write_text(f'{{"format": "tui-reader read-state", "threads": {threads}}}')
        results.append(cli("read-state", "--import", str(state)))
    for setting in ("timeout = nan", "max_connections = 100000"):
        cli.write_config(f"[network]\n{setting}\n")
        results.append(cli("threads"))
    for result in results:
        assert result.code == 1, result.err
        assert result.err.count("\n") == 1 and result.err.startswith("tui-reader: error: ")
        assert "unexpected" not in result.err and "Traceback" not in result.err


def test_a_full_disk_says_so(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        # The disk fills up: the file may not grow by another page.
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        big = _thread("full", "x" * 20_000)
        with pytest.raises(StoreError, match="could not be saved: the disk is full"):
            store.save_thread(big)
        assert store.threads() == []


def test_unknown_config_settings_are_named(cli: Cli) -> None:
    cli.write_config("[netwrok]\noffline = true\n[network]\ntimout = 3\n")
    result = cli("threads")
    assert result.code == 0
    assert "unknown setting [netwrok]" in result.err
    assert "unknown setting [network] timout" in result.err


def test_redirects_between_addresses_need_the_same_address() -> None:
    from tui_reader.http_rules import same_site

    assert same_site("example.org", "www.example.org")
    assert same_site("127.0.0.1", "127.0.0.1")
    assert not same_site("127.0.0.1", "0.1")
    assert not same_site("example.org", "example.net")


def test_dates_that_are_not_dates_are_unknown_and_never_cut() -> None:
    from tui_reader.render import nice_date, short_date
    from tui_reader.times import normalise_time, parse_time

    assert normalise_time("\x1b[2J") == ""
    assert parse_time("0001-01-01T00:00:00+01:00") is None  # before the calendar starts
    assert nice_date("\x1b[2J") == "date unknown"
    # "date unknown"[:10] was shown as "date unkno".
    assert short_date("") == "undated" and short_date("--12-14") == "14 Dec"


def test_times_already_in_the_librarys_form_come_out_the_same_either_way() -> None:
    from tui_reader.times import normalise_time

    # Cut short when already UTC to the second or finer; converted otherwise; never a
    # date that is not one, in whatever digits.
    assert normalise_time("2024-05-01T20:15:00.5Z") == "2024-05-01T20:15:00Z"
    assert normalise_time("2024-05-01T22:15:00.999+02:00") == "2024-05-01T20:15:00Z"
    assert normalise_time("2024-02-30T20:15:00Z") == ""
    assert normalise_time("\u0662\u0660\u0662\u0664-05-01T20:15:00Z") == ""


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01T20:15:00Z",
        "2024-05-01T20:15:00.123456Z",
        "2024-05-01T20:15:00.1234Z",
        "2024-12-31T23:59:59.9Z",
        "2024-02-29T00:00:00Z",  # a leap day
        "2023-02-29T00:00:00Z",  # not one
        "2024-05-01T24:00:00Z",
        "2024-05-01T23:59:60Z",  # a leap second: not a time Python keeps
        "2024-13-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "2024-05-01T20:15:00",
        "2024-05-01T20:15:00.5+00:00",
        "2024-05-01T20:15:00-07:00",
        "2024-05-01 20:15:00Z",
        "2024-05-01",
    ],
)
def test_a_time_comes_out_as_converting_it_in_full_would_give(value: str) -> None:
    """The shortcut for times already in UTC agrees with a conversion done in full."""
    from datetime import UTC, datetime

    from tui_reader.times import normalise_time

    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        full = parsed.astimezone(UTC).replace(microsecond=0).isoformat()[:19] + "Z"
    except (ValueError, OverflowError):
        full = ""
    assert normalise_time(value) == full


@pytest.mark.parametrize(
    "check",
    [
        "tui_reader.sources.bluesky_records:is_post_uri:at://did:plc:abc/app.bsky.feed.post/xyz",
        "tui_reader.sources.bluesky_records:is_actor:did:plc:abc",
        "tui_reader.sources.bluesky_records:is_actor:alice.bsky.social",
        "tui_reader.sources.mastodon:_id:123",
        "tui_reader.sources.mastodon:_id:01HXYZ",
    ],
)
def test_an_id_with_a_line_break_after_it_is_not_an_id(check: str) -> None:
    import importlib

    module, name, good = check.split(":", 2)
    valid = getattr(importlib.import_module(module), name)
    assert valid(good)
    # "$" in a pattern also matches before a final newline: such IDs went into request
    # paths and the library.
    assert not valid(good + "\n")


def test_a_query_may_start_with_a_dash(cli: Cli) -> None:
    result = cli("search", "-foo")
    assert result.code == 0 and "Nothing in the library matches '-foo'" in result.err


def test_a_damaged_library_is_set_aside_with_one_line(cli: Cli) -> None:
    cli.data_dir.mkdir(parents=True)
    (cli.data_dir / "library.sqlite3").write_bytes(b"not a database" * 200)
    result = cli("threads")
    assert result.code == 0
    [line] = [line for line in result.err.splitlines() if "warning" in line]
    assert "was damaged; it was moved to" in line
    assert any(p.name.startswith("library.sqlite3.damaged-") for p in cli.data_dir.iterdir())


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root to mount"
)
def test_a_library_on_a_read_only_disk_can_still_be_read(tmp_path: Path, cli: Cli) -> None:
    with Store(tmp_path / "seed.sqlite3") as store:
        store.save_thread(_thread("ro", "readable though the disk is not writable"))
    cli.data_dir.mkdir(parents=True)
    script = (
        f"mount -t tmpfs tmpfs {cli.data_dir} && "
        f"cp {tmp_path / 'seed.sqlite3'} {cli.data_dir}/library.sqlite3 && "
        f"mount -o remount,ro {cli.data_dir} && "
        f"TUI_READER_DATA_DIR={cli.data_dir} TUI_READER_CONFIG={cli.config_path} "
        f"{sys.executable} -m tui_reader threads"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60
    )
    if "mount" in done.stderr and "permission" in done.stderr.lower():
        pytest.skip("mounting is not allowed here")
    assert done.returncode == 0, done.stderr
    assert "readable though the disk" in done.stdout
    assert "open for reading only" in done.stderr


# 4. Walks over server data end -------------------------------------------------------------


def _cycle_status(server: FakeServer, status_id: str, parent: str) -> dict[str, Any]:
    return {
        "id": status_id,
        "created_at": f"2024-06-01T09:0{status_id}:00.000Z",
        "in_reply_to_id": parent,
        "in_reply_to_account_id": "7",
        "uri": f"{server.url}/users/ann/statuses/{status_id}",
        "url": f"{server.url}/@ann/{status_id}",
        "content": f"<p>post {status_id}</p>",
        "account": {"id": "7", "username": "ann", "acct": "ann", "display_name": "Ann"},
        "media_attachments": [],
    }


def _serve_cycle(server: FakeServer) -> None:
    one, two = _cycle_status(server, "1", "2"), _cycle_status(server, "2", "1")
    by_id = {"1": one, "2": two}

    def statuses(request: Any) -> Reply:
        parts = request.path.split("/")
        status = by_id[parts[4]]
        if len(parts) == 5:
            return Reply.json(status)
        other = by_id["2" if parts[4] == "1" else "1"]
        return Reply.json({"ancestors": [other], "descendants": [other]})

    server.route_prefix("/api/v1/statuses/", statuses)
    server.json("/api/v1/accounts/lookup", one["account"])
    server.json("/api/v1/accounts/7/statuses", [two, one])


async def test_a_mastodon_reply_cycle_does_not_hang(library: Library, server: FakeServer) -> None:
    _serve_cycle(server)
    thread = await asyncio.wait_for(library.unroll(f"{server.url}/@ann/1"), 10)
    assert sorted(post.text for post in thread.posts) == ["post 1", "post 2"]

    await library.follow(f"{server.url}/@ann")
    [result] = await asyncio.wait_for(library.sync(), 10)
    assert result.error == ""


# 7. A server cannot claim another server's post --------------------------------------------


async def test_a_server_cannot_overwrite_another_servers_thread(
    library: Library, server: FakeServer
) -> None:
    victim = FakeMastodon(server)
    bob = victim.account("bob", "Bob")
    ids = victim.chain(bob, 2)
    original = await library.unroll(victim.url_of(ids[0]))

    attacker = FakeServer().start()
    try:
        forged = dict(victim.statuses[ids[0]])
        forged.update(content="<p>forged</p>", in_reply_to_id=None, id="9")
        forged["account"] = {"id": "5", "username": "bob", "acct": "bob", "display_name": "B"}
        attacker.route_prefix(
            "/api/v1/statuses/",
            lambda r: (
                Reply.json(forged)
                if r.path.endswith("/9")
                else Reply.json({"ancestors": [], "descendants": []})
            ),
        )
        stolen = await library.unroll(f"{attacker.url}/@bob/9")
    finally:
        attacker.stop()

    assert stolen.id != original.id and stolen.id.startswith(f"mastodon:{attacker.url}/")
    kept = library.thread(original.id)
    assert kept is not None and [p.text for p in kept.posts] == ["Toot 1 of 2.", "Toot 2 of 2."]


# 8 and 9. Pages and posts that broke the parsers ---------------------------------------------


def _page(tweets: str, time_attr: str = "1600000000") -> str:
    return (
        f"{PAGE_HEAD}<div class='thread-info'><a class='time' data-time='{time_attr}'>t</a></div>"
        "<h4 class='twitter_name'><a>Pat</a></h4>"
        "<span class='screenName'><a>@pat_ok</a></span>"
        f"{tweets}</body></html>"
    )


def _tweet(tweet_id: str, text: str) -> str:
    return (
        f"<div class='content-tweet' data-tweet='{tweet_id}' data-screenname='pat_ok'>{text}</div>"
    )


def test_bad_times_on_a_page_are_left_empty() -> None:
    for value in ("99999999999999999999", "\u0661\u0662\u0663", "-5"):
        thread = parse_page(_page(_tweet("1600000000000000001", "hello"), value))
        assert thread.created_at == "" and thread.posts[0].text == "hello"


def test_a_deeply_nested_page_parses_in_linear_time() -> None:
    nested = "<div>" * 20_000 + "".join("<b>x</b>" for _ in range(5_000)) + "</span>" * 5_000
    started = time.monotonic()
    thread = parse_page(_page(_tweet("1600000000000000001", "deep") + nested))
    assert thread.posts[0].text == "deep"
    # Rescanning the stack for every text node took 36 s on a page like this.
    assert time.monotonic() - started < 5


def test_import_goes_on_past_a_bad_file(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    # A date past the calendar's end raised OverflowError and stopped the whole import.
    bad.write_text(_page(_tweet("1600000000000000002", "bad one"), "99999999999999999999"))
    worse = tmp_path / "worse.html"
    worse.write_text(f"{PAGE_HEAD}<p>nothing here</p></body></html>")
    good = tmp_path / "good.html"
    good.write_text(_page(_tweet("1600000000000000001", "the good one")))
    result = cli("import", str(bad), str(worse), str(good))
    assert result.code == 1
    assert "worse.html" in result.err and "Traceback" not in result.err
    assert "Imported bad one" in result.out and "Imported the good one" in result.out


async def test_a_page_in_charset_idna_still_reads(library: Library, server: FakeServer) -> None:
    server.json(
        "/api/v0/ping/1600000000000000001.json", {"code": 200, "pong": "1600000000000000001"}
    )
    page = _page(_tweet("1600000000000000001", "idna page")).encode()
    server.route(
        "/thread/1600000000000000001.html",
        lambda _r: Reply(200, page, {"content-type": "text/html; charset=idna"}),
    )
    thread = await library.unroll("1600000000000000001")
    assert thread.posts[0].text == "idna page"


async def test_lone_surrogates_are_replaced_where_they_enter(
    library: Library, appview: FakeAppView, tmp_path: Path
) -> None:
    sam = appview.account("sam.bsky.social", "Sam \ud800")
    first = appview.post(
        sam,
        "caf\u00e9 \ud800 link",
        embed_view={
            "$type": "app.bsky.embed.images#view",
            "images": [{"fullsize": "https://cdn.example/a\ud800.jpg", "alt": "alt \udfff"}],
        },
    )
    appview.post(sam, "second \udbff post", reply_to=first)
    thread = await library.unroll(web_url(first))
    assert thread.posts[0].text == "caf\u00e9 \ufffd link"
    assert thread.author.display_name == "Sam \ufffd"
    for fmt in ("markdown", "html", "json", "pdf"):
        written = export_thread(thread, fmt, tmp_path)
        assert written.path.stat().st_size > 0


async def test_header_bytes_that_are_not_utf8_are_replaced_where_they_enter(
    library: Library, server: FakeServer
) -> None:
    # On the wire: W/"<ff><c3 a9>". The HTTP client keeps a byte that is not UTF-8 as a lone
    # surrogate, which SQLite refuses when the ETag is kept for the next sync.
    server.route("/etag", lambda _r: Reply(200, b"{}", {"etag": 'W/"\xff\xc3\xa9"'}))
    response = await library.fetcher.get(server.url + "/etag")
    shown = response.headers["etag"]
    assert shown == 'W/"\ufffd\u00e9"'
    # Not ASCII, so it could never be sent back: it is not a validator to keep.
    assert response.etag == ""
    library.store.cache_response(server.url + "/etag", shown, "", response.body)
    assert library.store.cached_response(server.url + "/etag") == (shown, "", b"{}")


async def test_an_etag_with_a_control_byte_poisons_nothing(
    library: Library, server: FakeServer
) -> None:
    server.route("/e", lambda _r: Reply(200, b"{}", {"etag": '"a\x7fb"'}))
    response = await library.fetcher.get(server.url + "/e")
    assert response.etag == ""
    # One kept by an earlier release is left out of the request, which goes through.
    again = await library.fetcher.get(server.url + "/e", etag='"a\x7fb"')
    assert again.status == 200
    assert "if-none-match" not in server.requests_to("/e")[-1].headers


# 6. Markdown export -----------------------------------------------------------------------


def _thread(key: str, text: str, **post: Any) -> Thread:
    author = Author(
        "bluesky",
        f"did:plc:{key}",
        "x.bsky.social",
        post.pop("name", "X"),
        post.pop("author_url", f"https://bsky.app/profile/did:plc:{key}"),
    )
    first = Post(
        f"at://did:plc:{key}/app.bsky.feed.post/1",
        post.pop("url", "https://bsky.app/x/1"),
        "2024-01-01T00:00:00Z",
        text,
        **post,
    )
    return Thread.from_posts("bluesky", author, (first,), "2024-01-02T00:00:00Z")


def test_markdown_makes_no_live_dangerous_link_or_raw_html() -> None:
    from tui_reader.models import Media, Quote

    thread = _thread(
        "md",
        "read this <script>alert(1)</script> &lt;b&gt;",
        links=("javascript:alert(1)", "https://ok.example/a b<c>\t\n(d)"),
        media=(
            Media("image", "javascript:alert(2)", "alt <img src=x onerror=alert(3)>"),
            Media("link", "data:text/html,<script>alert(4)</script>", "card"),
        ),
        quote=Quote("javascript:alert(5)", "eve", "quoted <iframe>"),
        author_url="javascript:alert(6)",
    )
    html = MarkdownIt("commonmark").render(to_markdown(thread))
    assert 'href="javascript' not in html and 'src="javascript' not in html
    assert 'href="data:' not in html
    for tag in ("<script", "<img src=x", "<iframe", "<b>"):
        assert tag not in html
    assert 'href="https://ok.example/a%20b%3Cc%3E%09%0A%28d%29"' in html
    # The inert addresses are still there to read.
    assert "javascript:alert(1)" in html


def test_an_extra_link_reaches_every_format() -> None:
    thread = _thread("ln", "read this", links=("https://example.org/paper",))
    for render in (to_text, to_markdown, to_html, to_json):
        assert "https://example.org/paper" in render(thread), render.__name__


# 11. Smaller ---------------------------------------------------------------------------------


def test_one_huge_post_does_not_slow_every_search(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_thread(_thread("huge", "ledger " * 150_000))
        for number in range(40):
            store.save_thread(_thread(f"n{number}", f"a ledger entry {number}"))
        started = time.monotonic()
        hits = store.search("ledger")
        assert time.monotonic() - started < 1.5
        assert len(hits) == 41


def test_exports_write_through_links_with_an_ordinary_mode(cli: Cli, tmp_path: Path) -> None:
    with Store(cli.data_dir / "library.sqlite3") as store:
        store.save_thread(_thread("ex", "\U0001d4d0" * 60))
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    thread_id = "bluesky:at://did:plc:ex/app.bsky.feed.post/1"
    assert cli("export", thread_id, "--format", "markdown", "-o", str(link)).code == 0
    assert link.is_symlink() and real.read_text().startswith("# ")

    folder = tmp_path / "out"
    folder.mkdir()
    os.umask(old := os.umask(0o022))
    result = cli("export", thread_id, "--format", "html", "-o", str(folder))
    assert result.code == 0, result.err
    [saved] = folder.iterdir()
    assert len(saved.name.encode()) < 255
    assert saved.stat().st_mode & 0o777 == 0o666 & ~old


# 1, 2 and the walk: hostile text in every field, through every widget and CLI line -------


async def _hostile_library(library: Library, appview: FakeAppView, server: FakeServer) -> None:
    masto = FakeMastodon(server)
    eve = appview.account("eve.bsky.social", HOSTILE)
    first = appview.post(
        eve,
        f"{HOSTILE}\nsecond line",
        facets=[
            {
                "index": {"byteStart": 0, "byteEnd": 3},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": f"https://e.example/{HOSTILE}"}
                ],
            }
        ],
        embed_view={
            "$type": "app.bsky.embed.images#view",
            "images": [{"fullsize": f"https://cdn.example/{HOSTILE}", "alt": HOSTILE}],
        },
    )
    appview.post(eve, CRASHER, reply_to=first)
    await library.unroll(web_url(first))

    mal = masto.account("mal", HOSTILE)
    ids = masto.chain(mal, 2)
    masto.statuses[ids[0]].update(
        content=f"<p>{CRASHER} &#27;[2J &#x9b;1m</p><p>{HOSTILE}</p>",
        spoiler_text=HOSTILE,
        created_at=HOSTILE,
        media_attachments=[
            {"type": "image", "url": "https://m.example/i.png", "description": HOSTILE}
        ],
        card={"url": f"https://card.example/{HOSTILE}", "title": HOSTILE},
    )
    await library.unroll(masto.url_of(ids[0]))


async def test_hostile_text_never_acts_anywhere_in_the_reader(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    await _hostile_library(library, appview, server)
    for summary in library.threads():
        thread = library.thread(summary.id)
        assert thread is not None
        for text in (
            thread.title,
            thread.author.display_name,
            thread.created_at,
            *(p.text for p in thread.posts),
            *(p.content_warning for p in thread.posts),
            *(m.alt for p in thread.posts for m in p.media),
            *(m.url for p in thread.posts for m in p.media),
            *(link for p in thread.posts for link in p.links),
        ):
            assert_inert(text, "the library")

    app = make_app(library.config, library)
    async with app.run_test(size=(120, 40)) as pilot:

        def check(where: str) -> None:
            assert app.is_running, where
            assert_inert(screen_text(app), where)
            assert not [a for a in screen_actions(app) if "screenshot" in a], where

        check("the library")
        feed = app.screen.query_one(FeedList)
        for index in range(feed.count):
            feed.focus()
            feed.highlighted = index
            await pilot.press("enter")
            await pilot.pause()
            check(f"thread {index}")
            assert any(part in screen_text(app) for part in VISIBLE)
            await pilot.press("c", "y", "o")
            await pilot.pause()
            check(f"notifications of thread {index}")
            for note in app.notices:
                assert_inert(str(note.message), "a notification")

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open")
        await settle(pilot, lambda: "[@click=app.screenshot(" in screen_text(app))
        check("the command palette")
        assert "[/s]" in screen_text(app) and "[@click=app.screenshot(" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()

        app.screen.search("evil OR went")  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        check("search results")


async def test_a_palette_entry_from_a_hostile_title_only_opens_its_thread(
    library: Library, tmp_path: Path
) -> None:
    trap = tmp_path / "trap"
    title = f'[@click=app.screenshot("pwned.svg","{trap}")]Open me[/]'
    library.store.save_thread(_thread("trap", title))
    library.store.save_thread(_thread("crash", CRASHER))
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open thread open")
        await settle(pilot, lambda: "[@click=app.screenshot(" in screen_text(app))
        assert app.is_running
        assert "[@click=app.screenshot(" in screen_text(app)
        # Drawn as text, the entry carries no action a click could run.
        assert not [a for a in screen_actions(app) if "screenshot" in a]
        await pilot.press("down", "enter")
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.title.startswith("[@click=")
    assert not trap.exists()


def test_hostile_text_never_acts_in_cli_output(
    cli: Cli, appview: FakeAppView, server: FakeServer
) -> None:
    async def build() -> None:
        config = Config(
            network=NetworkConfig(timeout=5.0),
            sources=SourcesConfig.of(
                bluesky={"appview": server.url}, threadreader={"base_url": server.url}
            ),
        )
        library = Library(config, Store(cli.data_dir / "library.sqlite3"))
        try:
            await _hostile_library(library, appview, server)
        finally:
            await library.aclose()
            library.close()

    cli.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(build())
    listing = cli("threads", "--format", "json")
    outputs = [
        listing,
        cli("threads"),
        cli("search", "evil"),
        cli("search", "evil", "--format", "json"),
    ]
    for item in json.loads(listing.out):
        for fmt in ("text", "markdown", "html", "json"):
            outputs.append(cli("unroll", item["id"], "--offline", "--format", fmt))
    for result in outputs:
        assert result.code == 0, result.err
        assert_inert(result.out, "stdout")
        assert_inert(result.err, "stderr")


def test_error_messages_are_cleaned_whatever_they_quote() -> None:
    assert ReaderError(f"server said {HOSTILE}").message.count("\x1b") == 0
    assert_inert(ReaderError(HOSTILE).message)


async def test_escape_cancels_network_work_in_the_reader(
    library: Library, server: FakeServer
) -> None:
    server.route_prefix("/api/v1/statuses/", lambda _r: Reply(200, b"{}", delay=4))
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.unroll(f"{server.url}/@ann/1")  # type: ignore[attr-defined]
        await settle(pilot, lambda: app.sub_title == "working…")
        started = time.monotonic()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert time.monotonic() - started < 2
        assert app.sub_title == ""
        assert any(n.message == "Cancelled." for n in app.notices)


def test_a_post_gone_upstream_says_so_in_json() -> None:
    thread = _thread("gone", "still here", deleted=True)
    [post] = json.loads(to_json(thread))["posts"]
    assert post["deleted"] is True
    [kept] = json.loads(to_json(_thread("kept", "here")))["posts"]
    assert "deleted" not in kept


def test_clean_text_treats_every_ascii_character_as_its_full_rule_does() -> None:
    """Clean ASCII text is returned without the search: every character alone, and amid
    other text, comes out as the rule for control characters says."""
    from tui_reader.clean import clean_text

    for code in range(128):
        char = chr(code)
        if char in "\n\t":
            expected = char
        elif char == "\r":
            expected = "\n"
        elif code < 0x20:
            expected = chr(0x2400 + code)
        elif code == 0x7F:
            expected = "\u2421"
        else:
            expected = char
        assert clean_text(char) == expected, code
        assert clean_text(f"at://did:plc:a{char}b") == f"at://did:plc:a{expected}b", code
    assert clean_text("café \u202e") == "café \ufffd"


async def test_a_redirect_to_another_port_of_the_same_host_is_refused(
    server: FakeServer, fetcher: Fetcher
) -> None:
    other = FakeServer().start()
    try:
        other.json("/there", {"reached": True})
        server.route("/hop", lambda _r: redirect(f"{other.url}/there"))
        with pytest.raises(BadResponse, match="another site"):
            await fetcher.get_json(server.url + "/hop")
        assert other.requests_to("/there") == []
    finally:
        other.stop()


def test_a_status_cannot_send_an_https_reader_down_to_http() -> None:
    from tui_reader.sources.mastodon import may_follow_home

    assert not may_follow_home("https://masto.example", "http://other.example:8080")
    assert may_follow_home("https://masto.example", "https://other.example")
    assert may_follow_home("http://127.0.0.1:5000", "http://127.0.0.1:6000")


def test_markdown_keeps_a_posts_line_starts_as_written() -> None:
    text = "My list\n===\n- not a list\n1. not numbered\n+ plus\n10) ten\nand\n---\nend"
    html = MarkdownIt().render(to_markdown(_thread("lines", text)))
    plain = MarkdownIt().render(to_markdown(_thread("lines", "My list")))
    # The same headings and rules as a post with no such lines: none made of the post's.
    for made in ("<h1>", "<h2>", "<hr"):
        assert html.count(made) == plain.count(made), made
    assert "<ul>" not in html and "<ol>" not in html
    lines = ("My list", "===", "- not a list", "1. not numbered", "+ plus", "10) ten", "---")
    assert "<br />\n".join(lines[:6]) in html and "and<br />\n---<br />\nend" in html


def test_a_search_index_that_lost_its_terms_is_rebuilt_not_called_empty(
    cli: Cli, tmp_path: Path
) -> None:
    import sqlite3

    page = tmp_path / "page.html"
    page.write_text(
        _page(
            _tweet("1600000000000000001", "bicycle commuting") + _tweet("1600000000000000002", "x")
        ),
        "utf-8",
    )
    assert cli("import", str(page)).code == 0
    with sqlite3.connect(cli.data_dir / "library.sqlite3") as conn:
        # The index's segments zeroed and its page index gone: it finds nothing.
        conn.execute("UPDATE post_search_data SET block = zeroblob(length(block)) WHERE id >= 10")
        conn.execute("DELETE FROM post_search_idx")
    result = cli("search", "bicycle")
    assert result.code == 0, result.err
    assert "bicycle" in result.out
    assert "search index was damaged; it has been rebuilt" in result.err
