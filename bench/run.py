"""Benchmarks against DESIGN.md's budgets, each time figure a ratio or a difference against a
baseline measured in the same run (the machines are shared and noisy).

    python bench/run.py            # full size: 100,000 posts (and 1,000,000 for the start-up)
    python bench/run.py --quick    # a small library, one run each: CI runs this so the
                                   # script cannot rot; it asserts nothing about time

Prints each figure beside its target and baseline and writes ``bench/results.json``
(``--out`` elsewhere). Libraries are built once through the store API and kept in
``--cache`` (default: a folder in the system's temporary directory).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gc
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.first_screen import bare_app, first_screen  # noqa: E402
from bench.library import COMMON, TYPICAL, build  # noqa: E402
from tui_reader import __version__  # noqa: E402
from tui_reader.cli import loaded  # noqa: E402
from tui_reader.config import Config  # noqa: E402
from tui_reader.library import Library, ThreadList  # noqa: E402
from tui_reader.models import Thread  # noqa: E402
from tui_reader.store import Store  # noqa: E402

Row = dict[str, object]


def median_of(work: Callable[[], float], repeat: int) -> float:
    """The median of ``repeat`` measurements."""
    return statistics.median(work() for _ in range(repeat))


def wall(argv: list[str], env: dict[str, str]) -> float:
    """Seconds a command takes, start to exit."""
    start = time.perf_counter()
    subprocess.run(argv, env={**os.environ, **env}, capture_output=True, check=True)
    return time.perf_counter() - start


#: No user config may change what is measured (a sync on start, say).
NO_CONFIG = {"TUI_READER_CONFIG": str(Path(tempfile.gettempdir()) / "tui-bench-no-config.toml")}


def reader_argv() -> list[str]:
    return [sys.executable, "-m", "tui_reader"]


def start_up(folder: Path, repeat: int, size: int) -> list[Row]:
    """The reader's first screen against a bare Textual app's, alternating the two, three
    times ``repeat`` pairs: a start-up's time varies the most from run to run."""
    env = {"TUI_READER_DATA_DIR": str(folder), **NO_CONFIG}
    # A first run of each warms the file cache.
    bare_app()
    first_screen(reader_argv(), "All threads", env)
    pairs = [
        (bare_app(), first_screen(reader_argv(), "All threads", env)) for _ in range(3 * repeat)
    ]
    bare = statistics.median(b for b, _ in pairs)
    reader = statistics.median(r for _, r in pairs)
    limit = 1.3 if size <= 100_000 else 1.5
    return [
        {
            "figure": f"first screen, {size:,} posts",
            "result": f"{reader:.2f} s = {reader / bare:.2f}× bare",
            "ratio": reader / bare,
            "target": f"≤ {limit}× bare",
            "baseline": f"bare Textual app {bare:.2f} s",
            "met": reader / bare <= limit,
        }
    ]


def graphics_start(folder: Path, repeat: int) -> list[Row]:
    """What asking the terminal which graphics it draws costs: the question alone (against
    a pseudo-terminal answering at once, as a terminal on this machine does), and the first
    screen in a terminal that draws Sixel against one that draws none, alternating."""
    import pty
    import threading

    from tui_reader.ui.graphics import probe

    def asked() -> float:
        main, other = pty.openpty()

        def answer() -> None:
            heard = b""
            while b"\x1b[c" not in heard:
                heard += os.read(main, 1024)
            os.write(main, b"\x1b[?62;4;22c")

        thread = threading.Thread(target=answer)
        thread.start()
        start = time.perf_counter()
        assert probe(other, other).kind == "sixel"
        took = time.perf_counter() - start
        thread.join()
        os.close(main)
        os.close(other)
        return took

    question = statistics.median(asked() for _ in range(20 * repeat))
    env = {"TUI_READER_DATA_DIR": str(folder), **NO_CONFIG}
    first_screen(reader_argv(), "All threads", env, terminal="sixel")
    pairs = [
        (
            first_screen(reader_argv(), "All threads", env),
            first_screen(reader_argv(), "All threads", env, terminal="sixel"),
        )
        for _ in range(3 * repeat)
    ]
    plain = statistics.median(p for p, _ in pairs)
    sixel = statistics.median(s for _, s in pairs)
    return [
        {
            "figure": "the terminal asked which graphics it draws (before the reader starts)",
            "result": f"{question * 1000:.2f} ms",
            "target": "≤ 30 ms",
            "baseline": "",
            "met": question <= 0.03,
        },
        {
            "figure": "first screen in a terminal drawing Sixel (images extra installed)",
            "result": f"{sixel:.2f} s ({(sixel - plain) * 1000:+.0f} ms)",
            "target": "unchanged (≤ +30 ms)",
            "baseline": f"a terminal drawing none {plain:.2f} s",
            "met": sixel - plain <= 0.03,
        },
    ]


