"""Refresh the SVG screenshots in screenshots/ from the demo library.

Run from the repository root: ``python tools/screenshots.py``.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tui_reader.demo import build_async  # noqa: E402
from tui_reader.ui.app import make_app  # noqa: E402
from tui_reader.ui.screens.main import MainScreen  # noqa: E402

Step = Callable[[Pilot[None], dict[str, object]], Awaitable[None]]


async def nothing(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Leave the reader as it opens."""


def main_screen(pilot: Pilot[None]) -> MainScreen:
    """The reader's main screen."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def open_and_press(pilot: Pilot[None], thread_id: object, *keys: str) -> None:
    """Open a thread, then press ``keys``."""
    main_screen(pilot).open_thread(str(thread_id))
    await pilot.pause()
    await pilot.press(*keys)
    await pilot.pause()


async def read_tea(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Open the punched-cards thread and move to its fourth post."""
    await open_and_press(pilot, threads["punch"], "J", "J", "J")


async def search(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Search the library."""
    main_screen(pilot).search("census OR tide*")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def find_in_thread(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Find a word in the punched-cards thread: matches highlighted, "match 1 of N" above."""
    await open_and_press(pilot, threads["punch"], "slash", *"card", "enter")


async def links(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """The links picker on a post with links."""
    await open_and_press(pilot, threads["maps"], "J", "J", "L")


async def grown(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """The tide-table thread, read, watched and grown since: it opens at its first new post."""
    main_screen(pilot).open_thread(str(threads["tides"]))
    await pilot.pause()


async def changes(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """What changed in the library since you last looked."""
    await pilot.press("W")


async def help_screen(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Show the keys."""
    await pilot.press("question_mark")


SHOTS: list[tuple[str, tuple[int, int], Step]] = [
    ("library", (120, 40), nothing),
    ("thread", (120, 40), read_tea),
    ("thread-80x24", (80, 24), read_tea),
    ("search", (120, 40), search),
    ("find", (120, 40), find_in_thread),
    ("links", (120, 40), links),
    ("help", (120, 40), help_screen),
    ("grown", (120, 40), grown),
    ("changes", (120, 40), changes),
]


async def take(name: str, size: tuple[int, int], step: Step, *, linear: bool = False) -> None:
    """Save one screenshot (of the linear mode, with ``linear``)."""
    with tempfile.TemporaryDirectory() as folder:
        library = await build_async(Path(folder))
        if linear:
            library.config = replace(library.config, linear=True)
        punch = next(t.id for t in library.threads() if "punched cards" in t.title)
        maps = next(t.id for t in library.threads() if "old town maps" in t.title)
        tides = next(t.id for t in library.threads() if "tide table" in t.title)
        threads: dict[str, object] = {"punch": punch, "maps": maps, "tides": tides}
        app = make_app(library.config, library)
        app.title = "tui-reader · demo library"
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await step(pilot, threads)  # type: ignore[arg-type]
            await pilot.pause(0.3)
            app.save_screenshot(f"{name}.svg", str(ROOT / "screenshots"))
        library.close()
    print(f"screenshots/{name}.svg")


async def digest_contents() -> None:
    """The demo digest's table of contents, as a page drawn from the book's own XHTML (its
    nav document, read back out of the EPUB): what an e-reader's contents page shows."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    from tui_reader.epub import epub_book
    from tui_reader.library import ThreadList

    with tempfile.TemporaryDirectory() as folder:
        library = await build_async(Path(folder))
        book = epub_book(
            library.whole_threads(ThreadList(), 500),
            title="Threads of the demo library",
            modified="2026-12-03T12:00:00Z",
        )
        library.close()
    with zipfile.ZipFile(io.BytesIO(book)) as opened:
        nav = ET.fromstring(opened.read("EPUB/nav.xhtml"))
    xhtml = "{http://www.w3.org/1999/xhtml}"
    heading = "".join(nav.find(f".//{xhtml}h1").itertext())  # type: ignore[union-attr]
    page = Text()
    for number, item in enumerate(nav.iter(f"{xhtml}li"), start=1):
        page.append(f"{number:>2}. ", style="dim")
        page.append("".join(item.itertext()) + "\n\n")
    console = Console(record=True, width=84, file=io.StringIO())
    console.print(Panel(page, title=heading, padding=(1, 3)))
    console.save_svg(str(ROOT / "screenshots" / "digest-contents.svg"), title="EPUB digest")
    print("screenshots/digest-contents.svg")


async def main() -> None:
    """Take every screenshot."""
    for name, size, step in SHOTS:
        await take(name, size, step)
    await take("linear", (100, 30), read_tea, linear=True)
    await digest_contents()


if __name__ == "__main__":
    asyncio.run(main())
