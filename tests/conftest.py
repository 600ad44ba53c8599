"""Fixtures: temporary workspaces (a copy of the sample publication, or a small
one written by the test) and a CLI runner."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from transflow.cli import main

REPO = Path(__file__).resolve().parent.parent

MINI_CONFIG = """\
[publication]
slug = "test-bulletin"
languages = ["be", "ru", "en"]
source_language = "en"
min_translated = 0

[publication.title]
en = "Test Bulletin"
be = "Тэставы бюлетэнь"
ru = "Тестовый бюллетень"

[categories]
security = "Security issues"
economy = "Economy"
"""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample publication."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("transflow.toml", "glossary.csv", "templates", "sources", "locales"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy(src, root / name)
    return root


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A small workspace: config and templates, no sources yet."""
    root = tmp_path / "mini"
    root.mkdir()
    (root / "transflow.toml").write_text(MINI_CONFIG, encoding="utf-8")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def write_source(root: Path, week: str, slug: str, front: str, body: str) -> Path:
    path = root / "sources" / week / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n" + textwrap.dedent(front).strip() + "\n---\n\n" + textwrap.dedent(body).strip()
        + "\n",
        encoding="utf-8",
    )
    return path


def run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, [*args, "--workspace", str(root)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