def cli_search(folder: Path, repeat: int) -> list[Row]:
    """``tui-reader search`` over process start (``tui-reader --version``)."""
    env = {"TUI_READER_DATA_DIR": str(folder), **NO_CONFIG}
    base = median_of(lambda: wall([*reader_argv(), "--version"], env), repeat)
    rows: list[Row] = []
    for word, limit, what in ((TYPICAL, 0.1, "a typical word"), (COMMON, 0.3, "a word in half")):
        took = median_of(lambda w=word: wall([*reader_argv(), "search", w], env), repeat)  # type: ignore[misc]
        rows.append(
            {
                "figure": f"CLI search, {what} ({word})",
                "result": f"{(took - base) * 1000:+.0f} ms",
                "target": f"≤ +{limit * 1000:.0f} ms over start",
                "baseline": f"--version {base * 1000:.0f} ms",
                "met": took - base <= limit,
            }
        )
    return rows


def in_process_search(library: Library, repeat: int) -> list[Row]:
    """A typical query in the running process: as the reader runs it (its rows, the words
    in context for the first screenful), and as the library's default (50 threads, the
    words in context for all, as ``tui-reader search`` prints them)."""
    from tui_reader.ui.widgets.feed import SNIPPET_PAGE
    from tui_reader.ui.widgets.library_pane import SEARCH_ROWS, SEARCH_ROWS_PER_THREAD

    def reader() -> float:
        start = time.perf_counter()
        hits = library.search(
            TYPICAL, limit=SEARCH_ROWS, per_thread=SEARCH_ROWS_PER_THREAD, snippets=False
        )
        library.snippets(TYPICAL, hits[:SNIPPET_PAGE])
        return time.perf_counter() - start

    def default() -> float:
        start = time.perf_counter()
        library.search(TYPICAL)
        return time.perf_counter() - start

    took = median_of(reader, repeat)
    whole = median_of(default, repeat)
    return [
        {
            "figure": f"search in process ({TYPICAL}): the reader's {SEARCH_ROWS} rows",
            "result": f"{took * 1000:.1f} ms",
            "target": "≤ 20 ms",
            "baseline": "",
            "met": took <= 0.02,
        },
        {
            "figure": f"search in process ({TYPICAL}): 50 threads, all in context",
            "result": f"{whole * 1000:.1f} ms",
            "target": "≤ 20 ms",
            "baseline": "",
            "met": whole <= 0.02,
        },
    ]


def shown(app: object) -> str:
    """The app's screen as text, rendered now."""
    from textual.app import App

    assert isinstance(app, App)
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _with_kept_images(library: Library, thread: Thread, every: int) -> Thread:
    """``thread`` with a kept photo-like image (a 640 × 480 JPEG, each its own) on every
    ``every``-th post, as the library keeps images: files under media/, rows in its table."""
    import io
    from dataclasses import replace

    from PIL import Image

    from tui_reader.media import check_image, keep_file
    from tui_reader.models import Media
    from tui_reader.store import MediaRow

    posts = list(thread.posts)
    for index in range(0, len(posts), every):
        picture = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
        picture.putpixel((index % 640, 0), (255, 0, 0))  # each image its own file
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=80)
        data = out.getvalue()
        facts = check_image(data)
        keep_file(library.media_folder, facts, data)
        url = f"https://cdn.example/bench/{index}.jpg"
        library.store.record_media(
            MediaRow(url, "kept", facts.sha256, facts.type, facts.width, facts.height,
                     facts.size, facts.file, "", "2026-01-01T00:00:00Z")
        )  # fmt: skip
        posts[index] = replace(posts[index], media=(Media("image", url, f"a chart {index}"),))
    return replace(thread, id=thread.id + "-images", posts=tuple(posts))


