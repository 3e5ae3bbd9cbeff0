"""The "read more" pane: the author's other threads, threads linked from this one, unread."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.library import MAX_CHANGES, Change, LinkedThread
from tui_reader.linear import thread_row
from tui_reader.models import Thread, ThreadSummary
from tui_reader.render import short_date
from tui_reader.ui.reader import is_linear
from tui_reader.ui.screens.changes import change_row
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.lists import VimOptionList

MAX_PER_SECTION = 12


class ReadMore(VimOptionList):
    """Sections of further reading; enter opens one, unrolling it first if needed."""

    class Chosen(Message):
        """The reader picked a thread in the library (``thread_id``, at post ``place`` for a
        change) or a link (``url``), or asked for every change (``changes``)."""

        def __init__(
            self,
            thread_id: str = "",
            url: str = "",
            place: int | None = None,
            *,
            changes: bool = False,
        ) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.url = url
            self.place = place
            self.changes = changes

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Read more"
        #: The changes listed, in their order.
        self.changes: list[Change] = []

    def show(
        self,
        thread: Thread | None,
        more_from: list[ThreadSummary],
        linked: list[LinkedThread],
        unread: list[ThreadSummary],
        more_total: int | None = None,
        unread_total: int | None = None,
        *,
        changes: list[Change] | None = None,
        changes_total: int = 0,
    ) -> None:
        """Fill the sections for ``thread``; the totals count what the lists were cut from.
        ``changes``: what changed in the library since you last looked, newest first."""
        # Linear mode: rows in words, and no rules between the sections.
        linear = is_linear(self)
        options: list[Option | None] = []
        if changes:
            total = max(changes_total, len(changes))
            options.append(
                _heading("Changed since you last looked", total, more=total >= MAX_CHANGES)
            )
            options += [
                Option(
                    change_row(change, linear=linear),
                    id=f"change:{change.place}:{change.thread.id}",
                )
                for change in changes[:MAX_PER_SECTION]
            ]
            options.append(Option(Text("  every change… (W)", "dim italic"), id="changes:"))
            if thread is not None or unread:
                options.append(None)
        if thread is not None:
            handle = thread.author.handle
            options.append(
                _heading(
                    f"More from @{handle}", len(more_from) if more_total is None else more_total
                )
            )
            options += [
                Option(_summary(s, show_author=False, linear=linear), id=f"more:{s.id}")
                for s in more_from[:MAX_PER_SECTION]
            ]
            if not more_from:
                options.append(
                    Option(Text("  nothing else in the library yet", "dim italic"), disabled=True)
                )
            if linked:
                if not linear:
                    options.append(None)
                options.append(_heading("Linked in this thread", len(linked)))
                for item in linked[:MAX_PER_SECTION]:
                    if item.summary is not None:
                        options.append(
                            Option(
                                _summary(item.summary, linear=linear),
                                id=f"linked:{item.summary.id}",
                            )
                        )
                    else:
                        options.append(Option(_link(item.url, linear=linear), id=f"url:{item.url}"))
        if unread:
            if options:
                if not linear:
                    options.append(None)
            options.append(
                _heading("Unread", len(unread) if unread_total is None else unread_total)
            )
            options += [Option(_summary(s), id=f"unread:{s.id}") for s in unread[:MAX_PER_SECTION]]
        self.set_options(options)
        enabled = [i for i in range(self.option_count) if not self.get_option_at_index(i).disabled]
        self.highlighted = enabled[0] if enabled else None

    def _first_enabled(self) -> int | None:
        for index in range(self.option_count):
            if not self.get_option_at_index(index).disabled:
                return index
        return None

    def action_cursor_up(self) -> None:
        """Up a row; from the first, show the heading above it (no wrapping to the end)."""
        if self.highlighted is None or self.highlighted == self._first_enabled():
            self.scroll_home(animate=False)
            return
        super().action_cursor_up()

    def action_first(self) -> None:
        """The first thread, with its section's heading in sight."""
        super().action_first()
        self.scroll_home(animate=False)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, _, value = (event.option.id or "").partition(":")
        # Each section has its own prefix: one thread may be listed in several sections.
        if kind in ("more", "linked", "unread"):
            self.post_message(self.Chosen(thread_id=value))
        elif kind == "change":
            change = self.changes[int(value)]
            self.post_message(self.Chosen(thread_id=change.thread.id, place=change.place))
        elif kind == "changes":
            self.post_message(self.Chosen(changes=True))
        elif kind == "url":
            self.post_message(self.Chosen(url=value))


def _heading(title: str, count: int, *, more: bool = False) -> Option:
    shown = f"{count:,}+" if more else str(count)
    return Option(Text.assemble((title, "bold"), (f"  {shown}", "dim")), disabled=True)


def _summary(summary: ThreadSummary, *, show_author: bool = True, linear: bool = False) -> Text:
    if linear:
        return Text(thread_row(summary), no_wrap=True, overflow="ellipsis")
    text = Text(no_wrap=True, overflow="ellipsis")
    if not summary.fetched:
        text.append("○ ", style="dim")
    else:
        text.append("● " if summary.unread else "  ", style="bold")
    if summary.new_since_read:
        text.append(f"+{summary.new_since_read} ", style="bold")
    text.append(short_date(summary.created_at), style="dim")
    text.append(" ")
    if show_author:
        text.append_text(one_line(f"@{summary.author.handle}", "dim"))
        text.append(" ")
    text.append_text(one_line(summary.title))
    posts = "1 post" if summary.post_count == 1 else f"{summary.post_count} posts"
    text.append(f" · Read {posts}", style="dim")
    return text


def _link(url: str, *, linear: bool = False) -> Text:
    if linear:
        return Text(f"not fetched yet: {one_line(url).plain}", no_wrap=True, overflow="ellipsis")
    return Text.assemble(
        ("  ↗ ", "dim"),
        one_line(url),
        (" · not fetched yet", "dim italic"),
        no_wrap=True,
        overflow="ellipsis",
    )
