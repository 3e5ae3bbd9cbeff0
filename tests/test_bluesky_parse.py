"""Parsing Bluesky's post views: facets (UTF-8 byte offsets), embeds, references."""

from __future__ import annotations

import json

import pytest

from tests.fake_bluesky import FakeAppView
from tests.server import FIXTURES, FakeServer
from tui_reader.errors import BadReference
from tui_reader.fetch import Fetcher
from tui_reader.library import Library
from tui_reader.models import AuthorRef, PostRef, Ref
from tui_reader.sources.bluesky import BlueskySource
from tui_reader.sources.bluesky_records import parse_post, restore_links


def link_facet(text: str, visible: str, uri: str) -> dict[str, object]:
    start = text.encode("utf-8").index(visible.encode("utf-8"))
    return {
        "index": {"byteStart": start, "byteEnd": start + len(visible.encode("utf-8"))},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
    }


def feed_posts() -> list[dict[str, object]]:
    data = json.loads((FIXTURES / "bluesky" / "getAuthorFeed.json").read_text("utf-8"))
    return [item["post"] for item in data["interactions"][0]["response"]["json"]["feed"]]


def test_links_after_an_emoji_and_a_curly_apostrophe_are_restored_in_full() -> None:
    data = json.loads((FIXTURES / "bluesky" / "getPostThread.json").read_text("utf-8"))
    view = data["interactions"][0]["response"]["json"]["thread"]["post"]

    post = parse_post(view)

    assert "LocalView (http://localview.net), a local civic" in post.text
    assert post.text.endswith("\n\nhttps://rstats.ai/gov.html")
    assert post.links == ("http://localview.net", "https://rstats.ai/gov.html")
    assert post.media[0].kind == "image"
    assert post.media[0].url.startswith("https://cdn.bsky.app/img/feed_fullsize/")
    assert (
        post.url == "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s"
    )
    assert post.created_at == "2023-09-19T11:32:54Z"


def test_a_shortened_link_is_replaced_by_its_full_url() -> None:
    text = "🎉 Café notes: example.com/a-very-long-pa… read it"
    facet = link_facet(text, "example.com/a-very-long-pa…", "https://example.com/a-very-long-path")

    restored, links = restore_links(text, [facet])

    assert restored == "🎉 Café notes: https://example.com/a-very-long-path read it"
    assert links == ("https://example.com/a-very-long-path",)


def test_link_words_that_are_not_the_url_stay_as_written() -> None:
    text = "Read this essay today"
    facet = link_facet(text, "this essay", "https://example.org/essay")

    restored, links = restore_links(text, [facet])

    assert restored == text
    assert links == ("https://example.org/essay",)


@pytest.mark.parametrize(
    "index",
    [
        {"byteStart": 5, "byteEnd": 500},
        {"byteStart": 9, "byteEnd": 3},
        {"byteStart": "0", "byteEnd": 4},
        {},
    ],
)
def test_broken_facets_are_ignored(index: dict[str, object]) -> None:
    text = "plain text here"
    facet = {"index": index, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "x"}]}

    assert restore_links(text, [facet]) == (text, ())


def test_non_web_links_are_not_listed() -> None:
    text = "mail me"
    facet = link_facet(text, "mail me", "javascript:alert(1)")

    assert restore_links(text, [facet]) == (text, ())


def test_every_embed_kind_in_a_real_feed_is_understood() -> None:
    posts = {view["uri"].rpartition("/")[2]: parse_post(view) for view in feed_posts()}

    with_media_and_quote = posts["3loagm2phgk2t"]  # recordWithMedia
    assert [m.kind for m in with_media_and_quote.media] == ["image"]
    assert with_media_and_quote.quote is not None
    assert with_media_and_quote.quote.author == "cranupdates.bsky.social"
    assert with_media_and_quote.quote.text.startswith("Updates on CRAN: bskyr (0.3.0)")

    card = posts["3lo7irc7njk2p"]  # external link card
    assert card.media[0].kind == "link"
    assert card.media[0].url == "https://github.com/christopherkenny/harvard-diss"
    assert "https://github.com/christopherkenny/harvard-diss" in card.links

    quote = posts["3lktjjvxvdk2g"]  # record
    assert quote.quote is not None
    assert quote.quote.url.startswith("https://bsky.app/profile/did:plc:5c2r73erhng4bszmxlfdtscf/")
    assert "https://github.com/christopherkenny/bskyr/pull/18" in quote.quote.text
    assert quote.media == ()

    two_images = posts["3kyw6fpeehk2z"]
    assert [m.kind for m in two_images.media] == ["image", "image"]


