"""The website at archive scale: a synthetic archive of ``--weeks`` weeks × 3 languages
× 5 commentaries, fully translated and "published" (each week's bulletin page and
manifest written as a build would write them, without rendering PDFs), then
``build_site`` timed twice: the whole site from nothing, and again after one week's
catalog changed. The goal (issue 13): the second well under a second.

    .venv/bin/python bench/site.py [--weeks 520]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from workspace import REPO

from transflow.catalogs.update import update
from transflow.publish.build import run_job, write_rendered
from transflow.publish.plan import BuildOptions, plan_build
from transflow.site.pages import build_site
from transflow.sources.commentary import list_weeks
from transflow.workspace.config import load_config
from transflow.workspace.weeks import Week

TEXT = ("The ministry published the figures on Monday, and the regional councils are "
        "expected to comment on them in the coming weeks.")


def make_archive(root: Path, weeks: int) -> None:
    for name in ("transflow.toml", "glossary.csv", "assets"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("20*"))
    categories = ["security", "foreign", "domestic", "economy", "society"]
    for n in range(weeks):
        week = Week(2015 + n // 52, n % 52 + 1)
        folder = root / "sources" / str(week)
        folder.mkdir(parents=True)
        for i, category in enumerate(categories):
            (folder / f"note-{i}.md").write_text(
                f"---\ntitle: Note {i} of week {week}\ncategory: {category}\ntrend: "
                f"{['better', 'unchanged', 'worse'][(n + i) % 3]}\n---\n\n{TEXT} {n}\n",
                encoding="utf-8")


def publish_html(config, weeks):  # type: ignore[no-untyped-def]
    """Write each bulletin's page and manifest (HTML only: the site needs no PDF)."""
    plan = plan_build(config, weeks, BuildOptions(config.languages, ("html", "pdf")))
    for job in plan.jobs:
        job = replace(job, files=tuple(f for f in job.files if f[0] == "html"))
        write_rendered(config, run_job(job, config.root, config.template_path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=520)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_archive(root, args.weeks)
        config = load_config(root)
        weeks = list_weeks(config)
        update(config, weeks)
        publish_html(config, weeks)
        start = time.perf_counter()
        first = build_site(config)
        full = time.perf_counter() - start
        # One week changes: a title edited, the catalogs updated, its bulletins rebuilt.
        week = weeks[len(weeks) // 2]
        source = root / "sources" / str(week) / "note-0.md"
        source.write_text(source.read_text(encoding="utf-8").replace("Note 0", "Note zero"),
                          encoding="utf-8")
        update(config, [week])
        publish_html(config, [week])
        # Pagefind's share, timed inside the build (it runs when a commentary page changed).
        import transflow.site.search as search

        original, took = search.index, []

        def timed(*args: object) -> str | None:
            start = time.perf_counter()
            try:
                return original(*args)  # type: ignore[arg-type]
            finally:
                took.append(time.perf_counter() - start)

        search.index = timed  # type: ignore[assignment]
        start = time.perf_counter()
        second = build_site(config)
        one = time.perf_counter() - start
        search.index = original
        searched = sum(took)
    print(f"{args.weeks} weeks × 3 languages × 5 commentaries: {len(first.written)} files")
    print(f"whole site:             {full:7.2f} s")
    print(f"after one week changed: {one:7.2f} s ({len(second.written)} files rewritten)")
    print(f"  of which the search index (Pagefind): {searched:5.2f} s; "
          f"the site's pages: {one - searched:5.2f} s ({second.rendered} rendered)")


if __name__ == "__main__":
    main()
