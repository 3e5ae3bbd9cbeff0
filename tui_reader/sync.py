"""A sync: every followed author's feed read back to where the last sync got to, their new
and grown threads saved, several authors at once, under one deadline. It works on the
sources and the store it is given, not on the library."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from tui_reader.config import Config
from tui_reader.errors import NotFound, ReaderError
from tui_reader.limits import within_action
from tui_reader.models import Author, Thread
from tui_reader.sources import AuthorScan, Sources
from tui_reader.store import ForeignThread, Saved, Store, SyncState
from tui_reader.times import utc_now

#: How long one unroll, follow or author's sync may take in all, in request timeouts.
ACTION_TIMEOUTS = 15


@dataclass(frozen=True)
class AuthorSync:
    """How syncing one author went."""

    author: Author
    new_threads: int = 0
    grown_threads: int = 0
    error: str = ""
    #: The threads it brought or changed (their images are kept after the sync).
    changed: tuple[str, ...] = ()
    #: Posts of threads the library had that were edited, or deleted, upstream.
    edited_posts: int = 0
    deleted_posts: int = 0


def action_seconds(config: Config) -> float:
    """How long one action (an unroll, a follow, an author's sync) may take in all."""
    return config.network.timeout * ACTION_TIMEOUTS


def check_post_owners(store: Store, sources: Sources, thread: Thread) -> None:
    """Refuse a thread that holds a post the library has under another author, for a
    source whose post IDs do not say whose they are (a page claiming someone's tweet)."""
    if sources[thread.source].post_ids_name_author:
        return
    for post in thread.posts:
        held = store.thread_id_for_post(post.id)
        if held is None or held == thread.id:
            continue
        other = store.summary(held)
        if other is not None and other.author.key != thread.author.key:
            raise ForeignThread(
                f"refused: this page says post {post.id} is @{thread.author.handle}'s; "
                f"the library has it as @{other.author.handle}'s, and keeps it so"
            )


class Sync:
    """One sync of some authors into ``store``, through ``sources``."""

    def __init__(self, config: Config, store: Store, sources: Sources) -> None:
        self.config = config
        self.store = store
        self.sources = sources

    async def run(
        self,
        authors: list[Author],
        on_progress: Callable[[AuthorSync], None] | None = None,
        deadline: float | None = None,
    ) -> list[AuthorSync]:
        """Sync ``authors``, several at once; one failing does not stop the others. The
        whole sync ends after ``deadline`` seconds (``[sync] deadline_minutes`` by
        default)."""
        limit = asyncio.Semaphore(self.config.network.max_connections)
        minutes = self.config.sync.deadline_minutes
        seconds = minutes * 60.0 if deadline is None else deadline
        ends_at = asyncio.get_running_loop().time() + seconds

        async def one(author: Author) -> AuthorSync:
            try:
                # One deadline for the whole sync, waits for a turn included: many silent
                # servers cannot make it last ceil(N / 8) times an author's own limit.
                async with asyncio.timeout_at(ends_at):
                    async with limit:
                        result = await self._sync_author(author)
            except TimeoutError:
                message = (
                    f"the sync's deadline ({minutes} min, [sync] deadline_minutes) passed "
                    "before this author was done"
                    if deadline is None
                    else f"the sync's deadline ({seconds:g} s) passed before this author was done"
                )
                state = self.store.sync_state(author.key)
                self.store.set_sync_state(
                    author.key, replace(state, synced_at=utc_now(), error=message)
                )
                result = AuthorSync(author, error=message)
            if on_progress is not None:
                on_progress(result)
            return result

        return list(await asyncio.gather(*(one(author) for author in authors)))

    async def _sync_author(self, author: Author) -> AuthorSync:
        state = self.store.sync_state(author.key)
        source = self.sources[author.source]
        counts = {"new": 0, "grown": 0, "same": 0, "edited": 0, "deleted": 0}
        changed: list[str] = []

        def saved(threads: list[Thread]) -> None:
            for thread, outcome in zip(threads, self.save(threads), strict=True):
                verdict = "new" if outcome.new else "grown" if outcome.added else "same"
                counts[verdict] += 1
                counts["edited"] += outcome.edited
                counts["deleted"] += outcome.deleted
                if outcome.changed:
                    changed.append(thread.id)

        def result(error: str = "") -> AuthorSync:
            return AuthorSync(
                author,
                counts["new"],
                counts["grown"],
                error,
                tuple(changed),
                counts["edited"],
                counts["deleted"],
            )

        async def work() -> AuthorScan:
            scan = await source.author_threads(
                author.id, watermark=state.watermark, etag=state.etag
            )
            saved(scan.threads)
            self.store.save_summaries(scan.listed)
            for ref in scan.to_fetch:
                try:
                    page = await source.thread_page(ref)
                except NotFound:
                    continue  # deleted since it was listed
                if len(page.thread.posts) > 1:
                    saved([page.thread])
                self.store.save_summaries(page.more_from)
            return scan

        what = f"syncing @{author.handle}"
        try:
            scan = await within_action(what, work(), action_seconds(self.config))
        except ReaderError as error:
            self.store.set_sync_state(
                author.key, replace(state, synced_at=utc_now(), error=error.message)
            )
            return result(error.message)
        except Exception as error:  # noqa: BLE001 - one author's surprise must not stop the rest
            message = f"unexpected {type(error).__name__}: {error}"
            self.store.set_sync_state(
                author.key, replace(state, synced_at=utc_now(), error=message)
            )
            return result(message)
        # Only now does the next sync start from here: an interrupted one is done again.
        self.store.set_sync_state(author.key, SyncState(utc_now(), "", scan.watermark, scan.etag))
        return result()

    def save(self, threads: list[Thread]) -> list[Saved]:
        """Save what a sync brought, in one transaction; what each save changed. A thread
        the library lacked is flagged new; one that grew is unread again (``[ui]
        grown_is_unread``); edits and deletions upstream are noted."""
        for thread in threads:
            check_post_owners(self.store, self.sources, thread)
        had = self.store.live_post_ids(thread.id for thread in threads)
        outcomes = self.store.save_threads(
            [(thread, thread.id not in had) for thread in threads],
            dated=self.sources.dated(),
            grown_is_unread=self.config.grown_is_unread,
        )
        return [outcomes.get(thread.id, Saved()) for thread in threads]
