"""The one error family of transflow, and the shape of the reports commands return
(the rule that turns them into an exit status is the CLI's: ``cli.options.finish``).

Every error a user can cause is a ``TransflowError``: what failed, where (``path``
and ``line``) and how to fix it, in ``message``. The library knows nothing of the
command line; the CLI maps these errors to its exit status in one place. Anything
else escaping to the top is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class TransflowError(Exception):
    def __init__(self, message: str, path: Path | str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


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


class Report(Protocol):
    """What check, draft and build return: ``problem`` says why the command did not
    do what was asked (its exit status is then 1), or is None."""

    @property
    def problem(self) -> str | None: ...
