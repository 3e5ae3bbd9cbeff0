"""The sources tui-reader reads threads from: one class per source, each describing itself.

A source class says how people call it (its name; its label is the registry's), what it
owns (web hosts, URL forms) and its politeness (requests at a time); it turns references
into typed refs, and fetches and parses. The registry (``tui_reader.sources.registry``) is
the only list of sources and declares each one's badge and settings (the
``[sources.<name>]`` config table); the classes it names are loaded here on first use
(``source_types``), and ``Sources`` gives each reference to its source. The walks every
source needs (feed scanning, chains) are in ``tui_reader.sources.chain``.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from tui_reader.clean import clean_line
from tui_reader.models import (
    Author,
    Post,
    PostRef,
    Ref,
    SourceName,
    Thread,
    ThreadSummary,
    Version,
)
from tui_reader.sources.registry import ADDRESS_RE, SOURCES, settings_of

if TYPE_CHECKING:
    # Only for annotations: the network layer (httpx) loads when the network is first used.
    from tui_reader.fetch import Fetcher


@dataclass
class AuthorScan:
    """What one sync learned from an author's feed."""

    #: Threads the feed held whole, ready to save.
    threads: list[Thread] = field(default_factory=list)
    #: Posts of threads that grew or began before the feed's window: fetch these whole.
    to_fetch: list[PostRef] = field(default_factory=list)
    #: The newest post time seen, to stop at next time.
    watermark: str = ""
    #: The feed's validator, to ask "anything new?" cheaply next time.
    etag: str = ""
    #: Threads the feed lists but this sync does not fetch: kept as "not fetched".
    listed: list[ThreadSummary] = field(default_factory=list)


@dataclass(frozen=True)
class SavedPage:
    """What a page a user saved holds: the thread, and the author's other threads it lists."""

    thread: Thread
    more_from: tuple[ThreadSummary, ...] = ()


class Source(ABC):
    """What every source offers. Sources parse; they never touch SQLite or the UI."""

    #: The name in thread IDs, author keys, the thread JSON and the config file.
    name: ClassVar[SourceName]
    #: Web hosts whose URLs are this source's alone.
    hosts: ClassVar[frozenset[str]] = frozenset()
    #: Whether URLs of hosts no source owns may be this source's (any fediverse server).
    any_host: ClassVar[bool] = False
    #: Which setting is the server this source reads from ("" when it reads many).
    server_setting: ClassVar[str] = ""
    #: Requests at a time to that server; 0 leaves it to ``[network] max_connections``.
    requests_at_a_time: ClassVar[int] = 0
    #: What REFs it understands, for help text.
    examples: ClassVar[str] = ""
    #: Whether a post's ID names its author (a Bluesky URI, a Mastodon server's status):
    #: when not (a tweet ID), a post the library holds under one author must not be saved
    #: under another.
    post_ids_name_author: ClassVar[bool] = True
    #: Its servers say when a post was edited (Mastodon's ``edited_at``).
    dates_edits: ClassVar[bool] = False

    @classmethod
    def is_author_id(cls, author_id: str) -> bool:
        """Whether ``author_id`` is an ID this source gives its authors (a file naming one,
        an OPML import, is checked by the same rules as an answer)."""
        return False

    @classmethod
    def checked_author(cls, author: Author) -> Author | None:
        """``author`` as a file names it, if its ID is one of this source's: its handle kept
        only when it is one the ID allows (else the ID), its name and address cleaned (an
        address only when it is a web one). ``None`` when the ID is not one."""
        if not cls.is_author_id(author.id):
            return None
        handle = clean_line(author.handle)
        if not cls.is_handle_of(handle, author.id):
            handle = author.id
        url = clean_line(author.url)
        web = urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)
        return Author(
            cls.name, author.id, handle, clean_line(author.display_name), url if web else ""
        )

    @classmethod
    def is_handle_of(cls, handle: str, author_id: str) -> bool:
        """Whether ``handle`` could be the handle of the author ``author_id`` (by default,
        the ID itself in another case)."""
        return handle.lower() == author_id.lower()

    def __init__(
        self, fetcher: Fetcher | Callable[[], Fetcher], settings: Mapping[str, str] | None = None
    ) -> None:
        # A fetcher, or how to make one: resolving a reference the library already holds
        # must not load the network layer (a tenth of a second before the thread shows).
        self._given = fetcher
        self._fetcher: Fetcher | None = None
        chosen = {**settings_of(self.name), **(settings or {})}
        self.base_url = chosen.get(self.server_setting, "").rstrip("/")

    @property
    def fetcher(self) -> Fetcher:
        """The shared HTTP client, made (and told this source's politeness) on first use."""
        if self._fetcher is None:
            given = self._given
            made: Fetcher = given() if callable(given) else given
            if self.requests_at_a_time and self.base_url:
                made.set_host_limit(urlsplit(self.base_url).netloc, self.requests_at_a_time)
            self._fetcher = made
        return self._fetcher

    def owns(self, host: str) -> bool:
        """Whether a URL on ``host`` can only be this source's (one of its web hosts)."""
        return host.lower() in self.hosts

    def serves(self, netloc: str) -> bool:
        """Whether ``netloc`` (``host[:port]``) is the server this source is set to read."""
        return bool(self.base_url) and netloc.lower() == urlsplit(self.base_url).netloc.lower()

    @abstractmethod
    def resolve(self, text: str) -> Ref | None:
        """Recognise a URL, handle or ID of this source without using the network.

        ``None`` when it is not this source's; ``BadReference`` when it is, but malformed.
        """

    @abstractmethod
    async def profile(self, author: str) -> Author:
        """Look up an author by handle or stable ID."""

    @abstractmethod
    async def author_threads(
        self, author_id: str, *, watermark: str = "", etag: str = ""
    ) -> AuthorScan:
        """The author's threads posted or grown since ``watermark``."""

    @abstractmethod
    async def thread(self, ref: PostRef) -> Thread:
        """Fetch the thread that contains the post ``ref`` points at, unrolled from its root."""

    async def thread_page(self, ref: PostRef) -> SavedPage:
        """The thread ``ref`` points into, with the other threads its page lists ("More
        from"), where the source's pages list any."""
        return SavedPage(await self.thread(ref))

    @classmethod
    def feed_url(cls, author: Author) -> str:
        """The author's public RSS feed, where the source has one (for OPML exports)."""
        return ""

    async def earlier_versions(self, post: Post) -> tuple[list[Version], int]:
        """The earlier texts of an edited post, oldest first, where the source's servers
        keep an edit history (none by default), and how many older ones were left out."""
        return [], 0

    async def still_the_same(self, thread: Thread, tag: str) -> tuple[bool, str]:
        """Whether a watched thread is surely unchanged since the check that left ``tag``,
        asked in one request where the source can (a validator, or the answer's hash); and
        the tag to keep. ``False`` means it must be unrolled again to tell (the default)."""
        return False, tag

    def read_saved(self, content: str) -> SavedPage | None:
        """A page of this source a user saved, or ``None`` when it is not one (or the source
        has no pages to save)."""
        return None