def open_long_thread(
    library: Library, posts: int, repeat: int, images_every: int = 0, graphics: str = ""
) -> list[Row]:
    """Open a ``posts``-post thread in the reader, to its first screen drawn (with a kept
    image every ``images_every`` posts, when given, drawn in half blocks or in the
    terminal's ``graphics``: "sixel" or "kitty", in cells of 8 × 16 pixels)."""
    from tests.reader_data import ALICE, make_thread
    from tui_reader.ui import graphics as drawing
    from tui_reader.ui.app import make_app
    from tui_reader.ui.screens.main import MainScreen

    prefix = "pictured" if images_every else "bench"
    long = make_thread(ALICE, prefix, [f"Post {n}: " + "word " * 40 for n in range(posts)], 9)
    if images_every:
        long = _with_kept_images(library, long, images_every)
    library.store.save_thread(long)
    if graphics:
        assert drawing.use(graphics, (8, 16))
    app = make_app(library.config, library)
    samples: list[float] = []
    steps_taken: list[float] = []
    idle_passes: list[float] = []
    forced: list[int] = []

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            for _ in range(repeat):
                other = next(
                    t for t in library.list_threads(ThreadList(), limit=2) if t.id != long.id
                )
                screen.open_thread(other.id)
                await pilot.pause()
                start = time.perf_counter()
                screen.open_thread(long.id)
                # Until a frame shows it: each look renders the screen, as a terminal's would.
                while "Post 0:" not in shown(app):
                    await asyncio.sleep(0)
                samples.append(time.perf_counter() - start)
            # Then read it through, a screenful at a time (space) and a line at a time over
            # the first posts (j): each step is the scroll and the whole screen drawn, the
            # garbage collector's passes included where they fall. Each step tells the
            # reader a key came, as a key would: the collector's full passes wait for a pause.
            view = screen.pane.view
            forced_before = app.collector.passes
            for lines, steps in ((view.scrollable_content_region.height, 10_000), (1, 300)):
                view.go_to_post(0)
                shown(app)
                for _ in range(steps):
                    was = view.scroll_y
                    app.collector.input()
                    start = time.perf_counter()
                    view.scroll_to(y=was + lines, animate=False, immediate=True)
                    shown(app)
                    steps_taken.append(time.perf_counter() - start)
                    await pilot.pause()  # the layout catches up with what was measured
                    if view.scroll_y == was and view.scroll_y >= view.max_scroll_y:
                        break  # the end
            # A pass the collector ran anyway (held too long) lands between steps, where
            # the next key waits for it: counted, and the figure is then not met.
            forced.append(app.collector.passes - forced_before)
            # The full passes held during the read-through run once keys pause: a key
            # pressed just then waits for one.
            for _ in range(3):
                start = time.perf_counter()
                gc.collect()
                idle_passes.append(time.perf_counter() - start)

    # Kitty's images go to the terminal as they are drawn (textual-image writes them to
    # standard output): here, to a file, so each costs its writing.
    sent = tempfile.TemporaryFile("w+", encoding="utf-8")
    stdout, sys.__stdout__ = sys.__stdout__, sent  # type: ignore[misc]
    try:
        asyncio.run(run())
    finally:
        sys.__stdout__ = stdout  # type: ignore[misc]
        sent.close()
        drawing.use("")
    took = statistics.median(samples)
    slowest, typical = max(steps_taken), statistics.median(steps_taken)
    if images_every:
        return [
            {
                "figure": f"read through a {posts}-post thread, a kept image every "
                f"{images_every} posts, in {graphics or 'half blocks'} "
                f"({len(steps_taken)} steps): the slowest",
                "result": f"{slowest * 1000:.1f} ms (median {typical * 1000:.1f}; "
                f"opened in {took * 1000:.0f} ms; full passes forced: {forced[0]})",
                "target": "≤ 33 ms (1/30 s)",
                "baseline": "",
                "met": slowest <= 1 / 30 and not forced[0],
            }
        ]
    return [
        {
            "figure": f"open a {posts}-post thread in the reader",
            "result": f"{took * 1000:.0f} ms",
            "target": "≤ 100 ms",
            "baseline": "",
            "met": took <= 0.1,
        },
        {
            "figure": f"read it through ({len(steps_taken)} steps): the slowest",
            "result": f"{slowest * 1000:.1f} ms (median {typical * 1000:.1f}; "
            f"full passes forced between steps: {forced[0]})",
            "target": "≤ 33 ms (1/30 s)",
            "baseline": "",
            "met": slowest <= 1 / 30 and not forced[0],
        },
        {
            "figure": "then a full collector pass, held until keys pause",
            "result": f"{statistics.median(idle_passes) * 1000:.0f} ms",
            "target": "≤ 100 ms (ours: a key pressed during it waits)",
            "baseline": "",
            "met": statistics.median(idle_passes) <= 0.1,
        },
    ]


