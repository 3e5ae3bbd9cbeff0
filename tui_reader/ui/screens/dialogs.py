"""Small modal screens: the unroll prompt and the help screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


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
        "A post URL (bsky.app …), an at:// URI or a thread ID:",
        "https://bsky.app/profile/…/post/…",
        "unroll",
    )


def follow_dialog() -> RefDialog:
    """The dialog behind ``f``."""
    return RefDialog(
        "Follow an author",
        "A Bluesky handle, or a profile or post URL:",
        "alice.bsky.social",
        "follow",
    )
