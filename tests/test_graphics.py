"""Kept images in the terminal's own graphics (the ``images`` extra: Kitty's graphics
protocol or Sixel). The reader runs in a real pseudo-terminal played by the test, which
answers the terminal's queries as a Sixel terminal, kitty, a plain terminal, or one that
never answers; the bytes the reader writes are what is checked."""

from __future__ import annotations

import os
import pty
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.fake_bluesky import FakeAppView
from tests.server import FakeServer, Reply
from tests.terminal import Terminal
from tests.test_media import keeping_images, picture, thread_with_images, with_kept_image
from tui_reader.library import Library
from tui_reader.ui import graphics

#: The reader's own question, written once before the screen is taken over.
KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
ALTERNATE_SCREEN = b"\x1b[?1049h"
HALF_BLOCK = "▀".encode()
#: A Sixel image whole: from its start (DCS … q) to its end (ST) and the cursor put back.
SIXEL = re.compile(rb"\x1bP[0-9;]*q[^\x1b]*\x1b\\\x1b8")


@pytest.fixture
def kept(cli: Cli, appview: FakeAppView, server: FakeServer) -> str:
    """A thread whose first post has a kept 64 × 48 orange image; the network off after."""
    png = picture("PNG", (64, 48), "orange")
    server.route("/img/o.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    url = thread_with_images(appview, server, ["/img/o.png"])
    keeping_images(cli)
    assert cli("unroll", url).code == 0
    server.stop()
    return url


def reader(cli: Cli, url: str, kind: str) -> Terminal:
    """The reader opened on ``url`` in a terminal answering as ``kind``, in colour."""
    env = cli.env()
    env.pop("NO_COLOR", None)
    return Terminal(["--offline", "read", url], env, kind)


def started(output: bytes) -> bool:
    return b"alt 0" in output


def test_a_sixel_terminal_gets_the_image_as_sixel_over_its_rows(cli: Cli, kept: str) -> None:
    term = reader(cli, kept, "sixel")
    try:
        output = term.until(lambda o: started(o) and SIXEL.search(o) is not None)
    finally:
        term.close()
    # Asked once, before the reader took the screen (the extra asks nothing more).
    assert output.count(KITTY_QUERY) == 1 and output.count(b"\x1b[c") == 1
    assert output.index(KITTY_QUERY) < output.index(ALTERNATE_SCREEN)
    # 64 × 48 pixels in cells of 8 × 16: 8 columns and 3 rows, drawn from the line under
    # them (up 3, then across the number margin), and the cursor put back after them.
    drawn = rb"\x1b7\x1b\[3A\x1b\[\d+C\x1bP[0-9;]*q\"1;1;64;48[^\x1b]*\x1b\\\x1b8"
    assert re.search(drawn, output) is not None, SIXEL.search(output)
    # Under the pixels, the same cells in half blocks (shown while the image is cut).
    assert output.count(HALF_BLOCK) >= 8 * 3


def test_kitty_gets_the_image_once_and_placeholders_in_its_rows(cli: Cli, kept: str) -> None:
    term = reader(cli, kept, "kitty")
    try:
        term.until(lambda o: started(o) and "\U0010eeee".encode() in o)
    finally:
        term.close()
    output = term.output
    placed = re.search(rb"\x1b_Ga=p,i=(\d+),c=8,r=3,U=1,q=2\x1b\\", output)
    assert placed is not None
    number = int(placed.group(1))
    # Sent once, as PNG, before it is placed.
    sent = re.findall(rb"\x1b_Gi=%d,m=(\d),f=100" % number, output)
    assert sent and sent[-1] == b"0" and output.index(b"i=%d,m=" % number) < placed.start()
    # Each of the 3 rows is 8 placeholders whose colour is the image's number.
    colour = b"38;2;%d;%d;%d" % ((number >> 16) & 255, (number >> 8) & 255, number & 255)
    rows = re.findall(colour + rb"[;0-9]*m([^\x1b]*)", output)
    assert len(rows) >= 3
    assert all(row.decode().count("\U0010eeee") == 8 for row in rows[:3])
    assert b"\x1bP" not in output  # no Sixel to a terminal that draws none
    # Once the reader has quit, the terminal is told to forget the image (Kitty keeps it).
    forget = b"\x1b_Ga=d,d=I,i=%d,q=2\x1b\\" % number
    assert output.rindex(forget) > output.rindex(b"\x1b[?1049l")


@pytest.mark.parametrize("kind", ["plain", "mute"])
def test_a_terminal_without_graphics_gets_half_blocks(cli: Cli, kept: str, kind: str) -> None:
    term = reader(cli, kept, kind)
    try:
        output = term.until(lambda o: started(o) and HALF_BLOCK in o)
    finally:
        term.close()
    assert output.count(KITTY_QUERY) == 1 and output.count(b"\x1b[c") == 1
    assert b"\x1bP" not in output and b"U=1" not in output


def test_images_set_to_blocks_ask_the_terminal_nothing(cli: Cli, kept: str) -> None:
    config = cli.config_path.read_text("utf-8")
    cli.write_config(config + '\n[ui]\nimages = "blocks"\n')
    term = reader(cli, kept, "sixel")
    try:
        output = term.until(lambda o: started(o) and HALF_BLOCK in o)
    finally:
        term.close()
    assert KITTY_QUERY not in output and b"\x1b[c" not in output and b"\x1bP" not in output


def test_no_color_asks_the_terminal_nothing(cli: Cli, kept: str) -> None:
    # Kitty's placeholders are told apart by their colour, and pixels are colour.
    term = Terminal(["--offline", "read", kept], cli.env(), "sixel")
    try:
        output = term.until(lambda o: b"/img/o.png" in o)
    finally:
        term.close()
    assert KITTY_QUERY not in output and b"\x1bP" not in output
    # A picture without its colours would be a grey block: its words instead.
    assert HALF_BLOCK not in output


# The question itself, against a pseudo-terminal's other end ---------------------------


@pytest.fixture
def pair() -> Iterator[tuple[int, int]]:
    main, other = pty.openpty()
    yield main, other
    os.close(main)
    os.close(other)


def _answer(fd: int, answer: bytes) -> threading.Thread:
    """Answer the reader's question with ``answer`` as soon as it is asked."""

    def run() -> None:
        heard = b""
        while b"\x1b[c" not in heard:
            heard += os.read(fd, 1024)
        if answer:
            os.write(fd, answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (b"\x1b[?62;4;22c", "sixel"),
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c", "kitty"),
        # kitty that also said Sixel: Sixel (WezTerm and Konsole answer both).
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4c", "sixel"),
        (b"\x1b[?62;22c", ""),
        # An answer to the graphics query after the attributes is not one to this query.
        (b"\x1b[?62;22c\x1b_Gi=31;OK\x1b\\", ""),
        (b"", ""),
    ],
)
def test_the_terminal_is_asked_once_what_it_draws(
    pair: tuple[int, int], answer: bytes, kind: str
) -> None:
    main, other = pair
    _answer(main, answer)
    assert graphics.probe(other, other, timeout=0.5).kind == kind


