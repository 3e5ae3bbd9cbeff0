"""The main screen: the library pane and the thread pane side by side, coordinated by
messages, and the network work (unroll, follow, sync) that fills the library."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header

from tui_reader.library import AuthorRow, AuthorSync, ThreadList
from tui_reader.models import Author, Thread
from tui_reader.render import refresh_words
from tui_reader.seen import first_unseen
from tui_reader.ui.actions import NetworkWork, report_sync
from tui_reader.ui.reader import Reader, reader_of
from tui_reader.ui.screens.dialogs import follow_dialog, search_dialog, unroll_dialog
from tui_reader.ui.widgets.authors import AuthorList
from tui_reader.ui.widgets.feed import FeedList
from tui_reader.ui.widgets.footer import FittingFooter
from tui_reader.ui.widgets.library_pane import LibraryPane
from tui_reader.ui.widgets.read_more import ReadMore
from tui_reader.ui.widgets.status import StatusLine
from tui_reader.ui.widgets.thread_pane import ThreadPane
from tui_reader.ui.widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from tui_reader.watching import WatchedSync

#: A sync changes the library once per author: the lists follow at most this often.
RELOAD_INTERVAL = 0.3
#: Threads escape can go back through.
MAX_HISTORY = 50


def show_only(screen: MainScreen, widget: Widget) -> None:
    """Linear mode: the pane with the focus is the one shown, and named."""
    panes: dict[Widget, tuple[str, str]] = {
        screen.query_one(AuthorList): ("authors", "Authors"),
        screen.query_one(FeedList): ("feed", "Threads"),
        screen.pane.view: ("thread", "Thread"),
        screen.query_one(ReadMore): ("read-more", "Read more"),
    }
    where = panes.get(widget)
    if where is None:
        return
    for name in ("authors", "feed", "thread", "read-more"):
        screen.set_class(name == where[0], f"-at-{name}")
    if isinstance(widget, (AuthorList, FeedList)):
        said = [str(widget.border_title), str(widget.border_subtitle).replace(" · ", ", ")]
        if isinstance(widget, FeedList):
            said.insert(0, where[1])
        say(screen, ", ".join(part for part in said if part))
    elif where[0] == "thread" and screen.thread is not None:
        say(screen, f"Thread: {screen.thread.title}")
    else:
        say(screen, where[1])


def say(screen: MainScreen, text: str) -> None:
    """Put ``text`` on the screen's status line."""
    screen.query_one(StatusLine).say(text)


def _if_given(then: Callable[[str], object], answer: str | None) -> None:
    """Do ``then`` with what a dialog asked for was given (nothing when it was cancelled)."""
    if answer:
        then(answer)


class LibraryChanged(Message):
    """The library changed (a thread came in, a follow, a sync step): lists should follow."""


