"""The reader's lists: authors and threads, moving, marking, sorting, filtering."""

from dataclasses import replace

from textual.widgets import Input

from tests.fake_bluesky import FakeAppView
from tests.reader_data import fill
from tests.reading import WIDE, Reading, listed, main_screen, open_feed_entry, thread_lines
from tests.screen import screen_text, settle
from tui_reader.library import Library, ThreadList
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.dialogs import ChoiceDialog
from tui_reader.ui.widgets.authors import AuthorList
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadHeader, ThreadView


async def test_it_opens_on_the_library(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    await pilot.pause()
    text = screen_text(app)
    assert "Alice Liddell" in text and "Bob Builder" in text
    assert "All threads  3" in text
    feed = app.screen.query_one(FeedList)
    # Newest first.
    assert [t.title for t in listed(feed)][0].startswith("Why tea tastes")
    assert app.screen.focused is app.screen.query_one(AuthorList)
    assert "Pick a thread on the left" in text


async def test_pick_an_author_then_read_a_thread_with_keys(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    await pilot.press("j", "j")  # All threads → Unread → Bob Builder? no: Alice is first
    feed = app.screen.query_one(FeedList)
    assert feed.border_title == "@alice.bsky.social"
    assert {t.id for t in listed(feed)} == {threads["tea"].id, threads["long"].id}

    await pilot.press("l", "enter")
    await pilot.pause()

    view = app.screen.query_one(ThreadView)
    assert app.screen.focused is view
    assert view.thread is not None and view.thread.id == threads["tea"].id
    header = str(app.screen.query_one(ThreadHeader).render())
    assert "Alice Liddell" in header and "@alice.bsky.social" in header
    assert "5 posts · 1 min read" in header
    lines = thread_lines(view)
    assert "[image: A chart of boiling points] https://cdn.example/chart.png" in lines
    assert "│ @bob.bsky.social" in lines and "│ Kettles lie." in lines


async def test_a_narrow_terminal_shows_the_lists_or_the_thread(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=(80, 24)) as pilot:
        sidebar = app.screen.query_one("#sidebar")
        main = app.screen.query_one("#main")
        assert sidebar.display and not main.display
        view = app.screen.query_one(ThreadView)
        await open_feed_entry(pilot, 0)
        await settle(pilot, lambda: app.screen.focused is view)
        assert main.display and not sidebar.display
        assert view.thread is not None and view.thread.id == threads["tea"].id
        await pilot.press("shift+tab")
        await settle(pilot, lambda: isinstance(app.screen.focused, FeedList))
        await pilot.press("shift+tab")
        await settle(pilot, lambda: isinstance(app.screen.focused, AuthorList))
        assert sidebar.display and not main.display


async def test_x_unfollows_from_the_authors_pane(library: Library, appview: FakeAppView) -> None:
    appview.account("hal.bsky.social", "Hal")
    await library.follow("hal.bsky.social")
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        authors = app.screen.query_one(AuthorList)
        authors.highlighted = authors.index_of(library.following()[0].author.key)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)  # asked first
        await pilot.press("n")
        assert len(library.following()) == 1
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert library.following() == []
        assert "Hal" not in screen_text(app)
        # On a row that is not a followed author, x says why nothing happens.
        await pilot.press("x")
        await pilot.pause()
        assert "Choose an author to unfollow." in [n.message for n in app.notices]


async def test_the_feed_reads_only_the_rows_it_shows(library: Library) -> None:
    from tests.reader_data import ALICE, make_thread
    from tui_reader.ui.widgets.feed import PAGE

    many = [make_thread(ALICE, f"m{n:03d}", [f"Thread {n}", "more"], day=1) for n in range(240)]
    for n, thread in enumerate(many):
        library.store.save_thread(
            replace(thread, created_at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z")
        )
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        feed = app.screen.query_one(FeedList)
        assert feed.count == 240 and str(feed.border_subtitle) == "240 · 240 unread"
        # One page read for the first screen, not 240 rows.
        assert feed.pages_read == [0]
        assert "Thread 239" in screen_text(app)
        feed.focus()
        await pilot.press("G")
        await pilot.pause()
        assert feed.highlighted == 239 and "Thread 0" in screen_text(app)
        assert len(feed.pages_read) == 2 and 240 // PAGE in feed.pages_read
        # The cursor stays on its thread when the list changes under it.
        await pilot.press("k", "k")
        chosen = feed.chosen_id
        newest = make_thread(ALICE, "new", ["Brand new", "thread"], day=9)
        library.store.save_thread(newest)
        main_screen(app).reload_lists()
        await pilot.pause()
        assert feed.count == 241 and feed.chosen_id == chosen and feed.highlighted == 238


async def test_a_burst_of_library_changes_redraws_the_lists_a_few_times_not_each_time(
    reader: Reading,
) -> None:
    from tui_reader.ui.screens.main import RELOAD_INTERVAL, LibraryChanged

    app, pilot = reader.app, reader.pilot
    screen = main_screen(app)
    await pilot.pause()
    reloads: list[float] = []
    original = screen.reload_lists

    def counted() -> list[object]:
        reloads.append(0.0)
        return list(original())

    screen.reload_lists = counted  # type: ignore[method-assign]
    for _ in range(40):  # a sync of forty authors, one message each
        screen.post_message(LibraryChanged())
    await pilot.pause(RELOAD_INTERVAL * 2)
    assert 1 <= len(reloads) <= 3


async def test_finishing_a_thread_in_the_unread_view_moves_on_to_the_next(
    reader: Reading,
) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    authors = app.screen.query_one(AuthorList)
    authors.focus()
    authors.highlighted = authors.index_of("unread")
    await pilot.pause()
    feed = app.screen.query_one(FeedList)
    order = [t.id for t in listed(feed)]
    assert order[1] == threads["long"].id
    await open_feed_entry(pilot, 1)
    await pilot.press("G")  # to the end: read
    await pilot.pause()
    await pilot.pause()
    assert threads["long"].id not in [t.id for t in listed(feed)]
    # The cursor is on the thread that followed it, not back at the top.
    assert feed.chosen_id == order[2]


async def test_n_goes_to_the_next_unread_thread_and_space_at_the_end_does_too(
    library: Library,
) -> None:
    threads = fill(library)  # newest first: tea, long, shed (tea and shed fit on screen)
    library.set_unread(threads["long"].id, False)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n")  # nothing open: the unread thread under the cursor
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["tea"].id
        await pilot.press("space")  # at the end already: on to the next unread (not long)
        await pilot.pause()
        assert view.thread.id == threads["shed"].id
        assert app.screen.query_one(FeedList).chosen_id == threads["shed"].id
        assert not library.summary(threads["tea"].id).unread  # type: ignore[union-attr]
        await pilot.press("n")
        await pilot.pause()
        assert view.thread.id == threads["shed"].id
        assert "No unread threads left." in [n.message for n in app.notices]
        library.set_unread(threads["tea"].id, True)
        await pilot.press("p")
        await pilot.pause()
        assert view.thread.id == threads["tea"].id


async def test_mark_the_list_or_everything_read_and_undo(reader: Reading, library: Library) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    authors = app.screen.query_one(AuthorList)
    authors.highlighted = authors.index_of(threads["shed"].author.key)
    await pilot.pause()
    await pilot.press("A")
    await pilot.pause()
    assert not library.summary(threads["shed"].id).unread  # type: ignore[union-attr]
    assert library.summary(threads["tea"].id).unread  # type: ignore[union-attr]
    assert "Marked 1 thread read in this list. Press z to undo." in [n.message for n in app.notices]
    await pilot.press("z")
    await pilot.pause()
    assert library.summary(threads["shed"].id).unread  # type: ignore[union-attr]
    await pilot.press("C")
    await pilot.pause()
    assert library.count_listed(ThreadList(unread_only=True)) == (0, 0)
    await pilot.press("z")
    await pilot.pause()
    assert library.count_listed(ThreadList(unread_only=True)) == (3, 3)


async def test_enter_on_an_author_opens_their_threads(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    authors = app.screen.query_one(AuthorList)
    authors.focus()
    authors.highlighted = authors.index_of(threads["shed"].author.key)
    await pilot.press("enter")
    feed = app.screen.query_one(FeedList)
    await settle(pilot, lambda: app.screen.focused is feed)
    assert [t.id for t in listed(feed)] == [threads["shed"].id]


async def test_sort_and_filters_are_kept_for_the_next_run(library: Library) -> None:
    threads = fill(library)  # tea 5 posts, long 300, shed 11
    library.set_unread(threads["shed"].id, False)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        feed = app.screen.query_one(FeedList)
        await pilot.press("s")  # longest first
        await pilot.pause()
        assert [t.id for t in listed(feed)] == [threads[k].id for k in ("long", "shed", "tea")]
        assert "longest first" in str(feed.border_title)
        await pilot.press("H")  # read threads hidden
        await pilot.pause()
        assert [t.id for t in listed(feed)] == [threads[k].id for k in ("long", "tea")]
        await pilot.press("F")
        app.screen.query_one(Input).value = "tea altitude"
        await pilot.press("enter")
        await pilot.pause()
        assert [t.id for t in listed(feed)] == [threads["tea"].id]
        await pilot.press("escape")  # the filter is cleared, the rest stays
        await pilot.pause()
        assert [t.id for t in listed(feed)] == [threads[k].id for k in ("long", "tea")]

    again = make_app(library.config, library)
    async with again.run_test(size=WIDE) as pilot:
        await pilot.pause()
        feed = again.screen.query_one(FeedList)
        assert [t.id for t in listed(feed)] == [threads[k].id for k in ("long", "tea")]


async def test_lists_show_how_far_a_started_thread_is_read(library: Library) -> None:
    threads = fill(library)
    library.set_position(threads["long"].id, 7)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "8/300 posts" in screen_text(app)


async def test_the_list_row_follows_the_thread_as_it_is_read(library: Library) -> None:
    threads = fill(library)
    long = threads["long"]
    library.store.save_thread(long, mark_new=True)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        feed = app.screen.query_one(FeedList)
        index = next(i for i in range(feed.count) if feed.thread_at(i).id == long.id)  # type: ignore[union-attr]

        def row() -> str:
            return " ".join(line.plain for line in feed.row_lines(index, 60))

        assert row().startswith("new")
        main_screen(app).open_thread(long.id)
        await pilot.pause()
        # Opened: no longer new, in the row and in the Authors pane's count.
        assert not row().startswith("new")
        await pilot.press(*"J" * 16)
        for _ in range(100):  # the place is saved a moment after moving stops
            if library.position(long.id) == 16:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        assert "17/" in row()
