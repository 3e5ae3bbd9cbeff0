"""The demo's images, drawn with Pillow when the demo is built (no image file is shipped, and
nothing is fetched): a tabulating press, a tide table, a town map, a chart. Served to the
demo's fetcher as if recorded, so they are kept by the same code as real images."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from PIL import Image, ImageDraw


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def press() -> bytes:
    """A tabulating press: a dark lid over rows of mercury cups, on a warm gradient."""
    image = Image.new("RGB", (240, 160))
    draw = ImageDraw.Draw(image)
    for y in range(160):
        draw.line([(0, y), (240, y)], fill=(120 + y // 3, 90 + y // 4, 60 + y // 5))
    draw.rectangle([30, 20, 210, 60], fill=(40, 40, 48))
    for row in range(3):
        for column in range(8):
            x, y = 40 + column * 21, 80 + row * 22
            draw.ellipse([x, y, x + 14, y + 14], fill=(190, 195, 205), outline=(60, 60, 70))
    return _jpeg(image)


def tide_table() -> bytes:
    """A week's tide curve: high and low waters over seven days."""
    image = Image.new("RGB", (280, 140), (244, 248, 252))
    draw = ImageDraw.Draw(image)
    for day in range(8):
        draw.line([(day * 40, 0), (day * 40, 140)], fill=(210, 220, 230))
    # Two tides a day, a little over twelve hours apart, for seven days.
    points = [(x, 70 - 45 * math.sin(x / 280 * 7 * 2 * math.pi / 1.93)) for x in range(280)]
    draw.line(points, fill=(30, 90, 170), width=3)
    return _png(image)


def town_map() -> bytes:
    """A town plan: streets built (dark) and planned but never built (dashed red)."""
    image = Image.new("RGB", (240, 180), (236, 228, 208))
    draw = ImageDraw.Draw(image)
    for x in (30, 90, 150, 210):
        draw.line([(x, 0), (x, 180)], fill=(90, 80, 70), width=4)
    for y in (40, 100, 160):
        draw.line([(0, y), (240, y)], fill=(90, 80, 70), width=4)
    for x in range(0, 240, 16):
        draw.line([(x, 70), (x + 9, 70)], fill=(200, 40, 40), width=3)
    return _jpeg(image)


def portrait() -> bytes:
    """A round avatar on a blue-to-green gradient."""
    image = Image.new("RGB", (96, 96))
    draw = ImageDraw.Draw(image)
    for y in range(96):
        draw.line([(0, y), (96, y)], fill=(40, 80 + y, 160 - y))
    draw.ellipse([24, 16, 72, 64], fill=(240, 210, 180))
    draw.ellipse([14, 60, 82, 120], fill=(240, 210, 180))
    return _jpeg(image)


#: The demo's image addresses and how each is drawn.
PICTURES: dict[str, Callable[[], bytes]] = {
    "https://cdn.example/full/press.jpg": press,
    "https://cdn.example/thumb/press.jpg": press,
    "https://files.social.example/tide-table.png": tide_table,
    "https://pbs.example/map.jpg": town_map,
    "https://pbs.example/priya.jpg": portrait,
}


def answers() -> dict[str, tuple[int, dict[str, str], bytes]]:
    """Each picture as the recorded answer to its address."""
    found = {}
    for url, draw in PICTURES.items():
        kind = "image/png" if url.endswith(".png") else "image/jpeg"
        found[url + "?"] = (200, {"content-type": kind}, draw())
    return found
