"""The reader app and the one factory that builds it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tui_reader.clean import clean_line, clean_text
from tui_reader.config import Config
from tui_reader.library import Library
from tui_reader.state import load_state, save_state, state_file
from tui_reader.ui.collector import CHECK_EVERY, IdleCollector
from tui_reader.ui.commands import ReaderCommands
from tui_reader.ui.keys import LEGEND, binding_ids, key_rows
from tui_reader.ui.screens.changes import ChangesScreen
from tui_reader.ui.screens.dialogs import HelpScreen
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.terminal import HIGH_CONTRAST, driver_for
from tui_reader.ui.widgets.authors import AuthorList
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.library_pane import LibraryPane
from tui_reader.ui.widgets.lists import VirtualList
from tui_reader.ui.widgets.status import StatusLine
from tui_reader.ui.widgets.thread_pane import ThreadPane
from tui_reader.ui.widgets.thread_view import ThreadView


@dataclass(frozen=True)
class Notice:
    """One thing the reader said in a notification."""

    title: str
    message: str
    severity: str


#: Notifications kept in ``ReaderApp.notices``.
MAX_NOTICES = 200

#: Seconds between tries of the read marks and positions a busy library refused.
RETRY_WRITES_EVERY = 5.0
#: Seconds between redrawing the ages the lists and the header show ("2 minutes ago").
AGES_EVERY = 60.0

#: Keymap ids an earlier release used, and the ids that do their work now.
RENAMED_IDS = {"end-search": "back"}


class ReaderApp(App[None]):
    """tui-reader's reader: the library on the left, the thread on the right."""

    TITLE = "tui-reader"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    #: Where each set of keys works, by the classes that bind them, in the order the help
    #: lists them (the app's own come first, under "Everywhere": see ``keys.sections``).
    KEY_SECTIONS = (
        ("Everywhere", (MainScreen,)),
        ("Lists", (VirtualList, LibraryPane)),
        ("Authors", (AuthorList,)),
        ("Threads list", (FeedList,)),
        ("Thread", (ThreadPane, ThreadView)),
    )
    BINDINGS = [
        Binding(
            "q",
            "back_or_quit",
            "Quit",
            id="quit",
            tooltip="back one step (a search, the thread); quit from the top",
        ),
        Binding("Q,ctrl+q", "quit", "Quit now", show=False, id="quit-now", tooltip="quit"),
        Binding("question_mark", "help", "Keys", id="help", tooltip="every key, as bound now"),
        Binding(
            "W",
            "changes",
            "Changes",
            show=False,
            id="changes",
            tooltip="what changed in the library since you last looked: new, grown, edited",
        ),
    ]

    def __init__(
        self,
        config: Config,
        library: Library,
        *,
        open_ref: str = "",
        driver_class: type[Driver] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        self.config = config
        #: One pane of plain lines, the terminal cursor on what is read (``--linear``).
        self.linear = config.linear
        if self.linear:
            # Nothing moves by itself: a screen reader reads what is there, once.
            self.animation_level = "none"
        self.register_theme(HIGH_CONTRAST)
        self.library = library
        self.open_ref = open_ref
        self._working = 0
        self._progress = ""
        self._unreachable = False
        self._matches = ""
        self.collector = IdleCollector()
        #: What the reader has said in notifications, oldest first (the last MAX_NOTICES).
        self.notices: list[Notice] = []
        self.keymap = {RENAMED_IDS.get(key, key): keys for key, keys in config.keymap.items()}
        self.state_path = state_file(library.folder)
        self.state, self._state_warning = load_state(self.state_path)
        # A theme picked in the reader wins over the config's default.
        for theme in (self.state.theme, config.theme):
            if theme and theme in self.available_themes:
                self.theme = theme
                break

    def on_mount(self) -> None:
        self.set_class(self.linear, "-linear")
        # Textual shows no colour then, but in greys: the cursor's row is told by reverse.
        self.set_class(self.no_color, "-no-color")
        # The collector's full passes wait for a pause in the reading (see collector.py).
        self.collector.hold()
        self.set_interval(CHECK_EVERY, self.collector.check)
        known = binding_ids(type(self))
        unknown = sorted(set(self.keymap) - known)
        keymap = {key: keys for key, keys in self.keymap.items() if key in known}
        if keymap:
            self.set_keymap(keymap)
        # A mark or position that cannot be saved (a read-only or busy library) is said
        # once and kept to try again: the reader goes on.
        self.library.on_write_failure = self._write_failed
        self.set_interval(RETRY_WRITES_EVERY, self.library.retry_writes)
        # "synced 2 minutes ago" is drawn once and kept: drawn again as the minutes pass.
        self.set_interval(AGES_EVERY, lambda: self.main.ages_passed())
        notices = [*self.config.warnings, self.library.notice, self._state_warning]
        if unknown:
            notices.append(
                f"[keymap] {', '.join(unknown)}: no key has "
                f"{'these ids' if len(unknown) > 1 else 'this id'}; ? lists the keys, and "
                "the README their ids"
            )
        if self.config.theme and self.config.theme not in self.available_themes:
            notices.append(f"the theme {self.config.theme!r} in the config does not exist")
        for notice in filter(None, notices):
            self.notify(notice, title="Note", severity="warning", timeout=10)
        self._show_status()
        main = self.main
        sync = self.config.sync
        if not self.library.offline and self.library.follow_count():
            if sync.on_start:
                self.call_after_refresh(main.background_sync)
            if sync.interval_minutes:
                self.set_interval(sync.interval_minutes * 60, main.background_sync)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, but its Quit and Keys: the reader's own (``q``,
        ``?``) are listed already, and twice was one too many."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    def _write_failed(self, reason: str) -> None:
        self.notify(
            f"{reason}. Reading goes on; what you read is saved once the library can be written.",
            title="Not saved",
            severity="warning",
            timeout=10,
            markup=False,
        )

    def get_default_screen(self) -> MainScreen:
        # The main screen is the app's first: no blank default screen is laid out before it.
        self.main = MainScreen(open_ref=self.open_ref)
        return self.main

    async def on_unmount(self) -> None:
        self.collector.release()
        await self.library.aclose()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.collector.input()
        await super().on_event(event)

    def set_working(self, working: bool) -> None:
        """Count network work in progress, for the indicator in the header."""
        self._working = max(0, self._working + (1 if working else -1))
        self._show_status()

    def set_progress(self, text: str) -> None:
        """Show a long job's progress ("syncing 2/5") in the header; "" clears it."""
        self._progress = text
        self._show_status()

    def set_unreachable(self, unreachable: bool) -> None:
        """Say in the header that the network (or a server) could not be reached."""
        self._unreachable = unreachable
        self._show_status()

    def _show_status(self) -> None:
        parts = []
        if self.library.offline:
            parts.append("offline")
        elif self._unreachable:
            parts.append("network unreachable: reading from the library")
        if self._progress:
            parts.append(self._progress)
        elif self._working:
            parts.append("working…")
        if self._matches:
            parts.append(self._matches)
        self.sub_title = " · ".join(parts)
        if self.linear:
            self._say(", ".join(parts))

    def set_match_status(self, text: str) -> None:
        """Show where the reader is among a search's or a find's matches; "" clears it."""
        self._matches = text
        self._show_status()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification. Messages quote servers, URLs and names, so they are never
        markup and never carry control characters, whoever calls this. Each is also kept in
        :attr:`notices` (the linear mode and the tests read what was said there)."""
        title, message = clean_line(title), clean_text(message)
        self.notices.append(Notice(title, message, severity))
        del self.notices[:-MAX_NOTICES]
        if self.linear:
            # One line at the bottom, where the cursor can reach it; no toast pops up.
            said = " ".join(message.split())
            self._say(f"{title}: {said}" if title else said)
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _say(self, text: str) -> None:
        main: MainScreen | None = getattr(self, "main", None)
        if main is not None and main.is_mounted:
            main.query_one(StatusLine).say(text)

    def action_help(self) -> None:
        """Show every key, as bound now."""
        if not isinstance(self.screen, HelpScreen):
            # Linear mode's lists say their marks in words: no legend to learn.
            legend = () if self.linear else LEGEND
            self.push_screen(HelpScreen(key_rows(type(self), self.keymap), legend))

    def action_changes(self) -> None:
        """What changed in the library since you last looked; enter opens one where it
        happened. Looking at them moves "last looked" to now."""
        main: MainScreen | None = getattr(self, "main", None)
        if main is None or isinstance(self.screen, ChangesScreen):
            return
        changes, looked = self.library.changes()

        def chosen(where: tuple[str, int] | None) -> None:
            if where is not None and main.is_mounted:
                main.open_thread(where[0], at_post=where[1])
            if main.is_mounted:
                main.pane.fill_read_more()

        if not self.is_screen_installed("changes"):
            self.install_screen(ChangesScreen(), "changes")
        screen = self.get_screen("changes")
        assert isinstance(screen, ChangesScreen)
        screen.show(changes, looked)
        self.push_screen(screen, chosen)

    def action_back_or_quit(self) -> None:
        """q: back one step; quit when there is nowhere to go back from."""
        screen = self.screen
        if isinstance(screen, MainScreen) and screen.go_back():
            return
        self.exit()

    def watch_theme(self, theme: str) -> None:
        if self.is_running and theme != (self.state.theme or self.config.theme):
            self.remember(theme=theme)

    def remember(self, **choices: object) -> None:
        """Keep choices made in the reader (theme, sort, filters) for the next run, in the
        reader's own state file; the user's config file is never rewritten."""
        self.state = self.state.changed(**choices)
        try:
            save_state(self.state_path, self.state)
        except OSError as error:
            self.notify(
                f"cannot write {self.state_path}: {error.strerror or error}",
                title="Choice not kept",
                severity="warning",
            )


def make_app(config: Config, library: Library, *, open_ref: str = "") -> ReaderApp:
    """Build the reader from its parts; the CLI and the tests both start here."""
    # Read before the app is made: Textual takes NO_COLOR out of the environment.
    no_color = os.environ.get("NO_COLOR") is not None
    driver = driver_for(linear=config.linear, no_color=no_color, notify=config.notify)
    return ReaderApp(config, library, open_ref=open_ref, driver_class=driver)
