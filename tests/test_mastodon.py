"""Mastodon: status HTML, unrolling past the context limits, sync, errors, the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Cli
from tests.fake_mastodon import FakeMastodon
from tests.server import FIXTURES, FakeServer, Reply
from tui_reader.errors import BadReference, NotFound, RateLimited, Unauthorized
from tui_reader.fetch import Fetcher
from tui_reader.library import Library
from tui_reader.models import AuthorRef, PostRef
from tui_reader.render import to_html, to_json, to_markdown, to_text
from tui_reader.sources import Sources
from tui_reader.sources.mastodon import MastodonSource, parse_status
from tui_reader.sources.mastodon_html import content_to_text


@pytest.fixture
def masto(server: FakeServer) -> FakeMastodon:
    return FakeMastodon(server)


def recording(name: str) -> Any:
    return json.loads((FIXTURES / "mastodon" / name).read_text("utf-8"))["interactions"]


def test_real_status_html_becomes_plain_text_with_full_links() -> None:
    context = recording("status_context_anonymous.json")[0]["response"]["json"]
    status = next(s for s in context["descendants"] if s["id"] == "109294767623508949")

    text, links = content_to_text(status["content"])

    assert "I #SupportMastodon at $10 a month" in text
    assert "@Gargron @Mastodon" in text
    assert text.endswith("\n\nhttps://mastodon.social/@austinkocher/109268468019840972")
    assert links == ("https://mastodon.social/@austinkocher/109268468019840972",)
    assert "<" not in text and "invisible" not in text


def test_paragraphs_breaks_entities_and_link_words() -> None:
    html = (
        '<p>One &amp; two&#39;s<br>second line</p><p>Read <a href="https://ex.org/essay">'
        'this essay</a> and <a href="https://ex.org/a/b" rel="nofollow"><span class="invisible">'
        'https://</span><span class="ellipsis">ex.org/a</span><span class="invisible">/b'
        "</span></a></p>"
    )

    text, links = content_to_text(html)

    assert text == "One & two's\nsecond line\n\nRead this essay and https://ex.org/a/b"
    assert links == ("https://ex.org/essay", "https://ex.org/a/b")


def test_a_recorded_status_with_a_link_card() -> None:
    [interaction] = recording("status.json")
    status = interaction["response"]["json"]

    post = parse_status(status, "https://fosstodon.org")

    assert post.id == status["uri"]
    assert post.url == status["url"]
    assert post.media[-1].kind == "link"
    assert post.media[-1].url.startswith("https://r-consortium.org/posts/")
    assert post.media[-1].url in post.links


async def test_the_recorded_context_gives_the_authors_chain_only(
    library: Library, server: FakeServer
) -> None:
    context = recording("status_context_anonymous.json")[0]["response"]["json"]
    austin = next(
        s["account"] for s in context["descendants"] if s["account"]["acct"] == "austinkocher"
    )
    root = {
        "id": "109294719267373593",
        "created_at": "2022-11-06T03:24:00.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "spoiler_text": "",
        "uri": "https://mastodon.social/users/austinkocher/statuses/109294719267373593",
        "url": "https://mastodon.social/@austinkocher/109294719267373593",
        "content": "<p>A thread about Mastodon.</p>",
        "account": austin,
        "media_attachments": [],
        "reblog": None,
    }
    by_id = {s["id"]: s for s in context["descendants"]} | {root["id"]: root}
    server.json(f"/api/v1/statuses/{root['id']}/context", context)
    server.json(
        "/api/v1/statuses/109294767623508949/context", {"ancestors": [root], "descendants": []}
    )
    server.route_prefix("/api/v1/statuses/", lambda r: Reply.json(by_id[r.path.rsplit("/", 1)[1]]))

    thread = await library.unroll(
        f"{server.url}/@austinkocher/109297452549435392".replace(
            "109297452549435392", "109294719267373593"
        )
    )

    # Two self-replies to the root (a branch): the earlier one; replies to others left out.
    assert [p.id.rsplit("/", 1)[1] for p in thread.posts] == [
        "109294719267373593",
        "109294767623508949",
    ]
    assert thread.author.display_name.startswith("Austin Kocher")


async def test_a_75_post_thread_comes_back_whole_from_any_post(
    library: Library, masto: FakeMastodon, server: FakeServer
) -> None:
    ada = masto.account("ada", "Ada")
    bea = masto.account("bea", "Bea")
    ids = masto.chain(ada, 75)
    # Noise: other people's replies and Ada's replies to them.
    for n in (0, 10, 40):
        other = masto.status(bea, "<p>Nice!</p>", reply_to=ids[n])
        masto.status(ada, "<p>Thanks Bea</p>", reply_to=other)

    for start in (ids[0], ids[37], ids[-1]):
        thread = await library.unroll(masto.url_of(start), refresh=True)
        assert thread.post_count == 75
        assert [p.text for p in thread.posts][:2] == ["Toot 1 of 75.", "Toot 2 of 75."]
        assert thread.posts[-1].text == "Toot 75 of 75."
    assert len(server.requests_to(f"/api/v1/statuses/{ids[0]}/context")) <= 3


async def test_a_branch_takes_the_earliest_self_reply(
    library: Library, masto: FakeMastodon
) -> None:
    ada = masto.account("ada")
    root = masto.status(ada, "<p>Root</p>", minutes=0)
    early = masto.status(ada, "<p>Early</p>", reply_to=root, minutes=1)
    masto.status(ada, "<p>Late</p>", reply_to=root, minutes=9)
    masto.status(ada, "<p>After early</p>", reply_to=early, minutes=2)

    thread = await library.unroll(masto.url_of(root))

    assert [p.text for p in thread.posts] == ["Root", "Early", "After early"]


async def test_content_warnings_media_and_json(library: Library, masto: FakeMastodon) -> None:
    ada = masto.account("ada")
    root = masto.status(
        ada,
        "<p>Spoilers ahead</p>",
        cw="Film plot",
        media=[
            {"type": "image", "url": "https://files.example/a.png", "description": "A still"},
            {"type": "audio", "url": "https://files.example/b.mp3", "description": "The theme"},
        ],
    )
    masto.status(ada, "<p>More</p>", reply_to=root)

    thread = await library.unroll(masto.url_of(root))

    first = thread.posts[0]
    assert first.content_warning == "Film plot"
    assert [(m.kind, m.alt) for m in first.media] == [
        ("image", "A still"),
        ("link", "audio: The theme"),
    ]
    assert "CW: Film plot\nSpoilers ahead" in to_text(thread)
    assert "**CW: Film plot**" in to_markdown(thread)
    assert "<details><summary>CW: Film plot</summary>" in to_html(thread)
    assert json.loads(to_json(thread))["posts"][0]["content_warning"] == "Film plot"
    assert "content_warning" not in json.loads(to_json(thread))["posts"][1]


async def test_a_closed_instance_says_so(library: Library, masto: FakeMastodon) -> None:
    ada = masto.account("ada")
    status = masto.status(ada, "<p>hi</p>")
    masto.closed = True

    with pytest.raises(Unauthorized, match="does not let anonymous readers use its API"):
        await library.unroll(masto.url_of(status))


async def test_missing_and_rate_limited(
    library: Library, masto: FakeMastodon, server: FakeServer
) -> None:
    with pytest.raises(NotFound, match="Record not found"):
        await library.unroll(f"{server.url}/@ada/1234")
    ada = masto.account("ada")
    status = masto.status(ada, "<p>hi</p>")
    server.fail(
        f"/api/v1/statuses/{status}",
        Reply.json(
            {"error": "Too many requests"}, 429, {"x-ratelimit-reset": "2999-01-01T00:00:00.000Z"}
        ),
    )
    with pytest.raises(RateLimited, match=r"127\.0\.0\.1:\d+ is rate limiting"):
        await library.unroll(masto.url_of(status))


def test_references(server: FakeServer) -> None:
    source = MastodonSource(Fetcher())
    host = server.url.removeprefix("http://")
    ada = AuthorRef("mastodon", f"ada@{host}", stable=True, home=server.url)

    assert source.resolve("@ada@mastodon.social") == AuthorRef(
        "mastodon", "ada@mastodon.social", stable=True, home="https://mastodon.social"
    )
    assert source.resolve(f"{server.url}/@ada/1234") == PostRef(
        "mastodon", ada, "1234", key=f"{server.url}/users/ada/statuses/1234"
    )
    assert source.resolve("https://fosstodon.org/@Ada") == AuthorRef(
        "mastodon", "ada@fosstodon.org", stable=True, home="https://fosstodon.org"
    )
    assert source.resolve("https://mastodon.social/users/ada/statuses/99") == PostRef(
        "mastodon",
        AuthorRef("mastodon", "ada@mastodon.social", stable=True, home="https://mastodon.social"),
        "99",
        key="https://mastodon.social/users/ada/statuses/99",
    )
    assert source.resolve("https://www.youtube.com/@channel/videos") is None
    assert source.resolve("alice.bsky.social") is None


def test_the_registry_gives_each_url_to_the_source_that_owns_its_host() -> None:
    sources = Sources(Fetcher())

    # Mastodon reads any host, but not one another source owns.
    bluesky = sources.resolve("https://bsky.app/profile/ada.bsky.social")
    tweet = sources.resolve("https://x.com/ada/status/1870000000000000001")
    assert isinstance(bluesky, AuthorRef) and bluesky.source == "bluesky"
    assert isinstance(tweet, PostRef) and tweet.source == "threadreader"
    with pytest.raises(BadReference, match="not a tweet or profile URL"):
        sources.resolve("https://x.com/@ada/1234")
    status = sources.resolve("https://fosstodon.org/@ada/1234")
    assert isinstance(status, PostRef) and status.source == "mastodon"


async def test_follow_and_sync_a_mastodon_account(
    library: Library, masto: FakeMastodon, server: FakeServer
) -> None:
    ada = masto.account("ada", "Ada")
    bea = masto.account("bea")
    masto.chain(ada, 3)
    for n in range(45):
        masto.status(ada, f"<p>single {n}</p>")
    other = masto.status(bea, "<p>question</p>")
    masto.status(ada, "<p>an answer</p>", reply_to=other)
    masto.chain(ada, 2)

    author, _ = await library.follow(f"{server.url}/@ada")
    [first] = await library.sync()
    [second] = await library.sync()

    assert author.display_name == "Ada"
    assert (first.new_threads, first.error) == (2, "")
    assert (second.new_threads, second.error) == (0, "")
    assert sorted(t.post_count for t in library.threads()) == [2, 3]
    pages = [r for r in server.log if r.path.endswith("/statuses") and "max_id" in r.query]
    assert len(pages) == 1  # the first sync followed the Link header once


def test_cli_unroll_prints_the_whole_thread_as_json(cli: Cli, masto: FakeMastodon) -> None:
    ada = masto.account("ada", "Ada")
    root = masto.status(
        ada,
        '<p>Start <a href="https://ex.org/a/long/path"><span class="invisible">https://'
        '</span><span class="ellipsis">ex.org/a/long</span><span class="invisible">/path</span>'
        "</a></p>",
    )
    ids = [root, *masto.chain(ada, 24, reply_to=root)]

    result = cli("unroll", masto.url_of(ids[12]), "--format", "json")

    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["source"] == "mastodon" and data["post_count"] == 25
    assert data["posts"][0]["text"] == "Start https://ex.org/a/long/path"
    assert data["posts"][0]["links"] == ["https://ex.org/a/long/path"]
    assert data["author"]["display_name"] == "Ada"
    listed = json.loads(cli("threads", "--format", "json").out)
    assert [t["source"] for t in listed] == ["mastodon"]


@pytest.mark.parametrize("home_flavour", ["mastodon", "gotosocial", "akkoma"])
async def test_a_remote_authors_thread_is_read_from_their_home_instance(
    library: Library, masto: FakeMastodon, home_flavour: str
) -> None:
    home_server = FakeServer().start()
    try:
        home = FakeMastodon(home_server, home_flavour)
        ada = home.account("ada", "Ada at home")
        ids = home.chain(ada, 5)
        # The local instance knows one of Ada's posts, under its own ID, and only that one.
        local_id = "555000000000000001"
        copy = dict(home.statuses[ids[2]])
        copy.update(
            id=local_id,
            in_reply_to_id=None,
            in_reply_to_account_id=None,
            account={**ada, "id": "777", "acct": f"ada@{home.host}"},
        )
        # A remote status keeps its home's URI and web address: Akkoma's URI has no ID in
        # it (/objects/UUID), so the home's ID comes from the web address (/notice/ID).
        masto.statuses[local_id] = copy

        thread = await library.unroll(f"{masto.base}/@ada@{home.host}/{local_id}")

        assert thread.post_count == 5
        assert thread.author.display_name == "Ada at home"
        assert [p.text for p in thread.posts][0] == "Toot 1 of 5."
    finally:
        home_server.stop()


# Servers other than Mastodon that speak its client API ------------------------------------

FLAVOURS = ["gotosocial", "akkoma", "old"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_every_server_kind_unrolls_from_its_own_post_urls(
    library: Library, server: FakeServer, flavour: str
) -> None:
    masto = FakeMastodon(server, flavour)
    ada = masto.account("ada", "Ada")
    bob = masto.account("bob", "Bob")
    ids = masto.chain(ada, 6)
    masto.status(bob, "<p>a reply from someone else</p>", reply_to=ids[2])
    expected = {
        "gotosocial": f"{masto.base}/@ada/statuses/{ids[3]}",
        "akkoma": f"{masto.base}/notice/{ids[3]}",
        "old": f"{masto.base}/@ada/{ids[3]}",
    }[flavour]
    assert masto.url_of(ids[3]) == expected

    thread = await library.unroll(masto.url_of(ids[3]))

    assert [p.text for p in thread.posts] == [f"Toot {n} of 6." for n in range(1, 7)]
    assert thread.author.handle == f"ada@{masto.host}"
    assert [p.url for p in thread.posts] == [masto.url_of(i) for i in ids]
    # The ActivityPub address (where the server's URIs carry the ID) reads the same thread.
    again = await library.unroll(f"{masto.base}/users/ada/statuses/{ids[0]}")
    assert again.id == thread.id


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_every_server_kind_can_be_followed_and_synced(
    library: Library, server: FakeServer, flavour: str
) -> None:
    masto = FakeMastodon(server, flavour)
    ada = masto.account("ada", "Ada")
    for _ in range(45):  # more than one page of statuses
        masto.chain(ada, 2)
    profile = masto.account_url("ada")

    author, added = await library.follow(profile)
    [result] = await library.sync()

    assert added and author.id == f"ada@{masto.host}"
    assert result.error == "" and result.new_threads == 45
    assert all(t.post_count == 2 for t in library.threads())
    [again] = await library.sync()
    assert again.error == "" and again.new_threads == 0


def test_post_and_profile_urls_of_every_server_kind() -> None:
    source = MastodonSource(Fetcher())
    gts = "https://gts.example"
    ulid = "01HV8ZK2M4Q9X7T3B5N6C1D0EF"
    assert source.resolve(f"{gts}/@ada/statuses/{ulid}") == PostRef(
        "mastodon",
        AuthorRef("mastodon", "ada@gts.example", stable=True, home=gts),
        ulid,
        key=f"{gts}/users/ada/statuses/{ulid}",
    )
    notice = source.resolve("https://akkoma.example/notice/AbCdEf123456789XyZ")
    assert isinstance(notice, PostRef)
    assert notice.locator == "AbCdEf123456789XyZ" and notice.author.home == "https://akkoma.example"
    assert not notice.author.name and not notice.key  # the author is learnt when fetched
    assert source.resolve("https://akkoma.example/users/ada") == AuthorRef(
        "mastodon", "ada@akkoma.example", stable=True, home="https://akkoma.example"
    )
    web = source.resolve("https://mastodon.example/web/@ada/1234")
    assert isinstance(web, PostRef) and web.locator == "1234"
    old_web = source.resolve("https://mastodon.example/web/statuses/1234")
    assert isinstance(old_web, PostRef) and old_web.locator == "1234"
    # Other sites' /@name/… pages are not statuses: Mastodon's own form keeps numeric IDs.
    assert source.resolve("https://medium.com/@writer/a-story-1a2b3c") is None
    # IDs go into request paths: nothing but safe characters is taken.
    assert source.resolve(f"{gts}/@ada/statuses/..%2F..%2Fadmin") is None
    assert source.resolve("https://akkoma.example/notice/a%3Fb") is None


async def test_a_gotosocial_server_closed_to_anonymous_readers_says_so(
    library: Library, server: FakeServer
) -> None:
    masto = FakeMastodon(server, "gotosocial")
    ada = masto.account("ada")
    status = masto.status(ada, "<p>hi</p>")
    masto.closed = True

    with pytest.raises(Unauthorized) as caught:
        await library.unroll(masto.url_of(status))
    assert caught.value.message == (
        f"{masto.host} does not let anonymous readers use its API "
        "(HTTP 401: Unauthorized: token not supplied); "
        "open the post on a server that lets you read it, or in a browser"
    )


@pytest.mark.parametrize("flavour", ["akkoma", "old"])
async def test_a_post_named_by_server_and_id_alone_is_read_from_the_library_offline(
    library: Library, server: FakeServer, flavour: str
) -> None:
    # /notice/ID (Pleroma, Akkoma) and /web/statuses/ID (Mastodon's old web app) name no
    # author; the library's copy is found by the server and the ID all the same.
    masto = FakeMastodon(server, flavour)
    ada = masto.account("ada", "Ada")
    ids = masto.chain(ada, 4)
    thread = await library.unroll(masto.url_of(ids[0]))
    named = {
        "akkoma": f"{masto.base}/notice/{ids[2]}",
        "old": f"{masto.base}/web/statuses/{ids[2]}",
    }[flavour]
    offline = Library(library.config.with_offline(True), library.store)

    again = await offline.unroll(named)

    assert again.id == thread.id and again.post_count == 4
    # Another server's post of the same ID, or an ID the library lacks, is not this thread.
    assert (
        offline.cached_thread(offline.resolve(f"https://elsewhere.example/notice/{ids[2]}")) is None
    )
    assert offline.cached_thread(offline.resolve(f"{masto.base}/notice/AAAA1234")) is None


def test_a_link_shortened_by_hand_comes_back_whole() -> None:
    from tui_reader.sources.mastodon_html import content_to_text

    full = "https://bsky.app/profile/h4lcyon.bsky.social/post/3kabc"
    for shown in ("bsky.app/profile/h4lc...", "bsky.app/profile/h4lc…", full[8:]):
        text, links = content_to_text(f'<p>See <a href="{full}">{shown}</a> now</p>')
        assert text == f"See {full} now", shown
        assert links == (full,)
    # Words linked to a page stay words; so does text that is not the address.
    text, _ = content_to_text(
        f'<p><a href="{full}">this post</a> and <a href="{full}">bsky.app/other...</a></p>'
    )
    assert text == "this post and bsky.app/other..."


async def test_a_remote_thread_is_read_through_the_first_server_when_home_is_down(
    library: Library, server: FakeServer
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        home = f"127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there
    relay = FakeMastodon(server)
    ann = relay.account("ann", "Ann")
    ann["acct"] = f"ann@{home}"
    ids = relay.chain(ann, 3)
    for status_id in ids:
        relay.statuses[status_id]["uri"] = f"http://{home}/users/ann/statuses/{status_id}"
    thread = await library.unroll(relay.url_of(ids[1]))
    assert [post.text for post in thread.posts] == ["Toot 1 of 3.", "Toot 2 of 3.", "Toot 3 of 3."]
    host = relay.host
    assert thread.ends_early == f"read through {host}; {home} did not answer"
