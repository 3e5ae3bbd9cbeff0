"""Unrolling Bluesky threads against a fake AppView over real sockets."""

from __future__ import annotations

import pytest

from tests.fake_bluesky import FakeAppView
from tests.server import FakeServer
from tui_reader.errors import BadReference, NotFound
from tui_reader.library import Library
from tui_reader.sources.bluesky_records import web_url

THREAD_PATH = "/xrpc/app.bsky.feed.getPostThread"


def texts(thread: object) -> list[str]:
    return [post.text for post in thread.posts]  # type: ignore[attr-defined]


async def test_branch_takes_the_earliest_self_reply(library: Library, appview: FakeAppView) -> None:
    alice = appview.account("alice.bsky.social", "Alice")
    root = appview.post(alice, "A thread about tea 🧵", minutes=0)
    early = appview.post(alice, "First, the leaves.", reply_to=root, minutes=1)
    # A later, much-liked second answer to the same post: the server lists it first.
    appview.post(alice, "Oops, posted twice.", reply_to=root, minutes=5, likes=500)
    appview.post(alice, "Then the water.", reply_to=early, minutes=2)

    thread = await library.unroll(web_url(root))

    assert texts(thread) == ["A thread about tea 🧵", "First, the leaves.", "Then the water."]
    assert thread.title == "A thread about tea 🧵"
    assert thread.author.display_name == "Alice"


async def test_other_peoples_replies_are_left_out(library: Library, appview: FakeAppView) -> None:
    alice = appview.account("alice.bsky.social")
    bob = appview.account("bob.bsky.social")
    root = appview.post(alice, "One", minutes=0)
    # Bob's popular reply is listed first and is earlier than Alice's own continuation.
    bob_reply = appview.post(bob, "Great thread!", reply_to=root, minutes=1, likes=900)
    appview.post(alice, "Thanks Bob", reply_to=bob_reply, minutes=2)
    two = appview.post(alice, "Two", reply_to=root, minutes=3)
    appview.post(bob, "Reply to two", reply_to=two, minutes=4, likes=50)
    appview.post(alice, "Three", reply_to=two, minutes=5)

    thread = await library.unroll(web_url(root))

    assert texts(thread) == ["One", "Two", "Three"]


async def test_unroll_from_the_middle_gives_the_whole_thread(
    library: Library, appview: FakeAppView
) -> None:
    alice = appview.account("alice.bsky.social")
    uris = appview.chain(alice, 9)

    from_middle = await library.unroll(web_url(uris[4]))
    from_end = await library.unroll(web_url(uris[-1]))

    assert texts(from_middle) == [f"Post {n} of 9." for n in range(1, 10)]
    assert from_middle.id == from_end.id == f"bluesky:{uris[0]}"
    assert from_middle.url == web_url(uris[0])


async def test_a_chain_under_someone_elses_post_starts_at_the_authors_first(
    library: Library, appview: FakeAppView
) -> None:
    alice = appview.account("alice.bsky.social")
    bob = appview.account("bob.bsky.social")
    question = appview.post(bob, "Can you explain?")
    answer = appview.chain(alice, 3, reply_to=question)

    thread = await library.unroll(web_url(answer[2]))

    assert texts(thread) == ["Post 1 of 3.", "Post 2 of 3.", "Post 3 of 3."]
    assert thread.id == f"bluesky:{answer[0]}"


async def test_a_250_post_thread_comes_back_whole_in_a_few_requests(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    alice = appview.account("alice.bsky.social")
    uris = appview.chain(alice, 250)

    thread = await library.unroll(web_url(uris[0]))

    assert thread.post_count == 250
    assert texts(thread)[-1] == "Post 250 of 250."
    assert len(server.requests_to(THREAD_PATH)) <= 4


async def test_a_long_thread_is_whole_from_its_last_post_too(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    alice = appview.account("alice.bsky.social")
    # Longer than one answer's parent chain, so the client must ask again upwards.
    uris = appview.chain(alice, 320)

    thread = await library.unroll(web_url(uris[-1]))

    assert thread.post_count == 320
    assert texts(thread)[0] == "Post 1 of 320."
    assert len(server.requests_to(THREAD_PATH)) <= 8


async def test_a_server_that_caps_depth_is_asked_again(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    appview.max_depth = 10
    alice = appview.account("alice.bsky.social")
    uris = appview.chain(alice, 45)

    thread = await library.unroll(web_url(uris[0]))

    assert thread.post_count == 45
    assert len(server.requests_to(THREAD_PATH)) == 5


async def test_a_deleted_post_ends_the_chain_and_is_recorded(
    library: Library, appview: FakeAppView
) -> None:
    alice = appview.account("alice.bsky.social")
    uris = appview.chain(alice, 4)
    appview.posts[uris[2]].deleted = True

    before = await library.unroll(web_url(uris[0]))
    after = await library.unroll(web_url(uris[3]))

    assert texts(before) == ["Post 1 of 4.", "Post 2 of 4."]
    assert texts(after) == ["Post 4 of 4."]
    assert "deleted" in after.ends_early


async def test_unrolling_a_deleted_post_says_so(library: Library, appview: FakeAppView) -> None:
    alice = appview.account("alice.bsky.social")
    uri = appview.post(alice, "gone soon")
    appview.posts[uri].deleted = True

    with pytest.raises(NotFound, match="deleted"):
        await library.unroll(web_url(uri))
    assert library.threads() == []


async def test_an_unknown_handle_says_so(library: Library, appview: FakeAppView) -> None:
    with pytest.raises(NotFound, match="nobody.bsky.social"):
        await library.unroll("https://bsky.app/profile/nobody.bsky.social/post/3kabc")


async def test_a_handle_is_resolved_and_then_remembered(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    alice = appview.account("alice.bsky.social")
    uri = appview.post(alice, "hello")
    rkey = uri.rpartition("/")[2]
    url = f"https://bsky.app/profile/alice.bsky.social/post/{rkey}"

    first = await library.unroll(url)
    again = await library.unroll(url)

    assert first == again
    assert len(server.requests_to("/xrpc/com.atproto.identity.resolveHandle")) == 1
    assert len(server.requests_to(THREAD_PATH)) == 1


async def test_a_profile_is_not_a_thread(library: Library, appview: FakeAppView) -> None:
    with pytest.raises(BadReference, match="profile"):
        await library.unroll("https://bsky.app/profile/alice.bsky.social")


async def test_refresh_fetches_again_and_picks_up_new_posts(
    library: Library, appview: FakeAppView
) -> None:
    alice = appview.account("alice.bsky.social")
    uris = appview.chain(alice, 2)
    first = await library.unroll(web_url(uris[0]))
    appview.post(alice, "A late addition.", reply_to=uris[1])

    cached = await library.unroll(web_url(uris[0]))
    refreshed = await library.unroll(web_url(uris[0]), refresh=True)

    assert cached.post_count == first.post_count == 2
    assert texts(refreshed)[-1] == "A late addition."
