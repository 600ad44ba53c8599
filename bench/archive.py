"""transflow on an archive shaped like the publication's, as an editor runs it, against
the tools a team would use instead.

``--weeks`` weeks (520 by default) of ``corpus.py``'s content: five commentaries a week
in three source languages (15 commentary pages a week with the translations), eight to
twelve paragraphs each, a Zipf vocabulary of 6,000 words a language; 95% of the entries
translated. Every figure is a ``transflow`` command in its own process (imports and
start-up count); anchors run in turn with it, round by round; medians and ranges.

- ``update`` after editing 10% of the commentaries (a paragraph added, one split, one
  moved, one reworded, one with a word swapped, each) against a ``msgmerge --previous``
  loop over the same catalogs and the same new templates;
- a no-op ``update``, ``build --format html`` and ``status``;
- the whole site from nothing (``build --format html``: every bulletin's page, the site
  and its search index) against Hugo (Debian's ``hugo``) and Pagefind building the same
  commentary pages from the same Markdown;
- one commentary of the latest week changed: ``update`` and ``build --week`` (its
  HTML, PDF, the site and search), against WeasyPrint rendering that week's PDFs;
- ``--growth 130,1040``: the first ``update``, the update after an edit and the whole
  site at two sizes, with peak memory (linear growth is their size ratio).

    .venv/bin/python bench/archive.py [--weeks 520] [--rounds 3] [--growth 130,1040]
        [--parts site,no-op,changed,edit]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import corpus
from measure import (
    Run,
    clear_outputs,
    command,
    median,
    peak,
    rounds,
    shell,
    spread,
    transflow,
)

from transflow.catalogs import pofile


def prepared(root: Path, weeks: int) -> Run:
    """A translated archive of ``weeks``; the time of its first update."""
    corpus.make_workspace(root, corpus.weeks_of(weeks))
    first = transflow(root, "update")
    corpus.translate(root, random.Random(3))
    transflow(root, "update")  # the translators' files, as update writes them
    return first


def snapshot(root: Path, to: Path) -> None:
    shutil.rmtree(to, ignore_errors=True)
    to.mkdir(parents=True)
    for name in ("sources", "locales", ".transflow"):
        shutil.copytree(root / name, to / name)


def restore(root: Path, saved: Path) -> None:
    for name in ("sources", "locales", ".transflow"):
        shutil.rmtree(root / name)
        shutil.copytree(saved / name, root / name)


def msgmerge_loop(old: Path, templates: Path, out: Path) -> Run:
    script = out.with_suffix(".sh")
    lines = ["set -e"]
    for po in sorted(old.glob("*/LC_MESSAGES/20*.po")):
        target = out / po.relative_to(old)
        target.parent.mkdir(parents=True, exist_ok=True)
        lines.append(f"msgmerge --previous -q -o '{target}' '{po}' "
                     f"'{templates / (po.stem + '.pot')}'")
    script.write_text("\n".join(lines) + "\n")
    return shell(["sh", str(script)])


def fuzzy_count(folder: Path) -> int:
    return sum(1 for path in folder.glob("*/LC_MESSAGES/20*.po")
               for e in pofile.read_catalog(path) if e.fuzzy and not e.obsolete)


HUGO_CONFIG = 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS"]\n'
HUGO_SINGLE = """<!DOCTYPE html><html lang="{{ .Params.lang }}"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><header><a href="/">Home</a></header><main
data-pagefind-body><h1>{{ .Title }}</h1><p>{{ .Params.category }} · {{ .Params.trend }}</p>
{{ .Content }}</main><nav>{{ range first 5 .Site.RegularPages }}<a href="{{ .RelPermalink }}">
{{ .Title }}</a>{{ end }}</nav></body></html>
"""
HUGO_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ .Title }}</title>
</head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul></body></html>
"""


def hugo_site(root: Path, site: Path) -> None:
    """The archive's commentary pages, in every language, as a Hugo site: the sources'
    Markdown and the same text in the two other languages (15 pages a week)."""
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    for path in sorted((root / "sources").glob("*/*.md")):
        head, _, body = path.read_text(encoding="utf-8").partition("---\n\n")
        source = head.split("lang: ", 1)[1].split("\n", 1)[0]
        for lang in ("be", "ru", "en"):
            text = body if lang == source else corpus.pseudo_translation(body, lang)
            page = site / "content" / lang / path.parent.name / path.name
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(head.replace(f"lang: {source}", f"lang: {lang}") + "---\n\n"
                            + text, encoding="utf-8")


def hugo_and_pagefind(site: Path) -> Run:
    shutil.rmtree(site / "public", ignore_errors=True)
    built = shell(["hugo", "--quiet", "--source", str(site)])
    indexed = shell([sys.executable, "-m", "pagefind", "--site", str(site / "public"),
                     "--quiet"])
    return Run(built.seconds + indexed.seconds, max(built.own_mib, indexed.own_mib), 0.0)


FLOOR = '''
import sys
from pathlib import Path
from weasyprint import HTML
for page in sys.argv[2:]:
    HTML(filename=page, base_url=sys.argv[1]).write_pdf(pdf_tags=True)
'''


def row(name: str, runs: list[Run], note: str = "") -> None:
    print(f"  {name:<48}{spread(runs):<26}{peak(runs):<34}{note}")


PARTS = ("site", "no-op", "changed", "edit")


