"""Commands for subscribers and delivery: ``subscribers …`` and ``send``."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from transflow.cli.options import (
    ProgressBar,
    finish,
    lang_option,
    language,
    setup,
    week_option,
    workspace_option,
)
from transflow.workspace.weeks import WeekSelection

if TYPE_CHECKING:
    from transflow.workspace.config import Config


@click.group()
def subscribers() -> None:
    """Manage the subscriber list (add, import, unsubscribe...)."""


def _config(workspace: Path | None) -> Config:
    from transflow.workspace.config import load_config

    return load_config(workspace)


@subscribers.command("add")
@click.argument("email")
@workspace_option
@click.option("--lang", "languages", multiple=True, required=True, metavar="LANG",
              help="A language the subscriber reads (repeatable).")
@click.option("--name", default="", help="The subscriber's name.")
def add(email: str, workspace: Path | None, languages: tuple[str, ...], name: str) -> None:
    """Add a subscriber, or update the one with this address."""
    from transflow.delivery.subscribers import add as run

    config = _config(workspace)
    s = run(config, email, [language(config, lang) for lang in languages], name)
    click.echo(f"{s.email}: {' '.join(s.languages)}, {s.status}")


@subscribers.command("remove")
@click.argument("email")
@workspace_option
def remove(email: str, workspace: Path | None) -> None:
    """Delete a subscriber and their delivery log."""
    from transflow.delivery.subscribers import SubscriberError
    from transflow.delivery.subscribers import remove as run

    if not run(_config(workspace), email):
        raise SubscriberError(f"no subscriber {email}")
    click.echo(f"{email}: removed")


@subscribers.command("list")
@workspace_option
@click.option("--lang", metavar="LANG", help="Only the subscribers of this language.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_(workspace: Path | None, lang: str | None, as_json: bool) -> None:
    """List the subscribers."""
    from transflow.delivery.subscribers import subscribers as run

    config = _config(workspace)
    found = run(config, language(config, lang) if lang else None)
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in found], ensure_ascii=False, indent=2))
        return
    for s in found:
        click.echo(f"{s.email}\t{' '.join(s.languages)}\t{s.status}\t{s.name}")


@subscribers.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def import_(file: Path, workspace: Path | None) -> None:
    """Import a CSV file (email,languages,name,status; or a listmonk or Mailchimp export).

    One bad row imports nothing and names its line.
    """
    from transflow.delivery.subscribers import SubscriberError, import_csv

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SubscriberError(f"cannot read it ({exc})", str(file)) from None
    count = import_csv(_config(workspace), text, str(file))
    click.echo(f"{file}: {count} subscribers imported")


@subscribers.command("export")
@workspace_option
def export(workspace: Path | None) -> None:
    """Print the subscriber list as CSV."""
    from transflow.delivery.subscribers import export_csv

    click.echo(export_csv(_config(workspace)), nl=False)


@subscribers.command("unsubscribe")
@click.argument("token_or_email", metavar="TOKEN-OR-EMAIL")
@workspace_option
def unsubscribe(token_or_email: str, workspace: Path | None) -> None:
    """Unsubscribe someone, by address or by the token of their link."""
    from transflow.delivery.subscribers import unsubscribe as run

    s = run(_config(workspace), token_or_email)
    click.echo(f"{s.email}: unsubscribed")


@subscribers.command("process-mailbox")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@workspace_option
def process_mailbox(folder: Path, workspace: Path | None) -> None:
    """Act on the list's mailbox: unsubscribe requests and bounces.

    FOLDER is a Maildir. What was acted on moves to its processed folder; a message
    for a person, or one that cannot be read, stays and is named.
    """
    from transflow.delivery.bounces import process_mailbox as run

    report = run(_config(workspace), folder)
    for address in report.unsubscribed:
        click.echo(f"{address}: unsubscribed (by mail)")
    for address in report.bouncing:
        click.echo(f"{address}: bouncing (nothing is sent to it until it confirms again)")
    for line in report.ignored:
        click.echo(f"ignored: {line}")
    for line in report.left:
        click.echo(f"left: {line}")
    click.echo(f"{report.counted} bounce(s) counted, {len(report.unsubscribed)} "
               f"unsubscribed, {len(report.left)} left in place")
    finish(report)


@click.command()
@workspace_option
@week_option
@lang_option
@click.option("--dry-run", is_flag=True,
              help="Print how many messages would go and one of them; send nothing.")
@click.option("--to", "to", metavar="ADDRESS",
              help="Send one test copy per language to ADDRESS (not logged as a delivery).")
@click.option("--resend-uncertain", is_flag=True,
              help="Send again the messages a cut run left uncertain.")
@click.option("--correction", metavar="NOTE",
              help="Send the rebuilt bulletin again, marked as a correction with NOTE (what "
                   "changed), to those who received it; once each.")
def send(workspace: Path | None, selection: WeekSelection | None, languages: tuple[str, ...],
         dry_run: bool, to: str | None, resend_uncertain: bool,
         correction: str | None) -> None:
    """Send the week's published PDF bulletins to the subscribers.

    Each active subscriber gets one message per language, once. Exit status 1 when a
    message was refused or is uncertain.
    """
    from transflow.delivery.send import send as run
    from transflow.workspace.weeks import LATEST_WEEK

    s = setup(workspace, selection or LATEST_WEEK, languages)
    (week,) = s.weeks[-1:]
    stop = {"now": False}

    def interrupt(signum: int, frame: object) -> None:
        stop["now"] = True  # finish the message under way, then stop

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        with ProgressBar() as bar:
            report = run(s.config, week, languages=s.languages, dry_run=dry_run, to=to,
                         resend_uncertain=resend_uncertain, progress=bar,
                         should_stop=lambda: stop["now"], correction=correction)
    finally:
        signal.signal(signal.SIGINT, previous)
    if report.dry_run:
        for lang, count in report.planned:
            click.echo(f"{lang}: {count} messages would be sent")
        for result in report.results:
            if result.not_published:  # every language asked for is named
                click.echo(f"{result.lang}: none would be sent: {result.not_published}")
        if report.sample:
            click.echo("\n" + report.sample)
        click.echo("dry run: nothing was sent or logged")
        return
    if report.test_copies:
        click.echo(f"test copies sent to {to}: {', '.join(report.test_copies)}")
        return
    for result in report.results:
        click.echo(f"{week} {result.line}")
    for failure in report.failures:
        click.echo(f"not sent: {failure}", err=True)
    if report.stopped:
        click.echo("interrupted: what was sent is logged; run send again for the rest",
                   err=True)
        sys.exit(1)
    finish(report)
