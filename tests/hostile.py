"""Hostile data for tests: text that tries to act, and servers that try to hang or flood.

``HOSTILE`` goes into every field a server controls. ``assert_inert`` says whether text that
reached a person (a screen line, a CLI line, a file) could still act on their terminal.
"""

from __future__ import annotations

import gzip
import re

from tests.server import Reply

#: Markup that would run an action or crash a parser, escape sequences (OSC 52 writes the
#: clipboard, CSI clears the screen), a C1 control, a bidi override and a lone surrogate.
HOSTILE = (
    '[b]bold?[/b] [@click=app.screenshot("pwned.svg","/tmp")]click[/] [/s] '
    "\x1b]52;c;cHduZWQ=\x07 \x1b[2J \x9b31m \u202eevil\u202c \ud800 end"
)
#: The parts of ``HOSTILE`` that must still be readable, as plain characters.
VISIBLE = ("[b]bold?[/b]", "[@click=app.screenshot(", "[/s]")
#: A title that crashed the palette when it was read as markup.
CRASHER = "That went well [/s]"

_LIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def live_characters(text: str) -> list[str]:
    """The characters in ``text`` that could act on a terminal or fail to encode."""
    return _LIVE.findall(text.replace("\r\n", "\n"))


def assert_inert(text: str, where: str = "") -> None:
    """Fail if ``text`` holds anything that could act on a terminal."""
    found = live_characters(text)
    assert not found, f"live characters {found!r} in {where or 'output'}: {text[:200]!r}"


def gzip_bomb(size: int, layers: int = 1) -> bytes:
    """``size`` zero bytes compressed ``layers`` times over (a few KB per 10 MB)."""
    body = bytes(size)
    for _ in range(layers):
        body = gzip.compress(body, compresslevel=9)
    return body


def bomb_reply(size: int, layers: int = 1) -> Reply:
    """A JSON-typed reply whose body inflates to ``size`` bytes."""
    coding = ", ".join(["gzip"] * layers)
    return Reply(
        200,
        gzip_bomb(size, layers),
        {"content-type": "application/json", "content-encoding": coding},
        encoded=True,
    )


def drip_reply(body: bytes, every: float) -> Reply:
    """A reply that sends one byte of ``body`` every ``every`` seconds."""
    return Reply(200, body, {"content-type": "application/json"}, fault="drip", delay=every)


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to ``location``."""
    return Reply(status, b"", {"location": location})


def nested_json(depth: int) -> bytes:
    """JSON nested ``depth`` levels deep (Python's parser gives up long before)."""
    return b'{"error": ' + b"[" * depth + b"]" * depth + b"}"
