"""``transflow build --week`` from nothing, as an editor runs it: the sample week's HTML
and PDF in three languages, the site and its search index, against the floor of the
same work done by the tools themselves: one WeasyPrint process rendering the three
bulletin pages (tagged, as transflow renders them) and Pagefind indexing that week's
commentary pages.

Each round runs the build (output/ and the build's records removed first) and the floor,
in turn, each in its own process; the medians and their ratio are printed.

    .venv/bin/python bench/week_build.py [--week 2024-W09] [--rounds 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from measure import clear_outputs, command, median, peak, rounds, spread, transflow
from workspace import REPO

FLOOR = '''
import subprocess, sys, tempfile
from pathlib import Path
from weasyprint import HTML
root, week = Path(sys.argv[1]), sys.argv[2]
for page in sorted(root.glob(f"pages/{week}/*/index.html")):
    HTML(filename=str(page), base_url=str(root)).write_pdf(pdf_tags=True)
with tempfile.TemporaryDirectory() as bundle:
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(root / "pages"), "--quiet",
                    "--glob", f"{week}/*/*/index.html", "--output-path", bundle], check=True)
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--week", default="2024-W09")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample"
        root.mkdir()
        for name in ("transflow.toml", "glossary.csv", "sources", "locales", "assets"):
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
        transflow(root, "update")
        transflow(root, "build", "--week", args.week, ok=(0, 1))
        # The floor's input: the pages this build made (bulletins and commentaries).
        floor = Path(tmp) / "floor"
        shutil.copytree(root / "output" / args.week, floor / "pages" / args.week)
        (floor / "floor.py").write_text(FLOOR, encoding="utf-8")

        def ours():  # type: ignore[no-untyped-def]
            clear_outputs(root)
            return transflow(root, "build", "--week", args.week, ok=(0, 1))

        def theirs():  # type: ignore[no-untyped-def]
            return command([str(floor / "floor.py"), str(floor), args.week])

        built, anchor = rounds(args.rounds, ours, theirs)
    print(f"week {args.week} from nothing: HTML, PDF, site and search, 3 languages; "
          f"{args.rounds} rounds in turn, medians (range); Python {sys.version.split()[0]}")
    print(f"transflow build --week:           {spread(built)}, {peak(built)}")
    print(f"floor (WeasyPrint 3 PDFs + Pagefind): {spread(anchor)}, {peak(anchor)}")
    print(f"ratio:                            {median(built) / median(anchor):.2f}x")


if __name__ == "__main__":
    main()
