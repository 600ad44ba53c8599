"""Characters sent to machine translation: transflow's draft against naive sending.

A bulletin repeats itself (names, stock phrases, recurring sentences). This script
builds a workspace of two weeks, the second partly repeating the first and itself,
drafts both with the offline ``pseudo`` provider (which counts characters exactly
as a paid provider would bill them), and prints what was sent against what a naive
client sending every untranslated segment would send. A re-run must send 0.

    .venv/bin/python bench/draft_characters.py [--segments N] [--repeat FRACTION]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import replace
from pathlib import Path

from workspace import scratch_workspace

from transflow.assist.draft import draft
from transflow.catalogs import pofile
from transflow.catalogs.model import HUMAN
from transflow.catalogs.update import update
from transflow.sources.commentary import list_weeks
from transflow.workspace.config import load_config

WORDS = ("ministry authorities decree border sanctions budget regional council transit "
         "exports grain pension rate inflation talks delegation report officials parliament "
         "deputies reform security exercises neighbours cooperation agreement prices").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
    return " ".join(words).capitalize() + f", {rng.randint(2, 2000)} units."


def write_week(root: Path, week: str, paragraphs: list[str]) -> None:
    folder = root / "sources" / week
    folder.mkdir(parents=True)
    for i in range(0, len(paragraphs), 5):
        body = "\n\n".join(paragraphs[i:i + 5])
        (folder / f"commentary-{i // 5}.md").write_text(
            f"---\ntitle: Commentary {i // 5} of {week}\ncategory: security\n---\n\n{body}\n",
            encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--repeat", type=float, default=0.4,
                        help="share of week 2's paragraphs repeating earlier text")
    args = parser.parse_args()
    rng = random.Random(1)
    with scratch_workspace() as root:
        first = [sentence(rng) for _ in range(args.segments)]
        second = [rng.choice(first) if rng.random() < args.repeat else sentence(rng)
                  for _ in range(args.segments)]
        write_week(root, "2024-W01", first)
        write_week(root, "2024-W02", second)
        config = load_config(root)
        weeks = list_weeks(config)
        update(config, weeks, languages=["ru"])
        naive = sum(
            len(e.msgid)
            for week in weeks
            for e in pofile.read_catalog(config.po_path("ru", week))
            if not e.msgstr
        )
        runs = []
        for week in weeks:
            report = draft(config, [week], languages=["ru"], provider="pseudo")
            runs.append(sum(p.characters for p in report.providers))
        # The translator rejects every draft; drafting again must cost nothing.
        for week in weeks:
            path = config.po_path("ru", week)
            catalog = pofile.read_catalog(path)
            path.write_text(pofile.dumps(catalog.with_entries(  # as the translator saves
                replace(e, msgstr="", flags=(), origin=HUMAN) for e in catalog)),
                encoding="utf-8")
        rerun = draft(config, weeks, languages=["ru"], provider="pseudo")
        sent = sum(runs)
        print(f"segments per week: {args.segments}, week 2 repeating: {args.repeat:.0%}")
        print(f"naive (every untranslated segment): {naive:>9} characters")
        print(f"transflow draft, week 1:            {runs[0]:>9} characters")
        print(f"transflow draft, week 2:            {runs[1]:>9} characters")
        print(f"transflow draft, both weeks:        {sent:>9} characters "
              f"({sent / naive:.0%} of naive, {naive / max(sent, 1):.2f}x fewer)")
        print(f"re-run after rejecting all drafts:  "
              f"{sum(p.characters for p in rerun.providers):>9} characters")


if __name__ == "__main__":
    main()
