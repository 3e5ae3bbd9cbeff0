"""Network work from the reader: each action waits on the network in a worker, shows the
header busy (or its progress), is cancelled by escape, and fails as one notification."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from tui_reader.errors import ReaderError, SourceUnavailable
from tui_reader.ui.reader import reader_of

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.worker import Worker

    from tui_reader.library import AuthorSync

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


def report_sync(node: Widget, results: list[AuthorSync], *, quiet: bool) -> None:
    """Say how a sync went: what came in, and each author it failed for."""
    new = sum(r.new_threads + r.grown_threads for r in results)
    with_news = sum(1 for r in results if r.new_threads + r.grown_threads)
    failed = [r for r in results if r.error]
    if new:
        threads = "1 new thread" if new == 1 else f"{new} new threads"
        authors = "1 author" if with_news == 1 else f"{with_news} authors"
        node.notify(f"{threads} from {authors}.", title="Sync")
    elif not quiet and len(failed) < len(results):
        # Said only of authors whose sync went through: of a failed one, nothing is known.
        others = len(results) - len(failed)
        said = "Nothing new." if not failed else f"Nothing new from the other {others}."
        node.notify(said, title="Sync")
    if failed:
        # Each failing author with their own reason: they fail for different causes.
        lines = [f"@{r.author.handle}: {r.error}" for r in failed[:MAX_FAILURES_SHOWN]]
        if len(failed) > MAX_FAILURES_SHOWN:
            lines.append(f"and {len(failed) - MAX_FAILURES_SHOWN} more (see the Authors pane)")
        node.notify(
            "\n".join(lines),
            title=f"Sync failed for {len(failed)} of {len(results)}",
            severity="warning",
            timeout=12,
        )
