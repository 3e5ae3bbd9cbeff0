"""The authors pane: "All threads", "Unread", then every author in the library."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.store import AuthorRow
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.lists import VimOptionList

ALL = "all"
UNREAD = "unread"
BADGES = {"bluesky": "🦋", "mastodon": "🐘", "threadreader": "𝕏"}
SOURCE_LETTERS = {"bluesky": "bsky", "mastodon": "masto", "threadreader": "x"}


class AuthorList(VimOptionList):
    """Authors with their source and unread counts; moving the cursor picks one."""

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

    def show(self, rows: list[AuthorRow], total: int, unread: int) -> None:
        """Fill the list, keeping the cursor on the same entry where it still exists."""
        chosen = self.chosen_key
        options = [
            Option(_entry("All threads", "", total, 0), id=ALL),
            Option(_entry("Unread", "", unread, 0), id=UNREAD),
            None,
        ]
        for row in rows:
            author = row.author
            label = one_line(author.display_name or author.handle)
            badge = SOURCE_LETTERS.get(author.source, author.source)
            options.append(Option(_entry(label, badge, row.threads, row.unread), id=author.key))
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            try:
                self.highlighted = self.get_option_index(chosen) if chosen else 0
            except Exception:  # noqa: BLE001 - the author is gone; start at the top
                self.highlighted = 0

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


def _entry(label: str | Text, badge: str, count: int, unread: int) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append_text(label if isinstance(label, Text) else Text(label, style="bold"))
    if badge:
        text.append(f"  {badge}", style="dim")
    text.append(f"  {count}", style="dim")
    if unread:
        text.append(f" · {unread} new", style="bold")
    return text
