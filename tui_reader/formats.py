"""The one registry of output formats: each format's name, file extension and writer.

The CLI's ``--format`` choices, the reader's export dialog and the file names all read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from tui_reader.errors import ReaderError, UsageError
from tui_reader.models import Thread
from tui_reader.render import to_html, to_json, to_markdown, to_text

#: A writer gives the file's bytes and any warnings for the person (characters a PDF font
#: cannot show, say).
Writer = Callable[[Thread], tuple[bytes, tuple[str, ...]]]


def _pdf(thread: Thread) -> tuple[bytes, tuple[str, ...]]:
    # fpdf2 and the font search load only when a PDF is asked for.
    from tui_reader.pdf import to_pdf

    return to_pdf(thread)


def _epub(thread: Thread) -> tuple[bytes, tuple[str, ...]]:
    from tui_reader.epub import epub_book
    from tui_reader.times import utc_now

    return epub_book([thread], title=thread.title, modified=utc_now()), ()


@dataclass(frozen=True)
class Format:
    """An output format."""

    name: str
    #: How the export dialog names it.
    label: str
    extension: str
    #: The thread as text, for every format that is text (printed by ``unroll``).
    text: Callable[[Thread], str] | None = None
    #: The thread as a file, for a format that is not text.
    binary: Writer | None = None
    #: Offered by ``export`` and the reader's export dialog.
    exportable: bool = True
    #: Other names it answers to (``md``, ``txt``).
    aliases: tuple[str, ...] = ()

    @property
    def printable(self) -> bool:
        """Whether ``unroll`` can print it."""
        return self.text is not None

    def write(self, thread: Thread) -> tuple[bytes, tuple[str, ...]]:
        """The file's bytes, and warnings for the person."""
        if self.text is not None:
            return self.text(thread).encode("utf-8"), ()
        if self.binary is None:  # pragma: no cover - every format has one or the other
            raise ReaderError(f"the {self.name} format cannot be written")
        return self.binary(thread)


FORMATS: tuple[Format, ...] = (
    Format("text", "Plain text", ".txt", text=to_text, aliases=("txt",)),
    Format("markdown", "Markdown", ".md", text=to_markdown, aliases=("md",)),
    Format("html", "HTML (one self-contained page)", ".html", text=to_html),
    Format("pdf", "PDF", ".pdf", binary=_pdf),
    Format("json", "JSON", ".json", text=to_json),
    Format("epub", "EPUB (an e-book)", ".epub", binary=_epub),
)

#: ``export --format`` choices, and the export dialog's, in this order.
FILE_FORMATS = tuple(f.name for f in FORMATS if f.exportable)
#: Every name ``--format`` takes: the formats' own and their aliases.
FORMAT_NAMES = tuple(name for f in FORMATS for name in (f.name, *f.aliases))
FILE_FORMAT_NAMES = tuple(name for f in FORMATS if f.exportable for name in (f.name, *f.aliases))


def format_named(name: str) -> Format:
    """The format called ``name``."""
    for found in FORMATS:
        if name == found.name or name in found.aliases:
            return found
    raise ReaderError(f"no output format is called {name!r}")


def format_for_extension(suffix: str) -> Format | None:
    """The format whose file extension is ``suffix`` (``.md``, ``.txt``), if any."""
    suffix = suffix.lower()
    aliases = {".markdown": ".md", ".htm": ".html", ".text": ".txt"}
    suffix = aliases.get(suffix, suffix)
    return next((f for f in FORMATS if f.extension == suffix), None)


def format_for_file(given: str | None, path: str, *, default: str | None) -> Format:
    """The format to write ``path`` in: ``given`` (``--format``) if any, else the one its
    extension names, else ``default``. A ``given`` format that the extension contradicts
    (``--format markdown -o x.pdf``) is refused, as is a name that says no format when
    there is no default. Raises ``UsageError``."""
    named = format_for_extension(PurePath(path).suffix) if path else None
    if given is not None:
        chosen = format_named(given)
        if named is not None and named.name != chosen.name:
            raise UsageError(
                f"--format {chosen.name} does not match the file name {path} "
                f"({named.extension} is {named.name}); change the name or leave --format out"
            )
        return chosen
    if named is not None:
        return named
    if default is None:
        choices = ", ".join(FILE_FORMATS)
        raise UsageError(f"cannot tell the format from the name {path}; give --format ({choices})")
    return format_named(default)
