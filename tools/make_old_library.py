"""Write tests/data/library-vN.sqlite3: a library made by a release whose schema is N, with
every kind of thing a library holds, and library-vN.json, an account of what it holds (to
check that later migrations keep all of it). Run it with that release checked out (v4: the
release before schema 5; v5: before schema 6); the files are committed.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_reader.models import Author, Media, Post, Quote, Thread, ThreadSummary  # noqa: E402
from tui_reader.render import thread_dict  # noqa: E402
from tui_reader.store import MIGRATIONS, Store, SyncState  # noqa: E402

OUT = ROOT / "tests" / "data"

ALICE = Author(
    "bluesky",
    "did:plc:alice",
    "alice.bsky.social",
    "Alice",
    "https://bsky.app/profile/did:plc:alice",
)
ADA = Author(
    "mastodon", "ada@social.example", "ada@social.example", "Ada L.", "https://social.example/@ada"
)
ANA = Author("threadreader", "archivist_ana", "archivist_ana", "Ana", "https://x.com/archivist_ana")


def bsky_post(rkey: str, minute: int, text: str, **extra: object) -> Post:
    return Post(
        id=f"at://did:plc:alice/app.bsky.feed.post/{rkey}",
        url=f"https://bsky.app/profile/did:plc:alice/post/{rkey}",
        created_at=f"2024-05-01T12:{minute:02d}:00Z",
        text=text,
        **extra,  # type: ignore[arg-type]
    )


def main() -> None:
    version = len(MIGRATIONS)
    path = OUT / f"library-v{version}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store(path)
    first = Thread.from_posts(
        "bluesky",
        ALICE,
        (
            bsky_post(
                "3kaaa",
                0,
                "Kettles, part one: café ledger",
                links=("https://example.org/k",),
                content_warning="boiling water",
            ),
            bsky_post("3kaab", 1, "Gone soon."),
            bsky_post(
                "3kaac",
                2,
                "A chart.",
                media=(Media("image", "https://cdn.example/c.png", "chart"),),
                quote=Quote(
                    "https://bsky.app/profile/did:plc:bob/post/q1",
                    "bob.bsky.social",
                    "Kettles lie.",
                ),
            ),
        ),
        "2024-05-02T00:00:00Z",
    )
    store.save_thread(first)
    # The second post vanishes upstream: the library keeps it, marked deleted.
    store.save_thread(replace(first, posts=(first.posts[0], first.posts[2])), mark_new=True)
    second = Thread.from_posts(
        "mastodon",
        ADA,
        tuple(
            Post(
                f"https://social.example/users/ada/statuses/{n}",
                f"https://social.example/@ada/{n}",
                f"2024-06-0{n}T08:00:00Z",
                f"Punched cards {n}",
            )
            for n in range(1, 5)
        ),
        "2024-06-10T00:00:00Z",
    )
    store.save_thread(second)
    third = Thread.from_posts(
        "threadreader",
        ANA,
        (
            Post(
                "1870000000000000001",
                "https://x.com/archivist_ana/status/1870000000000000001",
                "",
                "Archive 1",
            ),
            Post(
                "1870000000000000002",
                "https://x.com/archivist_ana/status/1870000000000000002",
                "",
                "Archive 2",
            ),
        ),
        "2024-07-01T00:00:00Z",
    )
    store.save_thread(third)
    store.save_summary(
        ThreadSummary(
            "threadreader:1870000000000000009",
            "threadreader",
            "https://threadreaderapp.com/thread/1870000000000000009.html",
            "Listed only",
            ANA,
            "--12-14",
            "2024-07-01T00:00:00Z",
            7,
            "Listed only",
        )
    )
    store.set_unread([second.id], False, "2024-06-11T00:00:00Z")
    store.set_position(second.id, 2, "2024-06-11T00:00:01Z")
    store.follow(ALICE, "2024-05-01T00:00:00Z")
    store.follow(ADA, "2024-05-01T00:00:00Z")
    store.set_sync_state(
        ALICE.key, SyncState("2024-06-01T00:00:00Z", "", "2024-05-01T12:02:00Z", '"abc"')
    )
    store.cache_response("https://threadreaderapp.com/thread/1.html", '"e1"', "", b"<html></html>")
    account = {
        "threads": {
            t.id: thread_dict(t)
            for t in (store.thread(i) for i in (first.id, second.id, third.id))
            if t
        },
        "summaries": [asdict(s) for s in store.threads()],
        "authors": [asdict(r) for r in store.authors()],
        "read_marks": [asdict(m) for m in store.read_marks()],
        "sync_state": asdict(store.sync_state(ALICE.key)),
        "post_lookup": {p.id: first.id for p in first.posts},
        "search": {
            q: [h.thread.id for h in store.search(q)] for q in ("cafe", "punched", "ada", "gone")
        },
    }
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    (OUT / f"library-v{version}.json").write_text(
        json.dumps(account, indent=1, sort_keys=True) + "\n"
    )
    print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