def changes_view(folder: Path, repeat: int) -> list[Row]:
    """Open the changes view (W) on a copy of the library in which a sync has just grown 100
    threads and edited a post in 100 more, to its first frame drawn."""
    from dataclasses import replace

    from tui_reader.ui.app import make_app
    from tui_reader.ui.screens.changes import ChangesScreen

    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(folder / "library.sqlite3", Path(scratch) / "library.sqlite3")
        library = Library(Config().with_offline(True), Store(Path(scratch) / "library.sqlite3"))
        chosen = library.list_threads(ThreadList(), limit=200)
        grown, edited = [], []
        for number, summary in enumerate(chosen):
            thread = library.thread(summary.id)
            assert thread is not None
            if number < 100:
                extra = replace(thread.posts[-1], id=thread.posts[-1].id + "x", text="Later.")
                grown.append((replace(thread, posts=(*thread.posts, extra)), False))
            else:
                first = replace(thread.posts[0], text=thread.posts[0].text + " (corrected)")
                edited.append((replace(thread, posts=(first, *thread.posts[1:])), False))
        library.store.save_threads(grown + edited)
        logged = library.store.last_change()
        app = make_app(library.config, library)
        samples: list[float] = []

        async def run() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                for _ in range(repeat):
                    library.store.set_mark("changes-seen", "")  # everything unseen again
                    start = time.perf_counter()
                    app.action_changes()
                    while "What changed in the library" not in shown(app):
                        await asyncio.sleep(0)
                    samples.append(time.perf_counter() - start)
                    assert isinstance(app.screen, ChangesScreen)
                    await pilot.press("escape")
                    await pilot.pause()

        asyncio.run(run())
        library.close()
    took = statistics.median(samples)
    return [
        {
            "figure": f"open the changes view ({logged} changes logged, newest 500 listed)",
            "result": f"{took * 1000:.0f} ms",
            "target": "≤ 50 ms",
            "baseline": "",
            "met": took <= 0.05,
        }
    ]


