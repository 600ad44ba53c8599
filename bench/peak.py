"""Run ``python ARGS`` (``-m module ...`` or a script) in this process, and write to the
file REPORT the peak memory, in MiB, of this process and of its largest child.

This process's own peak is its VmHWM (``/proc/self/status``), which starts afresh at
``exec``; ``getrusage``'s ``ru_maxrss`` does not: a child's count starts from its
parent's size when it was started (the benchmark's own, here). The largest child's
figure is ``ru_maxrss`` of the children, so it is an upper bound: a child started by
transflow (a worker, Pagefind) counts from transflow's size at that moment."""

from __future__ import annotations

import resource
import runpy
import sys
from pathlib import Path


def _high_water_mark() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    report, *argv = sys.argv[1:]
    code = 0
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = argv
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    own = _high_water_mark()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    Path(report).write_text(f"{own} {child}\n")
    sys.exit(code)


if __name__ == "__main__":
    main()
