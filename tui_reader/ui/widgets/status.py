"""The status line: in linear mode, what the reader says (notifications, progress, which
pane is shown) is one line at the bottom of the screen, where the cursor can reach it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """One line of what the reader last said (shown in linear mode only)."""

    def say(self, text: str) -> None:
        """Show ``text`` (from the network too: drawn as text, never markup)."""
        self.update(Text(" ".join(text.split())))
