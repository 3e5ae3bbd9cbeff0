"""The layers of DESIGN.md, checked on every module's imports (function-level ones too), so
the seams stay where they are."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tui_reader"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever in the file."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(path): imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def importers(target: str) -> set[str]:
    """The modules that import ``target`` or anything inside it."""
    return {
        name
        for name, found in MODULES.items()
        if any(item == target or item.startswith(f"{target}.") for item in found)
    }


def test_the_rules_see_every_module() -> None:
    assert {"tui_reader.cli", "tui_reader.store", "tui_reader.sources.registry"} <= set(MODULES)
    # The CLI imports the reader inside a function: such imports count too.
    assert "tui_reader.ui.app" in MODULES["tui_reader.cli"]
    assert importers("sqlite3") and all(in_store(name) for name in importers("sqlite3"))


def in_store(name: str) -> bool:
    """Whether ``name`` is the store package or one of its modules."""
    return name == "tui_reader.store" or name.startswith("tui_reader.store.")


def circles() -> list[list[str]]:
    """Every set of the package's modules that import one another round a circle (Tarjan's
    strongly connected components over the imports, type-checking ones included)."""
    graph = {
        name: sorted(item for item in found if item in MODULES and item != name)
        for name, found in MODULES.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for other in graph[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in on_stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == name:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_no_modules_import_each_other_round_a_circle() -> None:
    assert circles() == []


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        # Textual only in the reader; the CLI starts it.
        ("textual", lambda name: name.startswith("tui_reader.ui")),
        (
            "tui_reader.ui",
            lambda name: name.startswith("tui_reader.ui") or name == "tui_reader.cli",
        ),
        # Only fetch.py speaks HTTP; only the store package runs SQL.
        ("httpx", lambda name: name == "tui_reader.fetch"),
        ("h11", lambda name: name == "tui_reader.fetch"),
        # httpx is the only HTTP client (the stack the project's owner named).
        ("aiohttp", lambda name: False),
        ("sqlite3", in_store),
        # The CLI and the reader reach the library through its facade.
        (
            "tui_reader.store",
            lambda name: (
                in_store(name)
                or name
                in (
                    "tui_reader.library",
                    "tui_reader.sync",
                    "tui_reader.watching",
                    "tui_reader.read_state",
                    "tui_reader.keeping",
                    "tui_reader.demo",
                )
            ),
        ),
        # The registry is the only list of sources.
        ("tui_reader.sources.bluesky", lambda name: name == "tui_reader.sources.registry"),
        ("tui_reader.sources.mastodon", lambda name: name == "tui_reader.sources.registry"),
        (
            "tui_reader.sources.threadreader",
            lambda name: name == "tui_reader.sources.registry",
        ),
        # Each source's own page reader is loaded by that source alone.
        (
            "tui_reader.sources.threadreader_pages",
            lambda name: name == "tui_reader.sources.threadreader",
        ),
        ("tui_reader.sources.mastodon_html", lambda name: name == "tui_reader.sources.mastodon"),
        ("tui_reader.sources.bluesky_records", lambda name: name == "tui_reader.sources.bluesky"),
        # Plain data and safe text depend on nothing above them.
        (
            "tui_reader.library",
            lambda name: name.split(".")[1] in ("cli", "cli_living", "ui", "demo"),
        ),
    ],
)
def test_layer_rule(target: str, allowed: object) -> None:
    assert callable(allowed)
    breaking = sorted(name for name in importers(target) if not allowed(name))
    assert breaking == [], f"{target} is imported where it must not be: {breaking}"


def test_starting_the_reader_loads_no_source_no_html_parser_and_no_network_layer() -> None:
    # What the reader imports before its first screen is paid on every start (DESIGN.md's
    # budget): pages are parsed, and the network used, only when a thread is fetched.
    heavy = (
        "html.parser",
        "httpx",
        "tui_reader.sources.bluesky",
        "tui_reader.sources.chain",
        # Pillow loads with the first kept image shown, or kept.
        "PIL",
        "PIL.Image",
    )
    probe = (
        "import sys, tui_reader.cli, tui_reader.ui.app; "
        f"print(' '.join(sorted(m for m in {heavy!r} if m in sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_only_the_library_reaches_its_store() -> None:
    # The reader and the CLI ask the library; what they need of the file is a call there.
    reaching = sorted(
        path.name
        for path in PACKAGE.rglob("*.py")
        if "library.store" in path.read_text("utf-8") and path.name != "library.py"
    )
    assert reaching == []


def test_sources_and_renderers_stay_below_the_library() -> None:
    above = ("tui_reader.library", "tui_reader.store", "tui_reader.ui", "tui_reader.cli")
    for name, found in MODULES.items():
        if name.startswith("tui_reader.sources") or name in (
            "tui_reader.models",
            "tui_reader.render",
            "tui_reader.formats",
            "tui_reader.pdf",
            "tui_reader.export",
            "tui_reader.fetch",
        ):
            wrong = sorted(item for item in found if item.startswith(above))
            assert wrong == [], f"{name} reaches up into {wrong}"


def test_each_source_the_registry_declares_is_a_class_of_that_name() -> None:
    from tui_reader.sources import Source, source_types
    from tui_reader.sources.registry import SOURCES

    classes = source_types()
    assert [kind.name for kind in classes] == [entry.name for entry in SOURCES]
    assert all(issubclass(kind, Source) for kind in classes)


def test_a_thread_the_library_holds_is_found_without_the_network_layer(tmp_path: Path) -> None:
    # read REF of a thread already in the library: resolving the REF and reading the copy
    # loaded the HTTP client (90 ms before the first screen).
    probe = f"""
import asyncio, sys
from pathlib import Path
from tui_reader.config import Config
from tui_reader.library import Library
from tui_reader.models import Author, Post, Thread
from tui_reader.store import Store

library = Library(Config(), Store(Path({str(tmp_path / "library.sqlite3")!r})))
author = Author("bluesky", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "a.bsky.social", "A")
uri = "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kabc"
post = Post(uri, "https://bsky.app/x", "2024-01-01T00:00:00Z", "held")
library.store.save_thread(Thread.from_posts("bluesky", author, (post,), "2024-01-02T00:00:00Z"))
url = "https://bsky.app/profile/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/post/3kabc"
thread = asyncio.run(library.unroll(url))
assert thread.posts[0].text == "held"
print(" ".join(sorted(m for m in ("httpx", "tui_reader.fetch") if m in sys.modules)))
"""
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_the_template_for_a_new_source_is_a_working_source() -> None:
    # docs/adding-a-source.md's template must stay a Source the current code accepts.
    from tui_reader.models import PostRef
    from tui_reader.sources import Source

    doc = (PACKAGE.parent / "docs" / "adding-a-source.md").read_text("utf-8")
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "adding-a-source.md", "exec"), namespace)  # noqa: S102 - our own doc
    kind = namespace["ExampleSource"]
    assert isinstance(kind, type) and issubclass(kind, Source)
    source = kind(lambda: None, {"api": "https://api.example.org"})  # abstract methods all there
    ref = source.resolve("https://example.org/@ada/12345")
    assert isinstance(ref, PostRef) and ref.key == "ada/12345"
    assert source.resolve("https://elsewhere.example/@ada/1") is None
