"""Shared fixtures: a local HTTP server, a fake AppView, a library in a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fake_bluesky import FakeAppView
from tests.reading import reader  # noqa: F401 - the reader fixture, for every test module
from tests.server import FakeServer
from tui_reader.config import Config, MediaConfig, NetworkConfig, SourcesConfig
from tui_reader.library import Library
from tui_reader.store import Store


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A started local HTTP server; stopped after the test."""
    fake = FakeServer().start()
    yield fake
    fake.stop()


@pytest.fixture
def appview(server: FakeServer) -> FakeAppView:
    """A fake Bluesky AppView served by ``server``."""
    fake = FakeAppView()
    fake.install(server)
    return fake


@pytest.fixture
def config(server: FakeServer) -> Config:
    """A config pointing every source at the local server."""
    return Config(
        network=NetworkConfig(timeout=5.0),
        # The recorded threads' images are on hosts of the internet: the tests that keep
        # images say so and serve them from the local server.
        media=MediaConfig(keep="none"),
        sources=SourcesConfig.of(
            bluesky={"appview": server.url}, threadreader={"base_url": server.url}
        ),
    )


@pytest.fixture
async def library(config: Config, tmp_path: Path) -> Iterator[Library]:
    """A library in a temporary folder using the local server."""
    lib = Library(config, Store(tmp_path / "library.sqlite3"))
    # Retries wait a few milliseconds here, not seconds.
    lib.fetcher.backoff = 0.01
    yield lib
    await lib.aclose()
    lib.close()


@dataclass
class CliResult:
    """What a run of the command printed and returned."""

    code: int
    out: str
    err: str


@dataclass
class Cli:
    """Runs ``python -m tui_reader`` in a subprocess with its own config and library."""

    config_path: Path
    data_dir: Path

    def write_config(self, text: str) -> None:
        """Replace the config file's contents."""
        self.config_path.write_text(text, "utf-8")

    def env(self) -> dict[str, str]:
        """The environment the command runs in: this config and library, no colour."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("TUI_READER")}
        env["TUI_READER_CONFIG"] = str(self.config_path)
        env["TUI_READER_DATA_DIR"] = str(self.data_dir)
        env["NO_COLOR"] = "1"
        return env

    def __call__(self, *args: str, timeout: float = 60) -> CliResult:
        env = self.env()
        done = subprocess.run(
            [sys.executable, "-m", "tui_reader", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli(server: FakeServer, tmp_path: Path) -> Cli:
    """The command line, configured to use the local server and a temporary library."""
    runner = Cli(tmp_path / "config.toml", tmp_path / "data")
    runner.write_config(
        f"""
[network]
timeout = 5.0

[sources.bluesky]
appview = "{server.url}"

[sources.threadreader]
base_url = "{server.url}"

[media]
keep = "none"
"""
    )
    return runner
