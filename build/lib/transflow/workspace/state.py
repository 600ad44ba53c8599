"""What finished work was made from: ``.transflow/<name>-state.json`` keeps, per job,
a fingerprint of its inputs and outputs (their size and modification time, and what
else the job depends on) as they were when it last ran. A later run whose job finds
the same fingerprint skips it without parsing anything; a changed or deleted file
changes the fingerprint, so the job runs again. A damaged, foreign or older state
file is ignored: the work is redone, never trusted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from transflow.workspace.files import atomic_write

_VERSION = 1


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
                    data.get("jobs"), dict):
                self.jobs = {k: v for k, v in data["jobs"].items() if isinstance(v, dict)}
        except (OSError, ValueError):
            pass
        self._saved = json.dumps(self.jobs, sort_keys=True)

    def current(self, key: str, print_: str) -> dict[str, object] | None:
        """What the job remembered, when its fingerprint is still ``print_``."""
        job = self.jobs.get(key)
        return job if job is not None and job.get("fingerprint") == print_ else None

    def record(self, key: str, print_: str, **remembered: object) -> None:
        self.jobs[key] = {"fingerprint": print_, **remembered}

    def forget(self, key: str) -> None:
        self.jobs.pop(key, None)

    def save(self) -> None:
        data = json.dumps(self.jobs, sort_keys=True)
        if data != self._saved:
            atomic_write(self.path, json.dumps({"version": _VERSION, "jobs": self.jobs},
                                               ensure_ascii=False))
            self._saved = data
