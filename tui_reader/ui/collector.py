"""When the garbage collector's full passes run in the reader: while it waits for a key.

Python's collector runs a full pass over every live object after every tenth batch of young
passes, wherever the program is. In the reader a full pass walks the objects Textual keeps
for what is on screen (some 70,000: each drawn line is a Strip with seven caches, each
divided into more Strips by the compositor) at about 1 µs each, so a pass that lands while
a thread scrolls holds that frame for 60-100 ms. The young passes are cheap (a few
milliseconds) and still run as Python schedules them; the full passes wait until no key or
mouse event has come for :data:`IDLE_AFTER` seconds, or, so that memory held by garbage
stays bounded while someone scrolls without a pause, until :data:`HELD_AT_MOST` batches
have passed.
"""

from __future__ import annotations

import gc
import sys
import time

#: Seconds without a key or mouse event before a held full pass runs.
IDLE_AFTER = 0.5
#: Batches of young passes before a full pass is due (Python's own default).
FULL_PASS_DUE = 10
#: Batches after which a full pass runs even while keys keep coming.
HELD_AT_MOST = 20 * FULL_PASS_DUE
#: How often the reader looks (seconds).
CHECK_EVERY = 0.25
#: Python 3.14's collector does its full passes a slice at a time: nothing to hold there.
GENERATIONAL = sys.version_info < (3, 14)


class IdleCollector:
    """Holds the collector's full passes while the reader is in use and runs them when it
    is idle (call :meth:`hold` at start, :meth:`input` on each key or mouse event,
    :meth:`check` every :data:`CHECK_EVERY` seconds, :meth:`release` at exit)."""

    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None
        self._last_input = time.monotonic()
        #: Full passes this collector ran (for the benchmarks and tests).
        self.passes = 0

    @property
    def holding(self) -> bool:
        """Python's own full passes are held."""
        return self._thresholds is not None

    def hold(self) -> None:
        """Stop Python from starting full passes by itself (young passes go on)."""
        if not GENERATIONAL or self.holding:
            return
        young, middle, full = gc.get_threshold()
        self._thresholds = (young, middle, full)
        # The third threshold counts batches of young passes before a full pass.
        gc.set_threshold(young, middle, 1_000_000_000)

    def release(self) -> None:
        """Give Python its own schedule back."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def input(self) -> None:
        """A key or mouse event came: the reader is in use."""
        self._last_input = time.monotonic()

    def check(self) -> bool:
        """Run a full pass if one is due and the reader is idle, or if one has been held
        too long; returns whether it ran."""
        if not self.holding or not gc.isenabled():
            return False
        due = gc.get_count()[2]
        idle = time.monotonic() - self._last_input >= IDLE_AFTER
        if (due >= FULL_PASS_DUE and idle) or due >= HELD_AT_MOST:
            gc.collect()
            self.passes += 1
            return True
        return False
