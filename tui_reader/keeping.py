"""Keeping a thread's images: after its text is saved, each image address the library has not
kept (nor refused) is fetched politely, checked by its bytes and kept under its hash, or
refused with one line saying why. A failure is tried again at the next refresh; nothing here
can fail the thread's own save."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui_reader.clean import clean_line
from tui_reader.config import Config
from tui_reader.errors import FetchError, ReaderError, TooLarge
from tui_reader.limits import within_action
from tui_reader.media import ImageFacts, MediaRefused, check_image, keep_file
from tui_reader.store import MediaRow, Store
from tui_reader.times import utc_now

if TYPE_CHECKING:
    from tui_reader.fetch import Fetcher

#: Images fetched at once (the fetcher's per-host limits apply within it, and an answer past
#: a megabyte is read one at a time).
IMAGES_AT_ONCE = 4
MB = 1024 * 1024


@dataclass
class MediaReport:
    """What one round of keeping images did."""

    kept: int = 0
    #: One line for each image refused (for good) or failed (tried again later).
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: The library's media reached ``[media] max_library_mb``: new images were not kept.
    full: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for a person ("" when there was nothing to do)."""
        parts = []
        if self.kept:
            parts.append(f"{self.kept} {'image' if self.kept == 1 else 'images'} kept")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        if self.failed:
            parts.append(f"{len(self.failed)} not fetched (tried again next time)")
        if self.full:
            parts.append("the media folder is full ([media] max_library_mb): no more kept")
        if not parts:
            return ""
        return ", ".join(parts) + f" ({self.seconds:.1f} s)"


class Keeper:
    """Keeps images into ``folder`` (files) and ``store`` (their facts), through ``fetcher``."""

    def __init__(self, config: Config, store: Store, fetcher: Fetcher, folder: Path) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.folder = folder

    def wanted(self, urls: list[str]) -> list[str]:
        """The addresses not kept (with the file still there) nor refused."""
        known = self.store.media_states(urls)
        chosen = []
        for url in urls:
            row = known.get(url)
            if row is None or row.state == "failed":
                chosen.append(url)
            elif row.state == "kept" and not (self.folder / row.file).is_file():
                chosen.append(url)  # the file went missing: fetched again
        return chosen

    async def keep(self, urls: list[str]) -> MediaReport:
        """Fetch, check and keep each of ``urls`` that is wanted."""
        report = MediaReport()
        if self.config.media.keep != "images" or self.fetcher.offline:
            return report
        started = time.perf_counter()
        limit = asyncio.Semaphore(IMAGES_AT_ONCE)
        room = self.config.media.max_library_mb * MB - self.store.kept_bytes()

        async def one(url: str) -> None:
            nonlocal room
            async with limit:
                if room <= 0:
                    report.full = True
                    return
                try:
                    facts, data = await self._fetch(url)
                except MediaRefused as error:
                    self._record(url, "refused", error.message)
                    report.refused.append(f"{clean_line(url)[:120]}: {error.message}")
                    return
                except ReaderError as error:
                    self._record(url, "failed", error.message)
                    report.failed.append(f"{clean_line(url)[:120]}: {error.message}")
                    return
                if facts.size > room:
                    report.full = True
                    return
                room -= facts.size
                # Written away from the event loop: the reader keeps drawing meanwhile.
                await asyncio.to_thread(keep_file, self.folder, facts, data)
                self.store.record_media(
                    MediaRow(
                        url,
                        "kept",
                        facts.sha256,
                        facts.type,
                        facts.width,
                        facts.height,
                        facts.size,
                        facts.file,
                        "",
                        utc_now(),
                    )
                )
                report.kept += 1

        await asyncio.gather(*(one(url) for url in self.wanted(urls)))
        report.seconds = time.perf_counter() - started
        return report

    async def _fetch(self, url: str) -> tuple[ImageFacts, bytes | bytearray]:
        limit = self.config.media.max_file_mb * MB
        seconds = self.config.network.timeout * 3
        try:
            response = await within_action(
                "fetching an image",
                self.fetcher.get(url, accept="image/*", max_bytes=limit),
                seconds,
            )
        except TooLarge as error:
            raise MediaRefused(f"{error.message} ([media] max_file_mb)") from None
        except FetchError as error:
            if error.status in (404, 410):
                raise MediaRefused(f"gone from its server ({error.status})") from None
            raise
        # Checked away from the event loop: reading a large image's every chunk takes a moment,
        # and the reader draws on that loop.
        body = response.body
        return await asyncio.to_thread(check_image, body), body

    def _record(self, url: str, state: str, note: str) -> None:
        self.store.record_media(
            MediaRow(url, state, note=clean_line(note)[:300], tried_at=utc_now())
        )
