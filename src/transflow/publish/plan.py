"""The build plan: which bulletins a build makes, as frozen, picklable jobs.

Planning reads every source and catalog and resolves each (week, language) into a
``Bulletin``; it decides what is skipped (threshold) or refused (strict mode) before
anything is rendered. A ``BulletinJob`` holds all its renderer needs, so jobs can
run in any order or process; its ``fingerprint`` changes whenever its inputs do.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING

from transflow.catalogs.model import Catalog, Translations
from transflow.catalogs.ui import label_status
from transflow.publish.bulletin import Alternate, Bulletin, make_bulletin
from transflow.publish.editions import (
    as_published,
    bulletin_dir,
    catalog_of,
    logo_data,
    published_percent,
    templates_digest,
)
from transflow.publish.formats import formats as output_formats
from transflow.publish.manifest import (
    MANIFEST,
    Stat,
    inputs_digest,
    own_state,
    shared_state,
    stat_of,
)
from transflow.sources.commentary import is_placeholder, load_week, source_files
from transflow.workspace.background import Beside
from transflow.workspace.config import UI_DOMAIN, UI_SOURCE_LANGUAGE, Config
from transflow.workspace.errors import BuildError
from transflow.workspace.lang import language_label
from transflow.workspace.records import Records, fingerprint, stamp
from transflow.workspace.weeks import Week

if TYPE_CHECKING:
    from transflow.quality.checks import Finding, Mapper


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
class BuildOptions:
    """What a build is asked to make, decided once from the command line and the
    settings, and passed whole to every stage."""

    languages: tuple[str, ...]
    formats: tuple[str, ...]
    """Registered output formats, in their order."""
    drafts: bool = False
    """Build previews (fuzzy entries shown, marked) into their own tree."""
    threshold: float = 0.0
    """The percentage of words a language needs translated to be built."""
    strict: bool = False
    """Refuse a language whose translations have check errors."""

    @classmethod
    def of(cls, config: Config, *, languages: Sequence[str] | None = None,
           formats: Sequence[str] | None = None, drafts: bool = False,
           min_translated: float | None = None, strict: bool | None = None,
           ) -> BuildOptions:
        """The options of a build, the settings filling what is not given."""
        known = output_formats()
        for name in formats or ():
            if name not in known:
                raise BuildError(f"no output format {name!r} (known: {', '.join(known)})")
        return cls(tuple(languages or config.languages),
                   tuple(f for f in known if formats is None or f in formats), drafts,
                   config.publication.min_translated if min_translated is None else min_translated,
                   config.build.strict if strict is None else strict)

    @property
    def digest(self) -> str:
        """The options' part of every bulletin's fingerprint."""
        return fingerprint(self.formats, self.strict, self.threshold)


@dataclass(frozen=True)
class Decided:
    """build's record of a bulletin (``.transflow/build-state.json``): what was decided
    when it was last built, and what its files were made from."""

    options: str | None = None
    """Built, with these options (``BuildOptions.digest``)."""
    skipped: float | None = None
    """Skipped: the percentage translated, below the threshold."""
    refused: int | None = None
    """Refused by strict mode: the count of check errors."""
    sources: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    """Per format, the ``source`` of its file (see ``formats.Made``) and the file's
    modification time and size then: while the file keeps them, that source is what it
    was made from."""


@dataclass(frozen=True)
class BulletinJob:
    """One bulletin to render and write: everything the renderers need."""

    bulletin: Bulletin
    labels: Catalog | None
    """The language's ui catalog (None: the templates' English labels)."""
    files: tuple[tuple[str, str], ...]
    """(format, file name) of each output."""
    folder: str
    """The output folder, relative to the workspace."""
    fingerprint: str
    """A digest of everything the job's output depends on."""
    inputs: str = ""
    """A digest of the files it is made from (for the manifest of a published bulletin)."""
    previous: tuple[tuple[str, str], ...] = ()
    """(format, source) of each output as it is now: a format whose source is the same
    keeps its file."""

    @property
    def week(self) -> Week:
        return self.bulletin.week

    @property
    def lang(self) -> str:
        return self.bulletin.lang

    @property
    def preview(self) -> bool:
        return self.bulletin.preview

    def file_of(self, format_name: str) -> str:
        return dict(self.files)[format_name]

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
"""The name of the build's records in .transflow/."""


