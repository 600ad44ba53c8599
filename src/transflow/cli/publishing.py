"""Commands that publish: ``build`` (later the site and delivery to subscribers)."""

from __future__ import annotations

from pathlib import Path

import click

from transflow.cli.options import (
    FormatParam,
    ProgressBar,
    finish,
    lang_option,
    setup,
    week_option,
    workspace_option,
)
from transflow.workspace.weeks import WeekSelection


@click.command()
@workspace_option
@week_option
@lang_option
@click.option("--format", "formats", multiple=True, type=FormatParam(), metavar="FORMAT",
              help="Only this format (repeatable): html, pdf, or another installed one. "
                   "Default: every one.")
@click.option("--drafts", is_flag=True,
              help="Use fuzzy entries (drafts, suggestions) too; they are marked in the output.")
@click.option("--min-translated", type=click.FloatRange(0, 100), default=None, metavar="PCT",
              help="Skip a language with less than PCT% of its words translated "
                   "(default: min_translated in transflow.toml).")
@click.option("--strict/--no-strict", default=None,
              help="Refuse (or, with --no-strict, still build) a language whose translations "
                   "have check errors. Default: [build] strict in transflow.toml.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Render N bulletins at a time, in worker processes (default: the number "
                   "of CPUs, one per 3 bulletins at most). The output is the same whatever N.")
def build(workspace: Path | None, selection: WeekSelection | None, languages: tuple[str, ...],
          formats: tuple[str, ...], drafts: bool, min_translated: float | None,
          strict: bool | None, jobs: int | None) -> None:
    """Compile the HTML page and PDF bulletin of each week.

    One bulletin per week and language, in output/<week>/<lang>/; with --drafts, a
    preview in output/preview/<week>/<lang>/ instead. Exit status 1 when a bulletin
    was refused or failed, or when nothing was built and nothing is up to date.
    """
    from transflow.publish.build import build as run

    s = setup(workspace, selection, languages)
    with ProgressBar() as bar:
        report = run(s.config, s.weeks, languages=s.languages, formats=formats or None,
                     drafts=drafts, min_translated=min_translated, strict=strict,
                     progress=bar, jobs=jobs)
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
    if not drafts:
        from transflow.site.pages import build_site

        with ProgressBar() as bar:
            site = build_site(s.config, bar)
        for warning in site.warnings:
            click.echo(f"warning: {warning}", err=True)
        for failure in site.failures:
            click.echo(f"failed: {failure}", err=True)
        click.echo(f"site: {len(site.written)} pages written, {site.unchanged} unchanged")
        click.echo(report.summary)
        finish(report)
        finish(site)
        return
    click.echo(report.summary)
    finish(report)


@click.command()
@workspace_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1 (0: any free port).")
def serve(workspace: Path | None, port: int) -> None:
    """Serve the website in output/ on 127.0.0.1 to look at it.

    Stop it with Ctrl-C.
    """
    from transflow.site.serve import server
    from transflow.workspace.config import load_config

    httpd = server(load_config(workspace), port)
    bound = httpd.server_address[1]
    click.echo(f"serving output/ at http://127.0.0.1:{bound}/ (Ctrl-C stops)", err=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
