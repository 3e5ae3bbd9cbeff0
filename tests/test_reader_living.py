"""The reader and threads that live: a thread that grew, an edit, a deletion since you read
it, watching, and the changes view, with Pilot."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.conftest import Cli
from tests.fake_mastodon import FakeMastodon
from tests.reading import WIDE, main_screen, settled, thread_lines
from tests.screen import screen_text
from tests.server import FakeServer
from tui_reader.library import Library
from tui_reader.models import Author, Post, Thread
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.screens.changes import ChangesScreen, EditScreen
from tui_reader.ui.widgets.feed import FeedList


@pytest.fixture
def masto(server: FakeServer) -> FakeMastodon:
    return FakeMastodon(server)


ADA = Author(
    "mastodon", "ada@social.example", "ada@social.example", "Ada", "https://s.example/@ada"
)


def post(number: int, text: str, **more: str) -> Post:
    return Post(
        f"https://s.example/users/ada/statuses/{number}",
        f"https://s.example/@ada/{number}",
        f"2024-05-01T10:{number:02}:00Z",
        text,
        **more,  # type: ignore[arg-type]
    )


async def open_next_unread(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait for the reader to settle, then open the next unread thread (n)."""
    await settled(app)
    await pilot.press("n")
    await settled(app)


def living_thread(library: Library) -> str:
    """A thread read on 30 November, then grown by three posts, one post edited and one
    deleted upstream; its ID."""
    first = [post(n, f"Toot {n} of 4, on engines and looms.") for n in range(1, 5)]
    thread = Thread.from_posts("mastodon", ADA, tuple(first), "2024-11-29T10:00:00Z")
    store = library.store
    store.save_thread(thread)
    store.set_unread([thread.id], False, "2024-11-30T10:00:00Z")
    edited = post(2, "Toot 2 of 4, on engines and weaving looms.", edited_at="2024-12-01T09:00:00Z")
    later = [first[0], edited, first[2], *(post(n, f"Toot {n}, added later.") for n in (5, 6, 7))]
    again = Thread.from_posts("mastodon", ADA, tuple(later), "2024-12-02T10:00:00Z")
    store.save_thread(again, dated=frozenset({"mastodon"}))
    return thread.id