class MainScreen(Screen[None]):
    """The library pane beside the thread pane; what happens between them (opening a thread,
    the next unread one, back), and the network work that fills the library."""

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
    ]

    def __init__(self, open_ref: str = "") -> None:
        super().__init__()
        self.open_ref = open_ref
        self.network = NetworkWork(self)
        self._going_to: Widget | None = None
        self._last_reload = 0.0
        self._reload_pending = False
        #: Threads left for another opened from them, newest last (escape goes back).
        self._history: list[tuple[str, int]] = []

    @property
    def reader(self) -> Reader:
        """The app, as its parts see it."""
        return reader_of(self)

    @property
    def lists(self) -> LibraryPane:
        """The library pane (authors and threads)."""
        return self.query_one(LibraryPane)

    @property
    def pane(self) -> ThreadPane:
        """The thread pane."""
        return self.query_one(ThreadPane)

    @property
    def thread(self) -> Thread | None:
        """The open thread, if any."""
        return self.pane.thread

    @property
    def search_query(self) -> str:
        """The search whose results the threads list shows ("" for none)."""
        return self.lists.search_query

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Horizontal(id="body"):
            yield LibraryPane(id="sidebar")
            yield ThreadPane(id="main")
        yield StatusLine(id="status")
        yield FittingFooter()

    def on_mount(self) -> None:
        linear = getattr(self.app, "linear", False)
        self.set_class(linear, "-linear")
        if linear:
            self.set_class(True, "-at-authors")
        rows = self.reload_lists()
        self.pane.show_header(empty=not rows)
        self.query_one(AuthorList).focus()
        if self.open_ref:
            self.unroll(self.open_ref)

    # Panes ------------------------------------------------------------------------------

    def _step_pane(self, step: int) -> None:
        authors, feed = self.query_one(AuthorList), self.query_one(FeedList)
        view, more = self.pane.view, self.query_one(ReadMore)
        panes: list[Widget]
        if self.has_class("-linear"):
            # One pane shows at a time: each is a step, the thread's once one is open.
            panes = [authors, feed]
            if self.thread is not None:
                panes += [view, more] if self.reader.state.read_more else [view]
        else:
            panes = [pane for pane in (authors, feed, view, more) if pane.display]
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
        self.set_class(event.widget in (self.pane.view, self.query_one(ReadMore)), "-reading")
        if self.has_class("-linear"):
            show_only(self, event.widget)

    def on_screen_resume(self) -> None:
        # Back from a dialog: the cursor goes back to what was being read (linear mode).
        show = getattr(self.focused, "show_terminal_cursor", None)
        if callable(show):
            self.call_after_refresh(show)

    # Lists ------------------------------------------------------------------------------

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        # Many changes in a row (a sync) redraw the lists a few times a second, not each time.
        wait = self._last_reload + RELOAD_INTERVAL - time.monotonic()
        if wait <= 0:
            self.reload_lists()
        elif not self._reload_pending:
            self._reload_pending = True

            def reload() -> None:
                self._reload_pending = False
                self.reload_lists()

            self.set_timer(wait, reload)

    def reload_lists(self) -> list[AuthorRow]:
        """Refresh the author counts and the feed from the library; returns the authors."""
        self._last_reload = time.monotonic()
        return self.lists.reload()

    @on(ThreadPane.ReadChanged)
    @on(LibraryPane.MarksChanged)
    def _marks_changed(self, event: ThreadPane.ReadChanged | LibraryPane.MarksChanged) -> None:
        if isinstance(event, LibraryPane.MarksChanged):
            self.pane.marks_changed(event.thread_ids, unread=event.unread)
        self.reload_lists()
        self.pane.fill_read_more()

    @on(ThreadPane.PositionSaved)
    def _position_saved(self) -> None:
        # The row says how far you are ("17/40"): drawn again from the library.
        self.query_one(FeedList).reread()

    def ages_passed(self) -> None:
        """Draw again what says how long ago (rows, the header): a minute has passed."""
        self.query_one(FeedList).forget()
        self.query_one(AuthorList).forget()
        if self.thread is not None:
            self.pane.show_header()

    # The thread -------------------------------------------------------------------------

    @on(FeedList.ThreadChosen)
    def _thread_chosen(self, event: FeedList.ThreadChosen) -> None:
        if event.post_index is not None:
            self.open_thread(event.thread_id, at_post=event.post_index, query=self.search_query)
        else:
            self.open_thread(event.thread_id)

    @on(ReadMore.Chosen)
    def _read_more_chosen(self, event: ReadMore.Chosen) -> None:
        if event.changes:
            self.call_later(self.app.run_action, "changes")
        elif event.thread_id:
            self.open_thread(event.thread_id, at_post=event.place)
        elif event.url:
            self.unroll(event.url)

    @on(ThreadPane.UnrollRequested)
    def _unroll_requested(self, event: ThreadPane.UnrollRequested) -> None:
        self.unroll(event.ref, refresh=event.refresh)

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
        current = self.thread
        if remember and current is not None and current.id != thread_id:
            if self.pane.reading:
                self._history.append((current.id, self.pane.view.current))
                del self._history[:-MAX_HISTORY]
            else:
                self._history.clear()
        self.pane.save_position()
        thread = library.thread(thread_id)
        if thread is None:
            listed = library.summary(thread_id)
            if listed is None:
                self.notify("That thread is no longer in the library.", severity="warning")
            elif listed.url:
                self.unroll(listed.url)  # known only from a list: unroll it on the spot
            else:
                self.notify(
                    "This thread was listed on a saved page without its address, "
                    "so it cannot be fetched. Unroll it from its URL with u.",
                    severity="warning",
                    timeout=8,
                )
            return
        listed = library.summary(thread_id)
        if listed is not None and listed.is_new:
            library.mark_opened(thread_id)
        # A thread that grew opens at the first post added since it was read.
        unseen = first_unseen(thread)
        if at_post is not None:
            position = at_post
        elif unseen is not None:
            position = unseen
        else:
            position = library.position(thread_id)
        self.pane.show(thread, position, query=query)
        # Shown: what it holds now counts as seen (the view keeps its marks meanwhile).
        library.mark_seen(thread_id)
        if listed is not None and (
            listed.is_new or listed.new_since_read or listed.edited_since_read
        ):
            self.query_one(FeedList).reread()
            self.lists.show_authors()
        self.refresh_bindings()

    # Reading on -------------------------------------------------------------------------

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
        view = self.lists.current_view()
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
                self.lists.show_everything()
        if found is None or found.id == current:
            self.notify("No earlier unread thread." if backwards else "No unread threads left.")
            return
        index = feed.index_of(found.id)
        if index is not None:
            feed.place_cursor(index)
        self.open_thread(found.id)

    # Back -------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Escape: cancel the network work under way; else go back one step."""
        if self.network.cancel():
            self.notify("Cancelled.")
            self.refresh_bindings()
            return
        self.go_back()

    def go_back(self) -> bool:
        """One step back: end a find in the thread, a search, a title filter, or leave the
        thread for the list. ``False`` when at the top already (nothing to go back from)."""
        view = self.pane.view
        in_thread = self.pane.reading
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
        return self.lists.end_filter()

    # Search -----------------------------------------------------------------------------

    def action_search(self) -> None:
        """Ask for words and list the threads that hold them in the feed."""
        self.app.push_screen(search_dialog(), partial(_if_given, self.search))

    def search(self, query: str) -> None:
        """Search the library; results replace the feed until escape."""
        self.lists.search(query)
        self.refresh_bindings()

    def end_search(self) -> None:
        """Leave the search results and highlights."""
        self.lists.end_search()
        self.pane.redraw()
        self.refresh_bindings()

    # The network ------------------------------------------------------------------------

    def action_unroll(self) -> None:
        """Ask for a post URL and unroll it."""
        self.app.push_screen(unroll_dialog(), partial(_if_given, self.unroll))

    @work(exclusive=True, group="unroll", exit_on_error=False)
    async def unroll(self, ref: str, refresh: bool = False) -> None:
        """Unroll ``ref`` (from the library when it has it), then open it."""
        unrolling = self.reader.library.unroll_saving(ref, refresh=refresh)
        done = await self.network.run("Could not unroll", unrolling)
        if done is None:
            return
        thread, saved = done
        if refresh:
            found = (
                refresh_words(saved.added, saved.edited, saved.deleted)
                if saved is not None and not saved.new
                else "fetched"
            )
            self.notify(f"Refreshed: {thread.post_count} posts; {found}.")
        self.reload_lists()
        self.open_thread(thread.id)
        self.network.keep_images([thread.id], self.pane.images_kept)

    def action_follow(self) -> None:
        """Ask for an author to follow."""
        self.app.push_screen(follow_dialog(), partial(_if_given, self.follow))

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def follow(self, ref: str) -> None:
        """Follow the author ``ref`` names; their threads come in at once."""
        followed = await self.network.run("Could not follow", self.reader.library.follow(ref))
        if followed is None:
            return
        author, added = followed
        name = author.display_name or f"@{author.handle}"
        if added:
            self.notify(f"Following {name}; bringing in their threads.")
        else:
            self.notify(f"Already following {name}.")
        self.post_message(LibraryChanged())
        if added and not self.network.running("sync"):
            self.sync(only=[author])

    @on(AuthorList.SyncRequested)
    def _sync_one(self, event: AuthorList.SyncRequested) -> None:
        author = self.reader.library.author(event.key)
        if author is not None and self._may_sync():
            self.sync(only=[author])

    def background_sync(self) -> None:
        """A sync started by the timer: skipped if one is running, quiet unless news."""
        if not self.reader.library.offline and not self.network.running("sync"):
            self.sync(quiet=True)

    def action_sync(self) -> None:
        """Sync every followed author now, then the watched threads."""
        if not self._may_sync():
            return
        library = self.reader.library
        if not library.follow_count() and not library.watching():
            self.notify("You follow nobody yet: press f to follow an author.")
            return
        self.sync()

    def _may_sync(self) -> bool:
        """Whether a sync can start now; says why not when it cannot."""
        if self.network.running("sync"):
            self.notify("A sync is already running.")
            return False
        if self.reader.library.offline:
            self.notify("Offline: syncing needs the network.", severity="warning")
            return False
        return True

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def sync(self, quiet: bool = False, only: list[Author] | None = None) -> None:
        """Bring in new threads from every followed author (or ``only`` these), then fetch
        the watched threads again (not for ``only``), with progress in the header."""
        library = self.reader.library
        before = library.last_change()
        total = library.follow_count() if only is None else len(only)
        done: list[AuthorSync] = []

        def progress(result: AuthorSync) -> None:
            done.append(result)
            self.reader.set_progress(f"syncing {len(done)}/{total} · @{result.author.handle}")
            self.post_message(LibraryChanged())

        results: list[AuthorSync] = []
        if total:
            syncing = library.sync(on_progress=progress, authors=only)
            synced = await self.network.run("Sync failed", syncing, f"syncing 0/{total}")
            if synced is None:
                return
            results = synced
        refreshed: list[WatchedSync] = []
        if only is None and library.watching():
            skip = {thread_id for result in results for thread_id in result.changed}
            watching = library.sync_watched(skip)
            refreshed = await self.network.run("Sync failed", watching, "watched threads") or []
        self.reload_lists()
        self.pane.fill_read_more()
        counts = library.change_counts(before)
        report_sync(self, results, quiet=quiet, watched=refreshed, counts=counts)
        changed = [thread_id for result in results for thread_id in result.changed]
        changed += [w.thread.id for w in refreshed if w.changed]
        self.network.keep_images(changed, self.pane.images_kept)
