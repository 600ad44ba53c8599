"""Commands that publish: ``build`` (later the site and delivery to subscribers)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from transflow.cli.options import (
    FormatParam,
    ProgressBar,
    finish,
    lang_option,
    plural,
    setup,
    week_option,
    workspace_option,
)
from transflow.workspace.weeks import Week, WeekSelection

if TYPE_CHECKING:
    from transflow.publish.bulletin import Bulletin
    from transflow.site.pages import SiteReport
    from transflow.workspace.progress import Progress


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
                   "of CPUs, one per 2 bulletins at most). The output is the same whatever N.")
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
    sites: list[SiteReport] = []

    def site_alongside(made: tuple[Bulletin, ...], coming: dict[tuple[Week, str], str],
                       step: Progress | None) -> None:
        # The site is made while the bulletins render (its own bar would fight theirs).
        from transflow.site.pages import build_site

        sites.append(build_site(s.config, step, made, coming))

    with ProgressBar() as bar:
        report = run(s.config, s.weeks, languages=s.languages, formats=formats or None,
                     drafts=drafts, min_translated=min_translated, strict=strict,
                     progress=bar, jobs=jobs, alongside=None if drafts else site_alongside)
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
        site = sites[-1]
        if report.failed:
            # Made while they rendered, it shows bulletins that were not written.
            from transflow.site.pages import build_site

            with ProgressBar() as bar:
                site = build_site(s.config, bar, report.bulletins)
        for warning in site.warnings:
            click.echo(f"warning: {warning}", err=True)
        for failure in site.failures:
            click.echo(f"failed: {failure}", err=True)
        click.echo(f"site: {plural(len(site.written), 'page')} written, {site.unchanged} "
                   "unchanged")
        click.echo(report.summary)
        finish(report)
        finish(site)
        return
    click.echo(report.summary)
    finish(report)


@click.command()
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (the publication's server: the address its "
                   "reverse proxy forwards to).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0: any free port).")
def serve(workspace: Path | None, host: str, port: int) -> None:
    """Serve output/, and the subscription service when it is enabled.

    The service ([subscriptions] enabled) answers subscribe, confirm, unsubscribe and
    preferences.

    On 127.0.0.1 to look at the site; with --host and --port, as the publication's
    server behind a reverse proxy. Stop it with Ctrl-C.
    """
    from transflow.site.serve import Server, static_app
    from transflow.workspace.config import load_config

    config = load_config(workspace)
    service = outbox = None
    if config.subscriptions.enabled:
        from transflow.delivery.web import Outbox, make_app

        outbox = Outbox(config)
        service = make_app(config, outbox)
    server = Server(static_app(config, service), host, port,
                    config.subscriptions.trusted_proxy)
    what = "output/ and the subscription service" if service else "output/"
    click.echo(f"serving {what} at {server.url} (Ctrl-C stops)", err=True)
    if outbox is not None:
        outbox.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if outbox is not None:
            outbox.stop()
