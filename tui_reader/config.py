"""The user's settings: a TOML file read into typed dataclasses; a missing file means defaults."""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui_reader import locations
from tui_reader.errors import ConfigError
from tui_reader.files import FileProblem, read_capped
from tui_reader.sources.registry import SOURCES, settings_of

MAX_TIMEOUT = 600.0
MAX_CONNECTIONS = 64


@dataclass(frozen=True)
class NetworkConfig:
    """``[network]``: how tui-reader uses the network."""

    offline: bool = False
    timeout: float = 20.0
    max_connections: int = 8


@dataclass(frozen=True)
class SourcesConfig:
    """``[sources.<name>]``: each source's settings (its server's address), by source name;
    what is not given keeps the default the source declares."""

    settings: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, **sources: dict[str, str]) -> SourcesConfig:
        """``SourcesConfig.of(bluesky={"appview": url})``."""
        return cls(settings={name: dict(values) for name, values in sources.items()})

    def for_source(self, name: str) -> dict[str, str]:
        """The settings of one source, defaults filled in."""
        return {**settings_of(name), **self.settings.get(name, {})}


@dataclass(frozen=True)
class SyncConfig:
    """``[sync]``: syncing in the background while the reader is open."""

    on_start: bool = False
    interval_minutes: int = 0
    #: The most a whole sync (or an import of follows) may take; authors not done by then
    #: end with that said.
    deadline_minutes: int = 10
    #: A watched thread that has not changed for this many days is no longer watched.
    watch_days: int = 30


@dataclass(frozen=True)
class MediaConfig:
    """``[media]``: images kept with the library."""

    #: "images" keeps a thread's images beside the library; "none" keeps only their addresses.
    keep: str = "images"
    #: An image larger than this many megabytes is not kept.
    max_file_mb: int = 20
    #: Past this many megabytes of kept images, new ones are not kept (and the reader says so).
    max_library_mb: int = 2000


