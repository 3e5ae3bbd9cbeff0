"""Threads that live: what the reader last saw of each thread, watched threads, the log of
what changed in the library, and earlier texts of edited posts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import tui_reader.store.saves as saves
from tui_reader.limits import MAX_VERSIONS
from tui_reader.models import ThreadSummary, Version
from tui_reader.store.connection import LibraryFile, reported
from tui_reader.store.rows import POSTS_OF_THREAD, SUMMARY_COLUMNS, summary_of
from tui_reader.times import utc_now

#: The kinds of change the log holds, in the order a summary names them.
CHANGE_KINDS = ("new", "grew", "edited", "deleted")

#: The most entries one look at the changes log lists (the newest).
MAX_CHANGES = 500
#: The mark of the last change looked at, and when ("<number> <time>").
CHANGES_SEEN = "changes-seen"


@dataclass(frozen=True)
class Change:
    """One entry of the changes log: a thread brought in new, grown by ``count`` posts, or
    one of its posts edited or deleted upstream, and where in the thread."""

    at: str
    kind: str
    thread: ThreadSummary
    post_id: str
    #: The post's place in the thread (where the reader opens it).
    place: int
    count: int


@dataclass(frozen=True)
class Watch:
    """A watched thread: since when, its last change, and the check's validator."""

    thread: ThreadSummary
    since: str
    changed_at: str
    tag: str


