"""Commands of the translators' work: ``update``, ``status``, ``check``, ``draft``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from transflow.cli.options import (
    ProgressBar,
    finish,
    lang_option,
    plural,
    setup,
    week_option,
    workspace_option,
)
from transflow.workspace.config import UI_DOMAIN
from transflow.workspace.weeks import WeekSelection


@click.command()
@workspace_option
@week_option
@lang_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Search the translation memory with N threads (default: the number "
                   "of CPUs).")
def update(workspace: Path | None, selection: WeekSelection | None,
           languages: tuple[str, ...], jobs: int | None) -> None:
    """Extract segments and merge them into the PO catalogs."""
    from transflow.catalogs.update import update as run

    s = setup(workspace, selection, languages)
    with ProgressBar() as bar:
        report = run(s.config, s.weeks, languages=s.languages, progress=bar, jobs=jobs)
    for c in report.catalogs:
        stats, n = c.stats, c.counts
        changes = []
        if stats.new:
            changes.append(f"{stats.new} new")
        if stats.fuzzy_matched:
            changes.append(f"{stats.fuzzy_matched} fuzzy-matched")
        if stats.renamed:
            changes.append(f"{stats.renamed} moved with a renamed file")
        if stats.obsoleted:
            changes.append(f"{stats.obsoleted} made obsolete")
        if c.from_memory:
            # A ui catalog is filled from transflow's own labels, never the memory.
            changes.append(f"{c.from_memory} from transflow's labels" if c.path.endswith(
                f"/{UI_DOMAIN}.po") else f"{c.from_memory} from translation memory")
        if c.recoded_from:
            changes.append(f"converted from {c.recoded_from} to UTF-8")
        if c.changed_meanwhile:
            click.echo(f"{c.path}: not updated; it kept changing while update ran", err=True)
            continue
        state = "updated" if c.written else "unchanged"
        detail = f" ({', '.join(changes)})" if changes and c.written else ""
        click.echo(
            f"{c.path}: {state}; {n.translated} translated, {n.fuzzy} fuzzy, "
            f"{n.untranslated} untranslated{detail}"
        )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    finish(report)


@click.command()
@workspace_option
@week_option
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def status(workspace: Path | None, selection: WeekSelection | None,
           languages: tuple[str, ...], as_json: bool) -> None:
    """Show translation progress per week and language.

    Translated, fuzzy and untranslated segments and words, percent complete,
    and entries that came from the translation memory.
    """
    from transflow.catalogs.status import status as run

    s = setup(workspace, selection, languages)
    with ProgressBar() as bar:
        report = run(s.config, s.weeks, languages=s.languages, progress=bar)
    if as_json:
        rows = [r.as_dict() for r in report.rows] + [u.as_dict() for u in report.labels]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'week':<9} {'lang':<4} {'translated':>14} {'fuzzy':>11} "
               f"{'untranslated':>14} {'done':>5} {'memory':>6}")
    for r in report.rows:
        c = r.counts
        week = str(r.week)
        if not r.exists:
            click.echo(f"{week:<9} {r.lang:<4} no catalog (nothing to translate, or run "
                       "transflow update)")
            continue
        click.echo(
            f"{week:<9} {r.lang:<4} {f'{c.translated} ({c.translated_words} w)':>14} "
            f"{f'{c.fuzzy} ({c.fuzzy_words} w)':>11} "
            f"{f'{c.untranslated} ({c.untranslated_words} w)':>14} {c.percent:>4.0f}% "
            f"{r.from_memory:>6}"
        )
    if report.rows:
        click.echo("(w: words; done: translated words, percent; memory: entries the "
                   "translation memory filled, each naming where it found the text)")
    for u in report.labels:
        if not u.exists:
            click.echo(f"{'ui':<9} {u.lang:<4} no ui catalog: all {u.total} labels appear in "
                       "English (run transflow update)")
            continue
        english = f"; {u.untranslated} appear in English" if u.untranslated else ""
        click.echo(f"{'ui':<9} {u.lang:<4} {f'{u.translated} of {u.total} labels':>14} "
                   f"{'':>11} {'':>14} {u.percent:>4.0f}%{english}")
    if selection is not None:
        from transflow.delivery.send import STATES, delivery_counts
        from transflow.delivery.subscribers import status_counts

        if readers := status_counts(s.config):
            click.echo(f"{'readers':<9} {'':<4} " + ", ".join(
                f"{n} {state}" for state, n in readers.items()))
        for sent_week in s.weeks:
            for lang, counts in sorted(delivery_counts(s.config, sent_week).items()):
                states = ", ".join(f"{counts[state]} {state}" for state in STATES
                                   if counts[state])
                click.echo(f"{'delivery':<9} {lang:<4} {states} ({sent_week})")


@click.command()
@workspace_option
@week_option
@lang_option
@click.option("--sources", "include_sources", is_flag=True,
              help="Also check the source commentaries (forbidden glossary variants, script).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="How to print the findings.")
def check(workspace: Path | None, selection: WeekSelection | None,
          languages: tuple[str, ...], include_sources: bool, output_format: str) -> None:
    """Check translations: numbers, links, markup, terms.

    Also the glossary's forbidden variants and letters of the wrong script;
    exit status 1 if any error is found.
    """
    from transflow.quality.checks import check as run

    s = setup(workspace, selection, languages)
    with ProgressBar() as bar:
        report = run(s.config, s.weeks, languages=s.languages, sources=include_sources,
                     progress=bar)
    if output_format == "json":
        click.echo(json.dumps([f.as_dict() for f in report.findings], ensure_ascii=False,
                              indent=2))
    else:
        for f in report.findings:
            where = f"{f.path}:{f.line}" if f.line else f.path
            click.echo(f"{where}: {f.severity}: [{f.check}] {f.message} ({f.lang}, {f.context})")
        warnings = len(report.findings) - len(report.errors)
        click.echo(f"{report.checked} entries checked: {len(report.errors)} errors, "
                   f"{warnings} warnings", err=True)
    finish(report, said=True)


@click.command()
@workspace_option
@week_option
@lang_option
@click.option("--provider", metavar="NAME",
              help="google, deepl, libre, mymemory, microsoft, pseudo (offline) or another "
                   "registered provider; "
                   "default: [mt] in transflow.toml.")
@click.option("--url", metavar="URL",
              help="Base URL of a self-hosted LibreTranslate server (default: [mt] url).")
@click.option("--dry-run", is_flag=True,
              help="Print what would be sent and its character count; send and write nothing.")
def draft(workspace: Path | None, selection: WeekSelection | None, languages: tuple[str, ...],
          provider: str | None, url: str | None, dry_run: bool) -> None:
    """Fill untranslated entries with machine-translation drafts.

    Drafts are marked fuzzy, with the provider and date in a comment.
    """
    from transflow.assist.draft import draft as run

    s = setup(workspace, selection, languages)
    with ProgressBar() as bar:
        report = run(s.config, s.weeks, languages=s.languages, provider=provider, url=url,
                     dry_run=dry_run, progress=bar)
    if report.dry_run:
        for item in report.planned:
            click.echo(f"{item.step}: {item.text}")
        click.echo(f"dry run: {len(report.planned)} texts, {report.planned_characters} "
                   "characters would be sent; nothing was sent or written")
        return
    for path in report.written:
        click.echo(f"{path}: drafts written")
    for p in report.providers:
        # An offline provider (pseudo) or a run served from the cache sends nothing.
        sent = (f"{p.characters} characters sent in {plural(p.requests, 'request')}"
                if p.requests and not p.offline else "nothing sent")
        click.echo(f"{p.provider}: {p.drafted} drafted, {sent}, {p.cache_hits} from cache")
    click.echo(f"{report.drafted} entries drafted, {len(report.failures)} failed")
    for f in report.failures:
        click.echo(f"failed: {f.report_line}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    finish(report)
