"""``transflow update``: sources → templates (.pot) → merged catalogs (.po), per week,
plus the ui catalogs of the bulletin's own labels.

It plans, runs, then writes. The plan reads every source and turns each week into
frozen template jobs and catalog jobs; running a job reads its old catalog, merges
the template into it and fills what the translation memory knows, returning a new
catalog; only when every job has run, so every file read was valid, is anything
written (atomically, and only what changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.memory import (
    TranslationMemory,
    fill_from_memory,
    known_misses,
    load_memory,
    memory_versions,
)
from transflow.catalogs.merge import MergeStats, merge
from transflow.catalogs.model import (
    Catalog,
    Counts,
    TemplateEntry,
    count,
    header_fields,
    make_template,
    unique,
)
from transflow.catalogs.status import remember_counts
from transflow.catalogs.ui import fill_shipped, ui_entries
from transflow.sources.commentary import load_week, source_files
from transflow.sources.markdown import Segment, split
from transflow.workspace.config import UI_DOMAIN, UI_SOURCE_LANGUAGE, Config, Domain
from transflow.workspace.errors import CatalogError
from transflow.workspace.files import (
    ANYTHING,
    Expected,
    Outcome,
    Transaction,
    WriteFailed,
    digest,
    file_digest,
    workspace_lock,
)
from transflow.workspace.lang import language_name, nplurals, plural_forms
from transflow.workspace.progress import Progress
from transflow.workspace.records import Records, fingerprint, stamp
from transflow.workspace.weeks import Week


@dataclass(frozen=True)
class CatalogUpdate:
    path: str
    lang: str
    domain: Domain
    written: bool
    stats: MergeStats
    counts: Counts
    from_memory: int = 0
    """Entries the translation memory filled in this run."""
    recoded_from: str | None = None
    """The charset the catalog was in, when it was not UTF-8 (it is written in UTF-8)."""
    changed_meanwhile: bool = False
    """Someone kept saving the file while update ran: it was left as they saved it."""


@dataclass(frozen=True)
class UpdatedCatalog:
    """A catalog as an update left it: what a later update that skips its week reports."""

    path: str
    lang: str
    week: Week
    counts: Counts


@dataclass(frozen=True)
class Fillable:
    """A week's catalog with entries the memory found nothing for, and the version of
    the memory they were looked up in (a fingerprint of ``MemoryBase.files``)."""

    lang: str
    memory: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class WeekUpdated:
    """update's record of a week (``.transflow/update-state.json``)."""

    fillable: tuple[Fillable, ...]
    """When a language's memory changes, the week is updated again only if one of these
    texts finds something in what changed."""
    catalogs: tuple[UpdatedCatalog, ...]


@dataclass(frozen=True)
class MemoryBase:
    """A version of a language's memory, file by file (``.transflow/update-memory-
    state.json``): what changed since a week was looked up is known from it."""

    files: dict[str, str]
    made: int
    """The how-manieth version recorded: the newest are kept."""


BASES_KEPT = 8
"""Memory versions remembered per language. Weeks are brought to the newest at every
update of the whole archive; ``update --week`` leaves the others behind, and a week
whose version was let go is merged again, as any week whose record is gone."""


@dataclass(frozen=True)
class UpdateReport:
    templates: tuple[str, ...]
    catalogs: tuple[CatalogUpdate, ...]
    notes: tuple[str, ...] = ()
    """What the run could not promise here (a filesystem without hard links), said once."""

    @property
    def written(self) -> tuple[CatalogUpdate, ...]:
        return tuple(c for c in self.catalogs if c.written)

    @property
    def problem(self) -> str | None:
        left = [c.path for c in self.catalogs if c.changed_meanwhile]
        if not left:
            return None
        return (f"{', '.join(left)} kept changing while update ran (a translator saving?); "
                "left as saved: run transflow update again")


# --- the plan -------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateJob:
    """A template (.pot) to write: every message of a domain."""

    domain: Domain
    entries: tuple[TemplateEntry, ...]


@dataclass(frozen=True)
class CatalogJob:
    """A catalog to bring up to date with its template."""

    lang: str
    domain: Domain
    entries: tuple[TemplateEntry, ...]
    """The messages this language translates (not those written in it)."""
    memory: bool
    """Fill untouched entries from the translation memory (week catalogs only)."""