def watched_sync(watched: int) -> list[Row]:
    """A sync of ``watched`` watched Mastodon threads where nothing changed: how many
    requests it makes, how many were answered 304, and how long it takes."""
    from tests.fake_mastodon import FakeMastodon
    from tests.server import FakeServer

    server = FakeServer().start()
    try:
        masto = FakeMastodon(server)
        ada = masto.account("ada", "Ada")
        roots = [masto.chain(ada, 5)[0] for _ in range(watched)]
        with tempfile.TemporaryDirectory() as scratch:
            library = Library(Config(), Store(Path(scratch) / "library.sqlite3"))

            async def run() -> float:
                try:
                    for root in roots:
                        await library.watch(masto.url_of(root))
                    await library.sync_watched()  # the first check keeps each validator
                    server.log.clear()
                    start = time.perf_counter()
                    results = await library.sync_watched()
                    took = time.perf_counter() - start
                    assert not any(r.changed or r.error for r in results)
                    return took
                finally:
                    await library.aclose()

            took = asyncio.run(run())
            library.close()
        answered_304 = sum(1 for request in server.log if request.headers.get("if-none-match"))
        requests = len(server.log)
    finally:
        server.stop()
    return [
        {
            "figure": f"a sync of {watched} watched threads where nothing changed",
            "result": f"{requests} requests, {answered_304} revalidated (304); {took:.2f} s",
            "target": f"≤ {watched} requests, mostly 304",
            "baseline": "",
            "met": requests <= watched and answered_304 == requests,
        }
    ]


def library_size(path: Path, posts: int) -> list[Row]:
    """The file's size, scaled to 100,000 posts: the posts it holds, counted (``posts`` were
    built; earlier runs of this bench, which reuse the library, saved their long threads
    in it too)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        posts = conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0] or posts
    size = path.stat().st_size / 1e6 * 100_000 / posts
    return [
        {
            "figure": "library file per 100,000 posts",
            "result": f"{size:.1f} MB",
            "target": "≤ 50 MB",
            "baseline": "newsboat 41 MB",
            "met": size <= 50,
        }
    ]


READER_RSS = """
import asyncio, resource, sys
from pathlib import Path
from tui_reader.config import Config
from tui_reader.library import Library
from tui_reader.ui.app import make_app
library = Library.open(Config(), Path(sys.argv[1]))
app = make_app(library.config, library)
async def run():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()
asyncio.run(run())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def reader_memory(folder: Path) -> list[Row]:
    """Peak RSS of the reader opening the library and a thread."""
    out = subprocess.run(
        [sys.executable, "-c", READER_RSS, str(folder)], capture_output=True, text=True, check=True
    )
    mib = int(out.stdout.split()[-1]) / 1024
    return [
        {
            "figure": "reader peak RSS",
            "result": f"{mib:.0f} MiB",
            "target": "≤ 80 MB",
            "baseline": "newsboat 91 MB",
            "met": mib * 1.048576 <= 80,
        }
    ]


def _timed_command(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak MiB of one run of ``argv`` (its own process, start-up included)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[2:]} failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def feed_and_digest(folder: Path, repeat: int, threads: int) -> list[Row]:
    """``tui-reader feed`` of the newest 200 threads, and ``tui-reader digest`` of ``threads``
    threads into an EPUB, each a whole command run as a user runs it (median of ``repeat``)."""
    env = {"TUI_READER_DATA_DIR": str(folder), **NO_CONFIG}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tui-bench-out-") as out:
        feed = [*reader_argv(), "feed", "--limit", "200", "-o", f"{out}/feed.xml"]
        runs = [_timed_command(feed, env) for _ in range(repeat)]
        seconds = statistics.median(run[0] for run in runs)
        rows.append(
            {
                "figure": "feed of the newest 200 threads (the whole command)",
                "result": f"{seconds:.2f} s",
                "target": "≤ 1 s",
                "baseline": "",
                "met": seconds <= 1.0,
            }
        )
        book = [
            *reader_argv(), "digest", "--since", "2000-01-01", "--limit", str(threads),
            "-o", f"{out}/digest.epub",
        ]  # fmt: skip
        runs = [_timed_command(book, env) for _ in range(repeat)]
        seconds = statistics.median(run[0] for run in runs)
        peak = max(run[1] for run in runs)
        posts, images = _posts_and_images(folder, threads)
        rows += [
            {
                "figure": f"digest of {threads} threads ({posts:,} posts, {images:,} images)",
                "result": f"{seconds:.1f} s",
                "target": "≤ 10 s (500 threads)",
                "baseline": "",
                "met": seconds <= 10.0,
            },
            {
                "figure": "digest, peak RSS",
                "result": f"{peak:.0f} MiB",
                "target": "≤ 200 MB",
                "baseline": "",
                "met": peak * 1.048576 <= 200,
            },
        ]
    return rows


