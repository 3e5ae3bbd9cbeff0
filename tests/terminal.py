"""A terminal for the reader to run in, played by the test: a real pseudo-terminal whose
other end reads every byte the reader writes and answers the terminal's queries as a given
kind of terminal does (Sixel in its device attributes, Kitty's graphics query, or neither;
or never a word)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable

#: Primary Device Attributes, asked with ESC [ c (or ESC [ 0 c).
_ATTRIBUTES_QUERY = re.compile(rb"\x1b\[0?c")
#: Kitty's graphics query (a=q), which carries the id its answer must name.
_KITTY_QUERY = re.compile(rb"\x1b_G([^;\x1b]*a=q[^;\x1b]*)")


def replies(written: bytes, kind: str) -> tuple[bytes, int]:
    """What a terminal of ``kind`` answers to the queries in ``written``, and how much of it
    was read: a query cut at its end is left to be read whole with what follows."""
    if kind == "mute":
        return b"", len(written)
    answer, answered = b"", 0
    for found in _KITTY_QUERY.finditer(written):
        answered = max(answered, found.end())
        if kind == "kitty":
            fields = dict(f.split(b"=", 1) for f in found.group(1).split(b",") if b"=" in f)
            answer += b"\x1b_Gi=" + fields.get(b"i", b"0") + b";OK\x1b\\"
    for found in _ATTRIBUTES_QUERY.finditer(written):
        answered = max(answered, found.end())
        answer += b"\x1b[?62;4;22c" if kind == "sixel" else b"\x1b[?62;22c"
    return answer, max(answered, len(written) - 16)


class Terminal:
    """The reader (``tui-reader ARGS…``) in a pseudo-terminal of ``columns`` × ``rows``
    cells of ``cell`` pixels each, answering as ``kind``: ``"sixel"``, ``"kitty"``,
    ``"plain"`` (device attributes only), or ``"mute"`` (no answers at all)."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        kind: str,
        *,
        columns: int = 120,
        rows: int = 36,
        cell: tuple[int, int] = (8, 16),
    ) -> None:
        self.kind = kind
        self.output = b""
        self._scanned = 0
        self.main, other = pty.openpty()
        size = struct.pack("HHHH", rows, columns, columns * cell[0], rows * cell[1])
        fcntl.ioctl(other, termios.TIOCSWINSZ, size)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui_reader", *args],
            stdin=other,
            stdout=other,
            stderr=other,
            env={**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"},
        )
        os.close(other)

    def read(self) -> None:
        """Take what the reader has written, answering any query in it."""
        ready, _, _ = select.select([self.main], [], [], 0.2)
        if not ready:
            return
        try:
            self.output += os.read(self.main, 1 << 16)
        except OSError:
            return
        answer, read = replies(self.output[self._scanned :], self.kind)
        self._scanned += read
        if answer:
            self.write(answer)

    def until(self, done: Callable[[bytes], bool], seconds: float = 60) -> bytes:
        """Read until ``done(output)`` holds; the output so far (failing after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while not done(self.output):
            assert time.monotonic() < deadline, (
                f"the terminal waited in vain: {self.output[-400:]!r}"
            )
            self.read()
        return self.output

    def write(self, keys: bytes) -> None:
        """Type ``keys``."""
        os.write(self.main, keys)

    def close(self) -> None:
        """Quit the reader (Q), then make sure it is gone."""
        try:
            self.write(b"Q")
            deadline = time.monotonic() + 30
            while self.process.poll() is None and time.monotonic() < deadline:
                self.read()
        finally:
            self.process.kill()
            self.process.wait()
            os.close(self.main)
