"""Timing commands as a user runs them: each in its own process, with its wall time and
the peak memory of its own process and of its largest child (the workers, Pagefind),
anchors run in turn with what they anchor, and medians of the rounds."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PEAK = Path(__file__).with_name("peak.py")


@dataclass(frozen=True)
class Run:
    seconds: float
    own_mib: float
    """Peak memory of the command's own process."""
    child_mib: float
    """Peak memory of its largest child process."""


def command(argv: Sequence[str], cwd: Path | None = None, ok: Sequence[int] = (0,)) -> Run:
    """Run ``argv`` (a Python module or script after ``python``) through ``peak.py``."""
    with tempfile.NamedTemporaryFile() as report, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(PEAK), report.name, *argv], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=errors)
        seconds = time.perf_counter() - start
        if done.returncode not in ok:
            errors.seek(0)
            said = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{said[-2000:]}")
        own, child = (float(x) for x in Path(report.name).read_text().split())
    return Run(seconds, own, child)


def transflow(root: Path, *args: str, ok: Sequence[int] = (0,)) -> Run:
    return command(["-m", "transflow", *args, "--workspace", str(root)], ok=ok)


def shell(argv: Sequence[str], cwd: Path | None = None) -> Run:
    """Any program (a msgmerge loop, hugo): wall time and its peak memory (an upper
    bound: ``ru_maxrss`` counts from the benchmark's own size; see ``peak.py``)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return Run(time.perf_counter() - start, usage.ru_maxrss / 1024, 0.0)


def clear_outputs(root: Path) -> None:
    """A workspace as before its first build: no output/, no build, site or check
    records (the catalogs and the memory stay as they are)."""
    shutil.rmtree(root / "output", ignore_errors=True)
    for record in (root / ".transflow").glob("*-state.json"):
        if record.name.startswith(("build", "site", "check")):
            record.unlink()


def rounds(count: int, *steps: Callable[[], Run]) -> list[list[Run]]:
    """Each step once a round, in turn, ``count`` rounds: a step's runs."""
    found: list[list[Run]] = [[] for _ in steps]
    for _ in range(count):
        for i, step in enumerate(steps):
            found[i].append(step())
    return found


def median(runs: Sequence[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def spread(runs: Sequence[Run]) -> str:
    """The median and the range of the rounds, in seconds."""
    times = sorted(r.seconds for r in runs)
    if len(times) == 1:
        return f"{times[0]:.2f} s"
    return f"{statistics.median(times):.2f} s ({times[0]:.2f}–{times[-1]:.2f})"


def peak(runs: Sequence[Run]) -> str:
    return (f"{max(r.own_mib for r in runs):.0f} MiB"
            + (f", largest child {max(r.child_mib for r in runs):.0f} MiB"
               if any(r.child_mib for r in runs) else ""))
