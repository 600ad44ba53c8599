"""``transflow update``: sources → templates (.pot) → merged catalogs (.po), per week,
plus the user-interface catalogs extracted from the templates and transflow.toml."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from transflow.catalogs import model as catalog
from transflow.catalogs import pofile
from transflow.catalogs.memory import TranslationMemory, fill_from_memory, load_memory
from transflow.catalogs.model import DRAFT_COMMENT, Counts, MergeStats, TemplateEntry
from transflow.sources.commentary import load_week
from transflow.sources.markdown import Segment, split
from transflow.workspace.config import UI_SOURCE_LANGUAGE, Config
from transflow.workspace.lang import extract_ui_messages, language_name, nplurals, plural_forms
from transflow.workspace.progress import Progress
from transflow.workspace.weeks import Week

UI_DOMAIN = "ui"


@dataclass(frozen=True)
class CatalogUpdate:
    path: str
    lang: str
    domain: str
    written: bool
    stats: MergeStats
    counts: Counts
    from_memory: int = 0
    """Entries the translation memory filled in this run."""


@dataclass(frozen=True)
class UpdateReport:
    templates: tuple[str, ...]
    catalogs: tuple[CatalogUpdate, ...]

    @property
    def written(self) -> tuple[CatalogUpdate, ...]:
        return tuple(c for c in self.catalogs if c.written)


def _metadata(
    config: Config, domain: str, lang: str | None, old: dict[str, str] | None = None
) -> dict[str, str]:
    """Header fields: transflow owns the technical ones; the translator's own (team,
    last translator, revision date) are filled in once and then left to their tools."""
    meta = {"Project-Id-Version": f"{config.slug} {domain}"}
    if lang:
        meta["PO-Revision-Date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")
        meta["Last-Translator"] = "none yet"
        meta["Language-Team"] = f"{language_name(lang)} ({lang})"
        meta["Language"] = lang
    meta.update({
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    })
    if lang:
        meta["Plural-Forms"] = plural_forms(lang)
    if old:
        owned = {"Project-Id-Version", "Language", "MIME-Version", "Content-Type",
                 "Content-Transfer-Encoding", "Plural-Forms"}
        merged = dict(old)
        for key, value in meta.items():
            if key in owned or key not in merged:
                merged[key] = value
        # Babel releases spell the same rule differently: a file's own Plural-Forms with
        # the right number of forms stays, so an upgrade does not rewrite every catalog.
        kept = old.get("Plural-Forms", "")
        if lang and re.search(rf"nplurals\s*=\s*{nplurals(lang)}\s*;", kept):
            merged["Plural-Forms"] = kept
        return merged
    return meta


def _header(config: Config, domain: str, lang: str | None) -> str:
    what = "the bulletin's labels" if domain == UI_DOMAIN else f"week {domain}"
    if lang is None:
        return f"Template for {config.titles[config.source_language]}, {what}."
    return f"{language_name(lang)} ({lang}): {config.titles[lang]}, {what}."


def segment_entries(segments: Sequence[Segment]) -> list[TemplateEntry]:
    return catalog.unique(
        TemplateEntry(s.slug, s.text, None, ((s.path, str(s.line)),), s.role) for s in segments
    )


def ui_entries(config: Config) -> list[TemplateEntry]:
    """The bulletin's labels: the templates' messages, category and trend labels, notes."""
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
        for m in extract_ui_messages(config.templates_dir, config.root)
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
    entries.append(TemplateEntry(None, DRAFT_COMMENT, None, (),
                                 "note after a machine-translated draft (build --drafts)"))
    return catalog.unique(entries)


def _merge_into(
    config: Config, domain: str, lang: str, entries: Sequence[TemplateEntry],
    memory: TranslationMemory | None = None,
) -> CatalogUpdate:
    path = config.po_path(lang, domain)
    old = pofile.read_catalog(path, config.rel(path)) if path.exists() else None
    metadata = _metadata(config, domain, lang, old.metadata if old else None)
    merged, stats = catalog.merge(
        entries, old, metadata, _header(config, domain, lang), nplurals(lang)
    )
    filled = fill_from_memory(merged, memory, config.memory_threshold) if memory else 0
    written = pofile.write_catalog(merged, path)
    return CatalogUpdate(config.rel(path), lang, domain, written, stats, catalog.count(merged),
                         filled)


def _write_template(config: Config, domain: str, entries: Sequence[TemplateEntry]) -> str:
    path = config.pot_path(domain)
    pot = catalog.make_template(entries, _metadata(config, domain, None),
                                _header(config, domain, None))
    pofile.write_catalog(pot, path)
    return config.rel(path)


def update(
    config: Config,
    weeks: Sequence[Week],
    languages: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> UpdateReport:
    """Extract each week's template and merge it into every target language's catalog.

    A week's catalog for language L holds the segments of the commentaries not
    written in L. Human translations are never lost (see ``catalog.merge``).
    """
    languages = list(languages or config.languages)
    templates: list[str] = []
    updates: list[CatalogUpdate] = []
    labels = ui_entries(config)
    templates.append(_write_template(config, UI_DOMAIN, labels))
    for lang in languages:
        if lang != UI_SOURCE_LANGUAGE:
            updates.append(_merge_into(config, UI_DOMAIN, lang, labels))
    memories: dict[str, TranslationMemory] = {}
    for done, week in enumerate(weeks):
        if progress:
            progress(str(week), done, len(weeks))
        segments = [s for c in load_week(config, week) for s in split(c)]
        domain = str(week)
        templates.append(_write_template(config, domain, segment_entries(segments)))
        for lang in languages:
            wanted = segment_entries([s for s in segments if s.lang != lang])
            if wanted or config.po_path(lang, domain).exists():
                if lang not in memories:
                    memories[lang] = load_memory(config, lang)
                updates.append(_merge_into(config, domain, lang, wanted, memories[lang]))
    return UpdateReport(tuple(templates), tuple(updates))