@dataclass(frozen=True)
class UpdatePlan:
    templates: tuple[TemplateJob, ...]
    catalogs: tuple[CatalogJob, ...]


def segment_entries(segments: Sequence[Segment]) -> list[TemplateEntry]:
    return unique(
        TemplateEntry(s.slug, s.text, None, ((s.path, str(s.line)),), s.role) for s in segments
    )


def plan_update(config: Config, weeks: Sequence[Week],
                languages: Sequence[str]) -> UpdatePlan:
    """Read every source of ``weeks`` (a bad one stops here, before anything is written)
    and say which templates and catalogs the update makes."""
    labels = tuple(ui_entries(config))
    templates = [TemplateJob(UI_DOMAIN, labels)]
    catalogs = [CatalogJob(lang, UI_DOMAIN, labels, memory=False)
                for lang in languages if lang != UI_SOURCE_LANGUAGE]
    for week in weeks:
        segments = [s for c in load_week(config, week) for s in split(c)]
        templates.append(TemplateJob(week, tuple(segment_entries(segments))))
        for lang in languages:
            wanted = tuple(segment_entries([s for s in segments if s.lang != lang]))
            # A language with nothing to translate this week gets no catalog, unless it
            # has one already (whose translations must become obsolete, not vanish).
            path = config.po_path(lang, week)
            if wanted or pofile.exists(path, config.rel(path)):
                catalogs.append(CatalogJob(lang, week, wanted, memory=True))
    return UpdatePlan(tuple(templates), tuple(catalogs))


# --- running --------------------------------------------------------------------------

_OWNED = ("Project-Id-Version", "Language", "MIME-Version", "Content-Type",
          "Content-Transfer-Encoding")
"""Header fields transflow keeps right; the others are the translator's tools'."""


def _metadata(
    config: Config, domain: Domain, lang: str | None, old: Catalog | None = None
) -> tuple[tuple[str, str], ...]:
    """Header fields: transflow owns the technical ones; the translator's own (team,
    last translator, revision date, and the file's Plural-Forms) are filled in once and
    then left to their tools, byte for byte."""
    meta = {"Project-Id-Version": f"{config.publication.slug} {domain}"}
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
    if old is None:
        return header_fields(meta)
    # The file's Plural-Forms is the translator's (Django and Wagtail ship four forms
    # for be and ru; Babel releases spell the same rule differently): it stays.
    fields = []
    present = {key for key, _ in old.metadata}
    for key, raw in old.metadata:
        if key in _OWNED and key in meta and raw.strip() != meta[key]:
            raw = f" {meta[key]}"
        fields.append((key, raw))
    fields += [(key, f" {value}") for key, value in meta.items() if key not in present]
    return tuple(fields)


def plural_count(lang: str, catalog: Catalog | None) -> int:
    """The forms a plural entry has: the catalog's own Plural-Forms, else the language's."""
    own = catalog.nplurals if catalog is not None else None
    return own or nplurals(lang)


def header_comment(config: Config, domain: Domain, lang: str | None) -> str:
    what = "the bulletin's labels" if domain == UI_DOMAIN else f"week {domain}"
    if lang is None:
        publication = config.publication
        return f"Template for {publication.title[publication.source_language]}, {what}."
    return f"{language_name(lang)} ({lang}): {config.publication.title[lang]}, {what}."


@dataclass(frozen=True)
class _Merged:
    job: CatalogJob
    catalog: Catalog
    stats: MergeStats
    filled: int
    loaded: pofile.Loaded | None = None
    """The old catalog as read: it is replaced only if the file is still that."""


def run_catalog_job(config: Config, job: CatalogJob,
                    memory: TranslationMemory | None) -> _Merged:
    """The job's catalog, merged with its template and filled from ``memory``."""
    path = config.po_path(job.lang, job.domain)
    loaded = pofile.load(path, config.rel(path)) if pofile.exists(path, config.rel(path)) \
        else None
    old = loaded.catalog if loaded else None
    metadata = _metadata(config, job.domain, job.lang, old)
    merged, stats = merge(job.entries, old, metadata, header_comment(config, job.domain, job.lang),
                          plural_count(job.lang, old))
    filled = 0
    if job.domain == UI_DOMAIN:
        merged, filled = fill_shipped(merged, job.lang)
    if memory is not None:
        merged, filled = fill_from_memory(merged, memory, config.memory.threshold)
    return _Merged(job, merged, stats, filled, loaded)