DID_ABC = AuthorRef("bluesky", "did:plc:abc123", stable=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://bsky.app/profile/alice.bsky.social/post/3kabc123",
            PostRef("bluesky", AuthorRef("bluesky", "alice.bsky.social"), "3kabc123"),
        ),
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kabc?ref=share",
            PostRef(
                "bluesky", DID_ABC, "3kabc", key="at://did:plc:abc123/app.bsky.feed.post/3kabc"
            ),
        ),
        (
            "at://did:plc:abc123/app.bsky.feed.post/3kxyz",
            PostRef(
                "bluesky", DID_ABC, "3kxyz", key="at://did:plc:abc123/app.bsky.feed.post/3kxyz"
            ),
        ),
        ("alice.bsky.social", AuthorRef("bluesky", "alice.bsky.social")),
        ("@Alice.Bsky.Social", AuthorRef("bluesky", "alice.bsky.social")),
        (
            "https://bsky.app/profile/alice.bsky.social",
            AuthorRef("bluesky", "alice.bsky.social"),
        ),
        ("did:plc:abc123", DID_ABC),
        ("1234567890", None),
        ("@alice@mastodon.social", None),
        ("https://example.com/post/1", None),
    ],
)
def test_references(text: str, expected: Ref | None, server: FakeServer) -> None:
    source = BlueskySource(Fetcher(), {"appview": server.url})

    assert source.resolve(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://bsky.app/profile/alice.bsky.social/feed/whats-hot",
        "https://bsky.app/search?q=tea",
        "at://did:plc:abc/app.bsky.feed.like/3kabc",
    ],
)
def test_bluesky_urls_that_are_not_posts_are_refused(text: str) -> None:
    source = BlueskySource(Fetcher())

    with pytest.raises(BadReference):
        source.resolve(text)


async def test_the_recorded_thread_replays_through_the_whole_stack(
    library: Library, server: FakeServer
) -> None:
    server.replay("bluesky/getPostThread.json")

    thread = await library.unroll(
        "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s"
    )

    assert thread.author.handle == "soubhikbarari.bsky.social"
    assert thread.post_count == 1
    assert thread.posts[0].links == ("http://localview.net", "https://rstats.ai/gov.html")
    assert library.threads()[0].id == thread.id


async def test_a_recorded_handle_resolves(library: Library, server: FakeServer) -> None:
    server.replay("bluesky/resolveHandle.json")
    source = library.sources["bluesky"]

    assert (
        await source.resolve_handle("chriskenny.bsky.social") == "did:plc:wpe35pganb6d4pg4ekmfy6u5"
    )  # type: ignore[attr-defined]


async def test_profile_lookup(library: Library, appview: FakeAppView) -> None:
    appview.account("carol.bsky.social", "Carol C.")

    author = await library.sources["bluesky"].profile("carol.bsky.social")

    assert author.display_name == "Carol C."
    assert author.id.startswith("did:plc:")


def test_a_feed_entry_with_malformed_reply_references_is_left_out() -> None:
    from tui_reader.sources.bluesky import feed_item
    from tui_reader.sources.bluesky_records import feed_entries, feed_entry, post_uri

    did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
    uri = f"at://{did}/app.bsky.feed.post/3kaaaaaaaaaa2"
    for reply in ({"root": "not a reference", "parent": 5}, {"root": None, "parent": []}):
        entry = {
            "post": {
                "uri": uri,
                "author": {"did": did},
                "record": {"text": "hi", "createdAt": "2024-06-01T00:00:00Z", "reply": reply},
            }
        }
        # Before, a string where a {"uri": …} reference belongs raised AttributeError.
        assert feed_item(feed_entry(entry), did, post_uri(did, "")) is None
        # The fast reading refuses such a page: it is read as any JSON instead.
        assert feed_entries(json.dumps({"feed": [entry]}).encode("utf-8")) is None


