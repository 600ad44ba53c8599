"""``transflow status``: translation progress per week and language, read from the catalogs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transflow import catalog, pofile
from transflow.catalog import Counts
from transflow.config import Config
from transflow.memory import from_memory
from transflow.weeks import Week


@dataclass(frozen=True)
class StatusRow:
    week: str
    lang: str
    path: str
    exists: bool
    counts: Counts
    from_memory: int = 0
    """Entries whose translation came from the translation memory."""

    def as_dict(self) -> dict[str, object]:
        c = self.counts
        return {
            "week": self.week,
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


def status(config: Config, weeks: Sequence[Week],
           languages: Sequence[str] | None = None) -> StatusReport:
    rows = []
    for week in weeks:
        for lang in languages or config.languages:
            path = config.po_path(lang, str(week))
            if path.exists():
                po = pofile.read_catalog(path, config.rel(path))
                memory = sum(1 for e in po if not e.obsolete and from_memory(e))
                rows.append(StatusRow(str(week), lang, config.rel(path), True,
                                      catalog.count(po), memory))
            else:
                rows.append(StatusRow(str(week), lang, config.rel(path), False, Counts()))
    return StatusReport(tuple(rows))
