"""The command line: each command parses options, calls one library function, and
prints the report it returns. Commands are grouped as the work is: authoring
(``init``, ``new``, ``import``), translation (``update``, ``status``, ``check``, ``draft``) and
publishing (``build``), delivery (``subscribers``, ``send``).

This package is the only place that knows click: a ``TransflowError`` from the
library becomes click's error (exit status 1) here, in ``TransflowGroup``; option
mistakes are click's usage errors (exit status 2).
"""

from __future__ import annotations

from typing import Any

import click

from transflow import __version__
from transflow.cli import authoring, delivery, publishing, translation


class TransflowGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from transflow.workspace.errors import TransflowError

        try:
            return super().invoke(ctx)
        except TransflowError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=TransflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="transflow")
def main() -> None:
    """transflow: weekly multilingual bulletins from Markdown sources and gettext catalogs."""


for command in (authoring.init, authoring.new, authoring.import_, translation.update,
                translation.status, translation.check, translation.draft, publishing.build,
                publishing.serve, delivery.subscribers, delivery.send):
    main.add_command(command)
