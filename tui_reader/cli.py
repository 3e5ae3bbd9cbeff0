"""The ``tui-reader`` command: argument parsing, output, and one-line errors."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui_reader.arguments import MAX_SELECTED, PROG, arguments
from tui_reader.clean import clean_line
from tui_reader.cli_living import (
    cmd_changes,
    cmd_unwatch,
    cmd_watch,
    cmd_watching,
    run_async,
)
from tui_reader.config import Config, load_config
from tui_reader.errors import ReaderError, UsageError
from tui_reader.export import export_thread, write_atomic
from tui_reader.files import FileProblem, read_text_capped
from tui_reader.formats import (
    FILE_FORMATS,
    format_for_file,
    format_named,
)
from tui_reader.library import AuthorSync, Library, ThreadList
from tui_reader.models import Author, Thread
from tui_reader.render import (
    change_words,
    counted,
    nice_date,
    refresh_words,
    safe_text,
    short_date,
    snippet_pieces,
    summaries_json,
    summary_dict,
)
from tui_reader.times import since_time, utc_now

if TYPE_CHECKING:
    from rich.text import Text

    from tui_reader.watching import WatchedSync

# rich is imported where a terminal is written to (tables, progress, styled results): a
# command writing to a pipe, as scripts and the sync under cron do, starts 45 ms sooner.


def _write_file(path: Path, content: str) -> None:
    if path.is_dir():
        raise ReaderError(f"cannot write {path}: it is a folder")
    write_atomic(path, content.encode("utf-8"))


_run = run_async


def cmd_unroll(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader unroll REF``."""
    chosen = format_for_file(args.format, args.output or "", default="text")
    if not args.output and not chosen.printable:
        raise UsageError(f"{chosen.name} cannot be printed; write it to a file with -o")
    if args.output and args.output != "-":
        folder = Path(args.output).parent
        if not folder.is_dir():
            # Said before anything is fetched: nothing could be written anyway.
            raise ReaderError(f"cannot write {args.output}: the folder {folder} does not exist")
    thread, saved = _run(library, lambda: library.unroll_saving(args.ref, refresh=args.refresh))
    if args.refresh and saved is not None and not saved.new:
        # Said apart from the thread itself: standard output stays the thread.
        found = refresh_words(saved.added, saved.edited, saved.deleted)
        print(f"Refreshed: {found}.", file=sys.stderr)
        for note in saved.notes:
            _warn(note)
    # Its images after its text is saved: a failed image fails nothing.
    if _keep_images(library, [thread.id]):
        # Read again: the thread's JSON names the files of the images just kept.
        thread = library.thread(thread.id) or thread
    data, warnings = chosen.write(thread)
    for warning in warnings:
        _warn(warning)
    if args.output and args.output != "-":
        path = Path(args.output)
        verb = "Replaced" if path.is_file() else "Wrote"
        write_atomic(path, data)
        print(f"{verb} {args.output}: {thread.post_count} posts", file=sys.stderr)
    elif chosen.printable:
        out.write(data.decode("utf-8"))
    else:
        _to_stdout(data, chosen.name, out)
    return 0


def _to_stdout(data: bytes, fmt: str, out: TextIO) -> None:
    """``-o -``: the bytes to standard output, but not a binary format onto a terminal."""
    if sys.stdout.isatty():
        raise UsageError(f"{fmt} is not for a terminal: pipe it, or write it to a file with -o")
    out.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _selected(args: argparse.Namespace, library: Library) -> tuple[list[Thread], str]:
    """The whole threads ``--author``, ``--unread``, ``--since`` and ``--limit`` choose, newest
    first, and those choices in words (for the feed's or the book's title)."""
    if not 1 <= args.limit <= MAX_SELECTED:
        raise UsageError(f"--limit must be 1 to {MAX_SELECTED:,}")
    since = ""
    words = []
    if args.since:
        since = since_time(args.since) or ""
        if not since:
            raise UsageError(f"--since {args.since!r} is not a date (2024-06-01) or a span (7d)")
        words.append(f"since {args.since}")
    author_key = None
    if args.author:
        author_key = library.author_key_of(args.author)
        if author_key is None:
            raise ReaderError(f"{clean_line(args.author)} is not an author in the library")
        words.insert(0, f"by {clean_line(args.author)}")
    if args.unread:
        words.insert(0, "unread")
    view = ThreadList(author_key=author_key, unread_only=args.unread, since=since)
    threads = library.whole_threads(view, args.limit)
    if not threads:
        raise ReaderError(f"no threads in the library match ({', '.join(words) or 'none kept'})")
    return threads, " ".join(words)


