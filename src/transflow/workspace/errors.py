"""The one error family of transflow.

Every error a user can cause is a ``TransflowError``: click prints its message
(what failed, where as ``path:line``, how to fix it) and exits with status 1.
Anything else escaping to the top is a bug.
"""

from __future__ import annotations

from pathlib import Path

import click


class TransflowError(click.ClickException):
    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class ConfigError(TransflowError):
    """transflow.toml is missing or says something transflow cannot use."""


class SourceError(TransflowError):
    """A source commentary has invalid front matter or cannot be read."""


class CatalogError(TransflowError):
    """A PO/POT file cannot be parsed or written."""


class WeekError(TransflowError):
    """A --week value is not an ISO week or a date, or the week has no sources."""


class BuildError(TransflowError):
    """A bulletin could not be rendered."""
