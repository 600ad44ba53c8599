"""``transflow build``: catalogs + sources → per (week, language) an HTML page and a
PDF bulletin under ``output/<week>/<lang>/`` (the publication tree), or, with
``--drafts``, a preview under ``output/preview/<week>/<lang>/``.

It plans, runs, then writes (see ``plan``): every catalog is read and every
bulletin resolved before anything is rendered, so a malformed PO file stops the
build with nothing replaced; each job renders its files in memory; the files of
one bulletin are then written together, all or none. A language below the
translation threshold, or refused by strict mode, is not built and its previous
output stays. The two trees never meet: a preview is never written where
subscribers get the bulletin, and a plain build reads nothing from the preview tree.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from transflow.publish.bulletin import Bulletin
from transflow.publish.editions import bulletin_dir, pdf_name, published_percent
from transflow.publish.formats import Page, output_format
from transflow.publish.manifest import MANIFEST, manifest_json, shared_state
from transflow.publish.plan import (
    BuildOptions,
    BuildPlan,
    BulletinJob,
    Decided,
    Refused,
    Skipped,
    build_print,
    build_records,
    plan_build,
    state_key,
)
from transflow.workspace.background import Beside, Stopped
from transflow.workspace.config import Config
from transflow.workspace.files import (
    Inside,
    Outcome,
    WriteFailed,
    output_phase,
    workspace_lock,
    write_all,
)
from transflow.workspace.progress import Progress
from transflow.workspace.records import Records, stamp
from transflow.workspace.weeks import Week

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

__all__ = ["BuildOptions", "BuildReport", "Failed", "Output", "Refused", "Skipped", "build",
           "bulletin_dir", "pdf_name", "published_percent"]


@dataclass(frozen=True)
class Output:
    week: Week
    lang: str
    format: str
    path: str
    written: bool
    """False when the file already held exactly this bulletin."""


@dataclass(frozen=True)
class Failed:
    """A bulletin that could not be written; nothing of it was left half-written."""

    week: Week
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
    bulletins: tuple[Bulletin, ...] = field(default=(), compare=False, repr=False)
    """The bulletins this build made and wrote (for the site: not made twice)."""

    def _bulletins(self, written: bool) -> int:
        state: dict[tuple[Week, str], bool] = {}
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


# --- running a job --------------------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    """What a job made: each file with its new content, or None when it is current."""

    job: BulletinJob
    files: tuple[tuple[str, str, bytes | None], ...]
    """(format, path relative to the workspace, content)."""
    sources: tuple[tuple[str, str], ...] = ()
    """(format, what its file was made from: see ``formats.Made``)."""
    notes: tuple[str, ...] = ()
    manifest: bytes | None = None
    """The manifest of a published bulletin."""


def run_job(job: BulletinJob, root: Path, templates: tuple[Path, ...]) -> Rendered:
    """Render one bulletin in memory, in each of its formats; a format whose source is
    as ``job.previous`` says keeps its file, unread."""
    from transflow.publish.render_html import PRINT_STYLESHEET, render_html, stylesheet_text

    page = Page(render_html(job.bulletin, templates, job.translations()),
                stylesheet_text(templates, PRINT_STYLESHEET))
    previous = dict(job.previous)
    files: list[tuple[str, str, bytes | None]] = []
    sources: list[tuple[str, str]] = []
    notes: list[str] = []
    for name, file_name in job.files:
        made = output_format(name).render(job, page, root, previous.get(name, ""))
        files.append((name, f"{job.folder}/{file_name}", made.content))
        sources.append((name, made.source))
        notes += made.notes
    manifest = None
    if job.inputs:
        # What the published bulletin was made from, for delivery to check.
        manifest = manifest_json(job.week, job.lang, job.inputs, {
            rel.rsplit("/", 1)[1]: data if data is not None else (root / rel).read_bytes()
            for _, rel, data in files})
    return Rendered(job, tuple(files), tuple(sources), tuple(notes), manifest)


# --- writing --------------------------------------------------------------------------

def _failure(config: Config, job: BulletinJob, failed: WriteFailed) -> Failed:
    exc, path = failed.error, failed.path
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason += "; a file stands where a folder must go: move it away"
        # Name the culprit: the file standing where a folder must go.
        path = next((p for p in path.parents if p.exists() and not p.is_dir()), path)
    elif isinstance(exc, PermissionError):
        reason += "; make the file and its folder writable (or not immutable: chattr -i)"
    return Failed(job.week, job.lang, config.rel(path), reason)


def write_rendered(config: Config, rendered: Rendered, inside: Inside | None = None,
                   ) -> tuple[list[Output], Failed | None]:
    """Write what changed of one bulletin, all files or none (``inside``: the run's
    check of where files go, each folder checked once a run)."""
    job = rendered.job
    inside = inside or Inside(config.root)
    files: list[tuple[Path, bytes]] = []
    made = [(rel, data) for _, rel, data in rendered.files]
    if rendered.manifest is not None:
        made.append((f"{job.folder}/{MANIFEST}", rendered.manifest))
    for rel, data in made:
        inside(config.root / rel)
        if data is not None:
            files.append((config.root / rel, data))
    try:
        # A file that already holds these bytes is left as is; the output phase syncs.
        outcomes = write_all(files, sync=False)
    except WriteFailed as failed:
        return [], _failure(config, job, failed)
    return [Output(job.week, job.lang, fmt, rel,
                   outcomes.get(config.root / rel) is Outcome.WRITTEN)
            for fmt, rel, _ in rendered.files], None


def build(
    config: Config,
    weeks: Sequence[Week],
    *,
    languages: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    drafts: bool = False,
    min_translated: float | None = None,
    progress: Progress | None = None,
    strict: bool | None = None,
    jobs: int | None = None,
    alongside: Alongside | None = None,
) -> BuildReport:
    """Build the bulletins of ``weeks``; ``drafts`` builds previews into their own tree.

    ``formats`` (default: every registered format) are the files made of each.
    ``strict`` (default: ``[build] strict``) refuses a language with check errors;
    without it such a language is built and a warning names the errors' count.
    ``min_translated`` (default: the setting) is the threshold below which a language
    is skipped. ``jobs`` (default: the number of CPUs, fewer when there are few
    bulletins to keep them busy) renders that many bulletins at a time, in worker
    processes; the files are written by this process, in the plan's order, so the
    output is the same whatever the number. A bulletin none of whose inputs and
    outputs changed since it was last built with the same options is not even read.

    ``alongside`` (the site, say) runs once the plan is made, in a thread while the
    bulletins render in worker processes (else after them): it is given the bulletins
    about to be written, and for each the digest of its inputs its manifest will hold.
    What it makes may then show a bulletin whose writing fails: the report says which
    (``failed``), for the caller to run it again.
    """
    options = BuildOptions.of(config, languages=languages, formats=formats, drafts=drafts,
                              min_translated=min_translated, strict=strict)
    with workspace_lock(config.root, outputs=True):
        records = build_records(config)
        # Bulletins never built are sure to be rendered: workers for them start now,
        # loading the renderers while this process plans.
        never = sum(state_key(w, lang, drafts) not in records for w in weeks
                    for lang in options.languages)
        pool = _start_workers(jobs or _default_workers(never, options.formats), never,
                              options.formats)
        try:
            # The workers check the weeks while they wait for bulletins to render.
            plan = plan_build(config, weeks, options, records,
                              map if pool is None else functools.partial(pool.imap,
                                                                          chunksize=4))
            workers = jobs or _workers(plan)
            with output_phase(config.root, config.output_dir):
                # Only while workers render: rendering here, it would take turns with it.
                beside = None
                if alongside is not None and workers > 1 and len(plan.jobs) > 1:
                    # The workers are forked before the thread starts: a fork while it
                    # imports would leave the workers waiting on its import lock forever.
                    if pool is None:
                        pool = _start_workers(workers, len(plan.jobs), tuple(
                            {name: None for job in plan.jobs for name, _ in job.files}))
                    coming = {(job.week, job.lang): job.inputs for job in plan.jobs
                              if job.inputs}
                    made = tuple(job.bulletin for job in plan.jobs)
                    beside = Beside(lambda step: alongside(made, coming, step),
                                    "transflow-alongside")
                try:
                    report = _run_plan(config, plan, drafts, progress, workers, records,
                                       pool)
                except BaseException:
                    if beside is not None:
                        with contextlib.suppress(Stopped):
                            beside.stop()  # at its next page: nothing is left half-done
                    raise
                if beside is not None:
                    beside.result()
                elif alongside is not None:
                    alongside(report.bulletins, {}, None)
                return report
        finally:
            if pool is not None:
                pool.terminate()  # done with, or stopped by an interrupt: nothing is left
                pool.join()
            records.save()


Alongside = Callable[[tuple[Bulletin, ...], dict[tuple[Week, str], str], Progress | None],
                    None]
"""What runs beside the rendering of a build (see ``build``): given the bulletins, the
digests, and a progress callback to call as it goes (it raises when the build stops)."""


JOBS_PER_WORKER = 2
"""A worker process starts by importing the renderers (WeasyPrint alone takes about half
a second, in each worker at once): by default, one is started per this many bulletins
when they include a format that is slow to render (a week's three PDFs finish sooner on
two workers than on one process, in ``transflow build --week`` runs timed in turn), and
per three times as many for pages alone."""


def _workers(plan: BuildPlan) -> int:
    """The default number of workers: the CPUs, as far as the plan keeps them busy (see
    ``JOBS_PER_WORKER``)."""
    return _default_workers(len(plan.jobs), tuple(
        {name: None for job in plan.jobs for name, _ in job.files}))


def _default_workers(bulletins: int, formats: Sequence[str]) -> int:
    heavy = any(output_format(name).warm_up for name in formats)
    per = JOBS_PER_WORKER if heavy else 3 * JOBS_PER_WORKER
    return max(1, min(os.cpu_count() or 1, -(-bulletins // per) if heavy else bulletins // per))


def _start_workers(jobs: int, bulletins: int, formats: tuple[str, ...]) -> Pool | None:
    """A pool of ``jobs`` workers, when at least two would have bulletins to render;
    each loads the renderers of ``formats`` that want it as it starts."""
    if jobs <= 1 or bulletins < 2:
        return None
    import multiprocessing

    return multiprocessing.Pool(min(jobs, bulletins), initializer=_start_worker,
                                initargs=(formats,))


def _rendered(config: Config, plan: BuildPlan, jobs: int,
              pool: Pool | None = None) -> Iterator[Rendered]:
    """Each job's rendering, in the plan's order: in this process, or in ``jobs``
    worker processes (each loads the renderers once, for all its jobs); ``pool``, when
    the workers were started before the plan was made."""
    if jobs <= 1 or len(plan.jobs) <= 1:
        for job in plan.jobs:
            yield run_job(job, config.root, config.template_path)
        return
    # Workers ignore Ctrl-C: the main process alone decides, and on an interrupt (or a
    # failure) it stops them at once; they write nothing, so nothing is left half-done.
    own = pool is None
    if pool is None:
        pool = _start_workers(jobs, len(plan.jobs), tuple(
            {name: None for j in plan.jobs for name, _ in j.files}))
    assert pool is not None
    try:
        # The job is not sent back with its rendering (it holds the whole bulletin): it
        # is known here, in the plan's order.
        for job, made in zip(plan.jobs, pool.imap(_run_job, (
                (job, config.root, config.template_path) for job in plan.jobs)),
                strict=True):
            yield Rendered(job, *made)
    finally:
        if own:
            pool.terminate()
            pool.join()


def _start_worker(formats: tuple[str, ...]) -> None:
    import signal

    from transflow.publish import render_html  # noqa: F401 (Jinja: every format needs it)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in formats:
        if (found := output_format(name)).warm_up:
            found.load()


def _run_job(args: tuple[BulletinJob, Path, tuple[Path, ...]]) -> tuple[
        tuple[tuple[str, str, bytes | None], ...], tuple[tuple[str, str], ...],
        tuple[str, ...], bytes | None]:
    """A job's rendering, as a worker sends it back: everything but the job."""
    made = run_job(*args)
    return made.files, made.sources, made.notes, made.manifest


