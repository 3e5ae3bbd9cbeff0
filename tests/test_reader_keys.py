"""The reader's keys: help, the palette, rebinding, dialogs, the footer, remembered choices."""

import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reader_data import fill
from tests.reading import WIDE, Reading, main_screen, open_feed_entry
from tests.screen import screen_text, settle
from tui_reader.library import Library, ThreadList
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.dialogs import HelpScreen
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.thread_view import ThreadView


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


async def test_the_palette_goes_to_an_author(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
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


async def test_the_palette_lists_quit_and_keys_once(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    await pilot.press("ctrl+p")
    await pilot.press(*"quit")
    await settle(pilot, lambda: "back one step" in screen_text(app))
    shown = screen_text(app)
    assert "Quit the application as soon as possible" not in shown
    assert "back one step" in shown
    await pilot.press(*("backspace",) * 4, *"keys")
    await settle(pilot, lambda: "every key, as bound now" in screen_text(app))
    assert "Show help for the focused widget" not in screen_text(app)


async def test_the_palette_opens_a_thread(reader: Reading) -> None:
    app, pilot = reader.app, reader.pilot
    threads = reader.threads
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


async def test_every_habit_is_in_the_palette_and_runs_from_it(
    reader: Reading, library: Library
) -> None:
    from tui_reader.ui.commands import ReaderCommands

    app, pilot = reader.app, reader.pilot
    threads = reader.threads
    main_screen(app).open_thread(threads["long"].id)
    await pilot.pause()
    provider = ReaderCommands(app.screen, None)  # type: ignore[arg-type]
    names = {name: help_text for name, help_text, _ in provider.commands()}
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
