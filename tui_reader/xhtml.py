"""A thread as an XHTML article, built as an element tree (so it is well-formed whatever the
text holds): the EPUB's chapters and the Atom feed's entries draw threads with it, with the
parts every renderer shares (``render.post_parts``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from tui_reader.models import Media, Thread
from tui_reader.render import IMPORTED_SOURCE, is_web_url, nice_date, post_parts, reading_line

#: Characters XML 1.0 does not allow in a document at all (the C0 controls but tab, line feed
#: and carriage return, lone surrogates, U+FFFE and U+FFFF): ``safe_text`` has made the
#: controls visible already; anything left is replaced.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with nothing XML cannot hold."""
    return _NOT_XML.sub("\ufffd", text)


def _add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    """A child ``tag`` of ``parent`` holding ``text``."""
    element = ET.SubElement(
        parent, tag, {k.rstrip("_"): xml_text(v) for k, v in attributes.items()}
    )
    if text:
        element.text = xml_text(text)
    return element


def _link(parent: ET.Element, url: str, text: str) -> ET.Element:
    """A link to ``url`` (only a web address is made one; anything else stays text)."""
    if is_web_url(url):
        return _add(parent, "a", text, href=url)
    return _add(parent, "span", text)


def _append_text(element: ET.Element, text: str) -> None:
    """Add ``text`` after what ``element`` holds so far (its last child's tail)."""
    text = xml_text(text)
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _add_media(
    holder: ET.Element,
    media: Media,
    image_source: Callable[[Media], str] | None,
    images_inline: bool,
) -> None:
    """A media item into ``holder``: its picture kept in the book (or, ``images_inline``,
    from the web), else a link to it."""
    inside = image_source(media) if image_source is not None else ""
    if media.kind == "image" and inside:
        figure = _add(holder, "figure")
        _add(figure, "img", src=inside, alt=media.alt)
        if media.alt:
            _add(figure, "figcaption", media.alt)
    elif media.kind == "image" and images_inline and is_web_url(media.url):
        figure = _add(holder, "figure")
        _add(figure, "img", src=media.url, alt=media.alt)
        if media.alt:
            _add(figure, "figcaption", media.alt)
    else:
        if inside:
            # A video's poster or a link card's thumbnail, kept in the book.
            _add(_add(holder, "figure"), "img", src=inside, alt=media.alt)
        line = _add(holder, "p", class_="media")
        what = {"image": "Image", "video": "Video", "link": "Link"}.get(media.kind, "Media")
        _link(line, media.url, f"{what}: {media.alt or media.url}")


def article(
    thread: Thread,
    *,
    first: int = 0,
    last: int | None = None,
    images_inline: bool = True,
    heading: bool = True,
    image_source: Callable[[Media], str] | None = None,
) -> ET.Element:
    """``thread`` (its posts ``first`` to ``last``, all by default) as an ``<article>``: a
    heading and byline (with ``heading``), then each post as a ``<section>``. Images are
    ``<img>`` by their address with ``images_inline``, else links with their description;
    ``image_source`` gives a kept image's address inside a book ("" for one not kept)."""
    root = ET.Element("article")
    author = thread.author
    total = len(thread.posts)
    if heading:
        _add(root, "h1", thread.title)
        byline = _add(root, "p", class_="byline")
        _link(byline, author.url, author.name)
        _append_text(
            byline,
            f" @{author.handle} · {nice_date(thread.created_at)} · {reading_line(thread)}",
        )
        if thread.ends_early:
            note = _add(root, "p", class_="byline")
            _add(note, "em", f"Note: {thread.ends_early}.")
    end = total if last is None else min(last, total)
    for index in range(first, end):
        post = thread.posts[index]
        number = index + 1
        shown = post_parts(post)
        section = _add(root, "section", class_="post", id=f"post-{number}")
        if shown.deleted_note:
            _add(_add(section, "p", class_="media"), "em", f"({shown.deleted_note})")
        if shown.warning:
            # A book cannot fold text away: the warning is a note before it.
            note = _add(section, "p", class_="cw")
            _add(note, "strong", "Content warning: ")
            _append_text(note, shown.warning)
        paragraph = _add(section, "p")
        for run in shown.runs:
            pieces = run.text.split("\n")
            for number_in_run, piece in enumerate(pieces):
                if number_in_run:
                    if piece == "" and number_in_run < len(pieces) - 1:
                        continue
                    ET.SubElement(paragraph, "br")
                if run.link and piece:
                    _link(paragraph, run.link, piece)
                elif piece:
                    _append_text(paragraph, piece)
        for media in shown.media:
            _add_media(section, media, image_source, images_inline)
        for link in shown.extra_links:
            _link(_add(section, "p", class_="media"), link, link)
        if shown.quote is not None:
            quote = _add(section, "blockquote")
            _add(_add(quote, "p"), "strong", shown.quote.who)
            _add(quote, "p", shown.quote.text)
            for media in shown.quote.media:
                _add_media(quote, media, image_source, images_inline)
            _link(_add(quote, "p"), shown.quote.url, shown.quote.url)
        _link(_add(section, "p", class_="media"), post.url, f"{number}/{total}")
    if last is None or last >= total:
        footer = _add(root, "p", class_="source")
        if thread.url:
            _append_text(footer, "Source: ")
            _link(footer, thread.url, thread.url)
        else:
            _append_text(footer, IMPORTED_SOURCE)
    return root


def html_of(element: ET.Element) -> str:
    """``element`` as HTML text (for a feed's ``content type="html"``)."""
    return ET.tostring(element, encoding="unicode", method="html")
