"""How much of what a server sends is kept: caps that bound every action's work and memory.

A real post carries a handful of links and at most a few images; a hostile one can carry tens
of thousands, and every path over them (parsing, drawing, exporting) would pay for each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import TypeVar

from tui_reader.errors import SourceUnavailable

T = TypeVar("T")

#: Links kept per post (the first ones); the post says how many more were dropped.
MAX_LINKS_PER_POST = 1_000
#: Media items kept per post.
MAX_MEDIA_PER_POST = 100
#: Earlier texts kept of one edited post (the newest; a server may keep thousands).
MAX_VERSIONS = 20
#: Edit histories read for one thread in one refresh (a request each).
MAX_HISTORIES_PER_THREAD = 20


def dropped_note(kind: str, dropped: int, kept: int) -> str:
    """The line a post ends with when some of its ``kind`` were not kept."""
    return (
        f"[tui-reader kept the first {kept:,} {kind} of this post; {dropped:,} more were dropped]"
    )


def cap_links(
    text: str, links: list[str] | tuple[str, ...], total: int
) -> tuple[str, tuple[str, ...]]:
    """``links`` cut to the cap, and ``text`` with a note saying so when ``total`` (every
    distinct link the post held) was past it."""
    kept = tuple(links[:MAX_LINKS_PER_POST])
    if total <= MAX_LINKS_PER_POST:
        return text, kept
    note = dropped_note("links", total - MAX_LINKS_PER_POST, MAX_LINKS_PER_POST)
    return (f"{text}\n\n{note}" if text else note), kept


# Per action ---------------------------------------------------------------------------------

#: Bytes of answers one action (an unroll, one author's sync, a follow) may read in all: a
#: real thread or feed needs a few MB; a server that keeps sending gets this much, not more.
MAX_ACTION_BYTES = 64 * 1024 * 1024
#: An answer past this size is read by one action at a time (see ``Fetcher``): parsed JSON
#: takes five times its size in memory, and eight authors syncing at once must not each
#: hold one.
BIG_ANSWER_BYTES = 1024 * 1024


class ActionBudget:
    """What one action may still read, shared by every request made for it (the library
    opens one per action; requests find it through :data:`current_action`)."""

    __slots__ = ("what", "limit", "read")

    def __init__(self, what: str, limit: int = MAX_ACTION_BYTES) -> None:
        self.what = what
        self.limit = limit
        self.read = 0

    def spent_message(self) -> str:
        """The one line that ends an action whose budget is spent."""
        return (
            f"{self.what}: the server sent more than {self.limit // (1024 * 1024)} MB for it; "
            "gave up"
        )


#: The action the running task works for, if any (asyncio copies it into the tasks an
#: action starts, so they share its budget).
current_action: ContextVar[ActionBudget | None] = ContextVar("tui_reader_action", default=None)


async def within_action(what: str, work: Awaitable[T], seconds: float) -> T:
    """``work``, given up with a clear error when it takes longer than ``seconds`` or reads
    more than an action may: one slow or flooding server cannot hold a command, or an
    author's sync, for ever, nor fill the memory."""
    # The action's budget of bytes read: every request made for it counts against it.
    token = current_action.set(ActionBudget(what))
    try:
        async with asyncio.timeout(seconds):
            return await work
    except TimeoutError:
        raise SourceUnavailable(f"{what} took longer than {seconds:g} s; gave up") from None
    finally:
        current_action.reset(token)
