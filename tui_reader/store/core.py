"""The store proper: the library file's connection, its errors, and every read and write
the rest of the program asks of it (the layout is in ``schema``, saves in ``saves``, search in
``search``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace

import tui_reader.store.saves as saves
import tui_reader.store.search as searching
from tui_reader.errors import ReaderError
from tui_reader.models import Author, Post, SourceName, Thread, ThreadSummary, Version
from tui_reader.store.connection import reported
from tui_reader.store.kept import KeptMedia
from tui_reader.store.living import LivingThreads
from tui_reader.store.rows import (
    POSTS_OF_THREAD,
    SUMMARY_COLUMNS,
    THREAD_OF_POST,
    THREAD_OF_POST_ON_SERVER,
    AuthorRow,
    ReadMark,
    SearchHit,
    SyncState,
    ThreadList,
    author_of,
    post_of,
    summary_of,
)
from tui_reader.store.saves import Saved
from tui_reader.store.schema import split_key
from tui_reader.times import utc_now_exact


class ForeignThread(ReaderError):
    """A save named a thread the library holds as another author's: it was not saved (the
    rest of the save was)."""


#: The page cache (Thread Reader App's pages, kept to revalidate them): one page is kept up
#: to this size, and all of them up to the next, the oldest going first.
MAX_CACHED_BODY = 4 * 1024 * 1024
MAX_CACHE_BYTES = 50 * 1024 * 1024


@reported
class Store(LivingThreads, KeptMedia):
    """A library file: open it, read and write threads, close it.

    Each call is a short transaction, so two running copies of tui-reader can share the file.
    """

    # Authors ---------------------------------------------------------------------------

    def author(self, key: str) -> Author | None:
        """The author with the library key ``key`` (``"<source>:<id>"``)."""
        row = self.conn.execute("SELECT * FROM authors WHERE key = ?", (key,)).fetchone()
        return author_of(row) if row else None

    def author_by_handle(self, source: SourceName, handle: str) -> Author | None:
        """The author of ``source`` last seen with ``handle``, if the library knows one."""
        row = self.conn.execute(
            """SELECT * FROM authors WHERE source = ? AND handle = ? COLLATE NOCASE""",
            (source, handle),
        ).fetchone()
        return author_of(row) if row else None

    def authors_with_handle(self, handle: str) -> list[Author]:
        """Every author, of any source, last seen with ``handle`` (at most a few)."""
        rows = self.conn.execute(
            "SELECT * FROM authors WHERE handle = ? COLLATE NOCASE ORDER BY key LIMIT 10",
            (handle,),
        ).fetchall()
        return [author_of(row) for row in rows]

    def authors(self) -> list[AuthorRow]:
        """Followed authors, then every other author with threads, by name, with counts."""
        rows = self.conn.execute(
            """
            SELECT a.*, COALESCE(st.threads, 0) AS threads, COALESCE(st.unread, 0) AS unread,
                   COALESCE(st.new, 0) AS new, COALESCE(st.grown, 0) AS grown,
                   f.author_key IS NOT NULL AS followed,
                   COALESCE(s.synced_at, '') AS synced_at, COALESCE(s.error, '') AS error
            FROM authors a
            LEFT JOIN author_stats st ON st.author_key = a.key
            LEFT JOIN follows f ON f.author_key = a.key
            LEFT JOIN sync_state s ON s.author_key = a.key
            WHERE COALESCE(st.threads, 0) > 0 OR f.author_key IS NOT NULL
            ORDER BY followed DESC,
                lower(CASE WHEN a.display_name != '' THEN a.display_name ELSE a.handle END)
            """
        ).fetchall()
        return [
            AuthorRow(
                author_of(row),
                row["threads"],
                row["unread"],
                row["new"],
                bool(row["followed"]),
                row["synced_at"],
                row["error"],
                row["grown"],
            )
            for row in rows
        ]

    # Follows and sync state -------------------------------------------------------------

    def follow(self, author: Author, when: str) -> bool:
        """Follow ``author``; ``False`` if it was followed already."""

        def work(conn: sqlite3.Connection) -> bool:
            saves.upsert_author(conn, author)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO follows (author_key, followed_at) VALUES (?, ?)",
                (author.key, when),
            )
            return cursor.rowcount > 0

        return bool(self._write(work))

    def unfollow(self, author_key: str) -> bool:
        """Stop following; the author's threads stay. ``False`` if it was not followed."""

        def work(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM sync_state WHERE author_key = ?", (author_key,))
            cursor = conn.execute("DELETE FROM follows WHERE author_key = ?", (author_key,))
            return cursor.rowcount > 0

        return bool(self._write(work))

    def follow_count(self) -> int:
        """How many authors are followed (without loading them: asked at every start)."""
        return int(self.conn.execute("SELECT COUNT(*) FROM follows").fetchone()[0])

    def followed(self) -> list[Author]:
        """The followed authors, by name."""
        rows = self.conn.execute(
            """
            SELECT a.* FROM follows f JOIN authors a ON a.key = f.author_key
            ORDER BY lower(CASE WHEN a.display_name != '' THEN a.display_name ELSE a.handle END)
            """
        ).fetchall()
        return [author_of(row) for row in rows]

    def sync_state(self, author_key: str) -> SyncState:
        """The last sync's state for an author (empty before the first)."""
        row = self.conn.execute(
            "SELECT * FROM sync_state WHERE author_key = ?", (author_key,)
        ).fetchone()
        if row is None:
            return SyncState()
        return SyncState(row["synced_at"], row["error"], row["watermark"], row["etag"])

    def set_sync_state(self, author_key: str, state: SyncState) -> None:
        """Record how a sync of an author ended."""
        self._write(
            lambda conn: conn.execute(
                """
                INSERT INTO sync_state (author_key, synced_at, error, watermark, etag)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (author_key) DO UPDATE SET
                    synced_at = excluded.synced_at, error = excluded.error,
                    watermark = excluded.watermark, etag = excluded.etag
                """,
                (author_key, state.synced_at, state.error, state.watermark, state.etag),
            )
        )

    # Threads ---------------------------------------------------------------------------

    def save_thread(
        self,
        thread: Thread,
        *,
        mark_new: bool = False,
        dated: frozenset[str] = frozenset(),
        grown_is_unread: bool = True,
    ) -> Saved:
        """Write a thread and its posts in one transaction, keeping its read state; what
        changed in it (see ``save_threads``).

        Posts the library had that are missing from ``thread`` are kept, marked deleted.
        ``mark_new`` flags the thread as new and unread (a sync brought it).
        """
        saved = self.save_threads(
            [(thread, mark_new)], dated=dated, grown_is_unread=grown_is_unread
        )
        return saved.get(thread.id, Saved())

    def save_threads(
        self,
        threads: Iterable[tuple[Thread, bool]],
        *,
        dated: frozenset[str] = frozenset(),
        grown_is_unread: bool = True,
    ) -> dict[str, Saved]:
        """Write threads as ``save_thread`` does, each with its ``mark_new``, all in one
        transaction: a sync saves an author's threads together (the search index is
        updated once for them, not once a thread). A thread given twice is saved as its
        last version, flagged new if either asked for it.

        What changed in each thread the library had is noted (posts added, edited, deleted
        upstream; the earlier texts kept; the changes log): ``dated`` names the sources
        whose servers date their edits, and ``grown_is_unread`` marks a thread with added
        posts unread again. Returns what each thread's save changed."""
        # The posts are written after all the threads' rows, so a thread must come once.
        latest: dict[str, tuple[Thread, bool]] = {}
        for thread, mark_new in threads:
            earlier = latest.get(thread.id)
            latest[thread.id] = (thread, mark_new or (earlier is not None and earlier[1]))
        chosen = list(latest.values())
        if not chosen:
            return {}
        horizon = saves.tomorrow()  # later dates are a server's mistake (see put_thread)
        now = utc_now_exact()
        # Each thread's author, each post's thread and prefixes are written or looked up
        # just before the rows that name them: the checks cost 3 lookups a post (2% of a
        # sync) and could not fail. Tests run PRAGMA foreign_key_check after saves.
        refused, outcomes = self._write(
            lambda conn: saves.write_threads(
                conn, chosen, horizon, now, dated=dated, grown_is_unread=grown_is_unread
            ),
            references_made_here=True,
        )
        if refused:
            thread, owner_key = refused[0]
            owner = self.author(owner_key)
            named = f"@{owner.handle}" if owner else owner_key
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise ForeignThread(
                f"refused: {thread.id} is {named}'s thread in the library, and this copy says "
                f"it is @{thread.author.handle}'s; {named}'s copy is kept{more}"
            )
        return dict(outcomes)

    def live_post_ids(self, thread_ids: Iterable[str]) -> dict[str, set[str]]:
        """The IDs of the posts (not deleted) of each of these threads the library has
        fetched; a thread it lacks, or knows only from a list, is left out."""
        found: dict[str, set[str]] = {}
        wanted = list(thread_ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                f"""
                SELECT t.id, ip.text || p.id_rest, p.deleted FROM threads t
                LEFT JOIN posts p ON p.thread = t.num
                LEFT JOIN prefixes ip ON ip.n = p.id_prefix
                WHERE t.fetched = 1 AND t.id IN ({",".join("?" * len(chunk))})
                """,
                chunk,
            )
            for thread_id, post_id, deleted in rows:
                posts = found.setdefault(thread_id, set())
                if post_id is not None and not deleted:
                    posts.add(post_id)
        return found

    def save_summaries(self, summaries: Iterable[ThreadSummary]) -> int:
        """Remember threads known only from a list ("More from", an author's page), in one
        transaction; never overwrites a thread the library has. Returns how many were new."""
        listed = list(summaries)
        if not listed:
            return 0
        return int(self._write(lambda conn: saves.write_summaries(conn, listed)) or 0)

    def save_summary(self, summary: ThreadSummary) -> bool:
        """Remember one thread known only from a list; ``False`` if the library had it."""
        return self.save_summaries([summary]) > 0

    def _thread_row(self, thread_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            f"""SELECT {SUMMARY_COLUMNS} FROM threads t JOIN authors a ON a.key = t.author_key
                WHERE t.id = ?""",
            (thread_id,),
        ).fetchone()
        return row

    def thread_id_numbered(self, number: int) -> str | None:
        """The ID of the thread the library numbers ``number`` (``#12``), if any."""
        row = self.conn.execute("SELECT id FROM threads WHERE num = ?", (number,)).fetchone()
        return str(row[0]) if row else None

    def summary(self, thread_id: str) -> ThreadSummary | None:
        """A thread as listed (fetched or not), without its posts."""
        row = self._thread_row(thread_id)
        return summary_of(row) if row else None

    # HTTP validators ---------------------------------------------------------------------

    def cached_response(self, url: str) -> tuple[str, str, bytes] | None:
        """The ETag, Last-Modified and body last fetched from ``url``."""
        row = self.conn.execute(
            "SELECT etag, last_modified, body FROM http_cache WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1], bytes(row[2])) if row else None

    def cache_response(
        self, url: str, etag: str, last_modified: str, body: bytes | bytearray
    ) -> None:
        """Keep a response that came with validators, to revalidate it next time.

        The cache is bounded: a body over ``MAX_CACHED_BODY`` is not kept (its page is asked
        for whole next time), and past ``MAX_CACHE_BYTES`` in all the oldest go first."""

        def work(conn: sqlite3.Connection) -> None:
            if len(body) > MAX_CACHED_BODY:
                conn.execute("DELETE FROM http_cache WHERE url = ?", (url,))
                return
            conn.execute(
                """
                INSERT INTO http_cache (url, etag, last_modified, body, stored_at)
                VALUES (?, ?, ?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'))
                ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
                    last_modified = excluded.last_modified, body = excluded.body,
                    stored_at = excluded.stored_at
                """,
                (url, etag, last_modified, body),
            )
            # length() reads a blob's size from its record header, not the blob itself.
            total = conn.execute("SELECT COALESCE(SUM(length(body)), 0) FROM http_cache")
            excess = int(total.fetchone()[0]) - MAX_CACHE_BYTES
            oldest = conn.execute(
                "SELECT url, length(body) FROM http_cache ORDER BY stored_at, rowid"
            ).fetchall()
            for old_url, size in oldest:
                if excess <= 0:
                    break
                conn.execute("DELETE FROM http_cache WHERE url = ?", (old_url,))
                excess -= int(size)

        self._write(work)

    def thread(self, thread_id: str) -> Thread | None:
        """A thread with all its posts, or ``None``."""
        row = self._thread_row(thread_id)
        if row is None or not row["fetched"]:
            return None
        posts = tuple(post_of(post) for post in self.conn.execute(POSTS_OF_THREAD, (row["num"],)))
        posts = self.with_kept_media(posts)
        if any(post.edited_at for post in posts):
            posts = self._with_versions(row["num"], posts)
        return Thread(
            id=row["id"],
            source=row["t_source"],
            url=row["t_url"],
            author=author_of(row),
            created_at=row["created_at"],
            posts=posts,
            fetched_at=row["fetched_at"],
            unread=bool(row["unread"]),
            ends_early=row["ends_early"],
            last_read_at=row["last_read_at"],
            new_since_read=int(row["grown"]),
        )

    def _with_versions(self, number: int, posts: tuple[Post, ...]) -> tuple[Post, ...]:
        """``posts`` with the earlier texts the library keeps of each, oldest first."""
        found: dict[str, list[Version]] = {}
        for post_id, text, warning, seen_at in self.conn.execute(
            "SELECT post_id, text, content_warning, seen_at FROM post_versions "
            "WHERE thread = ? ORDER BY seen_at, rowid",
            (number,),
        ):
            found.setdefault(post_id, []).append(Version(text, seen_at, warning))
        if not found:
            return posts
        return tuple(
            replace(post, versions=tuple(found[post.id])) if post.id in found else post
            for post in posts
        )

    def thread_id_for_post(self, post_id: str) -> str | None:
        """The thread that holds the post ``post_id``, if the library has it."""
        prefix, rest = split_key(post_id)
        row = self.conn.execute(THREAD_OF_POST, (prefix, rest)).fetchone()
        return str(row[0]) if row else None

    def thread_id_for_post_on(self, server: str, rest: str) -> str | None:
        """The thread that holds a post on ``server`` (a base URL, ``https://host``) whose ID
        or web address ends in ``/rest``, if the library has it: a reference that names the
        server and the post's ID but not its author (``/notice/ID``)."""
        if not server or not rest or "/" in rest:
            return None
        # Every prefix of the server's addresses sorts from "https://host/" to just
        # before "https://host0" ("0" follows "/"): a range the prefixes' index reads.
        bounds = {"rest": rest, "low": f"{server}/", "high": f"{server}0"}
        row = self.conn.execute(THREAD_OF_POST_ON_SERVER, bounds).fetchone()
        return str(row[0]) if row else None

    def threads(
        self,
        view: ThreadList | None = None,
        *,
        author_key: str | None = None,
        unread_only: bool = False,
        offset: int = 0,
        limit: int = -1,
    ) -> list[ThreadSummary]:
        """Threads in the library as ``view`` lists them (newest first by default), without
        their posts; a page of them when ``limit`` is given (the lists read only the rows
        they show)."""
        view = view or ThreadList(author_key, unread_only)
        where, params = view.where()
        rows = self.conn.execute(
            f"""SELECT {SUMMARY_COLUMNS} FROM threads t JOIN authors a ON a.key = t.author_key
                WHERE {where} ORDER BY {view.order()} LIMIT ? OFFSET ?""",
            [*params, limit, max(0, offset)],
        ).fetchall()
        return [summary_of(row) for row in rows]

    def count_threads(
        self,
        view: ThreadList | None = None,
        *,
        author_key: str | None = None,
        unread_only: bool = False,
    ) -> tuple[int, int]:
        """How many threads a list holds, and how many of them are unread: from the counts
        the triggers keep (no thread is counted here) unless the list is filtered further."""
        view = view or ThreadList(author_key, unread_only)
        if view.filtered:
            where, params = view.where()
            row = self.conn.execute(
                f"SELECT COUNT(*), COALESCE(SUM(t.unread), 0) FROM threads t WHERE {where}",
                params,
            ).fetchone()
            return int(row[0]), int(row[1])
        where = "WHERE author_key = ?" if view.author_key is not None else ""
        row = self.conn.execute(
            f"SELECT COALESCE(SUM(threads), 0), COALESCE(SUM(unread), 0) FROM author_stats {where}",
            [view.author_key] if view.author_key is not None else [],
        ).fetchone()
        total, unread = int(row[0]), int(row[1])
        return (unread, unread) if view.unread_only else (total, unread)

    def thread_index(
        self,
        thread_id: str,
        view: ThreadList | None = None,
        *,
        author_key: str | None = None,
        unread_only: bool = False,
    ) -> int | None:
        """Where ``thread_id`` is in a list ordered as :meth:`threads` orders it."""
        view = view or ThreadList(author_key, unread_only)
        where, params = view.where()
        columns = ", ".join(column for column, _ in view.keys())
        place = self.conn.execute(
            f"SELECT {columns} FROM threads t WHERE t.id = ? AND {where}", [thread_id, *params]
        ).fetchone()
        if place is None:
            return None
        before, values = view.before(tuple(place))
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM threads t WHERE {where} AND ({before})", [*params, *values]
        ).fetchone()
        return int(row[0])

    def unread_after(
        self, thread_id: str | None, view: ThreadList, *, backwards: bool = False
    ) -> ThreadSummary | None:
        """The first unread, fetched thread after ``thread_id`` in ``view``'s order (before
        it, ``backwards``); from the top (or bottom) when ``thread_id`` is not listed."""
        where, params = view.where()
        where += " AND t.unread = 1 AND t.fetched = 1"
        order = view.order(backwards=backwards)
        place = None
        if thread_id is not None:
            columns = ", ".join(column for column, _ in view.keys())
            place = self.conn.execute(
                f"SELECT {columns} FROM threads t WHERE t.id = ?", [thread_id]
            ).fetchone()
        if place is not None:
            before, values = view.before(tuple(place), after=not backwards)
            where += f" AND ({before})"
            params = [*params, *values]
        row = self.conn.execute(
            f"""SELECT {SUMMARY_COLUMNS} FROM threads t JOIN authors a ON a.key = t.author_key
                WHERE {where} ORDER BY {order} LIMIT 1""",
            params,
        ).fetchone()
        return summary_of(row) if row else None

    def mark_read(self, view: ThreadList, when: str, seen_at: str = "") -> list[tuple[str, bool]]:
        """Mark every unread thread ``view`` lists read; returns their IDs, each with whether
        it was new (to undo with: the "new" marks come back too)."""

        def work(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
            where, params = view.where()
            marked = [
                (str(row[0]), bool(row[1]))
                for row in conn.execute(
                    f"SELECT t.id, t.is_new FROM threads t WHERE {where} AND t.unread = 1", params
                )
            ]
            conn.executemany(
                "UPDATE threads SET unread = 0, is_new = 0, read_changed_at = ?, "
                "last_read_at = ?, grown = 0, edited = 0 WHERE id = ?",
                [(when, seen_at or when, thread_id) for thread_id, _ in marked],
            )
            return marked

        return list(self._write(work) or [])

    def new_among(self, thread_ids: list[str]) -> set[str]:
        """Which of these threads are marked new."""
        found: set[str] = set()
        for start in range(0, len(thread_ids), 500):
            chunk = thread_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT id FROM threads WHERE is_new = 1 AND id IN ({marks})", chunk
            )
            found.update(str(row[0]) for row in rows)
        return found

    def clear_new(self, thread_id: str) -> None:
        """The thread was opened: it is no longer new."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE threads SET is_new = 0 WHERE id = ? AND is_new = 1", (thread_id,)
            )
        )

    def set_new(self, thread_ids: Iterable[str]) -> None:
        """Mark threads new again (undoing a mark-all-read)."""
        self._write(
            lambda conn: conn.executemany(
                "UPDATE threads SET is_new = 1 WHERE id = ?", [(i,) for i in thread_ids]
            )
        )

    # Search -----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        author_key: str | None = None,
        limit: int = 50,
        per_thread: int = 1,
        snippets: bool = True,
    ) -> list[SearchHit]:
        """Posts that match ``query`` (FTS5 syntax), best first (bm25): ``per_thread`` hits
        at most from each thread (one by default: a list of threads). A query FTS5 cannot
        parse is searched as a plain phrase instead. With ``snippets=False`` the hits come
        without their words in context, to be asked for (``snippets``) as they are shown."""
        try:
            hits = searching.search(self.conn, query, author_key, limit, per_thread)
        except sqlite3.OperationalError:
            query = searching.as_phrase(query)
            hits = searching.search(self.conn, query, author_key, limit, per_thread)
        if not hits and searching.index_lost(self.conn):
            # "Nothing matches" from an index that lost its terms would be a lie: it is
            # rebuilt from the posts (once), and asked again.
            self._write(lambda conn: conn.execute(searching.REBUILD_INDEX))
            self.notice = "the library's search index was damaged; it has been rebuilt"
            hits = searching.search(self.conn, query, author_key, limit, per_thread)
        return searching.with_snippets(self.conn, query, hits) if snippets else hits

    def snippets(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        """``hits`` (from ``search`` with this ``query``) with their words in context."""
        try:
            return searching.with_snippets(self.conn, query, hits)
        except sqlite3.OperationalError:
            return searching.with_snippets(self.conn, searching.as_phrase(query), hits)

    def match_spans(self, thread_id: str, query: str) -> dict[int, list[tuple[int, int]]]:
        """Where ``query`` matches each post of a thread, as character spans of the post's
        text, by post index: the search index's own idea of a match (its accent folding,
        prefixes and phrases), so the reader highlights what search found."""
        try:
            return searching.match_spans(self.conn, thread_id, query)
        except sqlite3.OperationalError:
            return searching.match_spans(self.conn, thread_id, searching.as_phrase(query))

    # Read state -------------------------------------------------------------------------

    def set_unread(
        self, thread_ids: Iterable[str], unread: bool, when: str, seen_at: str = ""
    ) -> None:
        """Mark threads read or unread at ``when``. Marked read, what they hold now counts as
        seen, as of ``seen_at`` (``when`` by default; the reader gives it to the microsecond,
        as the changes it is compared with are written)."""
        chosen = list(thread_ids)
        self._write(
            lambda conn: conn.executemany(
                "UPDATE threads SET unread = ?, is_new = is_new AND ?, read_changed_at = ? "
                "WHERE id = ?",
                [(int(unread), int(unread), when, thread_id) for thread_id in chosen],
            )
        )
        if not unread:
            self.mark_seen_many(chosen, seen_at or when)

    def position(self, thread_id: str) -> int:
        """The post index the reader was last at in a thread."""
        row = self.conn.execute(
            "SELECT position FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_position(self, thread_id: str, position: int, when: str) -> None:
        """Remember where the reader is in a thread."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE threads SET position = ?, read_changed_at = ? "
                "WHERE id = ? AND position != ?",
                (max(0, position), when, thread_id, max(0, position)),
            )
        )

    def read_marks(self) -> list[ReadMark]:
        """Every thread's read state, for export."""
        rows = self.conn.execute(
            "SELECT id, unread, position, read_changed_at FROM threads ORDER BY id"
        ).fetchall()
        return [
            ReadMark(r["id"], bool(r["unread"]), r["position"], r["read_changed_at"]) for r in rows
        ]

    def merge_read_marks(self, marks: Iterable[ReadMark]) -> tuple[int, int]:
        """Apply marks newer than the library's own; returns (applied, not in the library)."""

        def work(conn: sqlite3.Connection) -> tuple[int, int]:
            applied = missing = 0
            for mark in marks:
                row = conn.execute(
                    "SELECT read_changed_at FROM threads WHERE id = ?", (mark.thread_id,)
                ).fetchone()
                if row is None:
                    missing += 1
                    continue
                if mark.changed_at > row[0]:
                    conn.execute(
                        "UPDATE threads SET unread = ?, is_new = is_new AND ?, position = ?, "
                        "read_changed_at = ? WHERE id = ?",
                        (
                            int(mark.unread),
                            int(mark.unread),
                            max(0, mark.position),
                            mark.changed_at,
                            mark.thread_id,
                        ),
                    )
                    if not mark.unread:
                        # Read on the other machine: what it held then counts as seen here.
                        conn.execute(
                            "UPDATE threads SET last_read_at = ?, grown = 0, edited = 0 "
                            "WHERE id = ? AND last_read_at < ?",
                            (mark.changed_at, mark.thread_id, mark.changed_at),
                        )
                    applied += 1
            return applied, missing

        result: tuple[int, int] = self._write(work)
        return result
