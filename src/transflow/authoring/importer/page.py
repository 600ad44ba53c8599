"""What a published page was recognised as, and the error of a page that cannot be
imported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transflow.workspace.errors import TransflowError
from transflow.workspace.weeks import Week


class PageError(TransflowError):
    """A page cannot be imported as it is."""


@dataclass(frozen=True)
class RecognisedPage:
    """What was recognised in one page."""

    title: str
    lang: str
    category: str
    week: Week
    paragraphs: tuple[str, ...]
    trend: str | None = None
    author: str | None = None
    date: date | None = None
    image_credit: str | None = None
