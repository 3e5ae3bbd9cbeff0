"""The main screen: authors, feed, thread and "read more", coordinated by messages."""

from __future__ import annotations

import shlex
import subprocess
import time
import webbrowser
from collections.abc import Awaitable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast
from urllib.parse import urlsplit

from platformdirs import user_documents_path
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header
from textual.worker import Worker

from tui_reader.errors import ReaderError, SourceUnavailable
from tui_reader.export import export_thread, target_path, unused_name
from tui_reader.library import AuthorRow, AuthorSync, SearchHit, ThreadList
from tui_reader.models import Author, Thread
from tui_reader.render import counted, post_links
from tui_reader.ui.screens.dialogs import (
    ChoiceDialog,
    ExportDialog,
    LinksDialog,
    filter_dialog,
    find_dialog,
    follow_dialog,
    search_dialog,
    unroll_dialog,
)
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.authors import ALL, UNREAD, AuthorList
from tui_reader.ui.widgets.feed import FeedList, LibraryRows
from tui_reader.ui.widgets.footer import FittingFooter
from tui_reader.ui.widgets.read_more import MAX_PER_SECTION, ReadMore
from tui_reader.ui.widgets.thread_view import ThreadHeader, ThreadView

T = TypeVar("T")
#: A sync changes the library once per author: the lists follow at most this often.
RELOAD_INTERVAL = 0.3
#: Rows of search results in the reader, and at most this many from one thread.
SEARCH_ROWS = 100
SEARCH_ROWS_PER_THREAD = 5
#: How the sorts are named in the threads list's title.
SORT_NAMES = {"newest": "newest first", "longest": "longest first", "unread": "unread first"}
#: A sync's failures named one by one in its notification; the rest are counted.
MAX_FAILURES_SHOWN = 5
#: Seconds after the reader stops moving through a thread before their place is saved.
POSITION_SAVE_DELAY = 1.0
#: Threads escape can go back through.
MAX_HISTORY = 50


class LibraryChanged(Message):
    """The library changed (a thread came in, a follow, a sync step): lists should follow."""


if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp

#: The workers that wait on the network: escape cancels them.
NETWORK_GROUPS = frozenset({"unroll", "follow", "sync"})
NEEDS_THREAD = frozenset(
    {"refresh", "toggle_read", "open_in_browser", "copy_link", "export", "links"}
)


def _run_browser(command: str, url: str) -> bool:
    """Start ``[ui] browser`` on ``url`` (for ``%u``, or added at the end), not waiting for
    it; whether it could be started."""
    words = shlex.split(command)
    args = [word.replace("%u", url) for word in words]
    if not any("%u" in word for word in words):
        args.append(url)
    try:
        subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except (OSError, ValueError):
        return False
    return True


