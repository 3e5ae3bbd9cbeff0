"""What the reader asks of the terminal beyond Textual's defaults: the cursor shown where the
reading is (linear mode: screen readers and braille displays follow it), no colour at all
where ``NO_COLOR`` is set, and a theme of high contrast."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from textual.theme import Theme

if TYPE_CHECKING:
    from textual.driver import Driver

#: An SGR sequence (``ESC [ … m``): what sets colours and text styles.
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")

#: Black, white and one bright accent: every text and mark far from its background.
HIGH_CONTRAST = Theme(
    name="tui-reader-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    boost="#000000",
    warning="#ffff00",
    error="#ff6060",
    success="#00ff00",
    dark=True,
    variables={
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#ffff00",
        "block-cursor-text-style": "bold",
        "footer-key-foreground": "#ffff00",
        "input-selection-background": "#ffff00 60%",
    },
)


def without_colours(data: str) -> str:
    """``data`` with every colour taken out of its SGR sequences (bold, underline, reverse
    and the rest kept); a sequence left with nothing is dropped, so no reset is invented."""

    def plain(match: re.Match[str]) -> str:
        params = match.group(1)
        if not params:
            return match.group(0)  # ESC [ m: a reset
        kept: list[str] = []
        fields = params.replace(":", ";").split(";")
        index = 0
        while index < len(fields):
            field = fields[index]
            code = int(field) if field.isdigit() else -1
            if code in (38, 48, 58):
                # An extended colour: 5;N or 2;R;G;B follow.
                mode = fields[index + 1] if index + 1 < len(fields) else ""
                index += 3 if mode == "5" else 5 if mode == "2" else 2
                continue
            if not (30 <= code <= 39 or 40 <= code <= 49 or 90 <= code <= 97 or 100 <= code <= 107):
                kept.append(field)
            index += 1
        return f"\x1b[{';'.join(kept)}m" if kept else ""

    return _SGR.sub(plain, data)


#: The reader's driver while it runs (``desktop_notice`` writes through it).
_running: list[Driver] = []


def desktop_notice(text: str) -> bool:
    """Tell the terminal to show a desktop notification (OSC 9, which iTerm2, WezTerm, kitty
    and Windows Terminal read, and OSC 777, which VTE terminals and foot read); terminals
    that know neither ignore both. Only printable text goes in: an escape or a bell in it
    would end the sequence early. Whether it was written."""
    if not _running:
        return False
    words = "".join(c for c in " ".join(text.split()) if c.isprintable() and c != ";")[:200]
    _running[-1].write(f"\x1b]9;{words}\x07\x1b]777;notify;tui-reader;{words}\x07")
    return True


def driver_for(*, linear: bool, no_color: bool, notify: bool = False) -> type[Driver] | None:
    """A driver that shows the cursor (``linear``), writes no colour (``no_color``) or can
    send desktop notifications (``notify``); ``None`` for Textual's own, where none is asked
    or the terminal is not a POSIX one."""
    if not (linear or no_color or notify) or sys.platform == "win32":
        return None
    from textual.drivers.linux_driver import LinuxDriver

    class ReaderDriver(LinuxDriver):
        """Textual's driver for POSIX terminals, with the reader's wishes."""

        def start_application_mode(self) -> None:
            super().start_application_mode()  # type: ignore[no-untyped-call]
            if linear:
                # Textual hides the cursor; a screen reader or a braille display follows it.
                super().write("\x1b[?25h")
            _running.append(self)

        def stop_application_mode(self) -> None:
            if self in _running:
                _running.remove(self)
            super().stop_application_mode()

        def write(self, data: str) -> None:
            super().write(without_colours(data) if no_color else data)

    return ReaderDriver
