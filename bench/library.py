"""A big library for the benchmarks, written through the store's own API.

``build(path, posts=100_000)`` makes 200 authors' threads (5,000 threads of 20 posts on
average at 100,000 posts; the thread count grows with the posts) with text drawn from a
fixed vocabulary, so every run builds the same library. Search figures rely on two words:
``ledger`` is in half of all posts, ``harbour`` in about 2.5% (the "typical" query).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui_reader.models import Author, Media, Post, Thread
from tui_reader.store import Store

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "so no what up out who them some could than into its time only new two may first then "
    "do any like my now over such our man me even most made after also did many before "
    "must through years where much your way well down should because each just those people "
    "how too little state good very make world still own see men work long get here between "
    "both life being under never day same another know while last might us great old year "
    "off come since against go came right used take three archive census card punched "
    "catalogue library reader thread kettle river tea bridge engine signal railway timetable"
).split()
COMMON, TYPICAL = "ledger", "harbour"
START = datetime(2024, 1, 1, tzinfo=UTC)


def _text(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(18, 45))]
    if n % 2 == 0:
        words.insert(rng.randrange(len(words)), COMMON)
    if n % 40 == 7:
        words.insert(rng.randrange(len(words)), TYPICAL)
    if n % 9 == 0:
        words.append(f"https://example.org/notes/{n}")
    return " ".join(words).capitalize() + "."


def build(path: Path, posts: int = 100_000, authors: int = 200, seed: int = 7) -> Store:
    """Make (or reuse) a library of about ``posts`` posts at ``path``; returns it open."""
    store = Store(path)
    if store.conn.execute("SELECT COUNT(*) FROM threads").fetchone()[0]:
        return store
    rng = random.Random(seed)
    people = [
        Author(
            "bluesky",
            f"did:plc:bench{a:019d}",
            f"author{a}.bsky.social",
            f"Author {a}",
            f"https://bsky.app/profile/did:plc:bench{a:019d}",
        )
        for a in range(authors)
    ]
    for person in people[: authors // 2]:
        store.follow(person, "2024-01-01T00:00:00Z")
    made = 0
    number = 0
    while made < posts:
        person = people[number % authors]
        size = min(posts - made, rng.choice((2, 5, 8, 12, 20, 25, 30, 40, 58)))
        when = START + timedelta(minutes=37 * number)
        items = []
        for i in range(size):
            rkey = f"3b{number:08d}{i:04d}"
            uri = f"at://{person.id}/app.bsky.feed.post/{rkey}"
            media = (
                (Media("image", f"https://cdn.example/{rkey}.jpg", "a chart"),)
                if i % 7 == 3
                else ()
            )
            items.append(
                Post(
                    id=uri,
                    url=f"https://bsky.app/profile/{person.id}/post/{rkey}",
                    created_at=(when + timedelta(seconds=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    text=_text(rng, made + i),
                    media=media,
                )
            )
        thread = Thread.from_posts("bluesky", person, tuple(items), "2024-06-01T00:00:00Z")
        store.save_thread(thread, mark_new=number % 5 == 0)
        made += size
        number += 1
    return store


if __name__ == "__main__":
    import sys
    import time

    target = Path(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    began = time.perf_counter()
    built = build(target, size)
    built.close()
    print(
        f"{target}: {size} posts, {target.stat().st_size / 2**20:.1f} MiB, "
        f"{time.perf_counter() - began:.0f} s"
    )
