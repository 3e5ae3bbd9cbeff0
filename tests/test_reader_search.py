"""Searching the library from the reader, and the matches in a thread."""

import re

from textual.widgets import Input

from tests.reader_data import fill
from tests.reading import WIDE, Reading, listed, main_screen
from tests.screen import screen_text
from tui_reader.library import Library
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.dialogs import RefDialog
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadView


async def test_slash_searches_and_opens_the_thread_at_the_match(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    await pilot.press("slash")
    assert isinstance(app.screen, RefDialog)
    app.screen.query_one(Input).value = "kettles"
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    feed = app.screen.query_one(FeedList)
    assert feed.border_title == "Search: kettles"
    assert [t.id for t in listed(feed)] == [threads["tea"].id]
    assert app.screen.focused is feed

    await pilot.press("enter")
    await app.workers.wait_for_complete()  # the highlights are looked up in a worker
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    # "Kettles lie." is in a quote; the match in the text is the last post.
    assert view.current == 4 and view.matches == [4]
    # Back from the thread: to the results, the cursor where it was (they were thrown
    # away, and the footer still offered "Next match").
    cursor = feed.highlighted
    await pilot.press("escape")
    await pilot.pause()
    assert feed.hits is not None and feed.border_title == "Search: kettles"
    assert app.screen.focused is feed and feed.highlighted == cursor
    # Back once more, from the list: the search ends.
    await pilot.press("escape")
    await pilot.pause()
    assert feed.hits is None and feed.border_title == "All threads"
    assert view.matches == []


async def test_n_and_capital_n_move_between_matches(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).search("Words")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    assert view.thread is not None and view.thread.id == threads["long"].id
    first = view.current
    assert first in view.matches
    await pilot.press("n")
    assert view.current == [m for m in view.matches if m > first][0]
    await pilot.press("N")
    assert view.current == first


async def test_a_search_for_markup_shows_it_literally(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    main_screen(app).search("[bold]not[/bold] [@click=app.quit]x[/]")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert "Search: [bold]not[/bold] [@click=app." in screen_text(app)
    assert app.is_running


async def test_the_threads_list_is_whole_after_a_search(reader: Reading) -> None:
    # Found: after /, a search, enter and escape, rows wrapped at the wrong width and lost
    # their separators until another author was chosen.
    app, pilot = reader.app, reader.pilot
    feed = app.screen.query_one(FeedList)
    await pilot.pause()
    before = [strip.text for strip in (feed.render_line(y) for y in range(feed.size.height))]
    await pilot.press("slash")
    app.screen.query_one(Input).value = "shed"
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert feed.hits is not None and feed.count == 5  # a row per matching post (five)
    await pilot.press("escape")
    await pilot.pause()
    after = [strip.text for strip in (feed.render_line(y) for y in range(feed.size.height))]
    assert feed.hits is None
    assert after == before
    assert sum(line.strip().startswith("───") for line in after) == 3


async def test_search_results_have_a_row_for_each_matching_post(library: Library) -> None:
    threads = fill(library)  # the shed thread says "shed" in all of its eleven posts
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).search("more shed")
        await app.workers.wait_for_complete()
        await pilot.pause()
        feed = app.screen.query_one(FeedList)
        hits = feed.hits or []
        assert len(hits) == 5  # the best five of steps 2 to 11 (at most five from a thread)
        assert {hit.thread.id for hit in hits} == {threads["shed"].id}
        assert "· post " in screen_text(app)
        feed.focus()
        feed.highlighted = 3
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.current == hits[3].post_index


async def test_search_rows_get_their_words_in_context_as_they_come_into_view(
    library: Library,
) -> None:
    from tests.reader_data import ALICE, make_thread

    for n in range(40):
        library.store.save_thread(
            make_thread(
                ALICE, f"keeper{n:02d}", [f"Log {n}: the lighthouse keeper wrote Q{n}."], day=1
            )
        )
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).search("lighthouse")
        await app.workers.wait_for_complete()
        await pilot.pause()
        feed = app.screen.query_one(FeedList)
        hits = feed.hits or []
        assert len(hits) == 40
        # The rows on screen show the post's words around the match...
        assert "the lighthouse keeper wrote" in screen_text(app)
        # ...and the rows below the screen have not been read for theirs yet.
        assert hits[0].snippet and hits[-1].snippet == ""
        feed.focus()
        await pilot.press("end")
        await pilot.pause()
        last = hits[-1]
        assert "\x02lighthouse\x03" in last.snippet
        number = re.search(r"Log \d+", last.snippet)
        assert number and f"{number.group()}: the lighthouse keeper" in screen_text(app)


async def test_highlights_found_for_an_earlier_opening_do_not_land_on_a_later_one(
    reader: Reading,
) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    screen = main_screen(app)
    # Opened from a search, then another thread at once, before the lookup answers.
    screen.open_thread(threads["long"].id, query="Words")
    screen.open_thread(threads["tea"].id)
    await app.workers.wait_for_complete()
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    assert view.thread is not None and view.thread.id == threads["tea"].id
    assert view.matches == [] and view.spans == {}
