"""What the CLI and the reader call: the library first, then the network, written through."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from tui_reader import locations
from tui_reader.config import Config
from tui_reader.errors import BadReference, Offline
from tui_reader.fetch import Fetcher
from tui_reader.models import Author, Ref, SourceName, Thread, ThreadSummary
from tui_reader.sources import Source
from tui_reader.sources.bluesky import BlueskySource
from tui_reader.store import AuthorRow, Store
from tui_reader.times import utc_now


@dataclass(frozen=True)
class LinkedThread:
    """A thread a post links to or quotes: in the library already, or not yet fetched."""

    url: str
    summary: ThreadSummary | None


class Library:
    """The user's library of threads, and the sources that fill it.

    Knows nothing of Textual or argparse. Network work is async; library reads are short
    SQLite calls.
    """

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self._fetcher: Fetcher | None = None
        self._sources: dict[SourceName, Source] | None = None

    @classmethod
    def open(cls, config: Config, folder: Path | None = None) -> Library:
        """Open (creating if needed) the library in ``folder`` or the default place."""
        return cls(config, Store(locations.library_file(folder)))

    @property
    def offline(self) -> bool:
        """Whether network access is switched off."""
        return self.config.network.offline

    @property
    def fetcher(self) -> Fetcher:
        """The shared HTTP client, made on first use."""
        if self._fetcher is None:
            network = self.config.network
            self._fetcher = Fetcher(
                timeout=network.timeout,
                max_connections=network.max_connections,
                offline=network.offline,
            )
        return self._fetcher

    @property
    def sources(self) -> dict[SourceName, Source]:
        """Every source, by name."""
        if self._sources is None:
            self._sources = {
                "bluesky": BlueskySource(self.fetcher, self.config.sources.bluesky_appview),
            }
        return self._sources

    async def aclose(self) -> None:
        """Close network connections (the library file stays open until :meth:`close`)."""
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
            self._sources = None

    def close(self) -> None:
        """Close the library file."""
        self.store.close()

    # References -------------------------------------------------------------------------

    def resolve(self, text: str) -> Ref:
        """Work out what a REF names: a post, an author, or a thread already in the library."""
        text = text.strip()
        if not text:
            raise BadReference("an empty REF names nothing")
        source_name, _, rest = text.partition(":")
        if source_name in ("bluesky", "mastodon", "threadreader") and rest:
            if self.store.thread(text) is None:
                raise BadReference(f"the library has no thread with the ID {text}")
            return Ref(source_name, "thread", thread_id=text)  # type: ignore[arg-type]
        for source in self.sources.values():
            ref = source.resolve(text)
            if ref is not None:
                return ref
        raise BadReference(
            f"cannot tell what {text!r} is: give a post URL, a Bluesky handle, or a thread ID"
        )

    def _known_author(self, ref: Ref) -> Author | None:
        source = self.sources[ref.source]
        if source.is_stable_id(ref.author):
            return self.store.author(f"{ref.source}:{ref.author}")
        return self.store.author_by_handle(ref.source, ref.author)

    def cached_thread(self, ref: Ref) -> Thread | None:
        """The library's copy of the thread ``ref`` names, without using the network."""
        if ref.kind == "thread":
            return self.store.thread(ref.thread_id)
        if ref.kind != "post":
            return None
        source = self.sources[ref.source]
        if source.is_stable_id(ref.author):
            author_id = ref.author
        else:
            known = self.store.author_by_handle(ref.source, ref.author)
            if known is None:
                return None
            author_id = known.id
        thread_id = self.store.thread_id_for_post(source.post_id(ref, author_id))
        return self.store.thread(thread_id) if thread_id else None

    # Threads ----------------------------------------------------------------------------

    async def unroll(self, text: str, *, refresh: bool = False) -> Thread:
        """The thread a REF points into: from the library, or fetched, unrolled and saved."""
        ref = self.resolve(text)
        if ref.kind == "author":
            raise BadReference(f"{text} is a profile; to unroll a thread, give one of its posts")
        cached = self.cached_thread(ref)
        if cached is not None and not refresh:
            return cached
        if ref.kind == "thread":
            assert cached is not None
            ref = self.resolve(cached.posts[0].url) if cached.posts else ref
        if self.offline:
            if refresh:
                raise Offline("offline: cannot refresh a thread without the network")
            raise Offline(f"offline, and the library does not have this thread: {text}")
        source = self.sources[ref.source]
        known = self._known_author(ref)
        if known is not None:
            # A handle the library has seen saves resolving it again.
            ref = replace(ref, author=known.id)
        thread = await source.thread(ref)
        if cached is not None:
            thread = replace(thread, unread=cached.unread)
        self.store.save_thread(thread)
        saved = self.store.thread(thread.id)
        assert saved is not None
        return saved

    def thread(self, thread_id: str) -> Thread | None:
        """A thread from the library, with its posts."""
        return self.store.thread(thread_id)

    def threads(
        self, author: str | None = None, *, unread_only: bool = False
    ) -> list[ThreadSummary]:
        """Threads in the library, newest first; only one author's when ``author`` is given."""
        if author is None:
            return self.store.threads(unread_only=unread_only)
        ref = self.resolve(author)
        if ref.kind == "thread":
            raise BadReference("give an author (a handle or profile URL), not a thread ID")
        known = self._known_author(ref)
        if known is None:
            return []
        return self.store.threads(author_key=known.key, unread_only=unread_only)

    def threads_of(self, author_key: str, *, unread_only: bool = False) -> list[ThreadSummary]:
        """One author's threads, by the author's library key, newest first."""
        return self.store.threads(author_key=author_key, unread_only=unread_only)

    def authors(self) -> list[AuthorRow]:
        """Authors with threads in the library, with their thread and unread counts."""
        return self.store.authors()

    # Read state -------------------------------------------------------------------------

    def set_unread(self, thread_id: str, unread: bool) -> None:
        """Mark a thread unread (``True``) or read."""
        self.store.set_unread([thread_id], unread, utc_now())

    def position(self, thread_id: str) -> int:
        """The post the reader was last at in a thread (0 for the first)."""
        return self.store.position(thread_id)

    def set_position(self, thread_id: str, position: int) -> None:
        """Remember the post the reader is at in a thread."""
        self.store.set_position(thread_id, position)

    # Related threads --------------------------------------------------------------------

    def linked_threads(self, thread: Thread) -> list[LinkedThread]:
        """Threads that the posts of ``thread`` link to or quote, each once, in order."""
        found: list[LinkedThread] = []
        seen: set[str] = {thread.id}
        urls: list[str] = []
        for post in thread.posts:
            urls.extend(post.links)
            if post.quote is not None:
                urls.append(post.quote.url)
        for url in urls:
            try:
                ref = self.resolve(url)
            except BadReference:
                continue
            if ref.kind != "post":
                continue
            cached = self.cached_thread(ref)
            key = cached.id if cached is not None else url
            if key in seen:
                continue
            seen.add(key)
            found.append(LinkedThread(url, cached.summary() if cached is not None else None))
        return found
