"""A reader for everyone: linear mode (one pane of plain lines, the terminal cursor on what is
read), NO_COLOR, and plain output. The cursor is checked in Textual (its cursor_position) and
where a real terminal reports it (tmux, where installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reader_data import HOSTILE, fill
from tests.reading import Reading, main_screen
from tests.screen import screen_lines, screen_text, settle
from tui_reader.config import Config
from tui_reader.library import Library
from tui_reader.linear import linear_thread, thread_row
from tui_reader.store import Store
from tui_reader.ui.app import make_app
from tui_reader.ui.terminal import without_colours
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadView

#: Box drawing and block elements: none may be on a linear screen.
DRAWN = re.compile("[\u2500-\u259f]")
#: An SGR sequence.
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colours(drawn: str) -> list[str]:
    """The SGR sequences in ``drawn`` that set a colour (foreground, background, 256 or true
    colour). 39 and 49 put the terminal's own colours back: not a colour (tmux writes them
    itself when it reports a screen)."""
    found = []
    for match in SGR.finditer(drawn):
        codes = [int(code) for code in match.group(1).replace(":", ";").split(";") if code]
        if any(30 <= c <= 38 or 40 <= c <= 48 or 90 <= c <= 97 or 100 <= c <= 107 for c in codes):
            found.append(match.group(0))
    return found


SIZES = [(80, 24), (120, 40)]


@pytest.fixture(params=SIZES, ids=["80x24", "120x40"])
async def linear(request: pytest.FixtureRequest, library: Library) -> AsyncIterator[Reading]:
    """The reader in linear mode on the filled library, at 80×24 and at 120×40."""
    threads = fill(library)
    library.config = replace(library.config, linear=True)
    app = make_app(library.config, library)
    async with app.run_test(size=request.param) as pilot:
        await pilot.pause()
        yield Reading(app, pilot, threads)


def cursor_line(reading: Reading) -> str:
    """The screen's line where the terminal cursor is, from its start."""
    position = reading.app.cursor_position
    return screen_lines(reading.app)[position.y][position.x :]


def assert_plain(reading: Reading) -> None:
    text = screen_text(reading.app)
    assert not DRAWN.findall(text), DRAWN.findall(text)[:5]
    for mark in ("●", "○", "⚠", "▏", "≡"):
        assert mark not in text


async def test_linear_mode_is_one_pane_of_plain_lines_the_cursor_on_each_row(
    linear: Reading,
) -> None:
    app, pilot = linear.app, linear.pilot
    assert_plain(linear)
    # The authors: one entry a line, in words; the cursor at the highlighted one.
    assert cursor_line(linear).startswith("All threads, 3 threads")
    await pilot.press("j", "j")
    await settle(pilot, lambda: cursor_line(linear).startswith("Alice Liddell, @alice"))
    # The threads, alone on the screen (the authors are not drawn beside them).
    await pilot.press("l")
    await settle(pilot, lambda: app.screen.focused is app.screen.query_one(FeedList))
    assert "Alice Liddell, @alice" not in screen_text(app)
    assert_plain(linear)
    await settle(pilot, lambda: cursor_line(linear).startswith("unread, 5 posts, 3 May 2024"))
    row = thread_row(app.library.summary(linear.threads["tea"].id))  # type: ignore[arg-type]
    assert " ".join(screen_text(app).split()).count(row[:60]) == 1
    await pilot.press("j")
    await settle(pilot, lambda: cursor_line(linear).startswith("unread, 300 posts"))


async def test_a_thread_in_linear_mode_reads_post_by_post_with_the_cursor(
    linear: Reading,
) -> None:
    app, pilot = linear.app, linear.pilot
    main_screen(app).open_thread(linear.threads["tea"].id)
    await settle(pilot, lambda: cursor_line(linear).startswith("Post 1 of 5, Alice Liddell:"))
    assert_plain(linear)
    text = screen_text(app)
    assert "Thread by Alice Liddell (@alice.bsky.social), 5 posts" in text
    # Every post begins with where it is and who wrote it; an image by its description.
    assert [int(n) for n in re.findall(r"^Post (\d) of 5, Alice Liddell:", text, re.M)] == [
        1,
        2,
        3,
        4,
        5,
    ][: len(re.findall(r"^Post \d", text, re.M))]
    assert "Image: A chart of boiling points" in text
    assert "Quoting @bob.bsky.social: Kettles lie." in text
    # The cursor follows J and K (a post's first row), and n to the next unread thread.
    for key, expected in (("J", 2), ("J", 3), ("K", 2)):
        await pilot.press(key)
        await settle(pilot, lambda e=expected: cursor_line(linear).startswith(f"Post {e} of 5,"))  # type: ignore[misc]
    await pilot.press("n")
    await settle(
        pilot, lambda: cursor_line(linear).startswith("Post ") and "of 300" in cursor_line(linear)
    )
    assert_plain(linear)


