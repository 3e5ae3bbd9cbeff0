"""Plain data shared by every layer: authors, posts, threads, and references to them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

#: A source's name, as the registry in ``tui_reader.sources.registry`` lists them.
SourceName = str
MediaKind = Literal["image", "video", "link"]

WORDS_PER_MINUTE = 230
TITLE_LENGTH = 120


@dataclass(frozen=True, slots=True)
class Author:
    """Someone who writes threads, keyed by a stable per-source ID (a DID on Bluesky)."""

    source: SourceName
    id: str
    handle: str
    display_name: str = ""
    url: str = ""

    @property
    def key(self) -> str:
        """The author's ID across all sources, such as ``bluesky:did:plc:…``."""
        return f"{self.source}:{self.id}"

    @property
    def name(self) -> str:
        """The display name, or the handle when the author has none."""
        return self.display_name or self.handle


@dataclass(frozen=True, slots=True)
class Media:
    """An image, a video or a link card attached to a post."""

    kind: MediaKind
    url: str
    alt: str = ""
    #: Where the library keeps the image, when it does: its SHA-256, MIME type, pixel size
    #: and file (relative to the media folder). Filled in as a thread is read, never stored
    #: with the post (the library's ``media`` table knows them).
    sha256: str = ""
    type: str = ""
    width: int = 0
    height: int = 0
    file: str = ""
    #: The kept file's full path on this machine (never in JSON: ``file`` is portable).
    local: str = ""
    #: A still of a video or a link card to keep (its poster frame, its thumbnail): for
    #: these, the kept file's facts above are the still's.
    preview: str = ""
    #: Why the library has no picture for it, when it has none ("not downloaded", or "not
    #: kept: " and the reason it was refused). Filled in as a thread is read, never stored.
    missing: str = field(default="", compare=False)

    @property
    def still(self) -> str:
        """The address of the picture the library keeps for it: an image's own, a video's or
        a link card's preview ("" for none)."""
        return self.url if self.kind == "image" else self.preview

    def as_dict(self) -> dict[str, str]:
        """How the library stores a media item with its post."""
        data = {"kind": self.kind, "url": self.url, "alt": self.alt}
        if self.preview:
            data["preview"] = self.preview
        return data

    def json_dict(self) -> dict[str, str | int]:
        """The thread JSON's shape of a media item: with its kept file's facts, when kept."""
        data: dict[str, str | int] = {"kind": self.kind, "url": self.url, "alt": self.alt}
        if self.preview:
            data["preview"] = self.preview
        if self.sha256:
            data.update(
                sha256=self.sha256,
                type=self.type,
                width=self.width,
                height=self.height,
                file=self.file,
            )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Media:
        """A media item from :meth:`as_dict`'s shape."""
        return cls(
            data["kind"],  # type: ignore[arg-type]
            data["url"],
            data.get("alt", ""),
            preview=data.get("preview", ""),
        )


