"""Full-text search of the site with Pagefind: its indexer (the ``pagefind`` package
from PyPI, with its binary) runs over ``output/`` after the pages are written and
builds one index per language, by each page's ``<html lang>``. Only commentary pages
are indexed (``data-pagefind-body``). The search page fetches the index, so it works
when the site is served over http (``transflow serve``), not from ``file://``."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from transflow.workspace.config import Config


def available() -> bool:
    return importlib.util.find_spec("pagefind") is not None


def index(config: Config) -> str | None:
    """Build the search index in ``output/pagefind/``; a warning when it cannot."""
    if not available():
        return "no search index: install pagefind (pip install 'pagefind[bin]')"
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(config.output_dir), "--quiet",
         "--keep-index-url"],  # links to index.html, as everywhere on the site
        capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
        return f"no search index: pagefind said {detail[0][:200]}"
    return None
