"""The build plan: which bulletins a build makes, as frozen, picklable jobs.

Planning reads every source and catalog and resolves each (week, language) into a
``Bulletin``; it decides what is skipped (threshold) or refused (strict mode) before
anything is rendered. A ``BulletinJob`` holds all its renderer needs, so jobs can
run in any order or process; its ``fingerprint`` changes whenever its inputs do.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from transflow.catalogs.model import Catalog, Translations
from transflow.catalogs.ui import label_status
from transflow.publish.bulletin import Alternate, Bulletin, make_bulletin
from transflow.publish.editions import (
    as_published,
    bulletin_dir,
    catalog_of,
    logo_data,
    pdf_name,
    published_percent,
    templates_digest,
)
from transflow.publish.manifest import MANIFEST, Stat, inputs_digest, own_state, shared_state
from transflow.sources.commentary import load_week
from transflow.workspace.config import UI_DOMAIN, UI_SOURCE_LANGUAGE, Config
from transflow.workspace.errors import BuildError
from transflow.workspace.lang import language_label
from transflow.workspace.state import JobState, fingerprint, stamp
from transflow.workspace.weeks import Week

FORMATS = ("html", "pdf")
PDF_STAMP = ".pdf-source.sha256"
"""Beside a PDF: a digest of what it was rendered from, so an unchanged PDF is kept."""


def _kept(previous: bool) -> str:
    return "previous output kept" if previous else "no earlier bulletin exists"


@dataclass(frozen=True)
class Skipped:
    """A language below the translation threshold: not built."""

    week: Week
    lang: str
    percent: float
    threshold: float
    previous: bool = True
    """An earlier bulletin of this week and language exists and stays."""

    @property
    def reason(self) -> str:
        return (
            f"{self.week} {self.lang}: {self.percent:.0f}% translated, below the "
            f"{self.threshold:.0f}% threshold; not built, {_kept(self.previous)}"
        )


@dataclass(frozen=True)
class Refused:
    """A language strict mode did not build: its translations have check errors."""

    week: Week
    lang: str
    errors: int
    previous: bool = True

    @property
    def reason(self) -> str:
        return (f"{self.week} {self.lang}: {self.errors} check errors (transflow check "
                f"--week {self.week} --lang {self.lang}); not built, {_kept(self.previous)}")


@dataclass(frozen=True)
class BulletinJob:
    """One bulletin to render and write: everything the renderers need."""

    bulletin: Bulletin
    labels: Catalog | None
    """The language's ui catalog (None: the templates' English labels)."""
    formats: tuple[str, ...]
    folder: str
    """The output folder, relative to the workspace."""
    pdf_name: str
    fingerprint: str
    """A digest of everything the job's output depends on."""
    inputs: str = ""
    """A digest of the files it is made from (for the manifest of a published bulletin)."""

    @property
    def week(self) -> Week:
        return self.bulletin.week

    @property
    def lang(self) -> str:
        return self.bulletin.lang

    @property
    def preview(self) -> bool:
        return self.bulletin.preview

    def translations(self) -> Translations:
        return Translations(self.labels, self.preview)


@dataclass(frozen=True)
class Current:
    """A bulletin none of whose inputs and outputs changed since it was last built with
    the same options: not even planned."""

    week: Week
    lang: str
    files: tuple[tuple[str, str], ...]
    """(format, path relative to the workspace) of its outputs."""


@dataclass(frozen=True)
class BuildPlan:
    jobs: tuple[BulletinJob, ...]
    skipped: tuple[Skipped, ...]
    refused: tuple[Refused, ...]
    warnings: tuple[str, ...]
    current: tuple[Current, ...] = ()
    options: str = ""
    """The options' part of every job's fingerprint."""


STATE = "build"
"""The name of the build's state file in .transflow/."""


def state_key(week: Week, lang: str, preview: bool) -> str:
    return f"{week} {lang} {'preview' if preview else 'publication'}"


