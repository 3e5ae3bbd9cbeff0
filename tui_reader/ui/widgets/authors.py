"""The authors pane: "All threads", "Unread", then every author in the library."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.library import AuthorRow
from tui_reader.sources.registry import badge as source_badge
from tui_reader.ui.text import age, one_line
from tui_reader.ui.widgets.lists import VimOptionList

ALL = "all"
UNREAD = "unread"


class AuthorList(VimOptionList):
    """Authors with their source and unread counts; moving the cursor picks one."""

    BINDINGS = [Binding("x", "unfollow", "Unfollow", id="unfollow")]

    class UnfollowRequested(Message):
        """The reader asked to stop following the highlighted author."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class AuthorChosen(Message):
        """The reader moved to an author, or to "All threads" or "Unread"."""

        def __init__(self, key: str) -> None:
            super().__init__()
            #: ``"all"``, ``"unread"``, or an author's library key.
            self.key = key

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, AuthorList.AuthorChosen)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Authors"
        self.followed: set[str] = set()

    def show(self, rows: list[AuthorRow], total: int, unread: int) -> None:
        """Fill the list, keeping the cursor on the same entry where it still exists."""
        chosen = self.chosen_key
        self.followed = {row.author.key for row in rows if row.followed}
        self.border_subtitle = f"{len(self.followed)} followed" if self.followed else ""
        options: list[Option | None] = [
            Option(_entry(Text("All threads", style="bold"), "", total, 0, 0), id=ALL),
            Option(_entry(Text("Unread", style="bold"), "", unread, 0, 0), id=UNREAD),
            None,
        ]
        for row in rows:
            author = row.author
            label = one_line(author.display_name or author.handle)
            badge = source_badge(author.source)
            entry = _entry(label, badge, row.threads, row.unread, row.new)
            if row.followed:
                entry.append("\n")
                entry.append_text(_status(row))
            options.append(Option(entry, id=author.key))
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            try:
                self.highlighted = self.get_option_index(chosen) if chosen else 0
            except Exception:  # noqa: BLE001 - the author is gone; start at the top
                self.highlighted = 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unfollow":
            return self.chosen_key in self.followed
        return True

    def action_unfollow(self) -> None:
        """Ask to stop following the highlighted author."""
        self.post_message(self.UnfollowRequested(self.chosen_key))

    @property
    def chosen_key(self) -> str:
        """The key of the highlighted entry."""
        if self.highlighted is None:
            return ALL
        option = self.get_option_at_index(self.highlighted)
        return option.id or ALL

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.AuthorChosen(event.option.id))
        self.refresh_bindings()


def _entry(label: Text, badge: str, count: int, unread: int, new: int) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append_text(label)
    if badge:
        text.append(f"  {badge}", style="dim")
    text.append(f"  {count}", style="dim")
    if unread:
        text.append(f" · {unread} unread", style="dim")
    if new:
        text.append(f" · {new} new", style="bold")
    return text


def _status(row: AuthorRow) -> Text:
    if row.error:
        return Text.assemble(("  ⚠ ", "bold"), one_line(row.error, "italic"))
    if row.synced_at:
        return Text(f"  synced {age(row.synced_at)}", style="dim italic")
    return Text("  not synced yet: press R", style="dim italic")
