"""The ``tui-reader`` command: ``python -m tui_reader``, and the installed script."""

from __future__ import annotations

import gc


def main() -> int:
    """Run the command line. The garbage collector waits while the program loads: loading
    makes a few hundred thousand objects that live as long as the process, and collecting
    while they are made only scans them again and again (about 30 ms of the reader's
    start). The command switches it back on once loaded (``cli.loaded``)."""
    gc.disable()
    try:
        from tui_reader.cli import main as run
    except BaseException:
        gc.enable()
        raise
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
