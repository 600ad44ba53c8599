"""Quality checks: ``transflow check`` and ``build --strict``.

Our own checks catch what breaks a bulletin (numbers, links, markup, glossary terms,
wrong script); translate-toolkit's pofilter checks (through ``toolkit``) add the
usual cosmetic warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from transflow.catalogs import pofile
from transflow.catalogs.memory import NUMBER
from transflow.quality.glossary import (
    GLOSSARY_NAME,
    Term,
    contains_term,
    forbidden_variants,
    load_glossary,
)
from transflow.quality.toolkit import toolkit_failures
from transflow.sources.commentary import is_placeholder, load_week, source_files
from transflow.sources.markdown import inline_structure, split
from transflow.workspace.config import UI_DOMAIN, UI_SOURCE_LANGUAGE, Config
from transflow.workspace.files import LockHeld, workspace_lock
from transflow.workspace.progress import Progress
from transflow.workspace.records import Records, fingerprint, stamp
from transflow.workspace.text import controls
from transflow.workspace.weeks import Week

ERROR, WARNING = "error", "warning"
TOOLKIT_CHECKS = ("brackets", "doublespacing", "doublewords", "endpunc", "endwhitespace",
                  "startcaps", "unchanged")
_URL = re.compile(r"\]\(([^)\s]+)|(?<![(\w])(https?://[^\s)<>\]]+[^\s)<>\].,;:!?])")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WRONG_LETTERS = {"be": "иИщЩъЪ", "ru": "іІўЎ"}
_LANGUAGE_NAMES = {"be": "Belarusian", "ru": "Russian", "en": "English"}

Issue = tuple[str, str, str]  # check, severity, message


@dataclass(frozen=True)
class Finding:
    path: str
    line: int | None
    lang: str
    week: Week | None
    context: str | None
    check: str
    severity: str
    message: str
    msgid: str | None = None
    """The entry's msgid, for a finding in a week's catalog (a preview marks it)."""

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "week": str(self.week) if self.week else None}


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    checked: int
    """Entries (or source segments) looked at."""

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def problem(self) -> str | None:
        return f"{len(self.errors)} check errors" if self.errors else None


def _number_values(token: str) -> set[Decimal]:
    """Every value a number may mean: 2,000 = 2 000 = 2000; 1,5 = 1.5."""
    compact = re.sub(r"[\u00a0\u202f ]", "", token)
    groups = re.split(r"[.,\u00a0\u202f ]", token)
    readings = set()
    if all(len(g) == 3 for g in groups[1:]):  # every separator groups thousands
        readings.add(compact.replace(",", "").replace(".", ""))
    for decimal_mark in ",.":
        if decimal_mark in compact:
            whole, _, fraction = compact.rpartition(decimal_mark)
            readings.add(re.sub(r"[.,]", "", whole) + "." + fraction)
    if not readings:
        readings.add(re.sub(r"\D", "", token))
    values = set()
    for reading in readings:
        with suppress(InvalidOperation):
            values.add(Decimal(reading).normalize())
    return values


def check_numbers(source: str, target: str) -> Iterator[Issue]:
    available = [_number_values(t) for t in NUMBER.findall(target)]
    for token in NUMBER.findall(source):
        wanted = _number_values(token)
        for i, values in enumerate(available):
            if values & wanted:
                del available[i]
                break
        else:
            yield "numbers", ERROR, f"number {token} is missing or changed in the translation"


def _urls(text: str) -> list[str]:
    if "](" not in text and "://" not in text:  # most texts: no pattern to try at all
        return []
    return [a or b for a, b in _URL.findall(text)]


def check_urls(source: str, target: str) -> Iterator[Issue]:
    remaining = _urls(target)
    for url in _urls(source):
        if url in remaining:
            remaining.remove(url)
        else:
            yield "urls", ERROR, f"link target {url} is missing or altered in the translation"


def check_markup(source: str, target: str) -> Iterator[Issue]:
    source_counts, source_stray = inline_structure(source)
    target_counts, target_stray = inline_structure(target)
    names = {"link_open": "links", "strong_open": "bold spans", "em_open": "italic spans",
             "code_inline": "code spans"}
    for kind, name in names.items():
        if source_counts.get(kind, 0) != target_counts.get(kind, 0):
            yield ("markup", ERROR, f"{target_counts.get(kind, 0)} {name} in the translation, "
                   f"{source_counts.get(kind, 0)} in the source")
    if len(target_stray) > len(source_stray):
        extra = " ".join(sorted(set(target_stray) - set(source_stray)) or target_stray)
        yield "markup", ERROR, f"broken Markdown: stray {extra!r} (unbalanced emphasis or link)"


def check_newlines(source: str, target: str) -> Iterator[Issue]:
    """A newline that begins or ends one of msgid and msgstr but not the other: msgfmt
    --check refuses the whole catalog for it."""
    for where, test in (("begins", str.startswith), ("ends", str.endswith)):
        if test(source, "\n") != test(target, "\n"):
            has, lacks = ("the source", "the translation") if test(source, "\n") else (
                "the translation", "the source")
            yield ("newlines", ERROR, f"{has} {where} with a newline and {lacks} does not "
                   "(msgfmt --check refuses the catalog); make them agree")


_FORMAT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\d*(?:\.\d+)?(?P<kind>[a-zA-Z%])?")


def _placeholders(text: str) -> tuple[list[str], list[str]]:
    """The %(name)s placeholders of a Python format string, and its stray % signs."""
    names, stray = [], []
    for m in _FORMAT.finditer(text):
        if m.group(0) == "%%":
            continue
        if m.group("name") is not None and m.group("kind"):
            names.append(f"%({m.group('name')}){m.group('kind')}")
        else:
            stray.append(m.group(0))
    return names, stray


def check_placeholders(source: str, target: str) -> Iterator[Issue]:
    """A label the templates format (``By %(author)s``): the same placeholders, and no
    stray ``%`` (write ``%%``); either would break the bulletin's page."""
    wanted, _ = _placeholders(source)
    found, stray = _placeholders(target)
    if sorted(found) != sorted(wanted):
        yield ("placeholders", ERROR, f"the translation has {', '.join(found) or 'none'} where "
               f"the source has {', '.join(wanted) or 'none'}; use the source's placeholders")
    if stray:
        yield ("placeholders", ERROR, f"stray % in the translation ({stray[0]!r}); write %% "
               "for a percent sign")


