"""The library file: round trips, atomic writes, read state, schema versions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tui_reader.models import Author, Media, Post, Quote, Thread
from tui_reader.store import MIGRATIONS, THREAD_OF_POST, ReadMark, Store, StoreError, SyncState

ALICE = Author(
    "bluesky",
    "did:plc:alice",
    "alice.bsky.social",
    "Alice",
    "https://bsky.app/profile/did:plc:alice",
)


def make_thread(
    count: int = 3, thread_id: str = "bluesky:at://did:plc:alice/app.bsky.feed.post/1"
) -> Thread:
    posts = tuple(
        Post(
            id=f"{thread_id}-{n}",
            url=f"https://bsky.app/profile/did:plc:alice/post/{n}",
            created_at=f"2024-05-01T12:0{n}:00Z",
            text=f"Post number {n} about café crème",
            links=("https://example.com/a",) if n == 0 else (),
            media=(Media("image", "https://cdn.example/i.jpg", "a cup"),) if n == 1 else (),
            quote=Quote("https://bsky.app/x", "bob.bsky.social", "quoted") if n == 2 else None,
        )
        for n in range(count)
    )
    return Thread(
        id=thread_id,
        source="bluesky",
        url=posts[0].url,
        author=ALICE,
        created_at=posts[0].created_at,
        posts=posts,
        fetched_at="2024-05-02T00:00:00Z",
    )


def test_a_thread_comes_back_as_it_went_in(tmp_path: Path) -> None:
    thread = make_thread()
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_thread(thread)
    with Store(tmp_path / "lib.sqlite3") as store:
        assert store.thread(thread.id) == thread
        assert store.thread_id_for_post(thread.posts[1].id) == thread.id
        [summary] = store.threads()
        assert summary.preview == "Post number 0 about café crème"
        assert summary.post_count == 3


def test_saving_again_replaces_posts_but_keeps_read_state(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        thread = make_thread(2)
        store.save_thread(thread)
        store.set_unread([thread.id], False, "2024-05-03T00:00:00Z")
        store.set_position(thread.id, 1, "2024-05-03T00:00:01Z")

        store.save_thread(make_thread(4), grown_is_unread=False)

        again = store.thread(thread.id)
        assert again is not None
        assert again.post_count == 4
        assert again.unread is False
        assert again.new_since_read == 2
        assert store.position(thread.id) == 1


def test_a_read_thread_that_grew_is_unread_again_by_default(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        thread = make_thread(2)
        store.save_thread(thread)
        store.set_unread([thread.id], False, "2024-05-03T00:00:00Z")

        saved = store.save_thread(make_thread(5))

        assert (saved.added, saved.edited, saved.deleted) == (3, 0, 0)
        [listed] = store.threads()
        assert listed.unread and not listed.is_new
        assert listed.new_since_read == 3
        [author] = store.authors()
        assert author.unread == 1


def test_a_failed_write_leaves_the_old_thread(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        good = make_thread(3)
        store.save_thread(good)
        broken_post = replace(good.posts[1], text=None)  # type: ignore[arg-type]
        broken = replace(good, posts=(good.posts[0], broken_post, good.posts[2]))

        with pytest.raises(StoreError, match="could not be saved"):
            store.save_thread(broken)

        assert store.thread(good.id) == good


def test_the_index_matches_the_posts_after_saves_that_renumber_them(tmp_path: Path) -> None:
    """A save indexes the rows numbered past the highest before it: true when a grown
    thread's old posts were the last rows (their numbers are given out again) and when they
    were not."""
    first = make_thread(2)
    second = make_thread(2, "bluesky:at://did:plc:alice/app.bsky.feed.post/2")
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_threads([(first, True), (second, True)])
        store.save_thread(make_thread(4))  # not the last rows
        store.save_thread(make_thread(3, second.id))  # the last rows
        # Both grow in one save, under a new name: the old rows leave the index with the
        # names they were indexed with.
        renamed = replace(ALICE, display_name="Alys")
        store.save_threads(
            [
                (replace(make_thread(5), author=renamed), False),
                (replace(make_thread(4, second.id), author=renamed), False),
            ]
        )
        store.conn.execute("INSERT INTO post_search (post_search) VALUES ('integrity-check')")

        def count(query: str) -> int:
            return int(
                store.conn.execute(
                    "SELECT count(*) FROM post_search WHERE post_search MATCH ?", (query,)
                ).fetchone()[0]
            )

        assert count("cafe") == count("alys") == 5 + 4
        assert count("alice") == 5 + 4  # the handle
        assert store.conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 5 + 4


def test_a_save_that_grows_more_threads_than_one_statement_takes_keeps_the_index(
    tmp_path: Path,
) -> None:
    """The known threads leave the index 500 to a statement: a save of 501 crosses that."""
    ids = [f"bluesky:at://did:plc:alice/app.bsky.feed.post/{n}" for n in range(501)]
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_threads([(make_thread(1, thread_id), False) for thread_id in ids])
        store.save_threads([(make_thread(2, thread_id), True) for thread_id in ids])
        store.conn.execute("INSERT INTO post_search (post_search) VALUES ('integrity-check')")
        assert (
            store.conn.execute(
                "SELECT count(*) FROM post_search WHERE post_search MATCH 'cafe'"
            ).fetchone()[0]
            == 2 * 501
        )


def test_a_thread_given_twice_in_one_save_is_saved_once_as_its_last_version(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_threads([(make_thread(2), True), (make_thread(4), False)])
        thread = store.thread(make_thread().id)
        assert thread is not None and thread.post_count == 4
        [summary] = store.threads()
        assert summary.is_new
        store.conn.execute("INSERT INTO post_search (post_search) VALUES ('integrity-check')")


def test_saving_threads_leaves_every_reference_whole_and_the_checks_on(tmp_path: Path) -> None:
    """Saving threads leaves SQLite's foreign-key checks out (each reference is written just
    before the row that names it): what it wrote must still hold together, and every other
    write, a failed save's too, is checked again."""
    with Store(tmp_path / "lib.sqlite3") as store:
        other = replace(
            make_thread(2, "bluesky:at://did:plc:bob/app.bsky.feed.post/9"),
            author=replace(ALICE, id="did:plc:bob", handle="bob.bsky.social"),
        )
        store.save_threads([(make_thread(3), True), (other, False)])
        store.save_thread(make_thread(5), mark_new=True)  # a known thread grows
        good = make_thread(5)
        broken_post = replace(good.posts[1], text=None)  # type: ignore[arg-type]
        broken = replace(good, posts=(good.posts[0], broken_post))
        with pytest.raises(StoreError, match="could not be saved"):
            store.save_thread(broken)

        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            store.conn.execute(
                "INSERT INTO follows (author_key, followed_at) VALUES ('bluesky:nobody', '')"
            )


