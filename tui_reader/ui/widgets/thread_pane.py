"""The thread pane: the open thread's header, its posts and "Read more", with every action
on the open thread (read mark, browser, links, copy, refresh, export) and its keys."""

from __future__ import annotations

import shlex
import subprocess
import webbrowser
from dataclasses import replace
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer

from tui_reader.errors import ReaderError
from tui_reader.library import ThreadList
from tui_reader.models import Thread
from tui_reader.render import post_links
from tui_reader.seen import change_note, edit_of
from tui_reader.ui.reader import reader_of
from tui_reader.ui.screens.changes import EditScreen
from tui_reader.ui.screens.dialogs import LinksDialog, find_dialog
from tui_reader.ui.screens.export import Exporter
from tui_reader.ui.widgets.read_more import MAX_PER_SECTION, ReadMore
from tui_reader.ui.widgets.thread_view import ThreadHeader, ThreadView

#: Seconds after the reader stops moving through a thread before their place is saved.
POSITION_SAVE_DELAY = 1.0


def run_browser(command: str, url: str) -> bool:
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


class ThreadPane(Vertical):
    """The open thread (none at first): what the keys of the Thread section act on."""

    BINDINGS = [
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
        Binding(
            "w",
            "toggle_watch",
            "Watch",
            id="toggle-watch",
            tooltip="watch the thread (each sync fetches it again) / stop watching",
        ),
        Binding(
            "d",
            "show_edit",
            "What changed",
            show=False,
            id="show-edit",
            tooltip="an edited post: what changed, word by word, since the version you read",
        ),
        Binding(
            "M",
            "toggle_read_more",
            "Read more",
            show=False,
            id="toggle-read-more",
            tooltip="hide / show the Read more pane under the thread",
        ),
    ]

    class ReadChanged(Message):
        """The open thread was marked read or unread: the lists follow."""

    class PositionSaved(Message):
        """Where the reader is in the thread was saved: its row says so ("17/40")."""

    class UnrollRequested(Message):
        """Unroll ``ref`` (a thread's ID, to refresh it; a link to follow)."""

        def __init__(self, ref: str, *, refresh: bool = False) -> None:
            super().__init__()
            self.ref = ref
            self.refresh = refresh

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-no-thread")
        #: The thread shown (``None`` until one is opened).
        self.thread: Thread | None = None
        # Kept so the reading position can still be saved while the pane is torn down.
        self.view = ThreadView(id="thread")
        self._position_timer: Timer | None = None
        #: The thread and search whose highlights are being looked up.
        self._highlighting: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield ThreadHeader(id="thread-header")
        yield self.view
        yield ReadMore(id="read-more")
        yield Exporter()

    def on_mount(self) -> None:
        config = reader_of(self).config
        self.view.measure = config.measure
        self.view.align = config.align
        # NO_COLOR: a picture without its colours is a grey block; its words say more.
        self.view.show_pictures = config.images != "off" and not self.app.no_color
        self.place_read_more()
        # Where the reader is in a thread is saved a moment after they stop moving, so the
        # list beside it says so ("17/40") while they read.
        self.watch(self.view, "current", self._position_moved, init=False)

    @property
    def reading(self) -> bool:
        """Whether the focus is in the pane (the thread or Read more)."""
        return self.screen.focused in (self.view, self.query_one(ReadMore))

    def show(self, thread: Thread, position: int, *, query: str = "") -> None:
        """Show ``thread`` at post ``position``, with what the search ``query`` matched
        highlighted, and focus it."""
        self.thread = thread
        self.remove_class("-no-thread")
        self.show_header()
        self.view.show(thread, position)
        # Highlights found for an earlier opening must not land on this one.
        self._highlighting = (thread.id, query) if query else None
        if query:
            self._find_matches(thread.id, query)
        self.fill_read_more()
        self.view.focus()
        self.refresh_bindings()

    def show_header(self, *, empty: bool = False) -> None:
        """Draw the header again (a minute passed; the network came or went)."""
        library = reader_of(self).library
        watched = self.thread is not None and library.is_watched(self.thread.id)
        self.query_one(ThreadHeader).show(
            self.thread, offline=library.offline, empty=empty, watched=watched
        )

    def images_kept(self, thread_ids: set[str]) -> None:
        """Images of these threads were just kept: the open one is drawn again with them."""
        if self.thread is not None and self.thread.id in thread_ids:
            fresh = reader_of(self).library.thread(self.thread.id)
            if fresh is not None:
                self.thread = fresh
                self.view.show(fresh, self.view.current)

    def redraw(self) -> None:
        """Draw the thread again where it is (a search's highlights ended)."""
        if self.thread is not None:
            self.view.show(self.thread, self.view.current)

    def _position_moved(self, _index: int) -> None:
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(POSITION_SAVE_DELAY, self.save_position)

    def save_position(self) -> None:
        """Remember where the reader is in the open thread."""
        if self.thread is not None:
            reader_of(self).library.set_position(self.thread.id, self.view.current)
            self.post_message(self.PositionSaved())

    def on_unmount(self) -> None:
        if self.thread is not None:
            reader_of(self).library.set_position(self.thread.id, self.view.current)

    @work(thread=True, exclusive=True, group="highlight", exit_on_error=False)
    def _find_matches(self, thread_id: str, query: str) -> None:
        """Ask the search index where a search matched the thread, away from the screen: a
        word in every post of a long thread takes a tenth of a second."""
        try:
            spans = reader_of(self).library.match_spans(thread_id, query)
        except ReaderError:
            return  # the thread shows without highlights
        self.app.call_from_thread(self._show_matches, thread_id, query, spans)

    def _show_matches(
        self, thread_id: str, query: str, spans: dict[int, list[tuple[int, int]]]
    ) -> None:
        if self._highlighting == (thread_id, query):
            self.view.highlight(spans)

    def fill_read_more(self) -> None:
        """Fill Read more for the open thread: the author's other threads, those it links
        to, the unread ones."""
        library = reader_of(self).library
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
        changes, changed = library.newest_changes(MAX_PER_SECTION)
        self.query_one(ReadMore).show(
            thread,
            more_from[:MAX_PER_SECTION],
            library.linked_threads(thread),
            unread[:MAX_PER_SECTION],
            more_total,
            unread_total,
            changes=changes,
            changes_total=changed,
        )

    # The read mark -------------------------------------------------------------------

    @on(ThreadView.ReachedEnd)
    def _reached_end(self, event: ThreadView.ReachedEnd) -> None:
        current = self.thread
        if current is None or event.thread.id != current.id or not current.unread:
            return
        self.set_unread(False)

    def set_unread(self, unread: bool) -> None:
        """Mark the open thread unread, or read."""
        if self.thread is None:
            return
        reader_of(self).library.set_unread(self.thread.id, unread)
        self.thread = replace(self.thread, unread=unread)
        self.post_message(self.ReadChanged())

    def marks_changed(self, thread_ids: list[str], *, unread: bool) -> None:
        """Threads were marked together (mark all, undo): the open one among them too."""
        if self.thread is not None and self.thread.id in thread_ids:
            self.thread = replace(self.thread, unread=unread)

    def action_toggle_read(self) -> None:
        """Mark the open thread read, or unread again."""
        if self.thread is not None:
            unread = not self.thread.unread
            self.set_unread(unread)
            self.notify("Marked unread." if unread else "Marked read.")

    # Threads that live ----------------------------------------------------------------

    def action_toggle_watch(self) -> None:
        """Watch the open thread (each sync fetches it again), or stop watching it."""
        if self.thread is None:
            return
        library = reader_of(self).library
        try:
            watched = library.set_watched(self.thread.id, not library.is_watched(self.thread.id))
        except ReaderError as error:
            self.notify(error.message, title="Not changed", severity="error")
            return
        days = reader_of(self).config.sync.watch_days
        self.notify(
            f"Watching: each sync fetches this thread again, until {days} days pass with no change."
            if watched
            else "No longer watching this thread; it stays in the library."
        )
        self.show_header()

    def action_show_edit(self) -> None:
        """What changed in the post at hand, word by word, since the version you read."""
        post = self.view.current_post()
        if self.thread is None or post is None:
            return
        edit = edit_of(post, self.thread.last_read_at)
        if edit is None:
            self.notify(
                "This post was not edited."
                if not post.edited_at
                else "This post says it was edited, but no earlier text of it is kept."
            )
            return
        number = min(self.view.current, len(self.thread.posts) - 1) + 1
        self.app.push_screen(
            EditScreen(edit, f"Post {number}: {change_note(post, self.thread.last_read_at)}")
        )

    # Links ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The thread's keys are off (and out of the footer and palette) until one is open.
        if action != "toggle_read_more" and self.thread is None:
            return False
        return True

    def _current_url(self) -> str:
        post = self.view.current_post()
        if post is not None:
            return post.url
        return self.thread.url if self.thread is not None else ""

    def action_open_in_browser(self) -> None:
        """Open the post under the cursor in the web browser."""
        self.open_url(self._current_url())

    def open_url(self, url: str) -> None:
        """Open ``url`` in the web browser, or say that none could be started."""
        if urlsplit(url).scheme not in ("http", "https"):
            self.notify("Only http and https links are opened.", severity="warning")
            return
        self._start_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _start_browser(self, url: str) -> None:
        # Starting a browser can take a moment: not on the screen's thread.
        command = reader_of(self).config.browser
        if command:
            started = run_browser(command, url)
        else:
            try:
                started = webbrowser.open(url)
            except webbrowser.Error:
                started = False
        if started:
            self.app.call_from_thread(self.notify, f"Opened {url}")
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
            )

    def action_links(self) -> None:
        """A numbered list of the post's links and images: open or copy one."""
        post = self.view.current_post()
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
            self.notify(f"Copied {url}")

    # The network and files -----------------------------------------------------------

    def action_refresh(self) -> None:
        """Fetch the open thread again from the network."""
        if self.thread is None:
            return
        if reader_of(self).library.offline:
            self.notify("Offline: refreshing needs the network.", severity="warning")
            return
        self.post_message(self.UnrollRequested(self.thread.id, refresh=True))

    def action_export(self) -> None:
        """Save the open thread as a file."""
        if self.thread is not None:
            self.query_one(Exporter).ask(self.thread)

    # Read more and finding -----------------------------------------------------------

    def action_toggle_read_more(self) -> None:
        """Hide the Read more pane, or show it again (remembered)."""
        reader = reader_of(self)
        shown = not reader.state.read_more
        reader.remember(read_more=shown)
        self.place_read_more()
        self.notify("Read more shown." if shown else "Read more hidden (M shows it).")

    def place_read_more(self) -> None:
        """Show or hide Read more as the remembered choice says."""
        # A class, not the widget's display: the pane is also hidden while no thread is open.
        hidden = not reader_of(self).state.read_more
        self.set_class(hidden, "-no-read-more")
        if hidden and self.screen.focused is self.query_one(ReadMore):
            self.view.focus()

    @on(ThreadView.FindRequested)
    def _find_requested(self) -> None:
        def done(words: str | None) -> None:
            if words and not self.view.find(words):
                self.notify(f"Not in this thread: {words}")

        self.app.push_screen(find_dialog(), done)

    @on(ThreadView.MatchStatus)
    def _match_status(self, event: ThreadView.MatchStatus) -> None:
        reader_of(self).set_match_status(event.text)
