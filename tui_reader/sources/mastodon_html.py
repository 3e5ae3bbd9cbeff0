"""Mastodon's status HTML as plain text. Loaded with the first status read, so that starting
the reader does not pay for an HTML parser."""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from tui_reader.clean import clean_line, clean_text
from tui_reader.limits import MAX_LINKS_PER_POST, cap_links


class _ContentParser(HTMLParser):
    """Mastodon's status HTML to plain text: paragraphs, line breaks, full link URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        #: An ordered set: membership in a list is quadratic in a hostile status's links.
        self.links: dict[str, None] = {}
        self._hidden = 0  # depth inside span.invisible
        self._anchor: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        classes = attributes.get("class", "").split()
        if tag == "p":
            self._end_paragraph()
        elif tag == "br":
            self._emit("\n")
        elif tag == "span" and self._hidden:
            self._hidden += 1
        elif tag == "span" and "invisible" in classes:
            self._hidden = 1
        elif tag == "a" and self._anchor is None:
            kind = (
                "tag"
                if ("hashtag" in classes or attributes.get("rel") == "tag")
                else ("mention" if "mention" in classes else "link")
            )
            self._anchor = {"href": attributes.get("href", ""), "kind": kind, "text": []}

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._end_paragraph()
        elif tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "a" and self._anchor is not None:
            anchor, self._anchor = self._anchor, None
            href = anchor["href"]
            shown = "".join(anchor["text"])
            is_web = urlsplit(href).scheme in ("http", "https")
            if anchor["kind"] == "link" and is_web:
                self.links[href] = None
                # A shortened URL comes back whole; words linked to a page stay words.
                looks_like_url = shown.strip().lower().startswith(("http://", "https://"))
                whole = looks_like_url or not shown.strip() or _shortens(shown, href)
                self._emit(href if whole else shown)
            else:
                visible = anchor.get("visible")
                self._emit(shown if visible is None else "".join(visible))

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            # The invisible parts ("https://", the tail) are part of the full link text.
            self._anchor["text"].append(data)
            if not self._hidden:
                self._anchor.setdefault("visible", []).append(data)
            return
        if not self._hidden:
            self._emit(data)

    def _emit(self, text: str) -> None:
        if self._anchor is not None:
            self._anchor["text"].append(text)
        else:
            self.current.append(text)

    def _end_paragraph(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def result(self) -> tuple[str, list[str], int]:
        """The text, the first links (up to the cap) and how many distinct links there were."""
        self.close()
        self._end_paragraph()
        kept = list(islice(self.links, MAX_LINKS_PER_POST))
        return "\n\n".join(self.paragraphs), kept, len(self.links)


def _shortens(shown: str, href: str) -> bool:
    """Whether a link's visible text is its address shortened by hand, without Mastodon's
    hidden spans (old servers, Bridgy Fed): the scheme dropped and the end cut with "..."
    or "…" (``bsky.app/profile/h4lc...`` for the whole address)."""
    text = shown.strip()
    cut = text.endswith(("...", "…"))
    text = text.removesuffix("...").removesuffix("…")
    if len(text) < 4 or any(char.isspace() for char in text):
        return False
    bare = href.split("://", 1)[-1]
    return bare.lower().startswith(text.lower()) and (cut or bare.lower() == text.lower())


def content_to_text(html: str) -> tuple[str, tuple[str, ...]]:
    """A status's HTML ``content`` as plain text, and the web links it holds."""
    parser = _ContentParser()
    parser.feed(html)
    text, links, total = parser.result()
    # Character references (&#27;) only become characters here: clean the result too.
    return cap_links(clean_text(text), [clean_line(link) for link in links], total)