def recorded_current(config: Config, week: Week, lang: str) -> bool:
    """Whether the last build recorded the published bulletin of ``week`` in ``lang``
    and nothing it was made from, nor any of its files, has moved since: the same
    record the next build uses to skip it, so no file is read to answer."""
    known = JobState(config.root, STATE).jobs.get(state_key(week, lang, False))
    if known is None or not isinstance(options := known.get("options"), str):
        return False
    return known.get("fingerprint") == build_print(config, week, lang, options, False,
                                                   shared_state(config))


def build_print(config: Config, week: Week, lang: str, options: str, preview: bool,
                shared: tuple[Stat, ...]) -> str:
    """What a bulletin's build depends on, by size and time: its sources and catalogs,
    the settings, glossary and templates (``shared``), its own output files, whether
    the week's other languages have a bulletin (its language links), the options."""
    folder = bulletin_dir(config, week, lang, preview)
    name = pdf_name(config, week, lang, preview)
    return fingerprint(
        options, shared, own_state(config, week, lang),
        [stamp(folder / f) for f in ("index.html", name, MANIFEST, PDF_STAMP)],
        [_has_output(config, week, other, preview) for other in config.languages
         if other != lang])


def _has_output(config: Config, week: Week, lang: str, preview: bool) -> bool:
    folder = bulletin_dir(config, week, lang, preview)
    return (folder / "index.html").is_file() or (
        folder / pdf_name(config, week, lang, preview)).is_file()


def _ui_warnings(config: Config, languages: Sequence[str], drafts: bool) -> list[str]:
    warnings = []
    for lang in languages:
        if lang == UI_SOURCE_LANGUAGE:
            continue
        labels = label_status(config, lang, drafts)
        if not labels.exists:
            warnings.append(f"{labels.path} is missing: all {labels.total} labels will appear "
                            "in English; run transflow update and translate it")
        elif labels.untranslated:
            warnings.append(f"{labels.path}: {labels.untranslated} of {labels.total} labels "
                            "are not translated and will appear in English")
    return warnings


def _decided_before(config: Config, state: JobState, weeks: Sequence[Week],
                    languages: Sequence[str], options: str, preview: bool, threshold: float,
                    chosen: tuple[str, ...],
                    ) -> tuple[list[Week], list[Current], list[Skipped], list[Refused]]:
    """The weeks that have a bulletin to plan; and the bulletins whose record in
    ``state`` still matches, decided as last time: current, skipped (threshold) or
    refused (strict)."""
    current: list[Current] = []
    skipped: list[Skipped] = []
    refused: list[Refused] = []
    shared = shared_state(config)
    todo: list[Week] = []
    for week in weeks:
        planned = False
        for lang in languages:
            known = state.current(state_key(week, lang, preview), build_print(
                config, week, lang, options, preview, shared))
            if known is None:
                planned = True
                continue
            previous = _has_output(config, week, lang, preview)
            if isinstance(percent := known.get("skipped"), int | float):
                skipped.append(Skipped(week, lang, float(percent), threshold, previous))
            elif isinstance(errors := known.get("refused"), int):
                refused.append(Refused(week, lang, errors, previous))
            else:
                folder = config.rel(bulletin_dir(config, week, lang, preview))
                names = {"html": "index.html", "pdf": pdf_name(config, week, lang, preview)}
                current.append(Current(week, lang, tuple(
                    (f, f"{folder}/{names[f]}") for f in chosen)))
        if planned:
            todo.append(week)
    return todo, current, skipped, refused


