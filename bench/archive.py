"""transflow on a ten-year archive, against GNU gettext.

Generates ``--weeks`` weeks (520 by default) × 5 English commentaries × 8 paragraphs,
runs ``transflow update``, translates 95% of the be and ru entries, and then times each
command as an editor runs it, in its own process (so imports and peak memory count):

- how ``update`` grows: 40 weeks against 120;
- the first ``update`` (no catalogs yet);
- ``update`` after 10% of the paragraphs were edited, against the anchor: a
  ``msgmerge --previous`` loop over the same catalogs and the same new templates, with
  the fuzzy suggestions each gives;
- a no-op ``update``, ``status``, ``check`` and a no-op ``check`` of the whole archive;
- ``build`` of the whole archive (HTML, and the site) and a no-op ``build`` after it;
- ``build`` of the last ``--build-weeks`` weeks (8 by default), HTML and PDF, with
  ``--jobs 1`` and ``--jobs 2``.

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
from dataclasses import replace
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
    for name in ("transflow.toml", "glossary.csv", "assets"):
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
            entries = [e if e.obsolete or rng.random() > share
                       else replace(e, msgstr=f"[{lang}] {e.msgid[::-1]}") for e in catalog]
            path.write_text(pofile.dumps(catalog.with_entries(entries)), encoding="utf-8")


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
    with tempfile.TemporaryFile() as errors:  # a pipe would fill up and block it
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "transflow", *args,
                                    "--workspace", str(root)],
                                   stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        errors.seek(0)
        said = errors.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) or "Traceback" in said:
        raise SystemExit(f"transflow {' '.join(args)} failed:\n{said[-2000:]}")
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


def growth(small: int, large: int) -> None:
    """How ``update`` grows with the archive: the first update and the update after a
    10% edit, at two sizes, and their ratio (linear is large / small)."""
    times: dict[int, tuple[float, float]] = {}
    for size in (small, large):
        rng = random.Random(size)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            make_sources(root, weeks_of(size), rng)
            first = run(root, "update")[0]
            translate(root, rng)
            run(root, "update")
            edit(root, rng)
            times[size] = (first, run(root, "update")[0])
    for i, what in enumerate(("first update", "update after a 10% edit")):
        a, b = times[small][i], times[large][i]
        print(f"{what:<38}{small} weeks {a:6.2f} s, {large} weeks {b:6.2f} s: ratio "
              f"{b / a:.2f} (linear: {large / small:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--build-weeks", type=int, default=8)
    args = parser.parse_args()
    growth(40, 120)
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
        checked = run(root, "check")
        row("check", *checked)
        noop_check = run(root, "check")
        row("no-op check", *noop_check, f"{noop_check[0] / checked[0]:.0%} of a real one")

        html = run(root, "build", "--format", "html", "--no-strict")
        row("build, whole archive, HTML only", *html)
        noop_build = run(root, "build", "--format", "html", "--no-strict")
        row("no-op build, whole archive", *noop_build, f"{noop_build[0] / html[0]:.0%} of a "
            "real one")

        # PDFs too, for the last weeks only: a workspace of those weeks.
        part = Path(tmp) / "part"
        part.mkdir()
        recent = [str(w) for w in weeks[-args.build_weeks:]]
        for name in ("transflow.toml", "glossary.csv", "assets"):
            src = root / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, part / name)
        for week in recent:
            shutil.copytree(root / "sources" / week, part / "sources" / week)
        shutil.copytree(root / "locales", part / "locales", ignore=lambda folder, names: [
            n for n in names if n.startswith("20") and n.split(".")[0] not in recent])
        one = run(part, "build", "--jobs", "1", "--no-strict")
        shutil.rmtree(part / "output")
        shutil.rmtree(part / ".transflow")
        two = run(part, "build", "--jobs", "2", "--no-strict")
        row(f"build {args.build_weeks} weeks, --jobs 1", *one)
        row(f"build {args.build_weeks} weeks, --jobs 2", *two,
            f"{two[0] / one[0]:.2f} × the --jobs 1 time")

if __name__ == "__main__":
    main()
