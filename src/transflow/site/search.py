"""Full-text search of the site with Pagefind: its indexer (the ``pagefind`` package
from PyPI, with its binary) runs over ``output/`` after the pages are written and
builds bundles, each holding an index per language (by each page's ``<html lang>``):
one per year, and in the latest year one per four weeks (see ``bundle_of``). Only
commentary pages are indexed (``data-pagefind-body``). The search page fetches the
index, so it works when the site is served over http (``transflow serve``), not from
``file://``."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError


def available() -> bool:
    return importlib.util.find_spec("pagefind") is not None


_PAGES = "{weeks}/*/*/index.html"
"""The commentary pages of some weeks, ``<week>/<lang>/<slug>/index.html``: the only
pages with ``data-pagefind-body``. Pagefind reads just these (a third less time than
reading the whole site to find them)."""

BUNDLES = "pagefind"
"""The folder of output/ holding the Pagefind bundles, ``pagefind/<name>/``: Pagefind
cannot update an index, so a change re-indexes its bundle only, and the search page
searches every bundle together (``mergeIndex``), the newest first."""

BLOCK = 4
"""Weeks per bundle in the latest year, where the editors' changes fall: Pagefind reads
every page of a bundle it makes, 60 of ``bench/archive.py``'s pages for four weeks
against 780 for a year (2.2 s from nothing, timed once as a process). Earlier years
have a bundle each, so that a search merges a score of bundles, not a hundred; at the
turn of a year its blocks become one bundle, indexed once."""

_NAME = re.compile(r"(\d{4})(?:-W(\d\d))?")


def bundle_of(week: str, latest: int) -> str:
    """The bundle holding the pages of ``week`` (``2025-W49``) when ``latest`` is the
    latest year published: the year (``2024``), or in the latest year, the block of
    ``BLOCK`` weeks (``2025-W49``: weeks 49 to 52, and 53 where the year has it)."""
    year, number = int(week[:4]), int(week[6:])
    if year != latest:
        return str(year)
    first = min((number - 1) // BLOCK, (52 - 1) // BLOCK) * BLOCK + 1
    return f"{year}-W{first:02d}"


def bundle_map(weeks: Iterable[str]) -> dict[str, str]:
    """Each of these weeks (every week published) and its bundle: the latest year is
    theirs."""
    found = set(weeks)
    latest = max((int(week[:4]) for week in found), default=0)
    return {week: bundle_of(week, latest) for week in found}


def bundles_of(weeks: Iterable[str]) -> dict[str, int]:
    """The bundles of the pages of these weeks (one entry per page), and how many pages
    each indexes."""
    pages = list(weeks)
    names = bundle_map(pages)
    return dict(Counter(names[week] for week in pages))


def _glob(name: str) -> str:
    match = _NAME.fullmatch(name)
    assert match is not None
    year, first = match.groups()
    if first is None:
        return _PAGES.format(weeks=f"{year}-W*")
    start = int(first)
    end = 53 if start + BLOCK > 52 else start + BLOCK - 1
    numbers = ",".join(f"{n:02d}" for n in range(start, end + 1))
    return _PAGES.format(weeks=f"{year}-W{{{numbers}}}")


def bundle_names(config: Config) -> list[str]:
    """The bundles there are, newest first."""
    folder = config.output_dir / BUNDLES
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir() if _NAME.fullmatch(p.name)),
                  reverse=True)


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


class Indexer:
    """Builds the bundles while the site writes its pages: each as soon as its last
    page is written (``done``), two at a time (an indexer keeps about a core and a half
    busy, so two together finish sooner than one after the other; timed once on a
    520-week archive: 3.2 s against 4.4 s for two years). ``finish`` waits for them and
    removes the bundles no longer wanted."""

    def __init__(self, config: Config, bundles: dict[str, int]) -> None:
        self.config = config
        self.bundles = bundles
        """Each bundle wanted, and how many pages it indexes."""
        self.folder = config.output_dir / BUNDLES
        self._futures: list[Future[str | None]] = []
        self._pool: ThreadPoolExecutor | None = None
        if available():
            self.folder.mkdir(parents=True, exist_ok=True)
            for leftover in self.folder.glob(".*-*"):  # from a run that was killed
                shutil.rmtree(leftover, ignore_errors=True)
            self._pool = ThreadPoolExecutor(max(1, min(2, os.cpu_count() or 1)),
                                            thread_name_prefix="transflow-pagefind")

    def done(self, name: str, changed: bool) -> None:
        """Every page of the bundle ``name`` is written (``changed``: one was, at
        least): it is made again if it changed or is not there."""
        if self._pool is not None and (
                changed or not (self.folder / name / "pagefind-entry.json").is_file()):
            self._futures.append(self._pool.submit(_index_bundle, self.config, name,
                                                   self.bundles[name]))

    def finish(self, whole: bool) -> str | None:
        """Wait for the bundles being made; ``whole`` (every page was written): remove
        the bundles no longer wanted. A warning when it cannot index; raises
        ``IndexIncomplete`` (or ``OSError``) as a bundle being made does."""
        if self._pool is None:
            return "no search index: install pagefind (pip install 'pagefind[bin]')"
        self._pool.shutdown(wait=True)
        problems = [future.result() for future in self._futures]
        if found := [p for p in problems if p is not None]:
            return found[0]
        if whole:
            for old in bundle_names(self.config):
                if old not in self.bundles:
                    shutil.rmtree(self.folder / old, ignore_errors=True)
        return None

    def cancel(self) -> None:
        """Stopped: the bundles not yet begun are not made; those being made are
        waited for (each is swapped in whole, or not at all)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def index(config: Config, bundles: dict[str, int], changed: set[str]) -> str | None:
    """Build each bundle of ``bundles`` (name: how many pages it indexes) whose pages
    ``changed`` or that is not there yet, in ``output/pagefind/<name>/``; remove the
    bundles no longer wanted; a warning when it cannot."""
    indexer = Indexer(config, bundles)
    for name in sorted(bundles, reverse=True):
        indexer.done(name, name in changed)
    return indexer.finish(whole=True)


def _index_bundle(config: Config, name: str, pages: int) -> str | None:
    """One bundle, written beside the old one and swapped in whole: readers
    never meet a half-written index, and a run killed halfway leaves the old one as it
    was. The files of earlier indexes do not pile up (Pagefind names its files by their
    content and never removes one)."""
    folder = config.output_dir / BUNDLES
    bundle = folder / name
    fresh = folder / f".{name}-new"
    stale = folder / f".{name}-old"
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
         "--glob", _glob(name), "--output-path", str(fresh),
         "--keep-index-url"],  # links to index.html, as everywhere on the site
        capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
        if "was empty" in detail[0] or "no pages" in detail[0].lower():
            return (f"search index {name}: no page to index was found in output/ (were "
                    "its pages removed while the site was built?); build again")
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
