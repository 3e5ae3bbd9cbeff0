"""The registry: the one list of sources, and the one place a reference is given to one.

Adding a source is a new module with a :class:`~tui_reader.sources.Source` subclass, and a
line in :data:`SOURCES` naming it, its badge, its settings and where its class is. The lists
and the config file read this table alone, so starting the reader loads no source's module;
the classes are imported when a source is first used (``tui_reader.sources.source_types``).
This module is a leaf: it names the classes by where they are, and imports none of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from tui_reader.models import SourceName

#: ``@user@host``: an address on a server (the host is group 1).
ADDRESS_RE = re.compile(r"^@?[^@\s/]+@([^@\s/]+)\Z")


class SourceEntry(NamedTuple):
    """A source as the registry declares it."""

    #: The name in thread IDs, author keys, the thread JSON and the config file.
    name: SourceName
    #: A few letters for narrow lists ("bsky").
    badge: str
    #: ``[sources.<name>]`` settings: each a server address, with its default.
    settings: Mapping[str, str]
    #: Where the class is: ``module:Class``.
    location: str


#: Every source, in the order non-URL references are offered to them.
SOURCES: tuple[SourceEntry, ...] = (
    SourceEntry(
        "bluesky",
        "bsky",
        {"appview": "https://public.api.bsky.app"},
        "tui_reader.sources.bluesky:BlueskySource",
    ),
    SourceEntry("mastodon", "masto", {}, "tui_reader.sources.mastodon:MastodonSource"),
    SourceEntry(
        "threadreader",
        "x",
        {"base_url": "https://threadreaderapp.com"},
        "tui_reader.sources.threadreader:ThreadReaderSource",
    ),
)
SOURCE_NAMES: tuple[SourceName, ...] = tuple(entry.name for entry in SOURCES)


def entry(name: SourceName) -> SourceEntry | None:
    """The registry's line for the source called ``name``."""
    return next((found for found in SOURCES if found.name == name), None)


def badge(name: SourceName) -> str:
    """A source's short badge for lists (its name when no source has it)."""
    declared = entry(name)
    return declared.badge if declared is not None else name


def settings_of(name: SourceName) -> Mapping[str, str]:
    """A source's settings with their defaults (none for a name no source has)."""
    declared = entry(name)
    return declared.settings if declared is not None else {}
