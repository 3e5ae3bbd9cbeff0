"""A small library for reader tests and screenshots, written through the real store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tui_reader.library import Library
from tui_reader.models import Author, Media, Post, Quote, Thread
from tui_reader.times import utc_now

ALICE = Author(
    "bluesky",
    "did:plc:alice",
    "alice.bsky.social",
    "Alice Liddell",
    "https://bsky.app/profile/did:plc:alice",
)
BOB = Author(
    "bluesky",
    "did:plc:bob",
    "bob.bsky.social",
    "Bob Builder",
    "https://bsky.app/profile/did:plc:bob",
)

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

HOSTILE = (
    "Hostile: [bold]not bold[/bold] [@click=app.quit]click me[/] "
    "\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07"
)


def _post(author: Author, rkey: str, minute: int, text: str, **extra: object) -> Post:
    return Post(
        id=f"at://{author.id}/app.bsky.feed.post/{rkey}",
        url=f"https://bsky.app/profile/{author.id}/post/{rkey}",
        created_at=(START + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z"),
        text=text,
        **extra,  # type: ignore[arg-type]
    )


def make_thread(author: Author, prefix: str, texts: list[str], day: int, **first: object) -> Thread:
    """A thread of ``texts`` by ``author``; ``first`` adds fields to the first post."""
    posts = [
        _post(author, f"{prefix}{n:04d}", n, text, **(first if n == 0 else {}))
        for n, text in enumerate(texts)
    ]
    return Thread(
        id=f"bluesky:{posts[0].id}",
        source="bluesky",
        url=posts[0].url,
        author=author,
        created_at=f"2024-05-{day:02d}T12:00:00Z",
        posts=tuple(posts),
        fetched_at=utc_now(),
    )


def tea_thread(link: str = "") -> Thread:
    """Alice's five-post thread, with an image, a quote, a link and a hostile post."""
    texts = [
        "Why tea tastes different at altitude 🧵\nA short thread on boiling points.",
        "At sea level water boils at 100 °C. On a mountain it boils lower, so the tea brews "
        "cooler.",
        "Black tea wants water near boiling; green tea prefers 70–80 °C.",
        HOSTILE,
        f"More on sheds and kettles: {link or 'https://example.com/kettles'}",
    ]
    thread = make_thread(ALICE, "tea", texts, day=3)
    posts = list(thread.posts)
    posts[1] = replace(
        posts[1],
        media=(Media("image", "https://cdn.example/chart.png", "A chart of boiling points"),),
    )
    posts[2] = replace(
        posts[2],
        quote=Quote(
            "https://bsky.app/profile/did:plc:bob/post/q1", "bob.bsky.social", "Kettles lie."
        ),
    )
    posts[4] = replace(posts[4], links=(link or "https://example.com/kettles",))
    return replace(thread, posts=tuple(posts), post_count=5)


def long_thread(count: int = 300) -> Thread:
    """Alice's long thread."""
    texts = [
        f"Post {n + 1} of {count}. " + "Words to fill the line. " * (n % 4) for n in range(count)
    ]
    return make_thread(ALICE, "long", texts, day=2)


def shed_thread() -> Thread:
    """Bob's thread."""
    texts = ["How I built a shed in a weekend. Part one: the base."] + [
        f"Step {n}: more shed." for n in range(2, 12)
    ]
    return make_thread(BOB, "shed", texts, day=1)


def fill(library: Library, link: str = "") -> dict[str, Thread]:
    """Write the three threads into ``library``."""
    threads = {"tea": tea_thread(link), "long": long_thread(), "shed": shed_thread()}
    for thread in threads.values():
        library.store.save_thread(thread)
    return threads
