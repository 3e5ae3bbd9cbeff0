"""Linear text: a thread, or a list of threads, as plain blocks of words for a screen reader, a
braille display or a pager. No box drawing, no symbols standing for words: a post begins
"Post 3 of 12, Kwame Mensah:", an image is "Image: its description". The reader's linear
mode and ``read --plain`` draw the same blocks."""

from __future__ import annotations

from tui_reader.models import Media, Post, Thread, ThreadSummary
from tui_reader.render import day_without_year, post_parts, safe_text
from tui_reader.seen import change_note, deleted_note
from tui_reader.times import parse_time

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def spoken_date(value: str) -> str:
    """``2 June 2024`` (``14 December`` when the year is unknown, ``date unknown``)."""
    year_less = day_without_year(value)
    if year_less is not None:
        return f"{year_less[1]} {MONTHS[year_less[0] - 1]}"
    when = parse_time(value)
    if when is None:
        return "date unknown"
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def author_name(thread: Thread | ThreadSummary) -> str:
    """The author as people call them: their name, else their handle."""
    author = thread.author
    return " ".join(safe_text(author.display_name or f"@{author.handle}").split())


def heading_block(thread: Thread) -> list[str]:
    """What the thread is: its title, who wrote it and when, how long it is."""
    total = len(thread.posts)
    lines = [
        " ".join(safe_text(thread.title).split()),
        f"Thread by {author_name(thread)} (@{safe_text(thread.author.handle)}), "
        f"{total} {'post' if total == 1 else 'posts'}, {spoken_date(thread.created_at)}, "
        f"{'unread' if thread.unread else 'read'}.",
    ]
    if thread.ends_early:
        lines.append(f"Note: {safe_text(thread.ends_early)}.")
    return lines


def post_block(
    post: Post,
    number: int,
    total: int,
    name: str,
    *,
    warnings_open: bool = True,
    last_read_at: str = "",
) -> list[str]:
    """One post as its lines: "Post N of M, NAME:", then what it says and carries. Behind a
    content warning the text is left out unless ``warnings_open``. Deletions and edits say
    whether they came after ``last_read_at``."""
    parts = post_parts(post)
    lines = [f"Post {number} of {total}, {name}:"]
    gone = deleted_note(post, last_read_at)
    if gone:
        lines.append(f"{gone[:1].upper()}{gone[1:]}.")
    edited = change_note(post, last_read_at)
    if edited:
        lines.append(f"{edited[:1].upper()}{edited[1:]}.")
    if parts.warning:
        lines.append(f"Content warning: {' '.join(parts.warning.split())}.")
        if not warnings_open:
            lines.append("The text is hidden; press c to show it.")
            return lines
    lines += parts.text.split("\n")
    lines += [_media_words(media) for media in parts.media]
    for link in parts.extra_links:
        lines.append(f"Link: {link}")
    if parts.quote is not None:
        lines.append(f"Quoting {parts.quote.who}: {' '.join(parts.quote.text.split())}")
        lines += [f"Quoted {_media_words(media)}" for media in parts.quote.media]
    return lines


def _media_words(media: Media) -> str:
    """ "Image: a chart of the tides", "Video without description"."""
    what = {"image": "Image", "video": "Video", "link": "Link card"}.get(media.kind, "Media")
    return f"{what}: {' '.join(media.alt.split())}" if media.alt else f"{what} without description"


def thread_blocks(thread: Thread, *, warnings_open: bool = True) -> list[list[str]]:
    """The thread's heading, then each post, as blocks of lines."""
    name = author_name(thread)
    total = len(thread.posts)
    blocks = [heading_block(thread)]
    for number, post in enumerate(thread.posts, start=1):
        blocks.append(post_block(post, number, total, name, warnings_open=warnings_open))
    return blocks


def linear_thread(thread: Thread) -> str:
    """The whole thread as linear text, blocks apart by a blank line."""
    return "\n\n".join("\n".join(block) for block in thread_blocks(thread)) + "\n"


def thread_row(thread: ThreadSummary) -> str:
    """A thread as one line: "unread, 40 posts, 2 June 2024, Kwame Mensah: A year of…"."""
    if not thread.fetched:
        state = "not fetched"
    elif thread.is_new:
        state = "new"
    elif thread.unread:
        state = "unread"
    else:
        state = "read"
    if thread.fetched and 0 < thread.position < thread.post_count and thread.unread:
        state += f", at post {thread.position + 1}"
    if thread.new_since_read:
        state += f", {thread.new_since_read} new since read"
    if thread.edited_since_read:
        state += f", {thread.edited_since_read} changed since read"
    posts = f"{thread.post_count} {'post' if thread.post_count == 1 else 'posts'}"
    title = " ".join(safe_text(thread.title).split())
    return f"{state}, {posts}, {spoken_date(thread.created_at)}, {author_name(thread)}: {title}"


def thread_rows(threads: list[ThreadSummary]) -> str:
    """A list of threads, one line each (with the number ``read`` and ``export`` take)."""
    return "".join(f"#{thread.number} {thread_row(thread)}\n" for thread in threads)
