"""Kept images drawn in the terminal's own graphics, where it has them: Kitty's graphics
protocol (its Unicode placeholders are text, so they scroll and clip with the lines) or
Sixel (pixels laid over the image's half-block rows while all of it is on screen).

Both come from the optional extra ``tui-reader[images]`` (textual-image). Which one the
terminal speaks is asked once, before the reader starts (Textual reads the terminal's
answers itself once it runs): one round trip, a millisecond or two on this machine's
terminals. Anything else, or ``[ui] images = "blocks"``, draws half blocks
(``pictures.py``)."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import select
import sys
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.segment import ControlType, Segment

if TYPE_CHECKING:
    from tui_reader.ui.widgets.drawn import Drawing

#: The longest the terminal's answer is waited for. A terminal on this machine answers in a
#: millisecond or two; over a slow link the answer must still be read here, or it would
#: reach the reader afterwards as keys ("?" would open the help). A terminal that never
#: answers costs this much of the start-up.
PROBE_SECONDS = 0.3
#: Kitty's query: "could you take this one-pixel image?", answered only by terminals that
#: speak its graphics protocol. Then the Primary Device Attributes request, which every
#: terminal answers (with 4 among its numbers where it draws Sixel): its answer coming
#: first means the graphics query went unanswered.
_KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
_ATTRIBUTES_QUERY = "\x1b[c"
_ATTRIBUTES = re.compile(rb"\x1b\[\?([0-9;]*)c")
_KITTY_OK = b"\x1b_Gi=31;OK"
#: Where textual-image reads the size of a cell in pixels when it sees no terminal.
_CELL_VARIABLES = ("TEXTUAL_CELL_WIDTH", "TEXTUAL_CELL_HEIGHT")


class Answer(NamedTuple):
    """What the terminal said it draws: ``"kitty"``, ``"sixel"`` or ``""``, and the size
    of a cell in pixels."""

    kind: str
    cell: tuple[int, int]


#: How kept images are drawn in this run (empty: half blocks).
_drawing: list[Any] = []
#: What the terminal said it draws, until the extra is loaded to draw it.
_asked: list[Answer] = []


def have_extra() -> bool:
    """textual-image is installed (found without importing it)."""
    return importlib.util.find_spec("textual_image") is not None


def probe(fd_in: int, fd_out: int, timeout: float = PROBE_SECONDS) -> Answer:
    """Ask the terminal on ``fd_in``/``fd_out`` which graphics it draws; ``""`` when it
    draws none or does not answer in ``timeout`` seconds."""
    import termios
    import tty

    cell = _cell_size(fd_out)
    try:
        saved = termios.tcgetattr(fd_in)
    except termios.error:
        return Answer("", cell)
    heard = b""
    try:
        # Answers are read as they come, not echoed, and never wait for a newline.
        tty.setcbreak(fd_in, termios.TCSANOW)
        os.write(fd_out, (_KITTY_QUERY + _ATTRIBUTES_QUERY).encode())
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([fd_in], [], [], left)
            if not ready:
                break
            heard += os.read(fd_in, 1024)
            if _ATTRIBUTES.search(heard) or len(heard) > 4096:
                break
    except OSError:
        return Answer("", cell)
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    found = _ATTRIBUTES.search(heard)
    if found is None:
        return Answer("", cell)
    # Sixel first: Konsole and WezTerm answer Kitty's query but draw Sixel, not its
    # placeholders; kitty itself draws no Sixel.
    if "4" in found.group(1).decode().split(";"):
        return Answer("sixel", cell)
    if _KITTY_OK in heard[: found.start()]:
        return Answer("kitty", cell)
    return Answer("", cell)


def _cell_size(fd: int) -> tuple[int, int]:
    """A cell's width and height in pixels, as the terminal reports its size (10 × 20, a
    VT340's, when it does not)."""
    import fcntl
    import struct
    import termios

    try:
        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        rows, columns, width, height = struct.unpack("HHHH", packed)
    except OSError:
        return (10, 20)
    if rows and columns and width and height:
        return (max(1, width // columns), max(1, height // rows))
    return (10, 20)


def start(images: str, *, linear: bool) -> str:
    """Before the reader starts: find how this terminal draws images (``[ui] images``
    "auto" only, with the extra installed, on a terminal). Which way was found ("" for
    half blocks)."""
    _drawing.clear()
    _asked.clear()
    # NO_COLOR: Kitty's placeholders are told apart by their colour, and pixels would be
    # colour where none was asked for.
    if images != "auto" or linear or os.environ.get("NO_COLOR") is not None:
        return ""
    if not have_extra():
        return ""
    if not (sys.stdin.isatty() and sys.stdout.isatty()) or os.environ.get("TERM") == "dumb":
        return ""
    answer = probe(sys.stdin.fileno(), sys.stdout.fileno())
    if answer.kind:
        # The extra loads when a thread with images is first drawn, not before the reader.
        _asked.append(answer)
    return answer.kind


def use(kind: str, cell: tuple[int, int] = (10, 20)) -> bool:
    """Draw kept images in ``kind`` ("kitty" or "sixel") from now on, cells being ``cell``
    pixels; ``""`` goes back to half blocks. Whether the extra could draw them."""
    _drawing.clear()
    _asked.clear()
    if not kind:
        return False
    # textual-image asks the terminal again as it loads, waiting 0.1 s for each answer:
    # with the reader running, Textual would take the answers as keys (and before it, one
    # that came late would). The terminal was asked already: textual-image is shown no
    # terminal while it loads (Textual writes to standard error, not output), and takes
    # the cell's size from where it reads a web terminal's.
    real, sys.__stdout__ = sys.__stdout__, io.StringIO()  # type: ignore[assignment,misc]
    saved = {name: os.environ.get(name) for name in _CELL_VARIABLES}
    os.environ.update(zip(_CELL_VARIABLES, map(str, cell), strict=True))
    try:
        import textual_image.widget  # noqa: F401
        from textual_image.renderable import SixelImage, TGPImage
    except Exception:  # noqa: BLE001 - a broken extra leaves the half blocks, never a crash
        return False
    finally:
        sys.__stdout__ = real  # type: ignore[misc]
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    from tui_reader.ui.widgets.drawn import Drawing

    renderable = SixelImage if kind == "sixel" else TGPImage
    _drawing.append(Drawing(kind, cell, renderable))
    return True


def finish() -> None:
    """After the reader: the terminal forgets the images it was sent (Kitty keeps them
    until told), and Sixel's worker stops."""
    if _drawing:
        _drawing.pop().close()
    _asked.clear()


def drawing() -> Drawing | None:
    """How kept images are drawn in graphics this run (``None``: half blocks); the first
    call after the terminal said it draws some loads the extra."""
    if _asked:
        answer = _asked.pop()
        use(answer.kind, answer.cell)
    return _drawing[0] if _drawing else None


def sixel_segment(data: str, rows: int, across: int) -> Segment:
    """What draws a Sixel image of ``rows`` rows from the start of the line under it,
    ``across`` cells in: the cursor kept, moved up to the image's first row and across, the
    pixels, the cursor put back (Textual goes on writing the line where it began). It takes
    no cells."""
    moves = f"\x1b[{rows}A" + (f"\x1b[{across}C" if across else "")
    return Segment(f"\x1b7{moves}{data}\x1b8", None, [(ControlType.CURSOR_FORWARD, 0)])
