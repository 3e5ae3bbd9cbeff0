"""Where tui-reader keeps its files: the config file and the library folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "tui-reader"
CONFIG_ENV = "TUI_READER_CONFIG"
DATA_DIR_ENV = "TUI_READER_DATA_DIR"


def config_file() -> Path:
    """The config file: ``$TUI_READER_CONFIG`` or ``<user_config_dir>/tui-reader/config.toml``."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def data_dir() -> Path:
    """The library folder: ``$TUI_READER_DATA_DIR`` or ``<user_data_dir>/tui-reader``."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return user_data_path(APP_NAME, appauthor=False)


def library_file(folder: Path | None = None) -> Path:
    """The SQLite file that holds the library."""
    return (folder or data_dir()) / "library.sqlite3"
