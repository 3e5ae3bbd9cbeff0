"""The bundled demo library: recorded source answers replayed through the real stack.

Nothing here touches the network or the user's own library: the demo is built in a
temporary folder from ``recordings.json`` (made by ``tools/make_demo.py``) and a saved
Thread Reader App page, by the same follow, sync, unroll and import code as real use.
"""

from __future__ import annotations

import asyncio
import base64
import json
from importlib import resources
from pathlib import Path
from typing import Any

from tui_reader.config import Config, NetworkConfig
from tui_reader.fetch import Fetcher
from tui_reader.library import Library, ThreadList
from tui_reader.store import Store

MASTODON = "https://social.example"
BLUESKY_AUTHORS = ("mara.bsky.social", "tomas.bsky.social")
MASTODON_AUTHORS = ("ines", "kwame")
TWEET = "https://x.com/priya_maps/status/1880000000000000002"


async def populate(library: Library, mastodon: str = MASTODON) -> None:
    """Follow the demo authors, sync them, unroll a tweet thread and import a saved page."""
    for handle in BLUESKY_AUTHORS:
        await library.follow(handle)
    for user in MASTODON_AUTHORS:
        await library.follow(f"{mastodon}/@{user}")
    results = await library.sync()
    failed = [r for r in results if r.error]
    if failed:
        raise RuntimeError(f"demo sync failed: {failed[0].error}")
    await library.unroll(TWEET)
    library.import_saved(saved_page())
    # Then the threads' images, after their text, as a sync and an unroll keep them.
    await library.keep_images(t.id for t in library.list_threads(ThreadList()) if t.fetched)


def saved_page() -> str:
    """The demo's saved Thread Reader App page (copied text)."""
    return resources.files(__package__).joinpath("saved-page.txt").read_text("utf-8")


def recordings() -> dict[str, tuple[int, dict[str, str], bytes]]:
    """The recorded answers, by request."""
    data = json.loads(resources.files(__package__).joinpath("recordings.json").read_text("utf-8"))
    from tui_reader.demo.pictures import answers

    return {
        **{
            key: (entry["status"], entry["headers"], base64.b64decode(entry["body"]))
            for key, entry in data.items()
        },
        **answers(),
    }


async def a_week_later(config: Config, store: Store, answers: dict[str, Any]) -> None:
    """The demo's second round: the tide-table thread, read and watched, is fetched again
    (as a sync does) and has grown by two posts and had one edited."""
    from tui_reader.demo import later

    library = Library(
        config, store, Fetcher(replay={**answers, **later.answers(answers)}, attempts=1)
    )
    try:
        thread_id = next(
            t.id for t in library.list_threads(ThreadList()) if t.url.endswith(later.ROOT)
        )
        library.set_unread(thread_id, False)
        store.mark_seen(thread_id, later.READ_AT)
        library.set_watched(thread_id, True)
        [result] = await library.sync_watched()
        if result.error or result.saved is None or not result.saved.added:
            raise RuntimeError(f"demo watch failed: {result.error or 'nothing changed'}")
    finally:
        await library.aclose()


async def build_async(folder: Path) -> Library:
    """Build the demo library in ``folder``; the returned library is offline."""
    config = Config(network=NetworkConfig(timeout=5.0))
    store = Store(folder / "library.sqlite3")
    answers = recordings()
    building = Library(config, store, Fetcher(replay=answers, attempts=1))
    try:
        await populate(building)
    finally:
        await building.aclose()
    await a_week_later(config, store, answers)
    # The demo reads what it holds; anything that would need the network says so.
    return Library(config.with_offline(True), store)


def build(folder: Path) -> Library:
    """:func:`build_async`, for callers outside an event loop."""
    return asyncio.run(build_async(folder))
