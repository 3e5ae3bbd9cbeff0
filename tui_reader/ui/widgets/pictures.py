"""Kept images drawn in the thread, in any terminal: each cell an upper half block whose
foreground is one pixel and background the pixel under it. Read from the library's files
only (never the network), scaled to the text's width and a few rows, and cached."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rich.style import Style

#: One row of an image: runs of half blocks, each with its style.
Row = list[tuple[str, Style]]
#: Images drawn and kept for drawing again (a thread is wrapped again on every resize).
MAX_CACHED = 64
_cache: OrderedDict[tuple[str, int, int], list[Row]] = OrderedDict()


def picture_rows(path: str, columns: int, max_rows: int) -> list[Row]:
    """The image at ``path`` as at most ``max_rows`` rows of at most ``columns`` cells; no
    rows when it cannot be read."""
    key = (path, columns, max_rows)
    found = _cache.get(key)
    if found is not None:
        _cache.move_to_end(key)
        return found
    rows = _draw(path, max(1, columns), max(1, max_rows))
    _cache[key] = rows
    if len(_cache) > MAX_CACHED:
        _cache.popitem(last=False)
    return rows


def _draw(path: str, columns: int, max_rows: int) -> list[Row]:
    # A cell is a pixel wide and two tall: the image keeps its shape.
    small = fitted(path, columns, 2 * max_rows, even=True)
    return [] if small is None else block_rows(small)


def fitted(path: str, max_width: int, max_height: int, *, even: bool = False) -> Any:
    """The image at ``path`` as RGB pixels, scaled down (never up) to fit ``max_width`` ×
    ``max_height`` (to an even height with ``even``); ``None`` when it cannot be read."""
    # Pillow loads with the first thread that has a kept image, not at start-up.
    from PIL import Image

    try:
        with Image.open(path) as opened:
            width, height = opened.size
            target_w = min(max_width, width)
            target_h = max(1, round(target_w * height / width))
            if target_h > max_height:
                target_h = max_height
                target_w = max(1, round(target_h * width / height))
            if even:
                target_h += target_h % 2
            # JPEG decodes straight to a smaller size: a large photo costs no more.
            opened.draft("RGB", (target_w, target_h))
            return opened.convert("RGB").resize((target_w, target_h), Image.Resampling.BOX)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def block_rows(image: Any) -> list[Row]:
    """An RGB image of an even height as rows of half blocks, a pixel a half cell."""
    width, height = image.size
    pixels = image.load()
    rows: list[Row] = []
    for y in range(0, height - 1, 2):
        row: Row = []
        last: tuple[object, object] | None = None
        for x in range(width):
            top, bottom = pixels[x, y], pixels[x, y + 1]
            if (top, bottom) == last:
                text, style = row[-1]
                row[-1] = (text + "▀", style)
                continue
            last = (top, bottom)
            row.append(("▀", Style(color=_hex(top), bgcolor=_hex(bottom))))
        rows.append(row)
    return rows


def _hex(pixel: object) -> str:
    red, green, blue = pixel[:3]  # type: ignore[index]
    return f"#{red:02x}{green:02x}{blue:02x}"
