"""Small modal screens: the prompts, questions, and the help screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from tui_reader.sources.registry import author_forms, post_places
from tui_reader.ui.widgets.lists import VimOptionList

if TYPE_CHECKING:
    from tui_reader.ui.keys import KeyRow


class RefDialog(ModalScreen[str | None]):
    """Asks for a REF (or words); dismisses with it, or ``None`` when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, hint: str, placeholder: str, verb: str, initial: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.placeholder = placeholder
        self.verb = verb
        #: What the field holds when the dialog opens.
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.hint, classes="dim")
            yield Input(self.initial, placeholder=self.placeholder, id="ref")
            yield Label(f"enter {self.verb} · escape cancel", classes="dim")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str]):
    """A question with a few answers, each on a key; dismisses with the chosen answer's
    value, or "" when cancelled (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, message: str, answers: list[tuple[str, str, str]]) -> None:
        """``answers``: (key, label, value) each, the first being what enter chooses."""
        super().__init__()
        self.title_text = title
        self.message = message
        self.answers = answers

    def compose(self) -> ComposeResult:
        keys = " · ".join(f"{key} {label}" for key, label, _ in self.answers)
        with Vertical(id="dialog"):
            # The message names files and authors: never markup.
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Label(Content(self.message))
            yield Label(Content(f"{keys} · escape cancel"), classes="dim")

    def on_key(self, event: Key) -> None:
        for key, _label, value in self.answers:
            if event.key == key or (event.key == "enter" and value == self.answers[0][2]):
                event.stop()
                self.dismiss(value)
                return

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss("")


class LinksDialog(ModalScreen[tuple[str, str] | None]):
    """A post's links, numbered: a number or enter opens one, y copies it. Dismisses with
    ("open" or "copy", the address), or ``None``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("y", "copy", "Copy")]

    def __init__(self, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        # Labels and addresses come from the post: never markup.
        options = [
            Content.assemble((f"{n:>2}  ", "bold"), (what, "dim"), "\n    ", url)
            for n, (what, url) in enumerate(self.links, start=1)
        ]
        with Vertical(id="dialog"):
            yield Label("Links in this post", classes="dialog-title")
            yield VimOptionList(*options, id="links")
            yield Label("1–9 or enter opens · y copies · escape closes", classes="dim")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            number = int(event.character)
            if number <= len(self.links):
                event.stop()
                self.dismiss(("open", self.links[number - 1][1]))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(("open", self.links[event.option_index][1]))

    def action_copy(self) -> None:
        """Copy the highlighted address."""
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(("copy", self.links[index][1]))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class PagedScreen(ModalScreen[None]):
    """A screen of text to read and close (its ``#help`` scrolls), paged as the lists and the
    thread are."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
        Binding("space,pagedown,f", "page_down", "Page down", show=False),
        Binding("b,pageup", "page_up", "Page up", show=False),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "bottom", "Bottom", show=False),
    ]

    def _text(self) -> VerticalScroll:
        return self.query_one("#help", VerticalScroll)

    def action_close(self) -> None:
        """Close it."""
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        """A line down."""
        self._text().scroll_down()

    def action_scroll_up(self) -> None:
        """A line up."""
        self._text().scroll_up()

    def action_page_down(self) -> None:
        """A screenful down."""
        self._text().scroll_page_down()

    def action_page_up(self) -> None:
        """A screenful up."""
        self._text().scroll_page_up()

    def action_top(self) -> None:
        """The top."""
        self._text().scroll_home(animate=False)

    def action_bottom(self) -> None:
        """The end."""
        self._text().scroll_end(animate=False)


class HelpScreen(PagedScreen):
    """Every key the reader knows, as bound now, with what it does, and what the marks in
    the lists mean."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: list[KeyRow], legend: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self.keys = keys
        self.legend = legend

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        section = ""
        for row in self.keys:
            if row.section != section:
                table.add_row(Text(row.section, style="bold underline"), "")
                section = row.section
            table.add_row(Text(row.keys), Text(row.help))
        if self.legend:
            table.add_row(Text("In the lists", style="bold underline"), "")
        for mark, meaning in self.legend:
            table.add_row(Text(mark), Text(meaning))
        with VerticalScroll(id="help"):
            yield Label("Keys", classes="dialog-title")
            yield Static(table)
            yield Label(
                "escape closes this · ctrl+p lists every command · [keymap] in the config "
                "rebinds keys by id",
                classes="dim",
                markup=False,
            )


def unroll_dialog() -> RefDialog:
    """The dialog behind ``u``."""
    return RefDialog(
        "Unroll a thread",
        f"A post URL ({post_places()}), a tweet ID or a thread ID:",
        "https://bsky.app/profile/…/post/…",
        "unroll",
    )


def follow_dialog() -> RefDialog:
    """The dialog behind ``f``."""
    forms = author_forms()
    return RefDialog(
        "Follow an author",
        f"{forms[:1].upper()}{forms[1:]}, or a profile or post URL:",
        "alice.bsky.social",
        "follow",
    )


def find_dialog() -> RefDialog:
    """The dialog behind ``/`` in the thread."""
    return RefDialog(
        "Find in this thread",
        "Case and accents are ignored; n / N step through the posts that hold it:",
        "words",
        "find",
    )


def filter_dialog(current: str) -> RefDialog:
    """The dialog behind ``F``."""
    return RefDialog(
        "Filter the threads",
        "Words every listed thread's title must hold (empty shows every thread again):",
        "shed",
        "filter",
        initial=current,
    )


def search_dialog() -> RefDialog:
    """The dialog behind ``/``."""
    return RefDialog(
        "Search the library",
        'Words match without accents; "a phrase" in quotes; word* for a prefix:',
        "punched cards",
        "search",
    )
