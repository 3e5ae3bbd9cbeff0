"""Reading the user's own small files (config, saved choices, files to import) safely: only
regular files, never more than a cap, with errors in words."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileProblem(Exception):
    """Why a file could not be read, in words that name it once."""


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    A FIFO or a device is refused without waiting on it (opened non-blocking, then checked),
    a folder is named as one, and a file past ``limit`` is refused rather than read whole.
    ``FileNotFoundError`` goes through as it is (the callers treat it each their own way).
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError:
        raise FileProblem(f"{path} is a folder, not a file") from None
    except FileNotFoundError:
        raise
    except OSError as error:
        raise FileProblem(f"cannot read {path}: {error.strerror or error}") from None
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"{path} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"{path} is not a regular file (a pipe or a device); not read")
        if info.st_size > limit:
            raise FileProblem(f"{path} is larger than {_size(limit)}; not read")
        chunks = []
        size = 0
        while chunk := os.read(handle, 1 << 20):
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise FileProblem(f"{path} is larger than {_size(limit)}; not read")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise FileProblem(f"cannot read {path}: {error.strerror or error}") from None
    finally:
        os.close(handle)


def read_text_capped(path: Path, limit: int) -> str:
    """:func:`read_capped` as UTF-8 text; a file that is not is named as not text."""
    data = read_capped(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(f"{path} is not a text file (it is not UTF-8)") from None


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