@cache
def source_types() -> tuple[type[Source], ...]:
    """Every source's class, in the registry's order (their modules load on first use)."""
    types = []
    for declared in SOURCES:
        module, _, name = declared.location.partition(":")
        types.append(getattr(importlib.import_module(module), name))
    return tuple(types)


def source_type(name: SourceName) -> type[Source] | None:
    """The class of the source called ``name``."""
    return next((kind for kind in source_types() if kind.name == name), None)


def feed_url(author: Author) -> str:
    """The author's public RSS feed, where their source has one."""
    kind = source_type(author.source)
    return kind.feed_url(author) if kind is not None else ""


def what_refs_name() -> str:
    """Every kind of REF the sources understand, for error and help text."""
    kinds = zip(SOURCES, source_types(), strict=True)
    return "; ".join(f"{found.label}: {kind.examples}" for found, kind in kinds)


class Sources:
    """The sources at work, sharing one fetcher, with the settings the user chose."""

    def __init__(
        self,
        fetcher: Fetcher | Callable[[], Fetcher],
        settings: Mapping[SourceName, Mapping[str, str]] | None = None,
    ) -> None:
        chosen = settings or {}
        self._sources = {kind.name: kind(fetcher, chosen.get(kind.name)) for kind in source_types()}

    def __getitem__(self, name: SourceName) -> Source:
        return self._sources[name]

    def dated(self) -> frozenset[SourceName]:
        """The sources whose servers say when a post was edited (a changed text without a
        new edit date is not an edit there)."""
        return frozenset(name for name, source in self._sources.items() if source.dates_edits)

    def __iter__(self) -> Iterator[Source]:
        return iter(self._sources.values())

    def resolve(self, text: str) -> Ref | None:
        """What ``text`` names, decided by ownership: a URL on a host some source owns is
        that source's alone (``BadReference`` if malformed); a URL on any other host is
        offered to the source set to read that server, then to the sources that read any
        host; an address ``@user@host`` goes to the host's owner if it has one; anything
        else to every source in turn.

        Raises ``ValueError`` for a URL that cannot be one (a port out of range).
        """
        parts = urlsplit(text.strip())
        candidates = list(self._sources.values())
        address = ADDRESS_RE.match(text.strip())
        if address:
            # @user@host: the host's owner reads it (@ada@x.com), else any fediverse server.
            owners = [source for source in candidates if source.owns(address.group(1))]
            candidates = owners or candidates
        elif parts.scheme in ("http", "https") and parts.netloc:
            parts.port  # noqa: B018 - raises ValueError for a port out of range
            owners = [source for source in candidates if source.owns(parts.hostname or "")]
            # The server a source is set to read is tried first (a self-hosted mirror, a
            # test server), then the sources that read any host.
            serving = [source for source in candidates if source.serves(parts.netloc)]
            anywhere = [s for s in candidates if s.any_host and s not in serving]
            candidates = owners or serving + anywhere
        for source in candidates:
            ref = source.resolve(text)
            if ref is not None:
                return ref
        return None
