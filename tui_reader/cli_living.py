"""The commands for threads that live: ``watch``, ``unwatch``, ``watching`` and
``changes``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from tui_reader.clean import clean_line
from tui_reader.errors import ReaderError, UsageError
from tui_reader.library import Change, Library
from tui_reader.render import counted, nice_date, safe_text, short_date
from tui_reader.times import since_time

#: How each kind of change reads in a list.
CHANGE_LABELS = {
    "new": "new thread",
    "grew": "grew",
    "edited": "post edited",
    "deleted": "post deleted",
}


def run_async(library: Library, work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``work`` on an event loop, closing the library's connections after it."""

    async def body() -> Any:
        try:
            return await work()
        finally:
            await library.aclose()

    return asyncio.run(body())


def say_error(message: str) -> None:
    """One line of error on standard error."""
    print(f"tui-reader: error: {clean_line(message)}", file=sys.stderr)


def cmd_watch(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader watch REF…``."""

    async def watch_all() -> int:
        failed = 0
        for ref in args.refs:
            try:
                thread, added = await library.watch(ref)
            except ReaderError as error:
                say_error(f"{ref or repr(ref)}: {error.message}")
                failed += 1
                continue
            summary = thread.summary()
            verb = "Watching" if added else "Already watching"
            out.write(
                f"{verb} #{library_number(library, thread.id)} {safe_text(summary.title)} "
                f"(@{safe_text(thread.author.handle)}, {counted(thread.post_count, 'post')}); "
                f"each sync fetches it again\n"
            )
        return 1 if failed else 0

    code: int = run_async(library, watch_all)
    return code


def library_number(library: Library, thread_id: str) -> int:
    """The short number the library gives a thread."""
    listed = library.summary(thread_id)
    return listed.number if listed is not None else 0


def cmd_unwatch(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader unwatch REF…``."""
    failed = 0
    for ref in args.refs:
        try:
            summary, was = library.unwatch(ref)
        except ReaderError as error:
            say_error(f"{ref or repr(ref)}: {error.message}")
            failed += 1
            continue
        title = safe_text(summary.title)
        out.write(
            f"No longer watching {title}; it stays in the library.\n"
            if was
            else f"{title} was not watched.\n"
        )
    return 1 if failed else 0


def cmd_watching(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader watching [--format json]``."""
    watches = library.watching()
    days = library.config.sync.watch_days
    if args.format == "json":
        data = [
            {
                "id": w.thread.id,
                "number": w.thread.number,
                "title": w.thread.title,
                "author": w.thread.author.handle,
                "url": w.thread.url,
                "post_count": w.thread.post_count,
                "since": w.since,
                "changed_at": w.changed_at,
            }
            for w in watches
        ]
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not watches:
        print("You watch no threads. Start with: tui-reader watch REF", file=sys.stderr)
        return 0
    for w in watches:
        out.write(
            f"#{w.thread.number}\t@{safe_text(w.thread.author.handle)}\t"
            f"{counted(w.thread.post_count, 'post')}\twatched since {short_date(w.since)}\t"
            f"last change {short_date(w.changed_at)}\t{safe_text(w.thread.title)}\n"
        )
    print(
        f"Each sync fetches these again; a thread with no change in {days} days "
        "([sync] watch_days) is no longer watched.",
        file=sys.stderr,
    )
    return 0


def change_line(change: Change) -> str:
    """One change as a line: when, what, where, which thread."""
    what = CHANGE_LABELS.get(change.kind, change.kind)
    if change.kind == "grew":
        what = f"grew +{change.count}"
    place = f" (post {change.place + 1})" if change.kind != "new" else ""
    return (
        f"{nice_date(change.at)}\t{what}{place}\t#{change.thread.number}\t"
        f"@{safe_text(change.thread.author.handle)}\t{safe_text(change.thread.title)}"
    )


def change_dict(change: Change) -> dict[str, Any]:
    """One change in ``changes --format json``'s shape."""
    return {
        "at": change.at,
        "kind": change.kind,
        "thread_id": change.thread.id,
        "number": change.thread.number,
        "title": change.thread.title,
        "author": change.thread.author.handle,
        "url": change.thread.url,
        "post_id": change.post_id,
        "post_index": change.place,
        "count": change.count,
    }


def cmd_changes(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader changes [--since DATE] [--format json]``."""
    since = None
    if args.since is not None:
        since = since_time(args.since)
        if since is None:
            raise UsageError(f"--since takes a date (2024-06-01) or a span (7d, 24h): {args.since}")
    found, looked = library.changes(since)
    if args.format == "json":
        out.write(json.dumps([change_dict(c) for c in found], ensure_ascii=False, indent=2) + "\n")
        return 0
    if not found:
        when = (
            f"since {nice_date(since)}"
            if since
            else f"since you last looked ({nice_date(looked)})"
            if looked
            else "yet"
        )
        print(f"Nothing changed in the library {when}.", file=sys.stderr)
        return 0
    for change in found:
        out.write(change_line(change) + "\n")
    return 0