async def test_a_post_s_links_are_read_with_the_cursor_and_back_leads_to_the_post(
    linear: Reading,
) -> None:
    app, pilot = linear.app, linear.pilot
    main_screen(app).open_thread(linear.threads["tea"].id)
    await pilot.pause()
    app.screen.query_one(ThreadView).go_to_post(1)
    await settle(pilot, lambda: cursor_line(linear).startswith("Post 2 of 5,"))
    await pilot.press("L")
    await settle(pilot, lambda: "Links in this post" in screen_text(app))
    assert not DRAWN.findall(screen_text(app))
    await settle(pilot, lambda: cursor_line(linear).lstrip().startswith("1"))
    await pilot.press("escape")
    await settle(pilot, lambda: cursor_line(linear).startswith("Post 2 of 5,"))


async def test_hostile_text_stays_inert_in_linear_mode(linear: Reading) -> None:
    app, pilot = linear.app, linear.pilot
    main_screen(app).open_thread(linear.threads["tea"].id)
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    view.go_to_post(3)
    await settle(pilot, lambda: cursor_line(linear).startswith("Post 4 of 5,"))
    text = screen_text(app)
    assert "[bold]not bold[/bold] [@click=app.quit]click me[/]" in text
    assert "\x1b" not in text and "␛[31mred" in text
    assert HOSTILE not in text  # the escape characters are shown, not sent


async def test_notifications_are_a_line_the_cursor_can_reach_and_no_toast(linear: Reading) -> None:
    app, pilot = linear.app, linear.pilot
    main_screen(app).open_thread(linear.threads["tea"].id)
    await pilot.pause()
    await pilot.press("m")
    await settle(pilot, lambda: "Marked read." in screen_lines(app)[-1])
    assert not app.query("Toast")


async def test_help_and_dialogs_in_linear_mode_draw_no_frames(linear: Reading) -> None:
    app, pilot = linear.app, linear.pilot
    for key, words in (
        ("question_mark", "every key, as bound now"),
        ("u", "Unroll a thread"),
        ("f", "Follow an author"),
        ("slash", "Search the library"),
        ("ctrl+p", "Search for commands"),
    ):
        await pilot.press(key)
        await settle(pilot, lambda w=words: w in screen_text(app))  # type: ignore[misc]
        assert not DRAWN.findall(screen_text(app)), key
        assert "●" not in screen_text(app)  # the legend of marks is for the drawn lists
        await pilot.press("escape")
        await pilot.pause()


