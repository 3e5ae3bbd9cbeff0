"""Small modal screens: the prompts, questions, and the help screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from tui_reader.formats import FILE_FORMATS, format_named


class RefDialog(ModalScreen[str]):
    """Asks for a REF; dismisses with it, or "" when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, placeholder: str, verb: str) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.placeholder = placeholder
        self.verb = verb

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.hint, classes="dim")
            yield Input(placeholder=self.placeholder, id="ref")
            yield Label(f"enter {self.verb} · escape cancel", classes="dim")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without unrolling."""
        self.dismiss("")


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


class HelpScreen(ModalScreen[None]):
    """Every key the reader knows, with what it does."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close"),
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        section = ""
        for where, key, description in self.keys:
            if where != section:
                table.add_row(Text(where, style="bold underline"), "")
                section = where
            table.add_row(key, description)
        with VerticalScroll(id="help"):
            yield Label("Keys", classes="dialog-title")
            yield Static(table)
            yield Label("escape closes this · ctrl+p lists every command", classes="dim")

    def action_close(self) -> None:
        """Close the help screen."""
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        """Scroll the list of keys."""
        self.query_one("#help", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        """Scroll the list of keys."""
        self.query_one("#help", VerticalScroll).scroll_up()


def unroll_dialog() -> RefDialog:
    """The dialog behind ``u``."""
    return RefDialog(
        "Unroll a thread",
        "A post URL (Bluesky, Mastodon, x.com, threadreaderapp.com), a tweet ID or a thread ID:",
        "https://bsky.app/profile/…/post/…",
        "unroll",
    )


def follow_dialog() -> RefDialog:
    """The dialog behind ``f``."""
    return RefDialog(
        "Follow an author",
        "A Bluesky handle, a Mastodon address (@user@instance), or a profile or post URL:",
        "alice.bsky.social",
        "follow",
    )


def search_dialog() -> RefDialog:
    """The dialog behind ``/``."""
    return RefDialog(
        "Search the library",
        'Words match without accents; "a phrase" in quotes; word* for a prefix:',
        "punched cards",
        "search",
    )


class ExportDialog(ModalScreen[tuple[str, str] | None]):
    """Asks for a format and a folder; dismisses with them, or ``None`` when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    FORMATS = [(format_named(name).label, name) for name in FILE_FORMATS]

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Save this thread", classes="dialog-title")
            yield Label("Format:", classes="dim")
            yield Select(self.FORMATS, value="markdown", allow_blank=False, id="format")
            yield Label("Folder (the file is named after the thread):", classes="dim")
            yield Input(self.folder, id="folder")
            yield Label("enter save · escape cancel", classes="dim")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        fmt = self.query_one(Select).value
        self.dismiss((str(fmt), event.value.strip()))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
