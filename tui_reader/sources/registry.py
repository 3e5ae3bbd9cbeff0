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
    #: The network's name for people ("Bluesky").
    label: str
    #: Where its posts are, for "a post URL (…)" in help text.
    posts: str
    #: How to name one of its authors without a URL, for "follow" help text.
    authors: str


#: Every source, in the order non-URL references are offered to them.
SOURCES: tuple[SourceEntry, ...] = (
    SourceEntry(
        "bluesky",
        "bsky",
        {"appview": "https://public.api.bsky.app"},
        "tui_reader.sources.bluesky:BlueskySource",
        label="Bluesky",
        posts="Bluesky",
        authors="a Bluesky handle or DID",
    ),
    SourceEntry(
        "mastodon",
        "masto",
        {},
        "tui_reader.sources.mastodon:MastodonSource",
        label="Mastodon",
        posts="Mastodon",
        authors="a Mastodon address (@user@instance)",
    ),
    SourceEntry(
        "threadreader",
        "x",
        {"base_url": "https://threadreaderapp.com"},
        "tui_reader.sources.threadreader:ThreadReaderSource",
        label="Twitter/X (Thread Reader App)",
        posts="x.com, threadreaderapp.com",
        authors="@handle@x.com",
    ),
)
SOURCE_NAMES: tuple[SourceName, ...] = tuple(entry.name for entry in SOURCES)


def _listed(items: list[str], last: str) -> str:
    return ", ".join(items[:-1]) + f" {last} " + items[-1] if len(items) > 1 else "".join(items)


def networks() -> str:
    """Every network read, for help text: "Bluesky, Mastodon and Twitter/X (…)"."""
    return _listed([found.label for found in SOURCES], "and")


def post_places() -> str:
    """Where posts can be unrolled from, for "a post URL (…)"."""
    return ", ".join(found.posts for found in SOURCES)


def author_forms() -> str:
    """How authors can be named without a URL, for "follow" help text."""
    return _listed([found.authors for found in SOURCES], "or")


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
