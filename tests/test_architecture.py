"""The shape of the code: packages depend one way, toward workspace; each third-party
library is imported in one module; the library never imports click."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "transflow"
# Lower numbers are lower layers: a package may import its own layer's modules only
# from its own package, and any package of a lower layer.
LAYERS = {
    "workspace": 0,
    "sources": 1,
    "catalogs": 2,
    "assist": 3,
    "quality": 3,
    "authoring": 3,
    "publish": 4,
    "delivery": 5,
    "site": 5,
    "cli": 6,
}
# Each third-party library and the one module allowed to import it.
LIBRARIES = {
    "babel": "workspace/lang.py",
    "jinja2": "publish/render_html.py",
    "markupsafe": "publish/render_html.py",
    "weasyprint": "publish/render_pdf.py",
    "pydyf": "publish/render_pdf.py",
    "markdown_it": "sources/markdown.py",
    "yaml": "sources/commentary.py",
    "deep_translator": "assist/mt/providers/deep.py",
    "requests": "assist/mt/providers/deep.py",
    "rapidfuzz": "catalogs/similarity.py",
    "defusedxml": "catalogs/memory.py",
    "translate": "quality/toolkit.py",
    "trafilatura": "authoring/importer/decode.py",
    "slugify": "authoring/importer/write.py",
    "email_validator": "delivery/subscribers.py",
    "dkim": "delivery/message.py",
    "feedgen": "site/feeds.py",
    "waitress": "site/serve.py",
    "flufl": "delivery/bounces.py",
    "PIL": "site/icon.py",
}


def imports() -> dict[str, set[str]]:
    """Module path (relative to src/transflow) → the top-level names it imports."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found[rel] |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found[rel].add(node.module)
    return found


def package_of(module: str) -> str | None:
    """``transflow.catalogs.model`` → ``catalogs``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "transflow" and len(parts) > 1 else None


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


def test_dependencies_point_toward_workspace() -> None:
    wrong = []
    for module, names in imports().items():
        own = module.split("/")[0]
        if own not in LAYERS:
            continue
        for name in names:
            other = package_of(name)
            if other is None or other not in LAYERS or other == own:
                continue
            if LAYERS[other] >= LAYERS[own]:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


@pytest.mark.parametrize(("library", "home"), sorted(LIBRARIES.items()))
def test_each_library_is_imported_in_one_module(library: str, home: str) -> None:
    users = sorted(module for module, names in imports().items()
                   if any(n == library or n.startswith(library + ".") for n in names))
    assert users == [home]


def test_polib_is_not_used() -> None:
    # transflow reads PO files itself (catalogs/pofile.py): polib loses characters,
    # escapes and header spacing that GNU gettext keeps.
    assert not [m for m, names in imports().items() if "polib" in names]


def test_only_the_cli_knows_click() -> None:
    users = sorted(module for module, names in imports().items()
                   if any(n == "click" or n.startswith("click.") for n in names))
    assert users and all(module.startswith("cli/") for module in users)


def test_every_module_says_what_it_owns() -> None:
    for path in SRC.rglob("*.py"):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.relative_to(SRC)} has no docstring"


def test_no_module_imports_another_modules_private_name() -> None:
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "transflow"):
                private = [a.name for a in node.names
                           if a.name.startswith("_") and not a.name.startswith("__")]
                assert not private, f"{path.relative_to(SRC)} imports {private}"