class MainScreen(Screen[None]):
    """Everything the reader does happens here."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        Binding("l,tab", "next_pane", "Next pane", show=False, id="next-pane", tooltip="next pane"),
        Binding(
            "h,shift+tab",
            "previous_pane",
            "Previous pane",
            show=False,
            id="previous-pane",
            tooltip="previous pane",
        ),
        Binding(
            "n",
            "next_unread",
            "Next unread",
            id="next-unread",
            tooltip="the next unread thread (in this list, then anywhere)",
        ),
        Binding(
            "p",
            "previous_unread",
            "Prev unread",
            show=False,
            id="previous-unread",
            tooltip="the previous unread thread",
        ),
        Binding("u", "unroll", "Unroll", id="unroll", tooltip="unroll a post URL or thread ID"),
        Binding(
            "f",
            "follow",
            "Follow",
            id="follow",
            tooltip="follow an author (a handle, or a profile or post URL)",
        ),
        Binding(
            "R",
            "sync",
            "Sync",
            id="sync",
            tooltip="sync: bring in new threads from everyone you follow",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            id="search",
            tooltip="search every post in the library (in the thread: find in it)",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            show=False,
            id="back",
            tooltip=(
                "back: cancel network work, end a find, leave the thread (to the one it came "
                "from, or the list), end a search or filter"
            ),
        ),
        Binding(
            "A",
            "mark_list_read",
            "Mark list read",
            show=False,
            id="mark-list-read",
            tooltip="mark every thread in the list read (z undoes)",
        ),
        Binding(
            "C",
            "catch_up",
            "Catch up",
            show=False,
            id="catch-up",
            tooltip="catch up: mark every thread in the library read (z undoes)",
        ),
        Binding("z", "undo", "Undo", show=False, id="undo", tooltip="undo the last mark-all-read"),
        Binding(
            "s",
            "sort",
            "Sort",
            show=False,
            id="sort",
            tooltip="sort the threads: newest first, longest first, unread first",
        ),
        Binding(
            "H",
            "hide_read",
            "Hide read",
            show=False,
            id="hide-read",
            tooltip="hide / show read threads",
        ),
        Binding(
            "M",
            "toggle_read_more",
            "Read more",
            show=False,
            id="toggle-read-more",
            tooltip="hide / show the Read more pane under the thread",
        ),
        Binding(
            "O",
            "hide_unfetched",
            "Hide ○",
            show=False,
            id="hide-unfetched",
            tooltip="hide / show threads not fetched yet (○)",
        ),
        Binding(
            "F",
            "filter_titles",
            "Filter",
            show=False,
            id="filter",
            tooltip="filter the threads by words in their titles (escape clears it)",
        ),
        Binding(
            "e",
            "export",
            "Save as",
            id="export",
            tooltip="save the thread as Markdown, HTML, PDF or JSON",
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="refresh",
            tooltip='refresh the thread from the network ("missing some posts?")',
        ),
        Binding(
            "m",
            "toggle_read",
            "Read/unread",
            id="toggle-read",
            tooltip="mark the thread read / unread",
        ),
        Binding(
            "o",
            "open_in_browser",
            "Open",
            id="open-in-browser",
            tooltip="open the post in the browser",
        ),
        Binding(
            "L",
            "links",
            "Links",
            id="links",
            tooltip="the post's links and images, numbered: open or copy one",
        ),
        Binding("y", "copy_link", "Copy link", id="copy-link", tooltip="copy the post's link"),
    ]

    def __init__(self, open_ref: str = "") -> None:
        super().__init__(classes="-no-thread")
        self.thread: Thread | None = None
        self.open_ref = open_ref
        self.search_query = ""
        # Kept so the reading position can still be saved while the screen is torn down.
        self.thread_view = ThreadView(id="thread")
        self._going_to: Widget | None = None
        self._last_reload = 0.0
        self._reload_pending = False
        #: Words the threads' titles must hold (F); "" for none.
        self.title_filter = ""
        #: The threads the last mark-all-read changed, and what it was called, for z.
        self._undo: tuple[list[str], str] | None = None
        self._position_timer: Timer | None = None
        #: Threads left for another opened from them, newest last (escape goes back).
        self._history: list[tuple[str, int]] = []
        #: The thread and search whose highlights are being looked up.
        self._highlighting: tuple[str, str] | None = None

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        return cast("ReaderApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield AuthorList(id="authors")
                yield FeedList(id="feed")
            with Vertical(id="main"):
                yield ThreadHeader(id="thread-header")
                yield self.thread_view
                yield ReadMore(id="read-more")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.thread_view.measure = self.reader.config.measure
        self.thread_view.align = self.reader.config.align
        self._place_read_more()
        rows = self.reload_lists()
        self.query_one(ThreadHeader).show(None, offline=self.reader.library.offline, empty=not rows)
        self.query_one(AuthorList).focus()
        # Where the reader is in a thread is saved a moment after they stop moving, so the
        # list beside it says so ("17/40") while they read.
        self.watch(self.thread_view, "current", self._position_moved, init=False)
        if self.open_ref:
            self.unroll(self.open_ref)

    def _position_moved(self, _index: int) -> None:
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(POSITION_SAVE_DELAY, self._save_position)

    # Panes ------------------------------------------------------------------------------

    @property
    def panes(self) -> list[Widget]:
        """The panes that take focus, left to right."""
        return [
            self.query_one(AuthorList),
            self.query_one(FeedList),
            self.query_one(ThreadView),
            self.query_one(ReadMore),
        ]

    def _step_pane(self, step: int) -> None:
        panes = [pane for pane in self.panes if pane.display]
        # Focus moves when its message is handled: a second key pressed before then steps
        # on from where the first one is going, not from where focus still is.
        current = self._going_to or self.focused
        index = panes.index(current) if current in panes else 0
        target = panes[(index + step) % len(panes)]
        self._going_to = target
        # Show the target's side; the focus lands when the next message is handled.
        self.set_class(target in panes[2:], "-reading")
        target.focus()

    def action_next_pane(self) -> None:
        """Focus the pane to the right."""
        self._step_pane(1)

    def action_previous_pane(self) -> None:
        """Focus the pane to the left."""
        self._step_pane(-1)

    @on(DescendantFocus)
    def _focus_moved(self, event: DescendantFocus) -> None:
        self._going_to = None
        # On a narrow terminal only one side shows: the lists, or the thread.
        reading = event.widget in (self.query_one(ThreadView), self.query_one(ReadMore))
        self.set_class(reading, "-reading")

    # Lists ------------------------------------------------------------------------------

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        # Many changes in a row (a sync) redraw the lists a few times a second, not each time.
        wait = self._last_reload + RELOAD_INTERVAL - time.monotonic()
        if wait <= 0:
            self.reload_lists()
        elif not self._reload_pending:
            self._reload_pending = True
            self.set_timer(wait, self._pending_reload)

    def _pending_reload(self) -> None:
        self._reload_pending = False
        self.reload_lists()

    def reload_lists(self) -> list[AuthorRow]:
        """Refresh the author counts and the feed from the library; returns the authors."""
        self._last_reload = time.monotonic()
        library = self.reader.library
        rows = library.authors()
        total = sum(row.threads for row in rows)
        unread = sum(row.unread for row in rows)
        authors = self.query_one(AuthorList)
        authors.show(rows, total, unread)
        if self.search_query:
            self._run_search(self.search_query, focus=False)
        else:
            self._show_feed(authors.chosen_key)
        return rows

    def _view(self, key: str) -> ThreadList:
        """The list of threads the authors pane's entry ``key`` shows, as sorted and
        filtered in the reader."""
        state = self.reader.state
        return ThreadList(
            author_key=None if key in (ALL, UNREAD) else key,
            unread_only=key == UNREAD or state.hide_read,
            fetched_only=state.hide_unfetched,
            words=self.title_filter,
            sort=state.sort,
        )

    def _show_feed(self, key: str) -> None:
        library = self.reader.library
        feed = self.query_one(FeedList)
        if key == ALL:
            title = "All threads"
        elif key == UNREAD:
            title = "Unread"
        else:
            author = library.author(key)
            title = f"@{author.handle}" if author is not None else "Threads"
        state = self.reader.state
        notes = [title]
        if state.sort != "newest":
            notes.append(SORT_NAMES[state.sort])
        if state.hide_read and key != UNREAD:
            notes.append("read hidden")
        if state.hide_unfetched:
            notes.append("○ hidden")
        if self.title_filter:
            notes.append(f"“{self.title_filter}”")
        feed.show(LibraryRows(library, self._view(key)), " · ".join(notes))

    def go_to_author(self, key: str) -> None:
        """Show an author's threads and move to the list of them."""
        authors = self.query_one(AuthorList)
        index = authors.index_of(key)
        if index is None:
            return  # an author with no threads left
        authors.highlighted = index
        self._show_feed(key)
        self.query_one(FeedList).focus()

    @on(AuthorList.OpenRequested)
    def _author_opened(self, event: AuthorList.OpenRequested) -> None:
        # Enter on an author: their threads, ready to read.
        self.search_query = ""
        self.go_to_author(event.key)

    @on(AuthorList.AuthorChosen)
    def _author_chosen(self, event: AuthorList.AuthorChosen) -> None:
        # Moving through the authors ends a search.
        self.search_query = ""
        self._show_feed(event.key)

    @on(FeedList.ThreadChosen)
    def _thread_chosen(self, event: FeedList.ThreadChosen) -> None:
        if event.post_index is not None:
            self.open_thread(event.thread_id, at_post=event.post_index, query=self.search_query)
        else:
            self.open_thread(event.thread_id)

    @on(ReadMore.Chosen)
    def _read_more_chosen(self, event: ReadMore.Chosen) -> None:
        if event.thread_id:
            self.open_thread(event.thread_id)
        elif event.url:
            self.unroll(event.url)

    # The thread -------------------------------------------------------------------------

    def open_thread(
        self,
        thread_id: str,
        *,
        at_post: int | None = None,
        query: str = "",
        remember: bool = True,
    ) -> None:
        """Show a thread from the library, at the post the reader left it (or ``at_post``),
        with what the search ``query`` matched highlighted. One opened from another thread
        (Read more, a link) is one step on from it: back returns there (``remember``)."""
        library = self.reader.library
        from_thread = self.focused in (self.thread_view, self.query_one(ReadMore))
        if remember and self.thread is not None and self.thread.id != thread_id:
            if from_thread:
                self._history.append((self.thread.id, self.thread_view.current))
                del self._history[:-MAX_HISTORY]
            else:
                self._history.clear()
        self._save_position()
        thread = library.thread(thread_id)
        if thread is None:
            listed = library.summary(thread_id)
            if listed is None:
                self.notify(
                    "That thread is no longer in the library.", severity="warning", markup=False
                )
            elif listed.url:
                self.unroll(listed.url)  # known only from a list: unroll it on the spot
            else:
                self.notify(
                    "This thread was listed on a saved page without its address, "
                    "so it cannot be fetched. Unroll it from its URL with u.",
                    severity="warning",
                    markup=False,
                    timeout=8,
                )
            return
        self.thread = thread
        was_new = library.summary(thread_id)
        if was_new is not None and was_new.is_new:
            library.mark_opened(thread_id)
            self._rows_changed(authors=True)
        self.remove_class("-no-thread")
        self.query_one(ThreadHeader).show(thread, offline=library.offline)
        position = library.position(thread_id) if at_post is None else at_post
        self.query_one(ThreadView).show(thread, position)
        # Highlights found for an earlier opening must not land on this one.
        self._highlighting = (thread_id, query) if query else None
        if query:
            self._find_matches(thread_id, query)
        self._fill_read_more()
        self.query_one(ThreadView).focus()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="highlight", exit_on_error=False)
    def _find_matches(self, thread_id: str, query: str) -> None:
        """Ask the search index where a search matched the thread, away from the screen: a
        word in every post of a long thread takes a tenth of a second."""
        try:
            spans = self.reader.library.match_spans(thread_id, query)
        except ReaderError:
            return  # the thread shows without highlights
        self.app.call_from_thread(self._show_matches, thread_id, query, spans)

    def _show_matches(
        self, thread_id: str, query: str, spans: dict[int, list[tuple[int, int]]]
    ) -> None:
        if self._highlighting == (thread_id, query):
            self.query_one(ThreadView).highlight(spans)

    def _fill_read_more(self) -> None:
        library = self.reader.library
        thread = self.thread
        if thread is None:
            return
        # A few of each, and how many there are: these lists are for picking what to read
        # next; the feed is for browsing.
        key = thread.author.key
        more_from = [
            t
            for t in library.list_threads(ThreadList(key), limit=MAX_PER_SECTION + 1)
            if t.id != thread.id
        ]
        unread = [
            t
            for t in library.list_threads(ThreadList(unread_only=True), limit=MAX_PER_SECTION + 1)
            if t.id != thread.id
        ]
        more_total = library.count_listed(ThreadList(key))[0] - 1
        unread_total = library.count_listed(ThreadList(unread_only=True))[0] - int(thread.unread)
        self.query_one(ReadMore).show(
            thread,
            more_from[:MAX_PER_SECTION],
            library.linked_threads(thread),
            unread[:MAX_PER_SECTION],
            more_total,
            unread_total,
        )

    def _save_position(self) -> None:
        if self.thread is not None:
            self.reader.library.set_position(self.thread.id, self.thread_view.current)
            # The row says how far you are ("17/40"): drawn again from the library.
            self._rows_changed(authors=False)

    def ages_passed(self) -> None:
        """Draw again what says how long ago (rows, the header): a minute has passed."""
        self.query_one(FeedList).forget()
        self.query_one(AuthorList).forget()
        if self.thread is not None:
            self.query_one(ThreadHeader).show(self.thread, offline=self.reader.library.offline)

    def _rows_changed(self, *, authors: bool) -> None:
        """Draw the rows again from the library: a thread's place, or its "new" mark,
        changed (the counts in the Authors pane too, with ``authors``)."""
        self.query_one(FeedList).reread()
        if authors:
            rows = self.reader.library.authors()
            self.query_one(AuthorList).show(
                rows, sum(row.threads for row in rows), sum(row.unread for row in rows)
            )

    def on_unmount(self) -> None:
        if self.thread is not None:
            self.reader.library.set_position(self.thread.id, self.thread_view.current)

    @on(ThreadView.ReachedEnd)
    def _reached_end(self, event: ThreadView.ReachedEnd) -> None:
        current = self.thread
        if current is None or event.thread.id != current.id or not current.unread:
            return
        self._set_unread(current, False)

    def _set_unread(self, thread: Thread, unread: bool) -> None:
        self.reader.library.set_unread(thread.id, unread)
        self.thread = replace(thread, unread=unread)
        self.reload_lists()
        self._fill_read_more()

    async def _network_action(self, title: str, work: Awaitable[T], progress: str = "") -> T | None:
        """One network action from a worker: the header shows it as busy (or ``progress``),
        and a failure is one notification titled ``title``, never a crash."""
        if progress:
            self.reader.set_progress(progress)
        else:
            self.reader.set_working(True)
        try:
            result = await work
        except ReaderError as error:
            self.reader.set_unreachable(isinstance(error, SourceUnavailable))
            self.notify(error.message, title=title, severity="error", markup=False, timeout=8)
            return None
        except Exception as error:  # noqa: BLE001 - the reader must not crash on a bad answer
            message = f"Unexpected {type(error).__name__}: {error}"
            self.notify(message, title=title, severity="error", markup=False, timeout=8)
            return None
        finally:
            if progress:
                self.reader.set_progress("")
            else:
                self.reader.set_working(False)
        self.reader.set_unreachable(False)
        return result

    # Actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_THREAD and self.thread is None:
            return False
        if action == "undo":
            return self._undo is not None
        return True

    def _network_workers(self) -> list[Worker[None]]:
        return [w for w in self.workers if w.group in NETWORK_GROUPS and w.is_running]

    def action_toggle_read(self) -> None:
        """Mark the open thread read, or unread again."""
        if self.thread is not None:
            unread = not self.thread.unread
            self._set_unread(self.thread, unread)
            self.notify("Marked unread." if unread else "Marked read.", markup=False)

    def _current_url(self) -> str:
        post = self.query_one(ThreadView).current_post()
        if post is not None:
            return post.url
        return self.thread.url if self.thread is not None else ""

    def action_open_in_browser(self) -> None:
        """Open the post under the cursor in the web browser."""
        self.open_url(self._current_url())

    def open_url(self, url: str) -> None:
        """Open ``url`` in the web browser, or say that none could be started."""
        if urlsplit(url).scheme not in ("http", "https"):
            self.notify("Only http and https links are opened.", severity="warning", markup=False)
            return
        self._start_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _start_browser(self, url: str) -> None:
        # Starting a browser can take a moment: not on the screen's thread.
        command = self.reader.config.browser
        if command:
            started = _run_browser(command, url)
        else:
            try:
                started = webbrowser.open(url)
            except webbrowser.Error:
                started = False
        if started:
            self.app.call_from_thread(self.notify, f"Opened {url}", markup=False)
        else:
            # Over ssh, or on a machine with no browser: the terminal's clipboard (OSC 52)
            # takes the address, to open wherever the reader is.
            self.app.call_from_thread(self.app.copy_to_clipboard, url)
            self.app.call_from_thread(
                self.notify,
                "No web browser could be started ([ui] browser sets one); the address is "
                f"copied:\n{url}",
                title="Not opened",
                severity="warning",
                timeout=12,
                markup=False,
            )

    def action_links(self) -> None:
        """A numbered list of the post's links and images: open or copy one."""
        post = self.query_one(ThreadView).current_post()
        if post is None:
            return
        links = post_links(post)
        if not links:
            self.notify("This post has no links.")
            return

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            what, url = choice
            if what == "copy":
                self.app.copy_to_clipboard(url)
                self.notify(f"Copied {url}")
            else:
                self.open_url(url)

        self.app.push_screen(LinksDialog(links), chosen)

    def action_copy_link(self) -> None:
        """Copy the link of the post under the cursor (through the terminal, OSC 52)."""
        url = self._current_url()
        if url:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}", markup=False)

    def action_refresh(self) -> None:
        """Fetch the open thread again from the network."""
        if self.thread is None:
            return
        if self.reader.library.offline:
            self.notify("Offline: refreshing needs the network.", severity="warning", markup=False)
            return
        self.unroll(self.thread.id, refresh=True)

    def action_unroll(self) -> None:
        """Ask for a post URL and unroll it."""

        def done(ref: str | None) -> None:
            if ref:
                self.unroll(ref)

        self.app.push_screen(unroll_dialog(), done)

    @work(exclusive=True, group="unroll", exit_on_error=False)
    async def unroll(self, ref: str, refresh: bool = False) -> None:
        """Unroll ``ref`` (from the library when it has it), then open it."""
        unrolling = self.reader.library.unroll(ref, refresh=refresh)
        thread = await self._network_action("Could not unroll", unrolling)
        if thread is None:
            return
        if refresh:
            self.notify(f"Refreshed: {thread.post_count} posts.", markup=False)
        self.reload_lists()
        self.open_thread(thread.id)

    # Following and syncing -------------------------------------------------------------

    def action_follow(self) -> None:
        """Ask for an author to follow."""

        def done(ref: str | None) -> None:
            if ref:
                self.follow(ref)

        self.app.push_screen(follow_dialog(), done)

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def follow(self, ref: str) -> None:
        """Follow the author ``ref`` names."""
        followed = await self._network_action("Could not follow", self.reader.library.follow(ref))
        if followed is None:
            return
        author, added = followed
        name = author.display_name or f"@{author.handle}"
        if added:
            self.notify(f"Following {name}; bringing in their threads.", markup=False)
        else:
            self.notify(f"Already following {name}.", markup=False)
        self.post_message(LibraryChanged())
        if added and not self._syncing():
            # Their threads come in at once, not at the next sync.
            self.sync(only=[author])

    @on(AuthorList.SyncRequested)
    def _sync_one(self, event: AuthorList.SyncRequested) -> None:
        author = self.reader.library.author(event.key)
        if author is not None and self._may_sync():
            self.sync(only=[author])

    @on(AuthorList.UnfollowRequested)
    def _unfollow(self, event: AuthorList.UnfollowRequested) -> None:
        library = self.reader.library
        author = library.author(event.key)
        if author is None:
            return
        name = author.display_name or f"@{author.handle}"

        def answered(choice: str | None) -> None:
            if choice != "yes" or library.unfollow_author(event.key) is None:
                return
            self.notify(f"Unfollowed {name}; their threads stay.")
            self.post_message(LibraryChanged())

        self.app.push_screen(
            ChoiceDialog(
                "Unfollow?",
                f"Stop following {name} (@{author.handle})? Their threads stay in the library.",
                [("y", "unfollow", "yes"), ("n", "keep following", "no")],
            ),
            answered,
        )

    def background_sync(self) -> None:
        """A sync started by the timer: skipped if one is running, quiet unless news."""
        if not self.reader.library.offline and not self._syncing():
            self.sync(quiet=True)

    def _syncing(self) -> bool:
        return any(w.group == "sync" and w.is_running for w in self.workers)

    def action_sync(self) -> None:
        """Sync every followed author now."""
        if not self._may_sync():
            return
        if not self.reader.library.follow_count():
            self.notify("You follow nobody yet: press f to follow an author.", markup=False)
            return
        self.sync()

    def _may_sync(self) -> bool:
        """Whether a sync can start now; says why not when it cannot."""
        if self._syncing():
            self.notify("A sync is already running.", markup=False)
            return False
        if self.reader.library.offline:
            self.notify("Offline: syncing needs the network.", severity="warning", markup=False)
            return False
        return True

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def sync(self, quiet: bool = False, only: list[Author] | None = None) -> None:
        """Bring in new threads from every followed author (or ``only`` these), with
        progress in the header."""
        library = self.reader.library
        total = library.follow_count() if only is None else len(only)
        done: list[AuthorSync] = []

        def progress(result: AuthorSync) -> None:
            done.append(result)
            self.reader.set_progress(f"syncing {len(done)}/{total} · @{result.author.handle}")
            self.post_message(LibraryChanged())

        syncing = library.sync(on_progress=progress, authors=only)
        results = await self._network_action("Sync failed", syncing, f"syncing 0/{total}")
        if results is None:
            return
        self.reload_lists()
        self._fill_read_more()
        new = sum(r.new_threads + r.grown_threads for r in results)
        with_news = sum(1 for r in results if r.new_threads + r.grown_threads)
        failed = [r for r in results if r.error]
        if new:
            threads = "1 new thread" if new == 1 else f"{new} new threads"
            authors = "1 author" if with_news == 1 else f"{with_news} authors"
            self.notify(f"{threads} from {authors}.", title="Sync", markup=False)
        elif not quiet and len(failed) < len(results):
            # Said only of authors whose sync went through: of a failed one, nothing is known.
            others = len(results) - len(failed)
            said = "Nothing new." if not failed else f"Nothing new from the other {others}."
            self.notify(said, title="Sync", markup=False)
        if failed:
            # Each failing author with their own reason: they fail for different causes.
            lines = [f"@{r.author.handle}: {r.error}" for r in failed[:MAX_FAILURES_SHOWN]]
            if len(failed) > MAX_FAILURES_SHOWN:
                lines.append(f"and {len(failed) - MAX_FAILURES_SHOWN} more (see the Authors pane)")
            self.notify(
                "\n".join(lines),
                title=f"Sync failed for {len(failed)} of {len(results)}",
                severity="warning",
                timeout=12,
            )

    # Search and export -----------------------------------------------------------------

    def action_search(self) -> None:
        """Ask for words and list the threads that hold them in the feed."""

        def done(query: str | None) -> None:
            if query:
                self.search(query)

        self.app.push_screen(search_dialog(), done)

    def search(self, query: str) -> None:
        """Search the library; results replace the feed until escape."""
        self.search_query = query
        self._run_search(query, focus=True)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, query: str, focus: bool) -> None:
        """Search away from the screen: a common word in a big library takes a moment."""
        try:
            # One row per matching post (a few from each thread), so every place is a row.
            hits = self.reader.library.search(
                query, limit=SEARCH_ROWS, per_thread=SEARCH_ROWS_PER_THREAD, snippets=False
            )
        except ReaderError as error:
            self.app.call_from_thread(self._search_failed, query, error.message)
            return
        self.app.call_from_thread(self._hits_ready, query, hits, focus)

    def _snippets(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        try:
            return self.reader.library.snippets(query, hits)
        except ReaderError:
            return hits  # the rows show without their words in context, not a crash

    def _search_failed(self, query: str, message: str) -> None:
        if query == self.search_query:
            self.search_query = ""
            self.refresh_bindings()
            self.notify(message, severity="error")

    def _hits_ready(self, query: str, hits: list[SearchHit], focus: bool) -> None:
        if query != self.search_query:
            return  # a newer search, or the search was ended meanwhile
        feed = self.query_one(FeedList)
        # The words in context are read as the rows are drawn, a screenful at a time.
        feed.show_hits(hits, f"Search: {one_line(query).plain}", partial(self._snippets, query))
        if focus:
            feed.focus()

    def action_back(self) -> None:
        """Escape: cancel the network work under way; else go back one step."""
        busy = self._network_workers()
        if busy:
            for worker in busy:
                worker.cancel()
            self.reader.set_progress("")
            self.notify("Cancelled.")
            self.refresh_bindings()
            return
        self.go_back()

    def go_back(self) -> bool:
        """One step back: end a find in the thread, a search, a title filter, or leave the
        thread for the list. ``False`` when at the top already (nothing to go back from)."""
        view = self.query_one(ThreadView)
        in_thread = self.focused in (view, self.query_one(ReadMore))
        if in_thread and view.finding and view.end_find():
            return True
        if in_thread and self._history:
            # A thread opened from another (Read more, a link): back to that one, where it
            # was left.
            thread_id, position = self._history.pop()
            self.open_thread(thread_id, at_post=position, remember=False)
            return True
        if in_thread:
            # Back to the list the thread was opened from (search results too, the cursor
            # where it was); the search ends only from the list.
            self.query_one(FeedList).focus()
            self.refresh_bindings()
            return True
        if self.search_query:
            self.end_search()
            return True
        if self.title_filter:
            self.title_filter = ""
            self._show_feed(self.query_one(AuthorList).chosen_key)
            return True
        return False

    def end_search(self) -> None:
        """Leave the search results and highlights."""
        self.search_query = ""
        self._show_feed(self.query_one(AuthorList).chosen_key)
        if self.thread is not None:
            view = self.query_one(ThreadView)
            view.show(self.thread, view.current)
        self.refresh_bindings()

    # Reading on -------------------------------------------------------------------------

    def _current_view(self) -> ThreadList:
        feed = self.query_one(FeedList)
        if isinstance(feed.rows, LibraryRows):
            return feed.rows.view
        return ThreadList(sort=self.reader.state.sort)

    def action_next_unread(self) -> None:
        """The next unread thread: in the list shown, then anywhere in the library."""
        self._go_unread(backwards=False)

    def action_previous_unread(self) -> None:
        """The previous unread thread."""
        self._go_unread(backwards=True)

    @on(ThreadView.GoOn)
    def _go_on(self) -> None:
        self._go_unread(backwards=False)

    def _go_unread(self, *, backwards: bool) -> None:
        library = self.reader.library
        feed = self.query_one(FeedList)
        current = self.thread.id if self.thread is not None else feed.chosen_id
        view = self._current_view()
        chosen = feed.thread_at(feed.highlighted) if feed.highlighted is not None else None
        if self.thread is None and chosen is not None and chosen.unread and chosen.fetched:
            # Nothing open yet: the unread thread under the cursor is the next one.
            self.open_thread(chosen.id)
            return
        found = library.unread_after(current, view, backwards=backwards)
        if found is None:
            # Nothing more in this list: anywhere in the library, from the top.
            everything = ThreadList(sort=view.sort)
            found = library.unread_after(current, everything, backwards=backwards)
            if found is None:
                found = library.unread_after(None, everything, backwards=backwards)
            if found is not None and found.id != current:
                self.query_one(AuthorList).place_cursor(0)
                self.search_query = ""
                self._show_feed(ALL)
        if found is None or found.id == current:
            self.notify("No earlier unread thread." if backwards else "No unread threads left.")
            return
        index = feed.index_of(found.id)
        if index is not None:
            feed.place_cursor(index)
        self.open_thread(found.id)

    def _mark_all(self, view: ThreadList | None, what: str) -> None:
        library = self.reader.library
        feed = self.query_one(FeedList)
        if view is None:  # search results: the threads found
            ids = [hit.thread.id for hit in feed.hits or [] if hit.thread.unread]
            library.mark_read_ids(ids)
        else:
            ids = library.mark_read(view)
        if not ids:
            self.notify(f"Nothing unread in {what}.")
            return
        self._undo = (ids, what)
        if self.thread is not None and self.thread.id in ids:
            self.thread = replace(self.thread, unread=False)
        self.reload_lists()
        self._fill_read_more()
        self.refresh_bindings()
        self.notify(f"Marked {counted(len(ids), 'thread')} read in {what}. Press z to undo.")

    def action_mark_list_read(self) -> None:
        """Mark every thread in the list shown read."""
        feed = self.query_one(FeedList)
        view = None if feed.hits is not None else self._current_view()
        self._mark_all(view, "this list")

    def action_catch_up(self) -> None:
        """Mark every thread in the library read."""
        self._mark_all(ThreadList(), "the library")

    def action_undo(self) -> None:
        """Undo the last mark-all-read."""
        if self._undo is None:
            return
        ids, what = self._undo
        self._undo = None
        self.reader.library.unread_again(ids)
        if self.thread is not None and self.thread.id in ids:
            self.thread = replace(self.thread, unread=True)
        self.reload_lists()
        self._fill_read_more()
        self.refresh_bindings()
        self.notify(f"Undone: {counted(len(ids), 'thread')} unread again in {what}.")

    # Sorting and filtering -----------------------------------------------------------------

    def _choose(self, note: str, **choices: object) -> None:
        self.reader.remember(**choices)
        self._show_feed(self.query_one(AuthorList).chosen_key)
        self.notify(note)

    def action_sort(self) -> None:
        """Sort the threads another way: newest, longest or unread first."""
        sorts = list(SORT_NAMES)
        following = sorts[(sorts.index(self.reader.state.sort) + 1) % len(sorts)]
        self._choose(f"Threads sorted {SORT_NAMES[following]}.", sort=following)

    def action_hide_read(self) -> None:
        """Hide read threads, or show them again."""
        hide = not self.reader.state.hide_read
        self._choose("Read threads hidden." if hide else "Read threads shown.", hide_read=hide)

    def action_toggle_read_more(self) -> None:
        """Hide the Read more pane, or show it again (remembered)."""
        shown = not self.reader.state.read_more
        self.reader.remember(read_more=shown)
        self._place_read_more()
        self.notify("Read more shown." if shown else "Read more hidden (M shows it).")

    def _place_read_more(self) -> None:
        # A class, not the widget's display: the pane is also hidden while no thread is open.
        self.set_class(not self.reader.state.read_more, "-no-read-more")
        if not self.reader.state.read_more and self.focused is self.query_one(ReadMore):
            self.thread_view.focus()

    def action_hide_unfetched(self) -> None:
        """Hide threads not fetched yet, or show them again."""
        hide = not self.reader.state.hide_unfetched
        note = "Threads not fetched yet (○) hidden." if hide else "Threads not fetched yet shown."
        self._choose(note, hide_unfetched=hide)

    def action_filter_titles(self) -> None:
        """Ask for words the listed threads' titles must hold."""

        def done(words: str | None) -> None:
            if words is None:
                return
            self.title_filter = " ".join(words.split())
            self._show_feed(self.query_one(AuthorList).chosen_key)
            self.query_one(FeedList).focus()

        self.app.push_screen(filter_dialog(self.title_filter), done)

    # Finding in the thread ----------------------------------------------------------------

    @on(ThreadView.FindRequested)
    def _find_requested(self) -> None:
        view = self.query_one(ThreadView)

        def done(words: str | None) -> None:
            if words and not view.find(words):
                self.notify(f"Not in this thread: {words}")

        self.app.push_screen(find_dialog(), done)

    @on(ThreadView.MatchStatus)
    def _match_status(self, event: ThreadView.MatchStatus) -> None:
        self.reader.set_match_status(event.text)

    def action_export(self) -> None:
        """Save the open thread as a file."""
        thread = self.thread
        if thread is None:
            return

        def done(choice: tuple[str, str] | None) -> None:
            if choice:
                self._export_to(thread, choice[0], Path(choice[1]).expanduser())

        folder = self.reader.state.export_folder or str(user_documents_path())
        self.app.push_screen(ExportDialog(folder), done)

    def _export_to(self, thread: Thread, fmt: str, folder: Path) -> None:
        """Export into ``folder``, asking first when a file of that name is there."""
        try:
            # The dialog asks for a folder: make it (the documents folder may not exist yet).
            folder.mkdir(parents=True, exist_ok=True)
            path = target_path(thread, fmt, folder)
        except (OSError, ReaderError) as error:
            message = error.message if isinstance(error, ReaderError) else error.strerror
            self.notify(
                f"cannot use the folder {folder}: {message}", title="Not saved", severity="error"
            )
            return
        # The dialog offers this folder again next time (remembered in state.toml).
        self.reader.remember(export_folder=str(folder))
        if not path.exists():
            self.export(thread, fmt, path)
            return
        other = unused_name(path)

        def answered(choice: str | None) -> None:
            if choice == "replace":
                self.export(thread, fmt, path)
            elif choice == "rename":
                self.export(thread, fmt, other)

        self.app.push_screen(
            ChoiceDialog(
                "The file is there already",
                f"{path} exists. Replace it, or save as {other.name}?",
                [("r", "replace", "replace"), ("n", f"save as {other.name}", "rename")],
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export(self, thread: Thread, fmt: str, path: Path) -> None:
        """Write the file away from the screen's thread (a PDF takes a moment)."""
        try:
            result = export_thread(thread, fmt, path)
        except ReaderError as error:
            self.app.call_from_thread(
                self.notify, error.message, title="Not saved", severity="error", markup=False
            )
            return
        for warning in result.warnings:
            self.app.call_from_thread(
                self.notify, warning, severity="warning", markup=False, timeout=10
            )
        self.app.call_from_thread(
            self.notify, f"Saved to {result.path}", title="Saved", markup=False
        )
