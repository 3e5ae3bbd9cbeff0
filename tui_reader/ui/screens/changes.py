"""What changed: one post's edit word by word, and the library's changes since you last
looked (each opening at the place it happened)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static

from tui_reader.library import Change
from tui_reader.render import nice_date, safe_text, spoken_day
from tui_reader.seen import Edit, diff_words, word_diff
from tui_reader.ui.reader import is_linear
from tui_reader.ui.screens.dialogs import PagedScreen
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.lists import VirtualList

#: How each kind of change reads in the list.
KIND_WORDS = {"new": "new thread", "grew": "grew", "edited": "edited", "deleted": "deleted"}


class EditScreen(PagedScreen):
    """One post's edit: the words taken out struck through, the words put in underlined (and
    marked ``[-…-]`` and ``{+…+}``, which read without colour, and aloud)."""

    BINDINGS = [Binding("escape,q,d", "close", "Close")]

    def __init__(self, edit: Edit, title: str) -> None:
        super().__init__()
        self.edit = edit
        self.title_text = title

    def compose(self) -> ComposeResult:
        pieces = word_diff(safe_text(self.edit.before), safe_text(self.edit.after))
        with VerticalScroll(id="help"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Label(f"From {self.edit.label} to now:", classes="dim", markup=False)
            if pieces is None:
                yield Static(
                    Text.assemble(
                        ("Too long to compare word by word. Before:\n", "italic"),
                        safe_text(self.edit.before),
                        ("\n\nNow:\n", "italic"),
                        safe_text(self.edit.after),
                    )
                )
            else:
                yield Static(diff_text(pieces, linear=is_linear(self)), id="diff")
            yield Label("escape closes this", classes="dim", markup=False)


def diff_text(pieces: list[tuple[str, str]], *, linear: bool = False) -> Text:
    """A word diff to show: struck and underlined, with its marks in words as well."""
    if linear:
        return Text(diff_words(pieces))
    text = Text()
    looks = {"gone": "strike red", "added": "underline bold green", "same": ""}
    marks = {"gone": ("[-", "-]"), "added": ("{+", "+}"), "same": ("", "")}
    for kind, words in pieces:
        opening, closing = marks[kind]
        text.append(f"{opening}{words}{closing}", style=looks[kind])
    return text


class ChangeList(VirtualList):
    """The changes, a row each, drawn only as they scroll into view (the log may be long)."""

    class Chosen(Message):
        """Enter on a change."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, changes: list[Change], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.changes = changes

    def row_lines(self, index: int, width: int) -> list[Text]:
        """A change as one line, cut to the width."""
        row = change_row(self.changes[index], linear=is_linear(self))
        row.truncate(max(1, width), overflow="ellipsis")
        return [row]

    def row_selected(self, index: int) -> None:
        """Open the change's thread where it happened."""
        self.post_message(self.Chosen(index))


class ChangesScreen(Screen[tuple[str, int] | None]):
    """The library's changes since you last looked, newest first; enter opens one at its
    place (the thread's ID and the post), escape closes. One is made and kept: each look
    fills it again (``show``), so opening it lays out no new widgets."""

    BINDINGS = [Binding("escape,q,W", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[Change] = []
        self.looked = ""

    def compose(self) -> ComposeResult:
        yield Label("", id="changes-title", classes="dialog-title", markup=False)
        yield ChangeList([], id="changes")
        yield Label("", id="changes-hint", classes="dim", markup=False)

    def show(self, changes: list[Change], looked: str) -> None:
        """Fill the screen with ``changes``, looked at last at ``looked``."""
        self.changes, self.looked = changes, looked
        if self.is_mounted:
            self._fill()

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        since = f"since you last looked, {nice_date(self.looked)}" if self.looked else "so far"
        title, hint = (
            self.query_one("#changes-title", Label),
            self.query_one("#changes-hint", Label),
        )
        listed = self.query_one(ChangeList)
        listed.changes = self.changes
        listed.set_rows(len(self.changes))
        listed.place_cursor(0 if self.changes else None)
        listed.display = bool(self.changes)
        if self.changes:
            title.update(f"What changed in the library {since}")
            hint.update("enter opens one where it happened · escape closes")
            listed.focus()
        else:
            title.update(f"Nothing changed in the library {since}.")
            hint.update("A sync (R) brings new threads and the changes of watched threads (w).")

    @on(ChangeList.Chosen)
    def _chosen(self, event: ChangeList.Chosen) -> None:
        event.stop()
        change = self.changes[event.index]
        self.dismiss((change.thread.id, change.place))

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)


def change_row(change: Change, *, linear: bool = False, compact: bool = False) -> Text:
    """One change as a row: when, what, where, and the thread (``compact``: the day, what,
    and the title, for Read more's narrow rows)."""
    what = KIND_WORDS.get(change.kind, change.kind)
    if change.kind == "grew":
        what = f"grew +{change.count}"
    if change.kind in ("edited", "deleted"):
        what = f"post {change.place + 1} {what}"
    title = safe_text(change.thread.title)
    if linear:
        words = f"{spoken_day(change.at)}, {what}, @{safe_text(change.thread.author.handle)}"
        return Text(f"{words}: {' '.join(title.split())}", no_wrap=True, overflow="ellipsis")
    text = Text(no_wrap=True, overflow="ellipsis")
    if compact:
        text.append(f"{spoken_day(change.at)} · ", style="dim")
        text.append(what, style="bold")
        text.append(" · ", style="dim")
        text.append_text(one_line(change.thread.title))
        return text
    text.append(f"{nice_date(change.at)}  ", style="dim")
    text.append(f"{what:<16}", style="bold")
    text.append_text(one_line(f"@{change.thread.author.handle}", "dim"))
    text.append("  ")
    text.append_text(one_line(change.thread.title))
    return text
