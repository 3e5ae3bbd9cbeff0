"""Reading a thread: moving through it, marks, Read more, links, finding, drawing."""

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.reader_data import fill
from tests.reading import WIDE, Reading, listed, main_screen, thread_lines
from tests.screen import screen_text
from tui_reader.library import Library
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.dialogs import ChoiceDialog, RefDialog
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.read_more import ReadMore
from tui_reader.ui.widgets.thread_view import ThreadView


async def test_hostile_text_is_shown_literally_and_runs_nothing(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["tea"].id)
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    lines = thread_lines(view)
    assert "[bold]not bold[/bold] [@click=app.quit]click me[/]" in lines
    assert "␛[31mred␛[0m ␛]52;c;ZXZpbA==␇" in lines
    assert "\x1b" not in lines
    # Clicking on the text must not quit the app.
    await pilot.click(ThreadView, offset=(20, 8))
    await pilot.pause()
    assert app.is_running
    assert app.clipboard == ""


async def test_post_keys_move_through_the_thread(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["long"].id)
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    await pilot.press("J", "J", "J")
    assert view.current == 3
    assert view.scroll_y == view.wrapped.starts[3]
    await pilot.press("K")
    assert view.current == 2
    await pilot.press("G")
    await pilot.pause()
    assert view.scroll_y == view.max_scroll_y
    assert view.current == 299
    await pilot.press("g")
    await pilot.pause()
    assert view.scroll_y == 0 and view.current == 0
    await pilot.press("space")
    await pilot.pause()
    page = view.scroll_y
    assert page > 10
    await pilot.press("b")
    await pilot.pause()
    assert view.scroll_y == 0
    await pilot.press("j", "j")
    await pilot.pause()
    assert view.scroll_y == 2


async def test_reading_to_the_end_marks_read_and_m_toggles(
    reader: Reading, library: Library
) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["long"].id)
    await pilot.pause()
    assert library.thread(threads["long"].id).unread  # type: ignore[union-attr]
    await pilot.press("G")
    await pilot.pause()
    assert not library.thread(threads["long"].id).unread  # type: ignore[union-attr]
    await pilot.press("m")
    await pilot.pause()
    assert library.thread(threads["long"].id).unread  # type: ignore[union-attr]
    assert "Marked unread." in [n.message for n in app.notices]


