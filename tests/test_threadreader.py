"""Thread Reader App: the page parser, saved pages, ping and page over the local server."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.fake_threadreader import FakeThreadReader
from tests.server import FIXTURES, FakeServer, Reply, Request
from tui_reader.errors import BadReference, BadResponse, NotFound, RateLimited
from tui_reader.fetch import Fetcher
from tui_reader.library import Library
from tui_reader.models import AuthorRef, PostRef
from tui_reader.sources import Sources
from tui_reader.sources.threadreader import FIRST_SYNC_THREADS, ThreadReaderSource
from tui_reader.sources.threadreader_pages import (
    parse_copied_text,
    parse_page,
    parse_page_and_list,
)

PAGE = (FIXTURES / "threadreader" / "thread-page.html").read_text("utf-8")
COPIED = (FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt").read_text("utf-8")
ROOT = "1870000000000000001"


def serve_reader(server: FakeServer, page: str = PAGE) -> dict[str, int]:
    """Ping answers for the fixture's four tweets, and the page with an ETag."""
    counts = {"page": 0, "not_modified": 0}

    def ping(request: Request) -> Reply:
        tweet = request.path.rsplit("/", 1)[1].removesuffix(".json")
        if tweet.startswith("18700000000000000"):
            return Reply.json({"code": 200, "pong": ROOT})
        return Reply.json({"code": 404, "message": "not found"})

    def thread_page(request: Request) -> Reply:
        counts["page"] += 1
        if request.headers.get("if-none-match") == '"v1"':
            counts["not_modified"] += 1
            return Reply(304, b"", {"etag": '"v1"'})
        return Reply(
            200, page.encode(), {"content-type": "text/html; charset=utf-8", "etag": '"v1"'}
        )

    server.route_prefix("/api/v0/ping/", ping)
    server.route(f"/thread/{ROOT}.html", thread_page)
    return counts


def test_the_page_parser_reads_the_thread_and_nothing_else() -> None:
    thread = parse_page(PAGE)

    assert [p.id for p in thread.posts] == [f"18700000000000000{n:02d}" for n in range(1, 5)]
    assert thread.author.display_name == "Ana Ferreira 📚"
    assert thread.author.handle == "archivist_ana"
    assert thread.created_at == "2024-12-15T12:00:00Z"
    first, second, third, fourth = thread.posts
    assert first.text == (
        "1/ Why do so many municipal archives keep two copies of every council minute book? "
        "A short thread on duplicates, fires & the law of 1887.\n\n"
        'It\'s a story about "redundancy" long before computers.'
    )
    assert [m.url for m in second.media] == [
        "https://pbs.twimg.com/media/GeXaMpLeAAA1.jpg",
        "https://pbs.twimg.com/media/GeXaMpLeAAA2.jpg",
    ]
    assert "https://archives.example.org/catalogue/minutes-1887 and @regional_archive" in third.text
    assert third.links[0] == "https://archives.example.org/catalogue/minutes-1887"
    assert third.quote is not None and third.quote.author == "regional_archive"
    assert third.quote.url == "https://x.com/regional_archive/status/1869999999999999999"
    assert "twitter.com/regional_archive" not in third.text
    assert fourth.text.endswith("they’re 140 years old, at least. Ends. 📚")
    everything = " ".join(p.text for p in thread.posts)
    assert "preview card" not in everything and "not a post" not in everything
    assert first.url == "https://x.com/archivist_ana/status/1870000000000000001"


def test_duplicated_tweets_appear_once_and_pages_without_tweets_are_refused() -> None:
    doubled = PAGE.replace("</div>\n</body>", "").replace(
        ' <div class="t-main">',
        ' <div class="t-main">\n'
        + PAGE[PAGE.index('  <div id="tweet_1"') : PAGE.index('  <div id="tweet_2"')],
    )
    assert len(parse_page(doubled).posts) == 4
    with pytest.raises(BadResponse, match="not a Thread Reader App thread page"):
        parse_page("<html><body><p>Hello</p></body></html>")


