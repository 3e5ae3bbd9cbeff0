"""The sources tui-reader reads threads from, behind one protocol."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from tui_reader.models import Author, Ref, SourceName, Thread


class Source(Protocol):
    """What every source offers. Sources parse; they never touch SQLite or the UI."""

    name: SourceName

    def resolve(self, text: str) -> Ref | None:
        """Recognise a URL, handle or ID of this source without using the network."""
        ...

    def post_id(self, ref: Ref, author_id: str) -> str:
        """The library's ID of the post ``ref`` names, given its author's stable ID."""
        ...

    def is_stable_id(self, author: str) -> bool:
        """Whether ``author`` is the author's stable ID rather than a changeable handle."""
        ...

    async def profile(self, author: str) -> Author:
        """Look up an author by handle or stable ID."""
        ...

    async def thread(self, ref: Ref) -> Thread:
        """Fetch the thread that contains the post ``ref`` points at, unrolled from its root."""
        ...


def utc_now() -> str:
    """The current time as the library writes times: ISO 8601, UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(value: object) -> datetime | None:
    """Parse an ISO 8601 time from a server, or ``None`` when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def normalise_time(value: object) -> str:
    """A server's timestamp in the library's form, or the text as given if it is not one."""
    parsed = parse_time(value)
    if parsed is None:
        return value if isinstance(value, str) else ""
    return parsed.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