WRITE_ATTEMPTS = 4
"""How often a catalog is written before it is left alone: merged again from what
was saved each time it changed since it was read."""


def _replace(transaction: Transaction, path: Path, text: str, expected: Expected,
             ) -> Outcome:
    try:
        return transaction.replace(path, text, expected)
    except OSError as exc:
        raise WriteFailed(path, exc) from None


def _write_catalogs(config: Config, transaction: Transaction,
                    merged: list[tuple[_Merged, TranslationMemory | None]],
                    memories: _Memories | None = None,
                    ) -> tuple[list[tuple[_Merged, bool]], set[Path], dict[Path, str]]:
    """Each catalog replaced if it is still what was read; one a translator saved
    meanwhile (by rename, or in place into the file set aside) is merged again from
    the save, a few times, then left alone. Returns each catalog with whether it
    settled, the paths written, and the digest each settled file must still have."""
    results: dict[int, tuple[_Merged, bool]] = {}
    intended: dict[Path, str] = {}
    written: set[Path] = set()
    pending = list(enumerate(merged))
    for attempt in range(WRITE_ATTEMPTS):
        again = []
        for i, (m, memory) in pending:
            path = config.po_path(m.job.lang, m.job.domain)
            text = pofile.dumps(m.catalog)
            intended[path] = digest(text.encode("utf-8"))
            outcome = _replace(transaction, path, text,
                               m.loaded.snapshot if m.loaded else None)
            if outcome is Outcome.CHANGED:
                again.append((i, (m, memory)))
            else:
                results[i] = (m, True)
                if outcome is Outcome.WRITTEN:
                    written.add(path)
        back = set(transaction.settle())
        for i, (m, memory) in pending:
            if (path := config.po_path(m.job.lang, m.job.domain)) in back:
                written.discard(path)
                again.append((i, (m, memory)))
        if not again:
            break
        if attempt == WRITE_ATTEMPTS - 1:
            for i, (m, _) in again:
                results[i] = (m, False)  # it kept changing: left as saved
            break
        pending = []
        for i, (m, memory) in again:
            # Merged again from the save (which may have emptied an entry): with the
            # memory, even where this run needed none.
            if memory is None and memories is not None and m.job.memory:
                memory = memories.of(m.job.lang)
            pending.append((i, (run_catalog_job(config, m.job, memory), memory)))
    return [results[i] for i in range(len(merged))], written, intended


def _report(config: Config, m: _Merged, written: bool, settled: bool) -> CatalogUpdate:
    path = config.po_path(m.job.lang, m.job.domain)
    return CatalogUpdate(config.rel(path), m.job.lang, m.job.domain, written, m.stats,
                         count(m.catalog), m.filled,
                         m.loaded.charset if m.loaded else None, not settled)


def template_catalog(config: Config, job: TemplateJob) -> Catalog:
    return make_template(job.entries, _metadata(config, job.domain, None),
                         header_comment(config, job.domain, None))


def _week_print(config: Config, week: Week, languages: Sequence[str],
                settings: object) -> str:
    """What a week's update depends on, by size and time: its sources, its template and
    catalogs, the settings. (What the memory may newly fill is checked apart: see
    ``_refillable``.)"""
    return fingerprint(
        settings, [(p.name, stamp(p)) for p in source_files(config, week)],
        stamp(config.pot_path(week)),
        [(lang, stamp(config.po_path(lang, week))) for lang in languages])


