"""What the reader has seen of a thread, and what changed since: the first post added since
it was read, the notes an edited or deleted post carries, and an edit word by word."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui_reader.models import Post, Thread
from tui_reader.render import spoken_day

#: An edit is compared word by word up to this many words a side; past it (a hostile post,
#: or a book), both texts are shown whole: the comparison's cost grows with their product.
MAX_DIFF_WORDS = 2_000

_PIECES = re.compile(r"\S+|\s+")


def first_unseen(thread: Thread) -> int | None:
    """The place of the first post added after the thread was last read (``None`` when it
    was never read, or nothing was added since)."""
    since = thread.last_read_at
    if not since:
        return None
    return next((place for place, post in enumerate(thread.posts) if post.added_at > since), None)


def unseen_count(thread: Thread) -> int:
    """How many posts were added after the thread was last read."""
    since = thread.last_read_at
    return sum(1 for post in thread.posts if since and post.added_at > since)


def new_since_line(thread: Thread) -> str:
    """ "3 new since you read, 2 Dec": what the reader sees above the first of them."""
    count = unseen_count(thread)
    return f"{count} new since you read, {spoken_day(thread.last_read_at)}"


def changed_since_read(post: Post, last_read_at: str) -> bool:
    """Whether the post was edited or deleted after the thread was last read."""
    return bool(last_read_at) and post.changed_at > last_read_at


def change_note(post: Post, last_read_at: str) -> str:
    """What a post says of its edits ("" for none): "edited 3 Dec, since you read it"."""
    if not post.edited_at or post.deleted:
        return ""
    note = f"edited {spoken_day(post.edited_at)}"
    if changed_since_read(post, last_read_at):
        note += ", since you read it"
    return note


def deleted_note(post: Post, last_read_at: str) -> str:
    """What a deleted post says: since you read it, or before ("" for a post not deleted)."""
    if not post.deleted:
        return ""
    if changed_since_read(post, last_read_at):
        return "deleted upstream since you read it; this is the library's copy"
    return "deleted upstream; this is the library's copy"


@dataclass(frozen=True)
class Edit:
    """An edit to compare: the text before (the version read, or the one before the last
    edit), the text now, and what "before" was."""

    before: str
    after: str
    #: "the version you read (2 Dec)" or "the version before the last edit (2 Dec)".
    label: str


def edit_of(post: Post, last_read_at: str) -> Edit | None:
    """The edit to show for ``post``: from the version the reader read to now, when it
    changed since; otherwise the last edit. ``None`` when no earlier text is kept."""
    if not post.versions:
        return None
    before = post.versions[-1]
    label = "the version before the last edit"
    if changed_since_read(post, last_read_at):
        read = [v for v in post.versions if v.seen_at <= last_read_at]
        if read:
            before = read[-1]
            label = "the version you read"
    day = spoken_day(before.seen_at)
    return Edit(before.text, post.text, f"{label} ({day})" if day else label)


def word_diff(before: str, after: str) -> list[tuple[str, str]] | None:
    """``after`` against ``before``, word by word: pieces of text, each "same", "gone" or
    "added" (spaces kept as they were); ``None`` when either is too long to compare."""
    old, new = _PIECES.findall(before), _PIECES.findall(after)
    if len(old) > 2 * MAX_DIFF_WORDS or len(new) > 2 * MAX_DIFF_WORDS:
        return None
    import difflib  # only when an edit is shown

    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            _changed(pieces, "gone", "".join(old[a1:a2]))
        if b2 > b1:
            _changed(pieces, "added", "".join(new[b1:b2]))
    return pieces


def _changed(pieces: list[tuple[str, str]], kind: str, text: str) -> None:
    # The spaces around a changed run are the same in both: only the words are marked.
    words = text.strip()
    if not words:
        pieces.append(("same", text) if kind == "added" else (kind, text))
        return
    start = text.index(words)
    if start:
        pieces.append(("same", text[:start]))
    pieces.append((kind, words))
    if start + len(words) < len(text):
        pieces.append(("same", text[start + len(words) :]))


def diff_words(pieces: list[tuple[str, str]]) -> str:
    """A word diff as plain text: ``[-gone-]`` and ``{+added+}``, for a screen reader or a
    terminal without colour."""
    marks = {"gone": ("[-", "-]"), "added": ("{+", "+}"), "same": ("", "")}
    return "".join(marks[kind][0] + text + marks[kind][1] for kind, text in pieces)