@dataclass(frozen=True, slots=True)
class Quote:
    """A post quoted inside another post."""

    url: str
    author: str
    text: str
    #: Why the quoted post cannot be read upstream ("deleted", "blocked", "detached"), or
    #: "" when it can. With an author and text, they are the library's copy from before.
    gone: str = ""
    #: The quoted post's images, videos and link cards.
    media: tuple[Media, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """How the library stores a quote (the thread JSON's shape, without kept files)."""
        data: dict[str, Any] = {"url": self.url, "author": self.author, "text": self.text}
        if self.gone:
            data["gone"] = self.gone
        if self.media:
            data["media"] = [media.as_dict() for media in self.media]
        return data

    def json_dict(self) -> dict[str, Any]:
        """The thread JSON's shape of a quote: its media with their kept files' facts."""
        data = self.as_dict()
        if self.media:
            data["media"] = [media.json_dict() for media in self.media]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        """A quote from :meth:`as_dict`'s shape."""
        media = data.get("media")
        return cls(
            data["url"],
            data["author"],
            data["text"],
            data.get("gone", ""),
            tuple(Media.from_dict(item) for item in media) if isinstance(media, list) else (),
        )


@dataclass(frozen=True, slots=True)
class Version:
    """An earlier text of an edited post, and when the library first had it (or, from a
    server's edit history, when it was written)."""

    text: str
    seen_at: str
    content_warning: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """One post of a thread, as plain text with its links restored in full."""

    id: str
    url: str
    created_at: str
    text: str
    links: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    quote: Quote | None = None
    #: The post is gone upstream; the library keeps the copy it had.
    deleted: bool = False
    #: A content warning (Mastodon's ``spoiler_text``): the text hides behind it.
    content_warning: str = ""
    #: When the post was last edited: its server's word (Mastodon's ``edited_at``), or when
    #: the library first saw a changed text ("" when never edited).
    edited_at: str = ""
    #: Its earlier texts, oldest first (only for an edited post).
    versions: tuple[Version, ...] = ()
    #: When a refresh added the post to a thread the library had ("" when it came with
    #: the thread's first fetch).
    added_at: str = ""
    #: When the library noticed the post's current text or its deletion ("" when it is as
    #: first fetched).
    changed_at: str = ""


@dataclass(frozen=True, slots=True)
class Thread:
    """An author's chain of self-replies, unrolled into one article.

    ``ends_early`` says why the chain may be incomplete (a deleted or blocked
    post cut it), or is empty when the chain is whole.
    """

    id: str
    source: SourceName
    url: str
    author: Author
    created_at: str
    posts: tuple[Post, ...]
    fetched_at: str
    unread: bool = True
    ends_early: str = ""
    post_count: int = field(default=-1)
    #: When the reader last showed the thread, or it was marked read ("" never).
    last_read_at: str = ""
    #: Posts a refresh added since then.
    new_since_read: int = 0

    def __post_init__(self) -> None:
        if self.post_count < 0:
            object.__setattr__(self, "post_count", len(self.posts))

    @property
    def title(self) -> str:
        """The first line of the first post, shortened to fit a heading; its content warning
        when it has one (the hidden text must not show where the warning hides it)."""
        return title_of(self.posts[0]) if self.posts else make_title("")

    @property
    def preview(self) -> str:
        """What lists show of the thread: its first post, or the warning that hides it."""
        return preview_of(self.posts[0]) if self.posts else ""

    def all_media(self) -> list[Media]:
        """Every media item of the thread: its posts' and their quotes'."""
        return [
            media
            for post in self.posts
            for media in (*post.media, *(post.quote.media if post.quote else ()))
        ]

    @property
    def word_count(self) -> int:
        """How many words the posts hold, for the reading-time estimate."""
        return sum(len(post.text.split()) for post in self.posts)

    @property
    def minutes_to_read(self) -> int:
        """Estimated reading time in whole minutes, at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @classmethod
    def from_posts(
        cls, source: SourceName, author: Author, posts: tuple[Post, ...], fetched_at: str
    ) -> Thread:
        """A thread whose ID, address and date are those of its first post."""
        return cls(
            id=f"{source}:{posts[0].id}",
            source=source,
            url=posts[0].url,
            author=author,
            created_at=posts[0].created_at,
            posts=posts,
            fetched_at=fetched_at,
        )

    def summary(self) -> ThreadSummary:
        """The thread as a list shows it."""
        return ThreadSummary(
            id=self.id,
            source=self.source,
            url=self.url,
            title=self.title,
            author=self.author,
            created_at=self.created_at,
            fetched_at=self.fetched_at,
            post_count=self.post_count,
            preview=self.preview,
            unread=self.unread,
            last_read_at=self.last_read_at,
            new_since_read=self.new_since_read,
        )


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """A thread as listed: its metadata and a preview, without the posts."""

    id: str
    source: SourceName
    url: str
    title: str
    author: Author
    created_at: str
    fetched_at: str
    post_count: int
    preview: str
    unread: bool = True
    #: Brought in or grown by a sync, and not opened since.
    is_new: bool = False
    #: False for a thread known only from a list ("More from"): no posts yet.
    fetched: bool = True
    #: The post the reader was last at (0 for a thread not started).
    position: int = 0
    #: The library's short number for it (``#12``): stable, and a REF for it.
    number: int = 0
    #: When the reader last showed it, or it was marked read ("" never).
    last_read_at: str = ""
    #: Posts added since it was last read ("+3" in the lists).
    new_since_read: int = 0
    #: Posts edited or deleted upstream since it was last read.
    edited_since_read: int = 0


@dataclass(frozen=True)
class AuthorRef:
    """An author a reference names: by a handle that can change, or by the stable ID."""

    source: SourceName
    #: The handle or stable ID as the reference gives it ("" when it names no author).
    name: str = ""
    #: ``name`` is the author's stable ID, so their library key is known without a lookup.
    stable: bool = False
    #: The author's server, where the reference says (a Mastodon instance's base URL).
    home: str = ""

    @property
    def key(self) -> str:
        """The author's library key (``source:id``), or "" while only a handle is known."""
        return f"{self.source}:{self.name}" if self.stable and self.name else ""


@dataclass(frozen=True)
class PostRef:
    """A post a reference names: unrolling it gives the thread it belongs to."""

    source: SourceName
    author: AuthorRef
    #: What the source fetches the post by (a Bluesky record key, a Mastodon status ID on
    #: ``author.home``, a tweet ID).
    locator: str
    #: The library's ID of the post; "" until the author's stable ID is known.
    key: str = ""
    #: Makes ``key`` from the author's stable ID, for a reference that gave only a handle.
    keyed_by: Callable[[str], str] | None = field(default=None, compare=False, repr=False)

    def for_author(self, author_id: str) -> PostRef:
        """This reference with the author's stable ID filled in, and so the post's key."""
        key = self.keyed_by(author_id) if self.keyed_by is not None else self.key
        author = replace(self.author, name=author_id, stable=True)
        return replace(self, author=author, key=key)


@dataclass(frozen=True)
class ThreadRef:
    """A thread already in the library, by its ID (``source:…``)."""

    thread_id: str

    @property
    def source(self) -> SourceName:
        """The source the thread came from."""
        return self.thread_id.partition(":")[0]


#: What a user can point at: a post, an author, or a thread in the library.
Ref = PostRef | AuthorRef | ThreadRef


def make_title(text: str) -> str:
    """Derive a thread title from the first non-blank line of ``text``."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) > TITLE_LENGTH:
                return line[: TITLE_LENGTH - 1].rstrip() + "…"
            return line
    return "(untitled)"


#: What a title or preview shows before a content warning.
WARNING_MARK = "⚠ "


def title_of(post: Post) -> str:
    """The title a thread starting with ``post`` has: its warning, when it has one."""
    if post.content_warning.strip():
        return make_title(WARNING_MARK + post.content_warning)
    return make_title(post.text)


def preview_of(post: Post) -> str:
    """The preview a thread starting with ``post`` has: only its warning, when it has one."""
    if post.content_warning.strip():
        return make_preview(f"{WARNING_MARK}{post.content_warning} (text hidden)")
    return make_preview(post.text)


def make_preview(text: str, limit: int = 280) -> str:
    """A single-paragraph preview of a post, for lists."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat
