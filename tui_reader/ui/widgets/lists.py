"""What the reader's lists share: a virtual list that draws only the rows on screen."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Offset, Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList


def follow_cursor(widget: Widget, place: Callable[[], None]) -> None:
    """In linear mode, ``place`` the terminal's cursor once the widget is drawn again; in
    the usual mode nothing is asked (this runs on every move)."""
    if getattr(widget.app, "linear", False):
        widget.call_after_refresh(place)


class LinePass(NamedTuple):
    """What every line of one pass of drawing needs: the widget's style, its scroll offset,
    the width of its lines, and the component styles looked up so far in the pass."""

    style: Style
    scroll_x: int
    scroll_y: int
    width: int
    components: dict[str, Style]


class LineView(ScrollView):
    """A scroll view drawn a line at a time that works out once for each pass of lines what
    every line needs and Textual works out afresh on each call: the widget's style (60 µs),
    its scroll offset and content width (15 and 40 µs), component styles (25 µs). A pass
    draws dozens of lines, and a read-through thousands."""

    _pass: LinePass | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = self._new_pass()
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _new_pass(self) -> LinePass:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        return LinePass(self.rich_style, scroll_x, scroll_y, width, {})

    @property
    def line_pass(self) -> LinePass:
        """What the pass of lines being drawn needs (worked out now outside a pass)."""
        return self._new_pass() if self._pass is None else self._pass

    def pass_component_style(self, name: str) -> Style:
        """Component ``name``'s style, looked up once per pass of lines."""
        components = self.line_pass.components
        style = components.get(name)
        if style is None:
            style = components[name] = self.get_component_rich_style(name)
        return style


