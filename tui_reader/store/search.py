"""Searching the library: FTS5 over every post, ranked, a few hits a thread, with the words
in context asked for as the rows are shown."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from tui_reader.store.rows import SUMMARY_COLUMNS, SearchHit, summary_of

#: Posts a search takes from the top of the ranking for each row it must return, before
#: grouping them into threads; more are taken when those hold too few (see ``search``).
SEARCH_POSTS_PER_ROW = 3

REBUILD_INDEX = "INSERT INTO post_search (post_search) VALUES ('rebuild')"


def as_phrase(query: str) -> str:
    """``query`` as one FTS5 phrase (for queries FTS5's syntax cannot parse)."""
    return '"' + query.replace('"', '""') + '"'


def marked_spans(marked: str) -> list[tuple[int, int]]:
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


def index_lost(conn: sqlite3.Connection) -> bool:
    """Whether the search index has lost its terms while the library has posts (two
    one-row lookups: asked only when a search found nothing)."""
    has_posts = conn.execute("SELECT 1 FROM posts LIMIT 1").fetchone() is not None
    if not has_posts:
        return False
    return conn.execute("SELECT 1 FROM post_search_idx LIMIT 1").fetchone() is None


def search(
    conn: sqlite3.Connection, query: str, author_key: str | None, limit: int, per_thread: int
) -> list[SearchHit]:
    """Posts that match ``query`` (FTS5 syntax; raises ``sqlite3.OperationalError`` where
    FTS5 cannot parse it), best first, ``per_thread`` at most from each thread, without
    their words in context."""
    where = "WHERE t.author_key = ?" if author_key else ""
    # Rank inside FTS5 and take the best posts only: the rows are exact whenever the
    # best ``best`` posts hold ``limit`` of them (no post outside those can come before
    # a post inside); otherwise look further (all matches, at the end). bm25() is named
    # rather than sorting by FTS5's ``rank`` column: the same order, a quarter faster.
    # Threads and authors are joined for the chosen rows only.
    best = SEARCH_POSTS_PER_ROW * limit
    while True:
        params: list[Any] = [query, best, *([author_key] if author_key else [])]
        rows = conn.execute(
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
        if len(rows) >= limit or not _more_matches(conn, query, best):
            break
        best *= 8
    return [
        SearchHit(summary_of(row), row["hit_post"], row["hit_seq"], "", row["hit_rowid"])
        for row in rows
    ]


def with_snippets(conn: sqlite3.Connection, query: str, hits: list[SearchHit]) -> list[SearchHit]:
    """``hits`` with the words in context of those that lack them."""
    # One query for the rows asked for: making one for every matching post of a common
    # word is what made such searches slow.
    wanted = [hit.post_rowid for hit in hits if not hit.snippet]
    if not wanted:
        return hits
    marks = ",".join("?" * len(wanted))
    found = dict(
        conn.execute(
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


def _more_matches(conn: sqlite3.Connection, query: str, than: int) -> bool:
    """Whether more than ``than`` posts match ``query``."""
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM post_search WHERE post_search MATCH ? LIMIT ?)",
        (query, than + 1),
    ).fetchone()
    return int(row[0]) > than


def match_spans(
    conn: sqlite3.Connection, thread_id: str, query: str
) -> dict[int, list[tuple[int, int]]]:
    """Where ``query`` matches each post of a thread, by post index (see
    ``Store.match_spans``)."""
    first, last, number = conn.execute(
        "SELECT MIN(p.rowid), MAX(p.rowid), t.num FROM threads t "
        "JOIN posts p ON p.thread = t.num WHERE t.id = ?",
        (thread_id,),
    ).fetchone()
    if number is None:
        return {}
    found: dict[int, list[tuple[int, int]]] = {}
    # A thread's posts are written together, so their keys are one run: FTS5 searches
    # that range in one step (a list of 1,000 keys was 1,000 lookups, 0.1 s).
    for row in conn.execute(
        """
        SELECT p.seq, p.content_warning, highlight(post_search, 0, char(2), char(3))
        FROM post_search JOIN posts p ON p.rowid = post_search.rowid
        WHERE post_search MATCH ? AND post_search.rowid BETWEEN ? AND ? AND p.thread = ?
        """,
        (query, first, last, number),
    ):
        # The index holds the warning, a newline, then the text (see post_search_source).
        skip = len(row[1]) + 1 if row[1] else 0
        spans = [(start - skip, end - skip) for start, end in marked_spans(row[2]) if start >= skip]
        if spans:
            found[int(row[0])] = spans
    return found