def check_labels(config: Config, languages: Sequence[str]) -> list[Finding]:
    """The ui catalogs' translations of labels the templates format."""
    findings = []
    for lang in languages:
        path = config.po_path(lang, UI_DOMAIN)
        shown = config.rel(path)
        if lang == UI_SOURCE_LANGUAGE or not pofile.exists(path, shown):
            continue
        for e in pofile.read_catalog(path, shown).active:
            if not any(ref.startswith(("templates/", "transflow/templates/"))
                       for ref, _ in e.references):
                continue  # labels from transflow.toml and Python are not formatted
            pairs = [(e.msgid, e.msgstr)] if not e.msgid_plural else [
                (e.msgid_plural, form) for form in e.msgstr_plural]
            for source, target in pairs:
                if not target:
                    continue
                for name, severity, message in check_placeholders(source, target):
                    findings.append(Finding(shown, e.line, lang, None, None, name, severity,
                                            message))
    return findings


def check_script(text: str, lang: str) -> Iterator[Issue]:
    wrong = _WRONG_LETTERS.get(lang, "")
    if not ((_LATIN.search(text) and _CYRILLIC.search(text))
            or any(letter in text for letter in wrong)):
        return  # no word can mix the alphabets or hold the other language's letters
    for word in re.findall(r"\w+", text):
        if _LATIN.search(word) and _CYRILLIC.search(word):
            yield ("script", ERROR, f"'{word}' mixes Latin and Cyrillic letters (a homoglyph "
                   "typed in the wrong layout)")
        elif wrong and (letters := sorted({ch for ch in word if ch in wrong})):
            other = "Russian" if lang == "be" else "Belarusian"
            yield ("script", ERROR, f"'{word}' has {other} letters ({', '.join(letters)}) in "
                   f"{_LANGUAGE_NAMES[lang]} text")