def _write_output(name: str, data: bytes, what: str, out: TextIO) -> None:
    """``data`` to ``-o``'s file (atomically; into a FIFO or device as it is), or to standard
    output for ``-``."""
    if name == "-":
        _to_stdout(data, what, out)
        return
    path = Path(name)
    if path.is_dir():
        raise UsageError(f"-o {name} is a folder; name the file")
    write_atomic(path, data)


def cmd_feed(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader feed``."""
    from tui_reader.atom import atom_feed

    threads, chosen = _selected(args, library)
    title = f"tui-reader: {chosen}" if chosen else "tui-reader"
    data = atom_feed(threads, title=title, now=utc_now())
    if args.output == "-":
        out.write(data.decode("utf-8"))
    else:
        _write_output(args.output, data, "atom", out)
        print(f"Wrote {args.output}: {counted(len(threads), 'thread')}", file=sys.stderr)
    return 0


def cmd_digest(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader digest -o FILE.epub``."""
    from tui_reader.epub import epub_book

    threads, chosen = _selected(args, library)
    title = f"Threads {chosen}" if chosen else "Threads"
    data = epub_book(threads, title=title, modified=utc_now())
    _write_output(args.output, data, "epub", out)
    if args.output != "-":
        print(f"Wrote {args.output}: {counted(len(threads), 'thread')}", file=sys.stderr)
    return 0


def _keep_images(library: Library, thread_ids: list[str]) -> int:
    """Keep the images of threads just saved (after their text), and say what happened on
    standard error: a failed image never fails the command. How many were kept."""
    if not thread_ids or library.offline or library.config.media.keep != "images":
        return 0
    try:
        report = _run(library, lambda: library.keep_images(thread_ids))
    except ReaderError as error:
        _warn(f"images not kept: {error.message}")
        return 0
    if report.summary():
        print(f"Images: {report.summary()}", file=sys.stderr)
    for line in report.refused[:10]:
        _warn(f"image refused: {line}")
    return int(report.kept)


def cmd_media(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader media [--fetch]``."""
    if args.fetch:
        if library.offline:
            raise ReaderError("offline: fetching images needs the network")
        report = _run(library, library.keep_missing_images)
        print(f"Images: {report.summary() or 'nothing to fetch'}", file=sys.stderr)
        for line in report.refused[:20]:
            _warn(f"image refused: {line}")
    facts = library.media_report()
    size = facts["bytes"] / (1024 * 1024)
    out.write(
        f"{facts['images']} images in the library's posts: {facts['kept']} kept "
        f"({facts['files']} files, {size:.1f} MB in {library.media_folder}), "
        f"{facts['refused']} refused, {facts['missing']} missing\n"
    )
    return 0


def cmd_threads(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader threads [REF]``."""
    threads = library.threads(args.ref, unread_only=args.unread)
    if args.format == "json":
        out.write(summaries_json(threads))
        return 0
    if args.plain and threads:
        from tui_reader.linear import thread_rows

        out.write(thread_rows(threads))
        return 0
    if not threads:
        what = "unread threads" if args.unread else "threads"
        whose = f" by {args.ref}" if args.ref else ""
        print(f"The library has no {what}{whose}.", file=sys.stderr)
        return 0
    if out.isatty():
        from rich.console import Console
        from rich.table import Table  # only for a list on a terminal
        from rich.text import Text

        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in ("#", "", "date", "author", "posts", "title", "id"):
            table.add_column(column, no_wrap=column in ("#", "id", "date"))
        for thread in threads:
            table.add_row(
                Text(f"#{thread.number}", style="bold"),
                Text(
                    "new"
                    if thread.is_new
                    else ("●" if thread.unread else " ")
                    + (f"+{thread.new_since_read}" if thread.new_since_read else ""),
                    style="cyan",
                ),
                Text(short_date(thread.created_at)),
                Text("@" + safe_text(thread.author.handle)),
                Text(str(thread.post_count), justify="right"),
                Text(safe_text(thread.title)),
                Text(safe_text(thread.id), style="dim"),
            )
        Console(file=out, highlight=False).print(table)
        return 0
    for thread in threads:
        state = ("new" if thread.is_new else "unread") if thread.unread else "read"
        fields = [
            f"#{thread.number}",
            state if thread.fetched else "listed",
            short_date(thread.created_at) if thread.created_at else "",
            "@" + thread.author.handle,
            f"{thread.post_count} posts",
            thread.title,
            thread.id,
        ]
        out.write("\t".join(safe_text(field).replace("\t", " ") for field in fields) + "\n")
    return 0


def _need_terminal() -> None:
    """The reader draws on a terminal and reads keys from one; without, it would spin."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ReaderError(
            "the reader needs a terminal; for output to a file or a pipe use "
            "'tui-reader unroll REF' or 'tui-reader threads'"
        )


#: Allocations between the garbage collector's young passes for a command (Python's default,
#: which the reader keeps, is 700).
GC_YOUNG_PASS = 50_000


def loaded(young_pass: int = 0) -> None:
    """Start-up is over. What it loaded lives as long as the process: the garbage collector
    leaves it out of its passes from now on (a full pass over it took 50 ms while the first
    screen was drawn), and is switched back on if the entry point paused it (``__main__``).

    A command spaces the young passes out (``young_pass`` allocations apart): they are
    triggered by counting allocations, and a sync keeps a few thousand parsed posts alive at
    a time, so at the default the collector ran every few pages to find nothing (7% of a
    sync's CPU). The reader keeps the default: a young pass over 50,000 objects holds the
    screen for up to 0.14 s, a pass over 700 for a millisecond."""
    gc.freeze()
    if young_pass:
        gc.set_threshold(young_pass, 10, 10)
    gc.enable()


def run_reader(library: Library, open_ref: str = "") -> int:
    """Open the reader (the Textual app) on the library."""
    from tui_reader.ui.app import make_app
    from tui_reader.ui.graphics import finish as finish_graphics
    from tui_reader.ui.graphics import start as start_graphics

    loaded()
    if open_ref:
        library.resolve(open_ref)  # a REF that names nothing fails here, before the screen clears
    _need_terminal()
    start_graphics(library.config.images, linear=library.config.linear)
    app = make_app(library.config, library, open_ref=open_ref)
    try:
        app.run()
    finally:
        finish_graphics()
    # Textual prints the traceback of a crash and sets the code; a crash is never success.
    return app.return_code or 0


def run_demo(*, linear: bool = False) -> int:
    """Open the reader on the demo library, built afresh in a temporary folder."""
    import tempfile

    from tui_reader.demo import build
    from tui_reader.ui.app import make_app
    from tui_reader.ui.graphics import finish as finish_graphics
    from tui_reader.ui.graphics import start as start_graphics

    loaded()
    _need_terminal()
    with tempfile.TemporaryDirectory(prefix="tui-reader-demo-") as folder:
        library = build(Path(folder))
        # The demo has its own library and settings, but how it is drawn is the user's.
        library.config = replace(library.config, linear=linear)
        start_graphics(library.config.images, linear=linear)
        try:
            app = make_app(library.config, library)
            app.title = "tui-reader · demo library"
            app.run()
        finally:
            finish_graphics()
            library.close()
    return app.return_code or 0


def cmd_read(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader read REF [--plain]``."""
    if not args.plain:
        return run_reader(library, args.ref)
    from tui_reader.linear import linear_thread

    thread = _run(library, lambda: library.unroll(args.ref))
    _page(linear_thread(thread), out)
    return 0


def _page(text: str, out: TextIO) -> None:
    """``text`` through ``$PAGER`` when it is set and the output is a terminal; else written."""
    pager = os.environ.get("PAGER", "").strip()
    if pager and out.isatty():
        try:
            command = shlex.split(pager)
            with subprocess.Popen(command, stdin=subprocess.PIPE) as shown:
                assert shown.stdin is not None
                with contextlib.suppress(BrokenPipeError):  # the pager quit before the end
                    shown.stdin.write(text.encode("utf-8", "replace"))
                    shown.stdin.close()
            return
        except (OSError, ValueError) as error:
            _warn(f"$PAGER could not be started ({error}); printing instead")
    out.write(text)


#: The most of a file to import that is read (saved pages, OPML, read-state files).
MAX_IMPORT_BYTES = 64 * 1024 * 1024


def _read_file(name: str) -> str:
    try:
        return read_text_capped(Path(name), MAX_IMPORT_BYTES)
    except FileNotFoundError:
        raise ReaderError(f"no such file: {name}") from None
    except FileProblem as problem:
        raise ReaderError(str(problem)) from None


def _who(author: Author) -> str:
    name = safe_text(author.display_name)
    return f"{name} (@{safe_text(author.handle)})" if name else f"@{safe_text(author.handle)}"


def cmd_follow(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader follow REF… | --import FILE``."""
    if bool(args.refs) == bool(args.import_file):
        raise UsageError("give one or more REFs, or --import FILE")
    if args.sync and args.import_file:
        raise UsageError("--sync goes with REFs; after --import, run tui-reader sync")
    if args.import_file:
        text = _read_file(args.import_file)
        report = _run(library, lambda: library.import_follows(text))
        for problem in report.problems:
            print(f"skipped: {safe_text(problem)}", file=sys.stderr)
        out.write(
            f"Imported {report.added} new follows ({report.unchanged} already followed"
            f", {report.skipped} skipped).\n"
        )
        return 1 if report.skipped else 0

    async def follow_all() -> int:
        failed = 0
        followed: list[Author] = []
        for ref in args.refs:
            try:
                author, added = await library.follow(ref)
            except ReaderError as error:
                _error(f"{ref or repr(ref)}: {error.message}")
                failed += 1
                continue
            verb = "Following" if added else "Already following"
            out.write(f"{verb} {_who(author)} on {author.source}\n")
            followed.append(author)
        if args.sync and followed:
            # Their threads now, not at the next sync.
            results = await library.sync(
                authors=followed, on_progress=lambda r: print(_sync_line(r), file=sys.stderr)
            )
            new = sum(r.new_threads for r in results)
            out.write(f"Brought in {counted(new, 'new thread')}.\n")
            failed += sum(1 for r in results if r.error)
        return 1 if failed else 0

    code: int = _run(library, follow_all)
    return code


def cmd_unfollow(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader unfollow REF…``."""
    failed = 0
    for ref in args.refs:
        try:
            author = library.unfollow(ref)
        except ReaderError as error:
            _error(error.message)
            failed += 1
            continue
        out.write(f"Unfollowed {_who(author)}; their threads stay in the library.\n")
    return 1 if failed else 0


def cmd_following(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader following [--format json] [--export FILE]``."""
    rows = library.following()
    if args.export:
        _write_file(Path(args.export), library.export_follows())
        print(f"Wrote {len(rows)} follows to {args.export}", file=sys.stderr)
        return 0
    if args.format == "json":
        data = [
            {
                "id": r.author.id,
                "source": r.author.source,
                "handle": r.author.handle,
                "display_name": r.author.display_name,
                "url": r.author.url,
                "threads": r.threads,
                "unread": r.unread,
                "synced_at": r.synced_at or None,
                "error": r.error or None,
            }
            for r in rows
        ]
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not rows:
        print("You follow nobody yet. Start with: tui-reader follow REF", file=sys.stderr)
        return 0
    for row in rows:
        synced = f"synced {nice_date(row.synced_at)}" if row.synced_at else "never synced"
        problem = f"\tfailed: {safe_text(row.error)}" if row.error else ""
        out.write(
            f"@{safe_text(row.author.handle)}\t{row.author.source}\t"
            f"{safe_text(row.author.display_name)}\t{counted(row.threads, 'thread')}\t"
            f"{row.unread} unread\t{synced}{problem}\n"
        )
    return 0


def cmd_sync(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader sync [REF…]``: the followed authors (or those named), then the watched
    threads (when no author is named)."""
    authors = len(args.refs) if args.refs else library.follow_count()
    watched = 0 if args.refs else len(library.watching())
    if not authors and not watched:
        # Nothing to do is not a failure.
        print("You follow nobody yet. Start with: tui-reader follow REF", file=sys.stderr)
        return 0
    said: Callable[[str], None] = lambda line: print(line, file=sys.stderr)  # noqa: E731
    progress = None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress
        from rich.text import Text

        progress = Progress(console=Console(stderr=True), transient=True)
        task = progress.add_task("Syncing", total=authors + watched)

        def said(line: str) -> None:
            assert progress is not None
            progress.advance(task)
            progress.console.print(Text(line))

    async def work() -> tuple[list[AuthorSync], list[WatchedSync]]:
        results = (
            await library.sync(args.refs or None, lambda r: said(_sync_line(r))) if authors else []
        )
        if not watched:
            return results, []
        skip = {thread_id for r in results for thread_id in r.changed}
        return results, await library.sync_watched(skip, lambda w: said(watched_line(w)))

    before = library.last_change()
    with progress or contextlib.nullcontext():
        results, refreshed = _run(library, work)
    counts = library.change_counts(before)
    failed = [r.error for r in results if r.error] + [w.error for w in refreshed if w.error]
    parts = [counted(len(results), "author")] if authors else []
    if watched:
        parts.append(f"{counted(len(refreshed), 'watched thread')}")
    summary = change_words(counts["new"], counts["grew"], counts["edited"], counts["deleted"])
    parts.append(summary or "nothing new")
    if failed:
        parts.append(f"{len(failed)} failed: {safe_text(failed[0])}")
    out.write(" · ".join(parts) + "\n")
    # The text is saved; the images of what came in are kept after it (timed apart).
    changed = [thread_id for r in results for thread_id in r.changed]
    changed += [w.thread.id for w in refreshed if w.changed]
    _keep_images(library, changed)
    return 1 if failed else 0


def _sync_line(result: AuthorSync) -> str:
    who = f"@{safe_text(result.author.handle)}"
    if result.error:
        return f"{who}: failed: {safe_text(result.error)}"
    line = f"{who}: {result.new_threads} new, {result.grown_threads} grew"
    if result.edited_posts or result.deleted_posts:
        line += f", {result.edited_posts} edited, {result.deleted_posts} deleted"
    return line


def watched_line(result: WatchedSync) -> str:
    """How fetching one watched thread again went, as a line."""
    what = f"watched #{result.thread.number} {safe_text(result.thread.title)[:60]}"
    if result.ended:
        return f"{what}: no change in a while; no longer watched"
    if result.error:
        return f"{what}: {safe_text(result.error)}"
    saved = result.saved
    if saved is None or not saved.changed:
        return f"{what}: unchanged"
    words = change_words(0, 0, saved.edited, saved.deleted)
    grew = f"+{saved.added} posts" if saved.added else ""
    notes = "".join(f"; {safe_text(note)}" for note in saved.notes)
    return f"{what}: {', '.join(filter(None, (grew, words)))}{notes}"


def _snippet(snippet: str, mark: str) -> Text:
    """A search snippet with the matched words styled (``mark`` "" for plain text)."""
    from rich.text import Text

    text = Text()
    for piece, matched in snippet_pieces(snippet):
        text.append(piece, style=mark if matched and mark else None)
    return text


def cmd_search(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader search QUERY``."""
    query = " ".join(args.query)
    if not query.strip():
        raise UsageError("search needs a QUERY: the words to look for")
    notice = library.notice
    hits = library.search(query, args.author)
    if library.notice != notice:
        _warn(library.notice)
    if args.format == "json":
        data = []
        for hit in hits:
            entry = summary_dict(hit.thread)
            entry["preview"] = _snippet(hit.snippet, "").plain
            data.append(entry)
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not hits:
        print(f"Nothing in the library matches {safe_text(repr(query))}.", file=sys.stderr)
        return 0
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, markup=False) if out.isatty() else None
    for hit in hits:
        thread = hit.thread
        head = (
            f"{short_date(thread.created_at)} · @{safe_text(thread.author.handle)} · "
            f"{safe_text(thread.title)} · post {hit.post_index + 1}/{thread.post_count}"
        )
        if console is not None:
            console.print(Text(head, style="bold"))
            console.print(Text("  ").append_text(_snippet(hit.snippet, "reverse")))
            console.print(Text(f"  #{thread.number} · {safe_text(thread.id)}", style="dim"))
        else:
            snippet = _snippet(hit.snippet, "").plain
            out.write(f"{head}\n  {snippet}\n  #{thread.number} · {safe_text(thread.id)}\n")
    return 0


def cmd_export(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader export THREAD --format … -o FILE``."""
    if not args.output.strip():
        raise UsageError("-o names no file: give a file, a folder, or - for standard output")
    if args.output == "-":
        chosen = format_for_file(args.format, "", default="markdown")
        if chosen.name not in FILE_FORMATS:
            raise UsageError(f"export writes {', '.join(FILE_FORMATS)}, not {chosen.name}")
        thread = _run(library, lambda: library.unroll(args.ref))
        data, warnings = chosen.write(thread)
        for warning in warnings:
            _warn(warning)
        if chosen.printable:
            out.write(data.decode("utf-8"))
        else:
            _to_stdout(data, chosen.name, out)
        return 0
    output = Path(args.output)
    if args.output.endswith(("/", "\\")) and not output.is_dir():
        raise ReaderError(f"cannot write into {args.output}: the folder does not exist")
    if output.is_dir():
        if args.format is None:
            raise UsageError(f"give --format to write into the folder {args.output}")
        fmt = format_named(args.format).name
    else:
        fmt = format_for_file(args.format, args.output, default=None).name
        if fmt not in FILE_FORMATS:
            raise UsageError(f"export writes {', '.join(FILE_FORMATS)}, not {fmt}")
    thread = _run(library, lambda: library.unroll(args.ref))
    result = export_thread(thread, fmt, output)
    for warning in result.warnings:
        _warn(warning)
    verb = "Replaced" if result.replaced else "Wrote"
    print(f"{verb} {result.path}: {thread.post_count} posts", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader import FILE…``."""
    failed = 0
    for name in args.files:
        try:
            content = _read_file(name)
        except ReaderError as error:
            _error(error.message)  # it names the file
            failed += 1
            continue
        try:
            thread, listed, fresh = library.import_saved(content)
        except ReaderError as error:
            _error(f"{name}: {error.message}")
            failed += 1
            continue
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
            _error(f"{name}: could not be read as a page (unexpected {type(error).__name__})")
            failed += 1
            continue
        verb = "Imported" if fresh else "Already in the library:"
        more = f"; {listed} more from @{safe_text(thread.author.handle)} listed" if listed else ""
        out.write(
            f"{verb} {safe_text(thread.title)} by {_who(thread.author)} "
            f"({thread.post_count} posts){more}\n"
        )
    return 1 if failed else 0


def cmd_read_state(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader read-state --export FILE | --import FILE``."""
    if args.export:
        content = library.export_read_state()
        _write_file(Path(args.export), content)
        print(f"Wrote read marks to {args.export}", file=sys.stderr)
        return 0
    report = library.import_read_state(_read_file(args.import_file))
    out.write(
        f"Merged read marks: {report.added} applied, {report.unchanged} already as new "
        f"here, {report.skipped} for threads not in this library"
        + (f"; {counted(report.watches, 'thread')} watched from now on" if report.watches else "")
        + ".\n"
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Library, TextIO], int]] = {
    "unroll": cmd_unroll,
    "threads": cmd_threads,
    "read": cmd_read,
    "follow": cmd_follow,
    "unfollow": cmd_unfollow,
    "following": cmd_following,
    "sync": cmd_sync,
    "read-state": cmd_read_state,
    "import": cmd_import,
    "search": cmd_search,
    "export": cmd_export,
    "feed": cmd_feed,
    "digest": cmd_digest,
    "media": cmd_media,
    "watch": cmd_watch,
    "unwatch": cmd_unwatch,
    "watching": cmd_watching,
    "changes": cmd_changes,
}


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {clean_line(message)}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"{PROG}: error: {clean_line(message)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = arguments()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "search":
        # "search -foo" is a query that starts with a dash, not an unknown option.
        args.query = [*args.query, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    library: Library | None = None
    try:
        config: Config = load_config().with_offline(args.offline)
        if args.linear:
            config = replace(config, linear=True)
        for warning in config.warnings:
            _warn(warning)
        if args.demo:
            if args.command is not None:
                raise UsageError("--demo opens the reader; it takes no COMMAND")
            return run_demo(linear=config.linear)
        library = Library.open(config)
        if library.notice:
            _warn(library.notice)
        if args.command is None:
            return run_reader(library)
        loaded(GC_YOUNG_PASS)
        return COMMANDS[args.command](args, library, sys.stdout)
    except UsageError as error:
        _error(error.message)
        return 2
    except ReaderError as error:
        _error(error.message)
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (| head); that is not an error.
        sys.stderr.close()
        return 0
    except Exception as error:  # noqa: BLE001 - a traceback is never the answer for a user
        _error(f"unexpected {type(error).__name__}: {error}")
        return 1
    finally:
        if library is not None:
            library.close()
