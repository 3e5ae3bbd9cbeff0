"""Threads as PDF (fpdf2), with clickable links and a font that covers most scripts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tui_reader.models import Media, Thread
from tui_reader.render import byline, nice_date, post_parts, reading_line, safe_text

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
        parts = post_parts(post)
        paragraph(f"{number}/{len(thread.posts)}", 9, "B", color=120, link=_web(post.url))
        if parts.deleted_note:
            paragraph(f"({parts.deleted_note})", 9, color=120)
        if parts.warning:
            paragraph(f"CW: {parts.warning}", 11, "B")
        paragraph(parts.text, 11.5)
        for media in parts.media:
            placed = media.local and media.width and media.height and _place_image(pdf, media)
            if placed and media.kind == "image":
                if media.alt:
                    paragraph(media.alt, 9.5, color=60)
                continue
            label = f"[{media.kind}: {media.alt}]" if media.alt else f"[{media.kind}]"
            paragraph(f"{label} {media.url}", 9.5, color=60, link=_web(media.url))
        for url in parts.extra_links:
            paragraph(url, 9.5, color=60, link=_web(url))
        if parts.quote is not None:
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_font(family, "", 10)
            pdf.set_text_color(70)
            pdf.multi_cell(
                0,
                5.5,
                clean(f"{parts.quote.who}: {parts.quote.text}"),
                align="L",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            for media in parts.quote.media:
                placed = media.local and media.width and media.height and _place_image(pdf, media)
                if not placed or media.kind != "image":
                    label = f"[{media.kind}: {media.alt}]" if media.alt else f"[{media.kind}]"
                    paragraph(f"{label} {media.url}", 9, color=90, link=_web(media.url))
            paragraph(parts.quote.url, 9, color=90, link=_web(parts.quote.url))
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


#: The tallest an image is placed in a PDF, in millimetres (a third of an A4 page's text).
MAX_IMAGE_MM = 80.0


def _place_image(pdf: Any, media: Media) -> bool:
    """Put a kept image under its post, as wide as the text at most and a third of a page
    high; whether it could be (a file gone or unreadable is its address instead)."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    height = width * media.height / media.width
    if height > MAX_IMAGE_MM:
        width, height = width * MAX_IMAGE_MM / height, MAX_IMAGE_MM
    try:
        pdf.image(media.local, x=pdf.l_margin, w=width, h=height)
    except (OSError, ValueError, RuntimeError):
        return False
    pdf.ln(1)
    return True
