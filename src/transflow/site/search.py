"""Full-text search of the site with Pagefind: its indexer (the ``pagefind`` package
from PyPI, with its binary) runs over ``output/`` after the pages are written and
builds, for each year, one bundle holding an index per language (by each page's
``<html lang>``). Only commentary pages
are indexed (``data-pagefind-body``). The search page fetches the index, so it works
when the site is served over http (``transflow serve``), not from ``file://``."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError


def available() -> bool:
    return importlib.util.find_spec("pagefind") is not None


_PAGES = "{year}-W*/*/*/index.html"
"""The commentary pages of a year, ``<week>/<lang>/<slug>/index.html``: the only pages
with ``data-pagefind-body``. Pagefind reads just these (a third less time than reading
the whole site to find them)."""

BUNDLES = "pagefind"
"""The folder of output/ holding one Pagefind bundle per year, ``pagefind/<year>/``:
Pagefind cannot update an index, so a change re-indexes its year only, and the search
page searches every year's bundle together (``mergeIndex``)."""


def bundle_years(config: Config) -> list[int]:
    """The years that have a bundle, newest first."""
    folder = config.output_dir / BUNDLES
    if not folder.is_dir():
        return []
    return sorted((int(p.name) for p in folder.iterdir() if p.name.isdigit()), reverse=True)


class IndexIncomplete(TransflowError):
    """Pagefind left a bundle with an empty or truncated file (a full disk)."""


def _incomplete(bundle: Path) -> tuple[str, str] | None:
    """The first file of ``bundle`` that is not whole, and why: an empty file, an entry
    file that is not JSON, a compressed file Pagefind wrote now that does not inflate
    (files linked from the old bundle were checked when they were written)."""
    entry = bundle / "pagefind-entry.json"
    try:
        json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return entry.name, "pagefind-entry.json is missing or not JSON"
    for path in sorted(bundle.rglob("*")):
        if not path.is_file():
            continue
        stat = path.stat()
        name = str(path.relative_to(bundle))
        if stat.st_size == 0:
            return name, "an empty file"
        if path.suffix.startswith(".pf_") and stat.st_nlink == 1:
            try:
                zlib.decompress(path.read_bytes(), wbits=47)  # gzip or zlib
            except zlib.error:
                return name, "a truncated file"
    return None


def index(config: Config, years: dict[int, int], changed: set[int]) -> str | None:
    """Build the search index of each year of ``years`` (year: how many pages it
    indexes) whose pages ``changed`` or that has no bundle yet, in
    ``output/pagefind/<year>/``; remove the bundles of years no longer published; a
    warning when it cannot."""
    if not available():
        return "no search index: install pagefind (pip install 'pagefind[bin]')"
    folder = config.output_dir / BUNDLES
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".*-*"):  # from a run that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    stale = [year for year in sorted(years, reverse=True)
             if year in changed or not (folder / str(year) / "pagefind-entry.json").is_file()]
    # Two years at a time: an indexer keeps about a core and a half busy, so two together
    # finish sooner than one after the other (timed once on a 520-week archive: 3.2 s
    # against 4.4 s for two years); each stays small.
    with ThreadPoolExecutor(max(1, min(2, os.cpu_count() or 1, len(stale)))) as pool:
        problems = list(pool.map(lambda year: _index_year(config, year, years[year]), stale))
    if found := [p for p in problems if p is not None]:
        return found[0]
    for old in bundle_years(config):
        if old not in years:
            shutil.rmtree(folder / str(old), ignore_errors=True)
    return None


def _index_year(config: Config, year: int, pages: int) -> str | None:
    """One year's bundle, written beside the old one and swapped in whole: readers
    never meet a half-written index, and a run killed halfway leaves the old one as it
    was. The files of earlier indexes do not pile up (Pagefind names its files by their
    content and never removes one)."""
    folder = config.output_dir / BUNDLES
    bundle = folder / str(year)
    fresh = folder / f".{year}-new"
    stale = folder / f".{year}-old"
    # Pagefind does not write a fragment or index chunk whose name (a digest of its
    # content) exists: those start as hard links to the old ones, so only what changed
    # is written (a third of the time). Only those: the files with fixed names
    # (pagefind-entry.json, pagefind.js) are rewritten in place, which through a link
    # would change the index being served. The old chunks no longer used stay; once
    # they make up a fifth of the fragments, the bundle is made from nothing again.
    fragments = bundle / "fragment"
    if fragments.is_dir() and len(list(fragments.iterdir())) <= pages * 1.25 + 10:
        for chunks in ("fragment", "index"):
            if (bundle / chunks).is_dir():
                shutil.copytree(bundle / chunks, fresh / chunks, copy_function=os.link)
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(config.output_dir), "--quiet",
         "--glob", _PAGES.format(year=year), "--output-path", str(fresh),
         "--keep-index-url"],  # links to index.html, as everywhere on the site
        capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
        return f"no search index: pagefind said {detail[0][:200]}"
    if (broken := _incomplete(fresh)) is not None:
        # Pagefind said nothing of a full disk: the old index stays, the build fails.
        shutil.rmtree(fresh, ignore_errors=True)
        raise IndexIncomplete(f"the new search index is incomplete ({broken[1]}); the "
                              "previous index stays: free some space and build again",
                              config.rel(bundle / broken[0]))
    if bundle.exists():
        bundle.rename(stale)
    fresh.rename(bundle)
    shutil.rmtree(stale, ignore_errors=True)
    return None
