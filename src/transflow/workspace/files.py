"""Atomic file writes: a reader (or a crash) never sees a half-written file, and a set
of files that belong together is written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Atomically write ``data`` unless ``path`` already holds exactly it; True if written.

    Leaving unchanged files alone keeps their mtimes, so later stages can tell what changed.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data)
    return True


class WriteFailed(Exception):
    """Writing ``path`` failed with ``error``; nothing of the set was left changed."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: {error.strerror or error}")
        self.path = path
        self.error = error


def write_all(files: Sequence[tuple[Path, bytes | str]]) -> None:
    """Write every file or none: when one write fails (or the run is interrupted), the
    files already replaced get their previous content back, new ones are removed."""
    done: list[tuple[Path, bytes | None]] = []
    made: list[Path] = []  # folders this call created, deepest last
    try:
        for path, data in files:
            try:
                try:
                    before: bytes | None = path.read_bytes()
                except FileNotFoundError:
                    before = None
                missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
                made += reversed(missing)
                atomic_write(path, data)
            except OSError as exc:
                raise WriteFailed(path, exc) from None
            done.append((path, before))
    except BaseException:
        for path, before in reversed(done):
            with suppress(OSError):
                if before is None:
                    path.unlink()
                else:
                    atomic_write(path, before)
        for folder in reversed(made):
            with suppress(OSError):  # not empty, or never made
                folder.rmdir()
        raise
