"""Threads as text, Markdown, JSON and HTML, with network text made safe for each."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC
from typing import Any
from urllib.parse import quote

from tui_reader.clean import clean_text
from tui_reader.models import Post, Thread, ThreadSummary
from tui_reader.times import parse_time

DELETED_NOTE = "deleted upstream; this is the library's copy"


def safe_text(text: str) -> str:
    """Network text with every terminal control character shown as a visible placeholder.

    Newlines and tabs are kept; ESC becomes ``␛``, so no escape sequence reaches a terminal.
    """
    return clean_text(text)


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def nice_date(value: str) -> str:
    """An ISO time as ``2024-05-01 12:00`` (UTC), a year-less ``--12-14`` as ``14 Dec``,
    and anything else (nothing, or a server's garbage) as ``date unknown``."""
    if value.startswith("--") and len(value) == 7 and value[2:4].isdigit():
        month = int(value[2:4])
        if 1 <= month <= 12 and value[5:7].isdigit():
            return f"{int(value[5:7])} {MONTH_NAMES[month - 1]}"
    when = parse_time(value)
    if when is None:
        return "date unknown"
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def short_date(value: str) -> str:
    """``2024-05-01`` (``14 Dec`` when the year is unknown, ``undated`` when the day is)."""
    shown = nice_date(value)
    return "undated" if shown == "date unknown" else shown[:10]


def counted(number: int, noun: str) -> str:
    """``"1 thread"``, ``"2 threads"``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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
        "media": [{"kind": m.kind, "url": m.url, "alt": m.alt} for m in post.media],
        "quote": {"url": post.quote.url, "author": post.quote.author, "text": post.quote.text}
        if post.quote
        else None,
    }
    if post.content_warning:
        data["content_warning"] = post.content_warning
    if post.deleted:
        data["deleted"] = True
    return data


def thread_dict(thread: Thread) -> dict[str, Any]:
    """The full thread JSON of DESIGN.md."""
    data = summary_dict(thread)
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
    return [
        link
        for link in post.links
        if link not in post.text and all(link != media.url for media in post.media)
    ]


def to_text(thread: Thread) -> str:
    """The thread as readable plain text, safe to print to a terminal."""
    total = len(thread.posts)
    lines = [
        safe_text(thread.title),
        safe_text(byline(thread)),
        f"{reading_line(thread)} · {safe_text(thread.url)}",
    ]
    if thread.ends_early:
        lines.append(f"Note: {thread.ends_early}.")
    lines.append("")
    for number, post in enumerate(thread.posts, start=1):
        lines.append(f"── {number}/{total} " + "─" * 40)
        if post.deleted:
            lines.append(f"({DELETED_NOTE})")
        if post.content_warning:
            lines.append(f"CW: {safe_text(post.content_warning)}")
        lines.append(safe_text(post.text))
        for media in post.media:
            alt = f": {safe_text(media.alt)}" if media.alt else ""
            lines.append(f"[{media.kind}{alt}] {safe_text(media.url)}")
        for link in extra_links(post):
            lines.append(f"[link] {safe_text(link)}")
        if post.quote:
            who = f"@{post.quote.author}" if post.quote.author else "quoted post"
            lines.append(_indent(f"{safe_text(who)}: {safe_text(post.quote.text)}", "  │ "))
            lines.append(f"  │ {safe_text(post.quote.url)}")
        lines.append("")
    return "\n".join(lines)


# Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!&~])")
#: What may stay as it is in a Markdown link's address; everything else is percent-encoded,
#: so no space, bracket, quote or line break can end the link or start raw HTML.
_URL_SAFE = ":/?#[]@!$&*+,;=%-._~"


def md_escape(text: str) -> str:
    """Text with Markdown's special characters escaped, so it shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", safe_text(text))


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


def to_markdown(thread: Thread) -> str:
    """The thread as a Markdown article."""
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
        if post.deleted:
            out += [f"*({DELETED_NOTE})*", ""]
        if post.content_warning:
            out += [f"**CW: {md_escape(post.content_warning)}**", ""]
        for paragraph in safe_text(post.text).split("\n\n"):
            out.append("  \n".join(md_escape(line) for line in paragraph.split("\n")))
            out.append("")
        for media in post.media:
            alt = md_escape(media.alt or media.kind)
            if media.kind == "image" and is_web_url(media.url):
                out += [f"!{md_link(alt, media.url)}", ""]
            else:
                out += [md_link(alt, media.url), ""]
        for link in extra_links(post):
            out += [md_url(link), ""]
        if post.quote:
            who = md_escape(post.quote.author) if post.quote.author else "quoted post"
            body = "\n".join(md_escape(line) for line in safe_text(post.quote.text).split("\n"))
            out += [_indent(f"**@{who}**: {body}\n\n{md_url(post.quote.url)}", "> "), ""]
    out += ["---", "", f"Source: {md_url(thread.url)}", ""]
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
        parts.append(f'<section class="post" id="post-{number}">')
        if post.deleted:
            parts.append(f'<p class="media"><em>({_h(DELETED_NOTE)})</em></p>')
        if post.content_warning:
            parts.append(f"<details><summary>CW: {_h(post.content_warning)}</summary>")
        for paragraph in safe_text(post.text).split("\n\n"):
            parts.append(f"<p>{_h(paragraph)}</p>")
        for media in post.media:
            if media.kind == "image":
                parts.append(
                    f'<figure><img src="{_href(media.url)}" alt="{_h(media.alt)}" loading="lazy">'
                    + (f"<figcaption>{_h(media.alt)}</figcaption>" if media.alt else "")
                    + "</figure>"
                )
            else:
                label = _h(media.alt or media.url)
                parts.append(
                    f'<p class="media">{media.kind}: <a href="{_href(media.url)}">{label}</a></p>'
                )
        for link in extra_links(post):
            parts.append(f'<p class="media">link: <a href="{_href(link)}">{_h(link)}</a></p>')
        if post.quote:
            who = f"@{_h(post.quote.author)}" if post.quote.author else "Quoted post"
            parts.append(
                f"<blockquote><p><strong>{who}</strong></p><p>{_h(post.quote.text)}</p>"
                f'<p><a href="{_href(post.quote.url)}">{_h(post.quote.url)}</a></p></blockquote>'
            )
        if post.content_warning:
            parts.append("</details>")
        parts.append(
            f'<p class="media"><a href="{_href(post.url)}">{number}/{len(thread.posts)}'
            "</a></p></section>"
        )
    parts.append(
        f'</article><footer>Source: <a href="{_href(thread.url)}">{_h(thread.url)}</a></footer>'
        "</body></html>"
    )
    return "\n".join(parts) + "\n"


FORMATS = {"text": to_text, "markdown": to_markdown, "json": to_json, "html": to_html}
