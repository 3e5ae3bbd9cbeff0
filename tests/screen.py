"""Reading the reader's screen through Textual's public API: its text from the screenshot
the app exports (as a person sees it), the actions a click would run from the style at each
cell, and a condition awaited rather than a fixed pause."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from textual.app import App
from textual.pilot import Pilot

#: A run of text in an exported screenshot: its x, and the line it is clipped to.
_TEXT = re.compile(r'<text [^>]*?x="([^"]+)"[^>]*?-line-(\d+)\)"[^>]*>([^<]*)</text>')
#: The clipping of the first line, whose width is the screen's in pixels.
_FIRST_LINE = re.compile(r'-line-0">\s*<rect x="0" y="[^"]+" width="([^"]+)"')


def screen_lines(app: App[Any]) -> list[str]:
    """Every line on screen as plain text, as wide as the screen (a character that takes
    two cells is one character of its line, as in a terminal's copy)."""
    svg = app.export_screenshot()
    width, height = app.size
    found = _FIRST_LINE.search(svg)
    assert found is not None, "the screenshot's layout is not the one this reads"
    cell = float(found.group(1)) / width
    rows: list[list[str]] = [[" "] * width for _ in range(height)]
    for x, line, text in _TEXT.findall(svg):
        row = rows[int(line)]
        column = round(float(x) / cell)
        for char in html.unescape(text).replace("\xa0", " "):
            if column < width:
                row[column] = char
            # The second cell of a wide character holds nothing of its own.
            for extra in range(1, cell_len(char)):
                if column + extra < width:
                    row[column + extra] = ""
            column += max(1, cell_len(char))
    return ["".join(row) for row in rows]


def screen_text(app: App[Any]) -> str:
    """Everything on screen as plain text."""
    return "\n".join(screen_lines(app))


def screen_actions(app: App[Any]) -> list[str]:
    """Every click action drawn on the screen (a ``@click`` that markup would have made)."""
    width, height = app.size
    actions = []
    for y in range(height):
        for x in range(width):
            meta = app.screen.get_style_at(x, y).meta
            if "@click" in meta:
                actions.append(str(meta["@click"]))
    return actions


async def settle(pilot: Pilot[Any], done: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the app run until ``done()`` (the palette's matches, a worker's result: later
    on a busy machine), failing after ``seconds``."""
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    assert done()
