"""The library on disk: one SQLite file (WAL, FTS5), the only module that writes SQL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_reader.errors import ReaderError
from tui_reader.models import (
    Author,
    Media,
    Post,
    Quote,
    SourceName,
    Thread,
    ThreadSummary,
    make_preview,
)


class StoreError(ReaderError):
    """The library file cannot be opened or is damaged."""


#: Forward migrations, each an SQL script; ``PRAGMA user_version`` is how many have run.
MIGRATIONS: list[str] = [
    """
        CREATE TABLE authors (
            key TEXT PRIMARY KEY,            -- "<source>:<stable id>"
            source TEXT NOT NULL,
            author_id TEXT NOT NULL,
            handle TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX authors_handle ON authors (source, handle COLLATE NOCASE);

        CREATE TABLE threads (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            author_key TEXT NOT NULL REFERENCES authors (key),
            title TEXT NOT NULL,
            preview TEXT NOT NULL,
            created_at TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            post_count INTEGER NOT NULL,
            ends_early TEXT NOT NULL DEFAULT '',
            unread INTEGER NOT NULL DEFAULT 1,
            position INTEGER NOT NULL DEFAULT 0,
            read_changed_at TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX threads_author ON threads (author_key, created_at);

        CREATE TABLE posts (
            thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            post_id TEXT NOT NULL,
            url TEXT NOT NULL,
            created_at TEXT NOT NULL,
            text TEXT NOT NULL,
            links TEXT NOT NULL DEFAULT '[]',
            media TEXT NOT NULL DEFAULT '[]',
            quote TEXT,
            PRIMARY KEY (thread_id, seq)
        );
        CREATE INDEX posts_post_id ON posts (post_id);

        -- Searchable text of every post; rowid matches posts.rowid.
        CREATE VIRTUAL TABLE post_search USING fts5 (
            text, author, tokenize = 'unicode61 remove_diacritics 2'
        );
    """,
]


@dataclass(frozen=True)
class AuthorRow:
    """An author in the library with how many threads, and unread ones, it holds."""

    author: Author
    threads: int
    unread: int


def _author(row: sqlite3.Row, prefix: str = "") -> Author:
    return Author(
        source=row[f"{prefix}source"],
        id=row[f"{prefix}author_id"],
        handle=row[f"{prefix}handle"],
        display_name=row[f"{prefix}display_name"],
        url=row[f"{prefix}url"],
    )


def _media(data: str) -> tuple[Media, ...]:
    return tuple(Media(item["kind"], item["url"], item.get("alt", "")) for item in json.loads(data))


def _quote(data: str | None) -> Quote | None:
    if not data:
        return None
    item = json.loads(data)
    return Quote(item["url"], item["author"], item["text"])


SUMMARY_COLUMNS = """
    t.id, t.source AS t_source, t.url AS t_url, t.title, t.preview, t.created_at, t.fetched_at,
    t.post_count, t.unread, t.ends_early, t.position,
    a.source, a.author_id, a.handle, a.display_name, a.url
"""


class Store:
    """A library file: open it, read and write threads, close it.

    Each call is a short transaction, so two running copies of tui-reader can share the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly where writes must be atomic.
            self.conn = sqlite3.connect(
                path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 10000")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the library at {path}: {error}") from None
        except OSError as error:
            raise StoreError(f"cannot create the library at {path}: {error.strerror}") from None

    def close(self) -> None:
        """Close the file."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """How many migrations this file has had."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the library at {self.path} was written by a newer tui-reader "
                f"(schema {version}); please upgrade"
            )
        for number in range(version, len(MIGRATIONS)):
            # One script per step, version bump included, so a step lands whole or not at all.
            try:
                self.conn.executescript(
                    f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; "
                    f"PRAGMA user_version = {number + 1}; COMMIT;"
                )
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``work`` in one write transaction: all of it lands, or none."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"the library is busy or locked: {error}") from None
        try:
            result = work(self.conn)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return result

    # Authors ---------------------------------------------------------------------------

    def _upsert_author(self, conn: sqlite3.Connection, author: Author) -> None:
        conn.execute(
            """
            INSERT INTO authors (key, source, author_id, handle, display_name, url)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                handle = excluded.handle, display_name = excluded.display_name,
                url = excluded.url
            """,
            (author.key, author.source, author.id, author.handle, author.display_name, author.url),
        )

    def author(self, key: str) -> Author | None:
        """The author with the library key ``key`` (``"<source>:<id>"``)."""
        row = self.conn.execute("SELECT * FROM authors WHERE key = ?", (key,)).fetchone()
        return _author(row) if row else None

    def author_by_handle(self, source: SourceName, handle: str) -> Author | None:
        """The author of ``source`` last seen with ``handle``, if the library knows one."""
        row = self.conn.execute(
            """SELECT * FROM authors WHERE source = ? AND handle = ? COLLATE NOCASE""",
            (source, handle),
        ).fetchone()
        return _author(row) if row else None

    def authors(self) -> list[AuthorRow]:
        """Every author with threads in the library, by name, with thread counts."""
        rows = self.conn.execute(
            """
            SELECT a.*, COUNT(t.id) AS threads, COALESCE(SUM(t.unread), 0) AS unread
            FROM authors a JOIN threads t ON t.author_key = a.key
            GROUP BY a.key
            ORDER BY lower(CASE WHEN a.display_name != '' THEN a.display_name ELSE a.handle END)
            """
        ).fetchall()
        return [AuthorRow(_author(row), row["threads"], row["unread"]) for row in rows]

    # Threads ---------------------------------------------------------------------------

    def save_thread(self, thread: Thread) -> None:
        """Write a thread and its posts in one transaction, keeping its read state."""

        def work(conn: sqlite3.Connection) -> None:
            self._upsert_author(conn, thread.author)
            conn.execute(
                """
                INSERT INTO threads (id, source, url, author_key, title, preview, created_at,
                                     fetched_at, post_count, ends_early)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    url = excluded.url, author_key = excluded.author_key,
                    title = excluded.title, preview = excluded.preview,
                    created_at = excluded.created_at, fetched_at = excluded.fetched_at,
                    post_count = excluded.post_count, ends_early = excluded.ends_early
                """,
                (
                    thread.id,
                    thread.source,
                    thread.url,
                    thread.author.key,
                    thread.title,
                    make_preview(thread.posts[0].text if thread.posts else ""),
                    thread.created_at,
                    thread.fetched_at,
                    len(thread.posts),
                    thread.ends_early,
                ),
            )
            conn.execute(
                "DELETE FROM post_search WHERE rowid IN "
                "(SELECT rowid FROM posts WHERE thread_id = ?)",
                (thread.id,),
            )
            conn.execute("DELETE FROM posts WHERE thread_id = ?", (thread.id,))
            names = f"{thread.author.display_name} {thread.author.handle}"
            for seq, post in enumerate(thread.posts):
                cursor = conn.execute(
                    """
                    INSERT INTO posts (thread_id, seq, post_id, url, created_at, text, links,
                                       media, quote)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    (
                        thread.id,
                        seq,
                        post.id,
                        post.url,
                        post.created_at,
                        post.text,
                        json.dumps(list(post.links)),
                        json.dumps(
                            [{"kind": m.kind, "url": m.url, "alt": m.alt} for m in post.media]
                        ),
                        json.dumps(
                            {
                                "url": post.quote.url,
                                "author": post.quote.author,
                                "text": post.quote.text,
                            }
                        )
                        if post.quote
                        else None,
                    ),
                )
                conn.execute(
                    "INSERT INTO post_search (rowid, text, author) VALUES (?, ?, ?)",
                    (cursor.lastrowid, post.text, names),
                )

        self._write(work)

    def thread(self, thread_id: str) -> Thread | None:
        """A thread with all its posts, or ``None``."""
        row = self.conn.execute(
            f"""SELECT {SUMMARY_COLUMNS} FROM threads t JOIN authors a ON a.key = t.author_key
                WHERE t.id = ?""",
            (thread_id,),
        ).fetchone()
        if row is None:
            return None
        posts = tuple(
            Post(
                id=post["post_id"],
                url=post["url"],
                created_at=post["created_at"],
                text=post["text"],
                links=tuple(json.loads(post["links"])),
                media=_media(post["media"]),
                quote=_quote(post["quote"]),
            )
            for post in self.conn.execute(
                "SELECT * FROM posts WHERE thread_id = ? ORDER BY seq", (thread_id,)
            )
        )
        return Thread(
            id=row["id"],
            source=row["t_source"],
            url=row["t_url"],
            author=_author(row),
            created_at=row["created_at"],
            posts=posts,
            fetched_at=row["fetched_at"],
            unread=bool(row["unread"]),
            ends_early=row["ends_early"],
        )

    def thread_id_for_post(self, post_id: str) -> str | None:
        """The thread that holds the post ``post_id``, if the library has it."""
        row = self.conn.execute(
            "SELECT thread_id FROM posts WHERE post_id = ? LIMIT 1", (post_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def threads(
        self, *, author_key: str | None = None, unread_only: bool = False
    ) -> list[ThreadSummary]:
        """Threads in the library, newest first, without their posts."""
        clauses: list[str] = []
        params: list[Any] = []
        if author_key is not None:
            clauses.append("t.author_key = ?")
            params.append(author_key)
        if unread_only:
            clauses.append("t.unread = 1")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(
            f"""SELECT {SUMMARY_COLUMNS} FROM threads t JOIN authors a ON a.key = t.author_key
                {where} ORDER BY t.created_at DESC, t.id""",
            params,
        ).fetchall()
        return [self._summary(row) for row in rows]

    def _summary(self, row: sqlite3.Row) -> ThreadSummary:
        return ThreadSummary(
            id=row["id"],
            source=row["t_source"],
            url=row["t_url"],
            title=row["title"],
            author=_author(row),
            created_at=row["created_at"],
            fetched_at=row["fetched_at"],
            post_count=row["post_count"],
            preview=row["preview"],
            unread=bool(row["unread"]),
        )

    # Read state -------------------------------------------------------------------------

    def set_unread(self, thread_ids: Iterable[str], unread: bool, when: str) -> None:
        """Mark threads read or unread."""
        self._write(
            lambda conn: conn.executemany(
                "UPDATE threads SET unread = ?, read_changed_at = ? WHERE id = ?",
                [(int(unread), when, thread_id) for thread_id in thread_ids],
            )
        )

    def position(self, thread_id: str) -> int:
        """The post index the reader was last at in a thread."""
        row = self.conn.execute(
            "SELECT position FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_position(self, thread_id: str, position: int) -> None:
        """Remember where the reader is in a thread."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE threads SET position = ? WHERE id = ?", (max(0, position), thread_id)
            )
        )
