"""Hostile servers, round two: every path over server data is linear, and posts are capped.

Each test feeds one path the size that took it tens of seconds when the path was quadratic
(issue: "Hostile servers, round two", item 2), with a bound far above what the linear path
needs on a slow machine, so a return to quadratic work fails rather than merely slows.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.server import FakeServer, Reply
from tui_reader.export import export_thread
from tui_reader.library import Library
from tui_reader.limits import MAX_LINKS_PER_POST
from tui_reader.models import Author, Post, Thread
from tui_reader.render import to_json
from tui_reader.sources.bluesky_records import restore_links
from tui_reader.sources.mastodon_html import content_to_text
from tui_reader.sources.threadreader_pages import parse_page

DID = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
OTHER = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"
#: What the linear paths need is well under a second here; quadratic ones took 15 s to 190 s.
BOUND = 6.0


def _view(did: str, rkey: str, text: str, parent: str = "") -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2024-05-01T12:00:00Z",
    }
    if parent:
        record["reply"] = {
            "root": {"uri": parent, "cid": "c"},
            "parent": {"uri": parent, "cid": "c"},
        }
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafy",
        "author": {"did": did, "handle": did[8:12] + ".bsky.social", "displayName": "X"},
        "record": record,
        "replyCount": 0,
        "indexedAt": "2024-05-01T12:00:00Z",
    }


async def test_a_post_with_sixty_thousand_replies_unrolls_in_linear_time(
    library: Library, server: FakeServer
) -> None:
    root = _view(DID, "3kroot", "the first post")
    root["replyCount"] = 60_000
    # Bare reply views (no $type, no record reply): sixty thousand fit under the 32 MB cap.
    reply = {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2024-05-01T12:00:00Z"}
    replies = [
        {
            "post": {
                "uri": f"at://{OTHER}/app.bsky.feed.post/3r{n}",
                "author": {"did": OTHER},
                "record": reply,
            }
        }
        for n in range(60_000)
    ]
    body = {
        "thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": root, "replies": replies}
    }
    server.route("/xrpc/app.bsky.feed.getPostThread", lambda _r: Reply.json(body))
    started = time.monotonic()
    thread = await library.unroll(f"https://bsky.app/profile/{DID}/post/3kroot")
    # Checking each reply against a list of the others took 58 s for 110,000.
    assert time.monotonic() - started < BOUND
    assert [post.text for post in thread.posts] == ["the first post"]


def test_a_bluesky_post_with_twenty_thousand_link_facets_is_read_in_linear_time() -> None:
    words = [f"https://e.example/{n} " for n in range(20_000)]
    text = "".join(words)
    facets = []
    position = 0
    for word in words:
        end = position + len(word) - 1
        facets.append(
            {
                "index": {"byteStart": position, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": word.strip()}],
            }
        )
        position += len(word)
    started = time.monotonic()
    restored, links = restore_links(text, facets)
    assert time.monotonic() - started < BOUND
    assert len(links) == MAX_LINKS_PER_POST
    assert restored.startswith("https://e.example/0 https://e.example/1 ")


def test_a_mastodon_status_with_twenty_thousand_links_is_read_in_linear_time() -> None:
    html = (
        "<p>"
        + " ".join(
            f'<a href="https://e.example/{n}">https://e.example/{n}</a>' for n in range(20_000)
        )
        + "</p>"
    )
    started = time.monotonic()
    text, links = content_to_text(html)
    assert time.monotonic() - started < BOUND
    assert len(links) == MAX_LINKS_PER_POST
    assert "https://e.example/19999" in text
    assert text.endswith("kept the first 1,000 links of this post; 19,000 more were dropped]")


def test_a_thread_reader_page_with_twenty_thousand_links_is_read_in_linear_time() -> None:
    anchors = " ".join(
        f"<a class='entity-url' href='https://e.example/{n}'>e.example/{n}</a>"
        for n in range(20_000)
    )
    page = (
        "<html><body><div class='thread-info'><a class='time' data-time='1600000000'>t</a></div>"
        "<h4 class='twitter_name'><a>Pat</a></h4><span class='screenName'><a>@pat_ok</a></span>"
        f"<div class='content-tweet' data-tweet='1600000000000000001' data-screenname='pat_ok'>"
        f"{anchors}</div></body></html>"
    )
    started = time.monotonic()
    thread = parse_page(page)
    assert time.monotonic() - started < BOUND
    assert len(thread.posts[0].links) == MAX_LINKS_PER_POST


def test_a_post_with_twenty_thousand_links_renders_in_linear_time(tmp_path: Path) -> None:
    # A post kept before links were capped: drawing it must not be quadratic either.
    links = tuple(f"https://e.example/{n}" for n in range(20_000))
    author = Author("mastodon", "https://m.example/@a", "a@m.example", "A", "https://m.example/@a")
    post = Post(
        "https://m.example/1",
        "https://m.example/@a/1",
        "2024-01-01T00:00:00Z",
        " ".join(links),
        links,
    )
    thread = Thread.from_posts("mastodon", author, (post,), "2024-01-02T00:00:00Z")
    started = time.monotonic()
    written = export_thread(thread, "markdown", tmp_path / "t.md")
    assert time.monotonic() - started < BOUND
    markdown = written.path.read_text("utf-8")
    assert "https://e.example/19999" in markdown
    # The first thousand are linked; a kept link is never matched inside a longer address.
    assert "[https://e.example/999](https://e.example/999)" in markdown
    assert "(https://e.example/199)99" not in markdown


async def test_a_chain_longer_than_is_kept_says_so(library: Library, server: FakeServer) -> None:
    from tui_reader.sources.chain import MAX_CHAIN_STEPS

    account = {"id": "7", "username": "ann", "acct": "ann", "display_name": "Ann"}
    count = MAX_CHAIN_STEPS + 500
    statuses = [
        {
            "id": str(1000 + n),
            "created_at": "2024-06-01T09:00:00.000Z",
            "in_reply_to_id": str(999 + n) if n else None,
            "in_reply_to_account_id": "7" if n else None,
            "content": f"<p>{n + 1}</p>",
            "account": account,
            "url": f"{server.url}/@ann/{1000 + n}",
        }
        for n in range(count)
    ]

    def answer(request: Any) -> Reply:
        status_id = request.path.split("/")[4]
        if request.path.endswith("/context"):
            # A server that sends a whole conversation at once (Akkoma does).
            index = int(status_id) - 1000
            return Reply.json({"ancestors": statuses[:index], "descendants": statuses[index + 1 :]})
        return Reply.json(statuses[int(status_id) - 1000])

    server.route_prefix("/api/v1/statuses/", answer)
    thread = await library.unroll(f"{server.url}/@ann/1000")
    assert len(thread.posts) == MAX_CHAIN_STEPS
    assert thread.ends_early == "the thread goes on; tui-reader keeps 10,000 posts"
    assert json.loads(to_json(thread))["ends_early"] == thread.ends_early
    from_the_end = await library.unroll(f"{server.url}/@ann/{1000 + count - 1}")
    assert from_the_end.ends_early.startswith("the thread starts earlier")


def test_a_status_with_thousands_of_attachments_keeps_the_first() -> None:
    from tui_reader.limits import MAX_MEDIA_PER_POST
    from tui_reader.sources.mastodon import parse_status

    status = {
        "id": "1",
        "content": "<p>many</p>",
        "created_at": "2024-06-01T09:00:00.000Z",
        "account": {"id": "7", "acct": "ann"},
        "media_attachments": [
            {"type": "image", "url": f"https://m.example/{n}.png"} for n in range(20_000)
        ],
    }
    post = parse_status(status, "https://m.example")
    assert len(post.media) == MAX_MEDIA_PER_POST
