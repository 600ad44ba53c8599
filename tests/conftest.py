"""Fixtures: temporary workspaces (a copy of the sample publication, or a small
one written by the test). Helpers that tests call are in ``tests.helpers``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MINI_CONFIG, copy_sample, run


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample publication."""
    return copy_sample(tmp_path / "sample")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A small workspace: a config (the default templates), no sources yet."""
    root = tmp_path / "mini"
    root.mkdir()
    (root / "transflow.toml").write_text(MINI_CONFIG, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def updated_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample publication after ``transflow update``, made once per test run (per
    worker) and copied for each test that asks for ``updated``."""
    root = copy_sample(tmp_path_factory.mktemp("updated-once") / "sample")
    assert run(root, "update").exit_code == 0
    return root


@pytest.fixture
def updated(tmp_path: Path, updated_once: Path) -> Path:
    """A copy of the sample publication after ``transflow update``, with its files'
    times kept: to transflow, as if ``update`` had just run here."""
    import shutil

    return Path(shutil.copytree(updated_once, tmp_path / "sample", symlinks=True))
