"""Every output and the thread view show the same parts of every post.

One many-featured thread, hostile text in every field, drawn by each format of the format
registry and by the reader: each must carry each post's text, warning, deleted note, media,
the links the text does not show, and the quote.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from tests.reader_data import ALICE, HOSTILE, make_thread
from tui_reader.formats import FORMATS, format_named
from tui_reader.library import Library
from tui_reader.models import Media, Post, Quote, Thread
from tui_reader.pdf import find_fonts
from tui_reader.render import post_parts, safe_text
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.thread_view import ThreadView

PAPER = "https://example.org/paper"


def many_featured() -> Thread:
    """Four posts: a warning over text with links, media, a quote, and one gone upstream."""
    thread = make_thread(
        replace(ALICE, display_name=f"Alice {HOSTILE}"),
        "agree",
        [
            f"Kettles, part one. {HOSTILE}\n\nSee https://example.com/kettles for more.",
            "read this",
            "A chart, a clip and a card.",
            "Quoting Bob.",
        ],
        day=3,
    )
    first, second, third, fourth = thread.posts
    posts = (
        replace(
            first,
            content_warning=f"boiling water {HOSTILE}",
            links=("https://example.com/kettles",),
        ),
        # The bug this test was written for: the link of "read this" was lost in Markdown
        # and HTML.
        replace(second, links=(PAPER,), deleted=True),
        replace(
            third,
            media=(
                Media("image", "https://cdn.example/chart.png", f"Boiling points {HOSTILE}"),
                Media("video", "https://cdn.example/clip.m3u8", "A kettle boiling"),
                Media("link", "https://example.net/card", "A card's title"),
            ),
            links=("https://example.net/card",),
        ),
        replace(
            fourth,
            quote=Quote(
                "https://bsky.app/profile/did:plc:bob/post/q1",
                "bob.bsky.social",
                f"Kettles lie. {HOSTILE}",
            ),
        ),
    )
    return replace(thread, posts=posts, post_count=len(posts))


def expected(post: Post) -> list[str]:
    """What any rendering of ``post`` must show, as safe text."""
    parts = post_parts(post)
    found = [parts.text, parts.warning, parts.deleted_note, *parts.extra_links]
    for media in parts.media:
        found += [media.url, media.alt]
    if parts.quote is not None:
        found += [parts.quote.who, parts.quote.text, parts.quote.url]
    return [item for item in found if item]


def squash(text: str) -> str:
    """Without white space: renderers wrap and indent as they please."""
    return "".join(text.split())


class _Visible(HTMLParser):
    """A page's text as a browser shows it, with the addresses its links and images hold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.addresses += [value or "" for key, value in attrs if key in ("href", "src", "alt")]

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def visible(page: str) -> str:
    """What a browser shows of ``page``."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    return "".join(parser.pieces) + "\n" + "\n".join(parser.addresses)


def shown_in(fmt: str, thread: Thread) -> str:
    """The thread drawn as ``fmt``, back as the text a reader would see."""
    data, _ = format_named(fmt).write(thread)
    if fmt == "pdf":
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        links = [
            str(note.get_object().get("/A", {}).get("/URI", ""))
            for page in reader.pages
            for note in page.get("/Annots") or []
        ]
        return text + "\n" + "\n".join(links)
    if fmt == "epub":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            chapters = sorted(n for n in book.namelist() if n.startswith("EPUB/t"))
            return "\n".join(visible(book.read(name).decode("utf-8")) for name in chapters)
    text = data.decode("utf-8")
    if fmt == "markdown":
        return visible(MarkdownIt("commonmark").render(text))
    if fmt == "html":
        return visible(text)
    return text


@pytest.mark.parametrize("fmt", [f.name for f in FORMATS if f.name != "json"])
def test_every_format_shows_every_part_of_every_post(fmt: str) -> None:
    if fmt == "pdf" and find_fonts() is None:
        pytest.skip("needs DejaVu Sans (fonts-dejavu-core)")
    thread = many_featured()

    shown = squash(shown_in(fmt, thread))

    for post in thread.posts:
        for item in expected(post):
            if fmt == "pdf":
                # DejaVu Sans has no control pictures (␛): the export warns of them instead.
                item = "".join(c for c in item if not 0x2400 <= ord(c) <= 0x243F)
            assert squash(item) in shown, f"{fmt} lost {item!r}"
    assert "\x1b" not in shown


def test_json_carries_every_field_as_it_came() -> None:
    thread = many_featured()

    data = json.loads(format_named("json").write(thread)[0])

    assert [p["text"] for p in data["posts"]] == [p.text for p in thread.posts]
    assert data["posts"][0]["content_warning"] == thread.posts[0].content_warning
    assert data["posts"][1]["links"] == [PAPER] and data["posts"][1]["deleted"] is True
    assert [m["alt"] for m in data["posts"][2]["media"]][0].startswith("Boiling points")
    assert data["posts"][3]["quote"]["author"] == "bob.bsky.social"
    assert "deleted" not in data["posts"][0] and "content_warning" not in data["posts"][1]


async def test_the_thread_view_shows_what_the_formats_show(library: Library) -> None:
    thread = many_featured()
    library.store.save_thread(thread)
    app = make_app(library.config, library)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.open_thread(thread.id)
        await pilot.pause()
        view = screen.query_one(ThreadView)
        view.focus()
        await pilot.press("c")  # open the content warning
        await pilot.pause()
        view.wrap_all()
        # Quotes are drawn behind a bar.
        shown = squash(
            "\n".join(
                "".join(segment.text for segment in view.wrapped.line_segments(index)).removeprefix(
                    "│ "
                )
                for index in range(len(view.wrapped.lines))
            )
        )

    for post in thread.posts:
        for item in expected(post):
            # The view puts a warning and a name on one line each.
            assert squash(" ".join(item.split())) in shown, f"the view lost {item!r}"
    assert squash(safe_text(PAPER)) in shown
