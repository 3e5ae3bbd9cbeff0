"""Following authors and syncing their threads, against the fake AppView over sockets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.fake_bluesky import FakeAccount, FakeAppView
from tests.server import FakeServer, Reply, Request
from tui_reader.config import NetworkConfig
from tui_reader.errors import BadReference, Offline
from tui_reader.library import Library, ThreadList
from tui_reader.sources.bluesky_records import web_url
from tui_reader.store import Store

FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
THREAD = "/xrpc/app.bsky.feed.getPostThread"


def busy_author(appview: FakeAppView) -> tuple[FakeAccount, dict[str, list[str]]]:
    """Alice: two threads, lots of single posts (two feed pages), a reply to Bob, a repost."""
    alice = appview.account("alice.bsky.social", "Alice")
    bob = appview.account("bob.bsky.social", "Bob")
    bobs_post = appview.post(bob, "Bob's own thoughts")
    threads = {"tea": appview.chain(alice, 3)}
    for n in range(120):
        appview.post(alice, f"Just a single post, number {n}.")
    appview.post(alice, "A reply to Bob, not a thread of mine.", reply_to=bobs_post)
    threads["coffee"] = appview.chain(alice, 4)
    # A conversation under Bob's post, continued by Alice: not one of her threads either.
    under_bob = appview.post(alice, "Answering Bob", reply_to=bobs_post)
    appview.post(alice, "and more", reply_to=under_bob)
    appview.repost(alice, bobs_post)
    appview.post(alice, "One more single post after everything.")
    return alice, threads


async def test_follow_by_handle_and_by_url(library: Library, appview: FakeAppView) -> None:
    alice = appview.account("alice.bsky.social", "Alice")
    bob = appview.account("bob.bsky.social", "Bob")
    post = appview.post(bob, "hello")

    by_handle, added = await library.follow("alice.bsky.social")
    by_post, _ = await library.follow(web_url(post))
    again, added_again = await library.follow("https://bsky.app/profile/alice.bsky.social")

    assert (by_handle.id, by_handle.display_name, added) == (alice.did, "Alice", True)
    assert by_post.id == bob.did
    assert (again.id, added_again) == (alice.did, False)
    assert [row.author.handle for row in library.following()] == [
        "alice.bsky.social",
        "bob.bsky.social",
    ]


async def test_first_sync_brings_exactly_the_authors_threads(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    alice, threads = busy_author(appview)
    await library.follow("alice.bsky.social")
    await library.follow("bob.bsky.social")

    [a, b] = await library.sync()

    assert (a.author.handle, a.new_threads, a.error) == ("alice.bsky.social", 2, "")
    assert (b.new_threads, b.error) == (0, "")
    listed = library.threads(unread_only=True)
    assert sorted(t.title for t in listed) == ["Post 1 of 3.", "Post 1 of 4."]
    assert all(t.is_new and t.unread for t in listed)
    coffee = library.thread(f"bluesky:{threads['coffee'][0]}")
    assert coffee is not None and coffee.post_count == 4
    # Alice's feed spans two pages; both threads were whole in it, so no thread calls.
    assert len([r for r in server.requests_to(FEED) if r.query["actor"] == alice.did]) == 2
    assert server.requests_to(THREAD) == []


async def test_a_branch_in_the_feed_takes_the_earliest_self_reply(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    # The whole thread is in the feed, so the sync groups it without asking for it: the
    # branch rule then runs on the feed's own posts (the server lists the later one first).
    alice = appview.account("alice.bsky.social", "Alice")
    root = appview.post(alice, "A thread about tea 🧵", minutes=0)
    appview.post(alice, "Oops, posted twice.", reply_to=root, minutes=5, likes=500)
    early = appview.post(alice, "First, the leaves.", reply_to=root, minutes=1)
    appview.post(alice, "Then the water.", reply_to=early, minutes=2)
    await library.follow("alice.bsky.social")

    [result] = await library.sync()

    assert (result.new_threads, result.error) == (1, "")
    thread = library.thread(f"bluesky:{root}")
    assert thread is not None
    assert [post.text for post in thread.posts] == [
        "A thread about tea 🧵",
        "First, the leaves.",
        "Then the water.",
    ]
    assert server.requests_to(THREAD) == []


async def test_a_feed_page_with_entries_that_are_not_entries_still_syncs(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    # The fast reading of a feed page (straight into the typed fields a sync reads) refuses
    # a page of another shape; the page is then read as any JSON and its good entries kept.
    alice = appview.account("alice.bsky.social", "Alice")
    chain = appview.chain(alice, 3)

    def with_garbage(request: Request) -> Reply:
        page = json.loads(appview.get_author_feed(request).body)
        page["feed"][1:1] = ["not an entry", 17, None]
        return Reply.json(page)

    server.route(FEED, with_garbage)
    await library.follow("alice.bsky.social")

    [result] = await library.sync()

    assert (result.new_threads, result.error) == (1, "")
    thread = library.thread(f"bluesky:{chain[0]}")
    assert thread is not None and thread.post_count == 3


async def test_a_feed_page_nested_past_any_decoders_depth_fails_that_author_clearly(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    appview.account("alice.bsky.social", "Alice")
    await library.follow("alice.bsky.social")
    deep = b'{"feed": [{"post": {"embed": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}]}"
    server.fail(FEED, Reply(200, deep, {"content-type": "application/json"}))

    [result] = await library.sync()

    # Was: "unexpected RecursionError: maximum recursion depth exceeded ...".
    assert result.error == f"{server.url.split('//')[1]} sent a response that is not valid JSON"


async def test_a_second_sync_with_nothing_new_is_nearly_free(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    busy_author(appview)
    await library.follow("alice.bsky.social")
    await library.sync()
    first_requests, first_bytes = len(server.log), server.bytes_sent

    await library.sync()
    second_requests = len(server.log) - first_requests
    second_bytes = server.bytes_sent - first_bytes
    await library.sync()
    third_requests = len(server.log) - first_requests - second_requests
    third_bytes = server.bytes_sent - first_bytes - second_bytes

    assert second_requests == 1 and third_requests == 1
    assert second_bytes < first_bytes / 10
    assert third_bytes == 0  # the feed's ETag matched: 304, no body
    print(f"first sync {first_bytes} B, second {second_bytes} B, third {third_bytes} B")


async def test_a_new_thread_is_marked_new_and_a_grown_one_unread_with_its_count(
    library: Library, appview: FakeAppView
) -> None:
    alice, threads = busy_author(appview)
    await library.follow("alice.bsky.social")
    await library.sync()
    tea_id = f"bluesky:{threads['tea'][0]}"
    library.set_unread(tea_id, False)
    # A new thread, a thread that grew, and an old single post that became a thread.
    appview.chain(alice, 2)
    appview.post(alice, "Tea, continued.", reply_to=threads["tea"][-1])
    single = next(u for u, p in appview.posts.items() if p.text == "Just a single post, number 5.")
    appview.post(alice, "Following up on my own post.", reply_to=single)

    [result] = await library.sync()

    assert (result.new_threads, result.grown_threads) == (2, 1)
    tea = library.thread(tea_id)
    assert tea is not None and tea.post_count == 4 and tea.unread
    # Grown is not new: it is unread again, with how many posts it gained since read.
    [listed] = [t for t in library.threads() if t.id == tea_id]
    assert (listed.is_new, listed.new_since_read) == (False, 1)
    grown_single = library.thread(f"bluesky:{single}")
    assert grown_single is not None and grown_single.post_count == 2


@pytest.mark.parametrize("failure", ["404", "500", "timeout"])
async def test_one_author_failing_does_not_stop_the_others(
    appview: FakeAppView, server: FakeServer, tmp_path: Path, config: object, failure: str
) -> None:
    busy_author(appview)
    carol = appview.account("carol.bsky.social", "Carol")
    appview.chain(carol, 2)
    fast = replace(config, network=NetworkConfig(timeout=0.3))  # type: ignore[type-var]
    library = Library(fast, Store(tmp_path / "library.sqlite3"))
    library.fetcher.backoff = 0.01
    try:
        await library.follow("alice.bsky.social")
        await library.follow("carol.bsky.social")
        faults = {
            "404": Reply.json({"error": "NotFound", "message": "gone"}, 404),
            "500": Reply(500),
            "timeout": Reply(200, b"{}", delay=1.0),
        }
        server.route(FEED, lambda _r: faults[failure], {"actor": carol.did})

        results = {r.author.handle: r for r in await library.sync()}

        assert results["alice.bsky.social"].new_threads == 2
        assert results["carol.bsky.social"].error
        [carol_row] = [r for r in library.following() if r.author.id == carol.did]
        assert carol_row.error == results["carol.bsky.social"].error
    finally:
        await library.aclose()
        library.close()


async def test_an_interrupted_sync_is_completed_next_time(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    busy_author(appview)
    await library.follow("alice.bsky.social")
    broken = {"on": True}

    def second_page_breaks(request: Request) -> Reply:
        if broken["on"] and request.query.get("cursor"):
            return Reply.json({"error": "InvalidRequest", "message": "bad cursor"}, 400)
        return appview.get_author_feed(request)

    server.route(FEED, second_page_breaks)
    [first] = await library.sync()
    assert first.error
    assert library.store.sync_state(first.author.key).watermark == ""

    broken["on"] = False
    [second] = await library.sync()
    assert second.error == "" and second.new_threads == 2


async def test_sync_refuses_offline_and_unknown_authors(library: Library) -> None:
    with pytest.raises(BadReference, match="you do not follow"):
        await library.sync(["nobody.bsky.social"])
    offline = Library(library.config.with_offline(True), library.store)
    with pytest.raises(Offline):
        await offline.sync()


async def test_unfollow_keeps_the_threads(library: Library, appview: FakeAppView) -> None:
    busy_author(appview)
    await library.follow("alice.bsky.social")
    await library.sync()

    library.unfollow("alice.bsky.social")

    assert library.following() == []
    assert len(library.threads()) == 2


def test_cli_follow_sync_threads_and_round_trips(
    cli: Cli, appview: FakeAppView, tmp_path: Path
) -> None:
    busy_author(appview)
    assert cli("follow", "alice.bsky.social", "bob.bsky.social").code == 0

    synced = cli("sync")
    unread = cli("threads", "--unread", "--format", "json")
    opml = tmp_path / "follows.opml"
    marks = tmp_path / "marks.json"
    exported = cli("following", "--export", str(opml))
    cli("read-state", "--export", str(marks))

    assert synced.code == 0, synced.err
    assert synced.out.strip() == "2 authors · 2 new threads"
    assert "@alice.bsky.social: 2 new, 0 grew" in synced.err
    assert len(json.loads(unread.out)) == 2
    assert exported.code == 0
    assert 'tuiReaderId="did:plc:' in opml.read_text("utf-8")

    other = Cli(tmp_path / "other.toml", tmp_path / "other-data")
    other.write_config(cli.config_path.read_text("utf-8"))
    imported = other("follow", "--import", str(opml))
    assert imported.code == 0, imported.err
    assert imported.out.strip() == "Imported 2 new follows (0 already followed, 0 skipped)."
    listed = json.loads(other("following", "--format", "json").out)
    assert [a["handle"] for a in listed] == ["alice.bsky.social", "bob.bsky.social"]

    assert other("sync").code == 0
    thread_id = json.loads(other("threads", "--format", "json").out)[0]["id"]
    # Read on the first machine, then carried over.
    data = json.loads(marks.read_text("utf-8"))
    for entry in data["threads"]:
        entry.update(unread=False, position=1, changed_at="2099-01-01T00:00:00Z")
    marks.write_text(json.dumps(data), "utf-8")
    merged = other("read-state", "--import", str(marks))
    assert merged.code == 0, merged.err
    assert "2 applied" in merged.out
    assert other("threads", "--unread", "--format", "json").out.strip() == "[]"
    assert any(t["id"] == thread_id for t in json.loads(other("threads", "--format", "json").out))


def test_cli_sync_failures_exit_1_with_a_summary(
    cli: Cli, appview: FakeAppView, server: FakeServer
) -> None:
    busy_author(appview)
    carol = appview.account("carol.bsky.social", "Carol")
    assert cli("follow", "alice.bsky.social", "carol.bsky.social").code == 0
    server.route(
        FEED, lambda _r: Reply.json({"error": "x", "message": "gone"}, 404), {"actor": carol.did}
    )

    result = cli("sync")

    assert result.code == 1
    assert result.out.startswith("2 authors · 2 new threads · 1 failed: ")
    assert "Traceback" not in result.err


def test_cli_follow_errors(cli: Cli, appview: FakeAppView) -> None:
    appview.account("alice.bsky.social")
    result = cli("follow", "ghost.bsky.social", "alice.bsky.social")
    assert result.code == 1
    assert "ghost.bsky.social" in result.err
    assert "Following" in result.out
    assert cli("follow").code == 2
    assert cli("unfollow", "ghost.bsky.social").code == 1
    bad = cli.data_dir.parent / "bad.opml"
    bad.write_text("<opml><body><outline", "utf-8")
    broken = cli("follow", "--import", str(bad))
    assert broken.code == 1 and "not a readable OPML file" in broken.err
    assert cli("read-state", "--import", str(bad)).code == 1
    assert cli("read-state").code == 2


async def test_a_post_dated_in_the_far_future_does_not_stop_later_syncs(
    library: Library, appview: FakeAppView
) -> None:
    alice = appview.account("alice.bsky.social", "Alice")
    appview.chain(alice, 2)
    # A post the server dates in 2999: it must not become the point syncs stop at.
    appview.post(alice, "From the future", minutes=(2999 - 2024) * 525_960)
    await library.follow("alice.bsky.social")
    await library.sync()
    later = appview.chain(alice, 3)
    await library.sync()
    threads = library.list_threads(ThreadList(f"bluesky:{alice.did}"))
    assert f"bluesky:{later[0]}" in {thread.id for thread in threads}


async def test_a_sync_of_many_silent_authors_ends_at_its_deadline(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    import time

    for n in range(24):
        appview.account(f"quiet{n}.bsky.social", f"Quiet {n}")
        await library.follow(f"quiet{n}.bsky.social")
    # Every feed request now hangs for longer than the test would wait.
    server.route(FEED, lambda _r: Reply(200, b"{}", delay=30))
    started = time.monotonic()
    results = await library.sync(deadline=2.0)
    assert time.monotonic() - started < 10
    assert len(results) == 24
    assert all("deadline" in result.error for result in results)


async def test_an_opml_import_of_silent_servers_ends_at_its_deadline(
    library: Library, server: FakeServer
) -> None:
    import time

    server.route_prefix("/api/v1/accounts/", lambda _r: Reply(200, b"{}", delay=30))
    outlines = "".join(
        f'<outline text="q{n}" htmlUrl="{server.url}/@quiet{n}"/>' for n in range(10)
    )
    started = time.monotonic()
    report = await library.import_follows(
        f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>', deadline=2.0
    )
    # One at a time, ten silent lookups took ten times the timeout.
    assert time.monotonic() - started < 8
    assert report.skipped == 10 and all("deadline" in p for p in report.problems)


def test_following_counts_threads_in_words(cli: Cli, appview: FakeAppView) -> None:
    cara = appview.account("cara.bsky.social", "Cara")
    appview.chain(cara, 3)
    assert cli("follow", "cara.bsky.social").code == 0
    assert cli("sync").code == 0
    listed = cli("following")
    assert "\t1 thread\t" in listed.out and "1 threads" not in listed.out


def test_follow_sync_brings_the_threads_in_at_once(cli: Cli, appview: FakeAppView) -> None:
    dana = appview.account("dana.bsky.social", "Dana")
    appview.chain(dana, 3)
    appview.chain(dana, 2)
    result = cli("follow", "--sync", "dana.bsky.social")
    assert result.code == 0, result.err
    assert "Brought in 2 new threads." in result.out
    assert len(json.loads(cli("threads", "--format", "json").out)) == 2