@reported
class LivingThreads(LibraryFile):
    """The store's reads and writes for threads that change after they are read."""

    # What the reader saw ------------------------------------------------------------------

    def mark_seen(self, thread_id: str, when: str) -> None:
        """The thread was shown to the reader (opened, or marked read) at ``when``: what
        it has now counts as seen."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE threads SET last_read_at = ?, grown = 0, edited = 0 WHERE id = ?",
                (when, thread_id),
            )
        )

    def mark_seen_many(self, thread_ids: Iterable[str], when: str) -> None:
        """Several threads marked read together."""
        self._write(
            lambda conn: conn.executemany(
                "UPDATE threads SET last_read_at = ?, grown = 0, edited = 0 WHERE id = ?",
                [(when, thread_id) for thread_id in thread_ids],
            )
        )

    # Watched threads ----------------------------------------------------------------------

    def watch(self, thread_id: str, when: str) -> bool:
        """Watch a thread the library has; ``False`` if it was watched already."""

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO watches (thread, since, changed_at) "
                "SELECT num, ?, ? FROM threads WHERE id = ?",
                (when, when, thread_id),
            )
            return cursor.rowcount > 0

        return bool(self._write(work))

    def unwatch(self, thread_id: str) -> bool:
        """Stop watching a thread; ``False`` if it was not watched."""

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "DELETE FROM watches WHERE thread = (SELECT num FROM threads WHERE id = ?)",
                (thread_id,),
            )
            return cursor.rowcount > 0

        return bool(self._write(work))

    def watches(self) -> list[Watch]:
        """Every watched thread, the longest watched first."""
        rows = self.conn.execute(
            f"""
            SELECT {SUMMARY_COLUMNS}, w.since, w.changed_at AS watch_changed, w.tag
            FROM watches w JOIN threads t ON t.num = w.thread
            JOIN authors a ON a.key = t.author_key
            ORDER BY w.since, t.id
            """
        ).fetchall()
        return [
            Watch(summary_of(row), row["since"], row["watch_changed"], row["tag"]) for row in rows
        ]

    def is_watched(self, thread_id: str) -> bool:
        """Whether a thread is watched."""
        row = self.conn.execute(
            "SELECT 1 FROM watches w JOIN threads t ON t.num = w.thread WHERE t.id = ?",
            (thread_id,),
        ).fetchone()
        return row is not None

    def set_watch_tag(self, thread_id: str, tag: str) -> None:
        """Keep the validator a watched thread's last check left."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE watches SET tag = ? WHERE thread = (SELECT num FROM threads WHERE id = ?)",
                (tag, thread_id),
            )
        )

    def import_watches(self, watched: Iterable[tuple[str, str]]) -> tuple[int, int]:
        """Watch threads named by a read-state file (ID, since); how many were added, and how
        many the library does not have."""

        def work(conn: sqlite3.Connection) -> tuple[int, int]:
            added = missing = 0
            for thread_id, since in watched:
                row = conn.execute(
                    "SELECT num FROM threads WHERE id = ? AND fetched = 1", (thread_id,)
                ).fetchone()
                if row is None:
                    missing += 1
                    continue
                added += conn.execute(
                    "INSERT OR IGNORE INTO watches (thread, since, changed_at) VALUES (?, ?, ?)",
                    (row[0], since, since),
                ).rowcount
            return added, missing

        result: tuple[int, int] = self._write(work)
        return result

    # Posts gone ---------------------------------------------------------------------------

    def mark_first_deleted(self, thread_id: str, when: str) -> int:
        """The thread's source says its first post is gone: that post is kept, marked
        deleted upstream and logged as such; 1 if it was not marked before."""

        def work(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT num FROM threads WHERE id = ?", (thread_id,)).fetchone()
            if row is None:
                return 0
            number = int(row[0])
            gone = [
                (post["post_id"], post["seq"])
                for post in conn.execute(POSTS_OF_THREAD, (number,))
                if not post["deleted"] and post["seq"] == 0
            ]
            conn.execute(
                "UPDATE posts SET deleted = 1, changed_at = ? "
                "WHERE thread = ? AND seq = 0 AND deleted = 0",
                (when, number),
            )
            conn.executemany(
                saves.LOG_CHANGE,
                [(when, number, "deleted", post_id, seq, 1) for post_id, seq in gone],
            )
            if gone:
                conn.execute(
                    "UPDATE threads SET edited = edited + ? WHERE num = ? AND last_read_at != ''",
                    (len(gone), number),
                )
                conn.execute("UPDATE watches SET changed_at = ? WHERE thread = ?", (when, number))
            return len(gone)

        return int(self._write(work) or 0)

    # Earlier texts ------------------------------------------------------------------------

    def add_versions(self, thread_id: str, post_id: str, versions: list[Version]) -> int:
        """Keep a post's earlier texts from its server's edit history (those the library
        lacks), each post's newest ``MAX_VERSIONS``; how many of the history were left out."""

        def work(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT num FROM threads WHERE id = ?", (thread_id,)).fetchone()
            if row is None:
                return 0
            number = int(row[0])
            known = {
                (text, warning)
                for text, warning in conn.execute(
                    "SELECT text, content_warning FROM post_versions "
                    "WHERE thread = ? AND post_id = ?",
                    (number, post_id),
                )
            }
            fresh = [
                (post_id, version.text, version.content_warning, version.seen_at)
                for version in versions[-MAX_VERSIONS:]
                if (version.text, version.content_warning) not in known
            ]
            dropped = max(0, len(versions) - MAX_VERSIONS)
            return dropped + saves.keep_versions(conn, number, fresh)

        return int(self._write(work) or 0)

    # The changes log ----------------------------------------------------------------------

    def changes(self, since: str = "", after: int = 0, limit: int = MAX_CHANGES) -> list[Change]:
        """What changed in the library after the time ``since`` and the log entry numbered
        ``after``, newest first, at most ``limit`` entries (read from the newest down: as
        quick at a million posts as at ten)."""
        # Newest first by the log's own numbers; from a time, through the index on it (the
        # entries older than ``since`` are not read).
        order = "c.at DESC, c.n DESC" if since else "c.n DESC"
        rows = self.conn.execute(
            f"""
            SELECT c.at, c.kind, c.post_id, c.seq, c.count, {SUMMARY_COLUMNS}
            FROM changes c JOIN threads t ON t.num = c.thread
            JOIN authors a ON a.key = t.author_key
            WHERE c.n > ? AND c.at > ? ORDER BY {order} LIMIT ?
            """,
            (after, since, max(0, limit)),
        ).fetchall()
        return [
            Change(
                row["at"], row["kind"], summary_of(row), row["post_id"], row["seq"], row["count"]
            )
            for row in rows
        ]

    def changes_since(
        self, since: str | None = None, *, look: bool = True
    ) -> tuple[list[Change], str]:
        """What changed after the time ``since`` (by default, since the changes were last
        looked at), newest first, and when they were last looked at; ``look`` marks them
        looked at now."""
        after, when = self._looked_at()
        found = self.changes(since or "", after if since is None else 0)
        if look:
            self.set_mark(CHANGES_SEEN, f"{self.last_change()} {utc_now()}")
        return found, when

    def newest_changes(self, limit: int) -> tuple[list[Change], int]:
        """The newest ``limit`` changes since they were last looked at, and how many."""
        after, _ = self._looked_at()
        return self.changes("", after, limit), self.count_changes(after)

    def _looked_at(self) -> tuple[int, str]:
        """The last change looked at (its number), and when it was looked at."""
        number, _, when = self.mark(CHANGES_SEEN).partition(" ")
        return (int(number) if number.isdigit() else 0), when

    def count_changes(self, after: int, most: int = MAX_CHANGES) -> int:
        """How many entries the changes log has after the one numbered ``after``, counted up
        to ``most`` (it is asked as a thread opens: a long log must not make that slower)."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM changes WHERE n > ? LIMIT ?)", (after, most)
        ).fetchone()
        return int(row[0])

    def last_change(self) -> int:
        """The number of the changes log's newest entry (0 when it is empty)."""
        return int(self.conn.execute("SELECT COALESCE(MAX(n), 0) FROM changes").fetchone()[0])

    def change_counts(self, after: int) -> dict[str, int]:
        """How many threads came in new and grew, and how many posts were edited and deleted,
        in the log's entries after the one numbered ``after``."""
        counts = dict.fromkeys(CHANGE_KINDS, 0)
        for kind, count in self.conn.execute(
            "SELECT kind, CASE WHEN kind = 'grew' THEN COUNT(DISTINCT thread) ELSE COUNT(*) END "
            "FROM changes WHERE n > ? GROUP BY kind",
            (after,),
        ):
            counts[kind] = int(count)
        return counts

    def mark(self, name: str) -> str:
        """A named mark the library keeps ("" when unset): when the changes were last looked at."""
        row = self.conn.execute("SELECT value FROM marks WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else ""

    def set_mark(self, name: str, value: str) -> None:
        """Set a named mark."""
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO marks (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        )
