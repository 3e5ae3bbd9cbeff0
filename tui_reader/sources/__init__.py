"""The sources tui-reader reads threads from, behind one protocol."""

from __future__ import annotations

from typing import Protocol

from tui_reader.models import Author, Ref, SourceName, Thread


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

    async def thread(self, ref: Ref) -> Thread:
        """Fetch the thread that contains the post ``ref`` points at, unrolled from its root."""
        ...
