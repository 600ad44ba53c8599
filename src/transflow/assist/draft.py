"""``transflow draft``: fill untranslated catalog entries with machine-translation drafts.

Only entries with an empty msgstr are touched: a human translation, a fuzzy entry or
an earlier draft is never overwritten. A draft is written ``fuzzy`` with a comment
naming the provider and the date, so translation tools show it as needing review
and ``build`` leaves it out unless ``--drafts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from transflow.assist.masking import MaskError, mask, unmask
from transflow.assist.mt import (
    Cache,
    Client,
    MTError,
    ProviderFailed,
    Route,
    Step,
    TextFailed,
    provider,
    redact,
)
from transflow.assist.mt import resolve_route as route_for
from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog, MachineDraft
from transflow.sources.commentary import load_week
from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError
from transflow.workspace.files import workspace_lock
from transflow.workspace.progress import Progress
from transflow.workspace.weeks import Week

CACHE_PATH = ".transflow/mt-cache.sqlite3"


MAX_LINE = 200
"""A failure's report line is at most this long."""


@dataclass(frozen=True)
class Failure:
    path: str
    msgctxt: str | None
    msgid: str
    reason: str
    line: int | None = None
    """The entry's line in the catalog."""

    @property
    def report_line(self) -> str:
        """``path:line [context]: reason`` in one line: names the entry without its text
        (drafts may be of unpublished work, and logs travel)."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        line = f"{where} [{self.msgctxt}]: {self.reason}"
        return line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"


@dataclass(frozen=True)
class ProviderStats:
    provider: str
    drafted: int
    characters: int
    requests: int
    cache_hits: int
    offline: bool = False
    """A stand-in that sends nothing anywhere (``pseudo``)."""


@dataclass(frozen=True)
class Planned:
    """What a dry run would send."""

    step: str
    text: str


@dataclass(frozen=True)
class DraftReport:
    dry_run: bool
    drafted: int
    providers: tuple[ProviderStats, ...]
    failures: tuple[Failure, ...]
    planned: tuple[Planned, ...]
    written: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What the run could not promise here (a filesystem without hard links), said once."""

    @property
    def planned_characters(self) -> int:
        return sum(len(p.text) for p in self.planned)

    @property
    def problem(self) -> str | None:
        if not self.failures:
            return None
        return (f"{len(self.failures)} entries were not drafted (listed above); what was "
                "drafted is saved: fix the cause and run draft again")


@dataclass
class _Tally:
    drafted: int = 0
    cache_hits: int = 0


def _lines_as_written(config: Config, failures: list[Failure]) -> list[Failure]:
    """Failures with the entry's line in the catalog as saved (drafts around it moved it)."""
    lines: dict[str, dict[tuple[str | None, str], int | None]] = {}
    fixed = []
    for f in failures:
        if f.path not in lines:
            catalog = pofile.read_catalog(config.root / f.path, f.path)
            lines[f.path] = {e.key: e.line for e in catalog.active}
        fixed.append(replace(f, line=lines[f.path].get((f.msgctxt, f.msgid), f.line)))
    return fixed


# --- the plan -------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftItem:
    """One entry to draft, and the provider(s) its language pair goes through."""

    msgctxt: str | None
    msgid: str
    route: Route
    line: int | None = None


@dataclass(frozen=True)
class DraftJob:
    """The entries of one catalog nobody has translated yet."""

    path: str
    """The catalog, relative to the workspace."""
    loaded: pofile.Loaded
    """The catalog as it was read: drafts are written into it, if the file still is
    that; else into what a translator saved meanwhile."""
    items: tuple[DraftItem, ...]


def plan_drafts(config: Config, weeks: Sequence[Week], languages: Sequence[str],
                provider: str | None) -> tuple[DraftJob, ...]:
    """Every catalog's untouched entries, with every route checked before any request."""
    jobs = []
    routes: dict[tuple[str, str], Route] = {}
    for week in weeks:
        source_lang = {c.slug: c.lang for c in load_week(config, week)}
        for lang in languages:
            path = config.po_path(lang, week)
            if not pofile.exists(path, config.rel(path)):
                continue
            loaded = pofile.load(path, config.rel(path))
            items = []
            for e in loaded.catalog:
                if not e.may_fill or e.msgctxt not in source_lang:
                    continue
                pair = (source_lang[e.msgctxt], lang)
                if pair not in routes:
                    routes[pair] = route_for(config.mt, *pair, override=provider)
                items.append(DraftItem(e.msgctxt, e.msgid, routes[pair], e.line))
            if items:
                jobs.append(DraftJob(config.rel(path), loaded, tuple(items)))
    return tuple(jobs)


def with_drafts(catalog: Catalog, drafts: dict[tuple[str | None, str], tuple[str, str]],
                stamp: str) -> Catalog:
    """``catalog`` with each drafted entry filled: (msgctxt, msgid) → (text, route)."""
    return catalog.with_entries(
        e.filled(drafts[e.key][0], MachineDraft(drafts[e.key][1], stamp), fuzzy=True)
        if e.key in drafts and e.may_fill else e
        for e in catalog
    )


# --- running --------------------------------------------------------------------------

WRITE_ATTEMPTS = 3


