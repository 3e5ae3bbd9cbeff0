"""The ``tui-reader`` command: argument parsing, output, and one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui_reader import __version__
from tui_reader.config import Config, load_config
from tui_reader.errors import ReaderError, UsageError
from tui_reader.library import Library
from tui_reader.render import FORMATS, nice_date, safe_text, summaries_json

PROG = "tui-reader"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Read Bluesky threads unrolled into one article, online or offline.",
        epilog="Run 'tui-reader COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--offline", action="store_true", help="use only the library; never touch the network"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    unroll = commands.add_parser(
        "unroll",
        help="unroll a thread and print it",
        description="Unroll the thread that contains a post, save it in the library, print it.",
    )
    unroll.add_argument("ref", metavar="REF", help="a post URL, or a thread ID from 'threads'")
    unroll.add_argument(
        "--format", choices=sorted(FORMATS), default="text", help="output format (default: text)"
    )
    unroll.add_argument(
        "--refresh", action="store_true", help="fetch it again even if the library has it"
    )
    unroll.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use only the library; never touch the network",
    )
    unroll.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    read = commands.add_parser(
        "read",
        help="open the reader on one thread",
        description="Open the reader on one thread, unrolling it first if the library lacks it.",
    )
    read.add_argument("ref", metavar="REF", help="a post URL, or a thread ID from 'threads'")

    threads = commands.add_parser(
        "threads",
        help="list the threads in the library",
        description="List the threads in the library, newest first.",
    )
    threads.add_argument("ref", metavar="REF", nargs="?", help="only this author's threads")
    threads.add_argument("--unread", action="store_true", help="only unread threads")
    threads.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def _write_file(path: Path, content: str) -> None:
    """Write beside the target and rename, so a failure never leaves half a file."""
    folder = path.parent
    if not folder.is_dir():
        raise ReaderError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise ReaderError(f"cannot write {path}: it is a folder")
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(content)
        os.replace(temp, path)
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {error.strerror}") from None


def _run(library: Library, work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    async def body() -> Any:
        try:
            return await work()
        finally:
            await library.aclose()

    return asyncio.run(body())


def cmd_unroll(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader unroll REF``."""
    thread = _run(library, lambda: library.unroll(args.ref, refresh=args.refresh))
    content = FORMATS[args.format](thread)
    if args.output:
        _write_file(Path(args.output), content)
        print(f"Wrote {thread.post_count} posts to {args.output}", file=sys.stderr)
    else:
        out.write(content)
    return 0


def cmd_threads(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader threads [REF]``."""
    threads = library.threads(args.ref, unread_only=args.unread)
    if args.format == "json":
        out.write(summaries_json(threads))
        return 0
    if not threads:
        what = "unread threads" if args.unread else "threads"
        whose = f" by {args.ref}" if args.ref else ""
        print(f"The library has no {what}{whose}.", file=sys.stderr)
        return 0
    if out.isatty():
        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in ("", "date", "author", "posts", "title", "id"):
            table.add_column(column, no_wrap=column in ("id", "date"))
        for thread in threads:
            table.add_row(
                Text("●" if thread.unread else " ", style="cyan"),
                Text(nice_date(thread.created_at)[:10]),
                Text("@" + safe_text(thread.author.handle)),
                Text(str(thread.post_count), justify="right"),
                Text(safe_text(thread.title)),
                Text(safe_text(thread.id), style="dim"),
            )
        Console(file=out, highlight=False).print(table)
        return 0
    for thread in threads:
        fields = [
            "unread" if thread.unread else "read",
            nice_date(thread.created_at)[:10],
            "@" + thread.author.handle,
            f"{thread.post_count} posts",
            thread.title,
            thread.id,
        ]
        out.write("\t".join(safe_text(field).replace("\t", " ") for field in fields) + "\n")
    return 0


def run_reader(library: Library, open_ref: str = "") -> int:
    """Open the reader (the Textual app) on the library."""
    from tui_reader.ui.app import make_app

    if open_ref:
        library.resolve(open_ref)  # a REF that names nothing fails here, before the screen clears
    make_app(library.config, library, open_ref=open_ref).run()
    return 0


def cmd_read(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    """``tui-reader read REF``."""
    return run_reader(library, args.ref)


COMMANDS: dict[str, Callable[[argparse.Namespace, Library, TextIO], int]] = {
    "unroll": cmd_unroll,
    "threads": cmd_threads,
    "read": cmd_read,
}


def _error(message: str) -> None:
    text = " ".join(safe_text(message).split())
    print(f"{PROG}: error: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    library: Library | None = None
    try:
        config: Config = load_config().with_offline(args.offline)
        library = Library.open(config)
        if args.command is None:
            return run_reader(library)
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
