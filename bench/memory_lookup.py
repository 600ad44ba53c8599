"""Translation memory at archive scale: transflow against GNU msgmerge --compendium.

Builds a memory of N translated entries (default 50,000: some 500 weeks of catalogs),
then a new week whose segments partly repeat or resemble the archive, and measures:
the lookup time per segment, ``transflow update`` of that week end to end (loading
the memory included), and ``msgmerge --compendium`` doing the same job.

    .venv/bin/python bench/memory_lookup.py [--entries N] [--segments M] [--limit SECONDS]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import time
from pathlib import Path

from workspace import scratch_workspace

from transflow.catalogs import pofile
from transflow.catalogs.memory import load_memory
from transflow.catalogs.model import Catalog, Entry, header_fields
from transflow.catalogs.update import update
from transflow.sources.commentary import load_week
from transflow.sources.markdown import split
from transflow.workspace.config import load_config
from transflow.workspace.weeks import Week

WORDS = ("ministry authorities decree border sanctions budget regional council transit "
         "exports grain pension rate inflation talks delegation report officials parliament "
         "deputies reform security exercises neighbours cooperation agreement prices bank "
         "currency harvest elections opposition court sentence detained protest media").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 28))]
    return " ".join(words).capitalize() + f", {rng.randint(2, 2000)} in total."


def pseudo_ru(text: str) -> str:
    return text[::-1]


def build_archive(root: Path, entries: int, rng: random.Random) -> list[str]:
    per_week = 100
    sources: list[str] = []
    folder = root / "locales" / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for n in range(entries // per_week):
        week = Week(2010 + n // 52, n % 52 + 1)
        entries_of_week = []
        for i in range(per_week):
            text = sentence(rng)
            sources.append(text)
            entries_of_week.append(Entry(msgctxt=f"c{i // 10}", msgid=text,
                                         msgstr=pseudo_ru(text)))
        catalog = Catalog(tuple(entries_of_week), header_fields(
            {"Language": "ru", "Content-Type": "text/plain; charset=UTF-8"}))
        pofile.write_catalog(catalog, folder / f"{week}.po")
    return sources


def edit(text: str, rng: random.Random) -> str:
    words = text.split()
    words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def filled_in(path: str) -> int:
    return sum(1 for e in pofile.read_catalog(Path(path)) if e.msgstr and not e.obsolete)


def timed(command: list[str], limit: float) -> float | None:
    start = time.perf_counter()
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--segments", type=int, default=100)
    parser.add_argument("--limit", type=float, default=300.0,
                        help="give up on msgmerge after this many seconds")
    args = parser.parse_args()
    rng = random.Random(4)
    with scratch_workspace() as root:
        archive = build_archive(root, args.entries, rng)
        new = []
        for _ in range(args.segments):
            roll = rng.random()
            base = rng.choice(archive)
            new.append(base if roll < 0.2 else edit(base, rng) if roll < 0.6 else sentence(rng))
        week = Week(2030, 1)
        folder = root / "sources" / str(week)
        folder.mkdir(parents=True)
        for i in range(0, len(new), 10):
            (folder / f"c{i // 10}.md").write_text(
                f"---\ntitle: Commentary {i // 10}\ncategory: security\n---\n\n"
                + "\n\n".join(new[i:i + 10]) + "\n", encoding="utf-8")
        config = load_config(root)

        start = time.perf_counter()
        load_memory(config, "ru")
        cold_seconds = time.perf_counter() - start
        start = time.perf_counter()
        memory = load_memory(config, "ru")
        load_seconds = time.perf_counter() - start
        texts = [s.text for c in load_week(config, week) for s in split(c)]
        start = time.perf_counter()
        one_by_one = [memory.lookup(t, config.memory_threshold) for t in texts]
        lookup_seconds = time.perf_counter() - start
        hits = sum(m is not None for m in one_by_one)
        # As update looks them up: all of a run's at once (a fresh memory: nothing kept).
        batch = load_memory(config, "ru")
        start = time.perf_counter()
        batch.prefetch(texts, config.memory_threshold)
        together = [batch.lookup(t, config.memory_threshold) for t in texts]
        batch_seconds = time.perf_counter() - start
        same = [(m.entry, m.score) if m else None for m in one_by_one] == [
            (m.entry, m.score) if m else None for m in together]

        start = time.perf_counter()
        report = update(config, [week], languages=["ru"])
        update_seconds = time.perf_counter() - start
        filled = sum(c.from_memory for c in report.catalogs)

        pot = root / "locales" / "templates" / f"{week}.pot"
        compendium = root / "compendium.po"
        catalogs = sorted((root / "locales" / "ru" / "LC_MESSAGES").glob("20[12]*.po"))
        catalogs = [p for p in catalogs if p.stem != str(week)]
        subprocess.run(["msgcat", "--use-first", "-o", str(compendium), *map(str, catalogs)],
                       check=True)
        empty = root / "empty.po"
        subprocess.run(["msginit", "--no-translator", "-l", "ru", "-i", str(pot),
                        "-o", str(empty)], check=True, capture_output=True)
        out = str(root / "merged.po")
        gnu_exact = timed(["msgmerge", "--no-fuzzy-matching", "--compendium", str(compendium),
                           "-o", out, str(empty), str(pot)], args.limit)
        gnu_exact_filled = filled_in(out) if gnu_exact is not None else 0
        gnu_fuzzy = timed(["msgmerge", "--compendium", str(compendium), "-o", out,
                           str(empty), str(pot)], args.limit)
        gnu_fuzzy_filled = filled_in(out) if gnu_fuzzy is not None else 0

        def show(seconds: float | None) -> str:
            return f"{seconds:8.2f} s" if seconds is not None else f"> {args.limit:.0f} s"

        print(f"memory: {len(memory)} entries from {len(catalogs)} catalogs, loaded in "
              f"{cold_seconds:.2f} s cold, {load_seconds:.2f} s from the .transflow cache")
        print(f"lookup: {len(texts)} segments, {hits} matched, "
              f"{1000 * lookup_seconds / len(texts):.2f} ms per segment one by one, "
              f"{1000 * batch_seconds / len(texts):.2f} ms per segment all at once "
              f"(as update does; same matches: {'yes' if same else 'NO'})")
        print(f"transflow update (memory, exact + fuzzy):     {show(update_seconds)}  "
              f"({filled} entries filled)")
        print(f"msgmerge --compendium --no-fuzzy-matching:    {show(gnu_exact)}  "
              f"({gnu_exact_filled} entries filled)")
        print(f"msgmerge --compendium (fuzzy):                {show(gnu_fuzzy)}  "
              f"({gnu_fuzzy_filled} entries filled)")
        if gnu_fuzzy is not None:
            print(f"time ratio, transflow update / fuzzy msgmerge: "
                  f"{update_seconds / gnu_fuzzy:.1f}x; entries filled: {filled} against "
                  f"{gnu_fuzzy_filled} (msgmerge matches within the same msgctxt only)")


if __name__ == "__main__":
    main()