@dataclass(frozen=True)
class Config:
    """Everything read from the config file, with defaults for what it leaves out."""

    network: NetworkConfig = field(default_factory=NetworkConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    media: MediaConfig = field(default_factory=MediaConfig)
    #: ``[keymap]``: binding id → keys, as Textual's ``App.set_keymap`` takes them.
    keymap: dict[str, str] = field(default_factory=dict)
    #: ``[ui] theme``: the Textual theme, until one is picked in the reader.
    theme: str = ""
    #: ``[ui] measure``: the widest a thread's text runs, in columns (0: the pane's width).
    measure: int = 80
    #: ``[ui] align``: where a thread narrower than its pane sits, "left" or "center".
    align: str = "left"
    #: ``[ui] browser``: the command that opens an address (``%u`` stands for it; without
    #: one, the address is added at the end). "" asks the system's default browser.
    browser: str = ""
    #: ``[ui] linear`` (or ``--linear``): the reader for screen readers and braille
    #: displays: one pane, plain lines, the terminal cursor on what is read.
    linear: bool = False
    #: ``[ui] images``: kept images drawn in the thread: "auto" in the terminal's own
    #: pixels where it has them (Kitty, Sixel; the images extra) or else in half blocks,
    #: "blocks" in half blocks (any terminal, nothing asked), or "off" (each a line of
    #: words and its address).
    images: str = "auto"
    #: ``[ui] grown_is_unread``: a read thread that grew is unread again (``n`` goes to it).
    grown_is_unread: bool = True
    #: ``[ui] notify``: a sync in the reader that brought changes tells the terminal's
    #: desktop notifications (OSC 9 and OSC 777).
    notify: bool = False
    path: Path | None = None
    #: What the file holds that tui-reader does not know (a misspelt section, say).
    warnings: tuple[str, ...] = ()

    def with_offline(self, offline: bool) -> Config:
        """A copy with network access switched off when ``offline`` is true."""
        if not offline:
            return self
        return replace(self, network=replace(self.network, offline=True))


def _section(data: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return value


def _typed(table: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    if key not in table:
        return default
    value = table[key]
    # bool is an int in Python; a config that says `timeout = true` is still wrong.
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"{where}: {key} must be a {kind.__name__}, not {value!r}")
    return value


def _base_url(value: str, key: str, where: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ConfigError(f"{where}: {key} is not a valid URL: {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {key} must be an http or https URL, not {value!r}")
    return value.rstrip("/")


#: Every section and key the file may hold; anything else is named in a warning.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "network": frozenset({"offline", "timeout", "max_connections"}),
    "sources": frozenset(kind.name for kind in SOURCES if kind.settings),
    **{f"sources.{kind.name}": frozenset(kind.settings) for kind in SOURCES if kind.settings},
    "sync": frozenset({"on_start", "interval_minutes", "deadline_minutes", "watch_days"}),
    "ui": frozenset(
        {
            "theme",
            "measure",
            "align",
            "browser",
            "linear",
            "images",
            "grown_is_unread",
            "notify",
        }
    ),
    "media": frozenset({"keep", "max_file_mb", "max_library_mb"}),
}


def _unknown_keys(data: dict[str, Any]) -> list[str]:
    """What the file holds that no setting reads, as ``[section] key`` lines."""
    found: list[str] = []
    for section, table in data.items():
        if section == "keymap":
            continue  # binding ids are checked against the live bindings by the reader
        if section not in KNOWN_KEYS:
            found.append(f"[{section}]")
            continue
        if not isinstance(table, dict):
            continue
        for key, value in table.items():
            name = f"{section}.{key}"
            if key not in KNOWN_KEYS[section]:
                found.append(f"[{section}] {key}")
            elif name in KNOWN_KEYS and isinstance(value, dict):
                found += [f"[{name}] {inner}" for inner in value if inner not in KNOWN_KEYS[name]]
    return found


#: The most of a config file that is read.
MAX_CONFIG_BYTES = 1024 * 1024


def load_config(path: Path | None = None) -> Config:
    """Read the config file (``$TUI_READER_CONFIG`` or the default place)."""
    path = path or locations.config_file()
    where = str(path)
    try:
        # A config file is a few lines: a FIFO would block the start for ever, and a huge
        # file would cost seconds and memory to parse.
        raw = read_capped(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return Config(path=path)
    except FileProblem as problem:
        raise ConfigError(f"config file: {problem}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {where} is not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"config file {where} is nested too deeply to read") from None

    network = _section(data, "network", where)
    defaults = NetworkConfig()
    timeout = _typed(network, "timeout", float, defaults.timeout, where)
    max_connections = _typed(network, "max_connections", int, defaults.max_connections, where)
    # "not 0 < timeout" also catches nan, which every comparison calls false.
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ConfigError(f"{where}: timeout must be between 0 and {MAX_TIMEOUT:g} seconds")
    if not 1 <= max_connections <= MAX_CONNECTIONS:
        raise ConfigError(f"{where}: max_connections must be from 1 to {MAX_CONNECTIONS}")
    network_config = NetworkConfig(
        offline=_typed(network, "offline", bool, defaults.offline, where),
        timeout=timeout,
        max_connections=max_connections,
    )

    sources = _section(data, "sources", where)
    chosen: dict[str, dict[str, str]] = {}
    for kind in SOURCES:
        table = _section(sources, kind.name, where) if kind.settings else {}
        for key, default in kind.settings.items():
            if key in table:
                value = _typed(table, key, str, default, where)
                chosen.setdefault(kind.name, {})[key] = _base_url(value, key, where)
    sources_config = SourcesConfig(settings=chosen)

    sync = _section(data, "sync", where)
    interval = _typed(sync, "interval_minutes", int, 0, where)
    if not 0 <= interval <= 7 * 24 * 60:
        raise ConfigError(f"{where}: interval_minutes must be 0 (off) to 10080 (a week)")
    deadline = _typed(sync, "deadline_minutes", int, 10, where)
    if not 1 <= deadline <= 24 * 60:
        raise ConfigError(f"{where}: deadline_minutes must be 1 to 1440 (a day)")
    watch_days = _typed(sync, "watch_days", int, 30, where)
    if not 1 <= watch_days <= 3650:
        raise ConfigError(f"{where}: watch_days must be 1 to 3650 (ten years)")
    sync_config = SyncConfig(
        on_start=_typed(sync, "on_start", bool, False, where),
        interval_minutes=interval,
        deadline_minutes=deadline,
        watch_days=watch_days,
    )

    media = _section(data, "media", where)
    keep = _typed(media, "keep", str, "images", where)
    if keep not in ("images", "none"):
        raise ConfigError(f'{where}: [media] keep must be "images" or "none"')
    max_file = _typed(media, "max_file_mb", int, 20, where)
    if not 1 <= max_file <= 200:
        raise ConfigError(f"{where}: [media] max_file_mb must be 1 to 200")
    max_library = _typed(media, "max_library_mb", int, 2000, where)
    if not 0 <= max_library <= 1_000_000:
        raise ConfigError(f"{where}: [media] max_library_mb must be 0 to 1000000")
    media_config = MediaConfig(keep=keep, max_file_mb=max_file, max_library_mb=max_library)

    keymap_table = _section(data, "keymap", where)
    keymap: dict[str, str] = {}
    for key, value in keymap_table.items():
        if not isinstance(value, str):
            raise ConfigError(f'{where}: [keymap] {key} must be a string of keys, like "j,down"')
        keymap[key] = value

    ui = _section(data, "ui", where)
    theme = _typed(ui, "theme", str, "", where)
    measure = _typed(ui, "measure", int, 80, where)
    if measure != 0 and not 30 <= measure <= 1000:
        raise ConfigError(f"{where}: measure must be 0 (the pane's width) or 30 to 1000 columns")
    align = _typed(ui, "align", str, "left", where)
    if align not in ("left", "center"):
        raise ConfigError(f'{where}: align must be "left" or "center"')
    browser = _typed(ui, "browser", str, "", where).strip()
    if browser:
        try:
            shlex.split(browser)
        except ValueError as error:
            raise ConfigError(f"{where}: browser is not a command line: {error}") from None
    linear = _typed(ui, "linear", bool, False, where)
    images = _typed(ui, "images", str, "auto", where)
    if images not in ("auto", "blocks", "off"):
        raise ConfigError(f'{where}: [ui] images must be "auto", "blocks" or "off"')
    return Config(
        network=network_config,
        sources=sources_config,
        sync=sync_config,
        media=media_config,
        keymap=keymap,
        theme=theme,
        measure=measure,
        align=align,
        browser=browser,
        linear=linear,
        images=images,
        grown_is_unread=_typed(ui, "grown_is_unread", bool, True, where),
        notify=_typed(ui, "notify", bool, False, where),
        path=path,
        warnings=tuple(f"{where}: unknown setting {name}, ignored" for name in _unknown_keys(data)),
    )
