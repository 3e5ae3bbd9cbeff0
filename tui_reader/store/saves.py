"""Writing threads: each save is one transaction that keeps what the library had (read
state, deleted posts, another author's thread) and updates the search index once."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tui_reader.limits import MAX_VERSIONS
from tui_reader.models import Author, Post, Thread, ThreadSummary, preview_of
from tui_reader.store.rows import POSTS_OF_THREAD, post_of
from tui_reader.store.schema import Prefixes

#: A thread's number inside the file, its author and whether it was fetched, by its ID.
THREAD_NUMBER = "SELECT num, author_key, fetched FROM threads WHERE id = ?"

#: What the changes log says happened to a thread (see ``compare``).
LOG_CHANGE = "INSERT INTO changes (at, thread, kind, post_id, seq, count) VALUES (?, ?, ?, ?, ?, ?)"

#: A post's row, as ``put_thread`` makes it.
INSERT_POST = """
    INSERT INTO posts (thread, seq, id_prefix, id_rest, url_prefix, url_rest, created_at, text,
                       links, media, quote, deleted, content_warning, added_at, edited_at,
                       changed_at)
    VALUES (?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0), ?, ?,
            NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''))
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


@dataclass
class Saved:
    """What one save changed in a thread the library had (nothing, for a new one)."""

    new: bool = False
    added: int = 0
    edited: int = 0
    deleted: int = 0
    #: Posts whose server reports an edit the library had not seen (their history is read).
    edited_upstream: list[str] = field(default_factory=list)
    #: What is worth saying about it (an edit history cut short), one line each.
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the thread is new, grew, or had posts edited or deleted."""
        return self.new or bool(self.added or self.edited or self.deleted)


@dataclass
class Compared:
    """A fresh copy of a thread set against the library's: the posts to write (vanished
    ones put back, each post's history carried), the earlier texts to keep, and the log."""

    posts: list[Post]
    saved: Saved
    #: (post ID, text, content warning, seen at) of each text an edit replaced.
    versions: list[tuple[str, str, str, str]]
    #: (kind, post ID, place, count) for the changes log.
    log: list[tuple[str, str, int, int]]


def compare(
    posts: list[Post], old: list[sqlite3.Row], now: str, *, dated: bool, horizon: str = ""
) -> Compared:
    """``posts`` (a fresh fetch) against ``old`` (the library's rows of the thread).

    A post the library lacked was added now. A post whose text or warning changed was
    edited: on a source that dates its edits (``dated``), only if its edit date changed too
    (otherwise it is this program reading it differently, not an edit). A post the fetch
    lacks is put back, marked deleted, right after the post it followed before (not by
    time: a post's own clock can be wrong)."""
    known = {row["post_id"]: row for row in old}
    result = Compared([], Saved(new=not old), [], [])
    saved = result.saved
    first_added = ("", 0)
    for post in posts:
        if horizon and post.edited_at > horizon:
            # An edit dated in the future (a wrong clock, or a lie) is dated when seen.
            post = replace(post, edited_at=now)
        row = known.get(post.id)
        if row is None:
            if old:
                post = replace(post, added_at=now)
                if not saved.added:
                    first_added = (post.id, len(result.posts))
                saved.added += 1
            if post.edited_at:
                saved.edited_upstream.append(post.id)
            result.posts.append(post)
            continue
        before = post_of(row)
        if before.quote is not None and (
            post.quote is None or (post.quote.gone and post.quote.url == before.quote.url)
        ):
            # The quoted post went away upstream: what it said stays, marked so.
            gone = post.quote.gone if post.quote is not None else "gone"
            post = replace(
                post, quote=before.quote if before.quote.gone else replace(before.quote, gone=gone)
            )
        changed_text = (post.text, post.content_warning) != (before.text, before.content_warning)
        new_date = bool(post.edited_at) and post.edited_at != before.edited_at
        if new_date:
            saved.edited_upstream.append(post.id)
        if changed_text and (new_date or not dated):
            seen = before.changed_at or before.added_at or before.created_at
            result.versions.append((post.id, before.text, before.content_warning, seen))
            post = replace(
                post, edited_at=post.edited_at or now, changed_at=now, added_at=before.added_at
            )
            result.log.append(("edited", post.id, len(result.posts), 1))
            saved.edited += 1
        else:
            post = replace(
                post,
                edited_at=post.edited_at or before.edited_at,
                added_at=before.added_at,
                changed_at="" if before.deleted else before.changed_at,
            )
        result.posts.append(post)
    if saved.added:
        result.log.insert(0, ("grew", first_added[0], first_added[1], saved.added))
    _put_back_vanished(result, old, now)
    return result