async def test_a_thread_that_grew_is_marked_and_opens_at_its_first_new_post(
    library: Library,
) -> None:
    thread_id = living_thread(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await settled(app)
        screen = main_screen(app)
        feed = screen.query_one(FeedList)
        [listed] = [feed.thread_at(0)]
        assert listed is not None and listed.new_since_read == 3 and listed.unread
        assert "● +3 ✎" in screen_text(app)
        assert "1 grew" in screen_text(app)  # the author's count

        await pilot.press("n")
        await settled(app)

        view = screen.pane.view
        assert screen.thread is not None and screen.thread.id == thread_id
        # It opens at the first post added since it was read, under a line that says so.
        assert view.current == 4
        lines = thread_lines(view)
        assert "3 new since you read, 30 Nov 2024" in lines
        assert lines.index("3 new since you read") < lines.index("Toot 5, added later.")
        assert "(edited 1 Dec 2024, since you read it · d shows what changed)" in lines
        assert "(deleted upstream since you read it; this is the library's copy)" in lines
        # Opened: what it holds now counts as seen, and the lists say so.
        feed = screen.query_one(FeedList)
        again = feed.thread_at(0)
        assert again is not None and again.new_since_read == 0
        assert "● +3" not in screen_text(app) and "+3 ✎" not in screen_text(app)


async def test_d_shows_an_edit_word_by_word(library: Library) -> None:
    living_thread(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await open_next_unread(app, pilot)
        screen = main_screen(app)
        screen.pane.view.go_to_post(0)
        await pilot.press("d")
        assert app.notices[-1].message == "This post was not edited."
        screen.pane.view.go_to_post(1)
        await pilot.pause()

        await pilot.press("d")
        await pilot.pause()

        assert isinstance(app.screen, EditScreen)
        text = screen_text(app)
        assert "Post 2: edited 1 Dec 2024, since you read it" in text
        assert "From the version you read" in text
        assert "Toot 2 of 4, on engines and {+weaving+} looms." in text
        await pilot.press("escape")
        assert not isinstance(app.screen, EditScreen)


async def test_w_watches_the_open_thread_and_W_lists_the_changes(library: Library) -> None:
    thread_id = living_thread(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await open_next_unread(app, pilot)
        await pilot.press("w")
        assert [w.thread.id for w in library.watching()] == [thread_id]
        assert "watched" in screen_text(app)
        assert app.notices[-1].message.startswith("Watching: each sync fetches this thread")
        await pilot.press("w")
        assert library.watching() == []

        await pilot.press("W")
        await pilot.pause()

        assert isinstance(app.screen, ChangesScreen)
        text = screen_text(app)
        assert "What changed in the library so far" in text
        assert "post 4 deleted" in text and "post 2 edited" in text and "grew +3" in text
        await pilot.press("down", "enter")  # the edit: the thread opens at that post
        await settled(app)
        screen = main_screen(app)
        assert screen.pane.view.current == 1
        # Looked at: the next look has nothing new.
        await pilot.press("W")
        await pilot.pause()
        assert "Nothing changed in the library since you last looked" in screen_text(app)


async def test_g_then_J_reaches_the_second_post_of_a_thread_that_fits(library: Library) -> None:
    # Opened at its first new post (post 5), a thread that fits on screen does not scroll:
    # g must still make the first post the one at hand, so J then d reach post 2.
    living_thread(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await open_next_unread(app, pilot)
        view = main_screen(app).pane.view
        assert view.max_scroll_y == 0 and view.current == 4

        await pilot.press("g", "J", "d")
        await pilot.pause()

        assert view.current == 1
        assert isinstance(app.screen, EditScreen)


def test_a_sync_that_brings_changes_tells_the_desktop_when_asked(
    cli: Cli, masto: FakeMastodon, tmp_path: Path
) -> None:
    # The reader in a real pseudo-terminal: R syncs the watched thread that grew, and the
    # terminal is sent OSC 9 and OSC 777 with the summary ([ui] notify = true).
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 3)
    assert cli("watch", masto.url_of(ids[0])).code == 0
    masto.chain(ada, 2, reply_to=ids[-1])
    cli.write_config('[network]\ntimeout = 5.0\n[media]\nkeep = "none"\n[ui]\nnotify = true\n')
    main, other = pty.openpty()
    fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**cli.env(), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_reader"], stdin=other, stdout=other, stderr=other, env=env
    )
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"Unroll" not in seen and time.monotonic() < deadline:
            seen += _read(main)
        os.write(main, b"R")
        while b"\x1b]777;" not in seen and time.monotonic() < deadline:
            seen += _read(main)
        assert b"\x1b]9;tui-reader: 1 grew\x07" in seen
        assert b"\x1b]777;notify;tui-reader;tui-reader: 1 grew\x07" in seen
        os.write(main, b"Q")
        process.wait(timeout=30)
    finally:
        process.kill()
        os.close(main)
        os.close(other)


def _read(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], 0.5)
    return os.read(fd, 1 << 16) if ready else b""


async def test_changes_and_watching_are_in_the_palette_and_hostile_titles_stay_inert(
    library: Library,
) -> None:
    from tests.screen import screen_actions
    from tui_reader.ui.commands import ReaderCommands

    hostile = "[@click=app.quit]Click[/] \x1b[31mred\x1b[0m [b]bold[/b]"
    first = [post(1, hostile), post(2, "Two.")]
    thread = Thread.from_posts("mastodon", ADA, tuple(first), "2024-11-29T10:00:00Z")
    library.store.save_thread(thread)
    library.store.set_unread([thread.id], False, "2024-11-30T10:00:00Z")
    grown = Thread.from_posts("mastodon", ADA, (*first, post(3, "Three.")), "2024-12-02T10:00:00Z")
    library.store.save_thread(grown)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await open_next_unread(app, pilot)
        provider = ReaderCommands(app.screen, None)  # type: ignore[arg-type]
        names = {name for name, _, _ in provider.commands()}
        assert {"Changes", "Watch", "What changed"} <= names

        await pilot.press("W")
        await pilot.pause()

        assert isinstance(app.screen, ChangesScreen)
        text = screen_text(app)
        assert "[@click=app.quit]Click[/]" in text and "[b]bold[/b]" in text
        assert "\x1b" not in text and screen_actions(app) == []


async def test_the_changes_and_an_edit_read_in_words_in_linear_mode(library: Library) -> None:
    from dataclasses import replace

    living_thread(library)
    config = replace(library.config, linear=True)
    app = make_app(config, library)
    async with app.run_test(size=WIDE) as pilot:
        await open_next_unread(app, pilot)
        main_screen(app).pane.view.go_to_post(1)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert "Toot 2 of 4, on engines and {+weaving+} looms." in screen_text(app)
        await pilot.press("escape", "W")
        await pilot.pause()
        text = screen_text(app)
        assert ", grew +3, @ada@social.example: Toot 1 of 4, on engines and looms." in text
        assert "post 2 edited" in text and "│" not in text and "╭" not in text
