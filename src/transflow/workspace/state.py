"""What finished work was made from: ``.transflow/<name>-state.json`` keeps, per job,
a fingerprint of its inputs and outputs (their size and modification time, and what
else the job depends on) as they were when it last ran. A later run whose job finds
the same fingerprint skips it without parsing anything; a changed or deleted file
changes the fingerprint, so the job runs again. A damaged, foreign or older state
file is ignored: the work is redone, never trusted."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from transflow.workspace.files import atomic_write

_VERSION = 1
_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def code_version() -> str:
    """transflow itself, by the size and time of its files: a record made by other code
    (an upgrade, a change in development) is not trusted, since the same inputs may
    now give other outputs."""
    files = sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in
                   p.parts)
    return fingerprint([(p.relative_to(_PACKAGE).as_posix(), stamp(p)) for p in files])


def stamp(path: Path) -> tuple[int, int]:
    """(modification time in ns, size); (-1, -1) for a missing file."""
    try:
        found = path.stat()
        return (found.st_mtime_ns, found.st_size)
    except OSError:
        return (-1, -1)


def fingerprint(*parts: object) -> str:
    """A digest of plain values (strings, numbers, lists, tuples, dicts)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


class JobState:
    """The fingerprints and remembered results of one command's jobs."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / ".transflow" / f"{name}-state.json"
        self.jobs: dict[str, dict[str, object]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("version") == _VERSION and isinstance(
                    data.get("jobs"), dict) and data.get("code") == code_version():
                self.jobs = {k: v for k, v in data["jobs"].items() if isinstance(v, dict)}
        except (OSError, ValueError):
            pass
        # Loaded from another version of transflow: saved again even if no job changes.
        self._saved = json.dumps(self.jobs, sort_keys=True) if self.jobs else ""

    def current(self, key: str, print_: str) -> dict[str, object] | None:
        """What the job remembered, when its fingerprint is still ``print_``."""
        job = self.jobs.get(key)
        return job if job is not None and job.get("fingerprint") == print_ else None

    def record(self, key: str, print_: str, **remembered: object) -> None:
        self.jobs[key] = {"fingerprint": print_, **remembered}

    def forget(self, key: str) -> None:
        self.jobs.pop(key, None)

    @property
    def changed(self) -> bool:
        """Whether ``save`` would write anything."""
        return json.dumps(self.jobs, sort_keys=True) != self._saved

    def save(self) -> None:
        data = json.dumps(self.jobs, sort_keys=True)
        if data != self._saved:
            atomic_write(self.path, json.dumps({"version": _VERSION, "code": code_version(),
                                                "jobs": self.jobs}, ensure_ascii=False))
            self._saved = data