def build_records(config: Config) -> Records[Decided]:
    return Records(config.root, STATE, Decided)


def state_key(week: Week, lang: str, preview: bool) -> str:
    return f"{week} {lang} {'preview' if preview else 'publication'}"


def output_files(config: Config, week: Week, lang: str, preview: bool,
                 chosen: Sequence[str] | None = None) -> tuple[tuple[str, str], ...]:
    """(format, file name) of the bulletin's outputs: of ``chosen`` formats, or all."""
    return tuple((name, f.file_name(config, week, lang, preview))
                 for name, f in output_formats().items() if chosen is None or name in chosen)


def recorded_current(config: Config, week: Week, lang: str) -> bool:
    """Whether the last build recorded the published bulletin of ``week`` in ``lang``
    and nothing it was made from, nor any of its files, has moved since: the same
    record the next build uses to skip it, so no file is read to answer."""
    records = build_records(config)
    key = state_key(week, lang, False)
    known = records.get(key)
    if known is None or known.options is None:
        return False
    return records.current(key, build_print(config, week, lang, known.options, False,
                                            shared_state(config))) is not None


def build_print(config: Config, week: Week, lang: str, options: str, preview: bool,
                shared: tuple[Stat, ...], sources: tuple[Stat, ...] | None = None,
                has_output: Callable[[Week, str], bool] | None = None,
                files: tuple[tuple[str, str], ...] | None = None) -> str:
    """What a bulletin's build depends on, by size and time: its sources and catalogs,
    the settings, glossary and templates (``shared``), its own output files, whether
    the week's other languages have a bulletin (its language links), the options.
    ``sources``, ``has_output`` and ``files`` (``output_files``), when given, were
    found already."""
    folder = bulletin_dir(config, week, lang, preview)
    exists = has_output or (lambda w, other: _has_output(config, w, other, preview))
    return fingerprint(
        options, shared, own_state(config, week, lang, sources),
        [stamp(folder / name) for _, name in
         (files if files is not None else output_files(config, week, lang, preview))],
        stamp(folder / MANIFEST),
        [exists(week, other) for other in config.languages if other != lang])


def _has_output(config: Config, week: Week, lang: str, preview: bool) -> bool:
    folder = bulletin_dir(config, week, lang, preview)
    return any((folder / name).is_file()
               for _, name in output_files(config, week, lang, preview))


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


