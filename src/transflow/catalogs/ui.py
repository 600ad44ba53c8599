"""The ui catalogs: the bulletin's own labels (masthead, contents, categories, trend
verdicts, notes), extracted from the templates and ``transflow.toml``, translated in
``locales/<lang>/LC_MESSAGES/ui.po``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog, TemplateEntry, Translations, unique
from transflow.workspace.config import UI_DOMAIN, UI_SOURCE_LANGUAGE, Config
from transflow.workspace.lang import extract_ui_messages
from transflow.workspace.records import Records, fingerprint, stamp

DRAFT_NOTE = "machine-translated draft"
CHECK_NOTE = "check error"
"""The label after a machine-translated draft in a preview (used from Python)."""
PREVIEW_MARK = "Preview: contains unreviewed translations"
NOT_FOUND = "There is no such page here."
CORRECTION = "Correction"
"""Before the subject of a bulletin sent again, corrected (send --correction)."""
"""The site's not-found page says it in every language (used from Python)."""
"""The label every preview page carries (the template's banner, the PDF's running mark)."""


SHIPPED_LABELS = Path(__file__).resolve().parent.parent / "locales"
"""The labels of transflow's default templates, translated: ``<lang>.po``."""


@cache
def shipped_labels(lang: str) -> dict[tuple[str, str | None], tuple[str, ...]]:
    """transflow's own translation of each label of its templates into ``lang``, by
    (msgid, msgid_plural): the msgstr, or each plural form."""
    path = SHIPPED_LABELS / f"{lang}.po"
    if not path.is_file():
        return {}
    return {(e.msgid, e.msgid_plural): e.msgstr_plural if e.msgid_plural else (e.msgstr,)
            for e in pofile.read_catalog(path, f"transflow/locales/{lang}.po")
            if e.msgctxt is None and e.reviewed}


def fill_shipped(catalog: Catalog, lang: str) -> tuple[Catalog, int]:
    """A ui catalog whose untouched labels (no translation, not fuzzy: never a
    translator's) are given transflow's own translation, when it ships one: a label a
    new version of the templates adds comes translated, as in a new workspace; and how
    many."""
    shipped = shipped_labels(lang)
    filled = 0
    entries = []
    for e in catalog:
        found = shipped.get((e.msgid, e.msgid_plural)) if (
            e.msgctxt is None and not (e.obsolete or e.fuzzy or e.has_translation)) else None
        if found and not e.msgid_plural:
            e = replace(e, msgstr=found[0])
            filled += 1
        elif found and len(found) == len(e.msgstr_plural):  # the same plural forms
            e = replace(e, msgstr_plural=found)
            filled += 1
        entries.append(e)
    return (catalog.with_entries(entries) if filled else catalog), filled


_extracted: dict[tuple[object, ...], list[TemplateEntry]] = {}


def _state(config: Config) -> tuple[object, ...]:
    """What the labels depend on: the templates and transflow.toml, as files now."""
    files = [config.config_path, *config.template_files()]
    return tuple((config.rel(p), *stamp(p)) for p in files if p.is_file())


@dataclass(frozen=True)
class Extracted:
    """The labels as extracted from the templates and settings: the record
    (``.transflow/labels-state.json``) that spares the next run the parsing."""

    entries: tuple[TemplateEntry, ...]


def ui_entries(config: Config) -> list[TemplateEntry]:
    """The bulletin's labels: the templates' messages, category and trend labels, notes.

    Extracting them parses every template (a fifth of a second); the answer is
    recorded, and kept in the process, while the files stay as they are."""
    key = _state(config)
    if key not in _extracted:
        _extracted.clear()
        records = Records(config.root, "labels", Extracted)
        print_ = fingerprint(key)
        known = records.current("templates", print_)
        if known is None:
            known = Extracted(tuple(_extract(config)))
            records.record("templates", print_, known)
            # The same content whoever writes it: no lock needed; in a read-only
            # workspace, extracted again next time.
            with contextlib.suppress(OSError):
                records.save()
        _extracted[key] = list(known.entries)
    return list(_extracted[key])


def _extract(config: Config) -> list[TemplateEntry]:
    text = config.config_path.read_text(encoding="utf-8").splitlines()

    def line_of(label: str) -> str:
        for number, line in enumerate(text, start=1):
            if label in line:
                return str(number)
        return ""

    entries = [
        TemplateEntry(None, m.msgid, m.msgid_plural,
                      tuple((path, str(line)) for path, line in m.locations),
                      "\n".join(m.comments))
        for m in extract_ui_messages([(p, config.rel(p)) for p in config.template_files()])
    ]
    entries += [
        TemplateEntry(None, label, None, (("transflow.toml", line_of(label)),), "category")
        for label in config.categories.values()
    ]
    entries += [
        TemplateEntry(None, label, None, (("transflow.toml", line_of(label)),), "trend verdict")
        for label in config.trends.values()
    ]
    # Used from Python, so Babel's extractor cannot see it.
    entries.append(TemplateEntry(None, DRAFT_NOTE, None, (),
                                 "note after a machine-translated draft (build --drafts)"))
    entries.append(TemplateEntry(None, CHECK_NOTE, None, (),
                                 "before what check found wrong in a passage of a preview"))
    entries.append(TemplateEntry(None, NOT_FOUND, None, (),
                                 "the website's page for an address that does not exist"))
    entries.append(TemplateEntry(None, CORRECTION, None, (),
                                 "before the subject of a corrected bulletin, sent again"))
    return unique(entries)


def labels(config: Config, lang: str, drafts: bool = False) -> Translations:
    """The labels in ``lang``: its ui.po, or none (English labels) for the templates'
    own language or a missing file."""
    path = config.po_path(lang, UI_DOMAIN)
    if lang == UI_SOURCE_LANGUAGE or not pofile.exists(path, config.rel(path)):
        return Translations(None, drafts)
    return Translations(pofile.read_catalog(path, config.rel(path)), drafts)


@dataclass(frozen=True)
class LabelStatus:
    """How much of a language's ui catalog is translated."""

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
    present = pofile.exists(path, config.rel(path))
    if present:
        catalog = pofile.read_catalog(path, config.rel(path))
        done = {e.key for e in catalog.active if e.translated and (drafts or not e.fuzzy)}
        translated = sum(1 for t in wanted if (t.msgctxt, t.msgid) in done)
    return LabelStatus(lang, config.rel(path), present, len(wanted), translated)
