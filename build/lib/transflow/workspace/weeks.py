"""ISO weeks: the unit a bulletin is published in (``2019-W10``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from transflow.workspace.errors import WeekError

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.number, 1)
        except ValueError:
            raise WeekError(
                f"{self.year} has no ISO week {self.number}; use a week such as 2019-W10"
            ) from None

    @classmethod
    def parse(cls, text: str) -> Week:
        """Read ``2019-W10`` or a date inside the week (``2019-03-06``)."""
        text = text.strip()
        if m := _WEEK_RE.match(text):
            return cls(int(m.group(1)), int(m.group(2)))
        if _DATE_RE.match(text):
            try:
                return cls.containing(date.fromisoformat(text))
            except ValueError:
                pass
        raise WeekError(
            f"'{text}' is neither an ISO week nor a date; "
            "use a week such as 2019-W10 or a date such as 2019-03-06"
        )

    @classmethod
    def containing(cls, day: date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.monday <= day <= self.sunday

    @cached_property
    def name(self) -> str:
        # Spelled once: an archive's pages name each week thousands of times.
        return f"{self.year}-W{self.number:02d}"

    def __str__(self) -> str:
        return self.name


def is_week_name(name: str) -> bool:
    """True for folder names such as ``2019-W10`` (the canonical spelling only)."""
    m = _WEEK_RE.match(name)
    return m is not None and name == f"{m.group(1)}-W{int(m.group(2)):02d}"


@dataclass(frozen=True)
class WeekSelection:
    """The weeks a command works on: every week, the latest one, or one week.

    What ``--week`` means, parsed once: commands and reports carry ``Week`` values
    from here on, never the text again.
    """

    week: Week | None = None
    latest: bool = False

    @classmethod
    def parse(cls, text: str | None) -> WeekSelection:
        """``None``: every week; ``"latest"``: the latest; else a week or a date in it."""
        if text is None:
            return cls()
        if text == "latest":
            return cls(latest=True)
        return cls(Week.parse(text))

    def __str__(self) -> str:
        return str(self.week) if self.week else "latest" if self.latest else "all"


ALL_WEEKS = WeekSelection()
LATEST_WEEK = WeekSelection(latest=True)
