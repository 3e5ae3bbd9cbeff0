"""How much of what a server sends is kept: caps that bound every action's work and memory.

A real post carries a handful of links and at most a few images; a hostile one can carry tens
of thousands, and every path over them (parsing, drawing, exporting) would pay for each.
"""

from __future__ import annotations

#: Links kept per post (the first ones); the post says how many more were dropped.
MAX_LINKS_PER_POST = 1_000
#: Media items kept per post.
MAX_MEDIA_PER_POST = 100


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
