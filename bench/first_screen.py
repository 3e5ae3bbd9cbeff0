"""Time from process start to first screen, in a real pseudo-terminal.

``first_screen(argv, marker)`` starts ``argv`` on a 120×40 pseudo-terminal and returns the
seconds until ``marker`` is on screen (escape sequences removed). ``bare_app`` is the
baseline: a Textual app with a header, a 50-item list and a footer.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.terminal import replies  # noqa: E402

ESCAPES = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>78])"
)

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, OptionList

class Bare(App):
    def compose(self):
        yield Header()
        yield OptionList(*[f"item {n}" for n in range(50)])
        yield Footer()

Bare().run()
"""


def first_screen(
    argv: list[str],
    marker: str,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    terminal: str = "plain",
) -> float:
    """Seconds from starting ``argv`` until ``marker`` shows on its screen, in a terminal
    that answers like ``terminal`` ("plain", "sixel" or "kitty")."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    environment = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
        **(env or {}),
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environment,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    scanned = 0
    wanted = marker.encode()
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            # The terminal's answers to the reader's questions, as every terminal gives them.
            answer, read = replies(seen[scanned:], terminal)
            scanned += read
            if answer:
                os.write(master, answer)
            if wanted in ESCAPES.sub(b"", seen[-200_000:]).replace(b"\r", b""):
                return time.perf_counter() - start
        raise TimeoutError(f"{marker!r} did not show within {timeout} s")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)


def bare_app() -> float:
    """The baseline: a bare Textual app's first screen."""
    return first_screen([sys.executable, "-c", BARE_APP], "item 1")


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    print("bare", bare_app())
    print(
        "reader",
        first_screen(
            [sys.executable, "-m", "tui_reader"],
            "All threads",
            {"TUI_READER_DATA_DIR": str(folder)},
        ),
    )
