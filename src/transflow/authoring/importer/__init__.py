"""``transflow import``: published pages (plain text copied from a browser, or saved
HTML) → source commentaries in the core format.

Three steps, one module each: ``decode`` reads the bytes (and saved HTML),
``recognise`` finds the commentary in the page's lines, ``write`` turns it into a
source file. ``import_pages`` does all of it for several pages, all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from transflow.authoring.importer.decode import decode, html_to_text
from transflow.authoring.importer.page import PageError, RecognisedPage
from transflow.authoring.importer.recognise import detect_language, page_labels, recognise
from transflow.authoring.importer.write import slug_for, to_markdown
from transflow.sources.commentary import parse_commentary
from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError
from transflow.workspace.files import (
    ChangedMeanwhile,
    Snapshot,
    WriteFailed,
    snapshot,
    workspace_lock,
    write_all,
)
from transflow.workspace.weeks import Week

__all__ = [
    "ImportReport",
    "Imported",
    "PageError",
    "RecognisedPage",
    "detect_language",
    "import_pages",
    "recognise",
]


@dataclass(frozen=True)
class Imported:
    name: str
    """The input as named on the command line (``-`` for standard input)."""
    path: str
    markdown: str
    written: bool
    exists: bool = False
    """A source of that name exists already (replaced with --force; a dry run shows it)."""
    note: str | None = None
    """What the editor should know of the bulletin it makes (a back issue's number)."""


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[Imported, ...]


def _number_note(config: Config, week: Week) -> str | None:
    """For a week before ``first_week``: its bulletin shows no issue number."""
    first = config.publication.first_week
    if first is None or config.issue_number(week) is not None:
        return None
    return (f"{week} is before first_week ({first}): its bulletin shows no issue number; "
            "to number back issues, set [publication] first_week earlier in transflow.toml "
            "(the number of every issue moves with it)")


def import_pages(
    config: Config,
    inputs: Sequence[tuple[str, bytes]],
    *,
    week: Week | None = None,
    lang: str | None = None,
    category: str | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> ImportReport:
    """Recognise and validate every page first, then write them all: one bad page writes
    nothing. Each file is validated as ``update`` will read it, before anything is written."""
    labels = page_labels(config)
    planned: list[Imported] = []
    expected: dict[str, Snapshot | None] = {}
    taken: dict[Week, set[str]] = {}
    for name, data in inputs:
        text = decode(data, name)
        html_title = html_author = None
        if name.lower().endswith((".html", ".htm")) or re.match(
                r"\s*(?:<!doctype html|<html)", text, re.IGNORECASE):
            text, html_title, html_author = html_to_text(text)
        page = recognise(text, config, name, week=week, lang=lang, category=category,
                         html_title=html_title, html_author=html_author, labels=labels)
        slugs = taken.setdefault(page.week, set())
        slug = slug_for(page.title, slugs)
        slugs.add(slug)
        path = config.sources_dir / str(page.week) / f"{slug}.md"
        expected[config.rel(path)] = snapshot(path)
        exists = expected[config.rel(path)] is not None
        if exists and not force and not dry_run:
            raise PageError(
                f"{config.rel(path)} already exists; pass --force to replace it", name)
        markdown = to_markdown(page)
        try:
            parse_commentary(config, page.week, path, markdown)
        except TransflowError as exc:
            raise PageError(f"would not be a valid source: {exc}", name) from None
        planned.append(Imported(name, config.rel(path), markdown, not dry_run, exists,
                                _number_note(config, page.week)))
    if not dry_run:
        try:
            with workspace_lock(config.root):
                # A source that appeared, or was edited, since it was looked at is never
                # replaced: nothing is imported then.
                write_all([(config.root / item.path, item.markdown, expected[item.path])
                           for item in planned], strict=True)
        except ChangedMeanwhile as exc:
            raise PageError("was written by someone else while importing; nothing was "
                            "imported: run the import again", config.rel(exc.path)) from None
        except WriteFailed as exc:
            raise PageError(f"cannot write it ({exc.error.strerror or exc.error}); nothing "
                            "was imported", config.rel(exc.path)) from None
    return ImportReport(tuple(planned))