def plan_build(
    config: Config,
    weeks: Sequence[Week],
    *,
    languages: Sequence[str],
    formats: Sequence[str],
    drafts: bool,
    threshold: float,
    strict: bool,
    state: JobState | None = None,
) -> BuildPlan:
    """Resolve every bulletin of ``weeks`` × ``languages``; decide what is built. With
    ``state``, a bulletin whose fingerprint is as recorded there is not resolved at all:
    it is ``current``."""
    from transflow.quality.checks import check

    preview = drafts
    chosen = tuple(f for f in FORMATS if f in formats)
    options = fingerprint(chosen, strict, threshold)
    current: list[Current] = []
    skipped: list[Skipped] = []
    refused: list[Refused] = []
    if state is not None:
        weeks, current, skipped, refused = _decided_before(
            config, state, weeks, languages, options, preview, threshold, chosen)
    done = {(c.week, c.lang) for c in current} | {(x.week, x.lang) for x in skipped} | {
        (x.week, x.lang) for x in refused}
    labels = {lang: catalog_of(config, lang, UI_DOMAIN) if lang != UI_SOURCE_LANGUAGE else None
              for lang in languages}
    ui = {lang: Translations(catalog, drafts) for lang, catalog in labels.items()}
    warnings = _ui_warnings(config, languages, drafts)
    # One pass over every catalog: sources and glossary are read once, not per language.
    check_report = check(config, weeks, languages=languages, include_fuzzy=drafts)
    # A label the templates cannot format would break the page: stop before any output.
    if broken := [f for f in check_report.errors if f.week is None]:
        first = broken[0]
        more = f" (and {len(broken) - 1} more: transflow check)" if len(broken) > 1 else ""
        raise BuildError(f"{first.message}{more}; nothing was built", first.path, first.line)
    check_errors: Counter[tuple[Week | None, str]] = Counter(
        (f.week, f.lang) for f in check_report.errors)
    templates = templates_digest(config)

    logo = logo_data(config)
    bulletins: list[Bulletin] = []
    for week in weeks:
        commentaries = load_week(config, week)
        for lang in languages:
            if (week, lang) in done:
                continue
            catalog = Translations(catalog_of(config, lang, week), drafts)
            bulletin = make_bulletin(config, week, lang, commentaries, catalog, ui[lang],
                                     preview=preview)
            percent = published_percent(bulletin)
            if percent + 1e-9 < threshold:
                skipped.append(Skipped(week, lang, percent, threshold,
                                       _has_output(config, week, lang, preview)))
                continue
            if errors := check_errors[(week, lang)]:
                if strict:
                    refused.append(Refused(week, lang, errors,
                                           _has_output(config, week, lang, preview)))
                    continue
                warnings.append(f"{week} {lang}: {errors} check errors in the translations; "
                                f"see them with transflow check --week {week} --lang {lang}")
            bulletins.append(as_published(
                config, bulletin,
                pdf_name(config, week, lang, preview) if "pdf" in chosen else None, logo))
    built = {(b.week, b.lang) for b in bulletins}
    jobs = []
    for bulletin in bulletins:
        week, lang = bulletin.week, bulletin.lang
        # The other languages of the week: those built now, and those built before.
        others = tuple(
            Alternate(other, language_label(other), f"../{other}/index.html")
            for other in config.languages if other != lang and (
                (week, other) in built or _has_output(config, week, other, preview)))
        bulletin = replace(bulletin, alternates=others)
        # repr, not pickle: a pickle of equal values can differ from run to run.
        job_print = hashlib.sha256(
            repr((bulletin, labels[lang], chosen, templates)).encode()).hexdigest()
        jobs.append(BulletinJob(
            bulletin, labels[lang], chosen,
            config.rel(bulletin_dir(config, week, lang, preview)),
            pdf_name(config, week, lang, preview), job_print,
            "" if preview else inputs_digest(config, week, lang),
        ))
    order = {lang: i for i, lang in enumerate(languages)}

    def place(x: Skipped | Refused) -> tuple[Week, int]:
        return (x.week, order[x.lang])

    return BuildPlan(tuple(jobs), tuple(sorted(skipped, key=place)),
                     tuple(sorted(refused, key=place)), tuple(warnings), tuple(current),
                     options)
