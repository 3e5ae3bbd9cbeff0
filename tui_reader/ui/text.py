"""The one way network text reaches the screen: as plain text, never as markup."""

from __future__ import annotations

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
