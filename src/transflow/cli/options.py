"""What every command shares: the workspace, week and language options, the set-up
they lead to, the progress bar, and the one rule that turns a report into an exit.

Only click is imported at module level: library modules are imported when a command
runs, so that ``transflow --help`` stays instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from transflow.workspace.config import Config
    from transflow.workspace.errors import Report
    from transflow.workspace.weeks import Week, WeekSelection


class WeekParam(click.ParamType):  # type: ignore[type-arg]
    """``2019-W10`` or a date inside the week; a mistake is a usage error (exit 2)."""

    name = "week"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        from transflow.workspace.errors import WeekError
        from transflow.workspace.weeks import Week, WeekSelection

        if isinstance(value, Week | WeekSelection):
            return value
        try:
            return WeekSelection.parse(value) if self.selection else Week.parse(value)
        except WeekError as exc:
            self.fail(exc.message, param, ctx)

    def __init__(self, selection: bool = True) -> None:
        self.selection = selection


class FormatParam(click.ParamType):  # type: ignore[type-arg]
    """An output format's name, checked against the registered formats only when the
    option is given (the registry loads them: ``--help`` stays instant)."""

    name = "format"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        from transflow.publish.formats import names

        if value not in names():
            self.fail(f"{value!r} is not an output format (known: {', '.join(names())})",
                      param, ctx)
        return value


def workspace_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--workspace", "-w",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Workspace folder (default: the current folder, or the nearest one above it "
             "holding transflow.toml).",
    )(f)


def week_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--week", "selection",
        type=WeekParam(), is_flag=False, flag_value="latest", default=None, metavar="[WEEK]",
        help="ISO week (2019-W10) or a date inside it (2019-03-06); without a value, the "
             "latest week in sources/. Omitted: every week.",
    )(f)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--lang", "languages", multiple=True, metavar="LANG",
        help="Only this language (repeatable). Default: every language in transflow.toml.",
    )(f)


def language(config: Config, lang: str) -> str:
    """``--lang BE`` is ``be``; a language the publication lacks is a usage error."""
    code = lang.strip().lower().replace("_", "-")
    if code not in config.languages:
        raise click.BadParameter(
            f"{lang} is not a language of this publication; use one of "
            f"{', '.join(config.languages)}", param_hint="'--lang'")
    return code


@dataclass(frozen=True)
class Setup:
    config: Config
    weeks: tuple[Week, ...]
    languages: tuple[str, ...] | None
    """None: every language of the publication."""


def setup(workspace: Path | None, selection: WeekSelection | None,
          languages: tuple[str, ...]) -> Setup:
    from transflow.sources.commentary import resolve_weeks
    from transflow.workspace.config import load_config

    config = load_config(workspace)
    chosen = tuple(dict.fromkeys(language(config, lang) for lang in languages))
    return Setup(config, resolve_weeks(config, selection), chosen or None)


def finish(report: Report, said: bool = False) -> None:
    """One rule for every command that returns a report: a problem means exit 1, with
    its message unless the command has ``said`` it already."""
    if (problem := report.problem) is not None:
        if said:
            raise SystemExit(1)
        raise click.ClickException(problem)


class ProgressBar:
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

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._bar is not None:
            if exc_type is None:
                self._bar.update(self._bar.length - self._done)
            self._bar.__exit__(None, None, None)


def plural(count: int, noun: str) -> str:
    """``1 page``, ``3 pages``: the CLI's own English."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
