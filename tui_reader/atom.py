"""An Atom 1.0 feed (RFC 4287) of whole threads: one entry per thread, its content the whole
unrolled thread as HTML, so a feed reader (newsboat, Miniflux, NetNewsWire) shows it as the
reader does. Written with the standard library's ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from urllib.parse import quote

from tui_reader import __version__
from tui_reader.models import Thread
from tui_reader.render import is_web_url
from tui_reader.times import parse_time
from tui_reader.xhtml import article, html_of, xml_text

ATOM = "http://www.w3.org/2005/Atom"
#: The tag: URIs of entries (RFC 4151): this name, the year the scheme was chosen, the
#: thread's key (stable for as long as the thread is in any library).
TAG_PREFIX = "tag:tui-reader,2026:"


def entry_id(thread: Thread) -> str:
    """The entry's ``id``: a tag: URI made from the thread's key."""
    return TAG_PREFIX + quote(thread.id, safe=":@!$&'()*+,;=-._~/")


def rfc3339(value: str, fallback: str) -> str:
    """``value`` as an RFC 3339 time in UTC, or ``fallback`` when it is none (a copied page
    knows only the day, or nothing)."""
    when = parse_time(value) if value else None
    if when is None:
        when = parse_time(fallback)
    if when is None:
        return "1970-01-01T00:00:00Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_of(thread: Thread) -> str:
    """When the thread last changed: its newest post (a thread grows by posts), else when
    it was fetched."""
    times = [post.created_at for post in thread.posts if parse_time(post.created_at)]
    return rfc3339(max(times, default=""), thread.fetched_at)


def atom_feed(threads: Iterable[Thread], *, title: str, now: str) -> bytes:
    """The feed of ``threads``, newest first as given, as UTF-8 XML."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
        element = ET.SubElement(
            parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attributes.items()}
        )
        if text:
            element.text = xml_text(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "title", title)
    add(feed, "id", TAG_PREFIX + quote(title, safe=""))
    add(feed, "generator", "tui-reader", version=__version__)
    changed: list[str] = []
    entries: list[ET.Element] = []
    for thread in threads:
        entry = ET.Element(f"{{{ATOM}}}entry")
        add(entry, "id", entry_id(thread))
        add(entry, "title", " ".join(thread.title.split()), type="text")
        person = add(entry, "author")
        add(person, "name", thread.author.name)
        if is_web_url(thread.author.url):
            add(person, "uri", thread.author.url)
        published = rfc3339(thread.created_at, thread.fetched_at)
        updated = max(updated_of(thread), published)
        add(entry, "published", published)
        add(entry, "updated", updated)
        if is_web_url(thread.url):
            add(entry, "link", rel="alternate", type="text/html", href=thread.url)
        # The whole thread, as the HTML export draws it; images by their own addresses.
        add(entry, "content", html_of(article(thread)), type="html")
        entries.append(entry)
        changed.append(updated)
    add(feed, "updated", max(changed, default=rfc3339(now, now)))
    feed.extend(entries)
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
