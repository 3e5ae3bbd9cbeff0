"""Text from the network made inert: one definition, used where text enters and where it leaves.

Control characters become visible placeholders (ESC shows as ``␛``), so no escape sequence
reaches a terminal; bidi overrides and isolates (which can make text read backwards) and lone
surrogates (which cannot be encoded) become U+FFFD. Newlines and tabs are kept.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC
    if code == 0x7F:
        return "\u2421"
    return REPLACEMENT


def clean_text(text: str) -> str:
    """``text`` with nothing in it that could act on a terminal or fail to encode."""
    if text.isascii() and "\n" not in text and text.isprintable():
        # Nothing to replace (no control character, nothing outside ASCII), found at half
        # the cost of the search below: addresses, names and times are such text.
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Nearly all text is clean: finding nothing is cheaper than rebuilding it (a sync cleans
    # every field of every post).
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_placeholder, text)


def clean_line(text: str) -> str:
    """``text`` cleaned and folded onto one line (for names, handles, IDs, URLs)."""
    return " ".join(clean_text(text).split())
