"""EPUB 3 books of threads, written with the standard library's ``zipfile``: one thread (the
``epub`` export format) or many (``tui-reader digest``). A title page, a table of contents
(one chapter per thread, with its author and date), each thread as the HTML export draws it,
a long thread split over several files. Every document is built as an element tree, so it
is well-formed XHTML whatever the threads hold; EPUBCheck validates the result in the tests.

Images the library keeps are in the book (each file once); one it does not keep is a link
to its address with its description, since a book may not load images from the network.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui_reader.linear import author_name, spoken_date
from tui_reader.models import Thread
from tui_reader.xhtml import article, xml_text

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
#: Posts in one XHTML file: a reader opens a chapter file whole, and a thread of ten
#: thousand posts in one file is slow on an e-reader.
POSTS_PER_FILE = 400
#: Where everything the book holds is, inside the zip.
ROOT = "EPUB"

STYLE = """
body { font-family: serif; line-height: 1.5; margin: 0 1em; }
h1 { font-size: 1.4em; line-height: 1.25; }
.byline, .media, .source { font-size: 0.9em; color: #555; }
.cw { border-left: 3px solid #999; padding-left: 0.6em; }
blockquote { border-left: 3px solid #ccc; margin: 0.5em 0; padding-left: 0.8em; }
section.post { margin: 1em 0; }
figure { margin: 0.5em 0; }
nav ol { padding-left: 1.2em; }
"""


@dataclass(frozen=True)
class Chapter:
    """One thread in the book: its files (the first is the one the contents link)."""

    thread: Thread
    files: tuple[str, ...]


def _document(title: str, body: ET.Element) -> bytes:
    """An XHTML content document holding ``body``'s children."""
    html = ET.Element("html", {"xmlns": XHTML, "xmlns:epub": OPS, "xml:lang": "und", "lang": "und"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "title").text = xml_text(" ".join(title.split()) or "Untitled")
    ET.SubElement(head, "link", {"rel": "stylesheet", "type": "text/css", "href": "style.css"})
    page = ET.SubElement(html, "body")
    page.extend(list(body))
    data: bytes = ET.tostring(html, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + data


def _chapters(threads: list[Thread]) -> Iterator[Chapter]:
    for number, thread in enumerate(threads, start=1):
        parts = max(1, -(-len(thread.posts) // POSTS_PER_FILE))
        files = [
            f"t{number:04d}.xhtml" if part == 0 else f"t{number:04d}-{part + 1}.xhtml"
            for part in range(parts)
        ]
        yield Chapter(thread, tuple(files))


def _kept_images(threads: list[Thread]) -> dict[str, tuple[str, str]]:
    """The images the library keeps whose files are readable: by their local path, the name
    inside the book and their MIME type."""
    found: dict[str, tuple[str, str]] = {}
    for thread in threads:
        for media in thread.all_media():
            if media.local and media.sha256 and media.local not in found:
                if Path(media.local).is_file():
                    name = f"images/{Path(media.local).name}"
                    found[media.local] = (name, media.type)
    return found


def _chapter_files(
    chapter: Chapter, images: dict[str, tuple[str, str]]
) -> Iterator[tuple[str, bytes]]:
    thread = chapter.thread
    for part, name in enumerate(chapter.files):
        first = part * POSTS_PER_FILE
        body = ET.Element("body")
        shown = article(
            thread,
            first=first,
            last=first + POSTS_PER_FILE,
            images_inline=False,
            heading=part == 0,
            image_source=lambda media: images.get(media.local, ("", ""))[0],
        )
        if part:
            note = ET.SubElement(shown, "p", {"class": "byline"})
            note.text = xml_text(f"{thread.title} (continued, from post {first + 1})")
            shown.insert(0, shown[-1])
            del shown[-1]
        body.append(shown)
        yield name, _document(thread.title, body)


def _title_page(title: str, threads: list[Thread]) -> bytes:
    body = ET.Element("body")
    ET.SubElement(body, "h1").text = xml_text(title)
    dates = sorted(t.created_at for t in threads if t.created_at[:4].isdigit())
    if dates:
        span = spoken_date(dates[0])
        if spoken_date(dates[-1]) != span:
            span = f"{span} to {spoken_date(dates[-1])}"
        ET.SubElement(body, "p").text = xml_text(
            f"{len(threads)} {'thread' if len(threads) == 1 else 'threads'}, {span}."
        )
    names = sorted({author_name(t) for t in threads}, key=str.lower)
    ET.SubElement(body, "p").text = xml_text("By " + ", ".join(names) + ".")
    ET.SubElement(body, "p", {"class": "byline"}).text = "Unrolled and kept by tui-reader."
    return _document(title, body)


def _nav(title: str, chapters: list[Chapter]) -> bytes:
    body = ET.Element("body")
    nav = ET.SubElement(body, "nav", {"epub:type": "toc", "id": "toc"})
    ET.SubElement(nav, "h1").text = "Contents"
    listing = ET.SubElement(nav, "ol")
    item = ET.SubElement(listing, "li")
    ET.SubElement(item, "a", {"href": "title.xhtml"}).text = xml_text(title)
    for chapter in chapters:
        thread = chapter.thread
        item = ET.SubElement(listing, "li")
        label = f"{' '.join(thread.title.split())} — {author_name(thread)}, "
        label += spoken_date(thread.created_at)
        ET.SubElement(item, "a", {"href": chapter.files[0]}).text = xml_text(label)
    return _document("Contents", body)


def _package(
    title: str,
    identifier: str,
    chapters: list[Chapter],
    modified: str,
    images: dict[str, tuple[str, str]],
) -> bytes:
    package = ET.Element(
        "package",
        {"xmlns": OPF, "version": "3.0", "unique-identifier": "book-id", "xml:lang": "und"},
    )
    metadata = ET.SubElement(package, "metadata", {"xmlns:dc": DC})
    ET.SubElement(metadata, "dc:identifier", {"id": "book-id"}).text = identifier
    ET.SubElement(metadata, "dc:title").text = xml_text(title)
    ET.SubElement(metadata, "dc:language").text = "und"
    for name in sorted({author_name(c.thread) for c in chapters}, key=str.lower):
        ET.SubElement(metadata, "dc:creator").text = xml_text(name)
    ET.SubElement(metadata, "meta", {"property": "dcterms:modified"}).text = modified
    manifest = ET.SubElement(package, "manifest")
    items = [
        ("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
        ("title", "title.xhtml", "application/xhtml+xml", ""),
        ("style", "style.css", "text/css", ""),
    ]
    # The contents are a page of the book too, after the title page.
    spine_ids = ["title", "nav"]
    for chapter in chapters:
        for name in chapter.files:
            ident = name.removesuffix(".xhtml")
            items.append((ident, name, "application/xhtml+xml", ""))
            spine_ids.append(ident)
    for number, (name, media_type) in enumerate(images.values(), start=1):
        items.append((f"image{number}", name, media_type, ""))
    for ident, href, media_type, properties in items:
        attributes = {"id": ident, "href": href, "media-type": media_type}
        if properties:
            attributes["properties"] = properties
        ET.SubElement(manifest, "item", attributes)
    spine = ET.SubElement(package, "spine")
    for ident in spine_ids:
        ET.SubElement(spine, "itemref", {"idref": ident})
    data: bytes = ET.tostring(package, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + data


CONTAINER = f"""<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{ROOT}/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
""".encode()


def epub_book(threads: Iterable[Thread], *, title: str, modified: str) -> bytes:
    """The book of ``threads`` (in the order given), titled ``title``; ``modified`` is the
    package's ``dcterms:modified`` (``YYYY-MM-DDThh:mm:ssZ``)."""
    chosen = list(threads)
    chapters = list(_chapters(chosen))
    images = _kept_images(chosen)
    # The same threads make the same book: its identifier comes from their IDs.
    identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "\n".join(t.id for t in chosen)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        # The mimetype first and stored: readers find what the file is at a fixed offset.
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        deflated = zipfile.ZIP_DEFLATED
        book.writestr("META-INF/container.xml", CONTAINER, deflated)
        package = _package(title, identifier, chapters, modified, images)
        book.writestr(f"{ROOT}/package.opf", package, deflated)
        book.writestr(f"{ROOT}/nav.xhtml", _nav(title, chapters), deflated)
        book.writestr(f"{ROOT}/title.xhtml", _title_page(title, chosen), deflated)
        book.writestr(f"{ROOT}/style.css", STYLE.lstrip(), deflated)
        for chapter in chapters:
            for name, data in _chapter_files(chapter, images):
                book.writestr(f"{ROOT}/{name}", data, deflated)
        for local, (name, _type) in images.items():
            # Images are compressed already: stored as they are.
            book.write(local, f"{ROOT}/{name}", zipfile.ZIP_STORED)
    return out.getvalue()
