"""The reader under test: one fixture that opens it on a filled library at 120×40, and the
helpers every reader test shares (the main screen, the threads listed, a thread's lines)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.reader_data import fill
from tui_reader.library import Library
from tui_reader.models import Thread, ThreadSummary
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadView

WIDE = (120, 40)


@dataclass
class Reading:
    """The reader running on the library ``fill`` makes: the app, its pilot, the threads."""

    app: ReaderApp
    pilot: Pilot[None]
    threads: dict[str, Thread]

    @property
    def screen(self) -> MainScreen:
        """The main screen."""
        return main_screen(self.app)


@pytest.fixture
async def reader(library: Library) -> AsyncIterator[Reading]:
    """The reader on a filled library, at 120×40."""
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        yield Reading(app, pilot, threads)


async def settled(app: App[Any]) -> None:
    """Wait until no worker runs, those that others start included (a follow starts a sync)."""
    for _ in range(20):
        await app.workers.wait_for_complete()
        await app.animator.wait_until_complete()
        if not any(worker.is_running for worker in app.workers):
            break
    await asyncio.sleep(0)


def listed(feed: FeedList) -> list[ThreadSummary]:
    """Every thread the feed lists, read as it reads them (a page at a time)."""
    found = [feed.thread_at(index) for index in range(feed.count)]
    return [thread for thread in found if thread is not None]


def thread_lines(view: ThreadView) -> str:
    """Every line of the open thread, as text."""
    view.wrap_all()  # a long thread is measured a few posts at a time
    return "\n".join(
        "".join(segment.text for segment in view.wrapped.line_segments(index))
        for index in range(len(view.wrapped.lines))
    )


def main_screen(app: App[Any]) -> MainScreen:
    """The reader's main screen (failing if another is on top)."""
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def open_feed_entry(pilot: Pilot[Any], index: int) -> None:
    """Focus the feed and open its ``index``-th thread."""
    feed = pilot.app.screen.query_one(FeedList)
    feed.focus()
    feed.highlighted = index
    await pilot.press("enter")
    await pilot.pause()
