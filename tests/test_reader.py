"""The reader, driven by keys through Textual's Pilot."""

from __future__ import annotations

import asyncio
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.fake_bluesky import FakeAppView
from tests.reader_data import fill
from tests.screen import screen_text, settle
from tests.server import FakeServer
from tui_reader.library import Library, ThreadList
from tui_reader.models import ThreadSummary
from tui_reader.sources.bluesky_records import web_url
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.dialogs import ChoiceDialog, HelpScreen, RefDialog
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.authors import AuthorList
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.read_more import ReadMore
from tui_reader.ui.widgets.thread_view import ThreadHeader, ThreadView

WIDE = (120, 40)


async def settled(app: object) -> None:
    """Wait until no worker runs, those that others start included (a follow starts a sync)."""
    from textual.app import App

    assert isinstance(app, App)
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
    view.wrap_all()  # a long thread is measured a few posts at a time
    return "\n".join(
        "".join(segment.text for segment in view.wrapped.line_segments(index))
        for index in range(len(view.wrapped.lines))
    )


def main_screen(app: object) -> MainScreen:
    from textual.app import App

    assert isinstance(app, App)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def open_feed_entry(pilot: object, index: int) -> None:
    """Focus the feed and open its ``index``-th thread."""
    app = pilot.app  # type: ignore[attr-defined]
    feed = app.screen.query_one(FeedList)
    feed.focus()
    feed.highlighted = index
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_it_opens_on_the_library(library: Library) -> None:
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Alice Liddell" in text and "Bob Builder" in text
        assert "All threads  3" in text
        feed = app.screen.query_one(FeedList)
        # Newest first.
        assert [t.title for t in listed(feed)][0].startswith("Why tea tastes")
        assert app.screen.focused is app.screen.query_one(AuthorList)
        assert "Pick a thread on the left" in text


