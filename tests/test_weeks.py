"""Week parsing and the localized week ranges of the masthead."""

from __future__ import annotations

from datetime import date

import pytest

from transflow.workspace.errors import WeekError
from transflow.workspace.lang import format_long_date, format_week_range
from transflow.workspace.weeks import Week, is_week_name


def test_parse_week_and_date_inside_it() -> None:
    assert Week.parse("2019-W10") == Week(2019, 10)
    assert Week.parse("2019W10") == Week(2019, 10)
    assert Week.parse("2019-03-06") == Week(2019, 10)
    assert Week.parse("2019-03-10") == Week(2019, 10)  # Sunday closes the ISO week
    assert Week.parse("2019-03-11") == Week(2019, 11)
    # ISO weeks belong to the year of their Thursday.
    assert Week.parse("2019-12-30") == Week(2020, 1)
    assert str(Week(2019, 3)) == "2019-W03"
    assert Week(2019, 10).monday == date(2019, 3, 4)
    assert Week(2019, 10).sunday == date(2019, 3, 10)


@pytest.mark.parametrize("bad", ["2019-W54", "2019-W00", "March", "2019-13-01", "19-W10"])
def test_bad_weeks_are_refused(bad: str) -> None:
    with pytest.raises(WeekError):
        Week.parse(bad)


def test_week_folder_names_are_canonical() -> None:
    assert is_week_name("2019-W10")
    assert not is_week_name("2019-w10")
    assert not is_week_name("2019-W3")


@pytest.mark.parametrize(
    ("week", "lang", "expected"),
    [
        ("2019-W10", "en", "March 4 – 10, 2019"),
        ("2019-W10", "ru", "4–10 марта 2019\u00a0г."),
        ("2019-W10", "be", "4–10 сакавіка 2019\u00a0г."),
        # across a month end
        ("2024-W09", "en", "February 26 – March 3, 2024"),
        ("2024-W09", "ru", "26 февраля – 3 марта 2024\u00a0г."),
        ("2024-W09", "be", "26 лютага – 3 сакавіка 2024\u00a0г."),
        # across a year end
        ("2020-W01", "en", "December 30, 2019 – January 5, 2020"),
        ("2020-W01", "ru", "30 декабря 2019\u00a0г. – 5 января 2020\u00a0г."),
        ("2020-W01", "be", "30 снежня 2019\u00a0г. – 5 студзеня 2020\u00a0г."),
    ],
)
def test_week_range(week: str, lang: str, expected: str) -> None:
    assert format_week_range(Week.parse(week), lang) == expected


def test_long_date() -> None:
    assert format_long_date(date(2019, 3, 6), "be") == "6 сакавіка 2019\u00a0г."
    assert format_long_date(date(2019, 3, 6), "en") == "March 6, 2019"
