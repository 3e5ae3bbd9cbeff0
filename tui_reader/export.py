"""Saving a thread as a file: Markdown, HTML, JSON or PDF, written atomically."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tui_reader.errors import ReaderError
from tui_reader.models import Thread
from tui_reader.render import (
    DELETED_NOTE,
    byline,
    nice_date,
    reading_line,
    safe_text,
    to_html,
    to_json,
    to_markdown,
)

EXTENSIONS = {"markdown": ".md", "html": ".html", "json": ".json", "pdf": ".pdf"}
FONT_FOLDERS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    str(Path.home() / ".local/share/fonts"),
    str(Path.home() / ".fonts"),
)
FONT_FILES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
)


@dataclass(frozen=True)
class Exported:
    """Where a thread was written, and anything the reader should know about the file."""

    path: Path
    warnings: tuple[str, ...] = ()


#: File names are limited in bytes (255 on most file systems), not in letters.
MAX_STEM_BYTES = 120


def safe_filename(title: str, extension: str) -> str:
    """A file name made from a thread's title: letters, digits and dashes only, short enough
    in bytes for any file system whatever script the title is in."""
    stem = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_").lower()[:60]
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    stem = stem.strip("-_")
    return f"{stem or 'thread'}{extension}"


def _umask() -> int:
    """The process's umask, read without changing it (a worker thread may be writing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def target_path(thread: Thread, fmt: str, output: Path) -> Path:
    """The file to write: ``output`` itself, or a name from the title inside a folder."""
    if output.is_dir():
        name = safe_filename(thread.title, EXTENSIONS[fmt])
        path = (output / name).resolve()
        if path.parent != output.resolve():
            raise ReaderError(f"refusing to write outside {output}")
        return path
    return output


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves half a file.

    A symbolic link is written through (the file it points to is replaced, the link stays),
    and the file gets the mode any other tool would give it (the umask's, or the mode of the
    file it replaces), not the private mode of a temporary file.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    if not folder.is_dir():
        raise ReaderError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".tui-reader-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temp, mode)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {error.strerror or error}") from None


def export_thread(thread: Thread, fmt: str, output: Path) -> Exported:
    """Write ``thread`` as ``fmt`` to ``output`` (a file, or a folder to name it in)."""
    if fmt not in EXTENSIONS:
        raise ReaderError(f"cannot export as {fmt!r}: choose markdown, html, pdf or json")
    path = target_path(thread, fmt, output)
    warnings: tuple[str, ...] = ()
    if fmt == "pdf":
        data, warnings = to_pdf(thread)
    else:
        render = {"markdown": to_markdown, "html": to_html, "json": to_json}[fmt]
        data = render(thread).encode("utf-8")
    write_atomic(path, data)
    return Exported(path, warnings)


# PDF ------------------------------------------------------------------------------------


def find_fonts() -> tuple[Path, Path] | None:
    """A regular and a bold TrueType font that cover most scripts (DejaVu Sans or Noto)."""
    if shutil.which("fc-match"):
        for family in ("DejaVu Sans", "Noto Sans"):
            found = []
            for style in ("", ":style=Bold"):
                try:
                    result = subprocess.run(
                        ["fc-match", "-f", "%{file}", f"{family}{style}"],
                        capture_output=True,
                        text=True,
                        timeout=5,
                        check=False,
                    )
                except (OSError, subprocess.SubprocessError):
                    break
                path = Path(result.stdout.strip())
                if path.suffix.lower() == ".ttf" and family.split()[0] in path.name:
                    found.append(path)
            if len(found) == 2:
                return found[0], found[1]
    for folder in FONT_FOLDERS:
        for regular, bold in FONT_FILES:
            if (Path(folder) / regular).is_file():
                heavy = Path(folder) / bold
                return Path(folder) / regular, heavy if heavy.is_file() else Path(folder) / regular
    return None