def _put_back_vanished(result: Compared, old: list[sqlite3.Row], now: str) -> None:
    # Linear: each vanished post hangs after the fresh post that came before it (or
    # before the first), in the old order, and the list is built once.
    present = {post.id for post in result.posts}
    after: dict[str, list[Post]] = {}
    anchor: dict[str, str] = {}
    previous = ""
    for row in old:
        post_id = row["post_id"]
        if post_id in present:
            anchor[post_id] = post_id
        else:
            hook = anchor.get(previous, "") if previous else ""
            anchor[post_id] = hook
            post = post_of(row)
            if not post.deleted:
                post = replace(post, deleted=True, changed_at=now)
                result.saved.deleted += 1
                result.log.append(("deleted", post_id, 0, 1))
            after.setdefault(hook, []).append(post)
        previous = post_id
    if not after:
        return
    posts = list(after.get("", []))
    for post in result.posts:
        posts.append(post)
        posts += after.get(post.id, [])
    result.posts = posts
    # Places in the log count the posts put back before them.
    where = {post.id: place for place, post in enumerate(posts)}
    result.log = [(kind, p, where.get(p, n), count) for kind, p, n, count in result.log]


def keep_vanished(posts: list[Post], old: list[sqlite3.Row]) -> list[Post]:
    """``posts`` with every post of ``old`` they lack put back, marked deleted, right after
    the post it followed before."""
    result = Compared(list(posts), Saved(), [], [])
    _put_back_vanished(result, old, "")
    return result.posts


def write_threads(
    conn: sqlite3.Connection,
    chosen: list[tuple[Thread, bool]],
    horizon: str,
    now: str = "",
    *,
    dated: frozenset[str] = frozenset(),
    grown_is_unread: bool = True,
) -> tuple[list[tuple[Thread, str]], dict[str, Saved]]:
    """Write ``chosen`` (each thread once, with its ``mark_new``) inside the caller's
    transaction, noting at ``now`` what changed in the threads the library had (``dated``:
    the sources whose servers date their edits). Returns the threads refused, each with the
    key of the author the library holds it as, and what each saved thread's save changed."""
    refused: list[tuple[Thread, str]] = []
    outcomes: dict[str, Saved] = {}
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
        compared = compare(
            list(thread.posts),
            old[number] if number else [],
            now,
            dated=thread.source in dated,
            horizon=horizon,
        )
        saved = compared.saved
        outcomes[thread.id] = saved
        unread_again = mark_new or (grown_is_unread and saved.added > 0)
        rows += put_thread(
            conn, thread, compared.posts, number, unread_again, mark_new, prefix, horizon
        )
        if saved.new:
            if mark_new and thread.posts:
                if number is None:
                    number = int(conn.execute(THREAD_NUMBER, (thread.id,)).fetchone()[0])
                conn.execute(LOG_CHANGE, (now, number, "new", thread.posts[0].id, 0, 1))
            continue
        if number is None or not saved.changed:
            continue
        conn.execute(
            """
            UPDATE threads SET grown = grown + ?, edited = edited + ?
            WHERE num = ? AND last_read_at != ''
            """,
            (saved.added, saved.edited + saved.deleted, number),
        )
        conn.executemany(
            LOG_CHANGE,
            [(now, number, kind, post_id, seq, n) for kind, post_id, seq, n in compared.log],
        )
        conn.execute("UPDATE watches SET changed_at = ? WHERE thread = ?", (now, number))
        keep_versions(conn, number, compared.versions)
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
    return refused, outcomes


def keep_versions(
    conn: sqlite3.Connection, number: int, versions: list[tuple[str, str, str, str]]
) -> int:
    """Keep earlier texts of posts of thread ``number`` (post ID, text, warning, seen at),
    each post's newest ``MAX_VERSIONS`` only; how many were left out."""
    conn.executemany(
        "INSERT INTO post_versions (thread, post_id, text, content_warning, seen_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [(number, *version) for version in versions],
    )
    dropped = 0
    for post_id in {version[0] for version in versions}:
        dropped += conn.execute(
            """
            DELETE FROM post_versions WHERE rowid IN (
                SELECT rowid FROM post_versions WHERE thread = ? AND post_id = ?
                ORDER BY seen_at DESC, rowid DESC LIMIT -1 OFFSET ?)
            """,
            (number, post_id, MAX_VERSIONS),
        ).rowcount
    return dropped


def put_thread(
    conn: sqlite3.Connection,
    thread: Thread,
    posts: list[Post],
    known: int | None,
    unread_again: bool,
    mark_new: bool,
    prefix: Prefixes,
    horizon: str,
) -> list[tuple[Any, ...]]:
    """Write the row of ``thread`` (numbered ``known`` if the library has it; its old
    posts are gone by now) and return the rows of ``posts``, for ``INSERT_POST``.
    ``unread_again`` marks a known thread unread, ``mark_new`` new."""
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
            (*values, int(unread_again), int(mark_new), number),
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
                post.added_at,
                post.edited_at,
                post.changed_at,
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
