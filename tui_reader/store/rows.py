"""The library's rows as the rest of the program sees them, and the SQL that reads them."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from tui_reader.models import Author, Media, Post, Quote, ThreadSummary

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
    #: Threads that grew since they were read.
    grown: int = 0


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
class MediaRow:
    """What became of one image address: kept (with its file's facts), refused for good, or
    failed (tried again later), and when."""

    url: str
    state: str
    sha256: str = ""
    type: str = ""
    width: int = 0
    height: int = 0
    bytes: int = 0
    file: str = ""
    #: Why it was refused or failed, in one line ("" when kept).
    note: str = ""
    tried_at: str = ""


@dataclass(frozen=True)
class ReadMark:
    """A thread's read state, as exported and imported."""

    thread_id: str
    unread: bool
    position: int
    changed_at: str


def author_of(row: sqlite3.Row, prefix: str = "") -> Author:
    """The author a row names (its columns, each after ``prefix``)."""
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
    p.content_warning, COALESCE(p.added_at, '') AS added_at,
    COALESCE(p.edited_at, '') AS edited_at, COALESCE(p.changed_at, '') AS changed_at
"""
POSTS_OF_THREAD = f"""
    SELECT {POST_COLUMNS} FROM posts p
    JOIN prefixes ip ON ip.n = p.id_prefix JOIN prefixes up ON up.n = p.url_prefix
    WHERE p.thread = ? ORDER BY p.seq
"""


def post_of(row: sqlite3.Row) -> Post:
    """The post a row of ``POSTS_OF_THREAD`` holds."""
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
        edited_at=row["edited_at"],
        added_at=row["added_at"],
        changed_at=row["changed_at"],
    )


def _media(data: str) -> tuple[Media, ...]:
    return tuple(Media.from_dict(item) for item in json.loads(data))


def _quote(data: str | None) -> Quote | None:
    if not data:
        return None
    return Quote.from_dict(json.loads(data))


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
    #: Only threads started at or after this time (ISO, as the library writes times).
    since: str = ""

    @property
    def filtered(self) -> bool:
        """Whether the list leaves out more than the kept counts can tell."""
        return self.fetched_only or bool(self.words.split()) or bool(self.since)

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
        if self.since:
            clauses.append("t.created_at >= ?")
            params.append(self.since)
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
    t.last_read_at, t.grown, t.edited, a.source, a.author_id, a.handle, a.display_name, a.url
"""


def summary_of(row: sqlite3.Row) -> ThreadSummary:
    """The thread a row of ``SUMMARY_COLUMNS`` lists."""
    return ThreadSummary(
        id=row["id"],
        source=row["t_source"],
        url=row["t_url"],
        title=row["title"],
        author=author_of(row),
        created_at=row["created_at"],
        fetched_at=row["fetched_at"],
        post_count=row["post_count"],
        preview=row["preview"],
        unread=bool(row["unread"]),
        is_new=bool(row["is_new"]),
        fetched=bool(row["fetched"]),
        position=int(row["position"]),
        number=int(row["num"]),
        last_read_at=row["last_read_at"],
        new_since_read=int(row["grown"]),
        edited_since_read=int(row["edited"]),
    )
