"""Translation memory at archive scale: transflow against GNU msgmerge --compendium.

Builds a memory of N translated entries (default 50,000: some 500 weeks of catalogs),
then a new week whose segments partly repeat or resemble the archive, and measures:
the lookup time per segment, whether the lookups find what a search of every entry
finds, ``transflow update`` of that week end to end (loading the memory included),
and ``msgmerge --compendium`` doing the same job.

The archive's sentences draw on a vocabulary of some 8,000 words, the commonest few
(the, of, and...) most often, as prose does (Zipf's law). The lookups are measured
again on a memory made of 33 words only, the worst case for an index of 4-grams:
every entry then shares most of its 4-grams with every other.

    .venv/bin/python bench/memory_lookup.py [--entries N] [--segments M] [--limit SECONDS]
"""

from __future__ import annotations

import argparse
import itertools
import random
import subprocess
import time
from pathlib import Path

from workspace import scratch_workspace

from transflow.catalogs import pofile
from transflow.catalogs.memory import TranslationMemory, load_memory
from transflow.catalogs.model import Catalog, Entry, header_fields
from transflow.catalogs.update import update
from transflow.sources.commentary import load_week
from transflow.sources.markdown import split
from transflow.workspace.config import Config, load_config
from transflow.workspace.weeks import Week

NARROW = ("ministry authorities decree border sanctions budget regional council transit "
         "exports grain pension rate inflation talks delegation report officials parliament "
         "deputies reform security exercises neighbours cooperation agreement prices bank "
         "currency harvest elections opposition court sentence detained protest media").split()


COMMON = ("the of and to in a that for on with as by is was at from it its has have "
          "are be this said will not but after over".split())
SYLLABLES = ("ba be bi bo ca ce co da de di do fa fe fi ga ge go ha he hi ka ke ki ko la "
             "le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se "
             "si so su ta te ti to tu va ve vi vo za ze str tr pr gr nd nt rs st ck").split()


class Vocabulary:
    """Words and how often each is drawn: the n-th commonest 1/n as often as the
    first (Zipf), or all alike."""

    def __init__(self, words: list[str], zipf: bool) -> None:
        self.words = words
        weights = [1 / (n + 1) if zipf else 1.0 for n in range(len(words))]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def prose(rng: random.Random) -> Vocabulary:
    made: set[str] = set()
    while len(made) < 8000:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice([2, 2, 3, 3, 3, 4, 5]))))
    content = sorted(made)
    rng.shuffle(content)
    return Vocabulary(COMMON + content, zipf=True)


def narrow() -> Vocabulary:
    return Vocabulary(list(NARROW), zipf=False)


def sentence(rng: random.Random, vocabulary: Vocabulary) -> str:
    words = vocabulary.draw(rng, rng.randint(10, 28))
    return " ".join(words).capitalize() + f", {rng.randint(2, 2000)} in total."


def pseudo_ru(text: str) -> str:
    return text[::-1]


