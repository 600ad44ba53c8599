"""``transflow status``: translation progress per week and language, and of each
language's ui catalog, read from the catalogs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transflow.catalogs import pofile
from transflow.catalogs.model import Counts, FromMemory, count
from transflow.catalogs.ui import LabelStatus, label_status
from transflow.workspace.config import UI_SOURCE_LANGUAGE, Config
from transflow.workspace.progress import Progress
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
class StatusReport:
    rows: tuple[StatusRow, ...]
    labels: tuple[LabelStatus, ...] = ()
    """The ui catalog of each language other than the templates' own (English)."""


def status(config: Config, weeks: Sequence[Week], *,
           languages: Sequence[str] | None = None,
           progress: Progress | None = None) -> StatusReport:
    rows = []
    for done, week in enumerate(weeks):
        if progress:
            progress(str(week), done, len(weeks))
        for lang in languages or config.languages:
            path = config.po_path(lang, week)
            if pofile.exists(path, config.rel(path)):
                catalog = pofile.read_catalog(path, config.rel(path))
                memory = sum(1 for e in catalog.active if isinstance(e.origin, FromMemory))
                rows.append(StatusRow(week, lang, config.rel(path), True, count(catalog),
                                      memory))
            else:
                rows.append(StatusRow(week, lang, config.rel(path), False, Counts()))
    labels = tuple(label_status(config, lang) for lang in languages or config.languages
                   if lang != UI_SOURCE_LANGUAGE)
    return StatusReport(tuple(rows), labels)
