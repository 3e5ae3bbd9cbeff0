"""Threads as text, Markdown, JSON and HTML, with network text made safe for each."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tui_reader.clean import clean_text
from tui_reader.limits import MAX_LINKS_PER_POST
from tui_reader.models import Media, Post, Thread, ThreadSummary
from tui_reader.times import parse_time

DELETED_NOTE = "deleted upstream; this is the library's copy"


def safe_text(text: str) -> str:
    """Network text with every terminal control character shown as a visible placeholder.

    Newlines and tabs are kept; ESC becomes ``␛``, so no escape sequence reaches a terminal.
    """
    return clean_text(text)


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_without_year(value: str) -> tuple[int, int] | None:
    """The month and day of a year-less date (``--12-14``: a copied page knows no more)."""
    if value.startswith("--") and len(value) == 7 and value[2:4].isdigit():
        month = int(value[2:4])
        if 1 <= month <= 12 and value[5:7].isdigit():
            return month, int(value[5:7])
    return None


def nice_date(value: str) -> str:
    """An ISO time as ``2024-05-01 12:00`` (UTC), a year-less ``--12-14`` as ``14 Dec``,
    and anything else (nothing, or a server's garbage) as ``date unknown``."""
    year_less = day_without_year(value)
    if year_less is not None:
        return f"{year_less[1]} {MONTH_NAMES[year_less[0] - 1]}"
    when = parse_time(value)
    if when is None:
        return "date unknown"
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def spoken_day(value: str) -> str:
    """``2 Dec`` (this year), ``2 Dec 2025`` (another), or "" for no date."""
    when = parse_time(value)
    if when is None:
        return ""
    when = when.astimezone(UTC)
    day = f"{when.day} {MONTH_NAMES[when.month - 1]}"
    return day if when.year == datetime.now(UTC).year else f"{day} {when.year}"


def short_date(value: str) -> str:
    """``2024-05-01`` (``14 Dec`` when the year is unknown, ``undated`` when the day is)."""
    shown = nice_date(value)
    return "undated" if shown == "date unknown" else shown[:10]


def counted(number: int, noun: str) -> str:
    """``"1 thread"``, ``"2 threads"``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def change_words(new: int, grown: int, edited: int, deleted: int) -> str:
    """What a sync brought, in words: "4 new threads, 2 grew, 1 post edited" ("" for
    nothing)."""
    parts = []
    if new:
        parts.append("1 new thread" if new == 1 else f"{new} new threads")
    if grown:
        parts.append(f"{grown} grew")
    if edited:
        parts.append("1 post edited" if edited == 1 else f"{edited} posts edited")
    if deleted:
        parts.append("1 post deleted" if deleted == 1 else f"{deleted} posts deleted")
    return ", ".join(parts)


def refresh_words(added: int, edited: int, deleted: int) -> str:
    """What a refresh found, in words: "2 new posts, 1 edited" ("nothing changed")."""
    parts = []
    if added:
        parts.append("1 new post" if added == 1 else f"{added} new posts")
    if edited:
        parts.append(f"{edited} edited")
    if deleted:
        parts.append(f"{deleted} deleted upstream")
    return ", ".join(parts) or "nothing changed"


def reading_line(thread: Thread) -> str:
    """``"12 posts · 3 min read"``."""
    posts = "1 post" if thread.post_count == 1 else f"{thread.post_count} posts"
    return f"{posts} · {thread.minutes_to_read} min read"


def byline(thread: Thread | ThreadSummary) -> str:
    """``"Alice (@alice.bsky.social) · bluesky · 2024-05-01 12:00"``."""
    author = thread.author
    name = (
        f"{author.display_name} (@{author.handle})" if author.display_name else f"@{author.handle}"
    )
    return f"{name} · {thread.source} · {nice_date(thread.created_at)}"


def snippet_pieces(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet (matches between \\x02 and \\x03) as safe, one-line pieces,
    each marked as matched or not."""
    pieces: list[tuple[str, bool]] = []
    for number, part in enumerate(snippet.split("\x02")):
        matched, _, rest = part.partition("\x03") if number else ("", "", part)
        for text, hit in ((matched, True), (rest, False)):
            text = " ".join(safe_text(text.replace("\x03", "")).split("\n"))
            if text:
                pieces.append((text, hit))
    return pieces


# A post's parts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A stretch of a post's text, and the web address it links to ("" for plain text)."""

    text: str
    link: str = ""


@dataclass(frozen=True)
class QuoteParts:
    """A quoted post, as every renderer shows it."""

    who: str
    text: str
    url: str
    #: The quoted post's media, their words made safe.
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class PostParts:
    """What a post shows, decided once for every renderer and the thread view; every string
    is safe (control characters made visible)."""

    #: A note that the post is gone upstream ("" when it is not).
    deleted_note: str
    #: The content warning the text hides behind ("" when none).
    warning: str
    #: The text, with its newlines.
    text: str
    #: The text again, cut where it shows a link's address in full.
    runs: tuple[Run, ...]
    media: tuple[Media, ...]
    #: Links the text does not show in full and no media item carries.
    extra_links: tuple[str, ...]
    quote: QuoteParts | None


#: Characters that, right after a link's text, show the address in the text goes on.
_URL_GOES_ON = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-~%#?&=+@$*"
)


