"""The authors pane: "All threads", "Unread", then every author in the library."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from tui_reader.library import AuthorRow
from tui_reader.render import counted
from tui_reader.sources.registry import badge as source_badge
from tui_reader.ui.reader import is_linear
from tui_reader.ui.text import age, one_line
from tui_reader.ui.widgets.lists import VirtualList

ALL = "all"
UNREAD = "unread"


class AuthorList(VirtualList):
    """Authors with their source and unread counts; moving the cursor picks one."""

    BINDINGS = [
        Binding("enter", "select", "Threads", show=False, tooltip="go to the author's threads"),
        Binding(
            "x",
            "unfollow",
            "Unfollow",
            id="unfollow",
            tooltip="unfollow, after asking (the author's threads stay)",
        ),
        Binding(
            "S",
            "sync_author",
            "Sync author",
            show=False,
            id="sync-author",
            tooltip="sync just this author",
        ),
    ]

    class OpenRequested(Message):
        """Enter on an entry: the reader wants its threads."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class UnfollowRequested(Message):
        """The reader asked to stop following the highlighted author."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class SyncRequested(Message):
        """The reader asked to sync just the highlighted author."""

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
        self.rows: list[AuthorRow] = []
        self.totals = (0, 0)
        self.keys: list[str] = []

    def show(self, rows: list[AuthorRow], total: int, unread: int) -> None:
        """Fill the list, keeping the cursor on the same entry where it still exists."""
        chosen = self.chosen_key
        self.rows = rows
        self.totals = (total, unread)
        self.keys = [ALL, UNREAD, *(row.author.key for row in rows)]
        self.followed = {row.author.key for row in rows if row.followed}
        self.border_subtitle = f"{len(self.followed)} followed" if self.followed else ""
        # "Unread" ends with a rule; a followed author has a line about its last sync.
        heights = [1, 2, *(2 if row.followed else 1 for row in rows)]
        self.set_rows(len(self.keys), heights=heights)
        self.place_cursor(self.index_of(chosen) or 0)

    def index_of(self, key: str) -> int | None:
        """The row of ``"all"``, ``"unread"`` or an author's key."""
        try:
            return self.keys.index(key)
        except ValueError:
            return None

    def row_lines(self, index: int, width: int) -> list[Text]:
        """An entry: the name, counts and (for a followed author) the last sync."""
        if is_linear(self):
            return [Text(line) for line in self._spoken(index)]
        if index == 0:
            return [_entry(Text("All threads", style="bold"), "", self.totals[0], 0, 0)]
        if index == 1:
            return [_entry(Text("Unread", style="bold"), "", self.totals[1], 0, 0)]
        row = self.rows[index - 2]
        author = row.author
        label = one_line(author.display_name or author.handle)
        lines = [
            _entry(label, source_badge(author.source), row.threads, row.unread, row.new, row.grown)
        ]
        if row.followed:
            lines.append(_status(row))
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        return lines

    def _spoken(self, index: int) -> list[str]:
        """Linear mode's entry: words only ("Alice Liddell, @alice, 2 threads, 1 unread")."""
        if index == 0:
            return [f"All threads, {counted(self.totals[0], 'thread')}"]
        if index == 1:
            return [f"Unread, {counted(self.totals[1], 'thread')}"]
        row = self.rows[index - 2]
        author = row.author
        name = one_line(author.display_name or author.handle).plain
        words = [name, f"@{one_line(author.handle).plain}", counted(row.threads, "thread")]
        if row.unread:
            words.append(f"{row.unread} unread")
        if row.new:
            words.append(f"{row.new} new")
        if row.grown:
            words.append(f"{row.grown} grew")
        lines = [", ".join(words)]
        if row.followed:
            lines.append(f"followed, {_status(row).plain.strip().replace('⚠ ', 'sync failed: ')}")
        return lines

    def row_has_separator(self, index: int) -> bool:
        """A rule under "Unread" (none in linear mode)."""
        return index == 1 and not is_linear(self)

    def row_highlighted(self, index: int) -> None:
        """Show the chosen author's threads."""
        self.post_message(self.AuthorChosen(self.keys[index]))
        self.refresh_bindings()

    def row_selected(self, index: int) -> None:
        """Enter: the entry's threads."""
        self.post_message(self.OpenRequested(self.keys[index]))

    def action_unfollow(self) -> None:
        """Ask to stop following the highlighted author."""
        self._ask_for_followed(self.UnfollowRequested, "Choose an author to unfollow.")

    def action_sync_author(self) -> None:
        """Sync the highlighted author alone."""
        self._ask_for_followed(self.SyncRequested, "Choose an author to sync; R syncs everyone.")

    def _ask_for_followed(
        self, request: type[UnfollowRequested | SyncRequested], hint: str
    ) -> None:
        """Post ``request`` for the highlighted author if followed; else say why not."""
        key = self.chosen_key
        if key in self.followed:
            self.post_message(request(key))
        elif key in (ALL, UNREAD):
            self.notify(hint)
        else:
            self.notify("You do not follow this author; f follows.")

    @property
    def chosen_key(self) -> str:
        """The key of the highlighted entry."""
        if self.highlighted is None or self.highlighted >= len(self.keys):
            return ALL
        return self.keys[self.highlighted]


def _entry(label: Text, badge: str, count: int, unread: int, new: int, grown: int = 0) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append_text(label)
    if badge:
        text.append(f"  {badge}", style="dim")
    text.append(f"  {count}", style="dim")
    if unread:
        text.append(f" · {unread} unread", style="dim")
    if new:
        text.append(f" · {new} new", style="bold")
    if grown:
        text.append(f" · {grown} grew", style="bold")
    return text


def _status(row: AuthorRow) -> Text:
    if row.error:
        return Text.assemble(("  ⚠ ", "bold"), one_line(row.error, "italic"))
    if row.synced_at:
        return Text(f"  synced {age(row.synced_at)}", style="dim italic")
    return Text("  not synced yet: press R", style="dim italic")
