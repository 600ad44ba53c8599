"""``transflow status``: translation progress per week and language, read from the catalogs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transflow.catalogs import model as catalog
from transflow.catalogs import pofile
from transflow.catalogs.memory import from_memory
from transflow.catalogs.model import Counts
from transflow.catalogs.update import UI_DOMAIN, ui_entries
from transflow.workspace.config import UI_SOURCE_LANGUAGE, Config
from transflow.workspace.weeks import Week


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
            "domain": self.week,
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
    labels: tuple[LabelStatus, ...] = ()
    """The ui catalog of each language other than the templates' own (English)."""


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
    labels = tuple(label_status(config, lang) for lang in languages or config.languages
                   if lang != UI_SOURCE_LANGUAGE)
    return StatusReport(tuple(rows), labels)


@dataclass(frozen=True)
class LabelStatus:
    """How much of a language's ui catalog (the bulletin's own labels) is translated."""

    lang: str
    path: str
    exists: bool
    total: int
    translated: int

    @property
    def untranslated(self) -> int:
        return self.total - self.translated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict[str, object]:
        return {"domain": UI_DOMAIN, "week": None, "lang": self.lang, "path": self.path,
                "exists": self.exists, "labels": {"translated": self.translated,
                                                  "total": self.total},
                "percent": round(self.percent, 1)}


def label_status(config: Config, lang: str, drafts: bool = False) -> LabelStatus:
    """Labels of the current templates and settings that ``lang``'s ui.po translates
    (fuzzy ones only with ``drafts``); a label the file lacks counts as untranslated."""
    wanted = ui_entries(config)
    path = config.po_path(lang, UI_DOMAIN)
    translated = 0
    if path.exists():
        po = pofile.read_catalog(path, config.rel(path))
        done = {
            (e.msgctxt, e.msgid) for e in po
            if not e.obsolete and catalog.is_translated(e)
            and (drafts or not catalog.is_fuzzy(e))
        }
        translated = sum(1 for t in wanted if (t.msgctxt, t.msgid) in done)
    return LabelStatus(lang, config.rel(path), path.exists(), len(wanted), translated)
