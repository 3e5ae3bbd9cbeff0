"""Saving the open thread as a file: the dialog that asks for a format and a folder, and
the flow behind it (the folder made, a file already there asked about, the file written
away from the screen)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_documents_path
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Select

from tui_reader.errors import ReaderError
from tui_reader.export import export_thread, target_path, unused_name
from tui_reader.formats import FILE_FORMATS, format_named
from tui_reader.models import Thread
from tui_reader.ui.reader import reader_of
from tui_reader.ui.screens.dialogs import ChoiceDialog


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


class Exporter(Widget):
    """The export flow of a thread pane: ask, check, write. It shows nothing itself; it is
    mounted in the pane so its worker belongs there."""

    DEFAULT_CSS = "Exporter { display: none; }"

    def ask(self, thread: Thread) -> None:
        """Ask where to save ``thread``, then save it."""

        def done(choice: tuple[str, str] | None) -> None:
            if choice:
                self.export_to(thread, choice[0], Path(choice[1]).expanduser())

        folder = reader_of(self).state.export_folder or str(user_documents_path())
        self.app.push_screen(ExportDialog(folder), done)

    def export_to(self, thread: Thread, fmt: str, folder: Path) -> None:
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
        reader_of(self).remember(export_folder=str(folder))
        if not path.exists():
            self.write(thread, fmt, path)
            return
        other = unused_name(path)

        def answered(choice: str | None) -> None:
            if choice == "replace":
                self.write(thread, fmt, path)
            elif choice == "rename":
                self.write(thread, fmt, other)

        self.app.push_screen(
            ChoiceDialog(
                "The file is there already",
                f"{path} exists. Replace it, or save as {other.name}?",
                [("r", "replace", "replace"), ("n", f"save as {other.name}", "rename")],
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def write(self, thread: Thread, fmt: str, path: Path) -> None:
        """Write the file away from the screen's thread (a PDF takes a moment)."""
        try:
            result = export_thread(thread, fmt, path)
        except ReaderError as error:
            self.app.call_from_thread(
                self.notify, error.message, title="Not saved", severity="error"
            )
            return
        for warning in result.warnings:
            self.app.call_from_thread(self.notify, warning, severity="warning", timeout=10)
        self.app.call_from_thread(self.notify, f"Saved to {result.path}", title="Saved")
