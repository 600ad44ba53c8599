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
    redact,
)
from transflow.assist.mt import resolve_route as route_for
from transflow.catalogs import model as catalog
from transflow.catalogs import pofile
from transflow.catalogs.model import DRAFT_COMMENT
from transflow.sources.commentary import load_week
from transflow.workspace.config import Config
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

    @property
    def planned_characters(self) -> int:
        return sum(len(p.text) for p in self.planned)


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
            po = pofile.read_catalog(config.root / f.path, f.path)
            lines[f.path] = {(e.msgctxt, e.msgid): e.linenum for e in po if not e.obsolete}
        fixed.append(replace(f, line=lines[f.path].get((f.msgctxt, f.msgid), f.line)))
    return fixed


def draft(
    config: Config,
    weeks: Sequence[Week],
    languages: Sequence[str] | None = None,
    provider: str | None = None,
    url: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
) -> DraftReport:
    languages = list(languages or config.languages)
    url = url or config.mt.url
    stamp = (today or date.today()).isoformat()

    # Plan every catalog and check every route before the first request.
    jobs = []
    routes: dict[tuple[str, str], Route] = {}
    for week in weeks:
        source_lang = {c.slug: c.lang for c in load_week(config, week)}
        for lang in languages:
            path = config.po_path(lang, str(week))
            if not path.exists():
                continue
            po = pofile.read_catalog(path, config.rel(path))
            todo = [e for e in po if catalog.is_untouched(e) and e.msgctxt in source_lang]
            for e in todo:
                pair = (source_lang[e.msgctxt], lang)
                if pair not in routes:
                    routes[pair] = route_for(config.mt, *pair, override=provider)
            if todo:
                jobs.append((path, po, [(e, routes[(source_lang[e.msgctxt], lang)])
                                        for e in todo]))

    if not url and not dry_run and any(
            step.provider == "libre" for r in routes.values() for step in r.steps):
        raise MTError(
            "libre needs the address of a LibreTranslate server: set url in [mt] of "
            "transflow.toml (e.g. url = \"http://mt.internal:5000/\") or pass --url"
        )
    cache = Cache(config.root / CACHE_PATH)
    clients: dict[Step, Client] = {}
    tallies: dict[str, _Tally] = {}
    memo: dict[tuple[Step, str], str] = {}
    failures: list[Failure] = []
    planned: list[Planned] = []
    seen: set[tuple[Step, str]] = set()
    written: list[str] = []

    def run_step(step: Step, text: str) -> str:
        tally = tallies.setdefault(step.provider, _Tally())
        if (step, text) in memo:  # identical segments are sent once per run
            tally.cache_hits += 1
            return memo[(step, text)]
        cached = cache.get(step, text)
        if cached is not None:
            tally.cache_hits += 1
        else:
            client = clients.setdefault(step, Client(step, config.mt, url))
            cached = client.translate(text)
            cache.put(step, text, cached)
        memo[(step, text)] = cached
        return cached

    try:
        for done, (path, po, entries) in enumerate(jobs):
            shown = config.rel(path)
            if progress:
                progress(shown, done, len(jobs))
            changed = False
            try:
                for entry, route in entries:
                    masked = mask(entry.msgid)
                    if dry_run:
                        # What the first step would send; a pivot's second step sends
                        # what the first returns, unknown until then.
                        key = (route.steps[0], masked.text)
                        if key not in seen and cache.get(*key) is None:
                            seen.add(key)
                            label = str(key[0]) if len(route.steps) == 1 else route.label
                            planned.append(Planned(label, masked.text))
                        continue
                    try:
                        text = masked.text
                        for step in route.steps:
                            text = run_step(step, text)
                        draft_text = unmask(text, masked)
                    except (ProviderFailed, TextFailed, MaskError) as exc:
                        reason = str(exc)
                        if isinstance(exc, MaskError):
                            reason = f"draft refused, markup or numbers changed: {exc}"
                        failures.append(Failure(shown, entry.msgctxt, entry.msgid,
                                                redact(reason), entry.linenum))
                        continue
                    entry.msgstr = draft_text
                    entry.flags = ["fuzzy", *[f for f in entry.flags if f != "fuzzy"]]
                    note = f"{DRAFT_COMMENT}: {route.label}, {stamp}"
                    entry.tcomment = f"{entry.tcomment}\n{note}" if entry.tcomment else note
                    tallies[route.steps[-1].provider].drafted += 1
                    changed = True
            finally:
                # Saved even when interrupted: every catalog stays valid and complete.
                if changed and pofile.write_catalog(po, path):
                    written.append(shown)
    finally:
        cache.close()

    failures = _lines_as_written(config, failures)
    stats = []
    for name, tally in tallies.items():
        sent = [c for s, c in clients.items() if s.provider == name]
        stats.append(ProviderStats(name, tally.drafted, sum(c.characters for c in sent),
                                   sum(c.requests for c in sent), tally.cache_hits))
    return DraftReport(dry_run, sum(t.drafted for t in tallies.values()), tuple(stats),
                       tuple(failures), tuple(planned), tuple(written))
