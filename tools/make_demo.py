"""Record the demo library: serve tools/demo_content.py through the test fakes, run the
demo's own build steps against them, and keep every answer in tui_reader/demo/.

Run from the repository root: ``python tools/make_demo.py``.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import demo_content as content  # noqa: E402

from tests.fake_bluesky import FakeAppView  # noqa: E402
from tests.fake_mastodon import FakeMastodon  # noqa: E402
from tests.server import FakeServer, Reply, Request  # noqa: E402
from tui_reader.config import Config, SourcesConfig  # noqa: E402
from tui_reader.demo import MASTODON, populate  # noqa: E402
from tui_reader.fetch import replay_key  # noqa: E402
from tui_reader.library import Library  # noqa: E402
from tui_reader.store import Store  # noqa: E402

OUT = ROOT / "tui_reader" / "demo"


def link_facet(text: str, visible: str, uri: str) -> dict[str, object]:
    start = text.encode().index(visible.encode())
    return {
        "index": {"byteStart": start, "byteEnd": start + len(visible.encode())},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
    }


def bluesky(appview: FakeAppView) -> None:
    mara = appview.account("mara.bsky.social", "Mara Okafor")
    tomas = appview.account("tomas.bsky.social", "Tomás Ruiz")
    uris: list[str] = []
    for n, text in enumerate(content.PUNCHED_CARDS):
        extra: dict[str, object] = {}
        if n == 3:
            extra["embed_view"] = {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": "https://cdn.example/thumb/press.jpg",
                        "fullsize": "https://cdn.example/full/press.jpg",
                        "alt": "A tabulating press: a lid with pins over small mercury cups",
                    }
                ],
            }
        if n == 4:
            extra["facets"] = [
                link_facet(
                    text,
                    "census.example.org/history/1890-tab…",
                    "https://census.example.org/history/1890-tabulation",
                )
            ]
        uris.append(appview.post(mara, text, reply_to=uris[-1] if uris else "", **extra))
    single = appview.post(mara, "Coffee first, archives second.")
    appview.post(tomas, "Replying to say: this is great.", reply_to=uris[2])
    catalogue: list[str] = []
    for n, text in enumerate(content.CARD_CATALOGUE):
        extra = {}
        if n == 0:
            extra["embed_view"] = {
                "$type": "app.bsky.embed.record#view",
                "record": {
                    "$type": "app.bsky.embed.record#viewRecord",
                    "uri": uris[0],
                    "author": {"did": mara.did, "handle": mara.handle},
                    "value": {"text": content.PUNCHED_CARDS[0]},
                },
            }
        catalogue.append(
            appview.post(mara, text, reply_to=catalogue[-1] if catalogue else "", **extra)
        )
    bread: list[str] = []
    for n, text in enumerate(content.SOURDOUGH):
        extra = {}
        if n == 4:
            extra["facets"] = [
                link_facet(
                    text, "bread.example.net/hydration", "https://bread.example.net/hydration"
                )
            ]
            extra["embed_view"] = {
                "$type": "app.bsky.embed.external#view",
                "external": {
                    "uri": "https://bread.example.net/hydration",
                    "title": "Hydration calculator",
                    "description": "Flour, water, starter.",
                },
            }
        bread.append(appview.post(tomas, text, reply_to=bread[-1] if bread else "", **extra))
    appview.repost(tomas, single)


def mastodon(masto: FakeMastodon) -> None:
    ines = masto.account("ines", "Ines Berg")
    kwame = masto.account("kwame", "Kwame Mensah")
    ids: list[str] = []
    for n, text in enumerate(content.TIDES):
        media = (
            [
                {
                    "type": "image",
                    "url": "https://files.social.example/tide-table.png",
                    "description": "A printed tide table for one week",
                }
            ]
            if n == 1
            else []
        )
        ids.append(
            masto.status(
                ines,
                f"<p>{html.escape(text)}</p>",
                reply_to=ids[-1] if ids else "",
                cw=content.TIDES_WARNING.get(n, ""),
                media=media,
            )
        )
    rides: list[str] = []
    for text in content.BIKE_YEAR:
        rides.append(
            masto.status(kwame, f"<p>{html.escape(text)}</p>", reply_to=rides[-1] if rides else "")
        )


def thread_page(tweets: list[str]) -> str:
    parts = []
    for n, text in enumerate(tweets, start=1):
        tweet_id = f"18800000000000000{n:02d}"
        body = html.escape(text)
        if n == 2:
            body += (
                '<br />\n<span class="entity-image"><a href="https://pbs.example/map.jpg">'
                '<img alt="Image" src="/images/1px.png" '
                'data-src="https://pbs.example/map.jpg"></a></span>'
            )
        if n == 3:
            body = body.replace(
                "maps.example.org/sheets/1904-north",
                '<a class="entity-url" href="https://maps.example.org/sheets/1904-north">'
                "maps.example.org/sheets/19…</a>",
            ) + (
                '<br /><span class="entity-embed"><blockquote class="twitter-tweet">'
                '<a href="https://twitter.com/town_archive/status/1879999999999999999">'
                "https://twitter.com/town_archive/status/1879999999999999999</a>"
                "</blockquote></span>"
            )
        parts.append(
            f'<div class="content-tweet" data-screenname="priya_maps" data-tweet="{tweet_id}">'
            f'{body}<sup class="tw-permalink"></sup></div>'
        )
    return (
        "<!DOCTYPE html><html><head><title>Thread</title></head><body>"
        '<div class="prof-image"><img src="https://pbs.example/priya.jpg"></div>'
        '<h4 class="twitter_name"><a href="/user/priya_maps">Priya Natarajan</a></h4>'
        '<div class="screenName tw-follow"><a href="//twitter.com/priya_maps">@priya_maps</a>'
        '</div><div class="thread-info"><a class="time" data-time="1741000000" '
        'href="#">Mar 3, 2025</a></div><div class="t-main">' + "".join(parts) + "</div>"
        "</body></html>"
    )


def threadreader(server: FakeServer) -> None:
    root = "1880000000000000001"
    server.route_prefix("/api/v0/ping/", lambda _r: Reply.json({"code": 200, "pong": root}))
    page = thread_page(content.OLD_MAPS).encode()
    server.route(
        f"/thread/{root}.html",
        lambda _r: Reply(
            200, page, {"content-type": "text/html; charset=utf-8", "etag": '"demo-1"'}
        ),
    )


def recorder(server: FakeServer, public_base: str, book: dict[str, object]) -> None:
    answer = server._answer

    def record(request: Request) -> Reply:
        reply = answer(request)
        query = "&".join(f"{k}={v}" for k, v in request.query.items())
        local = f"{server.url}{request.path}" + (f"?{query}" if query else "")
        key = replay_key(local.replace(server.url, public_base))
        body = reply.body.replace(server.url.encode(), public_base.encode())
        headers = {k: v.replace(server.url, public_base) for k, v in reply.headers.items()}
        book[key] = {
            "status": reply.status,
            "headers": headers,
            "body": base64.b64encode(body).decode(),
        }
        return reply

    server._answer = record  # type: ignore[method-assign]


async def main() -> None:
    """Record everything the demo's build asks for."""
    (OUT / "saved-page.txt").write_text(content.COPIED_PAGE)
    servers = {name: FakeServer().start() for name in ("bluesky", "mastodon", "threadreader")}
    book: dict[str, object] = {}
    try:
        appview = FakeAppView()
        appview.install(servers["bluesky"])
        appview.etags = False
        bluesky(appview)
        mastodon(FakeMastodon(servers["mastodon"]))
        threadreader(servers["threadreader"])
        recorder(servers["bluesky"], "https://public.api.bsky.app", book)
        recorder(servers["mastodon"], MASTODON, book)
        recorder(servers["threadreader"], "https://threadreaderapp.com", book)
        config = Config(
            sources=SourcesConfig.of(
                bluesky={"appview": servers["bluesky"].url},
                threadreader={"base_url": servers["threadreader"].url},
            )
        )
        with tempfile.TemporaryDirectory() as folder:
            library = Library(config, Store(Path(folder) / "library.sqlite3"))
            try:
                await populate(library, mastodon=servers["mastodon"].url)
            finally:
                await library.aclose()
                library.close()
    finally:
        for server in servers.values():
            server.stop()
    (OUT / "recordings.json").write_text(json.dumps(book, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(book)} answers in {OUT / 'recordings.json'}")


if __name__ == "__main__":
    asyncio.run(main())