def check_glossary(source: str, target: str, source_lang: str, target_lang: str,
                   glossary: Sequence[Term]) -> Iterator[Issue]:
    # Each text in lower case once, not once per row of the glossary.
    source_lowered, target_lowered = source.lower(), target.lower()
    for row in glossary:
        source_term, target_term = row.term(source_lang), row.term(target_lang)
        if (source_term and target_term
                and contains_term(source, source_term, source_lowered)
                and not contains_term(target, target_term, target_lowered)):
            yield ("glossary", ERROR, f"the source has '{source_term}': use '{target_term}' "
                   "(glossary.csv)")
        for variant in forbidden_variants(target, row, target_lowered):
            use = f"; use '{target_term}'" if target_term else ""
            yield "glossary", ERROR, f"'{variant}' is a forbidden variant{use} (glossary.csv)"


def check_controls(text: str) -> Iterator[Issue]:
    if found := controls(text):
        yield ("control", WARNING, f"holds control characters ({', '.join(found)}) that no "
               "page, PDF or feed can show; they are left out of the bulletin: remove them")


def check_translation(source: str, target: str, source_lang: str, target_lang: str,
                      glossary: Sequence[Term]) -> list[Issue]:
    newlines = list(check_newlines(source, target))
    toolkit = [(name, WARNING, message) for name, message
               in toolkit_failures(source, target, target_lang, TOOLKIT_CHECKS)]
    return [
        *newlines,
        *check_numbers(source, target),
        *check_urls(source, target),
        *check_markup(source, target),
        *check_glossary(source, target, source_lang, target_lang, glossary),
        *check_script(target, target_lang),
        *check_controls(target),
        # The newline error says it already; the toolkit's warning would repeat it.
        *(i for i in toolkit if not (newlines and i[0] == "endwhitespace")),
    ]


def check_source(text: str, lang: str, glossary: Sequence[Term]) -> list[Issue]:
    issues = [*check_script(text, lang), *check_controls(text)]
    if is_placeholder(text):
        issues.append(("placeholder", ERROR, "the placeholder paragraph of transflow new is "
                       "still here; write the commentary in its place"))
    lowered = text.lower()
    for row in glossary:
        for variant in forbidden_variants(text, row, lowered):
            right = row.term(lang)
            use = f"; use '{right}'" if right else ""
            issues.append(("glossary", ERROR,
                           f"'{variant}' is a forbidden variant{use} (glossary.csv)"))
    return issues


Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]
"""``map``, or a worker pool's ``imap``: how the weeks to check are checked, in order."""


def check(
    config: Config,
    weeks: Sequence[Week],
    *,
    languages: Sequence[str] | None = None,
    sources: bool = False,
    include_fuzzy: bool = True,
    progress: Progress | None = None,
    mapper: Mapper = map,
) -> CheckReport:
    """Findings over the translated (and fuzzy) entries of each week's catalogs, and with
    ``sources`` over the source commentaries too.

    The findings of each week's catalog (and sources) are remembered in
    ``.transflow/check-state.json`` with the size and time of what they came from: the
    catalog, the week's sources, the glossary and the settings. One none of them
    changed for is not read again. ``mapper`` checks the weeks that need it (a worker
    pool's ``imap`` checks them in parallel; the records are kept here)."""
    langs = list(languages or config.languages)
    findings: list[Finding] = []
    checked = 0
    if weeks:
        state = Records(config.root, "check", Checked)
        parts = (["sources"] if sources else []) + langs
        settings = (stamp(config.config_path), stamp(config.root / GLOSSARY_NAME),
                    include_fuzzy)
        known = [_known(config, state, week, parts, include_fuzzy, settings)
                 for week in weeks]
        todo = [(config, k.week, k.missing, include_fuzzy) for k in known if k.missing]
        glossary = load_glossary(config) if todo else ()
        fresh = iter(mapper(_check_job, [(*job, glossary) for job in todo]))
        try:
            for done, week_known in enumerate(known):
                if progress:
                    progress(str(week_known.week), done, len(weeks))
                found = dict(week_known.found)
                if week_known.missing:
                    for part, result in next(fresh).items():
                        state.record(week_known.keys[part], week_known.prints[part], result)
                        found[part] = result
                for part in parts:
                    part_found = found.get(part) or Checked((), 0)
                    findings += part_found.findings
                    checked += part_found.checked
        finally:  # what was checked before a failure or Ctrl-C is kept
            _save(config, state)
    labels = check_labels(config, langs)
    return CheckReport(tuple(findings + labels), checked)