def test_a_copied_page_gives_the_thread_the_author_and_more_from() -> None:
    page = parse_copied_text(COPIED)

    thread = page.thread
    assert thread.post_count == 8
    assert thread.author.display_name == "Sergey Radchenko"
    assert thread.author.handle == "DrRadchenko"
    assert thread.posts[0].text.startswith("So in view of today's conversation between Putin")
    assert thread.posts[-1].text.startswith("Thankfully, there are strategists in Washington")
    assert [s.post_count for s in page.more_from] == [9, 6, 4, 5, 5, 10]
    assert [s.created_at for s in page.more_from] == [
        "--12-14",
        "--12-14",
        "--12-02",
        "--12-02",
        "--12-01",
        "--11-27",
    ]
    assert page.more_from[0].title.startswith("This here is extremely interesting")
    everything = " ".join(p.text for p in thread.posts) + " ".join(
        s.preview for s in page.more_from
    )
    for furniture in ("Try unrolling", "Donate", "Premium", "Keep Current", "Read all threads"):
        assert furniture not in everything


def test_text_that_is_not_a_copied_page_is_refused() -> None:
    from tui_reader.errors import ReaderError

    with pytest.raises(ReaderError, match="not a copied Thread Reader App page"):
        parse_copied_text("just some notes\nnothing else")


@pytest.mark.parametrize(
    ("text", "tweet"),
    [
        # A thread page's address names the first tweet: its page is read without a ping.
        ("https://threadreaderapp.com/thread/1870000000000000001.html", f"thread/{ROOT}"),
        (
            "https://x.com/archivist_ana/status/1870000000000000003?s=20&t=abc",
            "1870000000000000003",
        ),
        ("https://twitter.com/archivist_ana/status/1870000000000000002", "1870000000000000002"),
        (
            "https://mobile.twitter.com/archivist_ana/status/1870000000000000004/photo/1",
            "1870000000000000004",
        ),
        ("https://www.x.com/a/status/1870000000000000001", ROOT),
        ("1870000000000000002", "1870000000000000002"),
    ],
)
def test_references(text: str, tweet: str) -> None:
    source = ThreadReaderSource(Fetcher())
    ref = source.resolve(text)
    assert isinstance(ref, PostRef) and ref.locator == tweet
    assert ref.key == tweet.removeprefix("thread/")


@pytest.mark.parametrize(
    "text",
    [
        "https://x.com/Archivist_Ana",
        "https://twitter.com/archivist_ana?lang=en",
        "https://threadreaderapp.com/user/archivist_ana",
        "@archivist_ana@x.com",
        "archivist_ana@twitter.com",
    ],
)
def test_author_references(text: str) -> None:
    # Through the registry: an address on x.com is not a fediverse account.
    assert Sources(Fetcher()).resolve(text) == AuthorRef(
        "threadreader", "archivist_ana", stable=True
    )


def test_x_pages_that_are_nobodys_profile() -> None:
    with pytest.raises(BadReference, match="not a tweet or profile URL"):
        Sources(Fetcher()).resolve("https://x.com/explore")


async def test_unroll_from_any_tweet_pings_for_the_root_then_reads_the_page(
    library: Library, server: FakeServer
) -> None:
    serve_reader(server)

    thread = await library.unroll("https://x.com/archivist_ana/status/1870000000000000003")

    assert thread.id == f"threadreader:{ROOT}"
    assert thread.post_count == 4
    assert thread.url == f"{server.url}/thread/{ROOT}.html"
    [page_request] = server.requests_to(f"/thread/{ROOT}.html")
    assert page_request.headers["user-agent"].startswith("Mozilla/5.0")


async def test_a_thread_nobody_unrolled_says_what_to_do(
    library: Library, server: FakeServer
) -> None:
    serve_reader(server)
    with pytest.raises(NotFound, match="reply to it with '@threadreaderapp unroll'"):
        await library.unroll("https://x.com/someone/status/1999999999999999999")