def _runs(text: str, links: tuple[str, ...]) -> tuple[Run, ...]:
    """``text`` cut at every web link of ``links`` it shows in full, longest links first (so
    ``https://a.org/x`` is not taken for ``https://a.org``).

    Linear in the text for each link, and in the text overall for the overlaps: which
    characters a link already covers is kept in a byte per character, so a post with
    thousands of links (a hostile one, or one kept before links were capped) costs no more
    than reading it once per link."""
    wanted = sorted(
        {link for link in links[:MAX_LINKS_PER_POST] if is_web_url(link)}, key=len, reverse=True
    )
    if not wanted:
        return (Run(text),)
    covered = bytearray(len(text))
    found: list[tuple[int, int, str]] = []
    for link in wanted:
        start = text.find(link)
        while start != -1:
            end = start + len(link)
            # A link that stops inside a longer address in the text is not that address.
            inside = end < len(text) and text[end] in _URL_GOES_ON
            if not inside and covered.find(1, start, end) == -1:
                covered[start:end] = b"\x01" * (end - start)
                found.append((start, end, link))
            start = text.find(link, end)
    runs: list[Run] = []
    position = 0
    for start, end, link in sorted(found):
        if start > position:
            runs.append(Run(text[position:start]))
        runs.append(Run(text[start:end], link))
        position = end
    if position < len(text) or not runs:
        runs.append(Run(text[position:]))
    return tuple(runs)


def post_parts(post: Post) -> PostParts:
    """The one decision of what a post shows: its warning, deleted note, text with links,
    media, the links shown nowhere else, and its quote."""
    text = safe_text(post.text)
    links = tuple(safe_text(link) for link in post.links)
    quote = None
    if post.quote is not None:
        who = f"@{post.quote.author}" if post.quote.author else "quoted post"
        if post.quote.gone and post.quote.author:
            # The library's copy of a quoted post gone upstream since.
            who += f" (the quoted post is {post.quote.gone} upstream; this is the library's copy)"
        quote = QuoteParts(
            safe_text(who),
            safe_text(post.quote.text),
            safe_text(post.quote.url),
            _safe_media(post.quote.media),
        )
    return PostParts(
        deleted_note=DELETED_NOTE if post.deleted else "",
        warning=safe_text(post.content_warning),
        text=text,
        runs=_runs(text, links),
        media=_safe_media(post.media),
        extra_links=tuple(safe_text(link) for link in extra_links(post)),
        quote=quote,
    )


def _safe_media(media: tuple[Media, ...]) -> tuple[Media, ...]:
    return tuple(replace(item, url=safe_text(item.url), alt=safe_text(item.alt)) for item in media)


def post_links(post: Post) -> list[tuple[str, str]]:
    """Every web address a post holds, in the order it shows them, each with what it is:
    links in its text, its images and other media, links shown nowhere else, the quoted post.
    Strings are safe (control characters made visible)."""
    parts = post_parts(post)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(what: str, url: str) -> None:
        if is_web_url(url) and url not in seen:
            seen.add(url)
            found.append((what, url))

    for run in parts.runs:
        if run.link:
            add("link", run.link)
    for media in parts.media:
        add(f"{media.kind}: {media.alt}" if media.alt else media.kind, media.url)
    for url in parts.extra_links:
        add("link", url)
    if parts.quote is not None:
        add(f"quoted post by {parts.quote.who}", parts.quote.url)
        for media in parts.quote.media:
            add(
                f"quoted {media.kind}: {media.alt}" if media.alt else f"quoted {media.kind}",
                media.url,
            )
    return found


# JSON -----------------------------------------------------------------------------------