def update(
    config: Config,
    weeks: Sequence[Week],
    *,
    languages: Sequence[str] | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> UpdateReport:
    """Extract each week's template and merge it into every target language's catalog.

    A week's catalog for language L holds the segments of the commentaries not
    written in L. Human translations are never lost (see ``merge``). Nothing is
    written unless every source and catalog could be read. A week none of whose files
    changed since the last update (and whose untranslated entries the memory cannot
    newly fill) is skipped without being parsed. ``jobs`` (default: the number of
    CPUs) is how many threads search the translation memory, the part of an update
    that pays for it; merging and writing stay in one process, as fast as msgmerge.
    """
    langs = list(languages or config.languages)
    with workspace_lock(config.root):
        state = Records(config.root, "update", WeekUpdated)
        settings = (stamp(config.config_path), config.memory.threshold, langs,
                    [(name, stamp(config.root / name)) for name in config.memory.files])
        memories = _Memories(config)
        bases = Records(config.root, "update-memory", MemoryBase)
        skipped, todo, kept = _decided_before(config, state, bases, weeks, langs, settings,
                                              memories)
        plan = plan_update(config, todo, langs)
        found: list[_Merged] = []
        for n, job in enumerate(plan.catalogs):
            if progress:
                progress(f"{job.domain} {job.lang}", n, len(plan.catalogs))
            found.append(run_catalog_job(config, job, None))
        needed = _memories_needed(config, found, memories)
        merged = _fill(config, [(m, memories.of(m.job.lang) if m.job.lang in needed
                                 and m.job.memory else None) for m in found], jobs or -1)
        written = _write(config, plan, merged, memories)
        updates = [_report(config, m, config.po_path(m.job.lang, m.job.domain)
                           in written.changed, ok) for m, ok in written.settled]
        _remember(config, state, bases, settings, langs, todo, kept, written, memories)
        # status reads the counts of what was just written instead of the catalogs.
        if counted := [(config.po_path(m.job.lang, m.job.domain), m.catalog)
                       for m, ok in written.settled if ok and isinstance(m.job.domain, Week)]:
            remember_counts(config, counted)

    def order(c: CatalogUpdate) -> tuple[object, ...]:  # ui first, then week by week
        week = c.domain if isinstance(c.domain, Week) else None
        return (week is not None, week or Week(1, 1), langs.index(c.lang)
                if c.lang in langs else len(langs))

    return UpdateReport(written.templates, tuple(sorted(skipped + updates, key=order)),
                        written.notes)


class _Memories:
    """Each language's translation memory, loaded when first asked, and its version."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.loaded: dict[str, TranslationMemory] = {}
        self._versions: dict[str, dict[str, str] | None] = {}
        self._printed: dict[str, str] = {}

    def of(self, lang: str) -> TranslationMemory:
        if lang not in self.loaded:
            self.loaded[lang] = load_memory(self.config, lang)
        return self.loaded[lang]

    def files(self, lang: str) -> dict[str, str]:
        """Each file's digest (once per language, not per week)."""
        if lang in self.loaded:
            return self.loaded[lang].versions
        if lang not in self._versions:
            # From the records when every file is as recorded: no entry is read.
            self._versions[lang] = memory_versions(self.config, lang)
        return self._versions[lang] or self.of(lang).versions

    def version(self, lang: str) -> str:
        # The files' digests are the same whether read from the records or with the
        # memory's entries: one fingerprint a language.
        if lang not in self._printed:
            self._printed[lang] = fingerprint(self.files(lang))
        return self._printed[lang]


def _decided_before(config: Config, state: Records[WeekUpdated], bases: Records[MemoryBase],
                    weeks: Sequence[Week], langs: list[str], settings: object,
                    memories: _Memories,
                    ) -> tuple[list[CatalogUpdate], list[Week], list[Week]]:
    """The reports of the weeks whose record still holds (as their last update left
    them), the weeks to update, and those of the first kept at a newer memory."""
    skipped: list[CatalogUpdate] = []
    todo: list[Week] = []
    stale: dict[Week, list[Fillable]] = {}
    for week in weeks:
        done = state.current(f"week {week}", _week_print(config, week, langs, settings))
        if done is None:
            todo.append(week)
            continue
        behind = [f for f in done.fillable if f.lang in langs
                  and f.memory != memories.version(f.lang)]
        if behind:
            stale[week] = behind
        skipped += [CatalogUpdate(c.path, c.lang, c.week, False, MergeStats(), c.counts)
                    for c in done.catalogs]
    refill = _refillable(config, bases, stale, memories)
    skipped = [c for c in skipped if not (isinstance(c.domain, Week) and c.domain in refill)]
    todo = sorted({*todo, *refill})
    return skipped, todo, [week for week in stale if week not in refill]


def _refillable(config: Config, bases: Records[MemoryBase], stale: dict[Week, list[Fillable]],
                memories: _Memories) -> set[Week]:
    """The weeks whose texts, which found nothing in the memory as it was, find something
    in what changed in it since: only these are merged again. (Looking up each week
    in the whole memory again cost an archive of 520 weeks half a minute.)"""
    threshold = config.memory.threshold
    groups: dict[tuple[str, str], tuple[MemoryBase, list[tuple[Week, Fillable]]]] = {}
    refill: set[Week] = set()
    for week, fillables in stale.items():
        for f in fillables:
            if (base := bases.get(f"{f.lang} {f.memory}")) is None:
                refill.add(week)  # a version no longer known: merge it again
            else:
                groups.setdefault((f.lang, f.memory), (base, []))[1].append((week, f))
    for (lang, _), (base, found) in groups.items():
        delta = memories.of(lang).changed_since(base.files)
        texts = {t for week, f in found if week not in refill for t in f.texts}
        delta.prefetch(texts, threshold)
        refill |= {week for week, f in found
                   if any(delta.lookup(t, threshold) is not None for t in f.texts)}
    return refill


@dataclass(frozen=True)
class _Written:
    """What an update's writing did."""

    templates: tuple[str, ...]
    settled: list[tuple[_Merged, bool]]
    """Each catalog as written, and whether it was (False: left as a translator saved)."""
    changed: set[Path]
    intended: dict[Path, str]
    """The digest each catalog written was meant to have."""
    notes: tuple[str, ...]


def _write(config: Config, plan: UpdatePlan,
           merged: list[tuple[_Merged, TranslationMemory | None]],
           memories: _Memories) -> _Written:
    """Everything is read and merged: write what changed, all or nothing, each catalog
    only if it is still what was read (else merged again from the save)."""
    templates = []
    changed: set[Path] = set()
    try:
        with Transaction() as transaction:
            for template in plan.templates:
                path = config.pot_path(template.domain)
                templates.append(config.rel(path))
                if _replace(transaction, path, pofile.dumps(
                        template_catalog(config, template)), ANYTHING) is Outcome.WRITTEN:
                    changed.add(path)
            settled, written, intended = _write_catalogs(config, transaction, merged,
                                                         memories)
            changed |= written
    except WriteFailed as failed:
        raise CatalogError(f"cannot write it ({failed.error.strerror or failed.error}); "
                           "nothing was updated", config.rel(failed.path)) from None
    notes = [*transaction.notes, *(
        f"{config.rel(kept)}: two saves of "
        f"{config.rel(kept.parent / kept.name.split('.kept-')[0])} crossed while update "
        "ran; the earlier one is kept there: compare and merge it by hand"
        for kept in transaction.conflicts)]
    return _Written(tuple(templates), settled, changed, intended, tuple(notes))


def _memories_needed(config: Config, merged: list[_Merged], memories: _Memories) -> set[str]:
    """The languages whose memory a lookup may find something in: not one whose every
    text to fill found nothing in the memory as it still is (an edited commentary
    changes the catalogs of the other languages; its own language's memory, of 23 MB
    at 520 weeks, is then not read)."""
    wanted: dict[str, set[str]] = {}
    for m in merged:
        if m.job.memory:
            wanted.setdefault(m.job.lang, set()).update(e.msgid for e in m.catalog
                                                         if e.may_fill)
    threshold = config.memory.threshold
    return {lang for lang, texts in wanted.items() if lang in memories.loaded or (
        texts and not texts <= known_misses(config, lang, memories.files(lang), threshold))}


def _fill(config: Config, merged: list[tuple[_Merged, TranslationMemory | None]],
          workers: int) -> list[tuple[_Merged, TranslationMemory | None]]:
    """The merged catalogs filled from the memory: every entry it may fill, of every
    catalog of a language, looked up at once (in C, on every CPU), then filled."""
    threshold = config.memory.threshold
    wanted: dict[int, set[str]] = {}
    for m, memory in merged:
        if memory is not None:
            wanted.setdefault(id(memory), set()).update(e.msgid for e in m.catalog
                                                        if e.may_fill)
    for _, memory in merged:
        if memory is not None and id(memory) in wanted:
            memory.prefetch(wanted.pop(id(memory)), threshold, workers)
    filled = []
    for m, memory in merged:
        if memory is not None:
            catalog, count = fill_from_memory(m.catalog, memory, threshold)
            m = replace(m, catalog=catalog, filled=count)
        filled.append((m, memory))
    return filled


def _remember(config: Config, state: Records[WeekUpdated], bases: Records[MemoryBase],
              settings: object, langs: list[str], weeks: list[Week], kept: list[Week],
              written: _Written, memories: _Memories) -> None:
    """Record what this update made, as it is on disk now, for the next one to skip; a
    week whose catalog was saved again after it was written is not recorded (the save
    may have come from an editor that had the older catalog open: merge it again).
    Weeks ``kept`` (nothing new to fill) are recorded at the memory's new version."""
    from transflow.catalogs.memory import remember_written, save_misses

    # The memory's version as the next run will find it: with what this one wrote. Its
    # writes add no text the memory lacked (a fill copies an entry it holds), so what
    # missed before them misses after.
    after: dict[str, str] = {}
    made = max((b.made for key in bases if (b := bases.get(key)) is not None), default=0)
    # A memory this run did not need is read now only if one of its catalogs was written.
    for m, ok in written.settled:
        if ok and m.job.memory and config.po_path(m.job.lang, m.job.domain) in written.changed:
            memories.of(m.job.lang)
    for lang in {m.job.lang for m, _ in written.settled if m.job.memory} - set(
            memories.loaded):
        after[lang] = memories.version(lang)  # none of its files changed
        if bases.get(f"{lang} {after[lang]}") is None:
            bases.record(f"{lang} {after[lang]}", "",
                         MemoryBase(dict(memories.files(lang)), made + 1))
    for lang, memory in memories.loaded.items():
        files = remember_written(config, memory, lang, {
            path: m.catalog for m, ok in written.settled
            if ok and m.job.lang == lang and (path := config.po_path(lang, m.job.domain))
            in written.changed})
        after[lang] = fingerprint(files)
        if (known := bases.get(f"{lang} {after[lang]}")) is None or known.files != files:
            bases.record(f"{lang} {after[lang]}", "", MemoryBase(files, made + 1))
        save_misses(config, lang, memory, config.memory.threshold)
    by_week: dict[Week, list[tuple[_Merged, bool]]] = {}
    for m, ok in written.settled:
        if isinstance(m.job.domain, Week):
            by_week.setdefault(m.job.domain, []).append((m, ok))
    for week in weeks:
        key = f"week {week}"
        done = by_week.get(week, [])
        if not all(ok for _, ok in done):
            state.forget(key)  # left as a translator saved it: look again next time
            continue
        fillable = tuple(Fillable(m.job.lang, after[m.job.lang], texts) for m, _ in done
                         if (texts := tuple(e.msgid for e in m.catalog if e.may_fill)))
        week_print = _week_print(config, week, langs, settings)
        if not all(file_digest(path) == written.intended.get(path) for m, _ in done
                   if (path := config.po_path(m.job.lang, week))):
            state.forget(key)
            continue
        state.record(key, week_print, WeekUpdated(fillable, tuple(
            UpdatedCatalog(config.rel(config.po_path(m.job.lang, week)), m.job.lang, week,
                           count(m.catalog)) for m, _ in done)))
    for week in kept:
        key = f"week {week}"
        if (week_record := state.get(key)) is not None and (print_ := state.print_of(key)):
            state.record(key, print_, replace(week_record, fillable=tuple(
                replace(f, memory=after[f.lang]) if f.lang in after else f
                for f in week_record.fillable)))
    _keep_bases(bases, state)
    state.save()
    bases.save()


def _keep_bases(bases: Records[MemoryBase], state: Records[WeekUpdated]) -> None:
    """Keep the memory versions some week was last looked up in, the newest few per
    language."""
    used = {f"{f.lang} {f.memory}" for key in state
            if (known := state.get(key)) is not None for f in known.fillable}
    per_lang: dict[str, list[tuple[int, str]]] = {}
    for key in bases:
        if key in used and (base := bases.get(key)) is not None:
            per_lang.setdefault(key.split(" ")[0], []).append((base.made, key))
    bases.keep_only({key for found in per_lang.values()
                     for _, key in sorted(found)[-BASES_KEPT:]})
