"""The bundled demo library: built through the real parsers and store, opened in the reader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.screen import screen_text
from tui_reader.demo import build_async
from tui_reader.library import Library
from tui_reader.ui.app import make_app
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.read_more import ReadMore
from tui_reader.ui.widgets.thread_view import ThreadView


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Library]:
    library = await build_async(tmp_path)
    yield library
    library.close()


async def test_the_demo_library_holds_every_source(demo: Library) -> None:
    threads = demo.threads()
    assert {t.source for t in threads} == {"bluesky", "mastodon", "threadreader"}
    # The tide-table thread grew from 6 posts to 8 in the demo's second round.
    assert sorted(t.post_count for t in threads if t.fetched) == [4, 4, 5, 5, 8, 8, 40]
    assert sum(not t.fetched for t in threads) == 2  # "More from" on the saved page
    follows = demo.following()
    assert len(follows) == 4 and all(row.synced_at and not row.error for row in follows)
    tides = next(t for t in threads if t.title.startswith("Reading a tide table"))
    thread = demo.thread(tides.id)
    assert thread is not None
    assert thread.posts[4].content_warning == "seasickness, mild peril"
    assert thread.posts[1].media[0].alt == "A printed tide table for one week"


async def test_the_demo_finds_punched_cards(demo: Library) -> None:
    [first, *_] = demo.search("punched cards")
    assert first.thread.title.startswith("How punched cards counted a nation")
    assert first.thread.author.display_name == "Mara Okafor"


async def test_the_demo_opens_in_the_reader_and_stays_offline(demo: Library) -> None:
    app = make_app(demo.config, demo)
    async with app.run_test(size=(120, 40)) as pilot:
        feed = app.screen.query_one(FeedList)
        assert feed.count == 9
        feed.focus()
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None
        await pilot.press("r")
        await pilot.pause()
        assert any("Offline" in n.message for n in app.notices)


async def test_a_thread_that_links_its_authors_other_thread_opens(demo: Library) -> None:
    # "More from" and "Linked in this thread" both list the same thread: the demo crashed.
    app = make_app(demo.config, demo)
    async with app.run_test(size=(120, 40)) as pilot:
        feed = app.screen.query_one(FeedList)
        listed = [thread for n in range(feed.count) if (thread := feed.thread_at(n))]
        target = next(t for t in listed if "card catalogues" in t.title)
        feed.focus()
        feed.highlighted = listed.index(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.return_code is None
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == target.id
        more = app.screen.query_one(ReadMore)
        listed = [more.get_option_at_index(i).id or "" for i in range(more.option_count)]
        assert any(i.startswith("linked:") for i in listed)
        assert any(i.startswith("more:") for i in listed)


async def test_no_letter_is_lost_at_the_right_edge_after_a_short_thread(demo: Library) -> None:
    # The steps of the report: Tab, Enter (Priya's 4 posts, no scrollbar), then n (Kwame's 40).
    app = make_app(demo.config, demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab", "enter")
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and len(view.thread.posts) == 4
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        assert view.thread is not None and len(view.thread.posts) == 40
        area = view.region
        rows = screen_text(app).splitlines()
        pane = [row[area.x : area.right] for row in rows[area.y : area.bottom]]
    # The pane's own lines, joined as a reader reads them on: every letter is there.
    text = " ".join(" ".join(pane).split())
    assert "Learned that rain is fine and wind is the real enemy." in text
    # And no horizontal scrollbar's thumb on the pane's last row.
    assert "▏" not in pane[-1]


async def test_the_demo_has_a_watched_thread_that_grew_and_was_edited(demo: Library) -> None:
    tides = next(t for t in demo.threads() if t.title.startswith("Reading a tide table"))
    assert (tides.new_since_read, tides.edited_since_read, tides.unread) == (2, 1, True)
    assert [w.thread.id for w in demo.watching()] == [tides.id]
    thread = demo.thread(tides.id)
    assert thread is not None
    edited = thread.posts[2]
    assert edited.edited_at == "2024-06-04T18:30:00Z"
    assert [v.text[:40] for v in edited.versions] == ["Heights between the listed times are not"]
    assert "a poor one where the tide is irregular" in edited.text
    app = make_app(demo.config, demo)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.open_thread(tides.id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.current >= 6  # at the first new post (or at the end, when it shows)
        assert "2 new since you read, 2 Jun 2024" in screen_text(app)