class VirtualList(LineView, can_focus=True):
    """A list of rows of known heights, drawn line by line as they scroll into view.

    A subclass says how many rows there are (:meth:`set_rows`, with each row's height when
    they differ) and draws one row (:meth:`row_lines`); nothing is done per row that is not
    on screen, at start-up or on resize. A row may end with a separator rule.
    """

    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--separator"}

    DEFAULT_CSS = """
    VirtualList {
        background: $surface;
        & > .virtual-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .virtual-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-list--separator { color: $foreground 15%; }
    }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="move down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="move up"),
        Binding("g,home", "first", "Top", show=False, tooltip="the first row"),
        Binding("G,end", "last", "Bottom", show=False, tooltip="the last row"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="a screenful down"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="a screenful up"),
        Binding("enter", "select", "Open", show=False),
    ]

    highlighted: reactive[int | None] = reactive(None, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self._height = 1
        #: The first line of each row, when rows differ in height.
        self._starts: list[int] | None = None
        self._total_lines = 0
        self._texts: LRUCache[tuple[int, int], list[Text]] = LRUCache(256)
        # A few screenfuls: each Strip makes seven caches, all walked by the garbage collector.
        self._strips: LRUCache[tuple[int, int, int, bool, bool], Strip] = LRUCache(160)

    # For subclasses -----------------------------------------------------------------------

    def row_lines(self, index: int, width: int) -> list[Text]:
        """The text lines of row ``index`` at ``width`` cells (a separator is not one)."""
        raise NotImplementedError

    def row_has_separator(self, index: int) -> bool:
        """Whether a rule ends row ``index`` (on its last line)."""
        return False

    def row_selected(self, index: int) -> None:
        """Enter (or a click) on row ``index``."""

    def row_highlighted(self, index: int) -> None:
        """The cursor moved to row ``index`` (not when the list is filled)."""

    def set_rows(self, count: int, height: int = 1, heights: list[int] | None = None) -> None:
        """``count`` rows, each ``height`` lines or as ``heights`` lists; forgets what was
        drawn."""
        self.count = count
        self._height = height
        if heights is None:
            self._starts = None
            self._total_lines = count * height
        else:
            self._starts = []
            line = 0
            for size in heights:
                self._starts.append(line)
                line += size
            self._total_lines = line
        self.forget()
        self.virtual_size = Size(0, self._total_lines)  # rows fit the pane: no sideways scroll

    def forget(self) -> None:
        """Draw every row again (its data changed)."""
        self._texts.clear()
        self._strips.clear()
        self.refresh()

    def place_cursor(self, index: int | None) -> None:
        """Put the cursor on row ``index`` without announcing it, and show it."""
        self.set_reactive(VirtualList.highlighted, index)
        self.call_after_refresh(self._reveal)
        self.refresh()

    # Geometry ---------------------------------------------------------------------------------

    def _row_start(self, index: int) -> int:
        return self._starts[index] if self._starts is not None else index * self._height

    def _row_height(self, index: int) -> int:
        if self._starts is None:
            return self._height
        end = self._starts[index + 1] if index + 1 < self.count else self._total_lines
        return end - self._starts[index]

    def _row_at(self, line: int) -> tuple[int, int]:
        if self._starts is None:
            return divmod(line, self._height)
        index = bisect_right(self._starts, line) - 1
        return index, line - self._starts[index]

    # Drawing ----------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        base, _, scroll_y, width, _ = self.line_pass
        line = scroll_y + y
        if line >= self._total_lines or not self.count:
            return Strip.blank(width, base)
        index, part = self._row_at(line)
        chosen = index == self.highlighted
        key = (index, part, width, chosen, self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw(index, part, width, chosen, base)
            self._strips[key] = strip
        return strip

    def _lines(self, index: int, width: int) -> list[Text]:
        lines = self._texts.get((index, width))
        if lines is None:
            lines = self.row_lines(index, width)
            self._texts[(index, width)] = lines
        return lines

    def _draw(self, index: int, part: int, width: int, chosen: bool, base: Style) -> Strip:
        if self.row_has_separator(index) and part == self._row_height(index) - 1:
            rule = self.pass_component_style("virtual-list--separator")
            return Strip([Segment("─" * width, base + rule)], width)
        lines = self._lines(index, max(1, width - 2))
        text = lines[part] if part < len(lines) else Text()
        style = base + self.pass_component_style("virtual-list--cursor") if chosen else base
        segments = [Segment(" ", style), *text.render(self.app.console), Segment(" ", style)]
        return Strip(Segment.apply_style(segments, style)).crop_extend(0, width, style)

    def on_resize(self, event: events.Resize) -> None:
        # Nothing per row here: rows are drawn again for the new width as they show.
        self.virtual_size = Size(0, self._total_lines)  # rows fit the pane: no sideways scroll
        self._texts.clear()
        self._strips.clear()
        follow_cursor(self, self.show_terminal_cursor)

    def on_focus(self) -> None:
        self.refresh()
        follow_cursor(self, self.show_terminal_cursor)

    def show_terminal_cursor(self) -> None:
        """Linear mode: put the terminal's cursor at the start of the highlighted row, where
        a screen reader or a braille display follows it."""
        if not getattr(self.app, "linear", False) or not self.has_focus:
            return
        region = self.content_region
        if region.height <= 0:
            return  # not laid out yet: its resize places the cursor
        row = 0
        if self.highlighted is not None and self.highlighted < self.count:
            row = max(0, self._row_start(self.highlighted) - int(self.scroll_y))
        # A row's text starts after its one-cell pad.
        place = Offset(region.x + 1, region.y + min(row, region.height - 1))
        if place != self.app.cursor_position:
            self.app.cursor_position = place
            # The terminal is told where the cursor is with a frame: send one.
            self.refresh(Region(0, 0, 1, 1))

    def on_blur(self) -> None:
        self.refresh()

    def watch_highlighted(self, new: int | None) -> None:
        self._reveal()
        if new is not None:
            self.row_highlighted(new)

    def _reveal(self) -> None:
        """Scroll the cursor's row into view."""
        if self.highlighted is not None and self.highlighted < self.count:
            index = self.highlighted
            region = Region(0, self._row_start(index), 1, self._row_height(index))
            self.scroll_to_region(region, animate=False, immediate=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        follow_cursor(self, self.show_terminal_cursor)

    # Moving -----------------------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        if self.count:
            self.highlighted = max(0, min(self.count - 1, index))

    def action_cursor_down(self) -> None:
        """Next row."""
        self._move_to(0 if self.highlighted is None else self.highlighted + 1)

    def action_cursor_up(self) -> None:
        """Previous row."""
        self._move_to(0 if self.highlighted is None else self.highlighted - 1)

    def action_first(self) -> None:
        """The first row."""
        self._move_to(0)

    def action_last(self) -> None:
        """The last row."""
        self._move_to(self.count - 1)

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // max(1, self._height))

    def action_page_down(self) -> None:
        """A screenful down."""
        self._move_to((self.highlighted or 0) + self._page_rows())

    def action_page_up(self) -> None:
        """A screenful up."""
        self._move_to((self.highlighted or 0) - self._page_rows())

    def action_select(self) -> None:
        """Open the row under the cursor."""
        if self.highlighted is not None and self.highlighted < self.count:
            self.row_selected(self.highlighted)

    def on_click(self, event: events.Click) -> None:
        line = event.y + self.scroll_offset.y
        if 0 <= line < self._total_lines:
            index, _ = self._row_at(line)
            self.highlighted = index
            self.action_select()


class VimOptionList(OptionList):
    """An OptionList that also moves with j/k and jumps with g/G (for short lists)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "Top", show=False),
        Binding("G", "last", "Bottom", show=False),
    ]

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        follow_cursor(self, self.show_terminal_cursor)

    def on_focus(self) -> None:
        follow_cursor(self, self.show_terminal_cursor)

    def show_terminal_cursor(self) -> None:
        """Linear mode: put the terminal's cursor at the start of the highlighted option
        (the options above it measured at the list's width, as they wrap)."""
        if not getattr(self.app, "linear", False) or not self.has_focus:
            return
        region = self.content_region
        if region.height <= 0 or self.highlighted is None:
            return
        console = self.app.console
        line = 0
        for index in range(min(self.highlighted, self.option_count)):
            prompt = self.get_option_at_index(index).prompt
            plain = getattr(prompt, "plain", str(prompt))
            line += max(1, len(Text(plain).wrap(console, max(1, region.width))))
        row = max(0, line - int(self.scroll_y))
        place = Offset(region.x, region.y + min(row, region.height - 1))
        if place != self.app.cursor_position:
            self.app.cursor_position = place
            self.refresh(Region(0, 0, 1, 1))
