"""The one way network text reaches the screen: as plain text, never as markup."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from rich.text import Text

from tui_reader.render import safe_text
from tui_reader.times import parse_time


def untrusted(text: str, style: str = "") -> Text:
    """A Rich ``Text`` of network text: no markup parsed, control characters made visible."""
    return Text(safe_text(text), style=style)


def one_line(text: str, style: str = "") -> Text:
    """Network text folded onto one line."""
    return Text(" ".join(safe_text(text).split()), style=style)


def age(when: str, now: datetime | None = None) -> str:
    """``"3 days ago"`` for an ISO time; the text as given if it is not one."""
    then = parse_time(when)
    if then is None:
        return "at an unknown time"
    seconds = ((now or datetime.now(UTC)) - then).total_seconds()
    if seconds < 90:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"  # pragma: no cover


def search_terms(query: str) -> list[str]:
    """The words of a search query, folded, without FTS5 operators; ``word*`` keeps its
    star (a prefix)."""
    terms = []
    for word in re.findall(r"[\w*]+", query):
        if word in ("AND", "OR", "NOT", "NEAR") or not word.strip("*"):
            continue
        terms.append(fold(word.rstrip("*")) + ("*" if word.endswith("*") else ""))
    return terms


def fold(text: str) -> str:
    """Lower case without accents: how search compares words."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the search terms occur in ``text`` (as whole words, or word starts for
    ``prefix*``), as character spans of the original text."""
    if not terms:
        return []
    folded_chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded_chars.append(piece)
        origin.extend([index] * len(piece))
    folded = "".join(folded_chars)
    spans = []
    for term in terms:
        prefix = term.endswith("*")
        word = re.escape(term.rstrip("*"))
        pattern = rf"(?<!\w){word}\w*" if prefix else rf"(?<!\w){word}(?!\w)"
        for found in re.finditer(pattern, folded):
            if found.end() > found.start():
                spans.append((origin[found.start()], origin[found.end() - 1] + 1))
    return sorted(spans)
