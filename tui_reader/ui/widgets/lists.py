"""What the reader's lists share: vim keys on top of Textual's OptionList."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class VimOptionList(OptionList):
    """An OptionList that also moves with j/k and jumps with g/G."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "Top", show=False),
        Binding("G", "last", "Bottom", show=False),
    ]
