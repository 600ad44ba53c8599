"""Commands that write new source commentaries: ``import``."""

from __future__ import annotations

from pathlib import Path

import click

from transflow.cli.options import WeekParam, language, workspace_option
from transflow.workspace.weeks import Week


@click.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@workspace_option
@click.option("--week", type=WeekParam(selection=False), metavar="WEEK",
              help="The week (2019-W10 or a date inside it) when the page shows none.")
@click.option("--lang", metavar="LANG",
              help="The page's language (default: detected from its letters).")
@click.option("--category", metavar="KEY",
              help="The category key when the page shows no category label.")
@click.option("--dry-run", is_flag=True, help="Print the Markdown that would be written.")
@click.option("--force", is_flag=True, help="Replace a source file that already exists.")
def import_(files: tuple[str, ...], workspace: Path | None, week: Week | None,
            lang: str | None, category: str | None, dry_run: bool, force: bool) -> None:
    """Import published pages as source commentaries.

    FILE is a page copied as plain text or saved as HTML (- for standard input).
    """
    from transflow.authoring.importer import import_pages
    from transflow.workspace.config import load_config
    from transflow.workspace.errors import SourceError

    config = load_config(workspace)
    if lang is not None:
        lang = language(config, lang)
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
    report = import_pages(config, inputs, week=week, lang=lang, category=category,
                          dry_run=dry_run, force=force)
    for item in report.imported:
        if dry_run:
            exists = "; it exists, --force would replace it" if item.exists else ""
            click.echo(f"# {item.path} (dry run, not written{exists})\n{item.markdown}")
        else:
            click.echo(item.path)