def archive(weeks: int, count: int, tmp: Path, parts: tuple[str, ...] = PARTS) -> None:
    root = tmp / "archive"
    first = prepared(root, weeks)
    print(f"{weeks} weeks: 5 commentaries a week × 3 languages, 8–12 paragraphs each, 95% "
          f"translated; {os.cpu_count()} CPUs; {count} rounds in turn, medians (range)")
    row("first update", [first])

    if "site" in parts:
        whole_site(root, count, tmp)
    else:  # the site the other parts start from
        transflow(root, "build", "--format", "html", "--no-strict")
    if "no-op" in parts:
        no_ops(root, count)
    if "changed" in parts:
        one_changed(root, count, tmp)
    if "edit" in parts:
        edited(root, count, tmp)


def whole_site(root: Path, count: int, tmp: Path) -> None:
    """The whole site, from nothing, against Hugo + Pagefind."""
    site = tmp / "hugo"
    hugo_site(root, site)
    has_hugo = shutil.which("hugo") is not None

    def whole() -> Run:
        clear_outputs(root)
        return transflow(root, "build", "--format", "html", "--no-strict")

    if has_hugo:
        built, anchor = rounds(count, whole, lambda: hugo_and_pagefind(site))
        row("whole site (build --format html)", built,
            f"Hugo + Pagefind {spread(anchor)}: {median(built) / median(anchor):.2f}x")
    else:
        built = rounds(count, whole)[0]
        row("whole site (build --format html)", built, "(no hugo: apt-get install hugo)")


def no_ops(root: Path, count: int) -> None:
    row("no-op build --format html", rounds(count, lambda: transflow(
        root, "build", "--format", "html", "--no-strict"))[0])
    row("no-op update", rounds(count, lambda: transflow(root, "update"))[0])
    row("status", rounds(count, lambda: transflow(root, "status"))[0])


def one_changed(root: Path, count: int, tmp: Path) -> None:
    """One commentary of the latest week changed: what the editor types next."""
    latest = sorted((root / "sources").iterdir())[-1]
    transflow(root, "build", "--week", latest.name, "--no-strict", ok=(0, 1))
    floor = tmp / "floor.py"
    floor.write_text(FLOOR)
    words = corpus.vocabularies()
    rng = random.Random(7)

    def changed() -> Run:
        corpus.edit_commentary(sorted(latest.glob("*.md"))[0], words, rng,
                               ("reword", "split"))
        update = transflow(root, "update")
        build = transflow(root, "build", "--week", latest.name, "--no-strict")
        return Run(update.seconds + build.seconds, max(update.own_mib, build.own_mib),
                   max(update.child_mib, build.child_mib))

    def pdfs() -> Run:
        pages = sorted(str(p) for p in (root / "output" / latest.name).glob("*/index.html"))
        return command([str(floor), str(root), *pages])

    change, rendering = rounds(count, changed, pdfs)
    row("one commentary changed: update + build --week", change,
        f"its PDFs alone (WeasyPrint) {spread(rendering)}: the rest "
        f"{median(change) - median(rendering):.2f} s")


def edited(root: Path, count: int, tmp: Path) -> None:
    """10% of the commentaries edited: update against a msgmerge loop."""
    saved = tmp / "saved"
    snapshot(root, saved)
    results: dict[str, int] = {}

    def ours() -> Run:
        restore(root, saved)
        results["edited"] = corpus.edit_archive(root, random.Random(11))
        found = transflow(root, "update")
        results["ours"] = fuzzy_count(root / "locales")
        return found

    def theirs() -> Run:
        out = tmp / "msgmerge"
        shutil.rmtree(out, ignore_errors=True)
        found = msgmerge_loop(saved / "locales", root / "locales" / "templates", out)
        results["theirs"] = fuzzy_count(out)
        return found

    update, anchor = rounds(count, ours, theirs)
    row(f"update after editing {results['edited']} commentaries", update,
        f"msgmerge loop {spread(anchor)}: {median(update) / median(anchor):.2f}x; fuzzy "
        f"{results['ours']} against msgmerge's {results['theirs']}")


def growth(sizes: list[int], tmp: Path) -> None:
    print(f"growth, {' → '.join(map(str, sizes))} weeks (linear: "
          f"{sizes[-1] / sizes[0]:.1f}x)")
    found: dict[int, dict[str, Run]] = {}
    for size in sizes:
        root = tmp / f"growth-{size}"
        runs = {"first update": prepared(root, size)}
        corpus.edit_archive(root, random.Random(11))
        runs["update after a 10% edit"] = transflow(root, "update")
        runs["whole site"] = transflow(root, "build", "--format", "html", "--no-strict")
        found[size] = runs
        shutil.rmtree(root)
    small, large = found[sizes[0]], found[sizes[-1]]
    for name in small:
        a, b = small[name], large[name]
        print(f"  {name:<28}{a.seconds:7.2f} s → {b.seconds:7.2f} s "
              f"({b.seconds / a.seconds:.1f}x); "
              f"peak {a.own_mib:.0f} → {b.own_mib:.0f} MiB ({b.own_mib / a.own_mib:.1f}x), "
              f"largest child {a.child_mib:.0f} → {b.child_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--growth", default="", help="sizes, e.g. 130,1040")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"which runs at --weeks (default: {','.join(PARTS)})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.weeks:
            archive(args.weeks, args.rounds, Path(tmp), tuple(args.parts.split(",")))
        if args.growth:
            growth([int(x) for x in args.growth.split(",")], Path(tmp))


if __name__ == "__main__":
    main()
