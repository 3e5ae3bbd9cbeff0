"""What the fetcher decides without the network: which redirects are followed (same site,
same port, never down to http), and bodies decoded in bounded steps (gzip, deflate, a bomb
refused as it inflates). No HTTP client here: the rules are plain functions of addresses
and bytes, tested as such."""

from __future__ import annotations

import ipaddress
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, urlencode, urljoin, urlsplit

from tui_reader.clean import clean_line
from tui_reader.errors import BadResponse, TooLarge

#: Decoded bytes produced per step, so a compressed body cannot grow past the cap in one go.
DECODE_STEP = 256 * 1024


def host_of(url: str) -> str:
    """The host ``url`` names, as errors name it."""
    return urlsplit(url).netloc or url


def shortened(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut to ``limit`` characters, for an error."""
    text = clean_line(str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """``url`` with ``params`` added to its query."""
    if not params:
        return url
    query = urlencode([(key, str(value)) for key, value in params.items()])
    return f"{url}{'&' if urlsplit(url).query else '?'}{query}"


def too_big(url: str, limit: int) -> TooLarge:
    """The error for a body past ``limit`` bytes."""
    return TooLarge(f"{host_of(url)} sent more than {limit / (1024 * 1024):g} MB; giving up")


def same_site(here: str, there: str) -> bool:
    """Whether two host names belong to one site: equal, or one inside the other (an IP
    address only equal: 127.0.0.1 is not "inside" 0.1)."""
    here, there = here.lower().rstrip("."), there.lower().rstrip(".")
    if here == there:
        return True
    if is_ip(here) or is_ip(there):
        return False
    return here.endswith("." + there) or there.endswith("." + here)


def is_ip(host: str) -> bool:
    """Whether ``host`` is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def redirect_target(current: str, location: str) -> str:
    """Where a redirect leads, if it is one to follow; ``BadResponse`` saying where if not."""
    here = urlsplit(current)
    host = here.hostname or ""
    try:
        joined = urljoin(current, location.strip())
        there = urlsplit(joined)
        there.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise BadResponse(f"{host} redirected to an address that is not one") from None
    if any(char <= " " or char == "\x7f" for char in joined):
        raise BadResponse(f"{host} redirected to an address that is not one")
    if not there.netloc:
        # "javascript:alert(1)", "mailto:…": no host at all.
        raise BadResponse(f"{host} redirected to an address that is not a web address")
    shown = shortened(joined, 120)
    if there.scheme.lower() not in ("http", "https"):
        raise BadResponse(f"{host} redirected to {shown}: only http and https are used")
    if not there.hostname:
        raise BadResponse(f"{host} redirected to an address that is not one")
    if here.scheme == "https" and there.scheme.lower() == "http":
        raise BadResponse(f"{host} redirected to {shown}, from https down to http")
    if not same_site(host, there.hostname) or not same_port(here, there):
        raise BadResponse(f"{host} redirected to another site: {shown}")
    return joined


DEFAULT_PORTS = {"http": 80, "https": 443}


def same_port(here: SplitResult, there: SplitResult) -> bool:
    """Whether a redirect stays on the port it came from: the same one, or the move from
    http's default port to https's (a site sending its readers to https). Another port of
    the same host is another server."""
    before = here.port or DEFAULT_PORTS.get(here.scheme.lower(), 0)
    after = there.port or DEFAULT_PORTS.get(there.scheme.lower(), 0)
    if before == after:
        return True
    return (here.scheme.lower(), before, there.scheme.lower(), after) == ("http", 80, "https", 443)


class Decoder:
    """A response body's content coding undone step by step, never past ``limit`` bytes."""

    def __init__(self, url: str, coding: str, limit: int) -> None:
        self.url = url
        self.limit = limit
        self.size = 0
        # One growing buffer, handed out as it is: joining a list of chunks would hold the
        # body twice at its largest.
        self.body = bytearray()
        codings = [c.strip().lower() for c in coding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise BadResponse(
                f"{host_of(url)} sent a body compressed {len(codings)} times over "
                f"({', '.join(codings)}); refusing it"
            )
        self.coding = codings[0] if codings else ""
        self._zlib: Any = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.coding:
            raise BadResponse(
                f"{host_of(url)} sent a body in an unknown coding: {shortened(coding)}"
            )
        self._started = False

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise too_big(self.url, self.limit)
        self.body += data

    def feed(self, data: bytes) -> None:
        """Take the next raw chunk."""
        if self._zlib is None:
            self._add(data)
            return
        try:
            if not self._started and self.coding == "deflate":
                # "deflate" is meant to be zlib-wrapped, but some servers send it raw.
                self._started = True
                probe = zlib.decompressobj()
                try:
                    probe.decompress(data[:2])
                except zlib.error:
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            while data and not self._zlib.eof:
                self._add(self._zlib.decompress(data, DECODE_STEP))
                data = self._zlib.unconsumed_tail
        except zlib.error:
            raise BadResponse(f"{host_of(self.url)} sent a body that does not decompress") from None

    def finish(self) -> bytearray:
        """The whole decoded body (a bytearray: every reader of bodies takes one)."""
        if self._zlib is not None:
            try:
                self._add(self._zlib.flush())
            except zlib.error:
                raise BadResponse(
                    f"{host_of(self.url)} sent a body that does not decompress"
                ) from None
        return self.body