def test_a_feed_entry_is_the_authors_only_if_its_address_is_in_their_repository() -> None:
    from tui_reader.sources.bluesky import feed_item
    from tui_reader.sources.bluesky_records import FeedEntry, feed_entry, post_uri

    did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
    own = post_uri(did, "")

    def entry(uri: str) -> FeedEntry | None:
        record = {"text": "hi", "createdAt": "2024-06-01T00:00:00Z"}
        return feed_entry({"post": {"uri": uri, "author": {"did": did}, "record": record}})

    assert feed_item(entry(f"{own}3kaaaaaaaaaa2"), did, own) is not None
    # A server that names the author but gives another repository's post, or a record key
    # with more in it, does not slip a stranger's post into the author's threads.
    for uri in (
        "at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3kaaaaaaaaaa2",
        f"{own}3kaaaaaaaaaa2/extra",
        f"{own}3kaaaaaaaaaa2\n",
        f"{own}",
    ):
        assert feed_item(entry(uri), did, own) is None, uri


def test_a_feed_page_read_fast_gives_what_reading_it_whole_gives() -> None:
    # A sync decodes each entry straight into the fields it reads; on the recorded page
    # that must give exactly what reading the whole JSON, field by field, gives: the same
    # entries, and the same posts as parse_post makes of the JSON's post views.
    from tui_reader.sources.bluesky_records import feed_entries, feed_entry, post_of_view

    data = json.loads((FIXTURES / "bluesky" / "getAuthorFeed.json").read_text("utf-8"))
    page = data["interactions"][0]["response"]["json"]
    decoded = feed_entries(json.dumps(page).encode("utf-8"))
    assert decoded is not None
    entries, cursor = decoded
    assert entries == [feed_entry(entry) for entry in page["feed"]]
    assert [post_of_view(entry.post) for entry in entries if entry.post] == [
        parse_post(entry["post"]) for entry in page["feed"]
    ]
    assert sum(entry.reason is not None for entry in entries) == sum(
        "reason" in entry for entry in page["feed"]
    )
    assert cursor == page.get("cursor")
    # Not that shape: left to the reading that keeps what it can.
    for body in (
        b'{"feed": ["not an entry"]}',
        b'{"cursor": "x"}',
        b"[]",
        b"NaN",
        b"\xff",
        b'{"feed": [{"post": {"uri": 5}}]}',
        b'{"feed": [{"post": {"author": null}}]}',
        b'{"feed": [{"post": {"record": {"text": "\\ud800"}}}]}',
        # Nested past the decoder's depth limit: it raised RecursionError, which ended the
        # author's sync as "unexpected"; the reading of any JSON then names the server.
        b'{"feed": [{"post": {"embed": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}]}",
    ):
        assert feed_entries(body) is None, body[:80]


def test_a_feed_entry_read_field_by_field_keeps_the_fields_of_the_right_type() -> None:
    from tui_reader.sources.bluesky_records import feed_entry, post_of_view

    entry = feed_entry(
        {
            "post": {
                "uri": "at://did:plc:a/app.bsky.feed.post/3k",
                "author": {"did": "did:plc:a", "handle": 7, "displayName": ["x"]},
                "record": {"text": "kept", "createdAt": 20240601, "reply": "not a reply"},
                "indexedAt": "2024-06-01T00:00:00Z",
            },
            "reason": {"$type": None},
        }
    )
    assert entry is not None and entry.post is not None and entry.reason is not None
    assert (entry.post.author.did, entry.post.author.handle) == ("did:plc:a", "")
    assert (entry.post.record.text, entry.post.record.createdAt) == ("kept", "")
    assert entry.post.record.reply is None and entry.reason.kind == ""
    # The post's time falls back to the server's when its own is unusable.
    assert post_of_view(entry.post).created_at == "2024-06-01T00:00:00Z"
    assert feed_entry("not an entry") is None
    assert feed_entry({"post": "not a post"}) == feed_entry({})


@pytest.mark.parametrize(
    "tail",
    [
        "3kaaaaaaaaaa2",
        "a",
        "A.b_c:d~e-f",
        "x" * 512,
        "x" * 513,
        "",
        "3ka/b",
        "3ka\n",
        "3kaé",
        "\ud800",
    ],
)
def test_the_quick_check_of_an_authors_post_agrees_with_the_full_one(tail: str) -> None:
    from tui_reader.sources.bluesky import is_own_post
    from tui_reader.sources.bluesky_records import is_post_uri, post_uri

    own = post_uri("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "")
    assert is_own_post(own + tail, own) == is_post_uri(own + tail)