def _check_job(args: tuple[Config, Week, tuple[str, ...], bool, Sequence[Term]],
               ) -> dict[str, Checked]:
    return _check_week(*args)


def _save(config: Config, state: Records[Checked]) -> None:
    """The record, written under the workspace lock; while another run holds it, not
    written (check reads only: it never waits, and the record is only a shortcut)."""
    if not state.changed:
        return  # a no-op check takes no lock
    try:
        with workspace_lock(config.root):
            state.save()
    except LockHeld:
        pass


@dataclass(frozen=True)
class Checked:
    """The findings of a week's sources or of one language's catalog, and how many
    entries (or segments) were looked at: check's record of them
    (``.transflow/check-state.json``)."""

    findings: tuple[Finding, ...]
    checked: int


@dataclass(frozen=True)
class _Known:
    """A week's parts (``sources`` or a language): their records' keys and fingerprints,
    what the records still say, and the parts to check again."""

    week: Week
    keys: dict[str, str]
    prints: dict[str, str]
    found: dict[str, Checked]
    missing: tuple[str, ...]


def _known(config: Config, state: Records[Checked], week: Week, parts: Sequence[str],
           include_fuzzy: bool, settings: object) -> _Known:
    """What the records know of each part of ``week``; ``settings``: what every part of
    every week depends on."""
    files = [(p.name, stamp(p)) for p in source_files(config, week)]
    # The sources are read for a catalog too: they say each commentary's language.
    keys = {part: f"{week} {part}" if part == "sources" else
            f"{week} {part}" + (" with fuzzy" if include_fuzzy else "") for part in parts}
    prints = {part: fingerprint(settings, files, part, None if part == "sources"
                                else stamp(config.po_path(part, week))) for part in parts}
    found = {part: known for part in parts
             if (known := state.current(keys[part], prints[part])) is not None}
    return _Known(week, keys, prints, found, tuple(p for p in parts if p not in found))


def _check_week(config: Config, week: Week, parts: Sequence[str], include_fuzzy: bool,
                glossary: Sequence[Term]) -> dict[str, Checked]:
    commentaries = load_week(config, week)
    source_lang = {c.slug: c.lang for c in commentaries}
    done: dict[str, Checked] = {}
    for part in parts:
        findings: list[Finding] = []
        checked = 0
        if part == "sources":
            for c in commentaries:
                for segment in split(c):
                    checked += 1
                    for name, severity, message in check_source(segment.text, c.lang,
                                                                glossary):
                        findings.append(Finding(c.rel, segment.line, c.lang, week, c.slug,
                                                name, severity, message))
            done[part] = Checked(tuple(findings), checked)
            continue
        path = config.po_path(part, week)
        shown = config.rel(path)
        if pofile.exists(path, shown):
            for e in pofile.read_catalog(path, shown).active:
                if e.msgid_plural or not e.has_translation or (e.fuzzy and not include_fuzzy):
                    continue
                checked += 1
                src_lang = source_lang.get(e.msgctxt or "", config.publication.source_language)
                for name, severity, message in check_translation(e.msgid, e.msgstr, src_lang,
                                                                 part, glossary):
                    findings.append(Finding(shown, e.line, part, week, e.msgctxt,
                                            name, severity, message, e.msgid))
        done[part] = Checked(tuple(findings), checked)
    return done
