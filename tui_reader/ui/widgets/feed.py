"""The feed pane: one author's threads (or all, or the unread ones), newest first."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.library import SearchHit
from tui_reader.models import ThreadSummary
from tui_reader.render import short_date, snippet_pieces
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.lists import VimOptionList

PREVIEW_LINES = 3


class FeedList(VimOptionList):
    """Threads with date, size, unread mark and a preview of the first post."""

    class ThreadChosen(Message):
        """The reader pressed enter on a thread."""

        def __init__(self, thread_id: str) -> None:
            super().__init__()
            self.thread_id = thread_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Threads"
        self.threads: list[ThreadSummary] = []
        self.title = "Threads"
        self._width = 0
        #: The search results shown, or ``None`` when the feed lists an author's threads.
        self.hits: list[SearchHit] | None = None

    def show(self, threads: list[ThreadSummary], title: str) -> None:
        """List ``threads`` under ``title``, keeping the cursor on the same thread if listed."""
        chosen = self.chosen_id
        self.hits = None
        self.threads = threads
        self.title = title
        # Titles carry handles and search words: never markup.
        self.border_title = Content(title)
        with self.prevent(OptionList.OptionHighlighted):
            width = self._width = self.scrollable_content_region.width - 2 or 40
            options: list[Option | None] = []
            for thread in threads:
                if options:
                    options.append(None)
                options.append(Option(feed_entry(thread, self.app.console, width), id=thread.id))
            self.set_options(options)
            ids = [t.id for t in threads]
            self.highlighted = ids.index(chosen) if chosen in ids else (0 if ids else None)
        if not threads:
            self.border_subtitle = "nothing here yet"
        else:
            unread = sum(t.unread for t in threads)
            self.border_subtitle = (
                f"{len(threads)} · {unread} unread" if unread else str(len(threads))
            )

    def on_resize(self) -> None:
        if self.threads and self.scrollable_content_region.width - 2 != self._width:
            if self.hits is not None:
                self.show_hits(self.hits, self.title)
            else:
                self.show(self.threads, self.title)

    def show_hits(self, hits: list[SearchHit], title: str) -> None:
        """List search results: each thread with the matching words in context."""
        self.hits = hits
        self.threads = [hit.thread for hit in hits]
        self.title = title
        self.border_title = Content(title)
        self.border_subtitle = f"{len(hits)} found" if hits else "nothing found"
        width = self._width = self.scrollable_content_region.width - 2 or 40
        options: list[Option | None] = []
        with self.prevent(OptionList.OptionHighlighted):
            for hit in hits:
                if options:
                    options.append(None)
                entry = feed_entry(hit.thread, self.app.console, width)
                entry = Text("\n").join(entry.split("\n")[:1])
                entry.append("\n")
                snippet = Text(no_wrap=False)
                for piece, matched in snippet_pieces(hit.snippet):
                    snippet.append(piece, style="reverse" if matched else "")
                heading = one_line(hit.thread.title, "bold")
                # When the match is in the title line, the snippet says it already.
                if not snippet.plain.startswith(heading.plain.rstrip("…")):
                    entry.append_text(heading)
                    entry.append("\n")
                entry.append_text(snippet)
                options.append(Option(entry, id=hit.thread.id))
            self.set_options(options)
            self.highlighted = 0 if hits else None

    @property
    def chosen_id(self) -> str | None:
        """The thread under the cursor."""
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ThreadChosen(event.option.id))


def feed_entry(
    thread: ThreadSummary, console: Console, width: int, *, show_author: bool = True
) -> Text:
    """A thread as a feed entry: a meta line, the author, then up to three lines of preview."""
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
    if show_author:
        text.append(" · ", style="dim")
        text.append_text(one_line(f"@{thread.author.handle}", "dim"))
    text.truncate(max(10, width), overflow="ellipsis")
    preview = one_line(thread.preview, "bold" if thread.unread and thread.fetched else "")
    lines = preview.wrap(console, max(10, width))
    kept = list(lines)
    if len(kept) > PREVIEW_LINES:
        kept = kept[:PREVIEW_LINES]
        last = kept[-1]
        last.truncate(max(1, width - 1))
        last.rstrip()
        last.append("…")
    for line in kept:
        text.append("\n")
        text.append_text(line)
    return text
