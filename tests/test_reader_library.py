"""The reader when the library file misbehaves, and the collector's pauses."""

import pytest

from tests.reader_data import fill
from tests.reading import WIDE, Reading, main_screen
from tests.screen import settle
from tui_reader.library import Library
from tui_reader.ui.app import make_app
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadView


async def test_full_collector_passes_wait_for_a_pause_in_the_reading(library: Library) -> None:
    # A full pass of Python's garbage collector walks everything Textual keeps for the screen
    # (60-100 ms): landing mid-scroll, it held a frame that long. While keys come, the reader
    # holds those passes; once they stop, the pass runs.
    import gc

    from textual import events

    from tui_reader.ui import collector

    if not collector.GENERATIONAL:
        pytest.skip("this Python's collector does its full passes a slice at a time")
    fill(library)
    app = make_app(library.config, library)
    thresholds = gc.get_threshold()

    def full_passes() -> int:
        return int(gc.get_stats()[2]["collections"])

    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).query_one(ThreadView).focus()
        before = full_passes()
        for _ in range(collector.FULL_PASS_DUE):
            gc.collect(1)  # as many batches of young passes as make a full pass due
        for _ in range(20):  # two seconds of keys, ten a second, as the terminal sends them
            app.post_message(events.Key("j", "j"))
            await pilot.pause(0.1)
        assert full_passes() == before
        await settle(pilot, lambda: full_passes() > before)
        assert app.collector.passes == 1
        # Keys that never pause still get a full pass once enough garbage could be held.
        before = full_passes()
        for _ in range(collector.HELD_AT_MOST):
            gc.collect(1)
        app.post_message(events.Key("j", "j"))
        await settle(pilot, lambda: full_passes() > before, seconds=collector.IDLE_AFTER)
    assert gc.get_threshold() == thresholds


async def test_a_library_changed_under_the_reader_is_one_line_not_a_silent_failure(
    reader: Reading,
    library: Library,
) -> None:
    # Another program (or a damaged disk) takes the search index away while the reader runs:
    # the search said nothing at all before (SQLite's own error ended the search's worker).
    import sqlite3

    app, pilot = reader.app, reader.pilot
    other = sqlite3.connect(library.store.path)
    other.execute("DROP TABLE post_search")
    other.commit()
    other.close()
    main_screen(app).search("kettles")
    await app.workers.wait_for_complete()
    await pilot.pause()
    [message] = [n.message for n in app.notices]
    assert message == (
        f"the library at {library.store.path} could not be read: no such table: post_search"
    )
    assert app.is_running


async def test_a_busy_library_neither_freezes_nor_ends_the_reader(library: Library) -> None:
    import sqlite3
    import time

    threads = fill(library)
    thread_id = threads["long"].id
    holder = sqlite3.connect(library.store.path, isolation_level=None)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(thread_id)
        await pilot.pause()
        # Another tui-reader holds the write lock: reading to the end cannot be saved.
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        await pilot.press("G")
        await pilot.pause()
        assert time.monotonic() - started < 3  # the busy wait was 10 s a write
        assert app.is_running
        said = [n.title for n in app.notices]
        assert "Not saved" in said
        holder.execute("COMMIT")
        # The lock is free: the mark kept is written at the next try.
        assert library.retry_writes() == 0
    holder.close()
    assert not library.thread(thread_id).unread  # type: ignore[union-attr]


async def test_a_library_damaged_while_reading_does_not_end_the_reader(
    library: Library,
) -> None:
    import sqlite3

    from tests.test_search_export import filler

    library.store.save_threads((thread, False) for thread in filler(600))
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        feed = app.query_one(FeedList)
        feed.focus()
        await pilot.pause()
        # The lists' table goes away under the reader (a damaged file reads the same way):
        # the rows of the list's far end were never read, and cannot be now.
        with sqlite3.connect(library.store.path) as other:
            other.execute("ALTER TABLE threads RENAME TO threads_gone")
        await pilot.press("G", "g", "j")
        await pilot.pause()
        assert app.is_running
        assert "Cannot read" in [n.title for n in app.notices]