def to_pdf(thread: Thread) -> tuple[bytes, tuple[str, ...]]:
    """The thread as a PDF with clickable links; warnings name characters it cannot show."""
    import logging

    from fpdf import FPDF

    # fpdf2 logs each missing glyph; the warning returned here says it once, plainly.
    logging.getLogger("fpdf").setLevel(logging.ERROR)

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.set_title(safe_text(thread.title))
    pdf.set_author(safe_text(thread.author.name))
    pdf.set_creator("tui-reader")
    warnings: list[str] = []
    fonts = find_fonts()
    every_text = "".join(
        [thread.title, thread.author.name, thread.author.handle]
        + [p.text + p.content_warning + (p.quote.text if p.quote else "") for p in thread.posts]
        + [m.alt for p in thread.posts for m in p.media]
    )
    if fonts is not None:
        pdf.add_font("Body", "", str(fonts[0]))
        pdf.add_font("Body", "B", str(fonts[1]))
        family = "Body"
        cmap: dict[int, int] = getattr(pdf.fonts["body"], "cmap", {})
        missing = sorted({c for c in every_text if not c.isspace() and ord(c) not in cmap})

        def clean(text: str) -> str:
            return safe_text(text)
    else:
        family = "Helvetica"
        missing = sorted({c for c in every_text if not c.isspace() and ord(c) > 0xFF})

        def clean(text: str) -> str:
            return safe_text(text).encode("latin-1", "replace").decode("latin-1")

        warnings.append(
            "no TrueType font found (install DejaVu Sans, Debian: fonts-dejavu-core); "
            "using the PDF's built-in Helvetica"
        )
    if missing:
        shown = "".join(missing[:40]) + ("…" if len(missing) > 40 else "")
        warnings.append(f"the PDF cannot show these characters: {shown}")

    def paragraph(text: str, size: float, style: str = "", color: int = 0, link: str = "") -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(color)
        pdf.multi_cell(
            0, size * 0.55, clean(text), link=link, align="L", new_x="LMARGIN", new_y="NEXT"
        )

    pdf.add_page()
    paragraph(thread.title, 18, "B")
    pdf.ln(2)
    paragraph(byline(thread), 10, color=90, link=_web(thread.author.url))
    paragraph(reading_line(thread), 10, color=90)
    if thread.ends_early:
        paragraph(f"Note: {thread.ends_early}.", 10, color=90)
    pdf.ln(4)
    for number, post in enumerate(thread.posts, start=1):
        paragraph(f"{number}/{len(thread.posts)}", 9, "B", color=120, link=_web(post.url))
        if post.deleted:
            paragraph(f"({DELETED_NOTE})", 9, color=120)
        if post.content_warning:
            paragraph(f"CW: {post.content_warning}", 11, "B")
        paragraph(post.text, 11.5)
        for media in post.media:
            label = f"[{media.kind}: {media.alt}]" if media.alt else f"[{media.kind}]"
            paragraph(f"{label} {media.url}", 9.5, color=60, link=_web(media.url))
        for url in post.links:
            if url not in post.text and all(url != m.url for m in post.media):
                paragraph(url, 9.5, color=60, link=_web(url))
        if post.quote is not None:
            pdf.set_x(pdf.l_margin + 6)
            who = f"@{post.quote.author}: " if post.quote.author else ""
            pdf.set_font(family, "", 10)
            pdf.set_text_color(70)
            pdf.multi_cell(
                0, 5.5, clean(who + post.quote.text), align="L", new_x="LMARGIN", new_y="NEXT"
            )
            paragraph(post.quote.url, 9, color=90, link=_web(post.quote.url))
        pdf.ln(3)
    paragraph(
        f"Source: {thread.url}" if thread.url else "Source: saved page",
        9,
        color=90,
        link=_web(thread.url),
    )
    paragraph(f"Saved by tui-reader · {nice_date(thread.fetched_at)}", 8, color=140)
    return bytes(pdf.output()), tuple(warnings)


def _web(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else ""
