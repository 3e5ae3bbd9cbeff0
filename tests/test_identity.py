"""Hostile servers, round two: nobody's name or thread is taken by another server or author
(issue "Hostile servers, round two", items 3 to 5)."""

from __future__ import annotations

from html import escape

import pytest

from tests.fake_bluesky import FakeAppView
from tests.fake_mastodon import FakeMastodon
from tests.server import FakeServer, Reply
from tui_reader.errors import ReaderError
from tui_reader.library import Library


def _page(handle: str, name: str, tweets: list[tuple[str, str]], screen: str = "") -> str:
    posts = "".join(
        f"<div class='content-tweet' data-tweet='{tweet_id}' "
        f"data-screenname='{screen or handle}'>{escape(text)}</div>"
        for tweet_id, text in tweets
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        "<div class='thread-info'><a class='time' data-time='1600000000'>t</a></div>"
        f"<h4 class='twitter_name'><a>{escape(name)}</a></h4>"
        f"<span class='screenName'><a>@{handle}</a></span>{posts}</body></html>"
    )


ALICE = _page("alice", "Alice", [("1000000001", "alice one"), ("1000000002", "alice two")])


async def test_a_mastodon_server_cannot_rename_another_instances_author(
    library: Library, server: FakeServer
) -> None:
    home = FakeMastodon(server)
    alice = home.account("alice", "Alice")
    home.chain(alice, 1)
    author, _ = await library.follow(home.account_url("alice"))
    assert author.display_name == "Alice"

    evil = FakeServer().start()
    try:
        fake = FakeMastodon(evil)
        mallory = fake.account("mallory", "Mallory")
        [status_id] = fake.chain(mallory, 1)
        # The evil server's status claims to be by alice of the other instance.
        fake.statuses[status_id]["account"] = {
            "id": mallory["id"],
            "username": "alice",
            "acct": author.handle,
            "display_name": "HACKED by evil",
            "url": "https://evil.example/phish",
        }
        await library.unroll(fake.url_of(status_id))
        kept = library.author(author.key)
        assert kept is not None
        assert (kept.display_name, kept.url) == ("Alice", author.url)
        with pytest.raises(ReaderError, match="answered for mallory with another account"):
            # A lookup of mallory that answers with alice's address is refused.
            fake.accounts[str(mallory["id"])]["acct"] = author.handle
            await library.follow(f"{evil.url}/@mallory")
    finally:
        evil.stop()

    kept = library.author(author.key)
    assert kept is not None
    assert (kept.display_name, kept.url) == ("Alice", author.url)


def test_a_page_cannot_take_another_authors_thread(library: Library) -> None:
    thread, _, _ = library.import_saved(ALICE)
    assert thread.author.handle == "alice"
    forged = _page("mallory", "Mallory", [("1000000001", "mallory was here")])
    with pytest.raises(ReaderError, match="@alice"):
        library.import_saved(forged)
    kept = library.thread(thread.id)
    assert kept is not None and kept.author.handle == "alice"
    assert [post.text for post in kept.posts] == ["alice one", "alice two"]


async def test_a_fetched_page_that_answers_with_another_authors_thread_is_refused(
    library: Library, server: FakeServer
) -> None:
    thread, _, _ = library.import_saved(ALICE)
    forged = _page("mallory", "Mallory", [("1000000001", "mallory was here")])
    server.route(
        "/thread/5555555555.html",
        lambda _r: Reply(200, forged.encode(), {"content-type": "text/html"}),
    )
    server.json("/api/v0/ping/5555555555.json", {"code": 200, "pong": "5555555555"})
    with pytest.raises(ReaderError, match="@alice"):
        await library.unroll("5555555555")
    kept = library.thread(thread.id)
    assert kept is not None and [post.text for post in kept.posts] == ["alice one", "alice two"]


def test_a_page_whose_posts_name_another_author_cannot_rename_the_header(
    library: Library,
) -> None:
    library.import_saved(ALICE)
    # The header is mallory's, named "ALICE RENAMED"; the tweets say they are alice's. The
    # header's name belongs to the header's handle, never to another.
    renamed = _page("mallory", "ALICE RENAMED", [("1000000005", "alice five")], screen="alice")
    library.import_saved(renamed)
    author = library.author("threadreader:alice")
    assert author is not None and author.display_name == "Alice"


async def test_a_bluesky_post_view_naming_another_author_is_refused(
    library: Library, server: FakeServer
) -> None:
    victim = "did:plc:victimvictimvictimvictim"
    evil = "did:plc:evilevilevilevilevilevil"
    view = {
        "uri": f"at://{evil}/app.bsky.feed.post/3kevil",
        "cid": "bafy",
        # The view says its author is the victim; its URI says the evil account wrote it.
        "author": {"did": victim, "handle": "victim.bsky.social", "displayName": "RENAMED"},
        "record": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2024-05-01T12:00:00Z"},
        "indexedAt": "2024-05-01T12:00:00Z",
    }
    server.json(
        "/xrpc/app.bsky.feed.getPostThread",
        {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": view, "replies": []}},
    )
    with pytest.raises(ReaderError):
        await library.unroll(f"https://bsky.app/profile/{evil}/post/3kevil")
    assert library.author(f"bluesky:{victim}") is None


async def test_an_opml_import_checks_every_field_and_never_rewrites_a_followed_author(
    library: Library, appview: FakeAppView
) -> None:
    alice = appview.account("alice.bsky.social", "Alice")
    followed, _ = await library.follow("alice.bsky.social")
    opml = f"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="x" title="HACKED &#x202E;evil" htmlUrl="javascript:alert(1)"
  tuiReaderSource="bluesky" tuiReaderId="{alice.did}" tuiReaderHandle="[b]evil[/b]"/>
<outline text="y" title="Traversal" tuiReaderSource="mastodon"
  tuiReaderId="../../../etc@evil.example/x?y#z" tuiReaderHandle="x"/>
<outline text="z" title="New &#x202E;one" htmlUrl="javascript:alert(2)" tuiReaderSource="bluesky"
  tuiReaderId="did:plc:newnewnewnewnewnewnewnewn" tuiReaderHandle="[i]new[/i]"/>
</body></opml>"""
    report = await library.import_follows(opml)
    assert (report.added, report.unchanged, report.skipped) == (1, 1, 1)
    kept = library.author(followed.key)
    assert kept == followed
    new = library.author("bluesky:did:plc:newnewnewnewnewnewnewnewn")
    assert new is not None
    assert (new.handle, new.url) == ("did:plc:newnewnewnewnewnewnewnewn", "")
    assert "\u202e" not in new.display_name
    assert all("\u202e" not in problem for problem in report.problems)


def test_a_page_cannot_claim_another_authors_tweet_in_a_thread_of_its_own(
    library: Library,
) -> None:
    thread, _, _ = library.import_saved(ALICE)
    forged = _page("mallory", "Mallory", [("5555555555", "mine"), ("1000000002", "stolen")])
    with pytest.raises(ReaderError, match="@alice"):
        library.import_saved(forged)
    assert library.thread("threadreader:5555555555") is None
    kept = library.thread(thread.id)
    assert kept is not None and [p.text for p in kept.posts] == ["alice one", "alice two"]
