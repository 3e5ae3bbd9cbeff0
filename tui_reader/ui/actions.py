"""Network work from the reader: each action waits on the network in a worker, shows the
header busy (or its progress), is cancelled by escape, and fails as one notification."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from tui_reader.errors import ReaderError, SourceUnavailable
from tui_reader.render import change_words
from tui_reader.ui.reader import reader_of
from tui_reader.ui.terminal import desktop_notice

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.worker import Worker

    from tui_reader.library import AuthorSync
    from tui_reader.watching import WatchedSync

T = TypeVar("T")

#: The workers that wait on the network: escape cancels them.
NETWORK_GROUPS = frozenset({"unroll", "follow", "sync"})
#: A sync's failures named one by one in its notification; the rest are counted.
MAX_FAILURES_SHOWN = 5


class NetworkWork:
    """The network actions of ``node`` (the screen that runs their workers)."""

    def __init__(self, node: Widget) -> None:
        self.node = node
        #: The media folder's being full was said (it is said once).
        self.told_full = False

    def keep_images(self, thread_ids: list[str], kept: Callable[[set[str]], None]) -> None:
        """Keep the images of threads just saved, in the background (their text is shown
        already); then ``kept`` is told which of them have new images. Not cancelled by
        escape: leaving a thread must not stop its images."""
        library = reader_of(self.node).library
        if not thread_ids or library.offline or library.config.media.keep != "images":
            return

        async def work() -> None:
            try:
                report = await library.keep_images(thread_ids)
            except ReaderError:
                return  # tried again at the next refresh
            if report.refused:
                self.node.notify(
                    "\n".join(report.refused[:3]),
                    title=f"{len(report.refused)} image(s) not kept",
                    severity="warning",
                    timeout=8,
                )
            if report.full and not self.told_full:
                self.told_full = True
                self.node.notify(
                    "The media folder is full ([media] max_library_mb): new images are not "
                    "kept. Nothing was deleted.",
                    severity="warning",
                    timeout=12,
                )
            if report.kept:
                kept(set(thread_ids))

        self.node.run_worker(work(), group="media", exit_on_error=False)

    def running(self, group: str | None = None) -> list[Worker[object]]:
        """The network workers running (of ``group`` only, when given)."""
        return [
            worker
            for worker in self.node.workers
            if worker.is_running
            and worker.node is self.node
            and (worker.group == group if group else worker.group in NETWORK_GROUPS)
        ]

    def cancel(self) -> bool:
        """Cancel every network worker running; whether there were any."""
        busy = self.running()
        for worker in busy:
            worker.cancel()
        if busy:
            reader_of(self.node).set_progress("")
        return bool(busy)

    async def run(self, title: str, work: Awaitable[T], progress: str = "") -> T | None:
        """``work`` awaited with the header showing it as busy (or ``progress``); a failure
        is one notification titled ``title``, never a crash, and ``None``."""
        reader = reader_of(self.node)
        if progress:
            reader.set_progress(progress)
        else:
            reader.set_working(True)
        try:
            result = await work
        except ReaderError as error:
            reader.set_unreachable(isinstance(error, SourceUnavailable))
            self.node.notify(error.message, title=title, severity="error", timeout=8)
            return None
        except Exception as error:  # noqa: BLE001 - the reader must not crash on a bad answer
            message = f"Unexpected {type(error).__name__}: {error}"
            self.node.notify(message, title=title, severity="error", timeout=8)
            return None
        finally:
            if progress:
                reader.set_progress("")
            else:
                reader.set_working(False)
        reader.set_unreachable(False)
        return result


def report_sync(
    node: Widget,
    results: list[AuthorSync],
    *,
    quiet: bool,
    watched: list[WatchedSync] | None = None,
    counts: dict[str, int] | None = None,
) -> None:
    """Say how a sync went: what came in and changed (``counts``, from the changes log), and
    each author or watched thread it failed for; tell the desktop too, with ``[ui] notify``."""
    watched = watched or []
    counts = counts or {}
    new = counts.get("new", sum(r.new_threads for r in results))
    with_news = sum(1 for r in results if r.new_threads)
    words = change_words(
        new, counts.get("grew", 0), counts.get("edited", 0), counts.get("deleted", 0)
    )
    failed = [(f"@{r.author.handle}", r.error) for r in results if r.error]
    failed += [(f"#{w.thread.number}", w.error) for w in watched if w.error and not w.ended]
    ended = [w for w in watched if w.ended]
    if words and words.startswith(f"{new} new thread") and words.count(",") == 0 and with_news:
        authors = "1 author" if with_news == 1 else f"{with_news} authors"
        node.notify(f"{words} from {authors}.", title="Sync")
    elif words:
        node.notify(f"{words[:1].upper()}{words[1:]}.", title="Sync")
    elif not quiet and len(failed) < len(results) + len(watched):
        # Said only of what went through: of a failed one, nothing is known.
        said = "Nothing new." if not failed else "Nothing new from the others."
        node.notify(said, title="Sync")
    if words and reader_of(node).config.notify:
        desktop_notice(f"tui-reader: {words}")
    if ended:
        days = reader_of(node).config.sync.watch_days
        node.notify(
            f"{len(ended)} thread(s) no longer watched: no change in {days} days "
            "([sync] watch_days).",
            title="Sync",
        )
    if failed:
        # Each failure with its own reason: they fail for different causes.
        lines = [f"{who}: {error}" for who, error in failed[:MAX_FAILURES_SHOWN]]
        if len(failed) > MAX_FAILURES_SHOWN:
            lines.append(f"and {len(failed) - MAX_FAILURES_SHOWN} more (see the Authors pane)")
        node.notify(
            "\n".join(lines),
            title=f"Sync failed for {len(failed)} of {len(results) + len(watched)}",
            severity="warning",
            timeout=12,
        )