async def test_rate_limits_are_waited_out_or_reported(library: Library, server: FakeServer) -> None:
    serve_reader(server)
    server.fail(f"/api/v0/ping/{ROOT}.json", Reply(429, b"", {"retry-after": "0"}), Reply(503))
    thread = await library.unroll(ROOT)
    assert thread.post_count == 4

    server.fail("/api/v0/ping/1870000000000000002.json", Reply(429, b"", {"retry-after": "7200"}))
    with pytest.raises(RateLimited, match="try again in 7200 s"):
        await library.unroll("1870000000000000002", refresh=True)


async def test_refresh_revalidates_the_page(library: Library, server: FakeServer) -> None:
    counts = serve_reader(server)
    await library.unroll(ROOT)

    again = await library.unroll(ROOT, refresh=True)

    assert counts == {"page": 2, "not_modified": 1}
    assert again.post_count == 4


async def test_one_request_at_a_time_to_thread_reader_app(server: FakeServer) -> None:
    server.route("/slow", lambda _r: Reply(200, b"{}", delay=0.3))
    async with Fetcher() as fetcher:
        source = ThreadReaderSource(fetcher, {"base_url": server.url})
        started = time.perf_counter()
        # The source's politeness is set on the fetcher when it first uses it.
        await asyncio.gather(*(source.fetcher.get(f"{server.url}/slow") for _ in range(3)))
        assert time.perf_counter() - started >= 0.85


def test_cli_import_twice_changes_nothing_and_lists_more_from(cli: Cli, tmp_path: object) -> None:
    copied = FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt"
    page = FIXTURES / "threadreader" / "thread-page.html"

    first = cli("import", str(copied), str(page))
    listed = json.loads(cli("threads", "--format", "json").out)
    second = cli("import", str(copied))
    again = json.loads(cli("threads", "--format", "json").out)

    assert first.code == 0, first.err
    assert "(8 posts); 6 more from @DrRadchenko listed" in first.out
    assert "Ana Ferreira 📚 (@archivist_ana) (4 posts)" in first.out
    assert second.out.startswith("Already in the library:")
    assert len(listed) == 8
    assert again == listed
    assert sorted(t["post_count"] for t in listed if t["author"]["handle"] == "DrRadchenko") == [
        4,
        5,
        5,
        6,
        8,
        9,
        10,
    ]


def test_cli_import_errors(cli: Cli) -> None:
    missing = cli("import", "/no/such/file.html")
    assert missing.code == 1 and "no such file" in missing.err
    notes = cli.data_dir.parent / "notes.txt"
    notes.write_text("shopping list\n", "utf-8")
    wrong = cli("import", str(notes))
    assert wrong.code == 1 and "not a copied Thread Reader App page" in wrong.err


