"""The registry: the one list of sources, and the one place a reference is given to one.

Adding a source is a new module with a :class:`~tui_reader.sources.Source` subclass, and a
line in :data:`SOURCES` naming it, its badge, its settings and where its class is. The lists
and the config file read this table alone, so starting the reader loads no source's module;
the classes are imported when a source is first used (:func:`source_types`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from tui_reader.models import Author, Ref, SourceName

if TYPE_CHECKING:
    # Only for annotations: the network layer (httpx) loads when the network is first used,
    # and each source's module when the source is.
    from tui_reader.fetch import Fetcher
    from tui_reader.sources import Source

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


@cache
def source_types() -> tuple[type[Source], ...]:
    """Every source's class, in the registry's order (their modules load on first use)."""
    types = []
    for declared in SOURCES:
        module, _, name = declared.location.partition(":")
        types.append(getattr(importlib.import_module(module), name))
    return tuple(types)


def source_type(name: SourceName) -> type[Source] | None:
    """The class of the source called ``name``."""
    return next((kind for kind in source_types() if kind.name == name), None)


def badge(name: SourceName) -> str:
    """A source's short badge for lists (its name when no source has it)."""
    declared = entry(name)
    return declared.badge if declared is not None else name


def settings_of(name: SourceName) -> Mapping[str, str]:
    """A source's settings with their defaults (none for a name no source has)."""
    declared = entry(name)
    return declared.settings if declared is not None else {}


def feed_url(author: Author) -> str:
    """The author's public RSS feed, where their source has one."""
    kind = source_type(author.source)
    return kind.feed_url(author) if kind is not None else ""


def what_refs_name() -> str:
    """Every kind of REF the sources understand, for error and help text."""
    return "; ".join(f"{kind.label}: {kind.examples}" for kind in source_types())


class Sources:
    """The sources at work, sharing one fetcher, with the settings the user chose."""

    def __init__(
        self,
        fetcher: Fetcher | Callable[[], Fetcher],
        settings: Mapping[SourceName, Mapping[str, str]] | None = None,
    ) -> None:
        chosen = settings or {}
        self._sources = {kind.name: kind(fetcher, chosen.get(kind.name)) for kind in source_types()}

    def __getitem__(self, name: SourceName) -> Source:
        return self._sources[name]

    def __iter__(self) -> Iterator[Source]:
        return iter(self._sources.values())

    def resolve(self, text: str) -> Ref | None:
        """What ``text`` names, decided by ownership: a URL on a host some source owns is
        that source's alone (``BadReference`` if malformed); a URL on any other host is
        offered to the source set to read that server, then to the sources that read any
        host; an address ``@user@host`` goes to the host's owner if it has one; anything
        else to every source in turn.

        Raises ``ValueError`` for a URL that cannot be one (a port out of range).
        """
        parts = urlsplit(text.strip())
        candidates = list(self._sources.values())
        address = ADDRESS_RE.match(text.strip())
        if address:
            # @user@host: the host's owner reads it (@ada@x.com), else any fediverse server.
            owners = [source for source in candidates if source.owns(address.group(1))]
            candidates = owners or candidates
        elif parts.scheme in ("http", "https") and parts.netloc:
            parts.port  # noqa: B018 - raises ValueError for a port out of range
            owners = [source for source in candidates if source.owns(parts.hostname or "")]
            # The server a source is set to read is tried first (a self-hosted mirror, a
            # test server), then the sources that read any host.
            serving = [source for source in candidates if source.serves(parts.netloc)]
            anywhere = [s for s in candidates if s.any_host and s not in serving]
            candidates = owners or serving + anywhere
        for source in candidates:
            ref = source.resolve(text)
            if ref is not None:
                return ref
        return None
