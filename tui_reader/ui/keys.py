"""The reader's keys, read from the live bindings: the help screen, the command palette, the
README's table and the check of ``[keymap]`` all start here, so a rebinding shows
everywhere and a key cannot be documented without existing.

A binding is listed when it has a ``tooltip``: that is its line of help. Its ``description``
is the short name the footer and the palette show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

#: What the marks in the lists mean (not keys, but the help screen explains them too).
LEGEND: tuple[tuple[str, str], ...] = (
    ("●", "unread"),
    ("new", "brought in by a sync and not opened yet"),
    ("○", "listed on a page, not fetched yet: enter unrolls it"),
    ("12/40", "a thread you started: the post you are at, of how many"),
    ("+3", "posts added since you read it (it opens at the first of them)"),
    ("✎", "posts edited or deleted upstream since you read it"),
)

#: Where each set of keys works, and the classes whose bindings they are, in the order the
#: help lists them: the app declares its own (``KEY_SECTIONS``), with its class first.
Sections = tuple[tuple[str, tuple[type[DOMNode], ...]], ...]


def sections(app_class: type[DOMNode]) -> Sections:
    """The app's sections of keys, its own bindings first (under "Everywhere")."""
    declared: Sections = getattr(app_class, "KEY_SECTIONS", ())
    return (("Everywhere", (app_class,)), *declared)


#: Key names as people write them.
NAMES = {
    "question_mark": "?",
    "slash": "/",
    "full_stop": ".",
    "space": "space",
    "escape": "escape",
    "enter": "enter",
    "tab": "tab",
    "shift+tab": "shift+tab",
    "down": "↓",
    "up": "↑",
    "home": "home",
    "end": "end",
    "pagedown": "page down",
    "pageup": "page up",
}


@dataclass(frozen=True)
class KeyRow:
    """One line of help: where, which keys (as rebound), what it does."""

    section: str
    keys: str
    help: str
    binding_id: str
    #: The short name (footer, palette).
    name: str
    action: str
    owner: type[DOMNode]


def _own_bindings(owner: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares itself (not those it inherits)."""
    declared: list[BindingType] = list(owner.__dict__.get("BINDINGS", []))
    return [binding for binding in declared if isinstance(binding, Binding)]


def key_names(keys: str) -> str:
    """``"j,down"`` as ``"j / ↓"``."""
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if key.startswith("ctrl+"):
            shown.append("ctrl+" + NAMES.get(key[5:], key[5:]))
        else:
            shown.append(NAMES.get(key, key))
    return " / ".join(shown)


def key_rows(app_class: type[DOMNode], keymap: Mapping[str, str]) -> list[KeyRow]:
    """Every documented key, with the keys ``keymap`` gives it."""
    palette = getattr(app_class, "COMMAND_PALETTE_BINDING", "ctrl+p")
    rows: list[KeyRow] = [
        KeyRow(
            "Everywhere",
            key_names(palette),
            "command palette: every action, open thread …, go to author …, themes",
            "",
            "Palette",
            "command_palette",
            app_class,
        )
    ]
    for section, owners in sections(app_class):
        for owner in owners:
            for binding in _own_bindings(owner):
                if not binding.tooltip:
                    continue
                keys = keymap.get(binding.id or "", binding.key) if binding.id else binding.key
                rows.append(
                    KeyRow(
                        section,
                        key_names(keys),
                        binding.tooltip,
                        binding.id or "",
                        binding.description,
                        binding.action,
                        owner,
                    )
                )
    order = list(dict.fromkeys(name for name, _ in sections(app_class)))
    return sorted(rows, key=lambda row: order.index(row.section))


def binding_ids(app_class: type[DOMNode]) -> set[str]:
    """Every binding id ``[keymap]`` may rebind."""
    ids = set()
    for _, owners in sections(app_class):
        for owner in owners:
            ids |= {binding.id for binding in _own_bindings(owner) if binding.id}
    return ids


def markdown_table(app_class: type[DOMNode]) -> str:
    """The README's table of keys (default keys), generated like the help screen."""
    lines = ["| key | in | does |", "|---|---|---|"]
    for row in key_rows(app_class, {}):
        keys = row.keys.replace("|", "\\|")
        lines.append(f"| {keys} | {row.section.lower()} | {row.help} |")
    return "\n".join(lines)
