"""The command palette: every action, plus "open thread …" and "go to author …"."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.fuzzy import Matcher

from tui_reader.library import ThreadList
from tui_reader.render import counted
from tui_reader.ui.keys import key_rows
from tui_reader.ui.reader import reader_of
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.authors import AuthorList
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.library_pane import LibraryPane
from tui_reader.ui.widgets.thread_pane import ThreadPane
from tui_reader.ui.widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from tui_reader.ui.screens.main import MainScreen


def highlight(matcher: Matcher, name: str) -> Content:
    """``name`` as plain text (it may be a stranger's title: never markup), with the letters
    the query matched highlighted."""
    content = Content(name)
    score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    if score:
        for offset in offsets:
            if not name[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


#: Keys that only move about: the palette does not list them.
NOT_IN_PALETTE = frozenset({"next-pane", "previous-pane", "back", "next-match", "previous-match"})

#: Threads the palette offers to open by title, newest first.
PALETTE_THREADS = 300


class ReaderCommands(Provider):
    """Commands that depend on what is open: thread actions only when a thread is shown.

    Every name and help line is handed to the palette as ``Content``: the palette reads a
    ``str`` as markup, and thread titles and handles are written by strangers.
    """

    _cached: list[tuple[str, str, object]] | None = None

    async def startup(self) -> None:
        # Read the library once per palette, not once per keystroke.
        self._cached = self.commands()

    def _main(self) -> MainScreen | None:
        from tui_reader.ui.screens.main import MainScreen

        screen = self.screen
        return screen if isinstance(screen, MainScreen) else None

    def commands(self) -> list[tuple[str, str, object]]:
        """Every command the palette offers now: its name, its help, what it runs."""
        main = self._main()
        if main is None:
            return []
        app = self.app
        reader = reader_of(main)
        commands: list[tuple[str, str, object]] = []
        # Every action with a key, from the same table as the help screen, when it can run.
        targets: dict[type, DOMNode] = {
            type(app): app,
            type(main): main,
            LibraryPane: main.lists,
            ThreadPane: main.pane,
            ThreadView: main.pane.view,
            AuthorList: main.query_one(AuthorList),
            FeedList: main.query_one(FeedList),
        }
        for key in key_rows(type(app), reader.keymap):
            target = targets.get(key.owner)
            if target is None or not key.binding_id or key.binding_id in NOT_IN_PALETTE:
                continue
            if target.check_action(key.action, ()) is not True:
                continue
            commands.append(
                (key.name, f"{key.help} · {key.keys}", partial(app.run_action, key.action, target))
            )
        library = reader.library
        # The newest threads only: the palette matches every entry on every key, so its
        # cost must not grow with the library (older threads are a search away, with /).
        for summary in library.list_threads(ThreadList(), limit=PALETTE_THREADS):
            commands.append(
                (
                    f"open thread {one_line(summary.title).plain}",
                    f"@{one_line(summary.author.handle).plain} · "
                    f"{counted(summary.post_count, 'post')}",
                    partial(main.open_thread, summary.id),
                )
            )
        for row in library.authors():
            author = row.author
            commands.append(
                (
                    f"go to author {one_line(author.display_name or author.handle).plain}",
                    f"@{one_line(author.handle).plain} · {counted(row.threads, 'thread')}",
                    partial(main.lists.go_to_author, author.key),
                )
            )
        return commands

    def _all(self) -> list[tuple[str, str, object]]:
        return self._cached if self._cached is not None else self.commands()

    async def discover(self) -> Hits:
        for name, help_text, callback in self._all()[:8]:
            yield DiscoveryHit(
                Content(name),
                callback,  # type: ignore[arg-type]
                text=name,
                help=Content(help_text),  # type: ignore[arg-type]
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._all():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, name),
                    callback,  # type: ignore[arg-type]
                    text=name,
                    help=Content(help_text),  # type: ignore[arg-type]
                )
