"""Threads that live: watched threads, what changed since you read, edits, deletions, and
the changes log, against a local Mastodon server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.fake_mastodon import FakeMastodon
from tests.server import FakeServer
from tui_reader.library import Library
from tui_reader.models import Post, PostRef, Thread
from tui_reader.store import Store


@pytest.fixture
def masto(server: FakeServer) -> FakeMastodon:
    return FakeMastodon(server)


def status_requests(server: FakeServer) -> list[str]:
    """Paths of the status, context and history requests the server received, in order."""
    return [r.path for r in server.log if r.path.startswith("/api/v1/statuses/")]


def test_watch_grow_edit_delete_sync_and_see_every_change(
    cli: Cli, masto: FakeMastodon, server: FakeServer
) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 5)
    watched = cli("watch", masto.url_of(ids[0]))
    assert watched.code == 0, watched.err
    assert watched.out.startswith("Watching #1 Toot 1 of 5.")
    # Read it: everything it holds now has been seen.
    read = cli("threads", "--format", "json")
    thread_id = json.loads(read.out)[0]["id"]
    with Store(cli.data_dir / "library.sqlite3") as store:
        store.set_unread([thread_id], False, "2024-01-01T00:00:00Z")
    cli("changes")  # looked at the changes: only what follows is new

    added = masto.chain(ada, 3, reply_to=ids[-1])
    grown = cli("sync")
    assert grown.code == 0, grown.err
    assert grown.out.strip() == "1 watched thread · 1 grew"
    # On Mastodon a deleted post cuts the chain below it: the thread's last one is deleted.
    masto.edit(ids[1], "<p>Toot 2 of 5, corrected.</p>")
    masto.deleted.add(added[-1])

    synced = cli("sync")

    assert synced.code == 0, synced.err
    assert synced.out.strip() == "1 watched thread · 1 post edited, 1 post deleted"
    assert "watched #1 Toot 1 of 5.: 1 post edited, 1 post deleted" in synced.err
    listed = json.loads(cli("threads", "--format", "json").out)[0]
    assert listed["unread"] is True and listed["new_since_read"] == 3
    assert listed["last_read_at"] == "2024-01-01T00:00:00Z"
    data = json.loads(cli("export", thread_id, "-o", "-", "--format", "json").out)
    posts = data["posts"]
    assert len(posts) == 8  # nothing read is lost: the deleted post stays
    assert posts[7]["deleted"] is True and posts[7]["text"] == "Toot 3 of 3."
    assert posts[1]["text"] == "Toot 2 of 5, corrected."
    assert posts[1]["edited_at"] == masto.statuses[ids[1]]["edited_at"].replace(".000Z", "Z")
    assert [v["text"] for v in posts[1]["versions"]] == ["Toot 2 of 5."]
    assert [p["text"] for p in posts[5:]] == ["Toot 1 of 3.", "Toot 2 of 3.", "Toot 3 of 3."]
    assert not any(p.get("deleted") for p in posts[:7])

    changes = json.loads(cli("changes", "--format", "json").out)
    assert [(c["kind"], c["post_index"], c["count"]) for c in changes] == [
        ("deleted", 7, 1),
        ("edited", 1, 1),
        ("grew", 5, 3),
    ]
    assert {c["thread_id"] for c in changes} == {thread_id}
    # Looked at: the next look has nothing new, and says since when.
    again = cli("changes")
    assert again.code == 0 and again.out == ""
    assert again.err.startswith("Nothing changed in the library since you last looked (")
    # --since looks further back whatever was looked at.
    back = json.loads(cli("changes", "--since", "2000-01-01", "--format", "json").out)
    assert len(back) == 3


def test_a_watched_thread_that_did_not_change_costs_one_request_answered_304(
    cli: Cli, masto: FakeMastodon, server: FakeServer
) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 4)
    assert cli("watch", masto.url_of(ids[0])).code == 0
    assert cli("sync").code == 0  # the first check keeps the context's validator
    before = len(status_requests(server))

    synced = cli("sync")

    assert synced.code == 0, synced.err
    assert status_requests(server)[before:] == [f"/api/v1/statuses/{ids[-1]}/context"]
    assert server.log[-1].headers.get("if-none-match")
    assert synced.out.strip() == "1 watched thread · nothing new"
    assert "unchanged" in synced.err


def test_watching_lists_unwatch_ends_and_bad_refs_say_so(cli: Cli, masto: FakeMastodon) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 3)
    assert cli("watch", masto.url_of(ids[1])).code == 0
    again = cli("watch", masto.url_of(ids[2]))
    assert again.out.startswith("Already watching #1")
    listed = json.loads(cli("watching", "--format", "json").out)
    assert [(w["number"], w["post_count"]) for w in listed] == [(1, 3)]
    text = cli("watching")
    assert text.out.startswith("#1\t@ada@") and "watch_days" in text.err

    profile = cli("watch", masto.account_url("ada"))
    assert profile.code == 1 and len(profile.err.strip().splitlines()) == 1
    assert "is a profile" in profile.err and "Traceback" not in profile.err
    assert cli("unwatch", "#1").out.startswith("No longer watching Toot 1 of 3.")
    assert cli("unwatch", "#1").out.endswith("was not watched.\n")
    missing = cli("unwatch", "#99")
    assert missing.code == 1 and "Traceback" not in missing.err
    assert cli("watching").err.startswith("You watch no threads.")
    bad = cli("changes", "--since", "yesterday-ish")
    assert bad.code == 2 and "--since" in bad.err


def test_watching_ends_after_watch_days_without_a_change(cli: Cli, masto: FakeMastodon) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 3)
    assert cli("watch", masto.url_of(ids[0])).code == 0
    with Store(cli.data_dir / "library.sqlite3") as store:
        store.conn.execute("UPDATE watches SET changed_at = '2020-01-01T00:00:00Z'")
        store.conn.commit()

    synced = cli("sync")

    assert synced.code == 0, synced.err
    assert "no change in a while; no longer watched" in synced.err
    assert json.loads(cli("watching", "--format", "json").out) == []


def test_read_state_files_carry_watched_threads(
    cli: Cli, masto: FakeMastodon, tmp_path: Path
) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 3)
    assert cli("watch", masto.url_of(ids[0])).code == 0
    marks = tmp_path / "out" / "marks.json"
    marks.parent.mkdir()
    assert cli("read-state", "--export", str(marks)).code == 0
    exported = json.loads(marks.read_text("utf-8"))
    assert [w["id"] for w in exported["watching"]] == [
        f"mastodon:{masto.base}/users/ada/statuses/{ids[0]}"
    ]
    assert cli("unwatch", "#1").code == 0

    merged = cli("read-state", "--import", str(marks))

    assert merged.code == 0, merged.err
    assert "1 thread watched from now on" in merged.out
    assert len(json.loads(cli("watching", "--format", "json").out)) == 1
    exported["watching"] = [{"id": 7}]
    marks.write_text(json.dumps(exported), "utf-8")
    broken = cli("read-state", "--import", str(marks))
    assert broken.code == 1 and "watched thread 1 is malformed" in broken.err


async def test_a_long_edit_history_keeps_the_newest_twenty_and_says_so(
    library: Library, masto: FakeMastodon
) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 2)
    for n in range(10_000):
        masto.history.setdefault(ids[0], []).append((f"<p>v{n}</p>", "", "2024-05-01T09:00:00Z"))
    masto.edit(ids[0], "<p>Final words.</p>")

    ref = library.resolve(masto.url_of(ids[0]))
    assert isinstance(ref, PostRef)
    thread, saved = await library.fetch_and_save(ref)

    first = thread.posts[0]
    assert first.text == "Final words."
    assert len(first.versions) == 20
    assert first.versions[-1].text == "Toot 1 of 2."
    assert any("the newest 20 are kept" in note for note in saved.notes)


async def test_an_edit_with_no_history_and_a_server_that_repeats_itself(
    library: Library, masto: FakeMastodon, server: FakeServer
) -> None:
    from tests.server import Reply

    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 2)
    await library.unroll(masto.url_of(ids[0]))
    masto.edit(ids[1], "<p>Changed.</p>")
    server.fail(f"/api/v1/statuses/{ids[1]}/history", Reply.json([], 200))

    thread = await library.unroll(masto.url_of(ids[0]), refresh=True)

    # No history from the server: the library's own copy is the earlier version.
    assert thread.posts[1].text == "Changed."
    assert [v.text for v in thread.posts[1].versions] == ["Toot 2 of 2."]
    # The same edit read again is not another edit.
    again = await library.unroll(masto.url_of(ids[0]), refresh=True)
    assert [v.text for v in again.posts[1].versions] == ["Toot 2 of 2."]
    assert [c.kind for c in library.changes("2000-01-01")[0]] == ["edited"]


async def test_a_thread_whose_every_post_was_deleted_is_kept_and_said(
    library: Library, masto: FakeMastodon
) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 3)
    thread, _ = await library.watch(masto.url_of(ids[0]))
    masto.deleted.update(ids)

    [result] = await library.sync_watched()

    assert result.ended and result.error.startswith("its first post is gone upstream")
    kept = library.thread(thread.id)
    assert kept is not None and [p.text for p in kept.posts] == [p.text for p in thread.posts]
    # Only what the server said is gone is marked so: the others cannot be asked for.
    assert [p.deleted for p in kept.posts] == [True, False, False]
    assert [c.kind for c in library.changes("2000-01-01")[0]] == ["deleted"]
    assert library.watching() == []


def saved_thread(posts: list[Post], fetched: str = "2024-05-02T00:00:00Z") -> Thread:
    from tui_reader.models import Author

    author = Author("threadreader", "1", "pat", "Pat")
    return Thread.from_posts("threadreader", author, tuple(posts), fetched)


def test_a_changed_text_is_an_edit_where_the_server_dates_none(tmp_path: Path) -> None:
    first = Post("threadreader:1", "https://x.com/pat/status/1", "2024-05-01T00:00:00Z", "One.")
    second = Post("threadreader:2", "https://x.com/pat/status/2", "2024-05-01T00:01:00Z", "Two.")
    with Store(tmp_path / "library.sqlite3") as store:
        store.save_thread(saved_thread([first, second]))
        store.set_unread(["threadreader:threadreader:1"], False, "2024-05-03T00:00:00Z")
        changed = Post(second.id, second.url, second.created_at, "Two, again.")

        saved = store.save_thread(saved_thread([first, changed]))
        # Mastodon's posts change text only with a new edit date: a re-reading is no edit.
        quiet = store.save_thread(saved_thread([first, second]), dated=frozenset({"threadreader"}))

        assert (saved.edited, quiet.edited) == (1, 0)
        [listed] = store.threads()
        assert listed.edited_since_read == 1 and listed.new_since_read == 0


def test_an_edit_dated_in_the_future_is_dated_when_seen(tmp_path: Path) -> None:
    first = Post("threadreader:1", "https://x.com/pat/status/1", "2024-05-01T00:00:00Z", "One.")
    with Store(tmp_path / "library.sqlite3") as store:
        store.save_thread(saved_thread([first]))
        edited = Post(
            first.id, first.url, first.created_at, "Uno.", edited_at="2999-01-01T00:00:00Z"
        )
        store.save_thread(saved_thread([edited]))
        thread = store.thread("threadreader:threadreader:1")
        assert thread is not None
        assert "2024" <= thread.posts[0].edited_at < "2999"
        assert [v.text for v in thread.posts[0].versions] == ["One."]


def test_a_quote_whose_target_went_away_keeps_what_it_said_and_says_so(tmp_path: Path) -> None:
    from tui_reader.models import Quote
    from tui_reader.render import to_text

    quote = Quote("https://bsky.app/profile/bob/post/1", "bob.bsky.social", "The quoted words.")
    first = Post(
        "threadreader:1", "https://x.com/pat/status/1", "2024-05-01T00:00:00Z", "Look:", quote=quote
    )
    with Store(tmp_path / "library.sqlite3") as store:
        store.save_thread(saved_thread([first]))
        # The server now says the quoted post is deleted (Bluesky's viewNotFound) ...
        gone = Quote(quote.url, "", "(the quoted post was deleted)", gone="deleted")
        store.save_thread(
            saved_thread([Post(first.id, first.url, first.created_at, "Look:", quote=gone)])
        )
        thread = store.thread("threadreader:threadreader:1")
        assert thread is not None and thread.posts[0].quote is not None
        kept = thread.posts[0].quote
        assert (kept.author, kept.text, kept.gone) == (
            "bob.bsky.social",
            "The quoted words.",
            "deleted",
        )
        assert "the quoted post is deleted upstream; this is the library's copy" in to_text(thread)
        # ... or sends no quote at all: still kept.
        store.save_thread(saved_thread([Post(first.id, first.url, first.created_at, "Look:")]))
        again = store.thread("threadreader:threadreader:1")
        assert again is not None and again.posts[0].quote == kept


def test_a_thread_read_elsewhere_counts_as_seen_here(tmp_path: Path) -> None:
    from tui_reader.store import ReadMark

    first = Post("threadreader:1", "https://x.com/pat/status/1", "2024-05-01T00:00:00Z", "One.")
    with Store(tmp_path / "library.sqlite3") as store:
        store.save_thread(saved_thread([first]))
        store.merge_read_marks(
            [ReadMark("threadreader:threadreader:1", False, 0, "2024-06-01T00:00:00Z")]
        )
        [listed] = store.threads()
        assert listed.last_read_at == "2024-06-01T00:00:00Z"


def test_a_watched_thread_reader_app_thread_costs_one_revalidated_request(
    cli: Cli, server: FakeServer
) -> None:
    from tests.fake_threadreader import FakeThreadReader

    site = FakeThreadReader(server)
    site.author("pat_rivers", "Pat Rivers")
    root = site.thread("pat_rivers", 4, hours=1, title="Locks and weirs")
    assert cli("watch", f"https://x.com/pat_rivers/status/{root}").code == 0
    assert cli("sync").code == 0  # the first check keeps the page's digest
    before = len(server.log)

    synced = cli("sync")

    assert synced.code == 0, synced.err
    asked = server.log[before:]
    assert [r.path for r in asked] == [f"/thread/{root}.html"]
    assert asked[0].headers.get("if-none-match")  # answered 304
    # It grows: the page changes, and the thread is read again from it (no ping).
    site.threads[root].tweets.append("Tweet 5, added later")
    before = len(server.log)
    grown = cli("sync")
    assert grown.out.strip() == "1 watched thread · 1 grew", grown.err
    assert not [r for r in server.log[before:] if r.path.startswith("/api/v0/ping/")]


def test_the_changes_are_counted_and_listed_up_to_a_bound(tmp_path: Path) -> None:
    # Read more counts the changes as a thread opens: a long log is counted to 500 only.
    threads = [
        saved_thread([Post(f"threadreader:{n}", f"https://x.com/pat/status/{n}", "", f"T{n}.")])
        for n in range(1, 602)
    ]
    with Store(tmp_path / "library.sqlite3") as store:
        store.save_threads([(thread, True) for thread in threads])
        assert store.last_change() == 601
        assert store.count_changes(0) == 500
        assert store.count_changes(590) == 11
        found, _ = store.changes_since(look=False)
        assert len(found) == 500 and found[0].thread.title == "T601."
        from_time = store.changes("2000-01-01T00:00:00Z", limit=3)
        assert [c.thread.title for c in from_time] == ["T601.", "T600.", "T599."]


def test_a_refresh_says_what_it_found(cli: Cli, masto: FakeMastodon) -> None:
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 3)
    assert cli("unroll", masto.url_of(ids[0])).code == 0
    masto.chain(ada, 1, reply_to=ids[-1])
    masto.edit(ids[1], "<p>Toot 2 of 3, put better.</p>")

    refreshed = cli("unroll", masto.url_of(ids[0]), "--refresh")

    assert refreshed.code == 0, refreshed.err
    assert refreshed.err.splitlines()[0] == "Refreshed: 1 new post, 1 edited."
    assert refreshed.out.startswith("Toot 1 of 3.")  # standard output is the thread alone
    again = cli("unroll", masto.url_of(ids[0]), "--refresh")
    assert again.err.splitlines()[0] == "Refreshed: nothing changed."
