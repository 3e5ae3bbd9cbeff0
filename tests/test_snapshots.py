"""How the reader looks, at 80×24 and 120×40 (pytest-textual-snapshot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.reader_data import fill
from tui_reader.config import Config
from tui_reader.library import Library
from tui_reader.models import Thread
from tui_reader.store import Store
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.screens.main import MainScreen

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[tuple[ReaderApp, dict[str, Thread]]]:
    library = Library(Config(), Store(tmp_path / "library.sqlite3"))
    threads = fill(library)
    yield make_app(library.config, library), threads
    library.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_library_on_opening(snap_compare, filled, size) -> None:  # type: ignore[no-untyped-def]
    app, _ = filled
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reading_a_thread_with_hostile_text(snap_compare, filled, size) -> None:  # type: ignore[no-untyped-def]
    app, threads = filled

    async def open_tea(pilot: Pilot[None]) -> None:
        await pilot.pause()  # the main screen is composed
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        screen.open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("J", "J")

    assert snap_compare(app, terminal_size=size, run_before=open_tea)


def test_help_screen(snap_compare, filled) -> None:  # type: ignore[no-untyped-def]
    app, _ = filled
    assert snap_compare(app, terminal_size=(120, 40), press=["question_mark"])
