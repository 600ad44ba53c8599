"""transflow on a ten-year archive, against GNU gettext.

Generates ``--weeks`` weeks (520 by default) × 5 English commentaries × 8 paragraphs,
runs ``transflow update``, translates 95% of the be and ru entries, and then times each
command as an editor runs it, in its own process (so imports and peak memory count):

- the first ``update`` (no catalogs yet);
- ``update`` after 10% of the paragraphs were edited, against the anchor: a
  ``msgmerge --previous`` loop over the same catalogs and the same new templates, with
  the fuzzy suggestions each gives;
- a no-op ``update``, ``status`` and ``check`` of the whole archive;
- ``build`` of ``--build-weeks`` weeks (8 by default) with ``--jobs 1`` and
  ``--jobs 2``, and a no-op ``build`` of the whole archive.

    .venv/bin/python bench/archive.py [--weeks N] [--build-weeks M]
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

from transflow.catalogs import pofile
from transflow.workspace.weeks import Week

WORDS = ("ministry authorities decree border sanctions budget regional council transit "
         "exports grain pension rate inflation talks delegation report officials parliament "
         "deputies reform security exercises neighbours cooperation agreement prices bank "
         "currency harvest elections opposition court sentence detained protest media "
         "factory railway wages imports loans fertiliser potash refinery customs visa "
         "students teachers hospitals doctors regions villages capital district mayor").split()
CATEGORIES = ("security", "foreign", "domestic", "economy", "society")
TRENDS = ("better", "unchanged", "worse")
PARAGRAPHS = 8


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))


def weeks_of(count: int) -> list[Week]:
    return [Week(2016 + n // 52, n % 52 + 1) for n in range(count)]


def make_sources(root: Path, weeks: list[Week], rng: random.Random) -> None:
    for name in ("transflow.toml", "glossary.csv", "templates", "assets"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("20*"))
    for n, week in enumerate(weeks):
        folder = root / "sources" / str(week)
        folder.mkdir(parents=True)
        for i, category in enumerate(CATEGORIES):
            body = "\n\n".join(paragraph(rng) for _ in range(PARAGRAPHS))
            (folder / f"note-{i}.md").write_text(
                f"---\ntitle: {sentence(rng)[:-1]}\ncategory: {category}\n"
                f"trend: {TRENDS[(n + i) % 3]}\n---\n\n{body}\n", encoding="utf-8")


def translate(root: Path, rng: random.Random, share: float = 0.95) -> None:
    """Fill ``share`` of the be and ru entries, as translators would have."""
    for lang in ("be", "ru"):
        for path in sorted((root / "locales" / lang / "LC_MESSAGES").glob("20*.po")):
            catalog = pofile.read_catalog(path)
            entries = [e if rng.random() > share else e.translated(f"[{lang}] {e.msgid[::-1]}")
                       for e in catalog]
            pofile.write_catalog(catalog.with_entries(entries), path)


def edit(root: Path, rng: random.Random, share: float = 0.10) -> int:
    """Rewrite ``share`` of the paragraphs: small, medium and large edits."""
    edited = 0
    for path in sorted((root / "sources").glob("*/*.md")):
        head, _, body = path.read_text(encoding="utf-8").partition("---\n\n")
        paragraphs = body.strip().split("\n\n")
        for i, text in enumerate(paragraphs):
            if rng.random() >= share:
                continue
            words = text.split()
            for _ in range(rng.choice((1, 2, max(1, len(words) // 6)))):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            paragraphs[i] = " ".join(words)
            edited += 1
        path.write_text(head + "---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return edited


def run(root: Path, *args: str) -> tuple[float, float]:
    """Seconds and peak MiB of ``transflow ARGS`` in its own process."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "transflow", "--workspace", str(root),
                                *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"transflow {' '.join(args)} failed:\n{errors}")
    return seconds, usage.ru_maxrss / 1024


def fuzzy_count(folder: Path) -> int:
    return sum(1 for path in folder.glob("*/LC_MESSAGES/20*.po")
               for e in pofile.read_catalog(path) if e.fuzzy and not e.obsolete)


def msgmerge_loop(old: Path, templates: Path, out: Path) -> float:
    start = time.perf_counter()
    for po in sorted(old.glob("*/LC_MESSAGES/20*.po")):
        target = out / po.relative_to(old)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["msgmerge", "--previous", "-q", "-o", str(target), str(po),
                        str(templates / f"{po.stem}.pot")], check=True)
    return time.perf_counter() - start


def row(name: str, seconds: float, mib: float, note: str = "") -> None:
    print(f"{name:<38}{seconds:8.2f} s {mib:7.0f} MiB  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--build-weeks", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(14)
    weeks = weeks_of(args.weeks)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        root.mkdir()
        make_sources(root, weeks, rng)
        print(f"{args.weeks} weeks × 5 commentaries × {PARAGRAPHS} paragraphs, "
              f"be and ru 95% translated; {os.cpu_count()} CPUs")
        first = run(root, "update")
        row("first update", *first)
        translate(root, rng)
        run(root, "update")  # the translators' files, as update writes them

        old = Path(tmp) / "before-edit"
        shutil.copytree(root / "locales", old)
        edited = edit(root, rng)
        seconds, mib = run(root, "update")
        ours = fuzzy_count(root / "locales")
        anchor = msgmerge_loop(old, root / "locales" / "templates", Path(tmp) / "msgmerge")
        theirs = fuzzy_count(Path(tmp) / "msgmerge")
        row(f"update after editing {edited} paragraphs", seconds, mib,
            f"msgmerge loop {anchor:.2f} s: ratio {seconds / anchor:.2f}; fuzzy suggestions "
            f"{ours} against msgmerge's {theirs}")
        noop = run(root, "update")
        row("no-op update", *noop, f"{noop[0] / seconds:.0%} of a real one")
        row("status", *run(root, "status"))
        row("check", *run(root, "check"))

        span = [str(w) for w in weeks[-args.build_weeks:]]
        selection = ["--from", span[0], "--to", span[-1]]
        shutil.rmtree(root / "output", ignore_errors=True)
        one = run(root, "build", *selection, "--jobs", "1", "--no-strict")
        shutil.rmtree(root / "output")
        shutil.rmtree(root / ".transflow", ignore_errors=True)
        two = run(root, "build", *selection, "--jobs", "2", "--no-strict")
        row(f"build {args.build_weeks} weeks, --jobs 1", *one)
        row(f"build {args.build_weeks} weeks, --jobs 2", *two,
            f"{two[0] / one[0]:.2f} × the --jobs 1 time")
        again = run(root, "build", *selection, "--no-strict")
        row("no-op build", *again, f"{again[0] / two[0]:.0%} of a real one")


if __name__ == "__main__":
    main()