def test_cli_unroll_a_tweet_url(cli: Cli, server: FakeServer) -> None:
    serve_reader(server)
    result = cli(
        "unroll", "https://twitter.com/archivist_ana/status/1870000000000000004", "--format", "json"
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["source"] == "threadreader" and data["post_count"] == 4
    assert data["posts"][1]["media"][0] == {
        "kind": "image",
        "url": "https://pbs.twimg.com/media/GeXaMpLeAAA1.jpg",
        "alt": "",
    }


MORE_FROM = """
<div class="t-user-related">
  <h1 class="list-content-header">More from @pat_2020
    <a href="https://threadreaderapp.com/user/pat_2020">see all</a></h1>
  <div class="t-user-related-entry"><div class="thread-card">
    <div class="box-user">
      <span class="username"><a href="/user/someone_else">Someone Else</a></span>
      <span class="screenName"><a href="/user/someone_else">@someone_else</a></span></div>
    <span class="time" data-time="1590000000">May 20, 2020</span>
    <div class="card-tweets"><div class="content-tweet">An older thread<br />
on something else</div></div>
    <a class="tweet-url"
       href="https://threadreaderapp.com/thread/1260000000000000001.html">Read 12 tweets</a>
  </div></div>
</div>
"""


def test_a_2020_page_with_more_from_imports_its_own_thread() -> None:
    # Found on a page a browser saved in 2020: the handles of the "More from" cards were
    # joined to the header's, every such page was refused, and so was every live page.
    page = f"""<!DOCTYPE html><html><body>
<div class="row"><div class="col"><span class="username"><a href="/user/pat_2020">Pat Example</a>
</span><span class="screenName"><a href="/user/pat_2020">@pat_2020</a></span>
<a class="time" data-time="1600000000">Sep 13, 2020</a></div></div>
<div class="row t-tweet"><div class="content-tweet" data-screenname="pat_2020"
 data-tweet="1300000000000000001">First line<br />
second line<br />
<br />
new paragraph</div></div>
<div class="row t-tweet"><div class="content-tweet" data-screenname="pat_2020"
 data-tweet="1300000000000000002">The second tweet</div></div>
{MORE_FROM}</body></html>"""
    thread = parse_page(page)
    assert thread.author.handle == "pat_2020"
    assert thread.author.display_name == "Pat Example"
    assert [p.text for p in thread.posts] == [
        "First line\nsecond line\n\nnew paragraph",
        "The second tweet",
    ]


async def test_more_from_on_an_html_page_is_listed_and_opens(
    library: Library, server: FakeServer
) -> None:
    page = f"""<!DOCTYPE html><html><body>
<h4 class="twitter_name"><a href="/user/pat_2020">Pat Example</a></h4>
<div class="content-tweet" data-screenname="pat_2020" data-tweet="1300000000000000001">Hi</div>
{MORE_FROM}</body></html>"""
    thread, added, _ = library.import_saved(page)
    assert added == 1
    [listed] = [t for t in library.threads() if not t.fetched]
    assert listed.id == "threadreader:1260000000000000001"
    assert listed.title == "An older thread"
    assert listed.preview == "An older thread on something else"
    assert listed.post_count == 12 and listed.created_at == "2020-05-20T18:40:00Z"
    assert listed.author.handle == "someone_else"
    assert listed.url == f"{server.url}/thread/1260000000000000001.html"

    server.json(
        "/api/v0/ping/1260000000000000001.json", {"code": 200, "pong": "1260000000000000001"}
    )
    other = (
        "<!DOCTYPE html><html><body>"
        '<div class="content-tweet" data-screenname="someone_else" '
        'data-tweet="1260000000000000001">An older thread</div>'
        '<div class="content-tweet" data-screenname="someone_else" '
        'data-tweet="1260000000000000002">on something else</div></body></html>'
    )
    server.route(
        "/thread/1260000000000000001.html",
        lambda _r: Reply(200, other.encode(), {"content-type": "text/html"}),
    )
    opened = await library.unroll(listed.url)
    assert opened.id == listed.id and opened.post_count == 2
    summary = library.summary(listed.id)
    assert summary is not None and summary.fetched


async def test_the_author_of_a_listed_thread_can_be_followed(library: Library) -> None:
    # A thread known only from "More from" has no posts: following its author hit an assert.
    library.import_saved(COPIED)
    listed = next(t for t in library.threads() if not t.fetched)
    author, added = await library.follow(listed.id)
    assert added and author.handle == "DrRadchenko"


def test_a_day_that_does_not_exist_is_no_date() -> None:
    from tui_reader.sources.threadreader_pages import _partial_date

    assert _partial_date("29 Feb") == "--02-29"
    assert _partial_date("31 Feb") == "" and _partial_date("14 Dec 2021") == "2021-12-14T00:00:00Z"


PAGE_2020 = (Path(__file__).parent / "data" / "threadreader-2020.html").read_text("utf-8")


def test_a_page_saved_in_2020_imports_every_field() -> None:
    page = parse_page_and_list(PAGE_2020)
    thread = page.thread

    assert thread.author.handle == "pat_rivers"
    assert thread.author.display_name == "Pat Rivers 🚣"
    assert thread.created_at == "2020-04-14T13:20:00Z"
    assert [p.id for p in thread.posts] == [f"125000000000000000{n}" for n in range(1, 5)]
    first, second, third, fourth = thread.posts
    # An emoji drawn as a picture is its character; the permalink number is not text.
    assert first.text == "Twelve things I learnt restoring a 1930s canal lock 🚣\nA thread."
    assert first.url == "https://x.com/pat_rivers/status/1250000000000000001"
    # 2020's images are in src, not a lazy data-src.
    assert [m.url for m in second.media] == ["https://pbs.twimg.com/media/EVabcdeXkAEl0ck.jpg"]
    assert not second.text.endswith("2")
    # The t.co link becomes the address in data-url; the quoted tweet is a quote, with its
    # text, and none of it is the quoting tweet's text.
    assert third.text == (
        "2. The paddle gear came from a foundry that still exists: "
        "https://foundry.example.co.uk/history/paddle-gear — thanks to @canal_trust, who wrote:"
    )
    assert third.links == (
        "https://foundry.example.co.uk/history/paddle-gear",
        "https://x.com/canal_trust/status/1249999999999999999",
    )
    assert third.quote is not None
    assert third.quote.url == "https://x.com/canal_trust/status/1249999999999999999"
    assert third.quote.author == "canal_trust"
    assert third.quote.text == (
        "Every lock on this stretch was\nre-geared in 1934. pic.twitter.com/ZyXwVu9876"
    )
    assert fourth.text == "3. That's all for today & more tomorrow."

    assert [(t.id, t.title, t.post_count, t.created_at) for t in page.more_from] == [
        (
            "threadreader:1234000000000000001",
            "Why towpaths are on one side only",
            9,
            "2020-03-01T00:00:00Z",
        ),
        (
            "threadreader:1212000000000000001",
            "A year on the water, in twelve photos",
            13,
            "2020-01-01T00:00:00Z",
        ),
    ]
    assert (
        page.more_from[0].preview == "Why towpaths are on one side only a short thread 1. Horses."
    )
    assert all(not t.fetched for t in page.more_from)


# Following X authors through their Thread Reader App page ---------------------------------


@pytest.fixture
def reader_site(server: FakeServer) -> FakeThreadReader:
    return FakeThreadReader(server)


async def test_an_x_author_is_followed_and_synced_from_their_page(
    library: Library, server: FakeServer, reader_site: FakeThreadReader
) -> None:
    reader_site.author("pat_rivers", "Pat Rivers")
    older = reader_site.thread("pat_rivers", 3, hours=1, title="Locks and weirs")
    newer = reader_site.thread("pat_rivers", 5, hours=2, title="Towpaths")
    # Only in the "More from" of the thread pages (the author's page lists recent ones).
    oldest = reader_site.thread("pat_rivers", 4, hours=0, title="Canal maps")
    reader_site.more_from_only.add(oldest)

    author, added = await library.follow("https://x.com/Pat_Rivers")
    assert added and author.key == "threadreader:pat_rivers"
    assert author.display_name == "Pat Rivers"

    [result] = await library.sync()

    assert result.error == "" and result.new_threads == 2
    # The first sync asked for the author's page with what following them had kept of it
    # (unchanged, it was not sent a second time).
    follow_request, sync_request = server.requests_to("/user/pat_rivers")
    assert sync_request.headers.get("if-none-match")
    fetched = {t.title: t.post_count for t in library.threads() if t.fetched}
    assert fetched == {"Towpaths": 5, "Locks and weirs": 3}
    # A thread the library lacks, seen in a thread page's "More from": listed, not fetched.
    [listed] = [t for t in library.threads() if not t.fetched]
    assert listed.title == "Canal maps" and listed.post_count == 4
    # Thread pages were read straight from the cards' addresses: no pings.
    assert server.requests_to("/api/v0/ping/") == []
    assert len(server.requests_to(f"/thread/{newer}.html")) == 1
    assert len(server.requests_to(f"/thread/{older}.html")) == 1

    # Nothing new: one request, answered 304, and no thread page is read again.
    [again] = await library.sync()
    assert again.error == "" and again.new_threads == 0
    user_requests = server.requests_to("/user/pat_rivers")
    assert user_requests[-1].headers.get("if-none-match")
    assert len(server.requests_to(f"/thread/{newer}.html")) == 1

    # A new thread: only it is unrolled.
    newest = reader_site.thread("pat_rivers", 2, hours=3, title="Boat names")
    [third] = await library.sync()
    assert third.error == "" and third.new_threads == 1
    assert len(server.requests_to(f"/thread/{newest}.html")) == 1
    assert len(server.requests_to(f"/thread/{older}.html")) == 1


async def test_a_first_sync_unrolls_the_newest_and_lists_the_rest(
    library: Library, reader_site: FakeThreadReader
) -> None:
    reader_site.author("prolific", "Prolific")
    for hour in range(FIRST_SYNC_THREADS + 3):
        reader_site.thread("prolific", 2, hours=hour)
    await library.follow("@prolific@x.com")

    [result] = await library.sync()

    assert result.new_threads == FIRST_SYNC_THREADS
    rows = library.threads()
    assert len(rows) == FIRST_SYNC_THREADS + 3
    # The oldest three wait, listed, to be opened on demand.
    assert [t.fetched for t in rows[-3:]] == [False, False, False]
    assert all(t.fetched for t in rows[:-3])


async def test_a_page_without_thread_cards_fails_that_author_only(
    library: Library, server: FakeServer, reader_site: FakeThreadReader
) -> None:
    reader_site.author("changed", "Changed Markup")
    reader_site.author("fine", "Fine")
    reader_site.thread("changed", 2, hours=1)
    reader_site.thread("fine", 2, hours=1)
    reader_site.without_cards.add("changed")
    await library.follow("https://x.com/changed")
    await library.follow("https://twitter.com/fine")

    results = {r.author.handle: r for r in await library.sync()}

    assert results["changed"].error == (
        f"Thread Reader App's page {server.url}/user/changed lists no threads"
    )
    assert results["fine"].error == "" and results["fine"].new_threads == 1


async def test_following_someone_thread_reader_app_does_not_know(
    library: Library, server: FakeServer, reader_site: FakeThreadReader
) -> None:
    with pytest.raises(NotFound) as caught:
        await library.follow("https://x.com/nobody_here")
    assert caught.value.message == (
        f"Thread Reader App has no page for @nobody_here ({server.url}/user/nobody_here): "
        "nobody has unrolled their threads there"
    )


def test_cli_follow_and_sync_an_x_author(cli: Cli, reader_site: FakeThreadReader) -> None:
    reader_site.author("pat_rivers", "Pat <b>Rivers</b> \x1b[31m")
    reader_site.thread("pat_rivers", 3, hours=1, title="Locks and weirs")

    followed = cli("follow", "https://threadreaderapp.com/user/pat_rivers")
    assert followed.code == 0, followed.err
    assert "pat_rivers" in followed.out and "\x1b" not in followed.out
    synced = cli("sync")
    assert synced.code == 0, synced.err
    assert synced.out.strip() == "1 author · 1 new thread"
    listed = cli("threads", "@pat_rivers@x.com")
    assert listed.code == 0, listed.err
    assert "Locks and weirs" in listed.out


def test_cli_accepts_the_handle_it_prints(cli: Cli) -> None:
    # The lists print an X author as @DrRadchenko: that is what people type back.
    assert (
        cli("import", str(FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt")).code
        == 0
    )
    listed = cli("threads", "@DrRadchenko")
    assert listed.code == 0, listed.err
    assert len(listed.out.splitlines()) == 7
    unknown = cli("threads", "@SomeoneElse")
    assert unknown.code == 1 and "cannot tell what '@SomeoneElse' is" in unknown.err
