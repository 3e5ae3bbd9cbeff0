"""The walks every source needs, written once: an author's feed scanned back to what the
library knows and grouped into threads, and a thread's chain climbed and followed.

Sources supply requests and parsing as small callables; the loops, the seen-sets and the
step limits are here, so DESIGN.md's unroll rule has one definition.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any

from tui_reader.models import PostRef, Thread
from tui_reader.sources import AuthorScan

#: The most posts any walk over server data takes: a thread longer than this is cut, and a
#: server that links its posts in a loop cannot keep a walk going.
MAX_CHAIN_STEPS = 10_000
#: What a thread cut at the step limit says (its ``ends_early``), at each end.
GOES_ON = f"the thread goes on; tui-reader keeps {MAX_CHAIN_STEPS:,} posts"
STARTS_EARLIER = f"the thread starts earlier; tui-reader keeps {MAX_CHAIN_STEPS:,} posts"


def cut_note(chain: list[str], goes_on: bool, starts_earlier: bool) -> str:
    """The note for a chain the step limit may have cut: ``goes_on`` when its last post
    still has a reply of the author's, ``starts_earlier`` when its first still answers one."""
    if len(chain) < MAX_CHAIN_STEPS and not starts_earlier:
        return ""
    if goes_on and len(chain) >= MAX_CHAIN_STEPS:
        return GOES_ON
    return STARTS_EARLIER if starts_earlier else ""


def _next_post(replies: list[str], sort_key: Callable[[str], Any], seen: set[str]) -> str:
    """The post that follows in the chain: the earliest of the author's own replies (by
    ``sort_key``, never by server order); "" at the end, or where a loop would begin. The
    post is added to ``seen``, the chain so far."""
    if not replies or len(seen) >= MAX_CHAIN_STEPS:
        return ""
    following = replies[0] if len(replies) == 1 else min(replies, key=sort_key)
    if following in seen:
        return ""
    seen.add(following)
    return following


def follow_chain(
    root: str, own_replies: Callable[[str], list[str]], sort_key: Callable[[str], Any]
) -> list[str]:
    """DESIGN's unroll rule over posts in hand: from the root, at each step the earliest
    of the author's own replies."""
    chain, seen = [root], {root}
    while following := _next_post(own_replies(chain[-1]), sort_key, seen):
        chain.append(following)
    return chain


async def walk_down(
    root: str,
    own_replies: Callable[[str], list[str]],
    sort_key: Callable[[str], Any],
    complete: Callable[[str], Awaitable[bool]],
) -> list[str]:
    """:func:`follow_chain` where the posts are not all in hand yet: before each step,
    ``complete(post)`` may fetch the post's replies; it returns ``False`` to end the walk
    there (the source has asked all it may)."""
    chain, seen = [root], {root}
    while await complete(chain[-1]) and (
        following := _next_post(own_replies(chain[-1]), sort_key, seen)
    ):
        chain.append(following)
    return chain


async def climb(
    start: str,
    own_parent: Callable[[str], str],
    have: Callable[[str], bool],
    ask_above: Callable[[str, str], Awaitable[bool]],
) -> str:
    """The author's topmost post of the chain above ``start``.

    ``own_parent(post)`` is the author's own post that ``post`` answers ("" at the top);
    when that parent is not in hand, ``ask_above(post, parent)`` fetches more and says
    whether it now is (``False`` stops the climb where it is).
    """
    top = start
    seen = {start}
    # Twice the step limit: each step may need one request before it.
    for _ in range(2 * MAX_CHAIN_STEPS):
        parent = own_parent(top)
        if not parent or parent in seen or len(seen) >= MAX_CHAIN_STEPS:
            break
        if not have(parent):
            if await ask_above(top, parent):
                continue
            break
        seen.add(parent)
        top = parent
    return top


# Feeds ------------------------------------------------------------------------------------


@dataclass(slots=True)
class FeedItem:
    """One of the author's own posts in their feed, as much as grouping needs of it (made
    for every post a sync reads: a plain class, not a frozen one, which costs 3 µs more)."""

    id: str
    #: Its time, normalised, compared with the watermark.
    when: str
    #: The branch rule's order (time first, then something stable), worked out when asked:
    #: only where a post has more than one of the author's replies, which few have.
    order: Callable[[], Any]
    #: The author's own post it answers, or "" when it answers nobody.
    parent: str = ""
    #: It answers someone else: no thread of the author's starts here.
    answers_other: bool = False
    #: Pinned to the top of the feed, so older than the feed's order says.
    pinned: bool = False
    #: The post to unroll its thread by when the thread began before the window (itself
    #: if ""); two posts of one thread name the same one, so it is fetched once.
    fetch_as: str = ""
    #: The source's own data for it, to build the post from.
    data: Any = None


