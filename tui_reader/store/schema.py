"""The library file's layout as history: every migration, in order, never edited once
released (a library written by any earlier tui-reader upgrades through them), and the key
helpers they share with the saves."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from tui_reader.models import Post, preview_of, title_of

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
    # Schema 9: images kept beside the library, by their address: the file's facts, or why
    # it was refused (for good) or failed (tried again at the next refresh).
    """
    CREATE TABLE IF NOT EXISTS media (
        url TEXT PRIMARY KEY,
        state TEXT NOT NULL,              -- 'kept', 'refused' or 'failed'
        sha256 TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL DEFAULT '',
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        file TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        tried_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS media_by_hash ON media (sha256) WHERE sha256 != '';
    """,
    # Schema 10: threads that live. What the reader last saw of each thread (when, and how
    # many posts were added, edited or deleted upstream since), each post's history (added
    # by a refresh, edited, deleted: when the library noticed; its earlier texts), a log
    # of the library's changes, watched threads, and small named marks ("changes seen").
    lambda conn: _living_threads(conn),
]

#: Schema 10's tables and columns (run by ``_living_threads``).
SCHEMA_10 = [
    "ALTER TABLE threads ADD COLUMN last_read_at TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE threads ADD COLUMN grown INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE threads ADD COLUMN edited INTEGER NOT NULL DEFAULT 0",
    # NULL for nearly every post (as first fetched): a few bytes, not 60, for each.
    "ALTER TABLE posts ADD COLUMN added_at TEXT",
    "ALTER TABLE posts ADD COLUMN edited_at TEXT",
    "ALTER TABLE posts ADD COLUMN changed_at TEXT",
    """
    CREATE TABLE IF NOT EXISTS post_versions (
        thread INTEGER NOT NULL REFERENCES threads (num) ON DELETE CASCADE,
        post_id TEXT NOT NULL,
        text TEXT NOT NULL,
        content_warning TEXT NOT NULL DEFAULT '',
        seen_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS post_versions_of ON post_versions (thread, post_id)",
    """
    CREATE TABLE IF NOT EXISTS changes (
        n INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        thread INTEGER NOT NULL REFERENCES threads (num) ON DELETE CASCADE,
        kind TEXT NOT NULL,               -- 'new', 'grew', 'edited' or 'deleted'
        post_id TEXT NOT NULL DEFAULT '',
        seq INTEGER NOT NULL DEFAULT 0,   -- where in the thread it happened
        count INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX IF NOT EXISTS changes_of_thread ON changes (thread)",
    "CREATE INDEX IF NOT EXISTS changes_at ON changes (at)",
    """
    CREATE TABLE IF NOT EXISTS watches (
        thread INTEGER PRIMARY KEY REFERENCES threads (num) ON DELETE CASCADE,
        since TEXT NOT NULL,
        changed_at TEXT NOT NULL,         -- the last change seen (watching ends after a while)
        tag TEXT NOT NULL DEFAULT ''      -- the source's validator for a one-request check
    )
    """,
    "CREATE TABLE IF NOT EXISTS marks (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "ALTER TABLE author_stats ADD COLUMN grown INTEGER NOT NULL DEFAULT 0",
    # A thread read before this schema was read when its mark last changed.
    """
    UPDATE threads SET last_read_at =
        CASE WHEN read_changed_at != '' THEN read_changed_at ELSE fetched_at END
    WHERE fetched = 1 AND (unread = 0 OR position > 0)
    """,
    "DROP TRIGGER IF EXISTS threads_counted",
    "DROP TRIGGER IF EXISTS threads_uncounted",
    "DROP TRIGGER IF EXISTS threads_recounted",
]
_COUNT_IN_10 = """
    INSERT INTO author_stats (author_key, threads, unread, new, grown)
    VALUES ({row}.author_key, 1, {row}.unread, {row}.is_new, {row}.grown > 0)
    ON CONFLICT (author_key) DO UPDATE SET threads = threads + 1,
        unread = unread + {row}.unread, new = new + {row}.is_new,
        grown = grown + ({row}.grown > 0)
"""
_COUNT_OUT_10 = """
    UPDATE author_stats SET threads = threads - 1, unread = unread - {row}.unread,
        new = new - {row}.is_new, grown = grown - ({row}.grown > 0)
    WHERE author_key = {row}.author_key
"""
SCHEMA_10_TRIGGERS = [
    f"""
    CREATE TRIGGER threads_counted AFTER INSERT ON threads
    BEGIN {_COUNT_IN_10.format(row="NEW")}; END
    """,
    f"""
    CREATE TRIGGER threads_uncounted AFTER DELETE ON threads
    BEGIN {_COUNT_OUT_10.format(row="OLD")}; END
    """,
    f"""
    CREATE TRIGGER threads_recounted AFTER UPDATE OF author_key, unread, is_new, grown ON threads
    BEGIN {_COUNT_OUT_10.format(row="OLD")}; {_COUNT_IN_10.format(row="NEW")}; END
    """,
]


def _living_threads(conn: sqlite3.Connection) -> None:
    # A file whose version was set back (by hand, or a test) has these already.
    columns = {
        (table, row[1])
        for table in ("threads", "posts", "author_stats")
        for row in conn.execute(f"PRAGMA table_info({table})")
    }
    for statement in SCHEMA_10 + SCHEMA_10_TRIGGERS:
        words = statement.split()
        if words[:3] == ["ALTER", "TABLE", words[2]] and (words[2], words[5]) in columns:
            continue
        conn.execute(statement)


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


def split_key(value: str) -> tuple[str, str]:
    """``value`` as a prefix shared with its neighbours (up to the last ``/``) and the rest."""
    head, slash, rest = value.rpartition("/")
    return head + slash, rest


class Prefixes:
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


def _compact_post(row: sqlite3.Row, prefix: Prefixes) -> tuple[Any, ...]:
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
    prefix = Prefixes(conn)
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
