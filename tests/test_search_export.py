"""Search over a library built here, and export to every format, read back."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Cli
from tests.reader_data import ALICE, BOB, make_thread
from tui_reader.errors import BadReference, ReaderError
from tui_reader.export import export_thread, safe_filename
from tui_reader.library import Library
from tui_reader.models import Media, Post, Quote, Thread
from tui_reader.pdf import find_fonts


def filler(count: int) -> list[Thread]:
    """Many threads about other things, so a search has something to rank against."""
    topics = ["gardening", "trains", "bread baking", "chess openings", "knitting", "tides"]
    return [
        make_thread(
            BOB if n % 2 else ALICE,
            f"fill{n:05d}",
            [f"Thoughts on {topics[n % len(topics)]}, part {n}.", "More about cards and punches."],
            day=1 + n % 28,
        )
        for n in range(count)
    ]


def punched_cards() -> Thread:
    return make_thread(
        ALICE,
        "punch",
        [
            "How punched cards ran the 1890 census 🧵",
            "Hollerith's machines read holes in cards with pins dipping into mercury.",
            "The café near the census office kept a tally of its own. Punched cards again!",
        ],
        day=9,
    )


def test_search_ranks_the_right_thread_first_among_thousands(library: Library) -> None:
    for thread in filler(2000):
        library.store.save_thread(thread)
    target = punched_cards()
    library.store.save_thread(target)

    hits = library.search('"punched cards"')

    assert hits[0].thread.id == target.id
    assert len({hit.thread.id for hit in hits}) == len(hits)  # one hit per thread
    assert "\x02punched cards\x03" in hits[0].snippet.lower()


def test_prefix_diacritics_and_unparseable_queries(library: Library) -> None:
    target = punched_cards()
    library.store.save_thread(target)
    for thread in filler(20):
        library.store.save_thread(thread)

    assert library.search("Hollerith*")[0].thread.id == target.id
    assert library.search("Hollerith*")[0].post_index == 1
    # "cafe" finds "café", and the other way round.
    assert [h.thread.id for h in library.search("cafe")] == [target.id]
    assert [h.thread.id for h in library.search("CAFÉ")] == [target.id]
    # FTS5 cannot parse these: they are searched as plain phrases, not errors.
    assert library.search('census"') and library.search("cards AND") is not None
    assert library.search("(unbalanced") == []
    with pytest.raises(ReaderError, match="give some words"):
        library.search("   ")


def test_words_in_context_can_be_read_later_for_the_rows_shown(library: Library) -> None:
    library.store.save_thread(punched_cards())
    for thread in filler(30):
        library.store.save_thread(thread)

    for query in ("cards", 'census"'):  # the second one FTS5 cannot parse: a phrase
        whole = library.search(query, limit=20)
        bare = library.search(query, limit=20, snippets=False)
        assert [h.thread.id for h in bare] == [h.thread.id for h in whole]
        assert all(h.snippet == "" for h in bare) and all(h.snippet for h in whole)
        # Asked for a few rows at a time, as a screen shows them: the same words.
        later = library.snippets(query, bare[:3]) + library.snippets(query, bare[3:])
        assert [h.snippet for h in later] == [h.snippet for h in whole]


def test_search_by_author(library: Library) -> None:
    for thread in filler(10):
        library.store.save_thread(thread)
    only_bob = library.search("cards", author="bob.bsky.social")
    assert only_bob and all(hit.thread.author.handle == "bob.bsky.social" for hit in only_bob)
    # An author the library lacks is said to be so, not searched and found wanting.
    with pytest.raises(BadReference, match="not an author in the library"):
        library.search("cards", author="nobody.bsky.social")


def test_the_reader_highlights_what_search_matched(library: Library) -> None:
    thread = make_thread(ALICE, "spans", ["Café CAFE cafeteria decaf", "punched cards, census"], 2)
    warned = replace(thread.posts[1], content_warning="Cards ahead")
    thread = replace(thread, posts=(thread.posts[0], warned))
    library.store.save_thread(thread)

    # The index's own folding, prefixes and phrases: the view shows what search found.
    assert library.match_spans(thread.id, "cafe") == {0: [(0, 4), (5, 9)]}
    assert library.match_spans(thread.id, "cafe*") == {0: [(0, 4), (5, 9), (10, 19)]}
    # Spans count in the post's text, after its content warning.
    assert library.match_spans(thread.id, '"punched cards" census') == {
        1: [(0, 13), (15, 21)]  # a phrase is one match
    }
    assert library.match_spans(thread.id, "cards") == {1: [(8, 13)]}
    assert library.match_spans(thread.id, 'unbalanced "quote') == {}
    assert library.match_spans("no such thread", "cards") == {}


def test_highlights_are_the_threads_own_after_it_was_saved_again(library: Library) -> None:
    first = make_thread(ALICE, "first", ["tea in the morning", "more tea"], 2)
    second = make_thread(BOB, "second", ["tea at noon"], 3)
    library.store.save_thread(first)
    library.store.save_thread(second)
    grown = make_thread(ALICE, "first", ["tea in the morning", "more tea", "tea again"], 2)
    library.store.save_thread(grown)

    assert library.match_spans(first.id, "tea") == {0: [(0, 3)], 1: [(5, 8)], 2: [(0, 3)]}
    assert library.match_spans(second.id, "tea") == {0: [(0, 3)]}


def rich_thread() -> Thread:
    posts = (
        Post(
            "p1",
            "https://bsky.app/profile/did:plc:alice/post/1",
            "2024-05-01T12:00:00Z",
            "Кириллица — “curly quotes” and café crème.\n\nSecond paragraph <b>not html</b>.",
            links=("https://example.com/a",),
        ),
        Post(
            "p2",
            "https://bsky.app/profile/did:plc:alice/post/2",
            "2024-05-01T12:01:00Z",
            "A picture and a quote [bold]literally[/bold].",
            media=(Media("image", "https://cdn.example/i.png", "Map of the town"),),
            quote=Quote(
                "https://bsky.app/profile/did:plc:bob/post/q", "bob.bsky.social", "Quoted words"
            ),
        ),
    )
    return Thread(
        "bluesky:at://did:plc:alice/app.bsky.feed.post/1",
        "bluesky",
        posts[0].url,
        ALICE,
        posts[0].created_at,
        posts,
        "2024-05-02T00:00:00Z",
    )


def test_markdown_export(tmp_path: Path) -> None:
    result = export_thread(rich_thread(), "markdown", tmp_path)

    assert result.path == tmp_path / "кириллица-curly-quotes-and-café-crème.md"
    text = result.path.read_text("utf-8")
    assert text.startswith("# Кириллица — “curly quotes” and café crème.")
    assert "By [Alice Liddell (@alice.bsky.social)](https://bsky.app/profile/did:plc:alice)" in text
    assert "![Map of the town](https://cdn.example/i.png)" in text
    assert "> **@bob.bsky.social**: Quoted words" in text
    assert "\\<b\\>not html\\</b\\>" in text and "\\[bold\\]literally\\[/bold\\]" in text
    assert text.rstrip().endswith(
        "Source: [https://bsky.app/profile/did:plc:alice/post/1]"
        "(https://bsky.app/profile/did:plc:alice/post/1)"
    )


def test_html_export_is_self_contained_and_escaped(tmp_path: Path) -> None:
    path = export_thread(rich_thread(), "html", tmp_path / "t.html").path
    page = path.read_text("utf-8")

    assert "<script" not in page and "<link" not in page and "<style>" in page
    assert "&lt;b&gt;not html&lt;/b&gt;" in page
    assert '<img src="https://cdn.example/i.png" alt="Map of the town"' in page
    assert 'name="viewport"' in page


def test_json_export_has_the_documented_shape(tmp_path: Path) -> None:
    data = json.loads(export_thread(rich_thread(), "json", tmp_path / "t.json").path.read_text())
    assert data["post_count"] == 2 and data["posts"][1]["quote"]["author"] == "bob.bsky.social"


@pytest.mark.skipif(find_fonts() is None, reason="needs DejaVu Sans (fonts-dejavu-core)")
def test_pdf_export_renders_cyrillic_and_typography_with_links(tmp_path: Path) -> None:
    result = export_thread(rich_thread(), "pdf", tmp_path / "t.pdf")

    reader = PdfReader(io.BytesIO(result.path.read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Кириллица" in text and "“curly quotes”" in text and "café crème" in text
    assert result.warnings == ()
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
    ]
    assert "https://cdn.example/i.png" in links and "https://example.com/a" in links


def test_pdf_without_a_font_warns_and_names_what_it_cannot_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui_reader.pdf as pdf

    monkeypatch.setattr(pdf, "find_fonts", lambda: None)  # a machine with no TrueType fonts
    result = export_thread(rich_thread(), "pdf", tmp_path / "t.pdf")

    assert result.path.read_bytes().startswith(b"%PDF")
    assert any("no TrueType font found" in w for w in result.warnings)
    assert any("Кириллица"[0] in w and "“" in w for w in result.warnings)


def test_file_names_are_sanitised_and_stay_in_the_folder(tmp_path: Path) -> None:
    assert safe_filename("../../etc/passwd", ".md") == "etc-passwd.md"
    assert safe_filename("   ", ".md") == "thread.md"
    assert safe_filename("a/b\\c:d*e?f", ".pdf") == "a-b-c-d-e-f.pdf"
    # A long title is cut at a word, not in the middle of one.
    long = "Why old town maps show buildings that never existed: cartographers and their traps"
    assert safe_filename(long, ".md") == "why-old-town-maps-show-buildings-that-never-existed.md"
    hostile = replace(rich_thread(), posts=(replace(rich_thread().posts[0], text="../../x"),))
    written = export_thread(hostile, "markdown", tmp_path).path
    assert written.parent == tmp_path and written.name == "x.md"


def test_cli_search_and_export(cli: Cli, tmp_path: Path) -> None:
    from tests.server import FIXTURES

    copied = FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt"
    assert cli("import", str(copied)).code == 0

    found = cli("search", "alignment", "--format", "json")
    plain = cli("search", "Sino-Soviet treaty")
    nothing = cli("search", "zeppelin")

    [hit] = json.loads(found.out)
    assert hit["author"]["handle"] == "DrRadchenko" and "alignment" in hit["preview"].lower()
    assert "@DrRadchenko" in plain.out and "Sino-Soviet" in plain.out
    assert nothing.code == 0 and "Nothing in the library matches" in nothing.err

    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("markdown", "html", "json", "pdf"):
        result = cli("export", hit["id"], "--format", fmt, "-o", str(out))
        assert result.code == 0, result.err
    names = sorted(p.suffix for p in out.iterdir())
    assert names == [".html", ".json", ".md", ".pdf"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left
    missing = cli("export", hit["id"], "--format", "pdf", "-o", "/no/such/folder/x.pdf")
    assert missing.code == 1 and "does not exist" in missing.err
    not_a_folder = cli("export", hit["id"], "--format", "pdf", "-o", f"{tmp_path}/nope/")
    assert not_a_folder.code == 1 and "the folder does not exist" in not_a_folder.err


def test_cli_takes_the_format_from_the_file_name_and_refuses_a_clash(
    cli: Cli, tmp_path: Path
) -> None:
    from tests.server import FIXTURES

    copied = FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt"
    assert cli("import", str(copied)).code == 0
    [hit] = json.loads(cli("search", "alignment", "--format", "json").out)

    # No --format: the extension says which.
    pdf = tmp_path / "thread.pdf"
    made = cli("export", hit["id"], "-o", str(pdf))
    assert made.code == 0, made.err
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert made.err.startswith(f"Wrote {pdf}")
    md = tmp_path / "thread.markdown"
    assert cli("unroll", hit["id"], "-o", str(md)).code == 0
    assert md.read_text("utf-8").startswith("# ")

    # Markdown into a .pdf name is refused, and nothing is written.
    clash = cli("export", hit["id"], "--format", "markdown", "-o", str(tmp_path / "x.pdf"))
    assert clash.code == 2
    assert "--format markdown does not match the file name" in clash.err
    assert not (tmp_path / "x.pdf").exists()
    unknown = cli("export", hit["id"], "-o", str(tmp_path / "x.out"))
    assert unknown.code == 2 and "cannot tell the format from the name" in unknown.err
    assert cli("unroll", hit["id"], "--format", "pdf").code == 2  # a PDF on the terminal

    # -o replaces a file already there, and says so.
    again = cli("export", hit["id"], "-o", str(pdf))
    assert again.code == 0 and again.err.startswith(f"Replaced {pdf}")


def test_a_thread_from_copied_text_names_no_empty_source() -> None:
    from tests.server import FIXTURES
    from tui_reader.render import to_html, to_markdown, to_text
    from tui_reader.sources.threadreader_pages import parse_copied_text

    copied = FIXTURES / "threadreader" / "radchenko-alliance-vs-alignment.txt"
    thread = parse_copied_text(copied.read_text("utf-8")).thread
    assert thread.url == ""
    assert not to_text(thread).splitlines()[2].endswith("·  ")
    assert to_text(thread).splitlines()[2].endswith("min read")
    assert "Source: \n" not in to_markdown(thread)
    assert "Imported from a copied page" in to_markdown(thread)
    assert 'href=""' not in to_html(thread)
