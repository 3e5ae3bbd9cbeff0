"""The sources tui-reader reads threads from, behind one protocol."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tui_reader.models import Author, Ref, SourceName, Thread


@dataclass
class AuthorScan:
    """What one sync learned from an author's feed."""

    #: Threads the feed held whole, ready to save.
    threads: list[Thread] = field(default_factory=list)
    #: Roots of threads that grew or began before the feed's window: fetch these whole.
    to_fetch: list[Ref] = field(default_factory=list)
    #: The newest post time seen, to stop at next time.
    watermark: str = ""
    #: The feed's validator, to ask "anything new?" cheaply next time.
    etag: str = ""


class Source(Protocol):
    """What every source offers. Sources parse; they never touch SQLite or the UI."""

    name: SourceName

    def resolve(self, text: str) -> Ref | None:
        """Recognise a URL, handle or ID of this source without using the network."""
        ...

    def post_id(self, ref: Ref, author_id: str) -> str:
        """The library's ID of the post ``ref`` names, given its author's stable ID."""
        ...

    def is_stable_id(self, author: str) -> bool:
        """Whether ``author`` is the author's stable ID rather than a changeable handle."""
        ...

    async def profile(self, author: str) -> Author:
        """Look up an author by handle or stable ID."""
        ...

    async def author_threads(
        self, author_id: str, *, watermark: str = "", etag: str = ""
    ) -> AuthorScan:
        """The author's threads posted or grown since ``watermark``."""
        ...

    async def thread(self, ref: Ref) -> Thread:
        """Fetch the thread that contains the post ``ref`` points at, unrolled from its root."""
        ...


#: The most posts any walk over server data takes: a thread longer than this is cut, and a
#: server that links its posts in a loop cannot keep a walk going.
MAX_CHAIN_STEPS = 10_000


def follow_chain(
    root: str, own_replies: Callable[[str], list[str]], sort_key: Callable[[str], Any]
) -> list[str]:
    """DESIGN's unroll rule over posts in hand: from the root, at each step the earliest
    (by ``sort_key``, never by server order) of the author's own replies."""
    chain = [root]
    seen = {root}
    current = root
    while len(chain) < MAX_CHAIN_STEPS:
        replies = own_replies(current)
        if not replies:
            return chain
        following = min(replies, key=sort_key)
        if following in seen:
            return chain
        seen.add(following)
        chain.append(following)
        current = following
    return chain