async def test_pick_an_author_then_read_a_thread_with_keys(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_hostile_text_is_shown_literally_and_runs_nothing(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_post_keys_move_through_the_thread(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_reading_to_the_end_marks_read_and_m_toggles(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_read_more_lists_the_authors_other_threads_and_opens_one(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_a_linked_thread_not_yet_fetched_is_unrolled_on_the_spot(
    library: Library, appview: FakeAppView
) -> None:
    carol = appview.account("carol.bsky.social", "Carol")
    uris = appview.chain(carol, 3)
    threads = fill(library, link=web_url(uris[1]))
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        more = app.screen.query_one(ReadMore)
        more.focus()
        more.highlighted = more.get_option_index(f"url:{web_url(uris[1])}")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None
        assert view.thread.author.display_name == "Carol"
        assert view.thread.post_count == 3
        assert "Carol" in screen_text(app)


async def test_u_unrolls_a_url_typed_in_the_dialog(library: Library, appview: FakeAppView) -> None:
    dave = appview.account("dave.bsky.social", "Dave")
    uris = appview.chain(dave, 4)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        assert "The library is empty. Press u to unroll a post URL" in screen_text(app)
        await pilot.press("u")
        assert isinstance(app.screen, RefDialog)
        app.screen.query_one(Input).value = web_url(uris[2])
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.post_count == 4
        assert "Dave" in screen_text(app)


async def test_a_failed_unroll_is_a_notification_not_a_crash(
    library: Library, appview: FakeAppView
) -> None:
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("u")
        app.screen.query_one(Input).value = "https://bsky.app/profile/ghost.bsky.social/post/3kz"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app.notices]
        assert any("no Bluesky account has the handle ghost.bsky.social" in m for m in messages)


async def test_refresh_fetches_the_thread_again(library: Library, appview: FakeAppView) -> None:
    erin = appview.account("erin.bsky.social", "Erin")
    uris = appview.chain(erin, 2)
    await library.unroll(web_url(uris[0]))
    appview.post(erin, "Added later.", reply_to=uris[1])
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(f"bluesky:{uris[0]}")
        await pilot.pause()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.post_count == 3
        assert "Added later." in thread_lines(view)


async def test_offline_reads_the_library_and_says_so_for_the_network(
    library: Library, tmp_path: Path
) -> None:
    threads = fill(library)
    offline = Library(library.config.with_offline(True), library.store)
    app = make_app(offline.config, offline)
    async with app.run_test(size=WIDE) as pilot:
        assert app.sub_title == "offline"
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        assert "offline" in str(app.screen.query_one(ThreadHeader).render())
        await pilot.press("r")
        await pilot.pause()
        assert any("Offline" in n.message for n in app.notices)
        await pilot.press("u")
        app.screen.query_one(Input).value = "https://bsky.app/profile/did:plc:zed/post/3kz"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("offline, and the library does not have" in n.message for n in app.notices)


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


async def test_thread_keys_are_off_until_a_thread_is_open(library: Library) -> None:
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("o", "y", "m", "r")
        assert not list(app.notices)
        assert app.clipboard == ""
        footer = screen_text(app).splitlines()[-1]
        assert "Unroll" in footer and "Copy link" not in footer


async def test_help_lists_every_key(library: Library) -> None:
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 90)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in (
            "next post",
            "the next unread thread",
            "mark the thread read / unread",
            "copy the post's link",
            "command palette",
            "unroll a post URL",
            "not fetched yet: enter unrolls it",  # what ○ means
        ):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_pages_with_space_g_and_g(library: Library) -> None:
    from textual.containers import VerticalScroll

    app = make_app(library.config, library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        scroller = app.screen.query_one("#help", VerticalScroll)
        assert scroller.max_scroll_y > 0
        await pilot.press("space")
        await pilot.pause()
        assert scroller.scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert scroller.scroll_y == scroller.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert scroller.scroll_y == 0


async def test_help_shows_the_keys_as_rebound(library: Library) -> None:
    config = replace(library.config, keymap={"next-post": "ctrl+n,]", "nonsense-id": "x"})
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        [row] = [
            line
            for line in lines
            if "next post" in line and "unread" not in line and "match" not in line
        ]
        assert "ctrl+n / ]" in row and " J " not in row
        warnings = [n.message for n in app.notices]
        assert any("[keymap] nonsense-id: no key has this id" in w for w in warnings)


async def test_keys_can_be_rebound_from_the_config(library: Library) -> None:
    threads = fill(library)
    config = replace(library.config, keymap={"next-post": "ctrl+n"})
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["long"].id)
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n")
        assert app.screen.query_one(ThreadView).current == 2
        await pilot.press("J")  # no longer bound to it
        assert app.screen.query_one(ThreadView).current == 2


async def test_the_palette_goes_to_an_author(library: Library) -> None:
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"go to author bob")
        await settle(pilot, lambda: "go to author" in screen_text(app))
        # Bob has one thread: "1 threads" was the palette's grammar.
        assert "1 thread" in screen_text(app) and "1 threads" not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        feed = app.screen.query_one(FeedList)
        assert feed.border_title == "@bob.bsky.social"
        assert app.screen.focused is feed


async def test_the_palette_lists_quit_and_keys_once(library: Library) -> None:
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"quit")
        await settle(pilot, lambda: "back one step" in screen_text(app))
        shown = screen_text(app)
        assert "Quit the application as soon as possible" not in shown
        assert "back one step" in shown
        await pilot.press(*("backspace",) * 4, *"keys")
        await settle(pilot, lambda: "every key, as bound now" in screen_text(app))
        assert "Show help for the focused widget" not in screen_text(app)


async def test_the_palette_opens_a_thread(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"open thread shed")
        await settle(pilot, lambda: "open thread" in screen_text(app))
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["shed"].id


async def test_the_chosen_theme_is_kept_without_touching_the_config(
    library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    text = '# my settings\n[network]\ntimeout = 7.0  # slow line\n\n[ui]\ntheme = "nord"\n'
    path.write_text(text, "utf-8")
    path.chmod(0o644)
    config = replace(library.config, path=path, theme="nord")
    app = make_app(config, Library(config, library.store))
    assert app.theme == "nord"
    async with app.run_test(size=WIDE) as pilot:
        app.theme = "gruvbox"
        await pilot.pause()

    # The user's file is theirs: comments, layout and mode as they were.
    assert path.read_text("utf-8") == text
    assert path.stat().st_mode & 0o777 == 0o644
    state = tmp_path / "state.toml"
    assert tomllib.loads(state.read_text("utf-8"))["theme"] == "gruvbox"
    # The choice made in the reader wins over the config's default next time.
    assert make_app(config, library).theme == "gruvbox"


@pytest.mark.parametrize(
    "damage",
    [
        "theme = [unclosed",
        # Nested past the parser's depth: RecursionError kept the reader from starting.
        "theme = " + "[" * 100_000 + "]" * 100_000,
    ],
)
async def test_a_damaged_state_file_is_named_and_the_reader_starts(
    library: Library, tmp_path: Path, damage: str
) -> None:
    (tmp_path / "state.toml").write_text(damage, "utf-8")
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app.notices]
    assert any("saved choices" in m and "state.toml" in m for m in messages)
    assert app.theme == "textual-dark"


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


async def test_read_ref_opens_straight_on_the_thread(
    library: Library, appview: FakeAppView
) -> None:
    fay = appview.account("fay.bsky.social", "Fay")
    uris = appview.chain(fay, 5)
    app = make_app(library.config, library, open_ref=web_url(uris[3]))
    async with app.run_test(size=WIDE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.post_count == 5
        assert app.screen.focused is view


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


def test_the_readme_lists_the_keys_and_ids_the_reader_has() -> None:
    """The README's key table is the one the help screen is made from, and every binding id
    it offers for [keymap] is one the reader declares (and the other way round)."""
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.keys import binding_ids, markdown_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert markdown_table(ReaderApp) in readme, "run: python -m tui_reader.ui"
    section = readme[readme.index("can be rebound in the config") :]
    offered = set(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", section[: section.index("```")]))
    assert offered == binding_ids(ReaderApp)


async def test_read_ref_opens_a_thread_the_library_has_without_the_network(
    library: Library,
) -> None:
    threads = fill(library)
    offline = Library(library.config.with_offline(True), library.store)
    app = make_app(offline.config, offline, open_ref=threads["long"].posts[10].url)
    async with app.run_test(size=WIDE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["long"].id
        assert app.screen.focused is view


async def test_f_follows_and_capital_r_syncs_with_a_notification(
    library: Library, appview: FakeAppView
) -> None:
    gus = appview.account("gus.bsky.social", "Gus")
    appview.chain(gus, 3)
    appview.chain(gus, 2)
    appview.post(gus, "a single post")
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, RefDialog)
        app.screen.query_one(Input).value = "gus.bsky.social"
        await pilot.press("enter")
        await settled(app)
        # Following brings the author's threads in at once.
        messages = [n.message for n in app.notices]
        assert "Following Gus; bringing in their threads." in messages
        assert "2 new threads from 1 author." in messages
        appview.chain(gus, 2)

        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()

        messages = [n.message for n in app.notices]
        assert "1 new thread from 1 author." in messages
        text = screen_text(app)
        assert "Gus  bsky  3 · 3 unread · 3 new" in text
        assert "synced just now" in text
        assert "new  " in text  # the badge on the feed entries
        assert app.sub_title == ""


async def test_a_sync_names_every_failing_author_with_their_own_reason(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    from tests.fake_threadreader import FakeThreadReader

    site = FakeThreadReader(server)
    gus = appview.account("gus.bsky.social", "Gus")
    appview.chain(gus, 3)
    for handle in ("gone_away", "new_markup"):
        site.author(handle, handle.title())
        site.thread(handle, 2, hours=1)
    await library.follow("gus.bsky.social")
    await library.follow("https://x.com/gone_away")
    await library.follow("https://x.com/new_markup")
    del site.names["gone_away"]
    site.without_cards.add("new_markup")
    app = make_app(library.config, library)
    progress: list[str] = []
    async with app.run_test(size=WIDE) as pilot:

        def seen(text: str) -> None:
            progress.append(text)

        app.watch(app, "sub_title", seen)
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [failure] = [n for n in app.notices if n.title.startswith("Sync failed")]

    assert failure.title == "Sync failed for 2 of 3"
    assert sorted(failure.message.splitlines()) == [
        f"@gone_away: Thread Reader App has no page for @gone_away ({server.url}/user/gone_away)",
        f"@new_markup: Thread Reader App's page {server.url}/user/new_markup lists no threads",
    ]
    # The header said how far the sync was, and whose turn it was.
    assert any(re.fullmatch(r"syncing [123]/3 · @[a-z_.]+", text) for text in progress)


async def test_a_sync_that_failed_for_everyone_does_not_say_nothing_is_new(
    library: Library, server: FakeServer
) -> None:
    from tests.fake_threadreader import FakeThreadReader

    site = FakeThreadReader(server)
    site.author("gone_away", "Gone")
    site.thread("gone_away", 2, hours=1)
    await library.follow("https://x.com/gone_away")
    del site.names["gone_away"]
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app.notices]
    assert "Nothing new." not in said
    assert any("no page for @gone_away" in message for message in said)


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


async def test_sync_on_start_runs_in_the_background(library: Library, appview: FakeAppView) -> None:
    from tui_reader.config import SyncConfig

    ivy = appview.account("ivy.bsky.social", "Ivy")
    appview.chain(ivy, 2)
    await library.follow("ivy.bsky.social")
    config = replace(library.config, sync=SyncConfig(on_start=True))
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 new thread from 1 author." in [n.message for n in app.notices]
        assert len(library.threads()) == 1


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


async def test_slash_searches_and_opens_the_thread_at_the_match(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_n_and_capital_n_move_between_matches(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_an_unreachable_network_is_shown_in_the_header(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    threads = fill(library)
    server.stop()
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sub_title == "network unreachable: reading from the library"
        assert any("cannot reach 127.0.0.1" in n.message for n in app.notices)
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["tea"].id


async def test_a_search_for_markup_shows_it_literally(library: Library) -> None:
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).search("[bold]not[/bold] [@click=app.quit]x[/]")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Search: [bold]not[/bold] [@click=app." in screen_text(app)
        assert app.is_running


async def test_a_new_theme_recolours_an_open_thread(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_config_mistakes_are_shown_in_the_reader(library: Library) -> None:
    fill(library)
    config = replace(
        library.config, theme="no-such-theme", warnings=("config.toml: unknown setting [netwrok]",)
    )
    app = make_app(config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app.notices]
        assert "config.toml: unknown setting [netwrok]" in messages
        assert "the theme 'no-such-theme' in the config does not exist" in messages


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
    library: Library,
) -> None:
    from tui_reader.ui.screens.main import RELOAD_INTERVAL, LibraryChanged

    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_finishing_a_thread_in_the_unread_view_moves_on_to_the_next(
    library: Library,
) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_the_threads_list_is_whole_after_a_search(library: Library) -> None:
    # Found: after /, a search, enter and escape, rows wrapped at the wrong width and lost
    # their separators until another author was chosen.
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


# Habits from newsboat and tut ----------------------------------------------------------------


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


async def test_mark_the_list_or_everything_read_and_undo(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        authors = app.screen.query_one(AuthorList)
        authors.highlighted = authors.index_of(threads["shed"].author.key)
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert not library.summary(threads["shed"].id).unread  # type: ignore[union-attr]
        assert library.summary(threads["tea"].id).unread  # type: ignore[union-attr]
        assert "Marked 1 thread read in this list. Press z to undo." in [
            n.message for n in app.notices
        ]
        await pilot.press("z")
        await pilot.pause()
        assert library.summary(threads["shed"].id).unread  # type: ignore[union-attr]
        await pilot.press("C")
        await pilot.pause()
        assert library.count_listed(ThreadList(unread_only=True)) == (0, 0)
        await pilot.press("z")
        await pilot.pause()
        assert library.count_listed(ThreadList(unread_only=True)) == (3, 3)


async def test_q_goes_back_before_it_quits_and_capital_q_quits(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=(80, 30)) as pilot:  # narrow: the thread takes the screen
        await open_feed_entry(pilot, 0)
        view = app.screen.query_one(ThreadView)
        await settle(pilot, lambda: app.screen.focused is view)
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen.focused, FeedList))
        assert app.is_running and "-reading" not in app.screen.classes
        main_screen(app).search("shed")
        await app.workers.wait_for_complete()
        await pilot.press("q")  # ends the search
        await pilot.pause()
        assert app.is_running and not main_screen(app).search_query
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert threads  # the library is untouched by quitting

    again = make_app(library.config, library)
    async with again.run_test(size=WIDE) as pilot:
        await open_feed_entry(pilot, 0)
        await pilot.press("Q")
        await pilot.pause()
        assert not again.is_running


async def test_enter_on_an_author_opens_their_threads(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        authors = app.screen.query_one(AuthorList)
        authors.focus()
        authors.highlighted = authors.index_of(threads["shed"].author.key)
        await pilot.press("enter")
        feed = app.screen.query_one(FeedList)
        await settle(pilot, lambda: app.screen.focused is feed)
        assert [t.id for t in listed(feed)] == [threads["shed"].id]


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


async def test_find_in_the_open_thread(library: Library) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


async def test_lists_show_how_far_a_started_thread_is_read(library: Library) -> None:
    threads = fill(library)
    library.set_position(threads["long"].id, 7)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "8/300 posts" in screen_text(app)


async def test_the_keymap_id_of_earlier_releases_still_works(library: Library) -> None:
    fill(library)
    config = replace(library.config, keymap={"end-search": "ctrl+e"})
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).search("shed")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not main_screen(app).search_query
        assert not [n for n in app.notices if "[keymap]" in n.message]


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
    library: Library,
) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        screen = main_screen(app)
        # Opened from a search, then another thread at once, before the lookup answers.
        screen.open_thread(threads["long"].id, query="Words")
        screen.open_thread(threads["tea"].id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["tea"].id
        assert view.matches == [] and view.spans == {}


async def test_every_habit_is_in_the_palette_and_runs_from_it(library: Library) -> None:
    from tui_reader.ui.commands import ReaderCommands

    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["long"].id)
        await pilot.pause()
        provider = ReaderCommands(app.screen, None)  # type: ignore[arg-type]
        names = {name: help_text for name, help_text, _ in provider._commands()}
        for name in (
            "Next unread",
            "Catch up",
            "Mark list read",
            "Sort",
            "Hide read",
            "Links",
            "Find",
            "Filter",
            "Save as",
            "Quit now",
        ):
            assert name in names, name
        assert names["Catch up"].endswith("· C")  # with its key, as bound now
        await pilot.press("ctrl+p")
        await pilot.press(*"catch up")
        await settle(pilot, lambda: "catch up" in screen_text(app).lower())
        await pilot.press("enter")
        await pilot.pause()
        assert library.count_listed(ThreadList(unread_only=True)) == (0, 0)


async def test_a_sync_error_in_the_authors_pane_is_one_line(
    library: Library, appview: FakeAppView
) -> None:
    gus = appview.account("gus.bsky.social", "Gus")
    appview.chain(gus, 2)
    author, _ = await library.follow("gus.bsky.social")
    from tui_reader.store import SyncState

    reason = "cannot reach public.api.bsky.app: connection refused (is the server running?) " * 3
    library.store.set_sync_state(author.key, SyncState("2024-06-01T00:00:00Z", reason, "", ""))
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        [index] = [n for n, line in enumerate(lines) if "⚠ cannot reach" in line]
        assert "…" in lines[index]  # cut to the pane, not wrapped
        assert "Gus" in lines[index - 1]
        assert "running?" not in lines[index + 1]  # the next line is the next entry


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
    library: Library,
) -> None:
    # Another program (or a damaged disk) takes the search index away while the reader runs:
    # the search said nothing at all before (SQLite's own error ended the search's worker).
    import sqlite3

    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
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


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_dialogs_wrap_their_words_rather_than_cut_them(
    library: Library, size: tuple[int, int]
) -> None:
    fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key, words in (
            ("u", "threadreaderapp.com), a tweet ID or a thread ID:"),
            ("f", "or @handle@x.com, or a profile or post URL:"),
            ("slash", '"a phrase" in quotes; word* for a prefix:'),
            ("F", "(empty shows every thread again):"),
            ("question_mark", "[keymap] in the config rebinds keys by id"),
        ):
            await pilot.press(key)
            await pilot.pause()
            if key == "question_mark":
                await pilot.press("G")
                await pilot.pause()
            # The dialog's own cells, its frame taken out, read as one line of words.
            area = app.screen.query_one("#help" if key == "question_mark" else "#dialog").region
            rows = screen_text(app).splitlines()
            cells = [row[area.x : area.right] for row in rows[area.y : area.bottom]]
            text = " ".join(" ".join(cells).translate(str.maketrans("", "", "█▀▄▊▎▔▁")).split())
            assert words in text, (key, size, text)
            await pilot.press("escape")
            await pilot.pause()


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


async def test_following_brings_the_threads_and_s_syncs_one_author(
    library: Library, appview: FakeAppView
) -> None:
    eve = appview.account("eve.bsky.social", "Eve")
    appview.chain(eve, 3)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).follow("eve.bsky.social")
        await settled(app)
        # Followed, and her thread is here without R.
        assert len(library.list_threads(ThreadList(f"bluesky:{eve.did}"))) == 1
        appview.chain(eve, 2)
        authors = app.screen.query_one(AuthorList)
        authors.focus()
        authors.place_cursor(authors.index_of(f"bluesky:{eve.did}"))
        await pilot.press("S")
        await settled(app)
        assert len(library.list_threads(ThreadList(f"bluesky:{eve.did}"))) == 2


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_footer_never_shows_half_a_label(library: Library, size: tuple[int, int]) -> None:
    threads = fill(library)
    app = make_app(library.config, library)
    async with app.run_test(size=size) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        # A label cut by the palette's key ran straight into its border: "m Read/u▏".
        assert not re.search(r"\S▏", footer), footer
        assert "J Next post" in footer and "^p palette" in footer
