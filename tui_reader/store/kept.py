"""Kept images in the library file: what became of each picture address (kept, refused,
failed), the addresses the posts name, and their facts filled into a thread's media."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tui_reader.models import Media, Post
from tui_reader.store.connection import LibraryFile, reported
from tui_reader.store.rows import MediaRow

#: The address of the picture kept for a media item in a post's stored JSON (``json_each``'s
#: ``value``): an image's own, a video's or link card's preview ("" for none).
STILL = (
    "CASE WHEN json_extract(value, '$.kind') = 'image' THEN json_extract(value, '$.url') "
    "ELSE COALESCE(json_extract(value, '$.preview'), '') END"
)

#: Every picture address the posts name, their quotes' included (a column ``still``).
ALL_STILLS = f"""
    SELECT {STILL} AS still FROM posts, json_each(posts.media) WHERE posts.media IS NOT NULL
    UNION ALL
    SELECT {STILL} FROM posts, json_each(posts.quote, '$.media') WHERE posts.quote IS NOT NULL
"""


@reported
class KeptMedia(LibraryFile):
    """The store's reads and writes of kept images."""

    def with_kept_media(self, posts: tuple[Post, ...]) -> tuple[Post, ...]:
        """``posts`` with the facts of each picture the library keeps filled in (an image's, a
        video's poster, a link card's thumbnail; their quotes' too)."""
        urls = [
            media.still
            for post in posts
            for media in (*post.media, *(post.quote.media if post.quote else ()))
            if media.still
        ]
        if not urls:
            return posts
        states = self.media_states(urls)
        folder = self.path.parent / "media"

        def fill(media: Media) -> Media:
            if not media.still:
                return media
            row = states.get(media.still)
            if row is None or row.state == "failed":
                # Never tried, or failed (tried again at the next refresh).
                return replace(media, missing="not downloaded")
            if row.state != "kept":
                return replace(media, missing=f"not kept: {row.note}")
            return replace(
                media,
                sha256=row.sha256,
                type=row.type,
                width=row.width,
                height=row.height,
                file=row.file,
                local=str(folder / row.file),
            )

        def filled(items: tuple[Media, ...]) -> tuple[Media, ...]:
            return tuple(fill(media) for media in items)

        return tuple(
            replace(
                post,
                media=filled(post.media),
                quote=replace(post.quote, media=filled(post.quote.media))
                if post.quote is not None and post.quote.media
                else post.quote,
            )
            for post in posts
        )

    def media_states(self, urls: Iterable[str]) -> dict[str, MediaRow]:
        """What the library knows of each of these image addresses (kept, refused, failed;
        an address it never tried is left out)."""
        found: dict[str, MediaRow] = {}
        wanted = list(dict.fromkeys(urls))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                f"SELECT * FROM media WHERE url IN ({','.join('?' * len(chunk))})", chunk
            )
            for row in rows:
                found[row["url"]] = MediaRow(
                    row["url"],
                    row["state"],
                    row["sha256"],
                    row["type"],
                    row["width"],
                    row["height"],
                    row["bytes"],
                    row["file"],
                    row["note"],
                    row["tried_at"],
                )
        return found

    def record_media(self, row: MediaRow) -> None:
        """Remember what became of an image address (kept, refused or failed)."""
        self._write(
            lambda conn: conn.execute(
                """
                INSERT INTO media (url, state, sha256, type, width, height, bytes, file, note,
                                   tried_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (url) DO UPDATE SET state = excluded.state,
                    sha256 = excluded.sha256, type = excluded.type, width = excluded.width,
                    height = excluded.height, bytes = excluded.bytes, file = excluded.file,
                    note = excluded.note, tried_at = excluded.tried_at
                """,
                (
                    row.url,
                    row.state,
                    row.sha256,
                    row.type,
                    row.width,
                    row.height,
                    row.bytes,
                    row.file,
                    row.note,
                    row.tried_at,
                ),
            )
        )

    def kept_bytes(self) -> int:
        """The bytes of every image file kept (each file once, however many use it)."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(bytes), 0) FROM "
            "(SELECT MAX(bytes) AS bytes FROM media WHERE state = 'kept' GROUP BY sha256)"
        ).fetchone()
        return int(row[0])

    def media_report(self) -> dict[str, int]:
        """How many image addresses the posts name, and how many are kept, refused, failed
        or not tried yet; how many files and bytes are kept (one pass over the posts)."""
        named = self.conn.execute(
            f"""
            SELECT COUNT(DISTINCT still) FROM ({ALL_STILLS}) WHERE still != ''
            """
        ).fetchone()[0]
        counts = dict(
            self.conn.execute("SELECT state, COUNT(*) FROM media GROUP BY state").fetchall()
        )
        files = self.conn.execute(
            "SELECT COUNT(DISTINCT sha256) FROM media WHERE state = 'kept'"
        ).fetchone()[0]
        kept, refused, failed = (int(counts.get(s, 0)) for s in ("kept", "refused", "failed"))
        return {
            "images": int(named),
            "kept": kept,
            "refused": refused,
            "failed": failed,
            "missing": max(0, int(named) - kept - refused),
            "files": int(files),
            "bytes": self.kept_bytes(),
        }

    def image_urls_of(self, thread_ids: Iterable[str]) -> list[str]:
        """The image addresses these threads' posts name, each once (read from the stored
        JSON: no post is built)."""
        found: dict[str, None] = {}
        wanted = list(dict.fromkeys(thread_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                f"""
                SELECT {STILL} FROM threads t
                JOIN posts p ON p.thread = t.num, json_each(p.media)
                WHERE t.id IN ({",".join("?" * len(chunk))}) AND p.media IS NOT NULL
                  AND {STILL} != ''
                UNION ALL
                SELECT {STILL} FROM threads t
                JOIN posts p ON p.thread = t.num, json_each(p.quote, '$.media')
                WHERE t.id IN ({",".join("?" * len(chunk))}) AND p.quote IS NOT NULL
                  AND {STILL} != ''
                """,
                chunk + chunk,
            )
            found.update((str(row[0]), None) for row in rows if row[0])
        return list(found)

    def image_urls(self, offset: int, limit: int) -> list[str]:
        """A page of the image addresses the posts name, in a stable order."""
        rows = self.conn.execute(
            f"""
            SELECT DISTINCT still FROM ({ALL_STILLS}) WHERE still != ''
            ORDER BY 1 LIMIT ? OFFSET ?
            """,
            (limit, offset),
        )
        return [str(row[0]) for row in rows if row[0]]