def _run_plan(config: Config, plan: BuildPlan, drafts: bool, progress: Progress | None,
              jobs: int = 1, records: Records[Decided] | None = None,
              pool: Pool | None = None) -> BuildReport:
    warnings = list(plan.warnings)
    outputs = [Output(c.week, c.lang, fmt, path, False)
               for c in plan.current for fmt, path in c.files]
    failed: list[Failed] = []
    total = len(plan.jobs)
    # What each finished bulletin was made from, as its files are now: the rendered
    # files themselves are let go as soon as they are written.
    finished: list[tuple[Week, str, Decided]] = []
    made: list[Bulletin] = []
    inside = Inside(config.root)
    for done, rendered in enumerate(_rendered(config, plan, jobs, pool)):
        job = rendered.job
        if progress:
            progress(f"{job.week} {job.lang}", done, total)
        warnings += rendered.notes
        written, failure = write_rendered(config, rendered, inside)
        if failure is not None:
            failed.append(failure)
            if records is not None:
                records.forget(state_key(job.week, job.lang, drafts))
        else:
            made.append(job.bulletin)
            if not rendered.notes:
                files = {name: config.root / rel for name, rel, _ in rendered.files}
                finished.append((job.week, job.lang, Decided(options=plan.options, sources={
                    name: (source, *stamp(files[name])) for name, source in rendered.sources
                    if source})))
        outputs += written
    if records is not None:
        _record(config, plan, drafts, finished, records)
    return BuildReport(tuple(outputs), plan.skipped, tuple(warnings), plan.refused,
                       tuple(failed), drafts, tuple(made))


def _record(config: Config, plan: BuildPlan, drafts: bool,
            finished: list[tuple[Week, str, Decided]], records: Records[Decided]) -> None:
    """What was decided, as the files are on disk now, with every language of the week
    written: the next build skips these bulletins while nothing moves."""
    shared = shared_state(config)

    def keep(week: Week, lang: str, decided: Decided) -> None:
        records.record(state_key(week, lang, drafts), build_print(
            config, week, lang, plan.options, drafts, shared), decided)

    for week, lang, decided in finished:
        keep(week, lang, decided)
    for week, lang, decided in (
            *((s.week, s.lang, Decided(skipped=s.percent)) for s in plan.skipped),
            *((r.week, r.lang, Decided(refused=r.errors)) for r in plan.refused)):
        # What its files were made from stays known, for when it is built again.
        before = records.get(state_key(week, lang, drafts))
        keep(week, lang, replace(decided, sources=before.sources) if before else decided)
