"""The feed pane: one author's threads (or all, or the unread ones, or search results).

A virtual list: every row has the same height, rows are read from the library a page at a
time as they scroll into view, and only the visible lines are drawn. Opening the reader on
a library of a million posts costs what opening it on ten does.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.library import Library, SearchHit
from tui_reader.models import ThreadSummary
from tui_reader.render import short_date, snippet_pieces
from tui_reader.ui.text import one_line

#: A row: a line about the thread, two lines of its first post, and a separator.
ROW_HEIGHT = 4
TEXT_LINES = ROW_HEIGHT - 1
#: Rows read from the library at a time.
PAGE = 50

Item = ThreadSummary | SearchHit


class FeedRows(Protocol):
    """What a feed lists, read on demand."""

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
    """Threads from the library: all, one author's, or the unread ones, newest first."""

    def __init__(
        self, library: Library, author_key: str | None = None, *, unread_only: bool = False
    ) -> None:
        self.library = library
        self.author_key = author_key
        self.unread_only = unread_only

    def counts(self) -> tuple[int, int]:
        """How many threads, and how many unread."""
        return self.library.count_threads(self.author_key, unread_only=self.unread_only)

    def page(self, offset: int, limit: int) -> list[Item]:
        """One page of threads."""
        return list(
            self.library.threads_of(
                self.author_key, unread_only=self.unread_only, offset=offset, limit=limit
            )
        )

    def index_of(self, thread_id: str) -> int | None:
        """Where a thread is in the list."""
        return self.library.thread_index(thread_id, self.author_key, unread_only=self.unread_only)


class HitRows:
    """Search results: a short list, held whole."""

    def __init__(self, hits: list[SearchHit]) -> None:
        self.hits = hits

    def counts(self) -> tuple[int, int]:
        """How many hits, and how many of their threads are unread."""
        return len(self.hits), sum(hit.thread.unread for hit in self.hits)

    def page(self, offset: int, limit: int) -> list[Item]:
        """One page of hits."""
        return list(self.hits[offset : offset + limit])

    def index_of(self, thread_id: str) -> int | None:
        """Where a thread is among the hits."""
        return next((n for n, hit in enumerate(self.hits) if hit.thread.id == thread_id), None)