def test_a_terminal_that_floods_its_answer_gets_half_blocks(pair: tuple[int, int]) -> None:
    main, other = pair
    stop = threading.Event()

    def flood() -> None:
        heard = b""
        while b"\x1b[c" not in heard:
            heard += os.read(main, 1024)
        os.set_blocking(main, False)
        while not stop.is_set():
            try:
                os.write(main, b"\x1b[?" + b"9" * 1000)
            except BlockingIOError:
                time.sleep(0.001)

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    try:
        # It never says where its answer ends: the question is given up, not waited on.
        assert graphics.probe(other, other, timeout=0.5).kind == ""
    finally:
        stop.set()
        thread.join()


def test_the_cell_size_is_the_terminal_s_own_or_a_vt340_s(tmp_path: Path) -> None:
    import fcntl
    import struct
    import termios

    main, other = pty.openpty()
    try:
        fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 900, 600))
        assert graphics.probe(other, other, timeout=0.01).cell == (9, 20)
        fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        assert graphics.probe(other, other, timeout=0.01).cell == (10, 20)
    finally:
        os.close(main)
        os.close(other)


# Where the Sixel pixels go, in the reader itself ------------------------------------


@pytest.fixture
def sixel() -> Iterator[None]:
    """Draw in Sixel, as after a terminal said it does (cells of 8 × 16 pixels)."""
    assert graphics.use("sixel", (8, 16))
    yield
    graphics.use("")


def sixel_rows(view: Any) -> list[int]:
    """The rows of the view whose drawing lays Sixel pixels."""
    return [
        y
        for y in range(view.scrollable_content_region.height)
        if any(segment.text.startswith("\x1b7") for segment in view.render_line(y))
    ]


async def test_sixel_pixels_are_laid_only_while_all_the_image_is_in_view(
    library: Library, appview: FakeAppView, server: FakeServer, sixel: None
) -> None:
    from tests.reading import main_screen, thread_lines
    from tests.screen import settle
    from tui_reader.ui.app import make_app
    from tui_reader.ui.widgets.thread_view import ThreadView

    thread = await with_kept_image(library, appview, server, (64, 48))
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 20)) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        lines = thread_lines(view).splitlines()
        under = next(n for n, line in enumerate(lines) if line.strip() == "alt 0")
        # The pixels are laid from the line under the image, the half blocks above it,
        # once they are made (in the background: the half blocks show until then).
        await settle(pilot, lambda: sixel_rows(view) == [under])
        assert all(lines[under - n].strip() == "▀" * 8 for n in (1, 2, 3))
        # The image cut by the top of the pane (five rows tall): only its half blocks.
        assert view.scrollable_content_region.height == 5
        view.scroll_to(y=2, animate=False)
        await pilot.pause()
        assert view.scroll_y == 2
        assert sixel_rows(view) == []
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        assert sixel_rows(view) == [under]
        # Another screen over the thread: nothing drawn over it.
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is not view.screen
        assert sixel_rows(view) == []