def test_the_search_index_follows_the_posts(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_thread(make_thread(3))
        store.save_thread(make_thread(3))
        rows = store.conn.execute(
            "SELECT count(*) FROM post_search WHERE post_search MATCH 'cafe'"
        ).fetchone()
        # Accents are folded, and saving again does not index twice.
        assert rows[0] == 3


def test_unread_filter_and_authors(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_thread(make_thread(thread_id="bluesky:one"))
        store.save_thread(make_thread(thread_id="bluesky:two"))
        store.set_unread(["bluesky:one"], False, "2024-05-03T00:00:00Z")

        assert [t.id for t in store.threads(unread_only=True)] == ["bluesky:two"]
        [row] = store.authors()
        assert (row.author.handle, row.threads, row.unread) == ("alice.bsky.social", 2, 1)
        assert store.author_by_handle("bluesky", "ALICE.bsky.social") == ALICE


def test_schema_is_versioned(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_library_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Store(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()

    with pytest.raises(StoreError, match="newer tui-reader"):
        Store(path)


def test_a_damaged_library_is_moved_aside_never_deleted(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    damaged = b"this is not sqlite at all" * 100
    path.write_bytes(damaged)

    with Store(path) as store:
        [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("lib.sqlite3.damaged-")]
        assert aside.read_bytes() == damaged
        assert str(aside) in store.notice and "new, empty library" in store.notice
        store.save_thread(make_thread(2))
        assert len(store.threads()) == 1
    with Store(path) as again:
        assert again.notice == "" and len(again.threads()) == 1


def test_posts_that_vanish_upstream_are_kept_and_marked_deleted(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        whole = make_thread(4)
        store.save_thread(whole)
        # A refetch lost the second post (deleted upstream) and everything past it.
        store.save_thread(replace(whole, posts=whole.posts[:1]))

        again = store.thread(whole.id)
        assert again is not None
        assert [p.id for p in again.posts] == [p.id for p in whole.posts]
        assert [p.deleted for p in again.posts] == [False, True, True, True]
        assert again.posts[1].text == whole.posts[1].text

        # When the post comes back, it is no longer marked.
        store.save_thread(whole)
        assert [p.deleted for p in store.thread(whole.id).posts] == [False] * 4  # type: ignore[union-attr]


def test_read_marks_merge_newest_wins(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite3") as store:
        store.save_thread(make_thread(thread_id="bluesky:one"))
        store.save_thread(make_thread(thread_id="bluesky:two"))
        store.set_unread(["bluesky:one"], False, "2024-06-01T00:00:00Z")
        store.set_unread(["bluesky:two"], False, "2024-06-05T00:00:00Z")
        marks = [
            ReadMark("bluesky:one", True, 3, "2024-06-02T00:00:00Z"),  # newer: wins
            ReadMark("bluesky:two", True, 9, "2024-06-04T00:00:00Z"),  # older: ignored
            ReadMark("bluesky:three", False, 0, "2024-06-09T00:00:00Z"),  # not here
        ]

        assert store.merge_read_marks(marks) == (1, 1)

        one, two = (store.thread(i) for i in ("bluesky:one", "bluesky:two"))
        assert one is not None and one.unread and store.position("bluesky:one") == 3
        assert two is not None and not two.unread and store.position("bluesky:two") == 0


def test_follows_and_sync_state(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        assert store.follow(ALICE, "2024-06-01T00:00:00Z")
        assert not store.follow(ALICE, "2024-06-02T00:00:00Z")
        assert store.follow_count() == 1
        [row] = store.authors()
        assert row.followed and row.threads == 0
        store.set_sync_state(ALICE.key, SyncState("2024-06-03T00:00:00Z", "", "w", "e"))
        assert store.sync_state(ALICE.key).etag == "e"
        assert store.unfollow(ALICE.key)
        assert store.authors() == [] and store.follow_count() == 0
        assert store.sync_state(ALICE.key) == SyncState()


def test_a_kept_post_goes_back_where_it_was_even_with_wrong_clocks(tmp_path: Path) -> None:
    with Store(tmp_path / "lib.sqlite3") as store:
        whole = make_thread(4)
        # The third post's clock said it came first; the chain order must still hold.
        skewed = replace(whole.posts[2], created_at="2001-01-01T00:00:00Z")
        whole = replace(whole, posts=(whole.posts[0], whole.posts[1], skewed, whole.posts[3]))
        store.save_thread(whole)

        store.save_thread(replace(whole, posts=(whole.posts[0], whole.posts[3])))

        again = store.thread(whole.id)
        assert again is not None
        assert [p.id for p in again.posts] == [p.id for p in whole.posts]
        assert [p.deleted for p in again.posts] == [False, True, True, False]


@pytest.mark.parametrize("schema", [4, 5])
def test_a_library_of_an_earlier_release_is_upgraded_with_nothing_lost(
    tmp_path: Path, schema: int
) -> None:
    """tests/data/library-vN.sqlite3 was written by the release whose schema was N
    (tools/make_old_library.py); library-vN.json says what it held then."""
    import json
    import shutil
    from dataclasses import asdict

    from tui_reader.render import thread_dict

    data = Path(__file__).parent / "data"
    shutil.copy(data / f"library-v{schema}.sqlite3", tmp_path / "library.sqlite3")
    held = json.loads((data / f"library-v{schema}.json").read_text("utf-8"))

    # Since schema 8 a thread whose first post has a content warning is titled, and
    # previewed, by its warning: the one change the upgrade makes to what was held.
    warned = {
        thread_id: expected["posts"][0]["content_warning"]
        for thread_id, expected in held["threads"].items()
        if expected["posts"][0].get("content_warning")
    }
    assert warned, "the old library has a thread behind a warning"
    for thread_id, warning in warned.items():
        held["threads"][thread_id]["title"] = f"⚠ {warning}"
        for summary in held["summaries"]:
            if summary["id"] == thread_id:
                summary.update(title=f"⚠ {warning}", preview=f"⚠ {warning} (text hidden)")

    with Store(tmp_path / "library.sqlite3") as store:
        assert store.schema_version == len(MIGRATIONS)
        # Schema 10 remembers when each thread was last read: a thread read before it was
        # read when its mark last changed. The counts of changes since start at nothing.
        marks = {m.thread_id: m for m in store.read_marks()}
        later = ("last_read_at", "new_since_read", "edited_since_read")
        for thread_id, expected in held["threads"].items():
            thread = store.thread(thread_id)
            assert thread is not None
            got = thread_dict(thread)
            assert {k: v for k, v in got.items() if k not in later} == expected
            mark = marks[thread_id]
            seen = not mark.unread or mark.position > 0
            assert got["last_read_at"] == (mark.changed_at or thread.fetched_at if seen else "")
            assert got["new_since_read"] == 0
        # Summaries carry each thread's position since; read_marks checks positions.
        summaries = [asdict(s) for s in store.threads()]
        # Positions are read_marks' to check; numbers were added after these were written.
        mine = ("position", "number", *later)
        assert [{k: v for k, v in s.items() if k not in mine} for s in summaries] == [
            {k: v for k, v in s.items() if k not in mine} for s in held["summaries"]
        ]
        # Each author's count of threads grown since read came with schema 10.
        assert [asdict(r) for r in store.authors()] == [
            {**author, "grown": 0} for author in held["authors"]
        ]
        assert [asdict(m) for m in store.read_marks()] == held["read_marks"]
        assert asdict(store.sync_state("bluesky:did:plc:alice")) == held["sync_state"]
        for post_id, thread_id in held["post_lookup"].items():
            assert store.thread_id_for_post(post_id) == thread_id
        for query, found in held["search"].items():
            assert [hit.thread.id for hit in store.search(query)] == found
        assert store.cached_response("https://threadreaderapp.com/thread/1.html") is not None
        # And it goes on working: a thread saved again is re-indexed, not doubled.
        first = store.thread(next(iter(held["threads"])))
        assert first is not None
        store.save_thread(first)
        assert [hit.thread.id for hit in store.search("cafe")] == held["search"]["cafe"]
        store.conn.execute("INSERT INTO post_search (post_search) VALUES ('integrity-check')")
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_kept_counts_agree_with_counting(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    first = make_thread()
    store.save_thread(first)
    other = make_thread(2, "bluesky:other")
    store.save_thread(other, mark_new=True)
    store.set_unread([other.id], False, "2024-06-01T00:00:00Z")
    store.save_thread(other, mark_new=True)  # grown again: unread and new once more
    store.set_unread([first.id], False, "2024-06-02T00:00:00Z")

    counted = store.conn.execute(
        "SELECT author_key, COUNT(*), SUM(unread), SUM(is_new) FROM threads GROUP BY author_key"
    ).fetchall()
    kept = store.conn.execute(
        "SELECT author_key, threads, unread, new FROM author_stats"
    ).fetchall()
    assert [tuple(row) for row in kept] == [tuple(row) for row in counted]
    assert store.count_threads() == (2, 1)
    assert store.count_threads(unread_only=True) == (1, 1)
    assert [(row.threads, row.unread, row.new) for row in store.authors()] == [(2, 1, 1)]


def test_search_finds_every_thread_when_one_thread_holds_the_best_matches(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    crowded = make_thread(600, "bluesky:crowded")
    crowded = replace(
        crowded, posts=tuple(replace(p, text="kettle kettle kettle") for p in crowded.posts)
    )
    store.save_thread(crowded)
    for name in ("quiet-1", "quiet-2"):
        quiet = make_thread(2, f"bluesky:{name}")
        first = replace(quiet.posts[0], text="a long post that mentions a kettle only once " * 3)
        store.save_thread(replace(quiet, posts=(first, quiet.posts[1])))

    # The 500 best posts all belong to one thread; the others are still found, ranked last.
    found = [hit.thread.id for hit in store.search("kettle")]
    assert found[0] == "bluesky:crowded"
    assert sorted(found[1:]) == ["bluesky:quiet-1", "bluesky:quiet-2"]


def _varied_library(store: Store) -> None:
    """Twelve threads: lengths, dates (some equal), read marks and titles all mixed, and
    two known only from a list."""
    from tui_reader.models import ThreadSummary

    for n in range(10):
        base = make_thread(1 + n % 4, f"bluesky:at://did:plc:alice/app.bsky.feed.post/t{n}")
        day = 1 + n % 3  # several threads on the same day: the ID decides
        posts = tuple(
            replace(p, created_at=f"2024-05-0{day}T12:00:00Z", text=f"{p.text} {n}")
            for p in base.posts
        )
        store.save_thread(replace(base, posts=posts, created_at=f"2024-05-0{day}T12:00:00Z"))
        if n % 3 == 0:
            store.set_unread([base.id], False, "2024-06-01T00:00:00Z")
    for n in range(2):
        store.save_summary(
            ThreadSummary(
                f"bluesky:listed{n}",
                "bluesky",
                "",
                f"Listed {n}",
                ALICE,
                f"2024-05-0{n + 1}T13:00:00Z",
                "",
                7,
                "listed",
                fetched=False,
            )
        )


@pytest.mark.parametrize("sort", ["newest", "longest", "unread"])
@pytest.mark.parametrize(
    ("unread_only", "fetched_only", "words"),
    [(False, False, ""), (True, False, ""), (False, True, ""), (False, False, "number 1")],
)
def test_every_list_order_and_filter_agrees_with_itself(
    tmp_path: Path, sort: str, unread_only: bool, fetched_only: bool, words: str
) -> None:
    from tui_reader.store import ThreadList

    with Store(tmp_path / "library.sqlite3") as store:
        _varied_library(store)
        view = ThreadList(None, unread_only, fetched_only, words, sort)
        rows = store.threads(view)
        assert rows
        # Every row is where thread_index says, and the counts count the rows.
        assert [store.thread_index(t.id, view) for t in rows] == list(range(len(rows)))
        assert store.count_threads(view) == (len(rows), sum(t.unread for t in rows))
        assert [store.threads(view, offset=n, limit=1)[0].id for n in range(len(rows))] == [
            t.id for t in rows
        ]
        # The order is the one asked for.
        key = {
            "newest": lambda t: (t.created_at,),
            "longest": lambda t: (t.post_count, t.created_at),
            "unread": lambda t: (t.unread, t.created_at),
        }[sort]
        assert [key(t) for t in rows] == sorted((key(t) for t in rows), reverse=True)
        assert all(t.unread for t in rows) or not unread_only
        assert all(t.fetched for t in rows) or not fetched_only
        assert all(w in t.title.lower() for w in words.split() for t in rows) or not words
        # Next unread, forwards and backwards, walks the unread fetched rows in this order.
        unread = [t.id for t in rows if t.unread and t.fetched]
        walked, current = [], None
        while (found := store.unread_after(current, view)) is not None:
            walked.append(found.id)
            current = found.id
        assert walked == unread
        assert store.unread_after(unread[-1], view, backwards=True) == (
            store.summary(unread[-2]) if len(unread) > 1 else None
        )


def test_marking_a_list_read_can_be_undone(tmp_path: Path) -> None:
    from tui_reader.store import ThreadList

    with Store(tmp_path / "library.sqlite3") as store:
        _varied_library(store)
        before = {t.id: t.unread for t in store.threads()}
        changed = [thread_id for thread_id, _ in store.mark_read(ThreadList(), "2024-07-01")]
        assert sorted(changed) == sorted(i for i, unread in before.items() if unread)
        assert not any(t.unread for t in store.threads())
        store.set_unread(changed, True, "2024-07-01T00:00:01Z")
        assert {t.id: t.unread for t in store.threads()} == before


def test_undoing_mark_all_read_brings_the_new_marks_back(tmp_path: Path) -> None:
    from tui_reader.config import Config
    from tui_reader.library import Library
    from tui_reader.store import ThreadList

    library = Library(Config(), Store(tmp_path / "library.sqlite3"))
    library.store.save_thread(make_thread(), mark_new=True)
    library.store.save_thread(make_thread(thread_id="bluesky:at://did:plc:alice/x/2"))
    before = {t.id: (t.unread, t.is_new) for t in library.store.threads()}
    changed = library.mark_read(ThreadList())
    assert not any(t.is_new or t.unread for t in library.store.threads())
    library.unread_again(changed)
    assert {t.id: (t.unread, t.is_new) for t in library.store.threads()} == before
    library.close()


def test_a_list_that_names_an_author_without_a_name_keeps_the_name(tmp_path: Path) -> None:
    from tui_reader.models import ThreadSummary

    with Store(tmp_path / "library.sqlite3") as store:
        store.save_thread(make_thread())
        # A "More from" card or an old saved page: the same author, no display name.
        nameless = replace(ALICE, display_name="")
        listed = ThreadSummary(
            "bluesky:listed", "bluesky", "", "Listed", nameless, "2024-05-03T00:00:00Z", "", 2, ""
        )
        assert store.save_summaries([listed, listed]) == 1
        author = store.author(ALICE.key)
        assert author is not None and author.display_name == "Alice"


def test_sqlites_own_errors_come_out_as_one_line(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Store(path) as store:
        thread = make_thread(3)
        store.save_thread(thread)
        other = sqlite3.connect(path)
        other.execute("DROP TABLE post_search")
        other.commit()
        other.close()
        for read in (lambda: store.search("crème"), lambda: store.match_spans(thread.id, "x")):
            with pytest.raises(StoreError, match="could not be read: no such table: post_search"):
                read()
        assert store.thread(thread.id) == thread  # what does not need the index still reads


def test_a_first_sync_writes_the_library_a_few_times_over_not_once_per_author(
    tmp_path: Path,
) -> None:
    """Authors post over the same months, so their record keys (times) interleave: each
    author's save must touch its own part of the post index, not every page of it. (With
    the index keyed by record key first, 120 authors wrote 11 times the file's pages, and
    more as the library grew: disk traffic and CPU a first sync pays for.)"""
    authors = 120

    def threads_of(number: int) -> list[tuple[Thread, bool]]:
        did = f"did:plc:author{number:04d}"
        author = Author("bluesky", did, f"a{number}.bsky.social", f"Author {number}", "")
        saved = []
        for start in range(0, 200, 20):
            posts = []
            for n in range(start, start + 20):
                tick = n * authors + number  # a TID-like key: every author's interleave
                rkey = f"3k{tick:011d}"
                posts.append(
                    Post(
                        id=f"at://{did}/app.bsky.feed.post/{rkey}",
                        url=f"https://bsky.app/profile/{did}/post/{rkey}",
                        created_at=f"2024-05-01T{tick // 3600 % 24:02d}:{tick // 60 % 60:02d}"
                        f":{tick % 60:02d}Z",
                        text=f"post {n} of author {number}, on kettles and the ledger",
                    )
                )
            saved.append((Thread.from_posts("bluesky", author, tuple(posts), "2024-06-01"), True))
        return saved

    with Store(tmp_path / "lib.sqlite3") as store:
        store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # every page written stays counted
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for number in range(authors):
            store.save_threads(threads_of(number))
        written = store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        assert written <= 8 * pages, (written, pages)
        sample = threads_of(7)[3][0]
        assert store.thread_id_for_post(sample.posts[5].id) == sample.id
        plan = " ".join(
            row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {THREAD_OF_POST}", ("", ""))
        )
        assert "USING INDEX posts_by_id (id_prefix=? AND id_rest=?)" in plan, plan


def test_absent_values_are_stored_as_null_and_present_ones_as_written(tmp_path: Path) -> None:
    # NULLs are bound in a roundabout way (see Store._put_thread): "" and "0" must not
    # become NULL, and NULL must not become anything else.
    thread = make_thread(2)
    posts = (
        replace(thread.posts[0], url="https://example.org/", links=()),
        replace(thread.posts[1], text="0", url="https://example.org/0", quote=None),
    )
    thread = replace(thread, posts=posts)
    with Store(tmp_path / "lib.sqlite3") as store:
        store.save_thread(thread)
        assert store.thread(thread.id) == thread
        stored = store.conn.execute(
            "SELECT url_rest, typeof(url_rest), typeof(links), typeof(media), typeof(quote), text"
            " FROM posts ORDER BY seq"
        ).fetchall()
        assert [tuple(row) for row in stored] == [
            ("", "text", "null", "null", "null", posts[0].text),
            ("0", "text", "null", "text", "null", "0"),
        ]


def test_the_page_cache_is_bounded(tmp_path: Path) -> None:
    from tui_reader.store import MAX_CACHE_BYTES, MAX_CACHED_BODY

    store = Store(tmp_path / "library.sqlite3")
    page = b"x" * (MAX_CACHED_BODY - 1)
    for n in range(20):
        store.cache_response(f"https://t.example/user/a?page={n}", f'"{n}"', "", page)
    kept = [n for n in range(20) if store.cached_response(f"https://t.example/user/a?page={n}")]
    assert kept == list(range(20 - len(kept), 20)) and len(kept) * len(page) <= MAX_CACHE_BYTES
    # A page over the cap for one is not kept (and its older copy is dropped).
    store.cache_response(
        "https://t.example/user/a?page=19", '"big"', "", b"y" * (MAX_CACHED_BODY + 1)
    )
    assert store.cached_response("https://t.example/user/a?page=19") is None
    store.close()


def test_a_thread_behind_a_content_warning_is_titled_by_the_warning(tmp_path: Path) -> None:
    from dataclasses import replace

    from tui_reader.export import export_thread
    from tui_reader.render import to_json, to_text

    thread = make_thread()
    first = replace(
        thread.posts[0], text="The butler did it.", content_warning="ending of the novel"
    )
    thread = replace(thread, posts=(first, *thread.posts[1:]))
    assert thread.title == "⚠ ending of the novel"
    assert to_text(thread).splitlines()[0] == "⚠ ending of the novel"
    assert json.loads(to_json(thread))["title"] == "⚠ ending of the novel"
    written = export_thread(thread, "markdown", tmp_path)
    assert "butler" not in written.path.name
    store = Store(tmp_path / "library.sqlite3")
    store.save_thread(thread)
    [listed] = store.threads()
    assert listed.title == "⚠ ending of the novel" and "butler" not in listed.preview
    # A library saved by an earlier release is put right when it is opened.
    store.conn.execute("UPDATE threads SET title = 'The butler did it.', preview = 'The butler'")
    store.conn.execute("PRAGMA user_version = 7")  # before schema 8, which titles by warning
    store.close()
    store = Store(tmp_path / "library.sqlite3")
    [listed] = store.threads()
    assert listed.title == "⚠ ending of the novel" and "butler" not in listed.preview
    store.close()


def test_a_thread_dated_in_the_future_is_listed_as_of_its_fetch_and_says_so(
    tmp_path: Path,
) -> None:
    thread = make_thread()
    first = replace(thread.posts[0], created_at="2999-01-01T00:00:00Z")
    future = replace(thread, posts=(first, *thread.posts[1:]), created_at="2999-01-01T00:00:00Z")
    with Store(tmp_path / "library.sqlite3") as store:
        store.save_thread(future)
        store.save_thread(make_thread(thread_id="bluesky:at://did:plc:alice/x/2"))
        # Listed as of its fetch, so it does not sort first for ever.
        listed = {summary.id: summary.created_at for summary in store.threads()}
        assert listed[future.id] == future.fetched_at
        kept = store.thread(future.id)
        assert kept is not None and kept.created_at == future.fetched_at
        assert "its server dates it 2999-01-01, in the future" in kept.ends_early
        assert kept.posts[0].created_at == "2999-01-01T00:00:00Z"  # what it said is kept
