"""``transflow build``: catalogs + sources → per (week, language) an HTML page and a
PDF bulletin under ``output/<week>/<lang>/`` (the publication tree), or, with
``--drafts``, a preview under ``output/preview/<week>/<lang>/``.

Every catalog is read, and every bulletin resolved, before any file is written: a
malformed PO file stops the build with nothing replaced. A language below the
translation threshold, or refused by ``--strict``, is not built and its previous
output stays. The two trees never meet: a preview is never written where subscribers
get the bulletin, and a plain build reads nothing from the preview tree.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Translations
from transflow.catalogs.status import label_status
from transflow.catalogs.update import UI_DOMAIN
from transflow.publish.bulletin import Bulletin, make_bulletin
from transflow.sources.commentary import load_week
from transflow.workspace.config import UI_SOURCE_LANGUAGE, Config
from transflow.workspace.files import WriteFailed, write_all
from transflow.workspace.progress import Progress
from transflow.workspace.weeks import Week

FORMATS = ("html", "pdf")
PREVIEW_MARK = "Preview: contains unreviewed translations"
"""The ui.po label every preview page carries (banner and running mark)."""
_STAMP = ".pdf-source.sha256"


def _kept(previous: bool) -> str:
    return "previous output kept" if previous else "no earlier bulletin exists"


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
    """A language below the translation threshold: not built."""

    week: str
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

    week: str
    lang: str
    errors: int
    previous: bool = True

    @property
    def reason(self) -> str:
        return (f"{self.week} {self.lang}: {self.errors} check errors (transflow check "
                f"--week {self.week} --lang {self.lang}); not built, {_kept(self.previous)}")


@dataclass(frozen=True)
class Failed:
    """A bulletin that could not be written; nothing of it was left half-written."""

    week: str
    lang: str
    path: str
    message: str

    @property
    def reason(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class BuildReport:
    outputs: tuple[Output, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...] = ()
    refused: tuple[Refused, ...] = ()
    failed: tuple[Failed, ...] = ()
    preview: bool = False

    def _bulletins(self, written: bool) -> int:
        state: dict[tuple[str, str], bool] = {}
        for o in self.outputs:
            key = (o.week, o.lang)
            state[key] = state.get(key, False) or o.written
        failed = {(f.week, f.lang) for f in self.failed}
        return sum(1 for key, w in state.items() if w == written and key not in failed)

    @property
    def built(self) -> int:
        """Bulletins (week, language) with at least one file written."""
        return self._bulletins(True)

    @property
    def unchanged(self) -> int:
        """Bulletins whose files already held exactly what this build made."""
        return self._bulletins(False)

    @property
    def summary(self) -> str:
        what = "previews" if self.preview else "bulletins"
        line = (f"{what}: {self.built} built, {self.unchanged} unchanged, "
                f"{len(self.skipped)} skipped (threshold), {len(self.refused)} refused (strict)")
        if self.failed:
            line += f", {len(self.failed)} failed"
        return line

    @property
    def problem(self) -> str | None:
        """Why the build did not do what was asked (exit status 1), or None."""
        if self.failed:
            return f"{len(self.failed)} bulletin(s) could not be written (listed above)"
        if self.refused:
            return (f"{len(self.refused)} bulletin(s) refused by strict mode; run transflow "
                    "check, fix the errors, and build again")
        if not self.built and not self.unchanged:
            return "no bulletin was built and none is up to date; nothing is ready to publish"
        return None


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


def pdf_name(config: Config, week: Week, lang: str, preview: bool = False) -> str:
    suffix = "-preview" if preview else ""
    return f"{config.slug}-{week}-{lang}{suffix}.pdf"


def bulletin_dir(config: Config, week: Week | str, lang: str, preview: bool = False) -> Path:
    tree = config.preview_dir if preview else config.output_dir
    return tree / str(week) / lang


def _has_output(config: Config, week: Week, lang: str, preview: bool) -> bool:
    folder = bulletin_dir(config, week, lang, preview)
    return (folder / "index.html").is_file() or (
        folder / pdf_name(config, week, lang, preview)).is_file()


def _failure(config: Config, week: Week, lang: str, failed: WriteFailed) -> Failed:
    exc, path = failed.error, failed.path
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason += "; a file stands where a folder must go: move it away"
    elif isinstance(exc, PermissionError):
        reason += "; make the file and its folder writable (or not immutable: chattr -i)"
    if isinstance(exc, FileExistsError | NotADirectoryError):
        # Name the culprit: the file standing where a folder must go.
        path = next((p for p in path.parents if p.exists() and not p.is_dir()), path)
    return Failed(str(week), lang, config.rel(path), reason)


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


def build(
    config: Config,
    weeks: Sequence[Week],
    languages: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    drafts: bool = False,
    min_translated: float | None = None,
    progress: Progress | None = None,
    strict: bool | None = None,
) -> BuildReport:
    """Build the bulletins of ``weeks``; ``drafts`` builds previews into their own tree.

    ``strict`` (default: ``[build] strict``) refuses a language with check errors;
    without it such a language is built and a warning names the errors' count.
    """
    from transflow.quality.checks import check

    strict = config.strict if strict is None else strict
    preview = drafts
    languages = list(languages or config.languages)
    threshold = config.min_translated if min_translated is None else min_translated
    ui = {
        lang: (_translations(config, lang, UI_DOMAIN, drafts) if lang != UI_SOURCE_LANGUAGE
               else Translations(None))
        for lang in languages
    }
    warnings = _ui_warnings(config, languages, drafts)
    # One pass over every catalog: sources and glossary are read once, not per language.
    check_report = check(config, weeks, languages, include_fuzzy=drafts)
    check_errors: Counter[tuple[str, str]] = Counter(
        (str(f.week), f.lang) for f in check_report.errors)

    bulletins: list[Bulletin] = []
    skipped: list[Skipped] = []
    refused: list[Refused] = []
    for week in weeks:
        commentaries = load_week(config, week)
        for lang in languages:
            catalog = _translations(config, lang, str(week), drafts)
            bulletin = make_bulletin(config, week, lang, commentaries, catalog, ui[lang],
                                     preview)
            percent = published_percent(bulletin)
            if percent + 1e-9 < threshold:
                skipped.append(Skipped(str(week), lang, percent, threshold,
                                       _has_output(config, week, lang, preview)))
                continue
            if errors := check_errors[(str(week), lang)]:
                if strict:
                    refused.append(Refused(str(week), lang, errors,
                                           _has_output(config, week, lang, preview)))
                    continue
                warnings.append(f"{week} {lang}: {errors} check errors in the translations; "
                                f"see them with transflow check --week {week} --lang {lang}")
            bulletins.append(bulletin)

    outputs: list[Output] = []
    failed: list[Failed] = []
    for done, bulletin in enumerate(bulletins):
        if progress:
            progress(f"{bulletin.week} {bulletin.lang}", done, len(bulletins))
        made, notes, failure = _build_one(config, bulletin, ui[bulletin.lang], formats)
        warnings += notes
        if failure is not None:
            failed.append(failure)
        else:
            outputs += made
    return BuildReport(tuple(outputs), tuple(skipped), tuple(warnings), tuple(refused),
                       tuple(failed), preview)


def _build_one(
    config: Config, bulletin: Bulletin, ui: Translations, formats: Sequence[str],
) -> tuple[list[Output], list[str], Failed | None]:
    """Render one bulletin and write its files, all or none."""
    from transflow.publish.render_html import render_html

    week, lang, preview = bulletin.week, bulletin.lang, bulletin.preview
    folder = bulletin_dir(config, week, lang, preview)
    html = render_html(bulletin, config.templates_dir, ui)
    files: list[tuple[str, Path, bytes | None]] = []  # None: already up to date
    notes: list[str] = []
    if "html" in formats:
        files.append(("html", folder / "index.html", html.encode("utf-8")))
    if "pdf" in formats:
        path = folder / pdf_name(config, week, lang, preview)
        mark = ui.gettext(PREVIEW_MARK) if preview else None
        # The PDF is a function of the HTML and the running mark: re-render only when
        # those changed.
        digest = hashlib.sha256(f"{html}\0{mark or ''}".encode()).hexdigest().encode()
        stamp = folder / _STAMP
        try:
            fresh = path.is_file() and stamp.read_bytes() == digest
        except OSError:
            fresh = False
        if fresh:
            files.append(("pdf", path, None))
        else:
            from transflow.publish.render_pdf import render_pdf

            pdf, refused_urls = render_pdf(html, config.root, mark)
            notes += [f"{config.rel(path)}: refused to fetch {url} (only data: URLs and files "
                      "inside the workspace are read); remove it from the template or "
                      "stylesheet" for url in refused_urls]
            files += [("pdf", path, pdf), ("stamp", stamp, digest)]
    changed: list[tuple[Path, bytes]] = []
    outputs: list[Output] = []
    for fmt, path, data in files:
        written = False
        if data is not None:
            try:
                written = path.read_bytes() != data
            except OSError:
                written = True
            if written:
                changed.append((path, data))
        if fmt != "stamp":
            outputs.append(Output(str(week), lang, fmt, config.rel(path), written))
    try:
        write_all(changed)
    except WriteFailed as failed:
        return [], notes, _failure(config, week, lang, failed)
    return outputs, notes, None
