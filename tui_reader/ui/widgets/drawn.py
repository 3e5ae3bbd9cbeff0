"""Kept images drawn in the terminal's own graphics (``graphics.py`` finds which): made
once per image and size, Kitty's as rows of its placeholders, Sixel's pixels in the
background over rows of half blocks. Loaded with the images extra, when a thread with
images is first drawn."""

from __future__ import annotations

import io
import sys
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style

from tui_reader.ui.widgets.pictures import Row, block_rows, fitted

#: Images drawn and kept for drawing again; the terminal's copies of older ones are freed.
MAX_CACHED = 64


@dataclass(eq=False)
class Picture:
    """A kept image drawn: its rows of cells (``columns`` wide), and for Sixel the pixels
    laid over them (``sixel``, made in the background the first time they are wanted)."""

    rows: list[Row]
    columns: int
    #: Sixel: the image, scaled to its cells, until its pixels are made.
    image: Any = None
    sixel: str = ""
    #: Its pixels have been asked for (they are being made, or could not be).
    asked: bool = False


class Drawing:
    """Kept images in the terminal's graphics, made once per image and size."""

    def __init__(self, kind: str, cell: tuple[int, int], renderable: Any) -> None:
        self.kind = kind
        self.cell = cell
        self._renderable = renderable
        self._cache: OrderedDict[tuple[str, int, int], tuple[Picture, Any]] = OrderedDict()
        self._worker: ThreadPoolExecutor | None = None

    def picture(self, path: str, columns: int, max_rows: int) -> Picture | None:
        """The image at ``path`` in at most ``columns`` × ``max_rows`` cells; ``None`` when
        it cannot be read."""
        key = (path, columns, max_rows)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found[0]
        try:
            made = self._make(path, max(1, columns), max(1, max_rows))
        except Exception:  # noqa: BLE001 - another release of the extra: half blocks instead
            made = None
        if made is None:
            return None
        self._cache[key] = made
        if len(self._cache) > MAX_CACHED:
            _, (_, renderable) = self._cache.popitem(last=False)
            _forget(renderable)
        return made[0]

    def _make(self, path: str, columns: int, max_rows: int) -> tuple[Picture, Any] | None:
        cell_w, cell_h = self.cell
        image = fitted(path, columns * cell_w, max_rows * cell_h)
        if image is None:
            return None
        width, height = image.size
        cols = max(1, min(columns, round(width / cell_w)))
        rows = max(1, min(max_rows, round(height / cell_h)))
        if self.kind == "sixel":
            # The pixels go over half blocks of the same cells: they show while the image
            # is cut by the pane's edge or its pixels are being made, and nothing of the
            # text under it ever shows.
            under = block_rows(image.resize((cols, 2 * rows)))
            return Picture(under, cols, image=image), None
        # Kitty: each row is placeholder characters whose colour names the image; it is
        # sent to the terminal as it is made (PNG, in C: a few milliseconds).
        renderable = self._renderable(image, width=cols, height=rows)
        lines: list[Row] = []
        for segment in _rendered(renderable, cols, rows):
            for line in segment.text.split("\n"):
                if line:
                    lines.append([(line, segment.style or Style())])
        return Picture(lines, cols), renderable

    def close(self) -> None:
        """Free the terminal's copies of the images sent to it, and stop the worker."""
        for _, renderable in self._cache.values():
            _forget(renderable)
        self._cache.clear()
        if self._worker is not None:
            self._worker.shutdown(cancel_futures=True)
            self._worker = None

    def sixel(self, picture: Picture, ready: Callable[[], None]) -> str:
        """``picture``'s Sixel pixels; ``""`` while they are made, in the background (a
        20-30 ms encoding in Python, too long for a step of scrolling): ``ready`` is then
        called from there."""
        if picture.sixel or picture.image is None or picture.asked:
            return picture.sixel
        picture.asked = True
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="sixel")
        self._worker.submit(self._encode, picture, ready)
        return ""

    def _encode(self, picture: Picture, ready: Callable[[], None]) -> None:
        rows = len(picture.rows)
        renderable = self._renderable(picture.image, width=picture.columns, height=rows)
        segments = _rendered(renderable, picture.columns, rows)
        picture.sixel = next((s.text for s in segments if s.text.startswith("\x1bP")), "")
        picture.image = None
        if picture.sixel:
            ready()


def _forget(renderable: Any) -> None:
    """Kitty: the terminal frees its copy of the image ``renderable`` sent it (its data, not
    only where it was placed: Kitty keeps an image until told, up to its quota)."""
    number = getattr(renderable, "terminal_image_id", None)
    if number and sys.__stdout__ is not None:
        # Written where textual-image sent the image.
        sys.__stdout__.write(f"\x1b_Ga=d,d=I,i={number},q=2\x1b\\")
        sys.__stdout__.flush()


def _rendered(renderable: Any, columns: int, rows: int) -> list[Segment]:
    """What textual-image's ``renderable`` draws in ``columns`` × ``rows`` cells."""
    console = Console(file=io.StringIO(), width=columns, height=rows, color_system="truecolor")
    return list(console.render(renderable, console.options.update(width=columns, height=rows)))
