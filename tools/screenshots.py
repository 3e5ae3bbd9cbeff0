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
