"""The library on disk: one SQLite file (WAL, FTS5). This package is the only code that
writes SQL: ``connection`` opens the file and runs its transactions, ``core`` holds every
call (with ``living``: what was read, watches, the changes log; and ``kept``: kept images),
``schema`` the layout's history, ``saves`` the thread writes, ``search`` the full-text
search, ``rows`` what they return."""

from tui_reader.store.connection import BUSY_TIMEOUT_MS, StoreError
from tui_reader.store.core import MAX_CACHE_BYTES, MAX_CACHED_BODY, ForeignThread, Store
from tui_reader.store.living import MAX_CHANGES, Change, Watch
from tui_reader.store.rows import (
    THREAD_OF_POST,
    AuthorRow,
    MediaRow,
    ReadMark,
    SearchHit,
    SyncState,
    ThreadList,
)
from tui_reader.store.saves import Saved
from tui_reader.store.schema import MIGRATIONS, split_key

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MAX_CACHED_BODY",
    "MAX_CACHE_BYTES",
    "MAX_CHANGES",
    "MIGRATIONS",
    "THREAD_OF_POST",
    "AuthorRow",
    "Change",
    "ForeignThread",
    "MediaRow",
    "ReadMark",
    "Saved",
    "SearchHit",
    "Store",
    "StoreError",
    "SyncState",
    "ThreadList",
    "Watch",
    "split_key",
]
