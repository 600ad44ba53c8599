"""A scratch workspace for the benchmarks: the repository's transflow.toml and
templates in a temporary folder, sources and catalogs left to the benchmark."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def scratch_workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copy(REPO / "transflow.toml", root / "transflow.toml")
        yield root
