"""The command line: each command parses options, calls one library function, and
prints the report it returns. Library modules are imported inside the commands so
that ``transflow --help`` stays instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from transflow import __version__


def _workspace_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--workspace", "-w",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Workspace folder (default: the current folder, or the nearest one above it "
             "holding transflow.toml).",
    )(f)


def _week_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--week",
        is_flag=False, flag_value="latest", default=None, metavar="[WEEK]",
        help="ISO week (2019-W10) or a date inside it (2019-03-06); without a value, the "
             "latest week in sources/. Omitted: every week.",
    )(f)


def _lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--lang", "languages", multiple=True, metavar="LANG",
        help="Only this language (repeatable). Default: every language in transflow.toml.",
    )(f)


def _language(config: Any, lang: str) -> str:
    """``--lang BE`` is ``be``; a language the publication lacks is a usage error."""
    code = lang.strip().lower().replace("_", "-")
    if code not in config.languages:
        raise click.BadParameter(
            f"{lang} is not a language of this publication; use one of "
            f"{', '.join(config.languages)}", param_hint="'--lang'")
    return code


def _setup(workspace: Path | None, week: str | None, languages: tuple[str, ...]) -> Any:
    from transflow.sources.commentary import resolve_weeks
    from transflow.workspace.config import load_config

    config = load_config(workspace)
    chosen = list(dict.fromkeys(_language(config, lang) for lang in languages))
    return config, resolve_weeks(config, week), chosen or None


class _ProgressBar:
    """The CLI's progress callback: a bar on standard error while work goes on, on a
    terminal only (logs get just the report), closed before the report is printed."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __call__(self, label: str, done: int, total: int) -> None:
        if self._bar is None:
            if not sys.stderr.isatty():
                return
            self._bar = click.progressbar(length=total, file=sys.stderr, show_pos=True,
                                          item_show_func=lambda _: label)
            self._bar.__enter__()
        self._bar.item_show_func = lambda _: label
        self._bar.update(done - self._done)
        self._done = done

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._bar is not None:
            if exc_type is None:
                self._bar.update(self._bar.length - self._done)
            self._bar.__exit__(None, None, None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="transflow")
def main() -> None:
    """transflow: weekly multilingual bulletins from Markdown sources and gettext catalogs."""


@main.command()
@_workspace_option
@_week_option
@_lang_option
def update(workspace: Path | None, week: str | None, languages: tuple[str, ...]) -> None:
    """Extract segments and merge them into the PO catalogs."""
    from transflow.catalogs.update import update as run

    config, weeks, langs = _setup(workspace, week, languages)
    with _ProgressBar() as bar:
        report = run(config, weeks, langs, progress=bar)
    for c in report.catalogs:
        s, n = c.stats, c.counts
        changes = []
        if s.new:
            changes.append(f"{s.new} new")
        if s.fuzzy_matched:
            changes.append(f"{s.fuzzy_matched} fuzzy-matched")
        if s.renamed:
            changes.append(f"{s.renamed} moved with a renamed file")
        if s.obsoleted:
            changes.append(f"{s.obsoleted} made obsolete")
        if c.from_memory:
            changes.append(f"{c.from_memory} from translation memory")
        state = "updated" if c.written else "unchanged"
        detail = f" ({', '.join(changes)})" if changes and c.written else ""
        click.echo(
            f"{c.path}: {state}; {n.translated} translated, {n.fuzzy} fuzzy, "
            f"{n.untranslated} untranslated{detail}"
        )


@main.command()
@_workspace_option
@_week_option
@_lang_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def status(workspace: Path | None, week: str | None, languages: tuple[str, ...],
           as_json: bool) -> None:
    """Show translation progress per week and language.

    Translated, fuzzy and untranslated segments and words, percent complete,
    and entries that came from the translation memory.
    """
    from transflow.catalogs.status import status as run

    config, weeks, langs = _setup(workspace, week, languages)
    report = run(config, weeks, langs)
    if as_json:
        rows = [r.as_dict() for r in report.rows] + [u.as_dict() for u in report.labels]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'week':<9} {'lang':<4} {'translated':>14} {'fuzzy':>11} "
               f"{'untranslated':>14} {'done':>5} {'memory':>6}")
    for r in report.rows:
        c = r.counts
        if not r.exists:
            click.echo(f"{r.week:<9} {r.lang:<4} no catalog (nothing to translate, or run "
                       "transflow update)")
            continue
        click.echo(
            f"{r.week:<9} {r.lang:<4} {f'{c.translated} ({c.translated_words} w)':>14} "
            f"{f'{c.fuzzy} ({c.fuzzy_words} w)':>11} "
            f"{f'{c.untranslated} ({c.untranslated_words} w)':>14} {c.percent:>4.0f}% "
            f"{r.from_memory:>6}"
        )
    for u in report.labels:
        if not u.exists:
            click.echo(f"{'ui':<9} {u.lang:<4} no ui catalog: all {u.total} labels appear in "
                       "English (run transflow update)")
            continue
        english = f"; {u.untranslated} appear in English" if u.untranslated else ""
        click.echo(f"{'ui':<9} {u.lang:<4} {f'{u.translated} of {u.total} labels':>14} "
                   f"{'':>11} {'':>14} {u.percent:>4.0f}%{english}")


@main.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_workspace_option
@click.option("--week", metavar="WEEK",
              help="The week (2019-W10 or a date inside it) when the page shows none.")
@click.option("--lang", metavar="LANG",
              help="The page's language (default: detected from its letters).")
@click.option("--category", metavar="KEY",
              help="The category key when the page shows no category label.")
