"""``transflow status``: translation progress per week and language, and of each
language's ui catalog, read from the catalogs (a catalog not changed since the last
``status`` or ``update`` is not read again: see ``Counted``)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog, Counts, FromMemory, count
from transflow.catalogs.ui import LabelStatus, label_status
from transflow.workspace.config import UI_SOURCE_LANGUAGE, Config
from transflow.workspace.progress import Progress
from transflow.workspace.records import Records, fingerprint, stamp
from transflow.workspace.weeks import Week


@dataclass(frozen=True)
class StatusRow:
    week: Week
    lang: str
    path: str
    exists: bool
    counts: Counts
    from_memory: int = 0
    """Entries whose translation came from the translation memory."""

    def as_dict(self) -> dict[str, object]:
        c = self.counts
        return {
            "domain": str(self.week),
            "week": str(self.week),
            "lang": self.lang,
            "path": self.path,
            "exists": self.exists,
            "segments": {"translated": c.translated, "fuzzy": c.fuzzy,
                         "untranslated": c.untranslated, "total": c.total},
            "words": {"translated": c.translated_words, "fuzzy": c.fuzzy_words,
                      "untranslated": c.untranslated_words, "total": c.total_words},
            "percent": round(c.percent, 1),
            "from_memory": self.from_memory,
        }


@dataclass(frozen=True)
class Counted:
    """What ``status`` found in a catalog: its record (``.transflow/status-state.json``),
    kept by the file's size and time."""

    counts: Counts
    from_memory: int


def status_records(config: Config) -> Records[Counted]:
    return Records(config.root, "status", Counted)


def counted(catalog: Catalog) -> Counted:
    return Counted(count(catalog), sum(
        1 for e in catalog.active if isinstance(e.origin, FromMemory)))


def remember_counts(config: Config, catalogs: Sequence[tuple[Path, Catalog]]) -> None:
    """The counts of catalogs just written (by ``update``), as they are on disk now:
    the next ``status`` reads none of them."""
    records = status_records(config)
    for path, catalog in catalogs:
        if (found := stamp(path))[0] >= 0:  # removed meanwhile: status finds it missing
            records.record(config.rel(path), fingerprint(found), counted(catalog))
    with contextlib.suppress(OSError):
        records.save()


@dataclass(frozen=True)
class StatusReport:
    rows: tuple[StatusRow, ...]
    labels: tuple[LabelStatus, ...] = ()
    """The ui catalog of each language other than the templates' own (English)."""


def status(config: Config, weeks: Sequence[Week], *,
           languages: Sequence[str] | None = None,
           progress: Progress | None = None) -> StatusReport:
    rows = []
    records = status_records(config)
    for done, week in enumerate(weeks):
        if progress:
            progress(str(week), done, len(weeks))
        for lang in languages or config.languages:
            path = config.po_path(lang, week)
            shown = config.rel(path)
            print_ = fingerprint(stamp(path))
            known = records.current(shown, print_)
            if known is None and pofile.exists(path, shown):
                known = counted(pofile.read_catalog(path, shown))
                records.record(shown, print_, known)
            if known is not None:
                rows.append(StatusRow(week, lang, shown, True, known.counts,
                                      known.from_memory))
            else:
                rows.append(StatusRow(week, lang, shown, False, Counts()))
    # The same content whoever writes it (no lock needed); in a read-only workspace,
    # the catalogs are read again next time.
    with contextlib.suppress(OSError):
        records.save()
    labels = tuple(label_status(config, lang) for lang in languages or config.languages
                   if lang != UI_SOURCE_LANGUAGE)
    return StatusReport(tuple(rows), labels)