async def test_the_reading_position_is_remembered(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        screen = main_screen(app)
        screen.open_thread(threads["long"].id)
        await pilot.pause()
        await pilot.press(*["J"] * 7)
        screen.open_thread(threads["shed"].id)
        await pilot.pause()
        screen.open_thread(threads["long"].id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.current == 7
        assert view.scroll_y == view.wrapped.starts[7]
    assert library.position(threads["long"].id) == 7


async def test_read_more_lists_the_authors_other_threads_and_opens_one(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["tea"].id)
    await pilot.pause()
    more = app.screen.query_one(ReadMore)
    text = "\n".join(str(more.get_option_at_index(i).prompt) for i in range(more.option_count))
    assert "More from @alice.bsky.social" in text
    assert "Post 1 of 300." in text and "Read 300 posts" in text
    assert "Unread" in text and "How I built a shed" in text

    await pilot.press("tab")  # thread → read more
    assert app.screen.focused is more
    await pilot.press("enter")
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    assert view.thread is not None and view.thread.id == threads["long"].id
    # Back goes to the thread it was opened from, then to the list.
    view.focus()
    await pilot.press("escape")
    await pilot.pause()
    assert view.thread is not None and view.thread.id == threads["tea"].id
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen.focused is app.screen.query_one(FeedList)


async def test_o_opens_web_links_only_and_y_copies(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    threads = fill(library)
    app = make_app(library.config, library)
    opened: list[str] = []
    # The system's browser is outside the test: webbrowser says whether one started.
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("J", "o", "y")
        await app.workers.wait_for_complete()
        expected = threads["tea"].posts[1].url
        assert opened == [expected]
        assert app.clipboard == expected
        assert f"Opened {expected}" in [n.message for n in app.notices]

        # No browser could be started: said so, with the address to copy.
        monkeypatch.setattr(webbrowser, "open", lambda url: False)
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [failed] = [n for n in app.notices if n.title == "Not opened"]
        assert failed.message.endswith(expected) and "No web browser" in failed.message


async def test_thread_keys_are_off_until_a_thread_is_open(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    await pilot.press("o", "y", "m", "r")
    assert not list(app.notices)
    assert app.clipboard == ""
    footer = screen_text(app).splitlines()[-1]
    assert "Unroll" in footer and "Copy link" not in footer


async def test_a_thousand_post_thread_opens_and_reaches_its_end(library: Library) -> None:
    from tests.reader_data import long_thread

    thread = long_thread(1000)
    library.store.save_thread(thread)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.current == 999
        assert "Post 1000 of 1000." in screen_text(app)


async def test_content_warnings_stay_closed_until_c(library: Library) -> None:
    from tests.reader_data import ALICE, make_thread

    thread = make_thread(ALICE, "cw", ["Film night thread", "The butler did it."], day=4)
    posts = list(thread.posts)
    posts[1] = replace(posts[1], content_warning="Spoiler: the ending")
    thread = replace(thread, posts=tuple(posts))
    library.store.save_thread(thread)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert "⚠ CW: Spoiler: the ending  (press c to show)" in thread_lines(view)
        assert "The butler did it." not in thread_lines(view)
        assert "c Show CW" in screen_text(app).splitlines()[-1]
        await pilot.press("c")
        await pilot.pause()
        assert "The butler did it." in thread_lines(view)
        # The footer offers what the key does now.
        assert "c Hide CW" in screen_text(app).splitlines()[-1]
        await pilot.press("c")
        await pilot.pause()
        assert "The butler did it." not in thread_lines(view)
        assert "c Show CW" in screen_text(app).splitlines()[-1]


async def test_an_imported_page_shows_its_thread_and_more_from(library: Library) -> None:
    from tests.server import FIXTURES

    copied = (FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt").read_text()
    thread, more, _ = library.import_saved(copied)
    assert more == 6
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        feed = app.screen.query_one(FeedList)
        assert sum(not t.fetched for t in listed(feed)) == 6
        assert "not fetched yet" in screen_text(app)
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        more = app.screen.query_one(ReadMore)
        prompts = [str(more.get_option_at_index(i).prompt) for i in range(more.option_count)]
        assert "More from @DrRadchenko  6" in prompts
        assert any("Read 9 posts" in p and "14 Dec" in p for p in prompts)
        more.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert any("saved page without its address" in n.message for n in app.notices)
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == thread.id


async def test_e_saves_the_thread_where_the_reader_says(library: Library, tmp_path: Path) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["shed"].id)
        await pilot.pause()
        await pilot.press("e")
        folder = tmp_path / "documents"  # not there yet: the reader makes it
        app.screen.query_one(Input).value = str(folder)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [saved] = list(folder.iterdir())
        assert saved.name == "how-i-built-a-shed-in-a-weekend-part-one-the-base.md"
        assert saved.read_text("utf-8").startswith("# How I built a shed")
        assert any(f"Saved to {saved}" == n.message for n in app.notices)

        async def save_again(answer: str) -> None:
            await pilot.press("e")
            app.screen.query_one(Input).value = str(folder)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceDialog)  # asked, not overwritten
            await pilot.press(answer)
            await app.workers.wait_for_complete()
            await pilot.pause()

        saved.write_text("my notes", "utf-8")
        await save_again("escape")
        assert saved.read_text("utf-8") == "my notes" and len(list(folder.iterdir())) == 1
        await save_again("n")
        assert saved.read_text("utf-8") == "my notes"
        beside = folder / "how-i-built-a-shed-in-a-weekend-part-one-the-base-2.md"
        assert beside.read_text("utf-8").startswith("# How I built a shed")
        await save_again("r")
        assert saved.read_text("utf-8").startswith("# How I built a shed")
    # The next time, and after a restart, the dialog offers the folder used last.
    again = make_app(library.config, library)
    async with again.run_test(size=WIDE) as pilot:
        main_screen(again).open_thread(threads["shed"].id)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert again.screen.query_one(Input).value == str(folder)


async def test_a_new_theme_recolours_an_open_thread(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["tea"].id)
    await pilot.pause()
    view = app.screen.query_one(ThreadView)

    def link_colours() -> set[str]:
        return {
            str(segment.style.color)
            for index in range(len(view.wrapped.lines))
            for segment in view.wrapped.line_segments(index)
            if segment.style and "https://cdn.example" in segment.text
        }

    before = link_colours()
    app.theme = "textual-light"
    await pilot.pause()
    await pilot.pause()
    assert link_colours() and link_colours() != before


async def test_a_thousand_post_thread_shows_at_once_and_is_measured_as_it_goes(
    library: Library,
) -> None:
    from tests.reader_data import ALICE, make_thread

    long = make_thread(ALICE, "k", [f"Post {n}: " + "word " * 40 for n in range(1000)], day=9)
    library.store.save_thread(long)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        screen = main_screen(app)
        screen.open_thread(long.id)
        view = app.screen.query_one(ThreadView)
        # Shown with only the first screenfuls measured; the rest between frames.
        assert 0 < len(view.wrapped.starts) < 100 and not view.complete
        await pilot.pause()
        assert "Post 0:" in screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert view.complete and view.current == 999
        listed = library.summary(long.id)
        assert listed is not None and not listed.unread
        # Jumping back to a post far down a re-measured thread lands on it.
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        view.go_to_post(700)
        await pilot.pause()
        assert view.current == 700 and view.scroll_y == view.wrapped.starts[700]


async def test_no_letter_is_lost_when_the_scrollbar_appears(library: Library) -> None:
    # Found: open a short thread, then a long one: its lines were wrapped for the width
    # without the scrollbar, which then covered their last letters ("on / position").
    from tests.reader_data import ALICE, make_thread
    from tui_reader.ui.widgets.thread_view import MARGIN

    short = make_thread(ALICE, "short", ["Just one post."], day=5)
    words = "compatibility position boring " * 6
    long = make_thread(ALICE, "wide", [f"{n}: {words}" for n in range(40)], day=6)
    library.store.save_thread(short)
    library.store.save_thread(long)
    app = make_app(library.config, library)
    async with app.run_test(size=(100, 30)) as pilot:
        main_screen(app).open_thread(short.id)
        await pilot.pause()
        main_screen(app).open_thread(long.id)
        await pilot.pause()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.max_scroll_y > 0  # the scrollbar is there
        room = view.scrollable_content_region.width - MARGIN
        assert max(view.wrapped.widths) <= room
        shown = screen_text(app)
        assert "compatibility position boring compatibility" in shown


async def test_a_thread_is_read_only_when_every_post_has_been_shown(library: Library) -> None:
    # Found: a thread that fits on screen was marked read on opening, with its last post
    # still hidden behind a content warning.
    from tests.reader_data import ALICE, make_thread

    thread = make_thread(ALICE, "cw", ["A short thread.", "The end."], day=7)
    posts = (thread.posts[0], replace(thread.posts[1], content_warning="spoilers"))
    library.store.save_thread(replace(thread, posts=posts))
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        await pilot.pause()
        assert library.summary(thread.id).unread  # type: ignore[union-attr]
        await pilot.press("c")  # shows the hidden post: now all of it has been on screen
        await pilot.pause()
        await pilot.pause()
        assert not library.summary(thread.id).unread  # type: ignore[union-attr]


async def test_the_links_of_a_post_are_numbered_to_open_or_copy(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    from tui_reader.ui.screens.dialogs import LinksDialog

    threads = fill(library)
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("J", "J")  # the post with a quote
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LinksDialog)
        assert app.screen.links == [
            ("quoted post by @bob.bsky.social", "https://bsky.app/profile/did:plc:bob/post/q1")
        ]
        await pilot.press("1")
        await app.workers.wait_for_complete()
        assert opened == ["https://bsky.app/profile/did:plc:bob/post/q1"]
        await pilot.press("J")  # the image's post is 1; post 3 is the hostile one, no links
        await pilot.press("K", "K")
        await pilot.press("L")
        await pilot.pause()
        assert app.screen.links[0] == (  # type: ignore[attr-defined]
            "image: A chart of boiling points",
            "https://cdn.example/chart.png",
        )
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "https://cdn.example/chart.png"


async def test_find_in_the_open_thread(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["long"].id)
    await pilot.pause()
    view = app.screen.query_one(ThreadView)
    await pilot.press("slash")
    assert isinstance(app.screen, RefDialog)
    app.screen.query_one(Input).value = "POST 12 OF"
    await pilot.press("enter")
    await pilot.pause()
    assert view.matches == [11]
    assert view.current == 11
    assert app.sub_title == "“POST 12 OF”: match 1 of 1"
    await pilot.press("escape")
    await pilot.pause()
    assert view.matches == [] and app.sub_title == ""
    assert app.screen.focused is view  # escape ended the find, not the reading
    # A find ends with its thread: another thread opened leaves no status behind.
    await pilot.press("slash")
    app.screen.query_one(Input).value = "post 3"
    await pilot.press("enter")
    await pilot.pause()
    assert app.sub_title.startswith("“post 3”")
    main_screen(app).open_thread(threads["shed"].id)
    await pilot.pause()
    assert app.sub_title == ""


async def test_a_wide_terminal_keeps_the_text_to_a_readable_measure(library: Library) -> None:
    from tui_reader.ui.widgets.thread_view import MARGIN

    threads = fill(library)
    for align in ("left", "center"):
        config = replace(library.config, measure=60, align=align)
        app = make_app(config, Library(config, library.store))
        async with app.run_test(size=(220, 40)) as pilot:
            main_screen(app).open_thread(threads["long"].id)
            await pilot.pause()
            view = app.screen.query_one(ThreadView)
            assert max(view.wrapped.widths) <= 60
            first = view.render_line(0).text
            indent = len(first) - len(first.lstrip())
            if align == "left":
                assert indent < MARGIN
            else:
                assert indent > 40  # centred in a pane of about 170 columns


async def test_read_more_headings_stay_in_reach_and_m_hides_the_pane(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=(80, 24)) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        more = app.screen.query_one(ReadMore)
        more.focus()
        await pilot.press("j", "j", "j", "g")
        await pilot.pause()
        # Home shows the first section's heading, and k on the first row does not wrap.
        assert more.scroll_y == 0
        first = more.highlighted
        await pilot.press("k")
        await pilot.pause()
        assert more.highlighted == first and more.scroll_y == 0
        await pilot.press("M")
        await pilot.pause()
        assert not more.display
        assert app.screen.focused is app.screen.query_one(ThreadView)
    # Remembered for the next start.
    again = make_app(library.config, library)
    async with again.run_test(size=(80, 24)) as pilot:
        main_screen(again).open_thread(threads["tea"].id)
        await pilot.pause()
        assert not again.screen.query_one(ReadMore).display
        await pilot.press("M")
        await pilot.pause()
        assert again.screen.query_one(ReadMore).display


async def test_o_opens_the_post_with_the_configured_browser_or_copies_it(
    library: Library, tmp_path: Path
) -> None:
    import sys

    threads = fill(library)
    opened = tmp_path / "opened.txt"
    writer = f"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])"
    config = replace(library.config, browser=f"{sys.executable} -c {writer!r} %u")
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("o")
        for _ in range(200):  # the browser is a process of its own
            if opened.exists() and opened.read_text():
                break
            await pilot.pause(0.05)
        assert opened.read_text() == threads["tea"].posts[0].url
    # No browser at all: the address goes to the terminal's clipboard and is shown.
    config = replace(library.config, browser=str(tmp_path / "no-such-browser") + " %u")
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == threads["tea"].posts[0].url
        assert any(n.title == "Not opened" for n in app.notices)
