"""Benchmarks: unroll, store and render a long thread through the real stack.

Run with ``python bench/run.py``; it prints a Markdown table for docs/benchmarks.md.
Everything runs against a fake AppView on 127.0.0.1, so no network is needed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_bluesky import FakeAppView  # noqa: E402
from tests.server import FakeServer  # noqa: E402
from tui_reader.config import Config, SourcesConfig  # noqa: E402
from tui_reader.library import Library  # noqa: E402
from tui_reader.render import to_html, to_markdown, to_text  # noqa: E402
from tui_reader.sources.bluesky import web_url  # noqa: E402
from tui_reader.store import Store  # noqa: E402

POSTS = 1000
PHRASE = '"topic 42 item"'


def timed(work: Callable[[], object], repeat: int = 5) -> float:
    """The median wall time of ``work`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def reader_open_ms(library: Library, thread_id: str) -> float:
    """How long the reader takes to show a thread, layout and line wrapping included."""
    from tui_reader.ui.app import make_app
    from tui_reader.ui.screens.main import MainScreen

    app = make_app(library.config, library)
    elapsed: list[float] = []

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            for _ in range(3):
                start = time.perf_counter()
                screen.open_thread(thread_id)
                await pilot.pause()
                elapsed.append((time.perf_counter() - start) * 1000)

    asyncio.run(run())
    return statistics.median(elapsed)


def main() -> None:
    """Run every benchmark and print the table."""
    server = FakeServer().start()
    appview = FakeAppView()
    appview.install(server)
    author = appview.account("bench.bsky.social", "Bench")
    uris = appview.chain(author, POSTS)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        config = Config(sources=SourcesConfig.of(bluesky={"appview": server.url}))

        def unroll_fresh() -> None:
            path = Path(folder) / f"lib-{time.perf_counter_ns()}.sqlite3"
            library = Library(config, Store(path))

            async def run() -> None:
                try:
                    await library.unroll(web_url(uris[0]))
                finally:
                    await library.aclose()

            asyncio.run(run())
            library.close()

        rows.append(
            (
                f"unroll {POSTS} posts from a local AppView, fetch + parse + save",
                "< 5000 ms",
                f"{timed(unroll_fresh, 3):.0f} ms",
            )
        )
        library = Library(config.with_offline(True), Store(Path(folder) / "lib.sqlite3"))
        thread = asyncio.run(Library(config, library.store).unroll(web_url(uris[0])))
        rows.append(
            (
                f"load a {POSTS}-post thread from the library",
                "< 100 ms",
                f"{timed(lambda: library.thread(thread.id)):.1f} ms",
            )
        )
        rows.append(
            (
                f"save a {POSTS}-post thread (one transaction)",
                "< 500 ms",
                f"{timed(lambda: library.store.save_thread(thread)):.0f} ms",
            )
        )
        rows.append(("list threads in the library", "< 20 ms", f"{timed(library.threads):.2f} ms"))
        for name, render in (("text", to_text), ("markdown", to_markdown), ("html", to_html)):
            rows.append(
                (
                    f"render a {POSTS}-post thread as {name}",
                    "< 200 ms",
                    f"{timed(lambda r=render: r(thread)):.1f} ms",
                )  # type: ignore[misc]
            )
        for n in range(3000):
            other = replace(
                thread,
                id=f"bluesky:bench-{n}",
                posts=tuple(
                    replace(p, id=f"bench-{n}-{i}", text=f"{p.text} topic {n % 97} item {i}")
                    for i, p in enumerate(thread.posts[:5])
                ),
            )
            library.store.save_thread(other)
        rows.append(
            (
                "search 3,000 threads (16,000 posts) for a phrase",
                "< 50 ms",
                f"{timed(lambda: library.search(PHRASE)):.1f} ms",
            )
        )
        rows.append(
            (
                f"open a {POSTS}-post thread in the reader (wrap every line)",
                "< 500 ms",
                f"{reader_open_ms(library, thread.id):.0f} ms",
            )
        )
        tracemalloc.start()
        library.thread(thread.id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            (f"peak memory to load a {POSTS}-post thread", "< 20 MiB", f"{peak / 2**20:.1f} MiB")
        )
        library.close()
    server.stop()
    print("| measure | target | result |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
