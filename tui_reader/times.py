"""Times as the library keeps them: ISO 8601 in UTC, to the second."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

#: A time already in the library's form, but for a fraction of a second (as Bluesky sends
#: them): once its date and time are checked, cutting it is all the work left.
_UTC_SECONDS = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z"
)


def utc_now() -> str:
    """The current time as the library writes times: ISO 8601, UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_now_exact() -> str:
    """The current time to the microsecond, ISO 8601, UTC: for what was seen and what changed
    since, which are compared with each other (a post added in the second a thread was
    opened is still new)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: object) -> datetime | None:
    """Parse an ISO 8601 time (a naive one is taken as UTC), or ``None`` if it is not one."""
    if not isinstance(value, str) or not value or len(value) > MAX_TIME_LENGTH:
        return None
    return _parse(value)


#: No ISO 8601 time is longer; a longer string is not parsed (nor kept in the cache).
MAX_TIME_LENGTH = 64


# A time may be parsed more than once (the branch rule, where a post has several replies;
# a time in another form, normalised twice): the cache makes that one parse.
@lru_cache(maxsize=4096)
def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past the calendar's edge
        return None
    return parsed


def normalise_time(value: object) -> str:
    """A server's timestamp in the library's form, or "" (unknown) if it is not one."""
    if not isinstance(value, str) or not value or len(value) > MAX_TIME_LENGTH:
        return ""
    if _UTC_SECONDS.fullmatch(value):
        # Already UTC (as Bluesky and Mastodon send times): checking that the date and time
        # are real ones is all the work left. A sync reads two such times a post, each of
        # them once, so this path keeps no cache (a cache's misses cost 3 us, this 1).
        head = value[:19]
        try:
            datetime.fromisoformat(head)
        except ValueError:
            return ""
        return head + "Z"
    return _normalise(value)


@lru_cache(maxsize=4096)
def _normalise(value: str) -> str:
    parsed = _parse(value)
    if parsed is None:
        return ""
    return parsed.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


#: A span of time back from now: ``7d``, ``24h``, ``2w``, ``30m``.
_AGO_RE = re.compile(r"^([0-9]{1,5})\s*([mhdw])\Z")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def since_time(text: str, now: datetime | None = None) -> str | None:
    """``--since``'s value as a time the library compares with: a span back from now
    (``7d``, ``24h``, ``2w``) or a date or time (``2024-06-01``, ``2024-06-01T12:00Z``);
    ``None`` when it is neither."""
    from datetime import timedelta

    text = text.strip().lower()
    ago = _AGO_RE.match(text)
    if ago:
        seconds = int(ago.group(1)) * _UNIT_SECONDS[ago.group(2)]
        start = (now or datetime.now(UTC)) - timedelta(seconds=seconds)
        # isoformat writes the year in four digits (strftime would not, before 1000).
        return start.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        text += "T00:00:00Z"
    when = parse_time(text.upper())
    if when is None:
        return None
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
