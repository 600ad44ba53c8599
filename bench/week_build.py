"""The time of a week build: three languages × HTML and PDF of the sample publication,
against the floor of one process rendering the same three HTML files with WeasyPrint.

Each run starts from an empty output/ (so every PDF is rendered), in a fresh process
that has imported transflow and WeasyPrint already; the best of ``--runs`` is kept.

    .venv/bin/python bench/week_build.py [--week 2024-W09] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from workspace import REPO

from transflow.publish.build import build
from transflow.sources.commentary import resolve_weeks
from transflow.workspace.config import load_config


def copy_sample(root: Path) -> None:
    for name in ("transflow.toml", "glossary.csv", "sources", "locales", "assets"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy(src, root / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--week", default="2024-W09")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="build --jobs (default: CPUs)")
    args = parser.parse_args()
    from weasyprint import HTML

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        copy_sample(root)
        config = load_config(root)
        weeks = resolve_weeks(config, args.week)
        build(config, weeks)  # warm: fonts found, caches filled
        html = [p.read_text(encoding="utf-8") for p in sorted(root.glob("output/*/*/index.html"))]
        times = []
        for _ in range(args.runs):
            shutil.rmtree(root / "output")
            start = time.perf_counter()
            report = build(config, weeks, jobs=args.jobs)
            times.append(time.perf_counter() - start)
        floor = []
        for _ in range(args.runs):
            start = time.perf_counter()
            for page in html:
                HTML(string=page, base_url=str(root)).write_pdf()
            floor.append(time.perf_counter() - start)
    best, bottom = min(times), min(floor)
    print(f"week {args.week}: {report.built} bulletins, HTML and PDF")
    print(f"transflow build:                    {best:6.2f} s")
    print(f"floor (WeasyPrint on the 3 pages):  {bottom:6.2f} s")
    print(f"ratio build / floor:                {best / bottom:6.2f}x")


if __name__ == "__main__":
    main()