@dataclass(frozen=True)
class _Decisions:
    """The bulletins decided before any is resolved: from the records, or as planned."""

    todo: tuple[Week, ...]
    current: tuple[Current, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    refused: tuple[Refused, ...] = ()

    @property
    def done(self) -> set[tuple[Week, str]]:
        found: tuple[Current | Skipped | Refused, ...] = (*self.current, *self.skipped,
                                                           *self.refused)
        return {(x.week, x.lang) for x in found}


def _decided_before(config: Config, records: Records[Decided], weeks: Sequence[Week],
                    options: BuildOptions) -> _Decisions:
    """The weeks that have a bulletin to plan; and the bulletins whose record still
    matches, decided as last time: current, skipped (threshold) or refused (strict)."""
    current: list[Current] = []
    skipped: list[Skipped] = []
    refused: list[Refused] = []
    shared = shared_state(config)
    preview = options.drafts
    todo: list[Week] = []
    has_output = cache(lambda w, lang: _has_output(config, w, lang, preview))
    for week in weeks:
        planned = False
        sources = tuple(stat_of(path) for path in source_files(config, week))
        for lang in options.languages:
            files = output_files(config, week, lang, preview)
            known = records.current(state_key(week, lang, preview), build_print(
                config, week, lang, options.digest, preview, shared, sources, has_output,
                files))
            if known is None:
                planned = True
                continue
            if known.skipped is not None:
                skipped.append(Skipped(week, lang, known.skipped, options.threshold,
                                       has_output(week, lang)))
            elif known.refused is not None:
                refused.append(Refused(week, lang, known.refused, has_output(week, lang)))
            else:
                folder = config.rel(bulletin_dir(config, week, lang, preview))
                current.append(Current(week, lang, tuple(
                    (f, f"{folder}/{name}") for f, name in files if f in options.formats)))
        if planned:
            todo.append(week)
    return _Decisions(tuple(todo), tuple(current), tuple(skipped), tuple(refused))


def _check_errors(config: Config, weeks: Sequence[Week], options: BuildOptions,
                  mapper: Mapper = map) -> tuple[Finding, ...]:
    """The check errors of the weeks' catalogs; a label the templates cannot
    format stops the build before any output (it would break every page)."""
    from transflow.quality.checks import check

    # One pass over every catalog: sources and glossary are read once, not per language.
    report = check(config, weeks, languages=options.languages, include_fuzzy=options.drafts,
                   mapper=mapper)
    if broken := [f for f in report.errors if f.week is None]:
        first = broken[0]
        more = f" (and {len(broken) - 1} more: transflow check)" if len(broken) > 1 else ""
        raise BuildError(f"{first.message}{more}; nothing was built", first.path, first.line)
    return report.errors


CHECKED_IN_WORKERS = 8
"""Weeks to check from which the build's workers check them."""


def plan_build(config: Config, weeks: Sequence[Week], options: BuildOptions,
               records: Records[Decided] | None = None, mapper: Mapper = map) -> BuildPlan:
    """Resolve every bulletin of ``weeks`` × ``options.languages``; decide what is
    built. With ``records``, a bulletin whose fingerprint is as recorded there is not
    resolved at all: it is ``current``. ``mapper``: how the weeks are checked (a
    worker pool's ``imap``, in parallel)."""
    decided = (_decided_before(config, records, weeks, options) if records is not None
               else _Decisions(tuple(weeks)))
    labels = {lang: catalog_of(config, lang, UI_DOMAIN) if lang != UI_SOURCE_LANGUAGE else None
              for lang in options.languages}
    warnings = _ui_warnings(config, options.languages, options.drafts)
    skipped, refused = list(decided.skipped), list(decided.refused)
    made: list[Bulletin] = []
    preview = options.drafts
    # The workers check the weeks (from CHECKED_IN_WORKERS on) while this process makes
    # the bulletins; a thread here waits for their answers. (The workers start by
    # loading the renderers: a few weeks are checked here sooner.)
    checked = (Beside(lambda _: _check_errors(config, decided.todo, options, mapper),
                      "transflow-check")
               if len(decided.todo) >= CHECKED_IN_WORKERS and mapper is not map else None)
    # new's placeholder paragraph left in a source: an error in every language of its
    # week (it would be published, translated or not).
    placeholders: dict[Week, list[str]] = {}
    try:
        for week in decided.todo:
            commentaries = load_week(config, week)
            if found := [f"{c.rel}:{s.line}" for c in commentaries for s in c.segments
                         if is_placeholder(s.text)]:
                placeholders[week] = found
            for lang in options.languages:
                if (week, lang) in decided.done:
                    continue
                bulletin = make_bulletin(
                    config, week, lang, commentaries,
                    Translations(catalog_of(config, lang, week), options.drafts),
                    Translations(labels[lang], options.drafts), preview=preview)
                percent = published_percent(bulletin)
                if percent + 1e-9 < options.threshold:
                    skipped.append(Skipped(week, lang, percent, options.threshold,
                                           _has_output(config, week, lang, preview)))
                    continue
                made.append(bulletin)
    except BaseException:
        if checked is not None:
            checked.abandon()  # it waits for workers about to be stopped
        raise
    errors_found = (checked.result() if checked is not None
                    else _check_errors(config, decided.todo, options))
    check_errors = Counter((f.week, f.lang) for f in errors_found)
    bulletins: list[Bulletin] = []
    logo = logo_data(config)
    for week, found in placeholders.items():
        warnings.append(f"{found[0]}: the placeholder paragraph of transflow new is still "
                        "here; write the commentary in its place"
                        + (f" (and {len(found) - 1} more)" if len(found) > 1 else ""))
        for lang in options.languages:
            check_errors[(week, lang)] += len(found)
    for bulletin in made:
        week, lang = bulletin.week, bulletin.lang
        if errors := check_errors[(week, lang)]:
            if preview:
                # A preview is for unreviewed text: never refused, whatever strict
                # says; the passages with errors are marked and counted on it.
                bulletin = _marked(config, bulletin, labels[lang], errors, [
                    f for f in errors_found if (f.week, f.lang) == (week, lang)])
                warnings.append(f"{week} {lang}: {errors} check errors, marked in the "
                                f"preview; see them with transflow check --week {week} "
                                f"--lang {lang}")
            elif options.strict:
                refused.append(Refused(week, lang, errors,
                                       _has_output(config, week, lang, preview)))
                continue
            else:
                warnings.append(f"{week} {lang}: {errors} check errors in the translations; "
                                f"see them with transflow check --week {week} --lang {lang}")
        pdf = dict(output_files(config, week, lang, preview, options.formats)).get("pdf")
        bulletins.append(as_published(config, bulletin, pdf, logo))
    jobs = _jobs(config, bulletins, labels, options, records)
    order = {lang: i for i, lang in enumerate(options.languages)}

    def place(x: Skipped | Refused) -> tuple[Week, int]:
        return (x.week, order[x.lang])

    return BuildPlan(jobs, tuple(sorted(skipped, key=place)), tuple(sorted(refused, key=place)),
                     tuple(warnings), decided.current, options.digest)


def _marked(config: Config, bulletin: Bulletin, labels: Catalog | None, errors: int,
            found: Sequence[Finding]) -> Bulletin:
    """A preview made again with its passages that have check errors marked, and their
    count (placeholders included) on it."""
    flagged: dict[tuple[str, str], str] = {}
    for f in found:
        if f.context is not None and f.msgid is not None:
            flagged.setdefault((f.context, f.msgid), f.message)
    marked = make_bulletin(
        config, bulletin.week, bulletin.lang, load_week(config, bulletin.week),
        Translations(catalog_of(config, bulletin.lang, bulletin.week), True),
        Translations(labels, True), preview=True, flagged=flagged)
    return replace(marked, check_errors=errors)


def _jobs(config: Config, bulletins: Sequence[Bulletin], labels: dict[str, Catalog | None],
          options: BuildOptions, records: Records[Decided] | None) -> tuple[BulletinJob, ...]:
    """A job for each bulletin to render, linked to the week's other languages (those
    built now, and those built before)."""
    templates = templates_digest(config)
    preview = options.drafts
    built = {(b.week, b.lang) for b in bulletins}
    # Each language's labels as text once, not once per bulletin (a whole catalog).
    shown = {lang: repr(catalog) for lang, catalog in labels.items()}
    jobs = []
    for bulletin in bulletins:
        week, lang = bulletin.week, bulletin.lang
        others = tuple(
            Alternate(other, language_label(other), f"../{other}/index.html")
            for other in config.languages if other != lang and (
                (week, other) in built or _has_output(config, week, other, preview)))
        bulletin = replace(bulletin, alternates=others)
        # repr, not pickle: a pickle of equal values can differ from run to run.
        job_print = hashlib.sha256(
            repr((bulletin, shown[lang], options.formats, templates)).encode()).hexdigest()
        folder = bulletin_dir(config, week, lang, preview)
        files = output_files(config, week, lang, preview, options.formats)
        known = records.get(state_key(week, lang, preview)) if records is not None else None
        previous = tuple(
            (f, source) for f, name in files if known is not None
            and (made := known.sources.get(f)) is not None
            and (source := made[0]) and made[1:] == stamp(folder / name))
        jobs.append(BulletinJob(
            bulletin, labels[lang], files, config.rel(folder), job_print,
            "" if preview else inputs_digest(config, week, lang), previous))
    return tuple(jobs)