class FeedList(ScrollView, can_focus=True):
    """Threads with date, size, unread mark and the start of the first post."""

    COMPONENT_CLASSES = {"feed-list--cursor", "feed-list--separator"}

    DEFAULT_CSS = """
    FeedList {
        background: $surface;
        & > .feed-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .feed-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .feed-list--separator { color: $foreground 15%; }
    }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "Top", show=False),
        Binding("G,end", "last", "Bottom", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    highlighted: reactive[int | None] = reactive(None, init=False)

    class ThreadChosen(Message):
        """The reader pressed enter on a thread."""

        def __init__(self, thread_id: str) -> None:
            super().__init__()
            self.thread_id = thread_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Threads"
        self.title = "Threads"
        self.rows: FeedRows = HitRows([])
        self.count = 0
        #: The search results shown, or ``None`` when the feed lists threads.
        self.hits: list[SearchHit] | None = None
        self._pages: LRUCache[int, list[Item]] = LRUCache(64)
        self._texts: LRUCache[tuple[int, int], list[Text]] = LRUCache(256)
        self._strips: LRUCache[tuple[int, int, int, bool, bool], Strip] = LRUCache(1024)

    # What is listed ---------------------------------------------------------------------

    def show(self, rows: FeedRows, title: str) -> None:
        """List ``rows`` under ``title``, keeping the cursor on the same thread if listed."""
        chosen = self.chosen_id
        self.hits = rows.hits if isinstance(rows, HitRows) else None
        self.rows = rows
        self.title = title
        # Titles carry handles and search words: never markup.
        self.border_title = Content(title)
        self.count, unread = rows.counts()
        self._forget()
        self.virtual_size = Size(self.scrollable_content_region.width, self._height())
        place = rows.index_of(chosen) if chosen and self.hits is None else None
        self.set_reactive(
            FeedList.highlighted, place if place is not None else (0 if self.count else None)
        )
        self.call_after_refresh(self._reveal)
        if self.hits is not None:
            self.border_subtitle = f"{self.count} found" if self.count else "nothing found"
        elif not self.count:
            self.border_subtitle = "nothing here yet"
        else:
            self.border_subtitle = f"{self.count} · {unread} unread" if unread else str(self.count)
        self.refresh()

    def show_hits(self, hits: list[SearchHit], title: str) -> None:
        """List search results: each thread with the matching words in context."""
        self.show(HitRows(hits), title)

    def _forget(self) -> None:
        self._pages.clear()
        self._texts.clear()
        self._strips.clear()

    def _height(self) -> int:
        return max(0, self.count * ROW_HEIGHT - 1)

    def item_at(self, index: int) -> Item | None:
        """The row at ``index``, read from the library if its page is not in hand."""
        if not 0 <= index < self.count:
            return None
        number, at = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            page = self.rows.page(number * PAGE, PAGE)
            self._pages[number] = page
        return page[at] if at < len(page) else None

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

    # Drawing ------------------------------------------------------------------------------

    def _text_lines(self, index: int, width: int) -> list[Text]:
        key = (index, width)
        lines = self._texts.get(key)
        if lines is None:
            item = self.item_at(index)
            if item is None:
                lines = [Text()] * TEXT_LINES
            elif isinstance(item, SearchHit):
                lines = hit_lines(item, self.app.console, width)
            else:
                lines = entry_lines(item, self.app.console, width)
            self._texts[key] = lines
        return lines

    def render_line(self, y: int) -> Strip:
        _, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        line = scroll_y + y
        index, part = divmod(line, ROW_HEIGHT)
        base = self.rich_style
        if index >= self.count:
            return Strip.blank(width, base)
        chosen = index == self.highlighted
        key = (index, part, width, chosen, self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw(index, part, width, chosen, base)
            self._strips[key] = strip
        return strip

    def _draw(self, index: int, part: int, width: int, chosen: bool, base: Style) -> Strip:
        if part == TEXT_LINES:
            rule = self.get_component_rich_style("feed-list--separator")
            return Strip([Segment("─" * width, base + rule)], width)
        text = self._text_lines(index, max(1, width - 2))[part]
        style = base + self.get_component_rich_style("feed-list--cursor") if chosen else base
        segments = [Segment(" ", style), *text.render(self.app.console), Segment(" ", style)]
        strip = Strip(Segment.apply_style(segments, style)).crop_extend(0, width, style)
        return strip

    def watch_highlighted(self) -> None:
        self._reveal()

    def _reveal(self) -> None:
        """Scroll the cursor's row into view."""
        if self.highlighted is not None:
            self.scroll_to_region(
                Region(0, self.highlighted * ROW_HEIGHT, 1, TEXT_LINES),
                animate=False,
                immediate=True,
            )
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        # Nothing per thread here: rows are drawn again for the new width as they show.
        self.virtual_size = Size(self.scrollable_content_region.width, self._height())
        self._texts.clear()
        self._strips.clear()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # Moving -------------------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        if self.count:
            self.highlighted = max(0, min(self.count - 1, index))

    def action_cursor_down(self) -> None:
        """Next thread."""
        self._move_to(0 if self.highlighted is None else self.highlighted + 1)

    def action_cursor_up(self) -> None:
        """Previous thread."""
        self._move_to(0 if self.highlighted is None else self.highlighted - 1)

    def action_first(self) -> None:
        """The first thread."""
        self._move_to(0)

    def action_last(self) -> None:
        """The last thread."""
        self._move_to(self.count - 1)

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT)

    def action_page_down(self) -> None:
        """A screenful down."""
        self._move_to((self.highlighted or 0) + self._page_rows())

    def action_page_up(self) -> None:
        """A screenful up."""
        self._move_to((self.highlighted or 0) - self._page_rows())

    def action_select(self) -> None:
        """Open the thread under the cursor."""
        chosen = self.chosen_id
        if chosen:
            self.post_message(self.ThreadChosen(chosen))

    def on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // ROW_HEIGHT
        if 0 <= index < self.count:
            self.highlighted = index
            self.action_select()


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
    return [meta_line(hit.thread, width), *_fit(body, console, width, TEXT_LINES - 1)]


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
    text.append(short_date(thread.created_at), style="dim")
    posts = "1 post" if thread.post_count == 1 else f"{thread.post_count} posts"
    text.append(f" · {posts}", style="dim")
    if not thread.fetched:
        text.append(" · not fetched yet", style="dim italic")
    text.append(" · ", style="dim")
    text.append_text(one_line(f"@{thread.author.handle}", "dim"))
    text.truncate(max(1, width), overflow="ellipsis")
    return text
