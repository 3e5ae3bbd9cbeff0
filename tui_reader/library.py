"""What the CLI and the reader call: the library first, then the network, written through."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui_reader import locations
from tui_reader.clean import clean_line
from tui_reader.config import Config
from tui_reader.errors import BadReference, Offline, ReaderError
from tui_reader.keeping import Keeper, MediaReport
from tui_reader.limits import within_action
from tui_reader.media import media_folder
from tui_reader.models import Author, AuthorRef, PostRef, Ref, Thread, ThreadRef, ThreadSummary
from tui_reader.read_state import ImportReport, export_read_state, import_read_state
from tui_reader.render import is_web_url
from tui_reader.sources import Sources, source_type, what_refs_name
from tui_reader.sources.registry import SOURCE_NAMES
from tui_reader.store import (
    MAX_CHANGES,
    AuthorRow,
    Change,
    Saved,
    SearchHit,
    Store,
    StoreError,
    ThreadList,
    Watch,
)
from tui_reader.sync import AuthorSync, Sync, action_seconds, check_post_owners
from tui_reader.times import utc_now, utc_now_exact

if TYPE_CHECKING:
    from tui_reader.fetch import Fetcher
    from tui_reader.opml import Outline
    from tui_reader.watching import WatchedSync

__all__ = [
    "MAX_CHANGES",
    "AuthorRow",
    "AuthorSync",
    "Change",
    "ImportReport",
    "Library",
    "LinkedThread",
    "SearchHit",
    "ThreadList",
    "Watch",
]


@dataclass(frozen=True)
class LinkedThread:
    """A thread a post links to or quotes: in the library already, or not yet fetched."""

    url: str
    summary: ThreadSummary | None


#: The short number ``threads`` and ``search`` print: ``#12``, or ``12`` up to four digits (a
#: bare run of five or more is a tweet ID).
SHORT_NUMBER_RE = re.compile(r"#([0-9]{1,9})|([0-9]{1,4})")

#: How long a write of read state waits for a library another process is writing: a
#: moment, so the reader never freezes; it is tried again later.
QUICK_WRITE_MS = 250


class Library:
    """The user's library of threads, and the sources that fill it.

    Knows nothing of Textual or argparse. Network work is async; library reads are short
    SQLite calls.
    """

    def __init__(self, config: Config, store: Store, fetcher: Fetcher | None = None) -> None:
        self.config = config
        self.store = store
        self._fetcher: Fetcher | None = fetcher
        self._sources: Sources | None = None
        #: Set by the reader: then a write of read state that fails is kept and retried,
        #: and this is told why (once for each new reason), instead of raising.
        self.on_write_failure: Callable[[str], None] | None = None
        self._pending: dict[tuple[str, str], Callable[[], object]] = {}
        self._told = ""
        #: The threads the last mark-all-read found new, to mark new again on undo.
        self._was_new: set[str] = set()

    @classmethod
    def open(cls, config: Config, folder: Path | None = None) -> Library:
        """Open (creating if needed) the library in ``folder`` or the default place."""
        return cls(config, Store(locations.library_file(folder)))

    @property
    def notice(self) -> str:
        """What the user should be told about the library file ("" when all is well)."""
        return self.store.notice

    @property
    def folder(self) -> Path:
        """The folder the library file is in (the reader keeps its state beside it)."""
        return self.store.path.parent

    @property
    def offline(self) -> bool:
        """Whether network access is switched off."""
        return self.config.network.offline

    @property
    def fetcher(self) -> Fetcher:
        """The shared HTTP client, made on first use."""
        if self._fetcher is None:
            # Imported here: the HTTP client takes a tenth of a second to load, and reading the
            # library (the reader's first screen, a search) never needs it.
            from tui_reader.fetch import Fetcher

            network = self.config.network
            self._fetcher = Fetcher(
                timeout=network.timeout,
                max_connections=network.max_connections,
                offline=network.offline,
                cache=self.store,
            )
        return self._fetcher

    @property
    def sources(self) -> Sources:
        """Every source, by name, as the registry lists them."""
        if self._sources is None:
            settings = {name: self.config.sources.for_source(name) for name in SOURCE_NAMES}
            # The fetcher is made when a source first needs the network, not to resolve.
            self._sources = Sources(lambda: self.fetcher, settings)
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
        numbered = SHORT_NUMBER_RE.fullmatch(text)
        if numbered:
            digits = numbered.group(1) or numbered.group(2)
            thread_id = self.store.thread_id_numbered(int(digits))
            if thread_id is None:
                raise BadReference(f"the library has no thread #{digits}")
            return ThreadRef(thread_id)
        source_name, _, rest = text.partition(":")
        if source_name in SOURCE_NAMES and rest:
            if self.store.summary(text) is None:
                raise BadReference(f"the library has no thread with the ID {text}")
            return ThreadRef(text)
        try:
            ref = self.sources.resolve(text)
        except ValueError:  # urlsplit on "http://[::1", a port of 99999
            raise BadReference(f"not a valid URL: {text}") from None
        if ref is None:
            ref = self._handle_in_library(text)
        if ref is None:
            raise BadReference(
                f"cannot tell what {text!r} is: give a thread ID from 'threads', or "
                f"{what_refs_name()}"
            )
        return ref

    def _handle_in_library(self, text: str) -> AuthorRef | None:
        """``@handle`` as the lists print it, for an author the library knows (an X handle
        names no server, so no source can tell it apart from others' handles alone)."""
        handle = text.removeprefix("@")
        if not handle or "@" in handle or any(c.isspace() for c in handle):
            return None
        found = self.store.authors_with_handle(handle)
        if len(found) > 1:
            choices = ", ".join(a.url or a.key for a in found)
            raise BadReference(f"several authors are called @{handle}; give one of: {choices}")
        if not found:
            return None
        return AuthorRef(found[0].source, found[0].id, stable=True)

    def _known_author(self, ref: AuthorRef) -> Author | None:
        if ref.stable:
            return self.store.author(ref.key)
        return self.store.author_by_handle(ref.source, ref.name)

    def _with_known_author(self, ref: PostRef) -> PostRef:
        """``ref`` with its author's stable ID, when the reference gave a handle the library
        has seen: that gives the post's key, and saves resolving the handle again."""
        if ref.author.stable or not ref.author.name:
            return ref
        known = self._known_author(ref.author)
        return ref.for_author(known.id) if known is not None else ref

    def cached_thread(self, ref: Ref) -> Thread | None:
        """The library's copy of the thread ``ref`` names, without using the network."""
        if isinstance(ref, ThreadRef):
            return self.store.thread(ref.thread_id)
        if not isinstance(ref, PostRef):
            return None
        key = self._with_known_author(ref).key
        if key:
            thread_id = self.store.thread_id_for_post(key)
        else:
            # No author the library knows (/notice/ID names none; a handle it has not
            # seen): server and post ID still find its copy, IDs being unique per server.
            thread_id = self.store.thread_id_for_post_on(ref.author.home, ref.locator)
        return self.store.thread(thread_id) if thread_id else None

    # Threads ----------------------------------------------------------------------------

    async def unroll(self, text: str, *, refresh: bool = False) -> Thread:
        """The thread a REF points into: from the library, or fetched, unrolled and saved."""
        return (await self.unroll_saving(text, refresh=refresh))[0]

    async def unroll_saving(
        self, text: str, *, refresh: bool = False
    ) -> tuple[Thread, Saved | None]:
        """:meth:`unroll`, and what its save changed in the library's copy (``None`` when the
        library's copy was read without the network)."""
        ref = self.resolve(text)
        if isinstance(ref, AuthorRef):
            raise BadReference(f"{text} is a profile; to unroll a thread, give one of its posts")
        cached = self.cached_thread(ref)
        if cached is not None and not refresh:
            return cached, None
        if isinstance(ref, ThreadRef):
            listed = self.store.summary(ref.thread_id)
            url = (
                cached.posts[0].url
                if cached is not None and cached.posts
                else (listed.url if listed is not None else "")
            )
            ref = self._post_ref_at(url)
        if self.offline:
            if refresh:
                raise Offline("offline: cannot refresh a thread without the network")
            raise Offline(f"offline, and the library does not have this thread: {text}")
        return await self.fetch_and_save(ref)

    def post_ref_of(self, thread: Thread) -> PostRef:
        """Where to fetch a thread the library has again: its own address where that names
        it (a Thread Reader App page: no lookup of its root), else its first post."""
        try:
            found = self.resolve(thread.url) if thread.url else None
        except (ReaderError, ValueError):
            found = None
        if isinstance(found, PostRef):
            return found
        return self._post_ref_at(thread.posts[0].url if thread.posts else thread.url)

    def _post_ref_at(self, url: str) -> PostRef:
        if not url:
            raise ReaderError(
                "this thread came from a saved page without its address, so it cannot "
                "be fetched; unroll it from its URL instead"
            )
        found = self.resolve(url)
        if not isinstance(found, PostRef):
            raise ReaderError(f"the thread's address is not a post's: {url}")
        return found

    async def fetch_and_save(self, ref: PostRef) -> tuple[Thread, Saved]:
        """Unroll the thread ``ref`` points into from its source and save it, noting what
        changed in the library's copy (and reading the edit history of posts whose server
        says they were edited); the library's copy, and what changed."""
        ref = self._with_known_author(ref)
        source = self.sources[ref.source]

        from tui_reader.watching import read_histories  # not needed to start the reader

        async def work() -> tuple[Thread, Saved]:
            page = await source.thread_page(ref)
            thread = page.thread
            check_post_owners(self.store, self.sources, thread)
            saved = self.store.save_thread(
                thread, dated=self.sources.dated(), grown_is_unread=self.config.grown_is_unread
            )
            self.store.save_summaries(page.more_from)
            await read_histories(self.store, source, thread, saved)
            return thread, saved

        thread, saved = await within_action(
            "unrolling the thread", work(), action_seconds(self.config)
        )
        # The store keeps the read state and any posts gone upstream: return its copy.
        kept = self.store.thread(thread.id)
        assert kept is not None
        return kept, saved

    def thread(self, thread_id: str) -> Thread | None:
        """A thread from the library, with its posts (``None`` if it was never fetched)."""
        return self.store.thread(thread_id)

    def summary(self, thread_id: str) -> ThreadSummary | None:
        """A thread as listed, fetched or not."""
        return self.store.summary(thread_id)

    def import_saved(self, content: str) -> tuple[Thread, int, bool]:
        """Import a saved Thread Reader App page (HTML or copied text).

        Returns the thread, how many "More from" threads were new to the library, and
        whether the thread itself was new. Importing the same page twice changes nothing.
        """
        page = next(
            (found for source in self.sources if (found := source.read_saved(content))), None
        )
        if page is None:  # pragma: no cover - Thread Reader App reads every page or says why
            raise ReaderError("not a page tui-reader can import")
        existing = self.store.thread(page.thread.id)
        fresh = existing is None
        if existing is None or {p.id for p in existing.posts} != {p.id for p in page.thread.posts}:
            check_post_owners(self.store, self.sources, page.thread)
            self.store.save_thread(page.thread)
        added = self.store.save_summaries(page.more_from)
        saved = self.store.thread(page.thread.id)
        assert saved is not None
        return saved, added, fresh

    def threads(
        self, author: str | None = None, *, unread_only: bool = False
    ) -> list[ThreadSummary]:
        """Threads in the library, newest first; only one author's when ``author`` is given."""
        if author is None:
            return self.store.threads(unread_only=unread_only)
        key = self.author_key_of(author)
        if key is None:
            return []
        return self.store.threads(author_key=key, unread_only=unread_only)

    def author_key_of(self, author: str) -> str | None:
        """The library key of the author ``author`` names (``None`` when the library does
        not know them); ``BadReference`` when it names a thread."""
        ref = self.resolve(author)
        if isinstance(ref, ThreadRef):
            raise BadReference("give an author (a handle or profile URL), not a thread ID")
        known = self._known_author(ref if isinstance(ref, AuthorRef) else ref.author)
        return known.key if known is not None else None

    def whole_threads(self, view: ThreadList, limit: int) -> list[Thread]:
        """The fetched threads ``view`` lists, at most ``limit``, with their posts (for a
        feed or a book), in the view's order."""
        chosen = replace(view, fetched_only=True)
        threads = (self.store.thread(s.id) for s in self.store.threads(chosen, limit=limit))
        return [thread for thread in threads if thread is not None]

    def search(
        self,
        query: str,
        author: str | None = None,
        limit: int = 50,
        per_thread: int = 1,
        *,
        snippets: bool = True,
    ) -> list[SearchHit]:
        """Threads whose posts match ``query``, best first; only one author's if given.

        Words match without their accents; ``"a phrase"`` in quotes, ``word*`` for a prefix.
        With ``snippets=False`` the words in context are left to ``snippets``, for the rows
        a screen shows.
        """
        if not query.strip():
            raise ReaderError("give some words to search for")
        author_key = None
        if author is not None:
            ref = self.resolve(author)
            if isinstance(ref, ThreadRef):
                known: Author | None = None
            else:
                known = self._known_author(ref if isinstance(ref, AuthorRef) else ref.author)
            if known is None:
                # Saying "nothing matches" would suggest the author's posts were searched.
                raise BadReference(f"{clean_line(author)} is not an author in the library")
            author_key = known.key
        return self.store.search(
            query, author_key=author_key, limit=limit, per_thread=per_thread, snippets=snippets
        )

    def snippets(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        """Search hits with the matching words in context (see ``search``)."""
        return self.store.snippets(query, hits)

    def author(self, author_key: str) -> Author | None:
        """The author with this library key, if the library knows them."""
        return self.store.author(author_key)

    def match_spans(self, thread_id: str, query: str) -> dict[int, list[tuple[int, int]]]:
        """Where a search matches each post of a thread (character spans, by post index)."""
        return self.store.match_spans(thread_id, query) if query.strip() else {}

    def authors(self) -> list[AuthorRow]:
        """Authors with threads in the library, with their thread and unread counts."""
        return self.store.authors()

    # Read state -------------------------------------------------------------------------

    def set_unread(self, thread_id: str, unread: bool) -> None:
        """Mark a thread unread (``True``) or read."""
        when, seen = utc_now(), utc_now_exact()
        self._keep(
            ("unread", thread_id),
            lambda: self.store.set_unread([thread_id], unread, when, seen),
        )

    def set_unread_many(self, thread_ids: list[str], unread: bool) -> None:
        """Mark threads unread (``True``) or read: to undo :meth:`mark_read`."""
        when, seen = utc_now(), utc_now_exact()
        for thread_id in thread_ids:
            self._pending.pop(("unread", thread_id), None)
        self._keep(
            ("unread-many", ",".join(thread_ids)),
            lambda: self.store.set_unread(thread_ids, unread, when, seen),
        )

    def mark_read(self, view: ThreadList) -> list[str]:
        """Mark every thread ``view`` lists read; the IDs it changed, to undo with (none
        when the library could not be written and the reader was told so)."""
        changed: list[str] = []

        def write() -> None:
            marked = self.store.mark_read(view, utc_now(), utc_now_exact())
            changed.extend(thread_id for thread_id, _ in marked)
            self._was_new = {thread_id for thread_id, new in marked if new}

        self._keep(("mark-read", repr(view)), write)
        return changed

    def mark_opened(self, thread_id: str) -> None:
        """A thread was opened: it is no longer "new" (brought by a sync, not opened yet)."""
        self._keep(("opened", thread_id), lambda: self.store.clear_new(thread_id))

    def mark_read_ids(self, thread_ids: list[str]) -> None:
        """Mark these threads read (search results), remembering which were new."""
        self._was_new = self.store.new_among(thread_ids)
        self.set_unread_many(thread_ids, False)

    def unread_again(self, thread_ids: list[str]) -> None:
        """Undo :meth:`mark_read` or :meth:`mark_read_ids`: the threads unread again, and
        those that were new, new again."""
        self.set_unread_many(thread_ids, True)
        new = [thread_id for thread_id in thread_ids if thread_id in self._was_new]
        if new:
            self._keep(("new", ",".join(new)), lambda: self.store.set_new(new))

    def _keep(self, key: tuple[str, str], write: Callable[[], object]) -> None:
        """Run a write of read state (a mark, a position). Where the reader asked to be told
        (``on_write_failure``), a write that fails is kept to try again and the reader goes
        on: a library that cannot be written, or that another process holds, must not end
        it. Writes kept earlier are tried first, in order."""
        if self.on_write_failure is None:
            write()
            return
        self._pending.pop(key, None)
        self._pending[key] = write
        self.retry_writes()

    def retry_writes(self) -> int:
        """Try the writes of read state kept after a failure again, oldest first; how many
        are still waiting. Each try waits for a busy library a moment, not seconds."""
        while self._pending:
            key, write = next(iter(self._pending.items()))
            try:
                with self.store.patience(QUICK_WRITE_MS):
                    write()
            except StoreError as error:
                if self.on_write_failure is not None and error.message != self._told:
                    self._told = error.message
                    self.on_write_failure(error.message)
                return len(self._pending)
            self._pending.pop(key, None)
            self._told = ""
        return 0

    # Lists ------------------------------------------------------------------------------

    def list_threads(
        self, view: ThreadList, offset: int = 0, limit: int = -1
    ) -> list[ThreadSummary]:
        """The threads ``view`` lists, in its order; a page of them with ``limit``."""
        return self.store.threads(view, offset=offset, limit=limit)

    def count_listed(self, view: ThreadList) -> tuple[int, int]:
        """How many threads ``view`` lists, and how many of them are unread."""
        return self.store.count_threads(view)

    def index_listed(self, thread_id: str, view: ThreadList) -> int | None:
        """Where a thread is in ``view``'s list."""
        return self.store.thread_index(thread_id, view)

    def unread_after(
        self, thread_id: str | None, view: ThreadList, *, backwards: bool = False
    ) -> ThreadSummary | None:
        """The next unread thread after ``thread_id`` in ``view`` (the previous,
        ``backwards``)."""
        return self.store.unread_after(thread_id, view, backwards=backwards)

    def position(self, thread_id: str) -> int:
        """The post the reader was last at in a thread (0 for the first)."""
        return self.store.position(thread_id)

    def set_position(self, thread_id: str, position: int) -> None:
        """Remember the post the reader is at in a thread."""
        when = utc_now()
        self._keep(
            ("position", thread_id), lambda: self.store.set_position(thread_id, position, when)
        )

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
            if not isinstance(ref, PostRef):
                continue
            cached = self.cached_thread(ref)
            key = cached.id if cached is not None else url
            if key in seen:
                continue
            seen.add(key)
            found.append(LinkedThread(url, cached.summary() if cached is not None else None))
        return found

    # Follows ----------------------------------------------------------------------------

    async def author_for(self, text: str) -> Author:
        """The author a REF names (a profile, a handle, or one of the author's posts)."""
        ref = self.resolve(text)
        if isinstance(ref, ThreadRef):
            return self._thread_author(ref.thread_id)
        author = ref if isinstance(ref, AuthorRef) else ref.author
        known = self._known_author(author)
        if self.offline:
            if known is None:
                raise Offline(f"offline, and the library does not know the author of {text}")
            return known
        if known is None and not author.name:
            raise BadReference(f"{text} does not say who wrote it; give the author's profile")
        profile = self.sources[ref.source].profile(known.id if known else author.name)
        return await within_action("looking up the author", profile, action_seconds(self.config))

    def _thread_author(self, thread_id: str) -> Author:
        """The author of a thread in the library, fetched or only listed ("More from")."""
        listed = self.store.summary(thread_id)
        if listed is None:
            raise BadReference(f"the library has no thread with the ID {thread_id}")
        return listed.author

    async def follow(self, text: str) -> tuple[Author, bool]:
        """Follow the author a REF names; the flag is ``False`` if already followed."""
        author = await self.author_for(text)
        return author, self.store.follow(author, utc_now())

    def followed_author(self, text: str) -> Author:
        """The followed author a REF names, from the library alone."""
        ref = self.resolve(text)
        if isinstance(ref, ThreadRef):
            known: Author | None = self._thread_author(ref.thread_id)
        else:
            known = self._known_author(ref if isinstance(ref, AuthorRef) else ref.author)
        followed = {author.key for author in self.store.followed()}
        if known is None or known.key not in followed:
            raise BadReference(f"you do not follow {text}")
        return known

    def unfollow(self, text: str) -> Author:
        """Stop following the author a REF names; their threads stay in the library."""
        author = self.followed_author(text)
        self.store.unfollow(author.key)
        return author

    def unfollow_author(self, author_key: str) -> Author | None:
        """Stop following the author with this library key; ``None`` if unknown."""
        author = self.store.author(author_key)
        if author is not None:
            self.store.unfollow(author_key)
        return author

    def following(self) -> list[AuthorRow]:
        """The followed authors with their thread counts and sync state."""
        return [row for row in self.store.authors() if row.followed]

    def follow_count(self) -> int:
        """How many authors are followed."""
        return self.store.follow_count()

    def export_follows(self) -> str:
        """The follow list as OPML."""
        from tui_reader.opml import write_opml  # XML only when asked for

        return write_opml(self.store.followed())

    async def import_follows(self, text: str, *, deadline: float | None = None) -> ImportReport:
        """Follow everyone in an OPML file; entries tui-reader wrote need no network. The
        others are looked up several at once (each source's per-host limits still hold),
        all within one deadline (``[sync] deadline_minutes`` unless ``deadline`` seconds)."""
        from tui_reader.opml import read_opml  # XML only when asked for

        outlines = read_opml(text)
        seconds = self.config.sync.deadline_minutes * 60.0 if deadline is None else deadline
        ends_at = asyncio.get_running_loop().time() + seconds
        limit = asyncio.Semaphore(self.config.network.max_connections)

        async def one(outline: Outline) -> tuple[bool, str]:
            """Whether the author was new, or the problem ("" when none)."""
            try:
                if outline.author is not None:
                    author = self._checked_import(outline.author)
                    return self.store.follow(author, utc_now()), ""
                ref = outline.html_url or outline.xml_url.removesuffix("/rss")
                async with asyncio.timeout_at(ends_at):
                    async with limit:
                        _, new = await self.follow(ref)
                return new, ""
            except TimeoutError:
                return False, f"the import's deadline ({seconds:g} s) passed before its lookup"
            except ReaderError as error:
                return False, error.message

        added = unchanged = skipped = 0
        problems: list[str] = []
        for outline, (new, problem) in zip(
            outlines, await asyncio.gather(*(one(outline) for outline in outlines)), strict=True
        ):
            if problem:
                skipped += 1
                problems.append(f"{outline.title or clean_line(outline.html_url)}: {problem}")
                continue
            added += new
            unchanged += not new
        return ImportReport(added, unchanged, skipped, tuple(problems))

    def _checked_import(self, named: Author) -> Author:
        """An author as an OPML file names them, checked by their source's rules; the
        library's own row when it has one (a file never renames or re-links an author)."""
        kind = source_type(named.source)
        author = kind.checked_author(named) if kind is not None else None
        if author is None:
            raise BadReference(f"not an author ID of {named.source}: {clean_line(named.id)[:80]}")
        return self.store.author(author.key) or author

    # Sync -------------------------------------------------------------------------------

    async def sync(
        self,
        refs: list[str] | None = None,
        on_progress: Callable[[AuthorSync], None] | None = None,
        *,
        deadline: float | None = None,
        authors: list[Author] | None = None,
    ) -> list[AuthorSync]:
        """Bring in every followed author's new and grown threads (or only the named ones'),
        several authors at once; one author failing does not stop the others. The whole
        sync ends after ``deadline`` seconds (``[sync] deadline_minutes`` by default).
        ``authors`` names them directly (one just followed, the one under the cursor)."""
        if self.offline:
            raise Offline("offline: syncing needs the network")
        if authors is None:
            authors = [self.followed_author(ref) for ref in refs] if refs else self.store.followed()
        if not authors:
            raise ReaderError("you follow nobody yet; start with: tui-reader follow REF")
        return await Sync(self.config, self.store, self.sources).run(authors, on_progress, deadline)

    # Kept images ------------------------------------------------------------------------

    @property
    def media_folder(self) -> Path:
        """Where the library's images are kept."""
        return media_folder(self.folder)

    async def keep_images(self, thread_ids: Iterable[str]) -> MediaReport:
        """Fetch and keep the images of these threads the library lacks (after their text is
        saved: nothing here fails a save). Offline, or with ``[media] keep = "none"``,
        nothing is fetched."""
        if self.offline or self.config.media.keep != "images":
            return MediaReport()
        urls = [url for url in self.store.image_urls_of(thread_ids) if is_web_url(url)]
        if not urls:
            return MediaReport()
        return await self._keeper().keep(urls)

    async def keep_missing_images(self, page: int = 2_000) -> MediaReport:
        """Fetch every image of the library not kept yet (``tui-reader media --fetch``), a
        page of addresses at a time."""
        total = MediaReport()
        if self.offline or self.config.media.keep != "images":
            return total
        offset = 0
        while urls := self.store.image_urls(offset, page):
            offset += len(urls)
            report = await self._keeper().keep(urls)
            total.kept += report.kept
            total.refused += report.refused
            total.failed += report.failed
            total.full = total.full or report.full
            total.seconds += report.seconds
        return total

    def media_report(self) -> dict[str, int]:
        """How many images the posts name, kept, refused, failed, missing; files and bytes."""
        return self.store.media_report()

    def _keeper(self) -> Keeper:
        return Keeper(self.config, self.store, self.fetcher, self.media_folder)

    # Threads that live ----------------------------------------------------------------------

    async def watch(self, text: str) -> tuple[Thread, bool]:
        """Watch the thread a REF names (unrolled first if the library lacks it): each sync
        fetches it again. The thread, and whether it was not watched before."""
        ref = self.resolve(text)
        if isinstance(ref, AuthorRef):
            raise BadReference(f"{text} is a profile; to watch a thread, give one of its posts")
        thread = await self.unroll(text)
        return thread, self.store.watch(thread.id, utc_now())

    def unwatch(self, text: str) -> tuple[ThreadSummary, bool]:
        """Stop watching the thread a REF names; whether it was watched."""
        ref = self.resolve(text)
        thread = self.cached_thread(ref) if not isinstance(ref, AuthorRef) else None
        if thread is None:
            raise ReaderError(f"the library has no such thread: {clean_line(text)[:200]}")
        return thread.summary(), self.store.unwatch(thread.id)

    def watching(self) -> list[Watch]:
        """The watched threads, the longest watched first."""
        return self.store.watches()

    def set_watched(self, thread_id: str, watched: bool) -> bool:
        """Watch a thread the library has, or stop; whether it is watched now."""
        if watched:
            self.store.watch(thread_id, utc_now())
        else:
            self.store.unwatch(thread_id)
        return watched

    def is_watched(self, thread_id: str) -> bool:
        """Whether a thread is watched."""
        return self.store.is_watched(thread_id)

    async def sync_watched(
        self,
        skip: set[str] | None = None,
        on_progress: Callable[[WatchedSync], None] | None = None,
        *,
        deadline: float | None = None,
    ) -> list[WatchedSync]:
        """Fetch every watched thread again (see ``watching.sync_watched``)."""
        if self.offline:
            raise Offline("offline: syncing needs the network")

        from tui_reader.watching import sync_watched

        async def refetch(thread: Thread) -> Saved:
            return (await self.fetch_and_save(self.post_ref_of(thread)))[1]

        return await sync_watched(
            self.config, self.store, self.sources, refetch, skip, on_progress, deadline
        )

    def mark_seen(self, thread_id: str) -> None:
        """The reader showed the thread: what it holds now counts as seen."""
        when = utc_now_exact()
        self._keep(("seen", thread_id), lambda: self.store.mark_seen(thread_id, when))

    def changes(self, since: str | None = None, *, look: bool = True) -> tuple[list[Change], str]:
        """What changed in the library after the time ``since`` (by default, since the
        changes were last looked at), newest first, and when they were last looked at;
        ``look`` marks them looked at now."""
        return self.store.changes_since(since, look=look)

    def newest_changes(self, limit: int) -> tuple[list[Change], int]:
        """The newest ``limit`` changes since they were last looked at, and how many there
        are (Read more lists a few)."""
        return self.store.newest_changes(limit)

    def last_change(self) -> int:
        """The number of the newest entry in the changes log (to count what came after)."""
        return self.store.last_change()

    def change_counts(self, after: int) -> dict[str, int]:
        """How many threads came in new and grew, and posts were edited and deleted, in the
        changes log after entry ``after``."""
        return self.store.change_counts(after)

    # Read state files --------------------------------------------------------------------

    def export_read_state(self) -> str:
        """Every thread's read mark and position, as JSON."""
        return export_read_state(self.store)

    def import_read_state(self, text: str) -> ImportReport:
        """Merge read marks from JSON: for each thread, the newest mark wins."""
        return import_read_state(self.store, text)
