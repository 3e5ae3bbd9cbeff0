"""The ``tui-reader`` command, run as a subprocess against the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Cli
from tests.fake_bluesky import FakeAppView
from tests.server import FakeServer, Reply
from tui_reader import __version__
from tui_reader.sources.bluesky_records import web_url

POST_KEYS = {"id", "url", "created_at", "text", "links", "media", "quote"}
THREAD_KEYS = {
    "id",
    "source",
    "url",
    "title",
    "author",
    "created_at",
    "fetched_at",
    "post_count",
    "unread",
    "last_read_at",
    "new_since_read",
    "posts",
}


def one_line_error(result: object, words: str) -> None:
    err = result.err  # type: ignore[attr-defined]
    assert result.code == 1, err  # type: ignore[attr-defined]
    assert err.count("\n") == 1, err
    assert err.startswith("tui-reader: error: ")
    assert words in err
    assert "Traceback" not in err


def make_thread(appview: FakeAppView) -> list[str]:
    alice = appview.account("alice.bsky.social", "Alice")
    bob = appview.account("bob.bsky.social", "Bob")
    facet_text = "Start here 🧵 example.com/long… and [bold]this[/bold]"
    visible = "example.com/long…"
    start = facet_text.encode().index(visible.encode())
    root = appview.post(
        alice,
        facet_text,
        facets=[
            {
                "index": {"byteStart": start, "byteEnd": start + len(visible.encode())},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/longer"}
                ],
            }
        ],
        embed_view={
            "$type": "app.bsky.embed.images#view",
            "images": [{"thumb": "t", "fullsize": "https://cdn.example/full.jpg", "alt": "A map"}],
        },
    )
    appview.post(bob, "Nice!", reply_to=root, likes=99)
    uris = [root]
    for n in range(2, 6):
        uris.append(appview.post(alice, f"Part {n}.", reply_to=uris[-1]))
    return uris


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"tui-reader {__version__}"


def test_the_garbage_collector_is_back_on_when_a_command_runs(tmp_path: Path) -> None:
    # The entry point pauses it while the program loads; a sync left without it would grow.
    probe = (
        "import gc, sys, tui_reader.cli as cli\n"
        "seen = []\n"
        "cli.COMMANDS['threads'] = lambda *a: seen.append(gc.isenabled()) or 0\n"
        "sys.argv = ['tui-reader', 'threads']\n"
        "from tui_reader.__main__ import main\n"
        "code = main()\n"
        "print(code, seen, gc.isenabled())\n"
    )
    env = {**os.environ, "TUI_READER_DATA_DIR": str(tmp_path), "TUI_READER_CONFIG": "none.toml"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["0", "[True]", "True"]


def test_unroll_prints_json_in_the_documented_shape(cli: Cli, appview: FakeAppView) -> None:
    uris = make_thread(appview)

    result = cli("unroll", web_url(uris[2]), "--format", "json")

    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == THREAD_KEYS
    assert data["id"] == f"bluesky:{uris[0]}"
    assert data["source"] == "bluesky"
    assert data["post_count"] == 5 == len(data["posts"])
    assert data["unread"] is True
    assert data["author"] == {
        "id": uris[0].split("/")[2],
        "handle": "alice.bsky.social",
        "display_name": "Alice",
        "url": f"https://bsky.app/profile/{uris[0].split('/')[2]}",
    }
    first = data["posts"][0]
    assert set(first) == POST_KEYS
    assert "https://example.com/longer" in first["text"]
    assert first["links"] == ["https://example.com/longer"]
    assert first["media"] == [
        {"kind": "image", "url": "https://cdn.example/full.jpg", "alt": "A map"}
    ]
    assert first["quote"] is None
    assert data["title"] == first["text"].splitlines()[0]
    assert [p["text"] for p in data["posts"][1:]] == ["Part 2.", "Part 3.", "Part 4.", "Part 5."]


def test_offline_prints_the_same_json_after_the_server_is_gone(
    cli: Cli, appview: FakeAppView, server: FakeServer
) -> None:
    uris = make_thread(appview)
    online = cli("unroll", web_url(uris[0]), "--format", "json")
    assert online.code == 0, online.err
    server.stop()

    offline = cli("unroll", web_url(uris[3]), "--format", "json", "--offline")
    global_flag = cli("--offline", "unroll", web_url(uris[0]), "--format", "json")

    assert offline.code == 0, offline.err
    assert offline.out == online.out == global_flag.out


def test_without_the_server_and_without_the_library_it_fails_clearly(
    cli: Cli, appview: FakeAppView, server: FakeServer
) -> None:
    uris = make_thread(appview)
    server.stop()

    one_line_error(cli("unroll", web_url(uris[0]), "--offline"), "offline")
    one_line_error(cli("unroll", web_url(uris[0])), "cannot reach 127.0.0.1")


def test_text_format_is_readable_and_neutralises_markup(cli: Cli, appview: FakeAppView) -> None:
    alice = appview.account("alice.bsky.social", "Alice")
    root = appview.post(alice, "Hello \x1b]52;c;ZXZpbA==\x07 [@click=app.quit]x[/]")
    appview.post(alice, "Second post", reply_to=root)

    result = cli("unroll", web_url(root))

    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "␛]52;c;ZXZpbA==␇ [@click=app.quit]x[/]" in result.out
    assert "Alice (@alice.bsky.social) · bluesky" in result.out
    assert "2 posts · 1 min read" in result.out
    assert "── 2/2" in result.out


def test_markdown_and_html_to_a_file(cli: Cli, appview: FakeAppView, tmp_path: object) -> None:
    uris = make_thread(appview)
    md = cli.data_dir.parent / "thread.md"
    page = cli.data_dir.parent / "thread.html"

    assert cli("unroll", web_url(uris[0]), "--format", "markdown", "-o", str(md)).code == 0
    assert cli("unroll", web_url(uris[0]), "--format", "html", "-o", str(page)).code == 0

    markdown = md.read_text("utf-8")
    assert markdown.startswith("# Start here 🧵")
    assert "\\[bold\\]this\\[/bold\\]" in markdown
    assert "![A map](https://cdn.example/full.jpg)" in markdown
    html = page.read_text("utf-8")
    assert "[bold]this[/bold]" in html and "<script" not in html
    assert '<img src="https://cdn.example/full.jpg" alt="A map"' in html


def test_threads_lists_the_library(cli: Cli, appview: FakeAppView) -> None:
    uris = make_thread(appview)
    assert cli("unroll", web_url(uris[0])).code == 0

    listed = cli("threads", "--format", "json")
    by_author = cli("threads", "alice.bsky.social", "--format", "json")
    nobody = cli("threads", "bob.bsky.social", "--format", "json")
    plain = cli("threads")

    assert listed.code == 0
    [entry] = json.loads(listed.out)
    assert entry["post_count"] == 5 and entry["preview"].startswith("Start here")
    assert "posts" not in entry
    assert json.loads(by_author.out) == [entry]
    assert json.loads(nobody.out) == []
    assert plain.out.startswith("#1\tunread\t2024-05-01\t@alice.bsky.social\t5 posts\tStart here")
    # The short number is a REF wherever a thread is asked for, with or without its #.
    for ref in ("#1", "1"):
        shown = cli("export", ref, "--format", "md", "-o", "-")
        assert shown.code == 0 and "Start here" in shown.out, shown.err
    missing = cli("export", "#99", "--format", "md", "-o", "-")
    assert missing.code == 1 and "the library has no thread #99" in missing.err


def test_errors_are_one_line_and_leave_the_library_alone(
    cli: Cli, appview: FakeAppView, server: FakeServer
) -> None:
    uris = make_thread(appview)
    assert cli("unroll", web_url(uris[0])).code == 0
    before = cli("threads", "--format", "json").out
    deleted = appview.post(appview.accounts[uris[0].split("/")[2]], "bye")
    appview.posts[deleted].deleted = True

    one_line_error(
        cli("unroll", "https://bsky.app/profile/nobody.bsky.social/post/3kz"), "no Bluesky account"
    )
    one_line_error(cli("unroll", web_url(deleted)), "deleted")
    one_line_error(
        cli("unroll", "https://bsky.app/profile/alice.bsky.social/feed/hot"), "not a Bluesky post"
    )
    one_line_error(cli("unroll", "https://example.com/nothing"), "cannot tell what")
    one_line_error(cli("unroll", "alice.bsky.social"), "is a profile")

    server.route("/xrpc/app.bsky.feed.getPostThread", lambda _r: Reply(200, b"\x00garbage"))
    one_line_error(cli("unroll", web_url(uris[0]), "--refresh"), "not valid JSON")
    server.route(
        "/xrpc/app.bsky.feed.getPostThread",
        lambda _r: Reply.json({"thread": {"$type": "x", "oops": 1}}),
    )
    one_line_error(cli("unroll", web_url(uris[0]), "--refresh"), "no post in it")

    assert cli("threads", "--format", "json").out == before


def test_bad_usage_exits_2(cli: Cli) -> None:
    assert cli("unroll").code == 2
    assert cli("unroll", "x", "--format", "pdf").code == 2
    assert cli("no-such-command").code == 2


def test_a_broken_config_is_one_line(cli: Cli) -> None:
    cli.write_config("[network]\ntimeout = 'soon'\n")
    one_line_error(cli("threads"), "timeout must be a float")
    cli.write_config("[network\n")
    one_line_error(cli("threads"), "is not valid TOML")
    cli.write_config('[sources.bluesky]\nappview = "ftp://example.com"\n')
    one_line_error(cli("threads"), "must be an http or https URL")
    # Nested past the parser's depth: it raised RecursionError ("unexpected RecursionError").
    cli.write_config("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    one_line_error(cli("threads"), "is nested too deeply to read")


def test_a_read_state_file_nested_too_deeply_is_one_line(cli: Cli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    one_line_error(cli("read-state", "--import", str(deep)), "not a read-state file")


def test_an_unwritable_output_is_one_line(cli: Cli, appview: FakeAppView) -> None:
    uris = make_thread(appview)
    one_line_error(
        cli("unroll", web_url(uris[0]), "-o", "/nonexistent-folder/x.md"), "does not exist"
    )


def test_refresh_keeps_posts_deleted_upstream(cli: Cli, appview: FakeAppView) -> None:
    uris = make_thread(appview)
    assert cli("unroll", web_url(uris[0])).code == 0
    appview.posts[uris[3]].deleted = True

    refreshed = cli("unroll", web_url(uris[0]), "--refresh")
    data = json.loads(cli("unroll", web_url(uris[0]), "--format", "json", "--offline").out)

    assert refreshed.code == 0, refreshed.err
    assert "(deleted upstream; this is the library's copy)\nPart 4." in refreshed.out
    assert [p["text"] for p in data["posts"][1:]] == ["Part 2.", "Part 3.", "Part 4.", "Part 5."]


def test_the_reader_refuses_to_run_without_a_terminal(cli: Cli) -> None:
    # It used to spin at full CPU, drawing to a pipe nobody reads.
    for args in ((), ("--demo",)):
        result = cli(*args, timeout=20)
        assert result.code == 1
        assert result.err.startswith("tui-reader: error: the reader needs a terminal")


def test_syncing_with_nobody_followed_is_not_a_failure(cli: Cli) -> None:
    result = cli("sync")
    assert result.code == 0 and "You follow nobody yet" in result.err


def test_importing_its_own_read_state_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    from tests.reader_data import fill
    from tui_reader.config import Config
    from tui_reader.library import Library
    from tui_reader.store import Store

    library = Library(Config(), Store(cli.data_dir / "library.sqlite3"))
    threads = fill(library)
    library.set_unread(threads["tea"].id, False)
    library.close()
    marks = tmp_path / "marks.json"
    assert cli("read-state", "--export", str(marks)).code == 0
    merged = cli("read-state", "--import", str(marks))
    # Identical marks were reported as "older than this library's".
    assert merged.out.strip() == (
        "Merged read marks: 0 applied, 3 already as new here, 0 for threads not in this library."
    )


def test_file_errors_are_words_that_name_the_file_once(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    binary = tmp_path / "page.html"
    binary.write_bytes(b"\xff\xfe\x00\x01 not text")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    expected = {
        str(folder): f"{folder} is a folder, not a file",
        str(binary): f"{binary} is not a text file (it is not UTF-8)",
        str(fifo): f"{fifo} is not a regular file (a pipe or a device); not read",
        "/no/such/page.html": "no such file: /no/such/page.html",
    }
    for name, words in expected.items():
        result = cli("import", name, timeout=20)
        assert result.code == 1
        assert result.err.strip() == f"tui-reader: error: {words}", result.err
    empty = cli("follow", "")
    assert empty.code == 1 and "'': an empty REF names nothing" in empty.err
    nowhere = cli("export", "x", "-o", "")
    assert nowhere.code == 2 and "-o names no file" in nowhere.err


def test_a_config_file_that_is_a_fifo_does_not_block(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "config-fifo"
    os.mkfifo(fifo)
    runner = Cli(fifo, cli.data_dir)
    result = runner("threads", timeout=20)
    assert result.code == 1 and "is not a regular file" in result.err


def test_search_for_an_author_the_library_lacks_says_so(cli: Cli) -> None:
    result = cli("search", "bicycle", "--author", "nobody.bsky.social")
    assert result.code == 1
    assert "nobody.bsky.social is not an author in the library" in result.err


def test_the_first_tweets_have_short_ids(cli: Cli) -> None:
    from tui_reader.config import Config
    from tui_reader.library import Library
    from tui_reader.models import PostRef
    from tui_reader.store import Store

    library = Library(Config(), Store(cli.data_dir.parent / "lib.sqlite3"))
    try:
        ref = library.resolve("https://x.com/jack/status/20")
        assert isinstance(ref, PostRef) and ref.locator == "20"
    finally:
        library.close()


def test_a_huge_state_file_is_not_read(tmp_path: Path) -> None:
    from tui_reader.state import MAX_STATE_BYTES, ReaderState, load_state

    path = tmp_path / "state.toml"
    path.write_text('theme = "' + "x" * MAX_STATE_BYTES + '"\n', "utf-8")
    state, warning = load_state(path)
    assert state == ReaderState()
    assert "is larger than 1 MB; not read" in warning


def _saved_page(tmp_path: Path) -> Path:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><div class='thread-info'><a class='time' data-time='1600000000'>t</a>"
        "</div><h4 class='twitter_name'><a>Pat</a></h4><span class='screenName'><a>@pat_ok</a>"
        "</span><div class='content-tweet' data-tweet='1600000000000000001' "
        "data-screenname='pat_ok'>Pipes and devices</div></body></html>",
        "utf-8",
    )
    return page


def test_export_writes_into_a_fifo_and_to_standard_output(cli: Cli, tmp_path: Path) -> None:
    import stat
    import threading

    assert cli("import", str(_saved_page(tmp_path))).code == 0
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("export", "threadreader:1600000000000000001", "--format", "md", "-o", str(fifo))
    reader.join(20)
    assert result.code == 0, result.err
    assert b"Pipes and devices" in b"".join(received)
    # Still a FIFO, not replaced by a regular file, and not said to be replaced.
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert "Replaced" not in result.err
    printed = cli("export", "threadreader:1600000000000000001", "--format", "md", "-o", "-")
    assert printed.code == 0 and "Pipes and devices" in printed.out
