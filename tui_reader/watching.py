"""Threads that live: watched threads fetched again at each sync, edit histories read, and
what changed in the library summed up in words."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tui_reader.config import Config
from tui_reader.errors import NotFound, ReaderError
from tui_reader.limits import MAX_HISTORIES_PER_THREAD, MAX_VERSIONS, within_action
from tui_reader.models import Thread, ThreadSummary
from tui_reader.store import Saved, Store, Watch
from tui_reader.times import utc_now_exact

if TYPE_CHECKING:
    from tui_reader.sources import Source, Sources


#: Fetches a thread the library has again and saves it: what changed.
Refetch = Callable[[Thread], Awaitable[Saved]]


@dataclass(frozen=True)
class WatchedSync:
    """How fetching one watched thread again went."""

    thread: ThreadSummary
    #: What changed (``None``: its source said it was unchanged, in one request).
    saved: Saved | None = None
    #: Watching it ended: no change for ``[sync] watch_days``.
    ended: bool = False
    error: str = ""

    @property
    def changed(self) -> bool:
        """Whether anything in the thread changed."""
        return self.saved is not None and self.saved.changed


async def read_histories(store: Store, source: Source, thread: Thread, saved: Saved) -> None:
    """Read the edit history of each post whose server says it was edited since the library
    last looked (a few a thread), and keep the earlier texts; a history that cannot be read
    leaves the post as it is. What was left out is noted in ``saved.notes``."""
    wanted = saved.edited_upstream[:MAX_HISTORIES_PER_THREAD]
    posts = {post.id: post for post in thread.posts if post.id in set(wanted)}
    for post_id in wanted:
        post = posts.get(post_id)
        if post is None:
            continue
        try:
            versions, dropped = await source.earlier_versions(post)
        except ReaderError as error:
            saved.notes.append(f"the edit history of a post could not be read: {error.message}")
            continue
        if versions:
            dropped += store.add_versions(thread.id, post.id, versions)
        if dropped:
            saved.notes.append(
                f"a post has {len(versions) + dropped} earlier versions; "
                f"the newest {MAX_VERSIONS} are kept"
            )
    if len(saved.edited_upstream) > MAX_HISTORIES_PER_THREAD:
        left = len(saved.edited_upstream) - MAX_HISTORIES_PER_THREAD
        saved.notes.append(f"the edit histories of {left} more posts were not read this time")


def watch_cutoff(days: int, now: datetime | None = None) -> str:
    """The time before which a watched thread's last change ends its watch."""
    moment = (now or datetime.now(UTC)) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def sync_watched(
    config: Config,
    store: Store,
    sources: Sources,
    refetch: Refetch,
    skip: set[str] | None = None,
    on_progress: Callable[[WatchedSync], None] | None = None,
    deadline: float | None = None,
) -> list[WatchedSync]:
    """Fetch every watched thread again (except those in ``skip``: a followed author's sync
    just did), several at once, under one deadline; a thread whose watch has seen no change
    for ``[sync] watch_days`` is no longer watched, and that is said."""
    cutoff = watch_cutoff(config.sync.watch_days)
    limit = asyncio.Semaphore(config.network.max_connections)
    seconds = config.sync.deadline_minutes * 60.0 if deadline is None else deadline
    ends_at = asyncio.get_running_loop().time() + seconds

    async def one(watch: Watch) -> WatchedSync:
        summary = watch.thread
        if watch.changed_at < cutoff:
            store.unwatch(summary.id)
            result = WatchedSync(summary, ended=True)
        else:
            try:
                async with asyncio.timeout_at(ends_at), limit:
                    result = await _refresh(store, sources, refetch, watch, config)
            except TimeoutError:
                result = WatchedSync(summary, error="the sync's deadline passed before it")
        if on_progress is not None:
            on_progress(result)
        return result

    chosen = [watch for watch in store.watches() if watch.thread.id not in (skip or set())]
    return list(await asyncio.gather(*(one(watch) for watch in chosen)))


async def _refresh(
    store: Store, sources: Sources, refetch: Refetch, watch: Watch, config: Config
) -> WatchedSync:
    summary = watch.thread
    thread = store.thread(summary.id)
    if thread is None:
        return WatchedSync(summary, error="the library has no posts of it")
    source = sources[thread.source]
    try:
        try:
            same, tag = await within_action(
                "checking a watched thread",
                source.still_the_same(thread, watch.tag),
                config.network.timeout * 2,
            )
        except NotFound:
            # The post the check asked about is gone: the thread changed.
            same, tag = False, ""
        if same:
            if tag != watch.tag:
                store.set_watch_tag(summary.id, tag)
            return WatchedSync(summary)
        saved = await refetch(thread)
        store.set_watch_tag(summary.id, tag)
    except NotFound:
        # Its first post is gone, so it can no longer be unrolled: that post is marked
        # deleted (its text kept), and watching it ends.
        gone = store.mark_first_deleted(summary.id, utc_now_exact())
        store.unwatch(summary.id)
        return WatchedSync(
            summary,
            Saved(deleted=gone),
            ended=True,
            error="its first post is gone upstream, so it can no longer be fetched; "
            "the library keeps its copy, no longer watched",
        )
    except ReaderError as error:
        return WatchedSync(summary, error=error.message)
    return WatchedSync(summary, saved)
