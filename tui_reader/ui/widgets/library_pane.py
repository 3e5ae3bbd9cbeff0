"""The library pane: the authors and the threads list, as sorted, filtered and searched, with
the list actions (sort, hide, filter, mark all read, undo) and their keys."""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message

from tui_reader.errors import ReaderError
from tui_reader.library import AuthorRow, SearchHit, ThreadList
from tui_reader.render import counted
from tui_reader.ui.reader import reader_of
from tui_reader.ui.screens.dialogs import ChoiceDialog, filter_dialog
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.authors import ALL, UNREAD, AuthorList
from tui_reader.ui.widgets.feed import FeedList, LibraryRows

#: How the sorts are named in the threads list's title.
SORT_NAMES = {"newest": "newest first", "longest": "longest first", "unread": "unread first"}
#: Rows of search results in the reader, and at most this many from one thread.
SEARCH_ROWS = 100
SEARCH_ROWS_PER_THREAD = 5


class LibraryPane(Vertical):
    """The authors above, their threads (or a search's) below."""

    BINDINGS = [
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
    ]

    class MarksChanged(Message):
        """Threads were marked read (or unread again, ``unread``) together."""

        def __init__(self, thread_ids: list[str], *, unread: bool) -> None:
            super().__init__()
            self.thread_ids = thread_ids
            self.unread = unread

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The search whose results the threads list shows ("" for none).
        self.search_query = ""
        #: Words the threads' titles must hold (F); "" for none.
        self.title_filter = ""
        #: The threads the last mark-all-read changed, and what it was called, for z.
        self._undo: tuple[list[str], str] | None = None

    def compose(self) -> ComposeResult:
        yield AuthorList(id="authors")
        yield FeedList(id="feed")

    @property
    def authors(self) -> AuthorList:
        """The authors list."""
        return self.query_one(AuthorList)

    @property
    def feed(self) -> FeedList:
        """The threads list."""
        return self.query_one(FeedList)

    def reload(self) -> list[AuthorRow]:
        """Refresh the author counts and the threads from the library; returns the authors."""
        rows = self.show_authors()
        if self.search_query:
            self._run_search(self.search_query, focus=False)
        else:
            self.show_feed(self.authors.chosen_key)
        return rows

    def show_authors(self) -> list[AuthorRow]:
        """Draw the authors and their counts again from the library."""
        rows = reader_of(self).library.authors()
        self.authors.show(rows, sum(row.threads for row in rows), sum(row.unread for row in rows))
        return rows

    def view(self, key: str) -> ThreadList:
        """The list of threads the authors pane's entry ``key`` shows, as sorted and
        filtered in the reader."""
        state = reader_of(self).state
        return ThreadList(
            author_key=None if key in (ALL, UNREAD) else key,
            unread_only=key == UNREAD or state.hide_read,
            fetched_only=state.hide_unfetched,
            words=self.title_filter,
            sort=state.sort,
        )

    def current_view(self) -> ThreadList:
        """What the threads list shows (everything, as sorted, during a search)."""
        rows = self.feed.rows
        if isinstance(rows, LibraryRows):
            return rows.view
        return ThreadList(sort=reader_of(self).state.sort)

    def show_feed(self, key: str) -> None:
        """Show the threads of the authors pane's entry ``key``."""
        library = reader_of(self).library
        if key == ALL:
            title = "All threads"
        elif key == UNREAD:
            title = "Unread"
        else:
            author = library.author(key)
            title = f"@{author.handle}" if author is not None else "Threads"
        state = reader_of(self).state
        notes = [title]
        if state.sort != "newest":
            notes.append(SORT_NAMES[state.sort])
        if state.hide_read and key != UNREAD:
            notes.append("read hidden")
        if state.hide_unfetched:
            notes.append("○ hidden")
        if self.title_filter:
            notes.append(f"“{self.title_filter}”")
        self.feed.show(LibraryRows(library, self.view(key)), " · ".join(notes))

    def show_everything(self) -> None:
        """Show every thread (a search ends): the next unread one was found elsewhere."""
        self.authors.place_cursor(0)
        self.search_query = ""
        self.show_feed(ALL)

    def go_to_author(self, key: str) -> None:
        """Show an author's threads and move to the list of them."""
        index = self.authors.index_of(key)
        if index is None:
            return  # an author with no threads left
        self.authors.highlighted = index
        self.show_feed(key)
        self.feed.focus()

    @on(AuthorList.OpenRequested)
    def _author_opened(self, event: AuthorList.OpenRequested) -> None:
        # Enter on an author: their threads, ready to read.
        self.search_query = ""
        self.go_to_author(event.key)

    @on(AuthorList.AuthorChosen)
    def _author_chosen(self, event: AuthorList.AuthorChosen) -> None:
        # Moving through the authors ends a search.
        self.search_query = ""
        self.show_feed(event.key)

    @on(AuthorList.UnfollowRequested)
    def _unfollow(self, event: AuthorList.UnfollowRequested) -> None:
        library = reader_of(self).library
        author = library.author(event.key)
        if author is None:
            return
        name = author.display_name or f"@{author.handle}"

        def answered(choice: str | None) -> None:
            if choice != "yes" or library.unfollow_author(event.key) is None:
                return
            self.notify(f"Unfollowed {name}; their threads stay.")
            self.reload()

        self.app.push_screen(
            ChoiceDialog(
                "Unfollow?",
                f"Stop following {name} (@{author.handle})? Their threads stay in the library.",
                [("y", "unfollow", "yes"), ("n", "keep following", "no")],
            ),
            answered,
        )

    # Search ----------------------------------------------------------------------------

    def search(self, query: str) -> None:
        """Search the library; the results replace the threads until escape."""
        self.search_query = query
        self._run_search(query, focus=True)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, query: str, focus: bool) -> None:
        """Search away from the screen: a common word in a big library takes a moment."""
        try:
            # One row per matching post (a few from each thread), so every place is a row.
            hits = reader_of(self).library.search(
                query, limit=SEARCH_ROWS, per_thread=SEARCH_ROWS_PER_THREAD, snippets=False
            )
        except ReaderError as error:
            self.app.call_from_thread(self._search_failed, query, error.message)
            return
        self.app.call_from_thread(self._hits_ready, query, hits, focus)

    def _snippets(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        try:
            return reader_of(self).library.snippets(query, hits)
        except ReaderError:
            return hits  # the rows show without their words in context, not a crash

    def _search_failed(self, query: str, message: str) -> None:
        if query == self.search_query:
            self.search_query = ""
            self.screen.refresh_bindings()
            self.notify(message, severity="error")

    def _hits_ready(self, query: str, hits: list[SearchHit], focus: bool) -> None:
        if query != self.search_query:
            return  # a newer search, or the search was ended meanwhile
        # The words in context are read as the rows are drawn, a screenful at a time.
        self.feed.show_hits(
            hits, f"Search: {one_line(query).plain}", partial(self._snippets, query)
        )
        if focus:
            self.feed.focus()

    def end_search(self) -> None:
        """Leave the search results."""
        self.search_query = ""
        self.show_feed(self.authors.chosen_key)

    def end_filter(self) -> bool:
        """Show every title again; whether a filter was on."""
        if not self.title_filter:
            return False
        self.title_filter = ""
        self.show_feed(self.authors.chosen_key)
        return True

    # Marking many ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self._undo is not None
        return True

    def _mark_all(self, view: ThreadList | None, what: str) -> None:
        library = reader_of(self).library
        if view is None:  # search results: the threads found
            ids = [hit.thread.id for hit in self.feed.hits or [] if hit.thread.unread]
            library.mark_read_ids(ids)
        else:
            ids = library.mark_read(view)
        if not ids:
            self.notify(f"Nothing unread in {what}.")
            return
        self._undo = (ids, what)
        self.post_message(self.MarksChanged(ids, unread=False))
        self.screen.refresh_bindings()
        self.notify(f"Marked {counted(len(ids), 'thread')} read in {what}. Press z to undo.")

    def action_mark_list_read(self) -> None:
        """Mark every thread in the list shown read."""
        view = None if self.feed.hits is not None else self.current_view()
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
        reader_of(self).library.unread_again(ids)
        self.post_message(self.MarksChanged(ids, unread=True))
        self.screen.refresh_bindings()
        self.notify(f"Undone: {counted(len(ids), 'thread')} unread again in {what}.")

    # Sorting and filtering -------------------------------------------------------------

    def _choose(self, note: str, **choices: object) -> None:
        reader_of(self).remember(**choices)
        self.show_feed(self.authors.chosen_key)
        self.notify(note)

    def action_sort(self) -> None:
        """Sort the threads another way: newest, longest or unread first."""
        sorts = list(SORT_NAMES)
        following = sorts[(sorts.index(reader_of(self).state.sort) + 1) % len(sorts)]
        self._choose(f"Threads sorted {SORT_NAMES[following]}.", sort=following)

    def action_hide_read(self) -> None:
        """Hide read threads, or show them again."""
        hide = not reader_of(self).state.hide_read
        self._choose("Read threads hidden." if hide else "Read threads shown.", hide_read=hide)

    def action_hide_unfetched(self) -> None:
        """Hide threads not fetched yet, or show them again."""
        hide = not reader_of(self).state.hide_unfetched
        note = "Threads not fetched yet (○) hidden." if hide else "Threads not fetched yet shown."
        self._choose(note, hide_unfetched=hide)

    def action_filter_titles(self) -> None:
        """Ask for words the listed threads' titles must hold."""

        def done(words: str | None) -> None:
            if words is None:
                return
            self.title_filter = " ".join(words.split())
            self.show_feed(self.authors.chosen_key)
            self.feed.focus()

        self.app.push_screen(filter_dialog(self.title_filter), done)
