"""Safe writes: a reader (or a crash) never sees a half-written file; a set of files
that belong together is written whole or not at all; a file is replaced only if it is
still what was read; and one transflow writer at a time holds the workspace lock.

Temporary files are named ``.<name>.transflow-XXXXXXXX.tmp``: recognisable, ignored by
git, and removed by the next run when a kill left them behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from transflow.workspace.errors import TransflowError

TEMP_MARK = ".transflow-"
LOCK_NAME = ".transflow/lock"


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp",
                               dir=path.parent)
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


# --- is it still what was read? ------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """What a file was when it was read: size, modification time and content digest."""

    size: int
    mtime_ns: int
    digest: str


def snapshot(path: Path, data: bytes | None = None) -> Snapshot | None:
    """``path`` as it is now (None when it does not exist); ``data`` is its content
    when the caller has just read it."""
    try:
        stat = path.stat()
        content = path.read_bytes() if data is None else data
    except FileNotFoundError:
        return None
    return Snapshot(stat.st_size, stat.st_mtime_ns, hashlib.sha256(content).hexdigest())


def unchanged(path: Path, before: Snapshot | None) -> bool:
    """Whether ``path`` is still what ``before`` recorded: the same size and
    modification time, or else (a touch, a save of the same text) the same content."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return before is None
    if before is None or stat.st_size != before.size:
        return False
    if stat.st_mtime_ns == before.mtime_ns:
        return True
    now = snapshot(path)
    return now is not None and now.digest == before.digest


# --- the workspace lock --------------------------------------------------------------

class LockHeld(TransflowError):
    """Another transflow run is writing in this workspace."""

    def __init__(self, holder: str, lock: Path) -> None:
        super().__init__(f"another transflow run ({holder}) is writing in this workspace; "
                         "wait for it to finish and run this again", lock)


_held: dict[Path, int] = {}


@contextmanager
def workspace_lock(root: Path) -> Iterator[None]:
    """Hold ``.transflow/lock`` (an OS file lock, released when the process ends, even
    by a kill) while writing; re-entrant within one process. On taking it, temporary
    files a killed run left behind are removed."""
    import fcntl

    key = root.resolve()
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path = root / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            raise LockHeld(holder, path) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        _held[key] = 1
        remove_stale_temp_files(root)
        try:
            yield
        finally:
            del _held[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Remove the temporary files of interrupted writes (only transflow's own names)."""
    import fnmatch

    removed = []
    pattern = f".*{TEMP_MARK}*.tmp"
    for folder in ("locales", "sources", "output", ".transflow"):
        # os.walk, not rglob: a tenth of the time over an archive's output, and it
        # follows no link out of the workspace.
        for parent, _, names in os.walk(root / folder):
            for name in names:
                if fnmatch.fnmatchcase(name, pattern):
                    path = Path(parent) / name
                    with suppress(OSError):
                        path.unlink()
                        removed.append(path)
    return removed