async def test_a_high_contrast_theme_ships(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    assert "tui-reader-high-contrast" in app.available_themes
    app.theme = "tui-reader-high-contrast"
    await pilot.pause()
    assert app.current_theme.background == "#000000"
    assert app.current_theme.foreground == "#ffffff"


def test_no_color_reaches_the_command_line_too(cli: object, tmp_path: Path) -> None:
    # threads on a terminal draws a table in colour; with NO_COLOR, in none.
    import pty

    from tests.conftest import Cli

    assert isinstance(cli, Cli)
    library = Library(Config(), Store(cli.data_dir / "library.sqlite3"))
    fill(library)
    library.close()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUI_READER")}
    env.update(
        TUI_READER_DATA_DIR=str(cli.data_dir), TUI_READER_CONFIG=str(cli.config_path), TERM="xterm"
    )

    def drawn(extra: dict[str, str]) -> str:
        env.pop("NO_COLOR", None)
        env.update(extra)
        main, other = pty.openpty()
        try:
            subprocess.run(
                [sys.executable, "-m", "tui_reader", "threads"],
                stdin=other,
                stdout=other,
                stderr=other,
                env={**env, "FORCE_COLOR": "1"},
                timeout=60,
                check=True,
            )
            return os.read(main, 1 << 16).decode("utf-8", "replace")
        finally:
            os.close(main)
            os.close(other)

    assert colours(drawn({})), "the check sees the colours there are"
    plain = drawn({"NO_COLOR": "1"})
    assert "bluesky:at://did:plc:" in plain and not colours(plain)


def test_read_plain_is_linear_mode_s_text(cli: object, tmp_path: Path) -> None:
    from tests.conftest import Cli

    assert isinstance(cli, Cli)
    store = Store(cli.data_dir / "library.sqlite3")
    library = Library(Config(), store)
    threads = fill(library)
    tea = library.summary(threads["tea"].id)
    store.close()
    assert tea is not None
    result = cli("--offline", "read", "--plain", threads["tea"].id)
    assert result.code == 0, result.err
    assert result.out == linear_thread(threads["tea"])
    assert "Post 2 of 5, Alice Liddell:\n" in result.out
    assert "Image: A chart of boiling points\n" in result.out
    assert "\x1b" not in result.out
    listed = cli("threads", "--plain")
    assert listed.code == 0
    assert listed.out.splitlines()[0] == f"#{tea.number} {thread_row(tea)}"


async def test_plain_output_and_the_linear_thread_say_the_same_words(linear: Reading) -> None:
    app, pilot = linear.app, linear.pilot
    thread = linear.threads["tea"]
    main_screen(app).open_thread(thread.id)
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    view.wrap_all()
    shown = "\n".join(
        "".join(segment.text for segment in view.wrapped.line_segments(index))
        for index in range(len(view.wrapped.lines))
    )
    plain = linear_thread(thread).split("\n\n", 1)[1]  # the posts, after the heading
    assert shown.split() == plain.split()


def test_no_colour_escape_survives_no_color() -> None:
    coloured = "\x1b[1;38;2;10;20;30;48;5;200mhi\x1b[0m\x1b[31mred\x1b[7;90mx\x1b[m"
    plain = without_colours(coloured)
    assert plain == "\x1b[1mhi\x1b[0mred\x1b[7mx\x1b[m"
    assert not colours(plain) and colours(coloured)


# A real terminal: tmux runs the reader, and says where its cursor is -----------------------

TMUX = shutil.which("tmux")


def _tmux(*args: str) -> str:
    assert TMUX is not None
    return subprocess.run(
        [TMUX, "-L", "tui-reader-tests", *args], capture_output=True, text=True, check=True
    ).stdout


def _wait_for(check: object, seconds: float = 20.0) -> None:
    assert callable(check)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    assert check()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
@pytest.mark.parametrize("env_extra", [{}, {"NO_COLOR": "1"}], ids=["colour", "NO_COLOR"])
def test_a_real_terminal_reports_the_cursor_on_the_post_being_read(
    tmp_path: Path, env_extra: dict[str, str]
) -> None:
    data = tmp_path / "data"
    library = Library(Config(), Store(data / "library.sqlite3"))
    threads = fill(library)
    library.close()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUI_READER")}
    env.pop("NO_COLOR", None)
    env.update(
        TUI_READER_DATA_DIR=str(data),
        TUI_READER_CONFIG=str(tmp_path / "config.toml"),
        TERM="xterm-256color",
        **env_extra,
    )
    session = f"t{os.getpid()}{len(env_extra)}"
    command = f"{sys.executable} -m tui_reader --offline --linear read {threads['tea'].id}"
    _tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "100",
        "-y",
        "30",
        *[arg for key, value in env.items() for arg in ("-e", f"{key}={value}")],
        command,
    )
    try:

        def screen() -> list[str]:
            return _tmux("capture-pane", "-p", "-t", session).splitlines()

        def cursor() -> tuple[int, int]:
            x, y = _tmux("display", "-p", "-t", session, "#{cursor_x} #{cursor_y}").split()
            return int(x), int(y)

        def on(post: int) -> bool:
            x, y = cursor()
            lines = screen()
            return y < len(lines) and lines[y][x:].startswith(f"Post {post} of 5, Alice Liddell:")

        _wait_for(lambda: on(1))
        assert _tmux("display", "-p", "-t", session, "#{cursor_flag}").strip() == "1"
        assert not DRAWN.findall("\n".join(screen()))
        for key, post in (("J", 2), ("J", 3), ("K", 2)):
            _tmux("send-keys", "-t", session, key)
            _wait_for(lambda p=post: on(p))  # type: ignore[misc]
        if env_extra:
            drawn = _tmux("capture-pane", "-p", "-e", "-t", session)
            assert not colours(drawn), colours(drawn)[:3]
    finally:
        _tmux("kill-session", "-t", session)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
def test_the_demo_opens_in_linear_mode_when_asked(tmp_path: Path) -> None:
    # --demo --linear drew the usual panes: the demo's own settings left --linear out.
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUI_READER")}
    env.pop("NO_COLOR", None)
    env.update(TUI_READER_CONFIG=str(tmp_path / "config.toml"), TERM="xterm-256color")
    session = f"demo{os.getpid()}"
    _tmux(
        "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
        *[arg for key, value in env.items() for arg in ("-e", f"{key}={value}")],
        f"{sys.executable} -m tui_reader --demo --linear",
    )  # fmt: skip
    try:

        def screen() -> str:
            return _tmux("capture-pane", "-p", "-t", session)

        _wait_for(lambda: "All threads, " in screen(), 60)
        assert not DRAWN.findall(screen())
    finally:
        _tmux("kill-session", "-t", session)
