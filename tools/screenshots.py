"""Refresh the SVG screenshots in screenshots/ from the demo library.

Run from the repository root: ``python tools/screenshots.py``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
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


async def read_tea(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Open the punched-cards thread and move to its fourth post."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.open_thread(str(threads["punch"]))
    await pilot.pause()
    await pilot.press("J", "J", "J")


async def search(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Search the library."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.search("census OR tide*")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def find_in_thread(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """Find a word in the punched-cards thread: matches highlighted, "match 1 of N" above."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.open_thread(str(threads["punch"]))
    await pilot.pause()
    await pilot.press("slash", *"card", "enter")
    await pilot.pause()


async def links(pilot: Pilot[None], threads: dict[str, object]) -> None:
    """The links picker on a post with links."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.open_thread(str(threads["maps"]))
    await pilot.pause()
    await pilot.press("J", "J", "L")
    await pilot.pause()


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
]


async def take(name: str, size: tuple[int, int], step: Step) -> None:
    """Save one screenshot."""
    with tempfile.TemporaryDirectory() as folder:
        library = await build_async(Path(folder))
        punch = next(t.id for t in library.threads() if "punched cards" in t.title)
        maps = next(t.id for t in library.threads() if "old town maps" in t.title)
        threads: dict[str, object] = {"punch": punch, "maps": maps}
        app = make_app(library.config, library)
        app.title = "tui-reader · demo library"
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await step(pilot, threads)  # type: ignore[arg-type]
            await pilot.pause(0.3)
            app.save_screenshot(f"{name}.svg", str(ROOT / "screenshots"))
        library.close()
    print(f"screenshots/{name}.svg")


async def main() -> None:
    """Take every screenshot."""
    for name, size, step in SHOTS:
        await take(name, size, step)


if __name__ == "__main__":
    asyncio.run(main())
