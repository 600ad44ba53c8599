"""A translator who keeps saving, as a separate process: load the catalog, add a mark
to one entry's translator comment, save (through a temporary file and a rename, as
Poedit does, or in place: open, truncate, write, as nano does), again and again.

Every save adds ``s<N>`` and keeps the marks it loaded, so the marks still in the file
at the end say which saves survived: a save overwritten by a stale merge is gone
from every later save too.

    python -m tests.saver CATALOG rename|inplace SECONDS LOG
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import polib

MARK = "translator's marks:"


def marks(text: str) -> set[int]:
    """The save numbers a catalog's text holds."""
    # Translator comments may be wrapped over several lines, by either writer.
    return {int(n) for line in text.splitlines() if line.startswith("# ")
            for n in re.findall(r"(?<![\w'])s(\d+)\b", line)}


def save_once(path: Path, n: int, how: str) -> bool:
    """One save; False when the file could not be read at that instant (moved aside
    for a moment): the translator just saves again."""
    try:
        text = path.read_text(encoding="utf-8")
        catalog = polib.pofile(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    entries = [e for e in catalog if not e.obsolete]
    if not entries:
        return False
    entry = entries[0]
    kept = sorted(marks(text))
    entry.tcomment = f"{MARK} " + " ".join(f"s{m}" for m in [*kept, n])
    data = catalog.__unicode__().encode("utf-8")
    if how == "rename":
        tmp = path.with_name(f".{path.name}.saving-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    else:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        except FileNotFoundError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    return True


def main() -> None:
    path, how, seconds, log = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
    end = time.monotonic() + seconds
    n = 0
    stop: list[int] = []
    # SIGTERM ends the run between saves, never in the middle of one.
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(log, "a", encoding="utf-8") as out:
        while time.monotonic() < end and not stop:
            if save_once(path, n + 1, how):
                n += 1
                out.write(f"{n}\n")
                out.flush()
            time.sleep(0.003)


if __name__ == "__main__":
    main()
