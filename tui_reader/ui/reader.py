"""What the screens and widgets need of the app, as a protocol: they reach the library, the
config, the remembered choices and the header's status through it, and never import the app
(which imports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui_reader.config import Config
    from tui_reader.library import Library
    from tui_reader.state import ReaderState


class Reader(Protocol):
    """The reader app, as its parts see it."""

    config: Config
    library: Library
    state: ReaderState
    #: ``[keymap]``: binding ids and the keys they are given.
    keymap: dict[str, str]
    #: Linear mode: plain lines, one pane, the terminal cursor on what is read.
    linear: bool

    def set_working(self, working: bool) -> None:
        """Count network work in progress (the header shows it)."""

    def set_progress(self, text: str) -> None:
        """Show a long job's progress in the header; "" clears it."""

    def set_unreachable(self, unreachable: bool) -> None:
        """Say in the header whether the network could be reached."""

    def set_match_status(self, text: str) -> None:
        """Show where the reader is among a search's or a find's matches."""

    def remember(self, **choices: object) -> None:
        """Keep choices made in the reader for the next run."""


def reader_of(node: DOMNode) -> Reader:
    """The app ``node`` runs in, as a :class:`Reader`."""
    return cast("Reader", node.app)


def is_linear(node: DOMNode) -> bool:
    """Whether ``node`` is drawn in linear mode (plain lines, words for marks)."""
    return bool(getattr(node.app, "linear", False))
