"""The library on disk: one SQLite file (WAL, FTS5), the only module that writes SQL."""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from tui_reader.errors import ReaderError
from tui_reader.models import (
    Author,
    Media,
    Post,
    Quote,
    SourceName,
    Thread,
    ThreadSummary,
    preview_of,
    title_of,
)


class ForeignThread(ReaderError):
    """A save named a thread the library holds as another author's: it was not saved (the
    rest of the save was)."""


class StoreError(ReaderError):
    """The library file cannot be opened or is damaged."""


#: Posts a search takes from the top of the ranking for each row it must return, before
#: grouping them into threads; more are taken when those hold too few (see ``Store._search``).
SEARCH_POSTS_PER_ROW = 3
#: The schema that made the library compact (see ``_compact``).
COMPACT_SCHEMA = 5
#: How much of one post the search index holds (a long post is still kept whole).
MAX_INDEXED_CHARS = 20_000

#: Forward migrations, each an SQL script or a function of the connection (run inside the
#: migration's transaction); ``PRAGMA user_version`` is how many have run.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
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
    """
    CREATE TABLE follows (
        author_key TEXT PRIMARY KEY REFERENCES authors (key),
        followed_at TEXT NOT NULL
    );
    CREATE TABLE sync_state (
        author_key TEXT PRIMARY KEY REFERENCES authors (key),
        synced_at TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        watermark TEXT NOT NULL DEFAULT '',   -- newest feed time seen by a finished sync
        etag TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE threads ADD COLUMN is_new INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE posts ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
    """,
    """
    ALTER TABLE posts ADD COLUMN content_warning TEXT NOT NULL DEFAULT '';
    """,
    """
    ALTER TABLE threads ADD COLUMN fetched INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE http_cache (
        url TEXT PRIMARY KEY,
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        body BLOB NOT NULL,
        stored_at TEXT NOT NULL
    );
    """,
    lambda conn: _compact(conn),
    # Schema 6: posts are found by ID through their prefix (the author's part) first. An
    # author's posts then sit together in the index, so saving a sync of one author
    # writes a few of its pages; by record key first, every author's posts were spread
    # over all of them, and a first sync wrote 30 times the library's size to the disk.
    """
    DROP INDEX posts_by_id;
    CREATE INDEX posts_by_id ON posts (id_prefix, id_rest);
    """,
    # Schema 7: posts found by their web address where it does not end as their ID does
    # (Pleroma's and Akkoma's /notice/ID, whose IDs are /objects/UUID): a reference that
    # names only the server and the notice finds its thread without the network. Most
    # posts' addresses end as their IDs do (url_rest NULL) and are not in this index.
    """
    CREATE INDEX posts_by_address ON posts (url_prefix, url_rest) WHERE url_rest IS NOT NULL;
    """,
    # Schema 8: a thread whose first post has a content warning is titled (and previewed)
    # by its warning; the hidden text had become its title everywhere.
    lambda conn: _warned_titles(conn),
]


def _tomorrow() -> str:
    """A day from now, as the library writes times: later ones are a server's mistake."""
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _warned_titles(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT thread, content_warning FROM posts WHERE seq = 0 AND content_warning != ''"
    ).fetchall()
    for number, warning in rows:
        post = Post("", "", "", "", content_warning=warning)
        conn.execute(
            "UPDATE threads SET title = ?, preview = ? WHERE num = ?",
            (title_of(post), preview_of(post), number),
        )


