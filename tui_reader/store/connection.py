"""The library file itself: opening it (moving a damaged one aside, falling back to reading
only), upgrading its layout, one write transaction at a time, and SQLite's errors as one line
for the user."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self, TypeVar
from urllib.parse import quote

from tui_reader.errors import ReaderError
from tui_reader.store.schema import COMPACT_SCHEMA, MIGRATIONS


class StoreError(ReaderError):
    """The library file cannot be opened or is damaged."""


#: How long a call waits for a library another tui-reader is writing.
BUSY_TIMEOUT_MS = 10_000

#: SQLite's names for "this file or folder cannot be written".
READ_ONLY_ERRORS = frozenset({"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR"})


def _errorname(error: BaseException) -> str:
    """SQLite's primary error name (``SQLITE_IOERR`` for ``SQLITE_IOERR_WRITE``)."""
    return "_".join(str(getattr(error, "sqlite_errorname", "")).split("_")[:2])


_Class = TypeVar("_Class", bound=type)


def reported(cls: _Class) -> _Class:
    """``cls`` with each public method raising ``StoreError`` (one line for the user) where
    SQLite raised its own error: a library damaged, or its disk gone, while the reader runs
    must not end it with a traceback. Errors a method deals with itself (a query FTS5 cannot
    parse is asked again as a phrase) never get this far."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _reporting(member))
    return cls


def _reporting(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def reporting(self: LibraryFile, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise StoreError(self._read_failure(error)) from None

    return reporting


@reported
class LibraryFile:
    """A library file open: its connection, its upgrades, its write transactions.

    Each call is a short transaction, so two running copies of tui-reader can share the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        #: True when the file could only be opened for reading (a read-only folder or disk).
        self.read_only = False
        #: Something the user should be told about the file (it was damaged and moved aside,
        #: or it can only be read); "" when all is well.
        self.notice = ""
        try:
            self._open()
        except sqlite3.DatabaseError as error:
            if _errorname(error) in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                self._start_afresh()
            elif _errorname(error) in READ_ONLY_ERRORS and path.is_file():
                self._open_read_only(error)
            else:
                raise StoreError(f"cannot open the library at {path}: {error}") from None
        except OSError as error:
            if not path.is_file():
                raise StoreError(f"cannot create the library at {path}: {error.strerror}") from None
            self._open_read_only(error)

    def _connect(self, target: str | Path, *, uri: bool = False) -> None:
        # Autocommit mode: transactions are opened explicitly where writes must be atomic.
        self.conn = sqlite3.connect(
            target, timeout=10.0, isolation_level=None, check_same_thread=False, uri=uri
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connect(self.path)
        try:
            self.conn.execute("PRAGMA journal_mode = WAL")
            # With WAL, NORMAL never corrupts the file; a power cut may lose the last few
            # saves, which the next sync fetches again. FULL syncs the disk on every thread.
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except BaseException:
            self.conn.close()
            raise

    def _start_afresh(self) -> None:
        """Move a damaged file aside under a dated name (never delete it) and start anew."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = self.path.with_name(self.path.name + suffix)
                if part.exists():
                    part.rename(aside.with_name(aside.name + suffix))
            self._open()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(
                f"the library at {self.path} is damaged and could not be moved aside: {error}"
            ) from None
        self.notice = (
            f"the library at {self.path} was damaged; it was moved to {aside} "
            "and a new, empty library was started"
        )

    def _open_read_only(self, why: BaseException) -> None:
        """Open the file for reading only, for a folder or disk that cannot be written."""
        reason = getattr(why, "strerror", None) or str(why)
        location = quote(str(self.path.resolve()))
        last: sqlite3.Error | None = None
        # "immutable" too: in a read-only folder SQLite cannot even make its shared-memory
        # file, and nothing can change the file there anyway.
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                self._connect(f"file:{location}?{query}", uri=True)
                version = self.schema_version
            except sqlite3.Error as error:
                last = error
                continue
            if version != len(MIGRATIONS):
                self.conn.close()
                raise StoreError(
                    f"the library at {self.path} needs an upgrade but cannot be written: {reason}"
                )
            self.read_only = True
            self.notice = (
                f"the library at {self.path} cannot be written ({reason}); "
                "it is open for reading only"
            )
            return
        raise StoreError(f"cannot open the library at {self.path}: {last}")

    def close(self) -> None:
        """Close the file."""
        self.conn.close()

    @contextlib.contextmanager
    def patience(self, milliseconds: int) -> Iterator[None]:
        """Wait at most ``milliseconds`` for a library another process is writing, inside
        the block (ten seconds otherwise)."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """How many migrations this file has had."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the library at {self.path} was written by a newer tui-reader "
                f"(schema {version}); please upgrade"
            )
        for number in range(version, len(MIGRATIONS)):
            # One transaction per step, version bump included: a step lands whole or not at all.
            step = MIGRATIONS[number]
            try:
                if isinstance(step, str):
                    self.conn.executescript(
                        f"BEGIN IMMEDIATE; {step}; PRAGMA user_version = {number + 1}; COMMIT;"
                    )
                else:
                    self.conn.execute("BEGIN IMMEDIATE")
                    step(self.conn)
                    self.conn.execute(f"PRAGMA user_version = {number + 1}")
                    self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        if 0 < version < COMPACT_SCHEMA <= len(MIGRATIONS):
            # Give the space the old layout took back to the disk (once, after upgrading).
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("VACUUM")

    def _write(
        self, work: Callable[[sqlite3.Connection], Any], *, references_made_here: bool = False
    ) -> Any:
        """Run ``work`` in one write transaction: all of it lands, or none.

        ``references_made_here``: every row ``work`` writes refers only to rows it has itself
        written or read in the transaction, so SQLite's foreign-key checks (a lookup for each
        reference, three a post) could never fail and are left out for it.
        """
        if self.read_only:
            raise StoreError(f"{self.notice}: nothing can be saved")
        if references_made_here:
            # Only outside a transaction does this pragma take effect; it is put back below.
            self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise StoreError(self._write_failure(error)) from None
            try:
                result = work(self.conn)
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                # SQLite may have rolled back already (a full disk does): only roll back what
                # is still open, and report the first failure, not the rollback's.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise StoreError(self._write_failure(error)) from None
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        finally:
            if references_made_here:
                self.conn.execute("PRAGMA foreign_keys = ON")
        return result

    def _read_failure(self, error: sqlite3.Error) -> str:
        if _errorname(error) in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return f"the library at {self.path} is busy (another tui-reader is writing)"
        return f"the library at {self.path} could not be read: {error}"

    def _write_failure(self, error: sqlite3.Error) -> str:
        name = _errorname(error)
        if name == "SQLITE_FULL":
            return f"the library at {self.path} could not be saved: the disk is full"
        if name in READ_ONLY_ERRORS:
            return f"the library at {self.path} could not be saved: it cannot be written"
        if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return f"the library at {self.path} is busy (another tui-reader is writing)"
        return f"the library at {self.path} could not be saved: {error}"
