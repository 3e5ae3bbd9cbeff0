"""Choices made inside the reader (the theme, how the lists are sorted and filtered), kept in
a small file of the app's own beside the library.

The config file is the user's: the reader never writes it. What is chosen in the reader is
written here instead, and read over the config's defaults.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

from tui_reader.files import FileProblem, read_text_capped

STATE_FILE = "state.toml"


@dataclass(frozen=True)
class ReaderState:
    """What the reader remembers between runs."""

    #: The Textual theme picked in the palette ("" keeps the config's ``[ui] theme``).
    theme: str = ""
    #: How the threads list is ordered: "newest", "longest" or "unread".
    sort: str = "newest"
    #: Leave read threads out of the lists.
    hide_read: bool = False
    #: Leave threads known only from a list ("not fetched", ○) out of the lists.
    hide_unfetched: bool = False
    #: Show the Read more pane under the thread (it takes rows a short terminal needs).
    read_more: bool = True
    #: The folder the last export went to ("" until one did: the documents folder).
    export_folder: str = ""

    def changed(self, **values: Any) -> ReaderState:
        """A copy with ``values`` set."""
        return replace(self, **values)


SORTS = ("newest", "longest", "unread")


#: The most of the state file that is read: it holds a few choices (a 300 MB one took 15 s
#: and 600 MB to parse).
MAX_STATE_BYTES = 1024 * 1024


def state_file(folder: Path) -> Path:
    """The state file of the library in ``folder``."""
    return folder / STATE_FILE


def load_state(path: Path) -> tuple[ReaderState, str]:
    """The remembered choices, and a warning when the file could not be used (then the
    defaults: a damaged state file must not keep the reader from starting)."""
    try:
        data = tomllib.loads(read_text_capped(path, MAX_STATE_BYTES))
    except FileNotFoundError:
        return ReaderState(), ""
    except FileProblem as problem:
        return ReaderState(), f"the reader's saved choices could not be read: {problem}"
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return ReaderState(), f"the reader's saved choices ({path}) could not be read: {error}"
    except RecursionError:
        return ReaderState(), f"the reader's saved choices ({path}) are nested too deeply to read"
    chosen: dict[str, Any] = {}
    for item in fields(ReaderState):
        value = data.get(item.name)
        default = getattr(ReaderState(), item.name)
        if isinstance(value, type(default)):
            chosen[item.name] = value
    state = ReaderState(**chosen)
    if state.sort not in SORTS:
        state = state.changed(sort="newest")
    return state, ""


def save_state(path: Path, state: ReaderState) -> None:
    """Write the choices, atomically (a crash never leaves half a file). Raises ``OSError``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".toml")
    try:
        with os.fdopen(handle, "wb") as out:
            tomli_w.dump(asdict(state), out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
