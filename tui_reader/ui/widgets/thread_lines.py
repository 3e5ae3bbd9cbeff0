"""A thread's posts wrapped into lines to draw: runs of text with numbered styles, the
post each line belongs to and the first line of each post, made a post at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from tui_reader.linear import author_name, post_block
from tui_reader.models import Media, Post, Thread
from tui_reader.render import post_parts
from tui_reader.seen import change_note, deleted_note, first_unseen, new_since_line
from tui_reader.ui.graphics import drawing
from tui_reader.ui.text import one_line, untrusted
from tui_reader.ui.widgets.pictures import Row, picture_rows

if TYPE_CHECKING:
    from tui_reader.ui.widgets.drawn import Picture

#: A wrapped line: its runs of text, and the numbers of their styles.
Line = tuple[tuple[str, ...], tuple[int, ...]]


class ThreadLines:
    """``thread``'s posts wrapped to ``width`` cells, as far as they have been asked for.

    Every line is kept as its runs of text and the numbers of their styles in ``styles``,
    and its width in cells. A full pass of the garbage collector walks every object that can
    hold others, at about 1 µs each here; a tuple of strings or numbers drops out of those
    passes once seen, a Segment (it holds a Style) never does, and a Strip makes seven
    caches of its own (a 1,000-post thread kept as Strips made each pass 130 ms). Segments
    and a Strip are made for a line drawn.
    """

    def __init__(
        self,
        thread: Thread | None,
        width: int,
        console: Console,
        looks: tuple[Style, ...],
        *,
        warnings_open: bool,
        spans: dict[int, list[tuple[int, int]]],
        linear: bool = False,
        pictures: int = 0,
    ) -> None:
        self.thread = thread
        #: The width the lines are wrapped to.
        self.width = width
        self.console = console
        #: The styles of metadata, links, quotes and matches.
        self.looks = looks
        self.warnings_open = warnings_open
        self.spans = spans
        #: Linear mode: each post as its block of words (``linear.post_block``).
        self.linear = linear
        #: The most rows a kept image is drawn in (0: images are their lines of words).
        self.pictures = pictures
        #: Sixel images, by the line just under each, and the column each begins at.
        self.overlays: dict[int, tuple[Picture, int]] = {}
        self.lines: list[Line] = []
        self.widths: list[int] = []
        #: The post each line belongs to.
        self.owner: list[int] = []
        #: The first line of each post wrapped so far.
        self.starts: list[int] = []
        #: The styles the lines' numbers stand for.
        self.styles: list[Style | None] = []
        self._numbers: dict[Style | None, int] = {}
        #: When the thread was last read before this showing, and the first post since.
        self.last_read_at = thread.last_read_at if thread is not None else ""
        self.first_unseen = first_unseen(thread) if thread is not None else None

    @property
    def complete(self) -> bool:
        """Every post of the thread is wrapped (the thread's length is known)."""
        return self.thread is None or len(self.starts) >= len(self.thread.posts)

    def wrap_next(self) -> None:
        """Wrap the next post, and the blank line after it."""
        if self.thread is None or self.complete:
            return
        index = len(self.starts)
        post = self.thread.posts[index]
        self.starts.append(len(self.lines))
        made = self._linear_lines if self.linear else self._post_lines
        for runs, width in made(self.console, index, post, self.width):
            self.lines.append(runs)
            self.widths.append(width)
            self.owner.append(index)
        self.lines.append(((), ()))
        self.widths.append(0)
        self.owner.append(index)

    def wrap_through(self, index: int) -> None:
        """Wrap the posts as far as post ``index``."""
        while not self.complete and len(self.starts) <= index:
            self.wrap_next()

    def wrap_lines(self, count: int) -> None:
        """Wrap posts until there are ``count`` lines (or the thread ends)."""
        while not self.complete and len(self.lines) < count:
            self.wrap_next()

    def _linear_lines(
        self, console: Console, index: int, post: Post, width: int
    ) -> Iterable[tuple[Line, int]]:
        assert self.thread is not None
        total, name = len(self.thread.posts), author_name(self.thread)
        if index == self.first_unseen:
            yield from self._wrap(console, Text(f"{new_since_line(self.thread)}."), width)
        lines = post_block(
            post,
            index + 1,
            total,
            name,
            warnings_open=self.warnings_open,
            last_read_at=self.last_read_at,
        )
        yield from self._wrap(console, Text(lines[0]), width, style=Style(bold=True))
        for line in lines[1:]:
            yield from self._wrap(console, Text(line), width)

    def _post_lines(
        self, console: Console, index: int, post: Post, width: int
    ) -> Iterable[tuple[tuple[tuple[str, ...], tuple[int, ...]], int]]:
        meta, link, quote, match = self.looks
        parts = post_parts(post)
        if index == self.first_unseen and self.thread is not None:
            # Where the posts added since the last reading begin.
            line = f" {new_since_line(self.thread)} "
            rule = "─" * max(0, (width - len(line)) // 2)
            yield from self._wrap(
                console, Text(f"{rule}{line}{rule}", style="bold"), width, style=link
            )
        gone = deleted_note(post, self.last_read_at)
        if gone:
            yield from self._wrap(console, Text(f"({gone})", style="italic"), width, style=meta)
        edited = change_note(post, self.last_read_at)
        if edited:
            hint = " · d shows what changed" if post.versions else ""
            yield from self._wrap(
                console, Text(f"({edited}{hint})", style="italic"), width, style=meta
            )
        if parts.warning:
            warning = Text.assemble(("⚠ CW: ", "bold"), one_line(parts.warning))
            if not self.warnings_open:
                warning.append("  (press c to show)", style="italic")
            yield from self._wrap(console, warning, width)
            if not self.warnings_open:
                return
        body = Text()
        for run in parts.runs:
            body.append(run.text, style=link if run.link else "")
        for start, end in self.spans.get(index, ()):
            body.stylize(match, start, end)
        yield from self._wrap(console, body, width)
        for media in parts.media:
            yield from self._media_lines(console, media, width)
        for url in parts.extra_links:
            yield from self._wrap(
                console, Text.assemble(("→ ", meta), one_line(url)), width, style=link
            )
        if parts.quote is not None:
            body = Text.assemble(
                one_line(parts.quote.who, "bold"),
                "\n",
                untrusted(parts.quote.text),
                "\n",
                one_line(parts.quote.url, "dim"),
            )
            bar = self._style_number(quote)
            for (texts, styles), cells in self._wrap(console, body, width - 2, style=quote):
                yield (("│ ", *texts), (bar, *styles)), cells + 2
            for media in parts.quote.media:
                for (texts, styles), cells in self._media_lines(console, media, width - 2):
                    yield (("│ ", *texts), (bar, *styles)), cells + 2

    def _media_lines(
        self, console: Console, media: Media, width: int
    ) -> Iterable[tuple[tuple[tuple[str, ...], tuple[int, ...]], int]]:
        """A media item's lines: its kept picture (drawn when pictures are on) and its words."""
        meta, link, _, _ = self.looks
        rows: list[Row] = []
        columns, picture, graphics = 0, None, None
        if self.pictures and media.local:
            graphics = drawing()
            picture = graphics.picture(media.local, width, self.pictures) if graphics else None
            if picture is not None:
                rows, columns = picture.rows, picture.columns
            else:
                rows = picture_rows(media.local, width, self.pictures)
                columns = max((sum(len(text) for text, _ in row) for row in rows), default=0)
        if rows:
            # The kept image (a video's poster, a link card's thumbnail) itself, then
            # what it shows in words (always); a video or a card then says what it is.
            for row in rows:
                texts = tuple(text for text, _ in row)
                numbers = tuple(self._style_number(style) for _, style in row)
                yield (texts, numbers), columns
            if picture is not None and graphics is not None and graphics.kind == "sixel":
                # Sixel: laid from the line under the image (the next one made), from the
                # column where the image begins.
                self.overlays[len(self.lines)] = (picture, self.widths[-1] - columns)
            if media.kind == "image":
                about = one_line(media.alt) if media.alt else Text("(no description)")
                yield from self._wrap(console, about, width, style=meta)
                return
        caption = f"[{media.kind}: " if media.alt else f"[{media.kind}"
        text = Text(caption, style=meta)
        if media.alt:
            text.append_text(one_line(media.alt))
        text.append("] ", style=meta)
        text.append_text(one_line(media.url, ""))
        text.stylize(link, len(text) - len(one_line(media.url)))
        if self.pictures and media.missing:
            # Images are shown, and this one's picture is not in the library.
            missing = one_line(media.missing)
            missing.stylize(meta)
            text.append(" · ", style=meta)
            text.append_text(missing)
        yield from self._wrap(console, text, width)

    def _wrap(
        self, console: Console, text: Text, width: int, style: Style | None = None
    ) -> Iterable[tuple[tuple[tuple[str, ...], tuple[int, ...]], int]]:
        if style is not None:
            text.stylize(style)
        text.end = ""
        number = self._style_number
        for line in text.wrap(console, width, overflow="fold"):
            segments = list(line.render(console))
            texts = tuple(segment.text for segment in segments)
            yield (texts, tuple(number(segment.style) for segment in segments)), line.cell_len

    def _style_number(self, style: Style | None) -> int:
        """The number of ``style`` in this wrapping's table of styles (added if new)."""
        number = self._numbers.get(style)
        if number is None:
            number = self._numbers[style] = len(self.styles)
            self.styles.append(style)
        return number

    def line_segments(self, index: int) -> Iterable[Segment]:
        """Line ``index``'s runs of text with their styles."""
        texts, numbers = self.lines[index]
        styles = self.styles
        for text, number in zip(texts, numbers, strict=True):
            yield Segment(text, styles[number])
