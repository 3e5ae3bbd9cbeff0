"""The thread pane: a header, then every post as its own block, rendered line by line."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Static

from tui_reader.linear import heading_block
from tui_reader.models import Post, Thread
from tui_reader.render import nice_date, post_parts, reading_line
from tui_reader.times import parse_time
from tui_reader.ui.graphics import drawing, sixel_segment
from tui_reader.ui.reader import is_linear
from tui_reader.ui.text import age, one_line
from tui_reader.ui.widgets.lists import LineView, follow_cursor
from tui_reader.ui.widgets.thread_lines import ThreadLines

MARGIN = 6  # post number, right-aligned, then a gap
#: Seconds of wrapping between frames while a long thread is measured.
WRAP_SLICE = 0.012
STALE_AFTER_DAYS = 7


class ThreadHeader(Static):
    """Who wrote the thread, when, how long it is, and how fresh the library's copy is."""

    DEFAULT_CSS = """
    ThreadHeader { height: auto; padding: 0 1; }
    """

    def show(
        self, thread: Thread | None, *, offline: bool, empty: bool = False, watched: bool = False
    ) -> None:
        """Describe ``thread``; ``None`` shows a hint instead (a longer one for a library
        with nothing in it yet)."""
        self.set_class(False, "-stale")
        if thread is None:
            hint = (
                "The library is empty. Press u to unroll a post URL, f to follow an author,\n"
                "or quit and try tui-reader --demo."
                if empty
                else "Pick a thread on the left, or press u to unroll a post URL."
            )
            self.update(Text(hint, style="italic"))
            return
        if is_linear(self):
            self.update(Text("\n".join(heading_block(thread))))
            return
        author = thread.author
        title = one_line(thread.title, "bold")
        who = Text.assemble(
            one_line(author.display_name or author.handle, "bold"),
            " ",
            one_line(f"@{author.handle}", "dim"),
            f" · {thread.source} · {nice_date(thread.created_at)}",
        )
        fetched = f"fetched {age(thread.fetched_at)}"
        stale = offline or _older_than(thread.fetched_at, STALE_AFTER_DAYS)
        if offline:
            fetched += " · offline"
        elif stale:
            fetched += " · press r to refresh"
        self.set_class(stale, "-stale")
        about = Text.assemble(reading_line(thread), " · ", Text(fetched, style="italic"))
        if watched:
            about.append(" · watched", style="bold")
        lines = [title, who, about]
        if thread.ends_early:
            lines.append(Text(f"Note: {thread.ends_early}.", style="italic"))
        self.update(Text("\n").join(lines))


def _older_than(when: str, days: int) -> bool:
    then = parse_time(when)
    return then is None or datetime.now(UTC) - then > timedelta(days=days)


#: Drawn lines kept ready: a few screenfuls (each a Strip and its seven caches).
STRIPS_KEPT = 160