@dataclass
class FeedPage:
    """One page of an author's feed, as the source read it."""

    #: The author's own posts on the page (reposts and others' posts already left out).
    items: list[FeedItem]
    #: Entries the page held in all: an empty page ends the scan.
    size: int
    #: The cursor of the next page ("" when there is none).
    next: str = ""
    etag: str = ""
    not_modified: bool = False


@dataclass
class FeedWindow:
    """The author's posts since the watermark."""

    items: dict[str, FeedItem] = field(default_factory=dict)
    watermark: str = ""
    etag: str = ""
    not_modified: bool = False


#: ``read_page(cursor, limit, etag)``: one page of the feed.
PageReader = Callable[[str, int, str], Awaitable[FeedPage]]


@dataclass(frozen=True)
class FeedLimits:
    """How a source's feed is read."""

    #: Posts asked for per page (the API's most).
    page_size: int
    #: A later sync's first page: when nothing is new, this is all it costs.
    first_page_when_known: int
    #: Pages read at most on an author's first sync; later syncs stop at known posts.
    max_pages: int


async def scan_author(
    read_page: PageReader,
    limits: FeedLimits,
    *,
    watermark: str,
    etag: str,
    thread_of: Callable[[list[FeedItem]], Thread],
    ref_of: Callable[[FeedItem], PostRef],
) -> AuthorScan:
    """An author's sync, for any source: the feed scanned back to ``watermark``, whole
    chains made into threads by ``thread_of``, and posts of older threads named by
    ``ref_of`` for fetching whole."""
    window = await scan_feed(read_page, limits, watermark=watermark, etag=etag)
    chains, to_fetch = group_threads(window.items)
    return AuthorScan(
        threads=[thread_of(chain) for chain in chains],
        to_fetch=[ref_of(item) for item in to_fetch],
        watermark=window.watermark,
        etag=window.etag,
    )


async def scan_feed(
    read_page: PageReader, limits: FeedLimits, *, watermark: str, etag: str
) -> FeedWindow:
    """Read an author's feed, newest first, back to ``watermark``.

    A later sync asks for a short first page, with the ETag: when nothing is new that is
    the one request it costs. The scan stops at the first known post, at the last page, at
    a cursor seen before, or after ``max_pages``.
    """
    # A post dated past tomorrow (a server's clock, or a lie) is kept, but never becomes the
    # watermark: every later post would look older than it, and no sync would bring it in.
    # One kept by an earlier release is dropped, so that author's syncs start over.
    horizon = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if watermark > horizon:
        watermark, etag = "", ""
    window = FeedWindow(watermark=watermark, etag=etag)
    cursor = ""
    cursors: set[str] = set()
    for number in range(limits.max_pages):
        limit = limits.first_page_when_known if (watermark and number == 0) else limits.page_size
        page = await read_page(cursor, limit, etag if number == 0 else "")
        if page.not_modified:
            window.not_modified = True
            return window
        if number == 0:
            window.etag = page.etag
        reached_known = False
        for item in page.items:
            if watermark and item.when <= watermark and not item.pinned:
                reached_known = True
                continue
            if not item.pinned and window.watermark < item.when <= horizon:
                window.watermark = item.when
            window.items.setdefault(item.id, item)
        if reached_known or not page.next or not page.size or page.next in cursors:
            break
        cursors.add(page.next)
        cursor = page.next
    return window


def group_threads(
    items: Mapping[str, FeedItem],
) -> tuple[list[list[FeedItem]], list[FeedItem]]:
    """Sort a window's posts into whole chains (two posts or more, from a post that answers
    nobody) and posts whose thread began before the window (to fetch whole, once each).

    Only tops count: posts whose own parent is not in the window. A chain that hangs under
    someone else's post is not the author's thread; a reply cycle has no top.
    """
    children: dict[str, list[str]] = {}
    for item in items.values():
        if item.parent in items:
            children.setdefault(item.parent, []).append(item.id)
    chains: list[list[FeedItem]] = []
    to_fetch: list[FeedItem] = []
    asked: set[str] = set()
    for item in sorted(items.values(), key=attrgetter("id")):
        if item.parent in items or item.answers_other:
            continue
        if not item.parent:
            chain = follow_chain(
                item.id, lambda post: children.get(post, []), lambda post: items[post].order()
            )
            if len(chain) > 1:
                chains.append([items[post] for post in chain])
            continue
        target = item.fetch_as or item.id
        if target not in asked:
            asked.add(target)
            to_fetch.append(item)
    return chains, to_fetch