#: Schema 5: threads get an integer key inside the file; posts keep their IDs and addresses
#: as a shared prefix (an author's "https://host/@user/") and the rest; the search index
#: reads its text from the posts instead of keeping a copy (FTS5 external content).
SCHEMA_5 = [
    """
    CREATE TABLE threads_v5 (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
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
        read_changed_at TEXT NOT NULL DEFAULT '',
        is_new INTEGER NOT NULL DEFAULT 0,
        fetched INTEGER NOT NULL DEFAULT 1,
        -- The author's names as its posts were indexed with them.
        search_names TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE TABLE prefixes (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
    """
    CREATE TABLE posts_v5 (
        thread INTEGER NOT NULL REFERENCES threads_v5 (num) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        id_prefix INTEGER NOT NULL REFERENCES prefixes (n),
        id_rest TEXT NOT NULL,
        url_prefix INTEGER NOT NULL REFERENCES prefixes (n),
        url_rest TEXT,                  -- NULL: the same as id_rest (as it mostly is)
        created_at TEXT NOT NULL,
        text TEXT NOT NULL,
        links TEXT,                     -- JSON lists; NULL when empty
        media TEXT,
        quote TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        content_warning TEXT NOT NULL DEFAULT ''
    )
    """,
]
_COUNT_IN = """
    INSERT INTO author_stats (author_key, threads, unread, new)
    VALUES ({row}.author_key, 1, {row}.unread, {row}.is_new)
    ON CONFLICT (author_key) DO UPDATE SET threads = threads + 1,
        unread = unread + {row}.unread, new = new + {row}.is_new
"""
_COUNT_OUT = """
    UPDATE author_stats SET threads = threads - 1, unread = unread - {row}.unread,
        new = new - {row}.is_new
    WHERE author_key = {row}.author_key
"""
SCHEMA_5_AFTER = [
    "CREATE INDEX threads_newest ON threads (created_at DESC, id)",
    "CREATE INDEX threads_of_author ON threads (author_key, created_at DESC, id)",
    "CREATE INDEX threads_unread ON threads (created_at DESC, id) WHERE unread = 1",
    "CREATE UNIQUE INDEX posts_place ON posts (thread, seq)",
    "CREATE INDEX posts_by_id ON posts (id_rest, id_prefix)",
    f"""
    CREATE VIEW post_search_source AS
    SELECT p.rowid AS post_rowid,
           substr(CASE WHEN p.content_warning != '' THEN p.content_warning || char(10) || p.text
                       ELSE p.text END, 1, {MAX_INDEXED_CHARS}) AS text,
           t.search_names AS author
    FROM posts p JOIN threads t ON t.num = p.thread
    """,
    """
    CREATE VIRTUAL TABLE post_search USING fts5 (
        text, author, content = 'post_search_source', content_rowid = 'post_rowid',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    # Each author's counts, kept by the threads table's triggers: the lists read them
    # without counting a library's threads on every reload.
    """
    CREATE TABLE author_stats (
        author_key TEXT PRIMARY KEY,
        threads INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    """
    INSERT INTO author_stats (author_key, threads, unread, new)
    SELECT author_key, COUNT(*), SUM(unread), SUM(is_new) FROM threads GROUP BY author_key
    """,
    f"""
    CREATE TRIGGER threads_counted AFTER INSERT ON threads BEGIN {_COUNT_IN.format(row="NEW")};
    END
    """,
    f"""
    CREATE TRIGGER threads_uncounted AFTER DELETE ON threads BEGIN {_COUNT_OUT.format(row="OLD")};
    END
    """,
    f"""
    CREATE TRIGGER threads_recounted AFTER UPDATE OF author_key, unread, is_new ON threads
    BEGIN {_COUNT_OUT.format(row="OLD")}; {_COUNT_IN.format(row="NEW")}; END
    """,
]


#: The thread holding a post, by the post's ID as a prefix and the rest (``split_key``).
THREAD_OF_POST = """
    SELECT t.id FROM posts p JOIN threads t ON t.num = p.thread
    WHERE p.id_prefix = (SELECT n FROM prefixes WHERE text = ?) AND p.id_rest = ? LIMIT 1
"""


#: The thread holding a post on a server (``:low`` <= prefix < ``:high``: every prefix of
#: that server's addresses) whose ID or web address ends with ``:rest``.
THREAD_OF_POST_ON_SERVER = """
    SELECT t.id FROM posts p JOIN threads t ON t.num = p.thread
    WHERE p.id_rest = :rest
      AND p.id_prefix IN (SELECT n FROM prefixes WHERE text >= :low AND text < :high)
    UNION ALL
    SELECT t.id FROM posts p JOIN threads t ON t.num = p.thread
    WHERE p.url_rest = :rest
      AND p.url_prefix IN (SELECT n FROM prefixes WHERE text >= :low AND text < :high)
    LIMIT 1
"""


def _as_phrase(query: str) -> str:
    """``query`` as one FTS5 phrase (for queries FTS5's syntax cannot parse)."""
    return '"' + query.replace('"', '""') + '"'


#: A thread's number inside the file, by its ID.
#: The page cache (Thread Reader App's pages, kept to revalidate them): one page is kept up
#: to this size, and all of them up to the next, the oldest going first.
MAX_CACHED_BODY = 4 * 1024 * 1024
MAX_CACHE_BYTES = 50 * 1024 * 1024

#: How long a call waits for a library another tui-reader is writing.
BUSY_TIMEOUT_MS = 10_000

REBUILD_INDEX = "INSERT INTO post_search (post_search) VALUES ('rebuild')"

THREAD_NUMBER = "SELECT num, author_key, fetched FROM threads WHERE id = ?"

#: A post's row, as ``Store._put_thread`` makes it.
INSERT_POST = """
    INSERT INTO posts (thread, seq, id_prefix, id_rest, url_prefix, url_rest, created_at, text,
                       links, media, quote, deleted, content_warning)
    VALUES (?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0), ?, ?)
"""


def split_key(value: str) -> tuple[str, str]:
    """``value`` as a prefix shared with its neighbours (up to the last ``/``) and the rest."""
    head, slash, rest = value.rpartition("/")
    return head + slash, rest


class _Prefixes:
    """Numbers for shared prefixes, within one write transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.known: dict[str, int] = {}

    def __call__(self, prefix: str) -> int:
        number = self.known.get(prefix)
        if number is None:
            self.conn.execute("INSERT OR IGNORE INTO prefixes (text) VALUES (?)", (prefix,))
            row = self.conn.execute("SELECT n FROM prefixes WHERE text = ?", (prefix,)).fetchone()
            number = self.known[prefix] = int(row[0])
        return number


def _marked_spans(marked: str) -> list[tuple[int, int]]:
    """The spans between \\x02 and \\x03 in ``marked``, as offsets of the unmarked text."""
    spans: list[tuple[int, int]] = []
    position = 0
    start = -1
    for char in marked:
        if char == "\x02":
            start = position
        elif char == "\x03":
            if start >= 0:
                spans.append((start, position))
            start = -1
        else:
            position += 1
    return spans


def _compact_post(row: sqlite3.Row, prefix: _Prefixes) -> tuple[Any, ...]:
    """One schema-4 post row as a schema-5 one."""
    id_prefix, id_rest = split_key(row["post_id"])
    url_prefix, url_rest = split_key(row["url"])
    return (
        row["num"],
        row["seq"],
        prefix(id_prefix),
        id_rest,
        prefix(url_prefix),
        None if url_rest == id_rest else url_rest,
        row["created_at"],
        row["text"],
        None if row["links"] == "[]" else row["links"],
        None if row["media"] == "[]" else row["media"],
        row["quote"],
        row["deleted"],
        row["content_warning"],
    )


def _compact(conn: sqlite3.Connection) -> None:
    """Schema 4 to 5, keeping every thread, post, read mark and position."""
    for statement in SCHEMA_5:
        conn.execute(statement)
    conn.execute(
        """
        INSERT INTO threads_v5 (id, source, url, author_key, title, preview, created_at,
            fetched_at, post_count, ends_early, unread, position, read_changed_at, is_new,
            fetched, search_names)
        SELECT t.id, t.source, t.url, t.author_key, t.title, t.preview, t.created_at,
            t.fetched_at, t.post_count, t.ends_early, t.unread, t.position, t.read_changed_at,
            t.is_new, t.fetched, COALESCE(a.display_name || ' ' || a.handle, '')
        FROM threads t LEFT JOIN authors a ON a.key = t.author_key
        ORDER BY t.rowid
        """
    )
    prefix = _Prefixes(conn)
    rows = conn.execute(
        """
        SELECT n.num, p.seq, p.post_id, p.url, p.created_at, p.text, p.links, p.media,
               p.quote, p.deleted, p.content_warning
        FROM posts p JOIN threads_v5 n ON n.id = p.thread_id ORDER BY p.rowid
        """
    )
    while batch := rows.fetchmany(2000):
        conn.executemany(
            """
            INSERT INTO posts_v5 (thread, seq, id_prefix, id_rest, url_prefix, url_rest,
                created_at, text, links, media, quote, deleted, content_warning)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [_compact_post(row, prefix) for row in batch],
        )
    for old in ("post_search", "posts", "threads"):
        conn.execute(f"DROP TABLE {old}")
    conn.execute("ALTER TABLE threads_v5 RENAME TO threads")
    conn.execute("ALTER TABLE posts_v5 RENAME TO posts")
    for statement in SCHEMA_5_AFTER:
        conn.execute(statement)
    conn.execute("INSERT INTO post_search (post_search) VALUES ('rebuild')")


@dataclass(frozen=True)
class AuthorRow:
    """An author in the library: thread counts, and follow and sync state."""

    author: Author
    threads: int
    unread: int
    new: int = 0
    followed: bool = False
    synced_at: str = ""
    error: str = ""


@dataclass(frozen=True)
class SyncState:
    """Where the last sync of an author got to."""

    synced_at: str = ""
    error: str = ""
    watermark: str = ""
    etag: str = ""


@dataclass(frozen=True)
class SearchHit:
    """A thread that matched a search, with its best-matching post."""

    thread: ThreadSummary
    post_id: str
    post_index: int
    #: The matching post's text around the match; matched words between \x02 and \x03
    #: ("" until asked for: see ``Store.snippets``).
    snippet: str
    #: The matching post's key in this library file (for ``Store.snippets``).
    post_rowid: int = 0


@dataclass(frozen=True)
class ReadMark:
    """A thread's read state, as exported and imported."""

    thread_id: str
    unread: bool
    position: int
    changed_at: str


def _author(row: sqlite3.Row, prefix: str = "") -> Author:
    return Author(
        source=row[f"{prefix}source"],
        id=row[f"{prefix}author_id"],
        handle=row[f"{prefix}handle"],
        display_name=row[f"{prefix}display_name"],
        url=row[f"{prefix}url"],
    )


#: A thread's posts with their IDs and addresses made whole again.
POST_COLUMNS = """
    p.rowid AS post_rowid, p.seq, ip.text || p.id_rest AS post_id,
    up.text || COALESCE(p.url_rest, p.id_rest) AS url, p.created_at, p.text,
    COALESCE(p.links, '[]') AS links, COALESCE(p.media, '[]') AS media, p.quote, p.deleted,
    p.content_warning
"""
POSTS_OF_THREAD = f"""
    SELECT {POST_COLUMNS} FROM posts p
    JOIN prefixes ip ON ip.n = p.id_prefix JOIN prefixes up ON up.n = p.url_prefix
    WHERE p.thread = ? ORDER BY p.seq
"""


def _post(row: sqlite3.Row) -> Post:
    return Post(
        id=row["post_id"],
        url=row["url"],
        created_at=row["created_at"],
        text=row["text"],
        links=tuple(json.loads(row["links"])),
        media=_media(row["media"]),
        quote=_quote(row["quote"]),
        deleted=bool(row["deleted"]),
        content_warning=row["content_warning"],
    )


def _keep_vanished(posts: list[Post], old: list[sqlite3.Row]) -> list[Post]:
    """``posts`` with every post of ``old`` they lack put back, marked deleted, right after
    the post it followed before. (Not by time: a post's own clock can be wrong.)
    """
    ids = [post.id for post in posts]
    fresh = set(ids)
    previous = ""
    for row in old:
        post_id = row["post_id"]
        if post_id not in fresh:
            at = ids.index(previous) + 1 if previous else 0
            posts.insert(at, replace(_post(row), deleted=True))
            ids.insert(at, post_id)
        previous = post_id
    return posts


def _media(data: str) -> tuple[Media, ...]:
    return tuple(Media.from_dict(item) for item in json.loads(data))


def _quote(data: str | None) -> Quote | None:
    if not data:
        return None
    return Quote.from_dict(json.loads(data))


#: SQLite's names for "this file or folder cannot be written".
READ_ONLY_ERRORS = frozenset({"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR"})


def _errorname(error: BaseException) -> str:
    """SQLite's primary error name (``SQLITE_IOERR`` for ``SQLITE_IOERR_WRITE``)."""
    return "_".join(str(getattr(error, "sqlite_errorname", "")).split("_")[:2])


#: The orders a list can be in: each a list of (column, descending), the thread ID last.
SORT_KEYS: dict[str, tuple[tuple[str, bool], ...]] = {
    "newest": (("t.created_at", True), ("t.id", False)),
    "longest": (("t.post_count", True), ("t.created_at", True), ("t.id", False)),
    "unread": (("t.unread", True), ("t.created_at", True), ("t.id", False)),
}


@dataclass(frozen=True)
class ThreadList:
    """Which threads a list shows, and in which order."""

    #: One author's (their library key), or everyone's.
    author_key: str | None = None
    unread_only: bool = False
    #: Leave out threads known only from a list ("not fetched").
    fetched_only: bool = False
    #: Words every listed thread's title holds (case ignored for ASCII letters).
    words: str = ""
    #: One of :data:`SORT_KEYS`.
    sort: str = "newest"

    @property
    def filtered(self) -> bool:
        """Whether the list leaves out more than the kept counts can tell."""
        return self.fetched_only or bool(self.words.split())

    def keys(self) -> tuple[tuple[str, bool], ...]:
        """The order's columns."""
        return SORT_KEYS.get(self.sort, SORT_KEYS["newest"])

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition (over ``threads t``) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.author_key is not None:
            clauses.append("t.author_key = ?")
            params.append(self.author_key)
        if self.unread_only:
            clauses.append("t.unread = 1")
        if self.fetched_only:
            clauses.append("t.fetched = 1")
        for word in self.words.split()[:10]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("t.title LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        return " AND ".join(clauses) or "1", params

    def order(self, *, backwards: bool = False) -> str:
        """The ORDER BY clause (reversed, ``backwards``)."""
        return ", ".join(
            f"{column} {'DESC' if descending != backwards else 'ASC'}"
            for column, descending in self.keys()
        )

    def before(self, values: tuple[Any, ...], *, after: bool = False) -> tuple[str, list[Any]]:
        """A condition true of the rows listed before a row whose order columns hold
        ``values`` (after it, with ``after``)."""
        keys = self.keys()
        alternatives: list[str] = []
        params: list[Any] = []
        for depth, (column, descending) in enumerate(keys):
            equal = [f"{keys[n][0]} = ?" for n in range(depth)]
            comes_first = ">" if descending != after else "<"
            alternatives.append(" AND ".join([*equal, f"{column} {comes_first} ?"]))
            params += [*values[:depth], values[depth]]
        return " OR ".join(f"({a})" for a in alternatives), params


SUMMARY_COLUMNS = """
    t.num, t.id, t.source AS t_source, t.url AS t_url, t.title, t.preview, t.created_at,
    t.fetched_at, t.post_count, t.unread, t.ends_early, t.position, t.is_new, t.fetched,
    a.source, a.author_id, a.handle, a.display_name, a.url
"""


_Class = TypeVar("_Class", bound=type)


def _reported(cls: _Class) -> _Class:
    """``cls`` with each public method raising ``StoreError`` (one line for the user) where
    SQLite raised its own error: a library damaged, or its disk gone, while the reader runs
    must not end it with a traceback. Errors a method deals with itself (a query FTS5 cannot
    parse is asked again as a phrase) never get this far."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _reporting(member))
    return cls


def _reporting(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def reporting(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise StoreError(self._read_failure(error)) from None

    return reporting


@_reported
class Store:
    """A library file: open it, read and write threads, close it.

    Each call is a short transaction, so two running copies of tui-reader can share the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        #: True when the file could only be opened for reading (a read-only folder or disk).
        self.read_only = False
        #: Something the user should be told about the file (it was damaged and moved aside,
        #: or it can only be read); "" when all is well.
        self.notice = ""
        try:
            self._open()
        except sqlite3.DatabaseError as error:
            if _errorname(error) in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                self._start_afresh()
            elif _errorname(error) in READ_ONLY_ERRORS and path.is_file():
                self._open_read_only(error)
            else:
                raise StoreError(f"cannot open the library at {path}: {error}") from None
        except OSError as error:
            if not path.is_file():
                raise StoreError(f"cannot create the library at {path}: {error.strerror}") from None
            self._open_read_only(error)

    def _connect(self, target: str | Path, *, uri: bool = False) -> None:
        # Autocommit mode: transactions are opened explicitly where writes must be atomic.
        self.conn = sqlite3.connect(
            target, timeout=10.0, isolation_level=None, check_same_thread=False, uri=uri
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connect(self.path)
        try:
            self.conn.execute("PRAGMA journal_mode = WAL")
            # With WAL, NORMAL never corrupts the file; a power cut may lose the last few
            # saves, which the next sync fetches again. FULL syncs the disk on every thread.
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except BaseException:
            self.conn.close()
            raise

    def _start_afresh(self) -> None:
        """Move a damaged file aside under a dated name (never delete it) and start anew."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = self.path.with_name(self.path.name + suffix)
                if part.exists():
                    part.rename(aside.with_name(aside.name + suffix))
            self._open()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(
                f"the library at {self.path} is damaged and could not be moved aside: {error}"
            ) from None
        self.notice = (
            f"the library at {self.path} was damaged; it was moved to {aside} "
            "and a new, empty library was started"
        )

    def _open_read_only(self, why: BaseException) -> None:
        """Open the file for reading only, for a folder or disk that cannot be written."""
        reason = getattr(why, "strerror", None) or str(why)
        location = quote(str(self.path.resolve()))
        last: sqlite3.Error | None = None
        # "immutable" too: in a read-only folder SQLite cannot even make its shared-memory
        # file, and nothing can change the file there anyway.
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                self._connect(f"file:{location}?{query}", uri=True)
                version = self.schema_version
            except sqlite3.Error as error:
                last = error
                continue
            if version != len(MIGRATIONS):
                self.conn.close()
                raise StoreError(
                    f"the library at {self.path} needs an upgrade but cannot be written: {reason}"
                )
            self.read_only = True
            self.notice = (
                f"the library at {self.path} cannot be written ({reason}); "
                "it is open for reading only"
            )
            return
        raise StoreError(f"cannot open the library at {self.path}: {last}")

    def close(self) -> None:
        """Close the file."""
        self.conn.close()

    @contextlib.contextmanager
    def patience(self, milliseconds: int) -> Iterator[None]:
        """Wait at most ``milliseconds`` for a library another process is writing, inside
        the block (ten seconds otherwise)."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

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
            # One transaction per step, version bump included: a step lands whole or not at all.
            step = MIGRATIONS[number]
            try:
                if isinstance(step, str):
                    self.conn.executescript(
                        f"BEGIN IMMEDIATE; {step}; PRAGMA user_version = {number + 1}; COMMIT;"
                    )
                else:
                    self.conn.execute("BEGIN IMMEDIATE")
                    step(self.conn)
                    self.conn.execute(f"PRAGMA user_version = {number + 1}")
                    self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        if 0 < version < COMPACT_SCHEMA <= len(MIGRATIONS):
            # Give the space the old layout took back to the disk (once, after upgrading).
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("VACUUM")

    def _write(
        self, work: Callable[[sqlite3.Connection], Any], *, references_made_here: bool = False
    ) -> Any:
        """Run ``work`` in one write transaction: all of it lands, or none.

        ``references_made_here``: every row ``work`` writes refers only to rows it has itself
        written or read in the transaction, so SQLite's foreign-key checks (a lookup for each
        reference, three a post) could never fail and are left out for it.
        """
        if self.read_only:
            raise StoreError(f"{self.notice}: nothing can be saved")
        if references_made_here:
            # Only outside a transaction does this pragma take effect; it is put back below.
            self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise StoreError(self._write_failure(error)) from None
            try:
                result = work(self.conn)
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                # SQLite may have rolled back already (a full disk does): only roll back what
                # is still open, and report the first failure, not the rollback's.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise StoreError(self._write_failure(error)) from None
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        finally:
            if references_made_here:
                self.conn.execute("PRAGMA foreign_keys = ON")
        return result

    def _read_failure(self, error: sqlite3.Error) -> str:
        if _errorname(error) in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return f"the library at {self.path} is busy (another tui-reader is writing)"
        return f"the library at {self.path} could not be read: {error}"

    def _write_failure(self, error: sqlite3.Error) -> str:
        name = _errorname(error)
        if name == "SQLITE_FULL":
            return f"the library at {self.path} could not be saved: the disk is full"
        if name in READ_ONLY_ERRORS:
            return f"the library at {self.path} could not be saved: it cannot be written"
        if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return f"the library at {self.path} is busy (another tui-reader is writing)"
        return f"the library at {self.path} could not be saved: {error}"

    # Authors ---------------------------------------------------------------------------

    def _upsert_author(self, conn: sqlite3.Connection, author: Author) -> None:
        conn.execute(
            """
            INSERT INTO authors (key, source, author_id, handle, display_name, url)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                handle = excluded.handle,
                -- Nor does a server that names an author it is not the home of (its address
                -- alone is taken): the known profile address stays.
                url = CASE WHEN excluded.url != '' THEN excluded.url ELSE authors.url END,
                -- A list that names an author without their name (a "More from" card, an old
                -- saved page) does not erase the name the library knows.
                display_name = CASE WHEN excluded.display_name != ''
                    THEN excluded.display_name ELSE authors.display_name END
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

    def authors_with_handle(self, handle: str) -> list[Author]:
        """Every author, of any source, last seen with ``handle`` (at most a few)."""
        rows = self.conn.execute(
            "SELECT * FROM authors WHERE handle = ? COLLATE NOCASE ORDER BY key LIMIT 10",
            (handle,),
        ).fetchall()
        return [_author(row) for row in rows]

    def authors(self) -> list[AuthorRow]:
        """Followed authors, then every other author with threads, by name, with counts."""
        rows = self.conn.execute(
            """
            SELECT a.*, COALESCE(st.threads, 0) AS threads, COALESCE(st.unread, 0) AS unread,
                   COALESCE(st.new, 0) AS new, f.author_key IS NOT NULL AS followed,
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
                _author(row),
                row["threads"],
                row["unread"],
                row["new"],
                bool(row["followed"]),
                row["synced_at"],
                row["error"],
            )
            for row in rows
        ]

    # Follows and sync state -------------------------------------------------------------

    def follow(self, author: Author, when: str) -> bool:
        """Follow ``author``; ``False`` if it was followed already."""

        def work(conn: sqlite3.Connection) -> bool:
            self._upsert_author(conn, author)
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
        return [_author(row) for row in rows]

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

    def save_thread(self, thread: Thread, *, mark_new: bool = False) -> None:
        """Write a thread and its posts in one transaction, keeping its read state.

        Posts the library had that are missing from ``thread`` are kept, marked deleted.
        ``mark_new`` flags the thread as new and unread (a sync brought or grew it).
        """
        self.save_threads([(thread, mark_new)])

    def save_threads(self, threads: Iterable[tuple[Thread, bool]]) -> None:
        """Write threads as ``save_thread`` does, each with its ``mark_new``, all in one
        transaction: a sync saves an author's threads together (the search index is
        updated once for them, not once a thread). A thread given twice is saved as its
        last version, flagged new if either asked for it."""
        # The posts are written after all the threads' rows, so a thread must come once.
        latest: dict[str, tuple[Thread, bool]] = {}
        for thread, mark_new in threads:
            earlier = latest.get(thread.id)
            latest[thread.id] = (thread, mark_new or (earlier is not None and earlier[1]))
        chosen = list(latest.values())
        if not chosen:
            return
        refused: list[tuple[Thread, str]] = []
        horizon = _tomorrow()  # later dates are a server's mistake (see _put_thread)

        def work(conn: sqlite3.Connection) -> None:
            # An author's threads share their prefixes and their author: each is looked up
            # or written once per save, not once per thread.
            prefix = _Prefixes(conn)
            authors: set[Author] = set()
            rows: list[tuple[Any, ...]] = []
            found = []
            for thread, mark_new in chosen:
                row = conn.execute(THREAD_NUMBER, (thread.id,)).fetchone()
                if row is not None and row[2] and row[1] != thread.author.key:
                    # A page or server that names another author's thread as its author's:
                    # nothing a person read is replaced by another author's text.
                    refused.append((thread, str(row[1])))
                    continue
                found.append((thread, mark_new, row))
            known = [int(row[0]) for _, _, row in found if row]
            old = {number: conn.execute(POSTS_OF_THREAD, (number,)).fetchall() for number in known}
            # Each statement that writes to the index adds a segment to it, to be merged
            # later: the known threads' posts leave it in one (a statement per 500 threads,
            # within any SQLite's limit on parameters). It reads their text and the names
            # they were indexed with, so this comes before the rows change.
            for start in range(0, len(known), 500):
                chunk = known[start : start + 500]
                marks = ",".join("?" * len(chunk))
                conn.execute(
                    "INSERT INTO post_search (post_search, rowid, text, author) "
                    "SELECT 'delete', s.post_rowid, s.text, s.author FROM post_search_source s "
                    f"JOIN posts p ON p.rowid = s.post_rowid WHERE p.thread IN ({marks})",
                    chunk,
                )
                conn.execute(f"DELETE FROM posts WHERE thread IN ({marks})", chunk)
            for thread, mark_new, row in found:
                if thread.author not in authors:
                    self._upsert_author(conn, thread.author)
                    authors.add(thread.author)
                number = int(row[0]) if row else None
                posts = _keep_vanished(list(thread.posts), old[number] if number else [])
                rows += self._put_thread(conn, thread, posts, number, mark_new, prefix, horizon)
            # Every thread's posts in one statement, then into the index in another: SQLite
            # numbers new rows after the highest one there is (old posts of grown threads
            # are gone by now), so the new rows are exactly those numbered past it.
            last = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM posts").fetchone()[0]
            conn.executemany(INSERT_POST, rows)
            # One huge post must not make every search for a common word slow: the index
            # takes at most MAX_INDEXED_CHARS of it (the view cuts it).
            conn.execute(
                "INSERT INTO post_search (rowid, text, author) "
                "SELECT post_rowid, text, author FROM post_search_source WHERE post_rowid > ?",
                (last,),
            )

        # Each thread's author, each post's thread and prefixes are written or looked up
        # just before the rows that name them: the checks cost 3 lookups a post (2% of a
        # sync) and could not fail. Tests run PRAGMA foreign_key_check after saves.
        self._write(work, references_made_here=True)
        if refused:
            thread, owner_key = refused[0]
            owner = self.author(owner_key)
            named = f"@{owner.handle}" if owner else owner_key
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise ForeignThread(
                f"refused: {thread.id} is {named}'s thread in the library, and this copy says "
                f"it is @{thread.author.handle}'s; {named}'s copy is kept{more}"
            )

    def _put_thread(
        self,
        conn: sqlite3.Connection,
        thread: Thread,
        posts: list[Post],
        known: int | None,
        mark_new: bool,
        prefix: _Prefixes,
        horizon: str,
    ) -> list[tuple[Any, ...]]:
        """Write the row of ``thread`` (numbered ``known`` if the library has it; its old
        posts are gone by now) and return the rows of ``posts``, for ``INSERT_POST``."""
        names = f"{thread.author.display_name} {thread.author.handle}"
        created, ends_early = thread.created_at, thread.ends_early
        if created > horizon:
            # A date past tomorrow (a wrong clock, or a lie) would sort the thread first for
            # ever: it is listed as of its fetch, and the view says what its server claimed.
            claimed = f"its server dates it {created[:10]}, in the future"
            created = thread.fetched_at or created
            ends_early = f"{ends_early}; {claimed}" if ends_early else claimed
        values = (
            thread.url,
            thread.author.key,
            thread.title,
            preview_of(posts[0]) if posts else "",
            created,
            thread.fetched_at,
            len(posts),
            ends_early,
            names,
        )
        # Whether the thread is known was asked above: a plain INSERT or UPDATE, not an
        # upsert returning the row's number, which took twice as long (a sync writes
        # thousands of threads).
        if known is not None:
            number = known
            conn.execute(
                """
                UPDATE threads SET url = ?, author_key = ?, title = ?, preview = ?,
                    created_at = ?, fetched_at = ?, post_count = ?, ends_early = ?,
                    search_names = ?, fetched = 1,
                    unread = CASE WHEN ? OR fetched = 0 THEN 1 ELSE unread END,
                    is_new = CASE WHEN ? THEN 1 ELSE is_new END
                WHERE num = ?
                """,
                (*values, int(mark_new), int(mark_new), number),
            )
        else:
            cursor = conn.execute(
                """
                INSERT INTO threads (url, author_key, title, preview, created_at, fetched_at,
                                     post_count, ends_early, search_names, id, source,
                                     unread, is_new)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                """,
                (*values, thread.id, thread.source, int(mark_new)),
            )
            if cursor.lastrowid is None:  # never after an INSERT; the posts need the number
                raise sqlite3.DatabaseError(f"the thread {thread.id} was written without a key")
            number = cursor.lastrowid
        # Python's sqlite3 "adapts" every parameter that is not exactly an int, float, str
        # or bytes, None included: it looks for adapter attributes, raising (and formatting)
        # an AttributeError on the way, about 1,000 instructions a parameter, and most
        # posts have four NULLs (5% of a sync's CPU). So NULL is bound as 0 (never a value
        # of these text columns) and NULLIF turns it back into NULL.
        rows = []
        numbered = prefix.known
        for seq, post in enumerate(posts):
            # split_key and the prefix cache, written out: this runs for every post a sync
            # saves.
            head, slash, id_rest = post.id.rpartition("/")
            id_prefix = numbered.get(head + slash) or prefix(head + slash)
            head, slash, url_rest = post.url.rpartition("/")
            url_prefix = numbered.get(head + slash) or prefix(head + slash)
            rows.append(
                (
                    number,
                    seq,
                    id_prefix,
                    id_rest,
                    url_prefix,
                    0 if url_rest == id_rest else url_rest,
                    post.created_at,
                    post.text,
                    json.dumps(list(post.links)) if post.links else 0,
                    json.dumps([media.as_dict() for media in post.media]) if post.media else 0,
                    json.dumps(post.quote.as_dict()) if post.quote else 0,
                    int(post.deleted),
                    post.content_warning,
                )
            )
        return rows

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

        def work(conn: sqlite3.Connection) -> int:
            added = 0
            for summary in listed:
                # A list names an author in passing: a new one is remembered, a known one is
                # never renamed by it (a "More from" card can say anything).
                conn.execute(
                    """
                    INSERT OR IGNORE INTO authors (key, source, author_id, handle, display_name,
                                                  url)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    (
                        summary.author.key,
                        summary.author.source,
                        summary.author.id,
                        summary.author.handle,
                        summary.author.display_name,
                        summary.author.url,
                    ),
                )
                cursor = conn.execute(
                    """
                    INSERT OR IGNORE INTO threads (id, source, url, author_key, title, preview,
                        created_at, fetched_at, post_count, fetched, unread)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
                    """,
                    (
                        summary.id,
                        summary.source,
                        summary.url,
                        summary.author.key,
                        summary.title,
                        summary.preview,
                        summary.created_at,
                        summary.fetched_at,
                        summary.post_count,
                    ),
                )
                added += cursor.rowcount > 0
            return added

        return int(self._write(work) or 0)

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
        return self._summary(row) if row else None

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
        posts = tuple(_post(post) for post in self.conn.execute(POSTS_OF_THREAD, (row["num"],)))
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
        return [self._summary(row) for row in rows]

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
        return self._summary(row) if row else None

    def mark_read(self, view: ThreadList, when: str) -> list[tuple[str, bool]]:
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
                "UPDATE threads SET unread = 0, is_new = 0, read_changed_at = ? WHERE id = ?",
                [(when, thread_id) for thread_id, _ in marked],
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
            is_new=bool(row["is_new"]),
            fetched=bool(row["fetched"]),
            position=int(row["position"]),
            number=int(row["num"]),
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
            hits = self._search(query, author_key, limit, per_thread)
        except sqlite3.OperationalError:
            query = _as_phrase(query)
            hits = self._search(query, author_key, limit, per_thread)
        if not hits and self._index_lost():
            # "Nothing matches" from an index that lost its terms would be a lie: it is
            # rebuilt from the posts (once), and asked again.
            self._write(lambda conn: conn.execute(REBUILD_INDEX))
            self.notice = "the library's search index was damaged; it has been rebuilt"
            hits = self._search(query, author_key, limit, per_thread)
        return self._with_snippets(query, hits) if snippets else hits

    def _index_lost(self) -> bool:
        """Whether the search index has lost its terms while the library has posts (two
        one-row lookups: asked only when a search found nothing)."""
        has_posts = self.conn.execute("SELECT 1 FROM posts LIMIT 1").fetchone() is not None
        if not has_posts:
            return False
        return self.conn.execute("SELECT 1 FROM post_search_idx LIMIT 1").fetchone() is None

    def snippets(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        """``hits`` (from ``search`` with this ``query``) with their words in context."""
        try:
            return self._with_snippets(query, hits)
        except sqlite3.OperationalError:
            return self._with_snippets(_as_phrase(query), hits)

    def _search(
        self, query: str, author_key: str | None, limit: int, per_thread: int
    ) -> list[SearchHit]:
        where = "WHERE t.author_key = ?" if author_key else ""
        # Rank inside FTS5 and take the best posts only: the rows are exact whenever the
        # best ``best`` posts hold ``limit`` of them (no post outside those can come before
        # a post inside); otherwise look further (all matches, at the end). bm25() is named
        # rather than sorting by FTS5's ``rank`` column: the same order, a quarter faster.
        # Threads and authors are joined for the chosen rows only.
        best = SEARCH_POSTS_PER_ROW * limit
        while True:
            params: list[Any] = [query, best, *([author_key] if author_key else [])]
            rows = self.conn.execute(
                f"""
                WITH hits AS (
                    SELECT rowid, bm25(post_search) AS rank FROM post_search
                    WHERE post_search MATCH ? ORDER BY rank LIMIT ?
                ), ranked AS (
                    SELECT p.rowid AS post_rowid, p.thread, p.id_prefix, p.id_rest, p.seq,
                           h.rank,
                           row_number() OVER (PARTITION BY p.thread ORDER BY h.rank) AS n
                    FROM hits h JOIN posts p ON p.rowid = h.rowid
                    {"JOIN threads t ON t.num = p.thread " + where if author_key else ""}
                ), chosen AS (
                    SELECT * FROM ranked WHERE n <= ? ORDER BY rank LIMIT ?
                )
                SELECT {SUMMARY_COLUMNS}, ip.text || r.id_rest AS hit_post, r.seq AS hit_seq,
                       r.post_rowid AS hit_rowid
                FROM chosen r
                JOIN threads t ON t.num = r.thread
                JOIN prefixes ip ON ip.n = r.id_prefix
                JOIN authors a ON a.key = t.author_key
                ORDER BY r.rank
                """,
                [*params, max(1, per_thread), limit],
            ).fetchall()
            if len(rows) >= limit or not self._more_matches(query, best):
                break
            best *= 8
        return [
            SearchHit(self._summary(row), row["hit_post"], row["hit_seq"], "", row["hit_rowid"])
            for row in rows
        ]

    def _with_snippets(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        # One query for the rows asked for: making one for every matching post of a common
        # word is what made such searches slow.
        wanted = [hit.post_rowid for hit in hits if not hit.snippet]
        if not wanted:
            return hits
        marks = ",".join("?" * len(wanted))
        found = dict(
            self.conn.execute(
                f"""
                SELECT rowid, snippet(post_search, 0, char(2), char(3), '…', 16)
                FROM post_search WHERE post_search MATCH ? AND rowid IN ({marks})
                """,
                (query, *wanted),
            ).fetchall()
        )
        return [
            hit if hit.snippet else replace(hit, snippet=str(found.get(hit.post_rowid, "")))
            for hit in hits
        ]

    def _more_matches(self, query: str, than: int) -> bool:
        """Whether more than ``than`` posts match ``query``."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM post_search WHERE post_search MATCH ? LIMIT ?)",
            (query, than + 1),
        ).fetchone()
        return int(row[0]) > than

    def match_spans(self, thread_id: str, query: str) -> dict[int, list[tuple[int, int]]]:
        """Where ``query`` matches each post of a thread, as character spans of the post's
        text, by post index: the search index's own idea of a match (its accent folding,
        prefixes and phrases), so the reader highlights what search found."""
        try:
            return self._match_spans(thread_id, query)
        except sqlite3.OperationalError:
            return self._match_spans(thread_id, _as_phrase(query))

    def _match_spans(self, thread_id: str, query: str) -> dict[int, list[tuple[int, int]]]:
        first, last, number = self.conn.execute(
            "SELECT MIN(p.rowid), MAX(p.rowid), t.num FROM threads t "
            "JOIN posts p ON p.thread = t.num WHERE t.id = ?",
            (thread_id,),
        ).fetchone()
        if number is None:
            return {}
        found: dict[int, list[tuple[int, int]]] = {}
        # A thread's posts are written together, so their keys are one run: FTS5 searches
        # that range in one step (a list of 1,000 keys was 1,000 lookups, 0.1 s).
        for row in self.conn.execute(
            """
            SELECT p.seq, p.content_warning, highlight(post_search, 0, char(2), char(3))
            FROM post_search JOIN posts p ON p.rowid = post_search.rowid
            WHERE post_search MATCH ? AND post_search.rowid BETWEEN ? AND ? AND p.thread = ?
            """,
            (query, first, last, number),
        ):
            # The index holds the warning, a newline, then the text (see post_search_source).
            skip = len(row[1]) + 1 if row[1] else 0
            spans = [
                (start - skip, end - skip) for start, end in _marked_spans(row[2]) if start >= skip
            ]
            if spans:
                found[int(row[0])] = spans
        return found

    # Read state -------------------------------------------------------------------------

    def set_unread(self, thread_ids: Iterable[str], unread: bool, when: str) -> None:
        """Mark threads read or unread."""
        self._write(
            lambda conn: conn.executemany(
                "UPDATE threads SET unread = ?, is_new = is_new AND ?, read_changed_at = ? "
                "WHERE id = ?",
                [(int(unread), int(unread), when, thread_id) for thread_id in thread_ids],
            )
        )

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
                    applied += 1
            return applied, missing

        result: tuple[int, int] = self._write(work)
        return result