def build_archive(root: Path, entries: int, rng: random.Random,
                  vocabulary: Vocabulary) -> list[str]:
    per_week = 100
    sources: list[str] = []
    folder = root / "locales" / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for n in range(entries // per_week):
        week = Week(2010 + n // 52, n % 52 + 1)
        entries_of_week = []
        for i in range(per_week):
            text = sentence(rng, vocabulary)
            sources.append(text)
            entries_of_week.append(Entry(msgctxt=f"c{i // 10}", msgid=text,
                                         msgstr=pseudo_ru(text)))
        catalog = Catalog(tuple(entries_of_week), header_fields(
            {"Language": "ru", "Content-Type": "text/plain; charset=UTF-8"}))
        (folder / f"{week}.po").write_text(pofile.dumps(catalog), encoding="utf-8")
    return sources


def edit(text: str, rng: random.Random, vocabulary: Vocabulary) -> str:
    """One word replaced, or (one time in two) a rewording: two to four words
    replaced, endings changed or a few letters mistyped."""
    words = text.split()
    roll = rng.random()
    if roll < 0.5:
        words[rng.randrange(len(words))] = vocabulary.draw(rng, 1)[0]
    elif roll < 0.7:
        for _ in range(rng.randint(2, 4)):
            words[rng.randrange(len(words))] = vocabulary.draw(rng, 1)[0]
    elif roll < 0.85:
        words = [w[:-2] + rng.choice(["ed", "ing", "es", "al"]) if len(w) > 5
                 and rng.random() < 0.4 else w for w in words]
    else:
        letters = list(" ".join(words))
        for _ in range(len(letters) // 25):
            letters[rng.randrange(len(letters))] = rng.choice("aeiourst")
        return "".join(letters)
    return " ".join(words)


def new_week(archive: list[str], segments: int, rng: random.Random,
             vocabulary: Vocabulary) -> list[str]:
    """A fifth repeated from the archive, two fifths edited, the rest new."""
    new = []
    for _ in range(segments):
        roll = rng.random()
        base = rng.choice(archive)
        new.append(base if roll < 0.2 else edit(base, rng, vocabulary) if roll < 0.6
                   else sentence(rng, vocabulary))
    return new


def everything(memory: TranslationMemory, texts: list[str], threshold: float,
               ) -> list[tuple[str, float] | None]:
    """What a search of every entry finds: the best score, the first of equals."""
    from rapidfuzz import fuzz, process

    sources = [e.source for e in memory.entries()]
    found: list[tuple[str, float] | None] = []
    for row in process.cdist(texts, sources, scorer=fuzz.ratio, score_cutoff=threshold,
                             workers=-1):
        top = float(row.max())
        found.append((sources[int((row >= top).nonzero()[0][0])], top)
                     if top > 0 else None)
    return found


def workspace_of(root: Path, entries: int, segments: int, rng: random.Random,
                 vocabulary: Vocabulary) -> tuple[Config, Week, list[str]]:
    """An archive of ``entries`` in ru and a new week of ``segments`` in ``root``."""
    archive = build_archive(root, entries, rng, vocabulary)
    week = Week(2030, 1)
    folder = root / "sources" / str(week)
    folder.mkdir(parents=True)
    new = new_week(archive, segments, rng, vocabulary)
    for i in range(0, len(new), 10):
        (folder / f"c{i // 10}.md").write_text(
            f"---\ntitle: Commentary {i // 10}\ncategory: security\n---\n\n"
            + "\n\n".join(new[i:i + 10]) + "\n", encoding="utf-8")
    config = load_config(root)
    return config, week, [s.text for c in load_week(config, week) for s in split(c)]


def same(a: tuple[str, float] | None, b: tuple[str, float] | None) -> bool:
    """The same entry at the same score (two ways of computing it differ in the last
    bits)."""
    if a is None or b is None:
        return a is b
    return a[0] == b[0] and abs(a[1] - b[1]) < 1e-3


def lookups(config: Config, texts: list[str], threshold: float) -> dict[str, float]:
    """Lookups one by one and all at once, each on a memory just loaded, against a
    search of everything."""
    start = time.perf_counter()
    load_memory(config, "ru")
    cold_seconds = time.perf_counter() - start
    start = time.perf_counter()
    memory = load_memory(config, "ru")
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    memory.index()
    index_seconds = time.perf_counter() - start
    start = time.perf_counter()
    one_by_one = [memory.lookup(t, threshold) for t in texts]
    alone_seconds = time.perf_counter() - start
    batch = load_memory(config, "ru")
    batch.index()
    start = time.perf_counter()
    batch.prefetch(texts, threshold)
    together = [batch.lookup(t, threshold) for t in texts]
    batch_seconds = time.perf_counter() - start
    start = time.perf_counter()
    truth = everything(memory, texts, threshold)
    everything_seconds = time.perf_counter() - start
    found = [(m.entry.source, m.score) if m else None for m in one_by_one]
    return {"cold": cold_seconds, "load": load_seconds, "index": index_seconds,
            "alone": alone_seconds / len(texts), "everything": everything_seconds / len(texts),
            "together": batch_seconds / len(texts), "hits": sum(t is not None for t in truth),
            "differ": sum(not same(a, b) for a, b in zip(found, truth, strict=True)),
            "batch differ": sum(not same(a, b) for a, b in zip(
                found, [(m.entry.source, m.score) if m else None
                        for m in together],
                strict=True))}


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
    parser.add_argument("--segments", type=int, default=300)
    parser.add_argument("--limit", type=float, default=300.0,
                        help="give up on msgmerge after this many seconds")
    args = parser.parse_args()
    rng = random.Random(4)
    with scratch_workspace() as root:
        config, week, texts = workspace_of(root, args.entries, args.segments, rng, prose(rng))
        found = lookups(config, texts, config.memory.threshold)
        memory = load_memory(config, "ru")
        with scratch_workspace() as other:
            narrow_config, _, narrow_texts = workspace_of(other, args.entries, args.segments,
                                                          rng, narrow())
            worst = lookups(narrow_config, narrow_texts, narrow_config.memory.threshold)

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
              f"{found['cold']:.2f} s cold, {found['load']:.2f} s from the .transflow cache; "
              f"indexed in {found['index']:.2f} s (once per run)")
        for name, figures in (("prose", found), ("33 words", worst)):
            print(f"lookup ({name}): {len(texts)} segments, {figures['hits']} matched; "
                  f"{1000 * figures['alone']:.2f} ms per segment one by one, "
                  f"{1000 * figures['together']:.2f} ms all at once (as update does), "
                  f"against {1000 * figures['everything']:.2f} ms for rapidfuzz's cdist "
                  f"comparing every entry on every CPU "
                  f"({figures['together'] / figures['everything']:.2f}x); "
                  f"differ from a search of every entry: {figures['differ']}, "
                  f"between the two ways: {figures['batch differ']}")
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
