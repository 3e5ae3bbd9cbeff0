"""The command line's arguments: every command, flag and help text (``tui-reader --help``,
``tui-reader COMMAND --help``), kept apart from what the commands do (``cli``)."""

from __future__ import annotations

import argparse

from tui_reader import __version__
from tui_reader.formats import FILE_FORMAT_NAMES, FORMAT_NAMES
from tui_reader.sources.registry import author_forms, networks

PROG = "tui-reader"
#: Threads a feed holds unless ``--limit`` says otherwise, and the most a digest takes.
FEED_LIMIT = 50
DIGEST_LIMIT = 500
MAX_SELECTED = 5_000


def arguments() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=f"Read {networks()} threads unrolled into one article, online or offline. "
        "With no COMMAND, opens the reader.",
        epilog="Run 'tui-reader COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--offline", action="store_true", help="use only the library; never touch the network"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the reader on a bundled demo library (your own library is not touched)",
    )
    parser.add_argument(
        "--linear",
        action="store_true",
        help="the reader for screen readers and braille displays: one pane of plain lines, "
        "the terminal cursor on what is read ([ui] linear = true keeps it)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    unroll = commands.add_parser(
        "unroll",
        help="unroll a thread and print it",
        description="Unroll the thread that contains a post, save it in the library, print it.",
    )
    unroll.add_argument("ref", metavar="REF", help="a post URL, or a thread ID from 'threads'")
    unroll.add_argument(
        "--format",
        choices=FORMAT_NAMES,
        help="output format (default: from the -o file's extension, else text)",
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
    unroll.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of stdout (a file already there is replaced)",
    )

    read = commands.add_parser(
        "read",
        help="open the reader on one thread",
        description="Open the reader on one thread, unrolling it first if the library lacks it.",
    )
    read.add_argument("ref", metavar="REF", help="a post URL, or a thread ID from 'threads'")
    read.add_argument(
        "--plain",
        action="store_true",
        help="print the thread as linear text instead (to $PAGER on a terminal): each post "
        "begins 'Post N of M, NAME:'",
    )

    follow = commands.add_parser(
        "follow",
        help="follow authors",
        description="Follow authors: their new threads arrive with 'tui-reader sync'.",
    )
    follow.add_argument(
        "refs",
        metavar="REF",
        nargs="*",
        help=f"a profile or post URL, {author_forms()}",
    )
    follow.add_argument(
        "--import", dest="import_file", metavar="FILE", help="follow everyone in an OPML file"
    )
    follow.add_argument(
        "--sync",
        action="store_true",
        help="bring in the threads of the authors followed now, at once",
    )

    unfollow = commands.add_parser(
        "unfollow",
        help="stop following authors",
        description="Stop following authors. Their threads stay in the library.",
    )
    unfollow.add_argument("refs", metavar="REF", nargs="+")

    following = commands.add_parser(
        "following",
        help="list the authors you follow",
        description="List the authors you follow, with when each was last synced.",
    )
    following.add_argument("--format", choices=["text", "json"], default="text")
    following.add_argument("--export", metavar="FILE", help="write the list as OPML to FILE")

    watch = commands.add_parser(
        "watch",
        help="fetch single threads again at every sync",
        description="Watch threads: each sync fetches them again, for posts added, edited or "
        "deleted upstream. Watching ends by itself after [sync] watch_days with no change.",
    )
    watch.add_argument("refs", metavar="REF", nargs="+", help="a post of the thread")
    unwatch = commands.add_parser(
        "unwatch",
        help="stop watching threads",
        description="Stop watching threads. They stay in the library.",
    )
    unwatch.add_argument("refs", metavar="REF", nargs="+")
    watching = commands.add_parser(
        "watching",
        help="list the threads you watch",
        description="List the watched threads, with when watching began and their last change.",
    )
    watching.add_argument("--format", choices=["text", "json"], default="text")
    changes = commands.add_parser(
        "changes",
        help="what changed in the library since you last looked",
        description="List, newest first, what changed in the library since you last looked "
        "(or since --since): new threads, threads that grew (+N), posts edited or deleted "
        "upstream. Looking moves 'last looked' to now.",
    )
    changes.add_argument(
        "--since", metavar="DATE", help="from this date (2024-06-01) or span back (7d, 24h)"
    )
    changes.add_argument("--format", choices=["text", "json"], default="text")

    sync = commands.add_parser(
        "sync",
        help="bring in new threads from the authors you follow, and watched threads' changes",
        description="Fetch what is new from followed authors (or only those named), unroll "
        "new threads and threads that grew, and mark them new; then fetch the watched "
        "threads again (not when authors are named).",
    )
    sync.add_argument("refs", metavar="REF", nargs="*", help="only these followed authors")
    sync.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="refuse to use the network (sync then has nothing to do)",
    )

    read_state = commands.add_parser(
        "read-state",
        help="carry read marks and positions to another machine",
        description="Export or import read marks and reading positions as JSON. Importing "
        "merges: for each thread the newest mark wins.",
    )
    which = read_state.add_mutually_exclusive_group(required=True)
    which.add_argument("--export", metavar="FILE")
    which.add_argument("--import", dest="import_file", metavar="FILE")

    search = commands.add_parser(
        "search",
        help="search every post in the library",
        description="Search every post in the library, best match first. Words match "
        'without their accents; "a phrase" in quotes; word* for a prefix.',
    )
    # nargs="*": a query may start with "-" ("-x" alone is taken as one; see main).
    search.add_argument("query", metavar="QUERY", nargs="*")
    search.add_argument("--author", metavar="REF", help="only this author's threads")
    search.add_argument("--format", choices=["text", "json"], default="text")

    export = commands.add_parser(
        "export",
        help="save a thread as Markdown, HTML, PDF, JSON or EPUB",
        description="Save a thread to a file. With -o FOLDER the file is named after the "
        "thread's title.",
    )
    export.add_argument("ref", metavar="THREAD", help="a thread ID from 'threads', or a post URL")
    export.add_argument(
        "--format",
        choices=FILE_FORMAT_NAMES,
        help="the format (default: from the file's extension; needed with a folder)",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help="the file to write (a file already there is replaced), or a folder to write it in",
    )

    importer = commands.add_parser(
        "import",
        help="import saved Thread Reader App pages",
        description="Import Thread Reader App pages you saved: the HTML, or the text a "
        "browser copies. Importing the same page twice changes nothing.",
    )
    importer.add_argument("files", metavar="FILE", nargs="+")

    feed = commands.add_parser(
        "feed",
        help="an Atom feed of whole threads (for a feed reader)",
        description="Write an Atom 1.0 feed of the library's threads, newest first, one entry "
        "per thread holding the whole thread. newsboat reads it with a line such as "
        '"exec:tui-reader feed --author @someone" in its urls file.',
    )
    _choosing(feed, since=None, limit=FEED_LIMIT)
    feed.add_argument(
        "-o", dest="output", metavar="FILE", default="-", help="write here (- : stdout)"
    )

    digest = commands.add_parser(
        "digest",
        help="an EPUB book of many threads",
        description="Write an EPUB 3 book of the threads started since DATE (7d by default): "
        "a title page, a table of contents, one chapter per thread.",
    )
    _choosing(digest, since="7d", limit=DIGEST_LIMIT)
    digest.add_argument("-o", dest="output", metavar="FILE.epub", required=True)

    media = commands.add_parser(
        "media",
        help="the images kept with the library",
        description="Say how many images the library's threads hold, how many are kept (and "
        "how many bytes), refused or missing; --fetch gets the missing ones.",
    )
    media.add_argument("--fetch", action="store_true", help="fetch the images not kept yet")

    threads = commands.add_parser(
        "threads",
        help="list the threads in the library",
        description="List the threads in the library, newest first.",
    )
    threads.add_argument("ref", metavar="REF", nargs="?", help="only this author's threads")
    threads.add_argument("--unread", action="store_true", help="only unread threads")
    threads.add_argument("--format", choices=["text", "json"], default="text")
    threads.add_argument(
        "--plain",
        action="store_true",
        help="one line of words per thread ('unread, 40 posts, 2 June 2024, NAME: title')",
    )
    return parser


def _choosing(command: argparse.ArgumentParser, *, since: str | None, limit: int) -> None:
    """The options that choose threads for a feed or a book."""
    command.add_argument("--author", metavar="REF", help="only this author's threads")
    command.add_argument("--unread", action="store_true", help="only unread threads")
    default = f" ({since} unless given)" if since else ""
    command.add_argument(
        "--since",
        metavar="DATE",
        default=since,
        help=f"only threads started since DATE: 2024-06-01, or 7d, 24h, 2w{default}",
    )
    command.add_argument(
        "--limit", type=int, default=limit, metavar="N", help=f"at most N threads ({limit})"
    )