class ThreadView(LineView, can_focus=True):
    """Every post of a thread, wrapped to the pane's width and drawn line by line, so a
    thousand-post thread scrolls as smoothly as a short one.
    """

    COMPONENT_CLASSES = {
        "thread-view--number",
        "thread-view--current",
        "thread-view--meta",
        "thread-view--link",
        "thread-view--quote",
        "thread-view--match",
    }

    DEFAULT_CSS = """
    ThreadView {
        background: $surface;
        & > .thread-view--number { color: $text-muted; }
        & > .thread-view--current { color: $accent; text-style: bold; }
        & > .thread-view--meta { color: $text-muted; }
        & > .thread-view--link { color: $text-primary; }
        & > .thread-view--quote { color: $text-secondary; }
        & > .thread-view--match { background: $warning 40%; text-style: bold; }
    }
    """

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, tooltip="scroll down a line"),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="scroll up a line"),
        Binding("g,home", "scroll_home", "Top", show=False, tooltip="the top of the thread"),
        Binding("G,end", "scroll_end", "Bottom", show=False, tooltip="the end of the thread"),
        Binding(
            "space,pagedown",
            "page_down",
            "Page down",
            show=False,
            tooltip="page down; at the end of the thread, on to the next unread one",
        ),
        Binding("b,pageup", "page_up", "Page up", show=False, tooltip="page up"),
        Binding("J", "next_post", "Next post", id="next-post", tooltip="next post"),
        Binding("K", "previous_post", "Prev post", id="previous-post", tooltip="previous post"),
        Binding(
            "slash",
            "find",
            "Find",
            id="find",
            tooltip="find in this thread (n / N step through the posts it is in)",
        ),
        Binding(
            "n",
            "next_match",
            "Next match",
            id="next-match",
            tooltip="next post with a match, while a search or find is open",
        ),
        Binding(
            "N",
            "previous_match",
            "Prev match",
            id="previous-match",
            tooltip="previous post with a match",
        ),
        Binding(
            "c",
            "toggle_warnings",
            "Show CW",
            id="toggle-cw",
            tooltip="show / hide posts behind content warnings",
        ),
        # The same key and id, named for what it does once they are shown: the footer
        # offers whichever of the two can run.
        Binding("c", "hide_warnings", "Hide CW", id="toggle-cw"),
        Binding(
            "i",
            "toggle_pictures",
            "Images",
            show=False,
            id="toggle-images",
            tooltip="show / hide the images kept with the thread (their words stay)",
        ),
    ]

    current: reactive[int] = reactive(0, init=False)

    class ReachedEnd(Message):
        """The reader scrolled to the end of the thread."""

        def __init__(self, thread: Thread) -> None:
            super().__init__()
            self.thread = thread

    class GoOn(Message):
        """Space at the end of the thread: the reader wants the next unread one."""

    class FindRequested(Message):
        """``/`` in the thread: the reader wants to find words in it."""

    class MatchStatus(Message):
        """Where the reader is among the matches ("match 2 of 5"; "" when none are shown)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.thread: Thread | None = None
        #: The posts wrapped into lines so far (made again for a new thread or width).
        self._wrapped = ThreadLines(None, 0, Console(), (), warnings_open=False, spans={})
        self._built_width = 0
        #: Columns before the text: the post numbers (none in linear mode).
        self._margin = MARGIN
        self._strip_cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(STRIPS_KEPT)
        self._end_reported = False
        self._build = 0
        #: Content warnings are open (their posts shown) in the current thread.
        self.warnings_open = False
        #: They have been open at some point: every post has been shown.
        self._warnings_seen = False
        #: Search words to highlight, and the posts that hold them (n/N move between those).
        self.spans: dict[int, list[tuple[int, int]]] = {}
        self.matches: list[int] = []
        #: Words found with ``/`` in this thread ("" when the matches are a library search's).
        self.finding = ""
        #: The match status last told to the screen.
        self._reported = ""
        #: Kept images drawn in the thread (``[ui] images``; i toggles).
        self.show_pictures = True
        #: The widest the text runs (0: the pane's width), and where it sits when narrower.
        self.measure = 0
        self.align = "left"

    # Showing a thread -----------------------------------------------------------------

    def show(
        self,
        thread: Thread | None,
        position: int = 0,
        spans: dict[int, list[tuple[int, int]]] | None = None,
    ) -> None:
        """Show ``thread`` (or nothing), scrolled to post ``position``, with a search's
        matches (character spans of each post's text, by post index) highlighted."""
        self.thread = thread
        self.spans = spans or {}
        self.matches = sorted(self.spans)
        self.finding = ""
        self._end_reported = False
        self.warnings_open = False
        self._warnings_seen = False
        self._built_width = 0
        self._rebuild(through=position)
        self.set_reactive(ThreadView.current, 0)
        self.scroll_to(y=0, animate=False, immediate=True)
        if thread is not None and position:
            # The new height is only known after the next layout.
            self.call_after_refresh(self.go_to_post, position)
        self.call_after_refresh(self._check_fits)
        self._report_matches()  # a find in the last thread ends with it

    def _all_shown(self) -> bool:
        """Nothing of the thread is hidden: no post behind a content warning still shut."""
        return self.thread is not None and (
            self._warnings_seen or not any(p.content_warning for p in self.thread.posts)
        )

    def _check_fits(self) -> None:
        # A thread that fits on screen is read as soon as all of it is shown.
        if (
            self.thread is not None
            and self.complete
            and not self._end_reported
            and self.max_scroll_y == 0
            and self._all_shown()
        ):
            self._end_reported = True
            self.post_message(self.ReachedEnd(self.thread))

    def go_to_post(self, index: int, *, animate: bool = False) -> None:
        """Scroll so post ``index`` starts at the top of the pane."""
        if self.thread is None or not self.thread.posts:
            return
        index = max(0, min(index, len(self.thread.posts) - 1))
        if index >= len(self._wrapped.starts) - 1:
            # Measure as far as that post and a screenful past it first.
            self._wrapped.wrap_through(index)
            screenful = self.scrollable_content_region.height
            self._wrapped.wrap_lines(self._wrapped.starts[index] + 2 * screenful)
            self._grown()
        self.current = index
        self.scroll_to(y=self._wrapped.starts[index], animate=animate, immediate=not animate)

    def current_post(self) -> Post | None:
        """The post the reader is at."""
        if self.thread is None or not self.thread.posts:
            return None
        return self.thread.posts[min(self.current, len(self.thread.posts) - 1)]

    # Building lines ---------------------------------------------------------------------

    def _text_width(self) -> int:
        room = max(10, self.scrollable_content_region.width - self._margin - 1)
        # A comfortable measure: long lines are hard to follow on a wide terminal.
        return min(room, self.measure) if self.measure else room

    def _indent(self, width: int) -> int:
        """Columns before the margin, to centre a thread narrower than its pane (``width``)."""
        if self.align != "center":
            return 0
        room = width - self._margin - 1
        return max(0, (room - self._built_width) // 2)

    def _rebuild(self, *, through: int = 0) -> None:
        """Wrap the posts again from the start: at once as far as post ``through`` and a
        screenful past it, the rest a few at a time between frames, so a thousand-post
        thread shows at once and stays responsive while it is measured."""
        self._strip_cache.clear()
        self._build += 1
        self._built_width = self._text_width()
        self._wrapped = ThreadLines(
            self.thread,
            self._built_width,
            self.app.console,
            # Looked up once for the whole wrapping, not for each post (25 µs each).
            tuple(
                self.get_component_rich_style(f"thread-view--{name}", partial=True)
                for name in ("meta", "link", "quote", "match")
            ),
            warnings_open=self.warnings_open,
            spans=self.spans,
            linear=not self._margin,
            pictures=self._picture_rows(),
        )
        self._wrapped.wrap_through(through)
        self._wrapped.wrap_lines(self._lines_wanted())
        self._grown()
        if not self.complete:
            self.call_later(self._wrap_more, self._build)

    @property
    def complete(self) -> bool:
        """Every post of the thread is wrapped (the thread's length is known)."""
        return self._wrapped.complete

    def _picture_rows(self) -> int:
        """How tall a kept image is drawn: a few rows, never a third of the pane (0: off)."""
        if not self.show_pictures or not self._margin:
            return 0
        return max(3, min(12, self.scrollable_content_region.height // 3))

    def action_toggle_pictures(self) -> None:
        """Show the kept images, or only their words."""
        self.show_pictures = not self.show_pictures
        self._rebuild_in_place()
        self.notify("Images shown." if self.show_pictures else "Images hidden (i shows them).")

    @property
    def wrapped(self) -> ThreadLines:
        """The posts wrapped into lines so far, as drawn."""
        return self._wrapped

    def wrap_all(self) -> None:
        """Wrap every post now (before jumping to the end)."""
        if not self.complete and self.thread is not None:
            self._wrapped.wrap_through(len(self.thread.posts) - 1)
            self._grown()

    def _lines_wanted(self) -> int:
        return int(self.scroll_y) + 2 * max(10, self.scrollable_content_region.height)

    def _wrap_more(self, build: int) -> None:
        """Wrap posts for one frame's worth of time, then let the app draw and take keys."""
        if build != self._build:
            return  # another thread (or width) since
        deadline = time.perf_counter() + WRAP_SLICE
        while not self.complete and time.perf_counter() < deadline:
            self._wrapped.wrap_next()
        self._grown()
        if self.complete:
            self._check_fits()
            self._check_end()
        else:
            self.call_later(self._wrap_more, build)

    def _grown(self) -> None:
        # No width of its own: lines are wrapped to the pane, so there is nothing to scroll
        # sideways (a width taken before the scrollbar showed made a horizontal one).
        self.virtual_size = Size(0, len(self._wrapped.lines))
        self.refresh()

    # Rendering --------------------------------------------------------------------------

    def on_mount(self) -> None:
        if is_linear(self):
            # The whole width, and no post numbers beside the text: each post says its own.
            self._margin = 0
            self.measure = 0
        # Wrapped lines carry the theme's colours; a new theme needs them drawn again.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._rebuild_in_place())

    def _rebuild_in_place(self) -> None:
        """Wrap the lines again and stay at the same post."""
        current = self.current
        self._rebuild(through=current)
        self.go_to_post(current)

    def on_resize(self, event: events.Resize) -> None:
        follow_cursor(self, self.show_terminal_cursor)
        if self._wrapped.pictures != self._picture_rows():
            # Images are drawn a third of the pane high at most: a new height, new rows.
            self._rebuild_in_place()
            return
        if self._text_width() != self._built_width:
            self._rebuild_in_place()

    def render_line(self, y: int) -> Strip:
        # Lines are wrapped to the pane: it never scrolls sideways (scroll_x is always 0).
        base, _, scroll_y, width, _ = self.line_pass
        index = scroll_y + y
        if index >= len(self._wrapped.lines):
            return Strip.blank(width, base)
        post = self._wrapped.owner[index]
        first = self._wrapped.starts[post] == index
        # Sixel pixels are laid over their image only while all of it is in the pane: a
        # cut image shows its half blocks (the pixels cannot be cut to the pane's edge).
        # Nor while another screen is over this one (they would be drawn over it).
        sixel = ""
        overlay = self._wrapped.overlays.get(index)
        if overlay is not None and self.screen.is_active:
            picture, _ = overlay
            if index - len(picture.rows) >= scroll_y and (graphics := drawing()) is not None:
                # What tells the view the pixels are made, only while they are not.
                sixel = picture.sixel or graphics.sixel(picture, self._sixel_made())
        key = (index, width, post == self.current, bool(sixel))
        cached = self._strip_cache.get(key)
        if cached is None:
            if post == self.current:
                number_style = self.pass_component_style("thread-view--current")
            else:
                number_style = self.pass_component_style("thread-view--number")
            if not self._margin:
                margin = ""  # linear mode: the post's own first line says which it is
            elif first:
                margin = f"{post + 1:>{MARGIN - 2}}  "
            elif post == self.current and self._wrapped.widths[index]:
                margin = " " * (MARGIN - 2) + "▏ "
            else:
                margin = " " * MARGIN
            margin = " " * self._indent(width) + margin
            # Styled and padded here, not by Strip methods: each makes a Strip of its own.
            texts, numbers = self._wrapped.lines[index]
            styles = self._wrapped.styles
            segments = [Segment(margin, base + number_style)]
            segments += [
                Segment(text, base + styles[number])
                for text, number in zip(texts, numbers, strict=True)
            ]
            # The margin's characters are one cell each.
            cells = len(margin) + self._wrapped.widths[index]
            if cells < width:
                segments.append(Segment(" " * (width - cells), base))
            cached = Strip(segments, max(width, cells))
            if cells > width:
                cached = cached.crop(0, width)
            if sixel and overlay is not None:
                rows, across = len(overlay[0].rows), len(margin) + overlay[1]
                cached = Strip([sixel_segment(sixel, rows, across), *cached], cached.cell_length)
            self._strip_cache[key] = cached
        # No text offsets (Strip.apply_offsets) for selecting with the mouse: the view does
        # not offer its text to a selection, and they made a Style for each run of each line
        # drawn (a screenful step took 2-4 ms more, and made that much more garbage).
        return cached

    def _sixel_made(self) -> Callable[[], None]:
        """What a Sixel encoding calls, from its thread, when its pixels are made: draw
        the view again (once the reader has quit, nothing)."""
        loop = asyncio.get_running_loop()

        def made() -> None:
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(self.refresh)

        return made

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if not self._wrapped.starts:
            return
        if not self._margin:
            follow_cursor(self, self.show_terminal_cursor)
        top = int(new)
        index = max(0, bisect_right(self._wrapped.starts, top) - 1)
        # At the very end, the last post is the one being read even if it is short.
        if top >= self.max_scroll_y and self.max_scroll_y > 0:
            index = len(self._wrapped.starts) - 1
        if index != self.current:
            self.current = index
        self._check_end()
        if not self.complete and top + 2 * self.size.height >= len(self._wrapped.lines):
            # Scrolling towards what is not measured yet: measure it now.
            self._wrapped.wrap_lines(top + 3 * max(10, self.size.height))
            self._grown()

    def _check_end(self) -> None:
        """Report the end once the last post is reached (the whole thread measured)."""
        top = int(self.scroll_y)
        if (
            self.complete
            and top >= self.max_scroll_y
            and not self._end_reported
            and self.thread is not None
            and self._all_shown()
        ):
            self._end_reported = True
            self.post_message(self.ReachedEnd(self.thread))

    def watch_current(self, index: int) -> None:
        # Cached lines are keyed by whether their post is the current one: no clearing needed.
        self.refresh()
        self._report_matches()
        follow_cursor(self, self.show_terminal_cursor)

    def on_focus(self) -> None:
        follow_cursor(self, self.show_terminal_cursor)

    def show_terminal_cursor(self) -> None:
        """Linear mode: put the terminal's cursor at the start of the post being read (its
        first line, or the top of the pane when that line is above it), where a screen
        reader or a braille display follows it."""
        if not self._margin and self.has_focus and self.thread is not None:
            starts = self._wrapped.starts
            first = starts[self.current] if self.current < len(starts) else 0
            row = max(0, first - int(self.scroll_y))
            region = self.content_region
            if region.height <= 0:
                return  # not laid out yet: its resize places the cursor
            place = Offset(region.x, region.y + min(row, region.height - 1))
            if place != self.app.cursor_position:
                self.app.cursor_position = place
                # The terminal is told where the cursor is with a frame: send one.
                self.refresh(Region(0, 0, 1, 1))

    def _report_matches(self) -> None:
        what = f"“{self.finding}”: " if self.finding else ""
        count = len(self.matches)
        if not count:
            text = ""
        elif self.current in self.matches:
            text = f"{what}match {self.matches.index(self.current) + 1} of {count}"
        else:
            text = f"{what}{count} match{'es' * (count != 1)}"
        # Scrolling changes the post often: the status line hears only of a change.
        if text != self._reported:
            self._reported = text
            self.post_message(self.MatchStatus(text))

    # Finding words in the thread ------------------------------------------------------------

    def find(self, words: str) -> int:
        """Highlight ``words`` wherever they are in the thread (case and accents ignored),
        and go to the first post after the reader's that holds them; returns how many
        posts do."""
        if self.thread is None:
            return 0
        self.finding = words
        self.spans = {}
        for index, post in enumerate(self.thread.posts):
            text = "".join(run.text for run in post_parts(post).runs)
            found = find_spans(text, words)
            if found:
                self.spans[index] = found
        self.matches = sorted(self.spans)
        self._rebuild_in_place()
        if self.matches:
            later = [index for index in self.matches if index >= self.current]
            self.go_to_post(later[0] if later else self.matches[0])
        self._report_matches()
        return len(self.matches)

    def highlight(self, spans: dict[int, list[tuple[int, int]]]) -> None:
        """Highlight a search's matches (character spans by post index), found after the
        thread was shown; a find under way keeps its own."""
        if self.finding:
            return
        self.spans = spans
        self.matches = sorted(spans)
        self._rebuild_in_place()
        self._report_matches()

    def end_find(self) -> bool:
        """Stop highlighting; ``False`` if nothing was highlighted."""
        if not self.matches and not self.finding:
            return False
        self.finding = ""
        self.spans, self.matches = {}, []
        self._rebuild_in_place()
        self._report_matches()
        return True

    # Actions ----------------------------------------------------------------------------

    def action_scroll_home(self) -> None:
        """To the top of the thread: its first post is the one at hand (a thread that fits
        does not scroll, so the scroll alone would not say so)."""
        self.scroll_home(animate=False)
        if self.thread is not None and self.current != 0:
            self.current = 0

    def action_scroll_end(self) -> None:
        """To the end of the thread (measured whole first)."""
        self.wrap_all()
        self.scroll_end(animate=False)
        if self.thread is not None and self.thread.posts:
            self.current = len(self.thread.posts) - 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "previous_match"):
            # Without matches, n is the screen's (next unread thread).
            return bool(self.matches)
        if action == "find":
            return self.thread is not None
        if action in ("toggle_warnings", "hide_warnings"):
            warned = self.thread is not None and any(p.content_warning for p in self.thread.posts)
            return warned and (self.warnings_open == (action == "hide_warnings"))
        return True

    def action_hide_warnings(self) -> None:
        """Hide the posts behind content warnings again."""
        self.action_toggle_warnings()

    def action_toggle_warnings(self) -> None:
        """Show or hide the posts behind content warnings."""
        self.warnings_open = not self.warnings_open
        self._warnings_seen = self._warnings_seen or self.warnings_open
        self.refresh_bindings()
        self._rebuild_in_place()
        # Read once the hidden posts are shown, if the end is on screen already.
        self.call_after_refresh(self._check_fits)
        self.call_after_refresh(self._check_end)

    def action_page_down(self) -> None:
        """A screenful down; at the end, on to the next unread thread."""
        if self.complete and self.thread is not None and self.scroll_y >= self.max_scroll_y:
            self.post_message(self.GoOn())
            return
        super().action_page_down()

    def action_find(self) -> None:
        """Ask the screen for words to find."""
        self.post_message(self.FindRequested())

    def action_next_match(self) -> None:
        """Jump to the next post that matches (wrapping round)."""
        if self.matches:
            later = [index for index in self.matches if index > self.current]
            self.go_to_post(later[0] if later else self.matches[0])

    def action_next_post(self) -> None:
        """Jump to the next post."""
        if self.thread is not None and self.current < len(self.thread.posts) - 1:
            self.go_to_post(self.current + 1)
        elif self._wrapped.starts:
            self.scroll_end(animate=False, immediate=True)

    def action_previous_match(self) -> None:
        """Jump to the previous post that matches the search."""
        earlier = [index for index in self.matches if index < self.current]
        if self.matches:
            self.go_to_post(earlier[-1] if earlier else self.matches[-1])

    def action_previous_post(self) -> None:
        """Jump to the previous post (or to the top of this one)."""
        if not self._wrapped.starts:
            return
        top = int(self.scroll_y)
        if top > self._wrapped.starts[self.current]:
            self.go_to_post(self.current)
        else:
            self.go_to_post(self.current - 1)


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` without case or accents, and for each of its characters the index of the
    character of ``text`` it came from (folding may change lengths: "ß" → "ss")."""
    if text.isascii():
        # Nothing to fold but case, and nothing changes length: the common case, fast.
        return text.lower(), list(range(len(text)))
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            folded.append(char.lower())
            origin.append(index)
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        ).casefold()
        folded.append(plain)
        origin.extend([index] * len(plain))
    return "".join(folded), origin


def find_spans(text: str, words: str) -> list[tuple[int, int]]:
    """Where ``words`` occur in ``text`` (case and accents ignored), as character spans."""
    needle, _ = _folded(words.strip())
    if not needle:
        return []
    haystack, origin = _folded(text)
    spans = []
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        spans.append((origin[start], origin[end - 1] + 1))
        start = haystack.find(needle, end)
    return spans