def _posts_and_images(folder: Path, threads: int) -> tuple[int, int]:
    """How many posts and images the newest ``threads`` threads of the library hold."""
    library = Library(Config().with_offline(True), Store(folder / "library.sqlite3"))
    try:
        chosen = library.whole_threads(ThreadList(), threads)
        posts = sum(len(t.posts) for t in chosen)
        images = sum(1 for t in chosen for p in t.posts for m in p.media if m.kind == "image")
    finally:
        library.close()
    return posts, images


FAKE_APPVIEW = """
import sys, time
sys.path.insert(0, sys.argv[3])
from tests.fake_bluesky import FakeAppView
from tests.server import FakeServer
server = FakeServer().start()
appview = FakeAppView()
appview.install(server)
every = int(sys.argv[4]) if len(sys.argv) > 4 else 0
threads = 0
for n in range(int(sys.argv[1])):
    person = appview.account(f"author{n}.bsky.social", f"Author {n}")
    for _ in range(int(sys.argv[2]) // 20):
        if every and threads % every == 0:
            # A photo-like picture of its own (640 x 480 JPEG) on the thread's first post.
            import io
            from PIL import Image
            from tests.server import Reply
            picture = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
            picture.putpixel((threads % 640, 0), (255, 0, 0))
            data = io.BytesIO()
            picture.save(data, "JPEG", quality=80)
            body = data.getvalue()
            path = f"/img/{threads}.jpg"
            kind = {"content-type": "image/jpeg"}
            server.route(path, lambda _r, body=body, kind=kind: Reply(200, body, kind))
            image = {"fullsize": server.url + path, "thumb": server.url + path, "alt": "a chart"}
            view = {"$type": "app.bsky.embed.images#view", "images": [image]}
            first = appview.post(person, "Post 1 of 20.", embed_view=view)
            appview.chain(person, 19, reply_to=first)
        else:
            appview.chain(person, 20)
        threads += 1
print(server.url, flush=True)
time.sleep(3600)
"""


#: RSS feeds of the same size and shape as the fake AppView's (``feeds items``), for newsboat.
FAKE_FEEDS = """
import sys
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
feeds, items = int(sys.argv[1]), int(sys.argv[2])
def feed(n):
    out = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
           f'<title>Author {n}</title><link>http://example.org/{n}</link>'
           f'<description>Posts of author {n}</description>']
    for k in range(items):
        when = formatdate(1714564800 + (n * items + k) * 60)
        text = f"Post {k % 20 + 1} of 20."
        out.append(f"<item><title>{text}</title><link>http://example.org/{n}/{k}</link>"
                   f"<guid>http://example.org/{n}/{k}</guid><pubDate>{when}</pubDate>"
                   f"<description>{text}</description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()
bodies = {f"/feed/{n}.xml": feed(n) for n in range(feeds)}
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = bodies.get(self.path, b"")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
"""


def newsboat_ingest(feeds: int, items: int) -> str:
    """newsboat's wall time to take in ``feeds`` feeds of ``items`` items into an empty
    cache (``newsboat -x reload``, its default settings), served from this machine as the
    fake AppView serves the posts; "" when newsboat is not installed."""
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        return ""
    server = subprocess.Popen(
        [sys.executable, "-c", FAKE_FEEDS, str(feeds), str(items)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="tui-bench-newsboat-") as name:
            folder = Path(name)
            (folder / "urls").write_text("".join(f"{url}/feed/{n}.xml\n" for n in range(feeds)))
            (folder / "config").write_text("")
            command = [newsboat, "-u", str(folder / "urls"), "-c", str(folder / "cache.db")]
            command += ["-C", str(folder / "config"), "-x", "reload"]
            started = time.perf_counter()
            subprocess.run(
                command, capture_output=True, check=True, env={**os.environ, "HOME": name}
            )
            seconds = time.perf_counter() - started
            with sqlite3.connect(folder / "cache.db") as cache:
                kept = cache.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]
    finally:
        server.kill()
        server.wait()
    version = subprocess.run([newsboat, "--version"], capture_output=True, text=True).stdout
    return f"{version.split(' - ')[0].strip()}: {kept:,} items in {seconds:.1f} s wall"


