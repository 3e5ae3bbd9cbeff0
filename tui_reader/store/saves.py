"""Writing threads: each save is one transaction that keeps what the library had (read
state, deleted posts, another author's thread) and updates the search index once."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tui_reader.models import Author, Post, Thread, ThreadSummary, preview_of
from tui_reader.store.rows import POSTS_OF_THREAD, post_of
from tui_reader.store.schema import Prefixes

#: A thread's number inside the file, its author and whether it was fetched, by its ID.
THREAD_NUMBER = "SELECT num, author_key, fetched FROM threads WHERE id = ?"

#: A post's row, as ``put_thread`` makes it.
INSERT_POST = """
    INSERT INTO posts (thread, seq, id_prefix, id_rest, url_prefix, url_rest, created_at, text,
                       links, media, quote, deleted, content_warning)
    VALUES (?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0), ?, ?)
"""


def tomorrow() -> str:
    """A day from now, as the library writes times: later ones are a server's mistake."""
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def upsert_author(conn: sqlite3.Connection, author: Author) -> None:
    """Write ``author``, keeping the name and address the library knows where the new copy
    lacks them."""
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


def keep_vanished(posts: list[Post], old: list[sqlite3.Row]) -> list[Post]:
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
            posts.insert(at, replace(post_of(row), deleted=True))
            ids.insert(at, post_id)
        previous = post_id
    return posts


def write_threads(
    conn: sqlite3.Connection, chosen: list[tuple[Thread, bool]], horizon: str
) -> list[tuple[Thread, str]]:
    """Write ``chosen`` (each thread once, with its ``mark_new``) inside the caller's
    transaction; returns the threads refused, each with the key of the author the library
    holds it as."""
    refused: list[tuple[Thread, str]] = []
    # An author's threads share their prefixes and their author: each is looked up
    # or written once per save, not once per thread.
    prefix = Prefixes(conn)
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
            upsert_author(conn, thread.author)
            authors.add(thread.author)
        number = int(row[0]) if row else None
        posts = keep_vanished(list(thread.posts), old[number] if number else [])
        rows += put_thread(conn, thread, posts, number, mark_new, prefix, horizon)
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
    return refused


def put_thread(
    conn: sqlite3.Connection,
    thread: Thread,
    posts: list[Post],
    known: int | None,
    mark_new: bool,
    prefix: Prefixes,
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


def write_summaries(conn: sqlite3.Connection, listed: list[ThreadSummary]) -> int:
    """Write threads known only from a list, inside the caller's transaction (never over a
    thread the library has); how many were new."""
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
