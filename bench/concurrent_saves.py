"""Saves kept while ``transflow update`` runs again and again: a randomised soak.

A translator process saves one week's catalog every few milliseconds (each save adds
a numbered mark and keeps the marks it loaded; by rename as Poedit does, or in place
as nano does, chosen at random per run), while ``transflow update`` runs as a user
runs it, each time after a source of the week was edited (a paragraph added, moved,
or split). At the end, every save must still be in the file; a save that update
left alone is in it as saved.

Prints saves made, saves kept, updates that left the catalog alone, and runs.

    .venv/bin/python bench/concurrent_saves.py [--updates 100] [--how rename|inplace|both]
        [--anchor PATH]   # another transflow's src/ (an older checkout), run in turn
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workspace import REPO

sys.path.insert(0, str(REPO))

from tests.helpers import copy_sample
from tests.saver import marks

WEEK = "2024-W10"
COMMENTARY = "hi-tech-park-tax.md"  # written in English: in the ru catalog


def edited(text: str, rng: random.Random, n: int) -> str:
    """The commentary with a paragraph added, moved or split."""
    head, _, body = text.partition("\n---\n")
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    kind = rng.choice(("add", "move", "split"))
    if kind == "add":
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), f"Revision {n} adds a line.")
    elif kind == "move" and len(paragraphs) > 1:
        paragraphs.insert(rng.randrange(len(paragraphs)), paragraphs.pop())
    else:
        i = rng.randrange(len(paragraphs))
        words = paragraphs[i].split(" ")
        cut = max(1, len(words) // 2)
        paragraphs[i:i + 1] = [" ".join(words[:cut]), " ".join(words[cut:]) or "."]
    return f"{head}\n---\n" + "\n\n".join(paragraphs) + "\n"


def soak(how: str, updates: int, src: Path, rng: random.Random) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample(Path(tmp) / "sample")
        env = {**os.environ, "PYTHONPATH": str(src)}
        command = [sys.executable, "-m", "transflow", "update", "--week", WEEK,
                   "--workspace", str(root)]
        subprocess.run(command, env=env, check=True, capture_output=True)
        target = root / "locales" / "ru" / "LC_MESSAGES" / f"{WEEK}.po"
        commentary = root / "sources" / WEEK / COMMENTARY
        original = commentary.read_text(encoding="utf-8")
        log = Path(tmp) / "saves.log"
        saver = subprocess.Popen(
            [sys.executable, "-m", "tests.saver", str(target), how, "3600", str(log)],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        left_alone = 0
        try:
            while not log.exists() or not log.read_text():
                time.sleep(0.01)
            for n in range(updates):
                commentary.write_text(edited(original, rng, n), encoding="utf-8")
                result = subprocess.run(command, env=env, capture_output=True, text=True)
                if result.returncode != 0:
                    if "kept changing" not in result.stderr:
                        raise SystemExit(result.stderr)
                    left_alone += 1
        finally:
            saver.terminate()
            saver.wait()
        made = {int(line) for line in log.read_text().split()}
        kept = made & marks(target.read_text(encoding="utf-8"))
        shutil.rmtree(root, ignore_errors=True)
        return len(made), len(kept), left_alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--how", choices=("rename", "inplace", "both"), default="both")
    parser.add_argument("--anchor", type=Path, default=None,
                        help="the src/ of another transflow, soaked in turn with this one")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    ways = ("rename", "inplace") if args.how == "both" else (args.how,)
    codes = [("this", REPO / "src")] + ([("anchor", args.anchor)] if args.anchor else [])
    print(f"{args.updates} updates per way of saving; "
          + "; ".join(f"{name}: {src}" for name, src in codes))
    print(f"{'code':<7} {'saving':<8} {'saves made':>10} {'kept':>6} {'lost':>5} "
          f"{'left alone':>11}")
    for how in ways:
        for name, src in codes:  # in turn, each with the same edits
            made, kept, left = soak(how, args.updates, src, random.Random(args.seed))
            print(f"{name:<7} {how:<8} {made:>10} {kept:>6} {made - kept:>5} {left:>11}",
                  flush=True)


if __name__ == "__main__":
    main()