def _save(config: Config, job: DraftJob,
          drafts: dict[tuple[str | None, str], tuple[str, str]], stamp: str,
          notes: list[str]) -> bool:
    """Write the drafts into the catalog. If a translator saved it while the drafts were
    being made, they go into what was saved, and only where it is still untouched."""
    path = config.root / job.path
    loaded = job.loaded
    for _ in range(WRITE_ATTEMPTS):
        try:
            return pofile.write_catalog(with_drafts(loaded.catalog, drafts, stamp), path,
                                        loaded, notes)
        except pofile.Changed:
            loaded = pofile.load(path, job.path)
    raise TransflowError("kept changing while drafts were written; drafts of it are "
                         "cached: run transflow draft again", job.path)

class _Runner:
    """Sends texts through their routes: the run's memo and the persistent cache first,
    then the providers' clients; counts what each provider did."""

    def __init__(self, config: Config, url: str | None) -> None:
        self.config = config
        self.url = url
        self.cache = Cache(config.root / CACHE_PATH)
        self.clients: dict[Step, Client] = {}
        self.tallies: dict[str, _Tally] = {}
        self.memo: dict[tuple[Step, str], str] = {}

    def step(self, step: Step, text: str) -> str:
        tally = self.tallies.setdefault(step.provider, _Tally())
        if (step, text) in self.memo:  # identical segments are sent once per run
            tally.cache_hits += 1
            return self.memo[(step, text)]
        cached = self.cache.get(step, text)
        if cached is not None:
            tally.cache_hits += 1
        else:
            client = self.clients.setdefault(step, Client(step, self.config.mt, self.url))
            cached = client.translate(text)
            self.cache.put(step, text, cached)
        self.memo[(step, text)] = cached
        return cached

    def route(self, route: Route, msgid: str) -> str:
        masked = mask(msgid)
        text = masked.text
        for step in route.steps:
            text = self.step(step, text)
        return unmask(text, masked)

    def stats(self) -> tuple[ProviderStats, ...]:
        stats = []
        for name, tally in self.tallies.items():
            sent = [c for s, c in self.clients.items() if s.provider == name]
            found = provider(name)
            stats.append(ProviderStats(name, tally.drafted, sum(c.characters for c in sent),
                                       sum(c.requests for c in sent), tally.cache_hits,
                                       found is not None and found.offline))
        return tuple(stats)


def _dry_run(config: Config, jobs: Sequence[DraftJob]) -> DraftReport:
    cache = Cache(config.root / CACHE_PATH)
    planned: list[Planned] = []
    seen: set[tuple[Step, str]] = set()
    try:
        for job in jobs:
            for item in job.items:
                # What the first step would send; a pivot's second step sends what the
                # first returns, unknown until then.
                key = (item.route.steps[0], mask(item.msgid).text)
                if key not in seen and cache.get(*key) is None:
                    seen.add(key)
                    label = str(key[0]) if len(item.route.steps) == 1 else item.route.label
                    planned.append(Planned(label, key[1]))
    finally:
        cache.close()
    return DraftReport(True, 0, (), (), tuple(planned), ())


def draft(
    config: Config,
    weeks: Sequence[Week],
    *,
    languages: Sequence[str] | None = None,
    provider: str | None = None,
    url: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
) -> DraftReport:
    """Draft every untouched entry of ``weeks``; each catalog is written as soon as its
    entries are drafted, so an interruption keeps everything already paid for."""
    url = url or config.mt.url
    stamp = (today or date.today()).isoformat()
    jobs = plan_drafts(config, weeks, list(languages or config.languages), provider)
    if dry_run:
        return _dry_run(config, jobs)
    if not url and any(step.provider == "libre" for job in jobs for item in job.items
                       for step in item.route.steps):
        raise MTError(
            "libre needs the address of a LibreTranslate server: set url in [mt] of "
            "transflow.toml (e.g. url = \"http://mt.internal:5000/\") or pass --url"
        )
    with workspace_lock(config.root):
        return _run_drafts(config, jobs, url, stamp, progress)


def _run_drafts(config: Config, jobs: Sequence[DraftJob], url: str | None, stamp: str,
                progress: Progress | None) -> DraftReport:
    runner = _Runner(config, url)
    failures: list[Failure] = []
    written: list[str] = []
    notes: list[str] = []
    try:
        for done, job in enumerate(jobs):
            if progress:
                progress(job.path, done, len(jobs))
            drafts: dict[tuple[str | None, str], tuple[str, str]] = {}
            try:
                for item in job.items:
                    try:
                        text = runner.route(item.route, item.msgid)
                    except (ProviderFailed, TextFailed, MaskError) as exc:
                        reason = str(exc)
                        if isinstance(exc, MaskError):
                            reason = f"draft refused, markup or numbers changed: {exc}"
                        failures.append(Failure(job.path, item.msgctxt, item.msgid,
                                                redact(reason), item.line))
                        continue
                    drafts[(item.msgctxt, item.msgid)] = (text, item.route.label)
                    runner.tallies[item.route.steps[-1].provider].drafted += 1
            finally:
                # Saved even when interrupted: every catalog stays valid and complete.
                if drafts and _save(config, job, drafts, stamp, notes):
                    written.append(job.path)
    finally:
        runner.cache.close()

    return DraftReport(False, sum(t.drafted for t in runner.tallies.values()), runner.stats(),
                       tuple(_lines_as_written(config, failures)), (), tuple(written),
                       tuple(notes))
