"""Read-state files: every thread's read mark and place as JSON, to carry them to another
machine and merge them there (the newest mark of each thread wins)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tui_reader.errors import ReaderError
from tui_reader.store import ReadMark, Store
from tui_reader.times import utc_now

READ_STATE_FORMAT = "tui-reader read-state"
#: No thread has more posts than this; a position past it is not a real one.
MAX_POSITION = 1_000_000


@dataclass(frozen=True)
class ImportReport:
    """What an import did: how many entries it took, already had, or could not use."""

    added: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: tuple[str, ...] = ()
    #: Threads watched from now on (read-state files).
    watches: int = 0


def _read_mark(number: int, entry: object) -> ReadMark:
    """One entry of a read-state file, checked field by field."""
    bad = f"the read-state file's entry {number} is malformed"
    if not isinstance(entry, dict):
        raise ReaderError(f"{bad}: not an object")
    thread_id, unread = entry.get("id"), entry.get("unread")
    position, changed_at = entry.get("position", 0), entry.get("changed_at", "")
    if not isinstance(thread_id, str) or not thread_id or not isinstance(unread, bool):
        raise ReaderError(f"{bad}: it needs an 'id' and a true or false 'unread'")
    if isinstance(position, bool) or not isinstance(position, int):
        raise ReaderError(f"{bad}: 'position' is not a whole number")
    if not 0 <= position <= MAX_POSITION or not isinstance(changed_at, str):
        raise ReaderError(f"{bad}: 'position' or 'changed_at' is out of range")
    return ReadMark(thread_id, unread, position, changed_at)


def export_read_state(store: Store) -> str:
    """Every thread's read mark and position, as JSON."""
    data = {
        "format": READ_STATE_FORMAT,
        "version": 1,
        "exported_at": utc_now(),
        "threads": [
            {
                "id": m.thread_id,
                "unread": m.unread,
                "position": m.position,
                "changed_at": m.changed_at,
            }
            for m in store.read_marks()
        ],
        # Watched threads (each sync fetches them again), with when watching began.
        "watching": [{"id": w.thread.id, "since": w.since} for w in store.watches()],
    }
    return json.dumps(data, indent=2) + "\n"


def import_read_state(store: Store, text: str) -> ImportReport:
    """Merge read marks from JSON: for each thread, the newest mark wins."""
    try:
        data: Any = json.loads(text)
    except ValueError as error:
        raise ReaderError(f"not a read-state file: {error}") from None
    except RecursionError:
        raise ReaderError("not a read-state file: it is nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != READ_STATE_FORMAT:
        raise ReaderError("not a read-state file written by tui-reader read-state --export")
    entries = data.get("threads") or []
    if not isinstance(entries, list):
        raise ReaderError("the read-state file's 'threads' is not a list")
    marks = [_read_mark(number, entry) for number, entry in enumerate(entries, start=1)]
    watched = _watches(data.get("watching") or [])
    applied, missing = store.merge_read_marks(marks)
    watches_added, _ = store.import_watches(watched)
    return ImportReport(applied, len(marks) - applied - missing, missing, watches=watches_added)


def _watches(entries: object) -> list[tuple[str, str]]:
    """The watched threads a read-state file names, checked."""
    if not isinstance(entries, list):
        raise ReaderError("the read-state file's 'watching' is not a list")
    found = []
    for number, entry in enumerate(entries, start=1):
        thread_id = entry.get("id") if isinstance(entry, dict) else None
        since = entry.get("since", "") if isinstance(entry, dict) else None
        if not isinstance(thread_id, str) or not thread_id or not isinstance(since, str):
            raise ReaderError(
                f"the read-state file's watched thread {number} is malformed: "
                "it needs an 'id' and a 'since' time"
            )
        found.append((thread_id, since or utc_now()))
    return found
