"""tui-reader: read long threads unrolled, offline, in the terminal."""

__version__ = "0.1.0"