@click.option("--dry-run", is_flag=True, help="Print the Markdown that would be written.")
@click.option("--force", is_flag=True, help="Replace a source file that already exists.")
def import_(files: tuple[str, ...], workspace: Path | None, week: str | None,
            lang: str | None, category: str | None, dry_run: bool, force: bool) -> None:
    """Import published pages as source commentaries.

    FILE is a page copied as plain text or saved as HTML (- for standard input).
    """
    from transflow.authoring.importer import import_pages
    from transflow.workspace.config import load_config
    from transflow.workspace.errors import SourceError

    config = load_config(workspace)
    if lang is not None:
        lang = _language(config, lang)
    inputs = []
    for name in files:
        if name == "-":
            with click.open_file("-", "rb") as stdin:
                inputs.append((name, stdin.read()))
            continue
        try:
            inputs.append((name, Path(name).read_bytes()))
        except OSError as exc:
            raise SourceError(f"cannot read the page ({exc.strerror})", name) from None
    report = import_pages(config, inputs, week, lang, category, dry_run, force)
    for item in report.imported:
        if dry_run:
            exists = "; it exists, --force would replace it" if item.exists else ""
            click.echo(f"# {item.path} (dry run, not written{exists})\n{item.markdown}")
        else:
            click.echo(item.path)


@main.command()
@_workspace_option
@_week_option
@_lang_option
@click.option("--sources", "include_sources", is_flag=True,
              help="Also check the source commentaries (forbidden glossary variants, script).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="How to print the findings.")
def check(workspace: Path | None, week: str | None, languages: tuple[str, ...],
          include_sources: bool, output_format: str) -> None:
    """Check translations: numbers, links, markup, terms.

    Also the glossary's forbidden variants and letters of the wrong script;
    exit status 1 if any error is found.
    """
    from transflow.quality.checks import check as run

    config, weeks, langs = _setup(workspace, week, languages)
    report = run(config, weeks, langs, sources=include_sources)
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
    if report.errors:
        raise SystemExit(1)


@main.command()
@_workspace_option
@_week_option
@_lang_option
@click.option("--provider", metavar="NAME",
              help="google, deepl, libre, mymemory, microsoft or pseudo (offline); "
                   "default: [mt] in transflow.toml.")
@click.option("--url", metavar="URL",
              help="Base URL of a self-hosted LibreTranslate server (default: [mt] url).")
@click.option("--dry-run", is_flag=True,
              help="Print what would be sent and its character count; send and write nothing.")
def draft(workspace: Path | None, week: str | None, languages: tuple[str, ...],
          provider: str | None, url: str | None, dry_run: bool) -> None:
    """Fill untranslated entries with machine-translation drafts.

    Drafts are marked fuzzy, with the provider and date in a comment.
    """
    from transflow.assist.draft import draft as run
    from transflow.assist.mt import MTError

    config, weeks, langs = _setup(workspace, week, languages)
    with _ProgressBar() as bar:
        report = run(config, weeks, langs, provider, url, dry_run, progress=bar)
    if report.dry_run:
        for item in report.planned:
            click.echo(f"{item.step}: {item.text}")
        click.echo(f"dry run: {len(report.planned)} texts, {report.planned_characters} "
                   "characters would be sent; nothing was sent or written")
        return
    for path in report.written:
        click.echo(f"{path}: drafts written")
    for p in report.providers:
        click.echo(f"{p.provider}: {p.drafted} drafted, {p.characters} characters sent in "
                   f"{p.requests} requests, {p.cache_hits} from cache")
    click.echo(f"{report.drafted} entries drafted, {len(report.failures)} failed")
    for f in report.failures:
        click.echo(f"failed: {f.report_line}", err=True)
    if report.failures:
        raise MTError(
            f"{len(report.failures)} entries were not drafted (listed above); what was "
            "drafted is saved: fix the cause and run draft again"
        )


@main.command()
@_workspace_option
@_week_option
@_lang_option
@click.option("--format", "formats", multiple=True, type=click.Choice(["html", "pdf"]),
              help="Only this format (repeatable). Default: html and pdf.")
@click.option("--drafts", is_flag=True,
              help="Use fuzzy entries (drafts, suggestions) too; they are marked in the output.")
@click.option("--min-translated", type=click.FloatRange(0, 100), default=None, metavar="PCT",
              help="Skip a language with less than PCT% of its words translated "
                   "(default: min_translated in transflow.toml).")
@click.option("--strict/--no-strict", default=None,
              help="Refuse (or, with --no-strict, still build) a language whose translations "
                   "have check errors. Default: [build] strict in transflow.toml.")
def build(workspace: Path | None, week: str | None, languages: tuple[str, ...],
          formats: tuple[str, ...], drafts: bool, min_translated: float | None,
          strict: bool | None) -> None:
    """Compile the HTML page and PDF bulletin of each week.

    One bulletin per week and language, in output/<week>/<lang>/; with --drafts, a
    preview in output/preview/<week>/<lang>/ instead. Exit status 1 when a bulletin
    was refused or failed, or when nothing was built and nothing is up to date.
    """
    from transflow.publish.build import FORMATS
    from transflow.publish.build import build as run
    from transflow.workspace.errors import BuildError

    config, weeks, langs = _setup(workspace, week, languages)
    with _ProgressBar() as bar:
        report = run(config, weeks, langs, formats or FORMATS, drafts, min_translated,
                     strict=strict, progress=bar)
    for skipped in report.skipped:
        click.echo(f"skipped {skipped.reason}")
    for refused in report.refused:
        click.echo(f"refused {refused.reason}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for failed in report.failed:
        click.echo(f"failed: {failed.reason}", err=True)
    for out in report.outputs:
        click.echo(f"{out.path}{'' if out.written else ' (unchanged)'}")
    click.echo(report.summary)
    if problem := report.problem:
        raise BuildError(problem)
