"""Commands that start a publication and write its source commentaries: ``init``,
``new``, ``import``."""

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
    for note in dict.fromkeys(item.note for item in report.imported if item.note):
        click.echo(f"note: {note}", err=True)


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path), default=".")
@click.option("--title", metavar="TEXT", help="The publication's name (default: Weekly "
              "bulletin); set it per language in transflow.toml afterwards.")
@click.option("--languages", metavar="LIST", default="be,ru,en", show_default=True,
              help="The publication's languages, comma-separated.")
@click.option("--source-language", metavar="LANG",
              help="The language of a commentary that names none (default: the last of "
                   "--languages).")
@click.option("--templates", "with_templates", is_flag=True,
              help="Also copy the default templates into templates/, to customise them.")
def init(directory: Path, title: str | None, languages: str, source_language: str | None,
         with_templates: bool) -> None:
    """Start a publication: make a new workspace.

    In DIRECTORY (default: the current folder), writes a commented transflow.toml,
    glossary.csv, sources/, the ui catalogs in locales/ and a .gitignore; refuses a
    folder that holds a workspace already. With --templates, a workspace that exists
    already gets the default templates copied in (its own are kept).
    """
    from transflow.authoring.start import copy_templates, init_workspace
    from transflow.workspace.config import CONFIG_NAME, load_config

    if with_templates and (directory / CONFIG_NAME).is_file():
        for path in copy_templates(load_config(directory)):
            click.echo(path)
        return
    started = init_workspace(directory, title=title, languages=languages.split(","),
                             source_language=source_language, templates=with_templates)
    for name in started.written:
        click.echo(name)
    for labels in started.to_translate:
        # Allowed, but said aloud: a German bulletin would otherwise show English labels.
        click.echo(f"note: transflow ships no {labels.lang} labels: translate the "
                   f"{labels.untranslated} labels of the bulletin in {labels.path} (until "
                   "then they appear in English; transflow status counts them)", err=True)
    click.echo(f"workspace ready in {started.root}; next: transflow new --category KEY "
               "\"Title\"")


@click.command()
@click.argument("title")
@workspace_option
@click.option("--category", required=True, metavar="KEY", help="The category key "
              "([categories] in transflow.toml).")
@click.option("--week", type=WeekParam(selection=False), metavar="WEEK",
              help="The week (2019-W10 or a date inside it); default: this week.")
@click.option("--lang", metavar="LANG", help="The language it is written in (default: "
              "the source language).")
def new(title: str, workspace: Path | None, category: str, week: Week | None,
        lang: str | None) -> None:
    """Write the skeleton of a new commentary.

    Writes sources/<week>/<slug>.md with the front matter filled in and prints its path;
    never replaces a file.
    """
    from transflow.authoring.start import new_commentary
    from transflow.workspace.config import load_config

    config = load_config(workspace)
    if lang is not None:
        lang = language(config, lang)
    click.echo(config.rel(new_commentary(config, category=category, title=title, week=week,
                                         lang=lang)))
