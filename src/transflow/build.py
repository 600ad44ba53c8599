"""``transflow build``: catalogs + sources → per (week, language) an HTML page and a
PDF bulletin under ``output/<week>/<lang>/``.

Every catalog is read, and every bulletin resolved, before any file is written: a
malformed PO file stops the build with nothing replaced. A language below the
translation threshold is skipped and its previous output stays.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from transflow import pofile
from transflow.bulletin import Bulletin, make_bulletin
from transflow.catalog import Translations
from transflow.config import UI_SOURCE_LANGUAGE, Config
from transflow.fsutil import atomic_write, write_if_changed
from transflow.progress import Progress
from transflow.sources import load_week
from transflow.update import UI_DOMAIN
from transflow.weeks import Week

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Output:
    week: str
    lang: str
    format: str
    path: str
    written: bool
    """False when the file already held exactly this bulletin."""


@dataclass(frozen=True)
class Skipped:
    week: str
    lang: str
    percent: float
    threshold: float

    @property
    def reason(self) -> str:
        return (
            f"{self.week} {self.lang}: {self.percent:.0f}% translated, below the "
            f"{self.threshold:.0f}% threshold; not built, previous output kept"
        )


@dataclass(frozen=True)
class Refused:
    """A language ``build --strict`` did not build: its translations have check errors."""

    week: str
    lang: str
    errors: int

    @property
    def reason(self) -> str:
        return (f"{self.week} {self.lang}: {self.errors} check errors (transflow check "
                f"--week {self.week} --lang {self.lang}); not built, previous output kept")


@dataclass(frozen=True)
class BuildReport:
    outputs: tuple[Output, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...] = ()
    refused: tuple[Refused, ...] = ()


def published_percent(bulletin: Bulletin) -> float:
    """The share of translatable words the subscriber reads in ``bulletin.lang``."""
    c = bulletin.coverage
    if c.total_words == 0:
        return 100.0
    return 100.0 * (c.translated_words + c.fuzzy_words) / c.total_words


def _translations(config: Config, lang: str, domain: str, drafts: bool) -> Translations:
    path = config.po_path(lang, domain)
    po = pofile.read_catalog(path, config.rel(path)) if path.exists() else None
    return Translations(po, drafts)


def pdf_name(config: Config, week: Week, lang: str) -> str:
    return f"{config.slug}-{week}-{lang}.pdf"


def build(
    config: Config,
    weeks: Sequence[Week],
    languages: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    drafts: bool = False,
    min_translated: float | None = None,
    progress: Progress | None = None,
    strict: bool = False,
) -> BuildReport:
    from transflow.render_html import render_html

    languages = list(languages or config.languages)
    threshold = config.min_translated if min_translated is None else min_translated
    ui = {
        lang: (_translations(config, lang, UI_DOMAIN, drafts) if lang != UI_SOURCE_LANGUAGE
               else Translations(None))
        for lang in languages
    }
    bulletins: list[Bulletin] = []
    skipped: list[Skipped] = []
    refused: list[Refused] = []
    check_errors: Counter[tuple[str, str]] = Counter()
    if strict:
        from transflow.checks import check

        # One pass over every catalog: sources and glossary are read once, not per language.
        report = check(config, weeks, languages, include_fuzzy=drafts)
        check_errors.update((str(f.week), f.lang) for f in report.errors)
    for week in weeks:
        commentaries = load_week(config, week)
        for lang in languages:
            catalog = _translations(config, lang, str(week), drafts)
            bulletin = make_bulletin(config, week, lang, commentaries, catalog, ui[lang])
            percent = published_percent(bulletin)
            if percent + 1e-9 < threshold:
                skipped.append(Skipped(str(week), lang, percent, threshold))
                continue
            if errors := check_errors[(str(week), lang)]:
                refused.append(Refused(str(week), lang, errors))
                continue
            bulletins.append(bulletin)

    outputs: list[Output] = []
    warnings: list[str] = []
    for done, bulletin in enumerate(bulletins):
        if progress:
            progress(f"{bulletin.week} {bulletin.lang}", done, len(bulletins))
        folder = config.output_dir / str(bulletin.week) / bulletin.lang
        html = render_html(bulletin, config.templates_dir, ui[bulletin.lang])
        if "html" in formats:
            path = folder / "index.html"
            written = write_if_changed(path, html)
            outputs.append(Output(str(bulletin.week), bulletin.lang, "html", config.rel(path),
                                  written))
        if "pdf" in formats:
            path = folder / pdf_name(config, bulletin.week, bulletin.lang)
            # The PDF is a function of the HTML: re-render only when that changed.
            digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
            stamp = folder / ".pdf-source.sha256"
            fresh = path.exists() and stamp.exists() and stamp.read_text() == digest
            if not fresh:
                from transflow.render_pdf import render_pdf

                pdf, refused = render_pdf(html, config.root)
                atomic_write(path, pdf)
                atomic_write(stamp, digest)
                warnings += [f"{config.rel(path)}: refused to fetch {url}" for url in refused]
            outputs.append(Output(str(bulletin.week), bulletin.lang, "pdf", config.rel(path),
                                  not fresh))
    return BuildReport(tuple(outputs), tuple(skipped), tuple(warnings), tuple(refused))
