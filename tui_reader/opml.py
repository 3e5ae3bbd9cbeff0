"""The follow list as OPML 2.0, the format feed readers exchange subscriptions in."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from tui_reader.clean import clean_line
from tui_reader.errors import ReaderError
from tui_reader.models import Author
from tui_reader.sources import feed_url
from tui_reader.sources.registry import SOURCE_NAMES


@dataclass(frozen=True)
class Outline:
    """One subscription read from an OPML file."""

    title: str
    html_url: str = ""
    xml_url: str = ""
    #: Set when the file was written by tui-reader: then no lookup is needed.
    author: Author | None = None


def write_opml(authors: list[Author]) -> str:
    """An OPML document listing ``authors``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "tui-reader follows"
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ET.SubElement(root, "body")
    for author in authors:
        attributes = {
            "text": author.name,
            "title": author.name,
            "htmlUrl": author.url,
            "tuiReaderSource": author.source,
            "tuiReaderId": author.id,
            "tuiReaderHandle": author.handle,
        }
        xml_url = feed_url(author)
        if xml_url:
            attributes["type"] = "rss"
            attributes["xmlUrl"] = xml_url
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def read_opml(text: str) -> list[Outline]:
    """The subscriptions in an OPML document, folders flattened."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        # Entity definitions are how XML bombs work; OPML never needs them.
        raise ReaderError("this OPML file declares entities, which tui-reader does not read")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise ReaderError(f"not a readable OPML file: {error}") from None
    if root.tag != "opml" or root.find("body") is None:
        raise ReaderError("not an OPML file: it has no <opml><body>")
    outlines: list[Outline] = []
    for node in root.iter("outline"):
        source = node.get("tuiReaderSource", "")
        author_id = node.get("tuiReaderId", "")
        # Cleaned where it enters, like any text from outside: a title is shown.
        title = clean_line(node.get("title") or node.get("text") or "")
        author = None
        if source in SOURCE_NAMES and author_id:
            author = Author(
                source=source,
                id=author_id,
                handle=node.get("tuiReaderHandle") or author_id,
                display_name=title if title != node.get("tuiReaderHandle") else "",
                url=node.get("htmlUrl", ""),
            )
        html_url, xml_url = node.get("htmlUrl", ""), node.get("xmlUrl", "")
        if author or html_url or xml_url:
            outlines.append(Outline(title, html_url, xml_url, author))
    return outlines
