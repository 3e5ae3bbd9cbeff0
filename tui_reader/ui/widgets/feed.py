"""The feed pane: one author's threads (or all, or the unread ones, or search results).

A virtual list: every row has the same height, rows are read from the library a page at a
time as they scroll into view, and only the visible lines are drawn. Opening the reader on
a library of a million posts costs what opening it on ten does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from rich.console import Console
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.message import Message

from tui_reader.errors import ReaderError
from tui_reader.library import Library, SearchHit, ThreadList
from tui_reader.linear import thread_row
from tui_reader.models import ThreadSummary
from tui_reader.render import short_date, snippet_pieces
from tui_reader.ui.reader import is_linear
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.lists import VirtualList

#: A row: a line about the thread, two lines of its first post, and a separator.
ROW_HEIGHT = 4
TEXT_LINES = ROW_HEIGHT - 1
#: Rows read from the library at a time.
PAGE = 50
#: Search results given their words in context at a time: about a screenful.
SNIPPET_PAGE = 12

Item = ThreadSummary | SearchHit


class FeedRows(Protocol):
    """What a feed lists, read on demand."""

    #: Rows read at a time.
    page_size: int

    def counts(self) -> tuple[int, int]:
        """How many rows, and how many of them are unread threads."""
        ...

    def page(self, offset: int, limit: int) -> list[Item]:
        """Rows ``offset`` to ``offset + limit``."""
        ...

    def index_of(self, thread_id: str) -> int | None:
        """The row of a thread, if it is listed."""
        ...


class LibraryRows:
    """Threads from the library, as a :class:`ThreadList` view lists them."""

    page_size = PAGE

    def __init__(self, library: Library, view: ThreadList) -> None:
        self.library = library
        self.view = view

    def counts(self) -> tuple[int, int]:
        """How many threads, and how many unread."""
        return self.library.count_listed(self.view)

    def page(self, offset: int, limit: int) -> list[Item]:
        """One page of threads."""
        return list(self.library.list_threads(self.view, offset, limit))

    def index_of(self, thread_id: str) -> int | None:
        """Where a thread is in the list."""
        return self.library.index_listed(thread_id, self.view)


class HitRows:
    """Search results: a short list, held whole. The words in context (``fill``) are read a
    few rows at a time as the rows are drawn, not for every result up front."""

    page_size = SNIPPET_PAGE

    def __init__(
        self,
        hits: list[SearchHit],
        fill: Callable[[list[SearchHit]], list[SearchHit]] | None = None,
    ) -> None:
        self.hits = hits
        self.fill = fill

    def counts(self) -> tuple[int, int]:
        """How many hits, and how many of their threads are unread."""
        return len(self.hits), sum(hit.thread.unread for hit in self.hits)

    def page(self, offset: int, limit: int) -> list[Item]:
        """One page of hits, with their words in context."""
        page = self.hits[offset : offset + limit]
        if self.fill is not None:
            page = self.fill(page)
            self.hits[offset : offset + len(page)] = page
        return list(page)

    def index_of(self, thread_id: str) -> int | None:
        """Where a thread is among the hits."""
        return next((n for n, hit in enumerate(self.hits) if hit.thread.id == thread_id), None)


class FeedList(VirtualList):
    """Threads with date, size, unread mark and the start of the first post."""

    BINDINGS = [
        Binding(
            "enter",
            "select",
            "Open",
            show=False,
            tooltip="open the thread (one not fetched yet is unrolled first)",
        )
    ]

    class ThreadChosen(Message):
        """The reader pressed enter on a thread (on a search hit: at its post)."""

        def __init__(self, thread_id: str, post_index: int | None = None) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.post_index = post_index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Threads"
        self.title = "Threads"
        self.rows: FeedRows = HitRows([])
        #: The search results shown, or ``None`` when the feed lists threads.
        self.hits: list[SearchHit] | None = None
        self._pages: LRUCache[int, list[Item]] = LRUCache(64)
        self._unreadable = ""

    # What is listed ---------------------------------------------------------------------

    def show(self, rows: FeedRows, title: str) -> None:
        """List ``rows`` under ``title``, keeping the cursor on the same thread if listed."""
        chosen = self.chosen_id
        was_at = self.highlighted
        same_list = self._same_list(rows)
        self.hits = rows.hits if isinstance(rows, HitRows) else None
        self.rows = rows
        self.title = title
        # Titles carry handles and search words: never markup.
        self.border_title = Content(title)
        count, unread = rows.counts()
        self._pages.clear()
        self.set_rows(count, ROW_HEIGHT)
        place = rows.index_of(chosen) if chosen and self.hits is None else None
        if place is None and same_list and was_at is not None and count:
            # The thread left this list (read, in the Unread view): the cursor stays where
            # it was, on the thread that took its place.
            place = min(was_at, count - 1)
        self.place_cursor(place if place is not None else (0 if count else None))
        if self.hits is not None:
            self.border_subtitle = f"{count} found" if count else "nothing found"
        elif not count:
            self.border_subtitle = "nothing here yet"
        else:
            self.border_subtitle = f"{count} · {unread} unread" if unread else str(count)

    def _same_list(self, rows: FeedRows) -> bool:
        """Whether ``rows`` is the list already shown, read again (not another author's)."""
        old = self.rows
        return (
            isinstance(old, LibraryRows)
            and isinstance(rows, LibraryRows)
            and (old.view == rows.view)
        )

    def show_hits(
        self,
        hits: list[SearchHit],
        title: str,
        fill: Callable[[list[SearchHit]], list[SearchHit]] | None = None,
    ) -> None:
        """List search results: each thread with the matching words in context (read by
        ``fill`` as rows show, when the hits come without)."""
        self.show(HitRows(hits, fill), title)

    def reread(self) -> None:
        """Read the rows again from the library as they show (a thread's place, its "new"
        mark or its read mark changed): only the pages on screen are asked for."""
        self._pages.clear()
        self.forget()

    def item_at(self, index: int) -> Item | None:
        """The row at ``index``, read from the library if its page is not in hand."""
        if not 0 <= index < self.count:
            return None
        size = self.rows.page_size
        number, at = divmod(index, size)
        page = self._pages.get(number)
        if page is None:
            try:
                page = self.rows.page(number * size, size)
            except ReaderError as error:
                # A damaged library: the rows it cannot read stay empty, and the reader
                # says why once instead of ending.
                if self._unreadable != error.message:
                    self._unreadable = error.message
                    self.notify(error.message, title="Cannot read", severity="error", markup=False)
                return None
            self._pages[number] = page
        return page[at] if at < len(page) else None

    @property
    def pages_read(self) -> list[int]:
        """The pages of rows read from the library and kept, by number (a page is ``PAGE``
        rows): a long list reads only those it shows."""
        return sorted(self._pages.keys())

    def thread_at(self, index: int) -> ThreadSummary | None:
        """The thread of the row at ``index``."""
        item = self.item_at(index)
        return item.thread if isinstance(item, SearchHit) else item

    def index_of(self, thread_id: str) -> int | None:
        """The row of a thread, if it is listed."""
        return self.rows.index_of(thread_id)

    @property
    def chosen_id(self) -> str | None:
        """The thread under the cursor."""
        if self.highlighted is None:
            return None
        thread = self.thread_at(self.highlighted)
        return thread.id if thread is not None else None

    # Rows -------------------------------------------------------------------------------

    def row_lines(self, index: int, width: int) -> list[Text]:
        """A thread's three lines, or a search result's."""
        item = self.item_at(index)
        if item is None:
            return []
        if is_linear(self):
            return spoken_lines(item, self.app.console, width)
        if isinstance(item, SearchHit):
            return hit_lines(item, self.app.console, width)
        return entry_lines(item, self.app.console, width)

    def row_has_separator(self, index: int) -> bool:
        """Every row ends with a rule (a blank line in linear mode)."""
        return not is_linear(self)

    def row_selected(self, index: int) -> None:
        """Open the thread (a search hit's at its post)."""
        item = self.item_at(index)
        if isinstance(item, SearchHit):
            self.post_message(self.ThreadChosen(item.thread.id, item.post_index))
        elif item is not None:
            self.post_message(self.ThreadChosen(item.id))


def spoken_lines(item: ThreadSummary | SearchHit, console: Console, width: int) -> list[Text]:
    """Linear mode's row: the thread in words (a search result's place and words too)."""
    if isinstance(item, SearchHit):
        words = Text(f"post {item.post_index + 1} of ")
        words.append(thread_row(item.thread))
        context = " ".join(piece for piece, _ in snippet_pieces(item.snippet))
        if context:
            words.append(f". Found: {' '.join(context.split())}")
    else:
        words = Text(thread_row(item))
    return _fit(words, console, width, TEXT_LINES)


def entry_lines(thread: ThreadSummary, console: Console, width: int) -> list[Text]:
    """A thread as three lines: what it is, then the start of its first post."""
    lines = [meta_line(thread, width)]
    preview = one_line(thread.preview, "bold" if thread.unread and thread.fetched else "")
    lines += _fit(preview, console, width, TEXT_LINES - 1)
    return lines


def hit_lines(hit: SearchHit, console: Console, width: int) -> list[Text]:
    """A search result as three lines: what it is, its title, the words in context."""
    snippet = Text(no_wrap=False)
    for piece, matched in snippet_pieces(hit.snippet):
        snippet.append(piece, style="reverse" if matched else "")
    heading = one_line(hit.thread.title, "bold")
    body = Text()
    # When the match is in the title line, the snippet says it already.
    if not snippet.plain.startswith(heading.plain.rstrip("…")):
        heading.truncate(max(1, width), overflow="ellipsis")
        body.append_text(heading)
        body.append("\n")
    body.append_text(snippet)
    # A thread may match in several posts, each a row: say which post this one is.
    where = f" · post {hit.post_index + 1}"
    meta = meta_line(hit.thread, max(1, width - len(where)))
    meta.append(where, style="dim")
    return [meta, *_fit(body, console, width, TEXT_LINES - 1)]


def _fit(text: Text, console: Console, width: int, count: int) -> list[Text]:
    """``text`` wrapped to ``width`` in exactly ``count`` lines, an ellipsis if it is cut."""
    lines = list(text.wrap(console, max(1, width)))
    if len(lines) > count:
        lines = lines[:count]
        last = lines[-1]
        last.truncate(max(1, width - 1))
        last.rstrip()
        last.append("…")
    return lines + [Text() for _ in range(count - len(lines))]


def meta_line(thread: ThreadSummary, width: int) -> Text:
    """``● 2024-05-01 · 12 posts · @alice.bsky.social``, cut to ``width``."""
    text = Text()
    if not thread.fetched:
        text.append("○ ", style="dim")
    elif thread.is_new:
        text.append("new ", style="bold reverse")
        text.append(" ")
    else:
        text.append("● " if thread.unread else "  ", style="bold")
    if thread.new_since_read:
        # Grew since it was read: how many posts it gained (a new thread says "new").
        text.append(f"+{thread.new_since_read} ", style="bold")
    if thread.edited_since_read:
        text.append("✎ ", style="bold")
    text.append(short_date(thread.created_at), style="dim")
    posts = "1 post" if thread.post_count == 1 else f"{thread.post_count} posts"
    if thread.unread and thread.fetched and 0 < thread.position < thread.post_count:
        # Started, not finished: how far.
        posts = f"{thread.position + 1}/{thread.post_count} posts"
    text.append(f" · {posts}", style="dim")
    if not thread.fetched:
        text.append(" · not fetched yet", style="dim italic")
    text.append(" · ", style="dim")
    text.append_text(one_line(f"@{thread.author.handle}", "dim"))
    text.truncate(max(1, width), overflow="ellipsis")
    return text