def first_sync(
    authors: int, per_author: int, repeat: int, images_every: int = 0, text_wall: float = 0.0
) -> list[Row]:
    """A first sync from a local AppView, as a user runs it: ``tui-reader follow`` the
    authors, then ``tui-reader sync``, whose process's CPU time and peak memory are the
    figures (start-up included; the server, a process of its own, is not counted). Each of
    ``repeat`` runs starts from an empty library; the median is the figure. With
    ``images_every``, every so many threads' first post has a picture, kept after the text:
    the text's part of the wall time (the whole less the pictures' time the sync says) is
    set against ``text_wall``, a sync of the same posts without pictures."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            FAKE_APPVIEW,
            str(authors),
            str(per_author),
            str(ROOT),
            str(images_every),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    cpu: list[float] = []
    walls: list[float] = []
    peak: list[float] = []
    images: list[str] = []
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        for _ in range(repeat):
            seconds, wall, mib, said = _one_first_sync(url, authors)
            cpu.append(seconds)
            walls.append(wall)
            peak.append(mib)
            images += [line for line in said.splitlines() if line.startswith("Images:")]
    finally:
        server.kill()
        server.wait()
    posts = authors * per_author
    scaled = [seconds * 100_000 / posts for seconds in cpu]
    median = statistics.median(scaled)
    mib = max(peak)
    if images_every:
        threads = authors * (per_author // 20)
        expected = len(range(0, threads, images_every))
        said = [re.search(r"\(([0-9.]+) s\)", line) for line in images]
        took = statistics.median(float(m.group(1)) for m in said if m) if any(said) else 0.0
        whole = statistics.median(walls)
        return [
            {
                "figure": f"first sync with a picture every {images_every} threads "
                f"({posts:,} posts): the text's part of the wall time",
                "result": f"{whole - took:.1f} s (whole {whole:.1f} s)",
                "target": "the text sync's (+10%)",
                "baseline": f"no pictures {text_wall:.1f} s",
                "met": whole - took <= text_wall * 1.1,
            },
            {
                "figure": f"  then its pictures, kept after the text ({expected:,} JPEGs)",
                "result": images[len(images) // 2].removeprefix("Images: ") if images else "",
                "target": "said by the sync",
                "baseline": f"client CPU {median:.1f} s per 100,000 posts",
                "met": len(images) == repeat
                and all(line.startswith(f"Images: {expected:,} images kept") for line in images),
            },
        ]
    # The anchor: newsboat took 14.7 s wall for 100,000 items on its filer's
    # machine. Measured here too, where newsboat is installed (the full run only: ~40 s).
    newsboat = newsboat_ingest(authors, per_author) if posts >= 100_000 else ""
    return [
        {
            "figure": f"first sync, client CPU ({posts:,} posts, scaled to 100,000)",
            "result": f"{median:.1f} s ({min(scaled):.1f}-{max(scaled):.1f})",
            "target": "≤ 7 s",
            "baseline": newsboat or "newsboat 14.7 s wall (the issue's machine)",
            "met": median <= 7,
        },
        {
            "figure": f"first sync, wall ({posts:,} posts, server on the same cores)",
            "result": f"{statistics.median(walls):.1f} s",
            "seconds": statistics.median(walls),
            "target": "(context)",
            "baseline": "",
            "met": True,
        },
        {
            "figure": f"first sync, client peak RSS ({posts:,} posts)",
            "result": f"{mib:.0f} MiB",
            "target": "≤ 250 MB",
            "baseline": "",
            "met": mib * 1.048576 <= 250,
        },
    ]


def _one_first_sync(url: str, authors: int) -> tuple[float, float, float, str]:
    """One first sync into an empty library: the sync process's CPU and wall seconds, its
    peak MiB, and what it said."""
    with tempfile.TemporaryDirectory(prefix="tui-bench-sync-") as folder:
        config = Path(folder) / "config.toml"
        config.write_text(
            f'[network]\ntimeout = 300.0\n\n[sources.bluesky]\nappview = "{url}"\n', "utf-8"
        )
        env = {
            **os.environ,
            "TUI_READER_CONFIG": str(config),
            "TUI_READER_DATA_DIR": str(Path(folder) / "data"),
        }
        handles = [f"author{n}.bsky.social" for n in range(authors)]
        subprocess.run(
            [*reader_argv(), "follow", *handles], env=env, capture_output=True, check=True
        )
        started = time.perf_counter()
        sync = subprocess.Popen(
            [*reader_argv(), "sync"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert sync.stdout is not None
        said = sync.stdout.read()
        _, status, usage = os.wait4(sync.pid, 0)
        wall = time.perf_counter() - started
        sync.returncode = os.waitstatus_to_exitcode(status)
        if sync.returncode != 0:
            raise RuntimeError(f"tui-reader sync failed ({sync.returncode}): {said[-500:]}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, said


def main() -> None:
    """Run the benchmarks and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and fast (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "tui-bench")
    args = parser.parse_args()
    # Measured as installed: pip compiles the package's bytecode at install time. A checkout
    # run under PYTHONDONTWRITEBYTECODE would compile every module again on every start.
    compileall.compile_dir(ROOT / "tui_reader", quiet=1)
    # Measured in a process set up as tui-reader sets up its own: the garbage collector
    # leaves what was loaded out of its passes and spaces its young passes (cli.loaded).
    loaded()
    size, big, repeat = (2_000, 0, 2) if args.quick else (100_000, 1_000_000, 5)
    rows: list[Row] = []
    folders: dict[int, Path] = {}
    for posts in (size, big):
        if posts:
            folder = args.cache / f"library-{posts}"
            folder.mkdir(parents=True, exist_ok=True)
            build(folder / "library.sqlite3", posts).close()
            folders[posts] = folder
    library = Library(Config().with_offline(True), Store(folders[size] / "library.sqlite3"))
    for posts, folder in folders.items():
        rows += start_up(folder, repeat, posts)
    rows += graphics_start(folders[size], repeat)
    rows += cli_search(folders[size], repeat)
    rows += in_process_search(library, repeat)
    rows += library_size(folders[size] / "library.sqlite3", size)
    rows += reader_memory(folders[size])
    rows += open_long_thread(library, 1000, repeat)
    for graphics in ("", "sixel", "kitty"):
        rows += open_long_thread(library, 1000, repeat, images_every=10, graphics=graphics)
    rows += changes_view(folders[size], repeat)
    rows += watched_sync(10 if args.quick else 100)
    rows += feed_and_digest(folders[size], repeat, 50 if args.quick else 500)
    # The library: 200 authors of 500 posts.
    authors, per_author = (20, 100) if args.quick else (200, 500)
    text = first_sync(authors, per_author, repeat)
    rows += text
    text_wall = float(text[1]["seconds"])
    rows += first_sync(authors, per_author, repeat, images_every=10, text_wall=text_wall)
    library.close()

    width = max(len(str(row["figure"])) for row in rows)
    for row in rows:
        mark = "ok " if row["met"] else "MISS"
        print(
            f"{mark} {row['figure']:<{width}}  {row['result']:<22} {row['target']:<24} "
            f"{row['baseline']}"
        )
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "quick": args.quick,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": _version("textual"),
        "tui_reader": __version__,
        "peak_rss_of_bench_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "figures": rows,
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