def summary_dict(thread: Thread | ThreadSummary) -> dict[str, Any]:
    """The thread JSON of DESIGN.md without ``posts``; lists add ``preview``."""
    author = thread.author
    data: dict[str, Any] = {
        "id": thread.id,
        "source": thread.source,
        "url": thread.url,
        "title": thread.title,
        "author": {
            "id": author.id,
            "handle": author.handle,
            "display_name": author.display_name,
            "url": author.url,
        },
        "created_at": thread.created_at,
        "fetched_at": thread.fetched_at,
        "post_count": thread.post_count,
        "unread": thread.unread,
        "last_read_at": thread.last_read_at,
        "new_since_read": thread.new_since_read,
    }
    if isinstance(thread, ThreadSummary):
        data["preview"] = thread.preview
    return data


def post_dict(post: Post) -> dict[str, Any]:
    """One post in the thread JSON shape (plus ``content_warning`` and ``deleted`` where they
    apply)."""
    data: dict[str, Any] = {
        "id": post.id,
        "url": post.url,
        "created_at": post.created_at,
        "text": post.text,
        "links": list(post.links),
        "media": [media.json_dict() for media in post.media],
        "quote": post.quote.json_dict() if post.quote else None,
    }
    if post.content_warning:
        data["content_warning"] = post.content_warning
    if post.edited_at:
        data["edited_at"] = post.edited_at
        data["versions"] = [
            {"text": version.text, "seen_at": version.seen_at}
            | ({"content_warning": version.content_warning} if version.content_warning else {})
            for version in post.versions
        ]
    if post.deleted:
        data["deleted"] = True
    return data


def thread_dict(thread: Thread) -> dict[str, Any]:
    """The full thread JSON of DESIGN.md."""
    data = summary_dict(thread)
    if thread.ends_early:
        # Why the thread may not be whole (a deleted post, the step limit): only when so.
        data["ends_early"] = thread.ends_early
    data["posts"] = [post_dict(post) for post in thread.posts]
    return data


def to_json(thread: Thread) -> str:
    """The thread as JSON text."""
    return json.dumps(thread_dict(thread), ensure_ascii=False, indent=2) + "\n"


def summaries_json(threads: list[ThreadSummary]) -> str:
    """A list of threads as JSON text."""
    return json.dumps([summary_dict(t) for t in threads], ensure_ascii=False, indent=2) + "\n"


# Plain text -----------------------------------------------------------------------------


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.split("\n"))


def extra_links(post: Post) -> list[str]:
    """The post's links that its text does not show in full and no media item carries."""
    carried = {media.url for media in post.media}
    return [
        link
        for link in post.links[:MAX_LINKS_PER_POST]
        if link not in carried and link not in post.text
    ]


#: What an export says in place of its source when the thread has no address (imported
#: from the text a browser copied).
IMPORTED_SOURCE = "Imported from a copied page; it named no address."


def to_text(thread: Thread) -> str:
    """The thread as readable plain text, safe to print to a terminal."""
    total = len(thread.posts)
    lines = [
        safe_text(thread.title),
        safe_text(byline(thread)),
        # A thread imported from copied text has no address: nothing is said of one.
        " · ".join(filter(None, (reading_line(thread), safe_text(thread.url)))),
    ]
    if thread.ends_early:
        lines.append(f"Note: {thread.ends_early}.")
    lines.append("")
    for number, post in enumerate(thread.posts, start=1):
        parts = post_parts(post)
        lines.append(f"── {number}/{total} " + "─" * 40)
        if parts.deleted_note:
            lines.append(f"({parts.deleted_note})")
        if parts.warning:
            lines.append(f"CW: {parts.warning}")
        lines.append(parts.text)
        for media in parts.media:
            alt = f": {media.alt}" if media.alt else ""
            lines.append(f"[{media.kind}{alt}] {media.url}")
        for link in parts.extra_links:
            lines.append(f"[link] {link}")
        if parts.quote:
            lines.append(_indent(f"{parts.quote.who}: {parts.quote.text}", "  │ "))
            for media in parts.quote.media:
                alt = f": {media.alt}" if media.alt else ""
                lines.append(f"  │ [{media.kind}{alt}] {media.url}")
            lines.append(f"  │ {parts.quote.url}")
        lines.append("")
    return "\n".join(lines)


# Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!&~])")
#: The marks that make a line a list item, a rule or a setext heading's underline.
_MD_LINE_MARK = re.compile(r"^([ \t]*)([-+=])", re.MULTILINE)
_MD_LINE_NUMBER = re.compile(r"^([ \t]*[0-9]{1,9})([.)])", re.MULTILINE)
#: What may stay as it is in a Markdown link's address; everything else is percent-encoded,
#: so no space, bracket, quote or line break can end the link or start raw HTML.
_URL_SAFE = ":/?#[]@!$&*+,;=%-._~"


def md_escape(text: str) -> str:
    """Text with Markdown's special characters escaped, so it shows as written."""
    escaped = _MD_SPECIAL.sub(r"\\\1", safe_text(text))
    # A line that starts like a list item, a rule or a heading's underline would become one.
    escaped = _MD_LINE_MARK.sub(r"\1\\\2", escaped)
    return _MD_LINE_NUMBER.sub(r"\1\\\2", escaped)


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an http or https address (the only links made live anywhere)."""
    return url.lower().startswith(("http://", "https://"))


def md_link(label: str, url: str) -> str:
    """``[label](url)`` for a web address (``label`` already escaped); any other address
    (``javascript:``, ``data:``) is printed as inert text after the label."""
    if not url:
        return label
    if not is_web_url(url):
        return f"{label} ({md_escape(url)})" if label != md_escape(url) else label
    return f"[{label}]({quote(safe_text(url), safe=_URL_SAFE)})"


def md_url(url: str) -> str:
    """An address shown as itself: a link when it is a web address, inert text otherwise."""
    return md_link(md_escape(" ".join(url.split())), url)


def _md_media(media: Media, images: Mapping[str, str] | None) -> list[str]:
    """A media item as Markdown lines: a kept picture from the folder beside the file, else
    its address."""
    alt = md_escape(media.alt or media.kind)
    beside = (images or {}).get(media.local, "") if media.local else ""
    if media.kind == "image" and beside:
        # The file names are ours (a hash), safe in a link as they are.
        return [f"![{alt}]({beside})", ""]
    if beside:
        # A video's poster or a link card's thumbnail, then what it is.
        return [f"![{alt}]({beside})", "", md_link(alt, media.url), ""]
    if media.kind == "image" and is_web_url(media.url):
        return [f"!{md_link(alt, media.url)}", ""]
    return [md_link(alt, media.url), ""]


def to_markdown(thread: Thread, images: Mapping[str, str] | None = None) -> str:
    """The thread as a Markdown article; ``images`` maps a kept image's local file to the
    relative path the article links it by (its copy beside the article)."""
    author = thread.author
    name = md_escape(author.display_name or author.handle)
    who = md_link(f"{name} (@{md_escape(author.handle)})", author.url)
    out = [
        f"# {md_escape(thread.title)}",
        "",
        f"By {who} · {nice_date(thread.created_at)} · {reading_line(thread)}",
        "",
    ]
    if thread.ends_early:
        out += [f"*Note: {md_escape(thread.ends_early)}.*", ""]
    for post in thread.posts:
        parts = post_parts(post)
        if parts.deleted_note:
            out += [f"*({parts.deleted_note})*", ""]
        if parts.warning:
            out += [f"**CW: {md_escape(parts.warning)}**", ""]
        body = "".join(md_url(run.link) if run.link else md_escape(run.text) for run in parts.runs)
        for paragraph in body.split("\n\n"):
            out += ["  \n".join(paragraph.split("\n")), ""]
        for media in parts.media:
            out += _md_media(media, images)
        for link in parts.extra_links:
            out += [md_url(link), ""]
        if parts.quote:
            who = md_escape(parts.quote.who)
            quoted = "\n".join(md_escape(line) for line in parts.quote.text.split("\n"))
            pictures = "\n".join(line for m in parts.quote.media for line in _md_media(m, images))
            block = f"**{who}**: {quoted}\n\n{pictures}{md_url(parts.quote.url)}"
            out += [_indent(block, "> "), ""]
    out += ["---", "", f"Source: {md_url(thread.url)}" if thread.url else IMPORTED_SOURCE, ""]
    return "\n".join(out)


# HTML -----------------------------------------------------------------------------------

_STYLE = """
body { font: 1.05rem/1.6 Georgia, "DejaVu Serif", serif; max-width: 40rem; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; background: #fdfdfb; }
h1 { font-size: 1.5rem; line-height: 1.3; }
.byline { color: #59636e; font-size: .95rem; }
.post { margin: 1.5rem 0; }
.post p { margin: .6rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
figure { margin: .8rem 0; } img { max-width: 100%; height: auto; }
figcaption, .media { color: #59636e; font-size: .9rem; }
blockquote { border-left: 3px solid #d0d7de; margin: .8rem 0; padding: .2rem 1rem; color: #3d444d; }
footer { border-top: 1px solid #d0d7de; margin-top: 2rem; padding-top: 1rem; font-size: .9rem; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; } a { color: #58a6ff; }
  .byline, figcaption, .media { color: #9198a1; } blockquote { color: #c9d1d9; }
}
"""


def _h(text: str) -> str:
    return html.escape(safe_text(text), quote=True)


def _href(url: str) -> str:
    # Only web links become clickable; anything else (javascript:, data:) stays text.
    return _h(url) if is_web_url(url) else "#"


def kept_image_uri(media: Media) -> str:
    """A kept image as a ``data:`` URI ("" when the library does not keep it, or its file is
    gone)."""
    if not media.local or not media.type.startswith("image/"):
        return ""
    try:
        data = Path(media.local).read_bytes()
    except OSError:
        return ""
    return f"data:{media.type};base64,{base64.b64encode(data).decode('ascii')}"


def _html_media(media: Media) -> list[str]:
    """A media item as HTML: a kept picture inside the page (it stays whole offline)."""
    if media.kind == "image":
        source = kept_image_uri(media) or _href(media.url)
        return [
            f'<figure><img src="{source}" alt="{_h(media.alt)}" loading="lazy">'
            + (f"<figcaption>{_h(media.alt)}</figcaption>" if media.alt else "")
            + "</figure>"
        ]
    pieces: list[str] = []
    still = kept_image_uri(media)
    if still:
        # A video's poster or a link card's thumbnail, kept: it leads to the item.
        pieces.append(
            f'<figure><a href="{_href(media.url)}"><img src="{still}" '
            f'alt="{_h(media.alt)}" loading="lazy"></a></figure>'
        )
    label = _h(media.alt or media.url)
    pieces.append(f'<p class="media">{media.kind}: <a href="{_href(media.url)}">{label}</a></p>')
    return pieces


def to_html(thread: Thread) -> str:
    """The thread as one self-contained HTML page: inline CSS, no scripts, all text escaped."""
    author = thread.author
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(thread.title)}</title><style>{_STYLE}</style></head><body><article>",
        f"<h1>{_h(thread.title)}</h1>",
        f'<p class="byline"><a href="{_href(author.url)}">{_h(author.name)}</a> '
        f"@{_h(author.handle)} · {_h(nice_date(thread.created_at))} · {_h(reading_line(thread))}"
        "</p>",
    ]
    if thread.ends_early:
        parts.append(f'<p class="byline"><em>Note: {_h(thread.ends_early)}.</em></p>')
    for number, post in enumerate(thread.posts, start=1):
        shown = post_parts(post)
        parts.append(f'<section class="post" id="post-{number}">')
        if shown.deleted_note:
            parts.append(f'<p class="media"><em>({_h(shown.deleted_note)})</em></p>')
        if shown.warning:
            parts.append(f"<details><summary>CW: {_h(shown.warning)}</summary>")
        body = "".join(
            f'<a href="{_href(run.link)}">{_h(run.text)}</a>' if run.link else _h(run.text)
            for run in shown.runs
        )
        for paragraph in body.split("\n\n"):
            parts.append(f"<p>{paragraph}</p>")
        for media in shown.media:
            parts += _html_media(media)
        for link in shown.extra_links:
            parts.append(f'<p class="media">link: <a href="{_href(link)}">{_h(link)}</a></p>')
        if shown.quote:
            parts.append(
                f"<blockquote><p><strong>{_h(shown.quote.who)}</strong></p>"
                f"<p>{_h(shown.quote.text)}</p>"
                + "".join(piece for media in shown.quote.media for piece in _html_media(media))
                + f'<p><a href="{_href(shown.quote.url)}">{_h(shown.quote.url)}</a></p>'
                + "</blockquote>"
            )
        if shown.warning:
            parts.append("</details>")
        parts.append(
            f'<p class="media"><a href="{_href(post.url)}">{number}/{len(thread.posts)}'
            "</a></p></section>"
        )
    source = (
        f'Source: <a href="{_href(thread.url)}">{_h(thread.url)}</a>'
        if thread.url
        else IMPORTED_SOURCE
    )
    parts.append(f"</article><footer>{source}</footer></body></html>")
    return "\n".join(parts) + "\n"
