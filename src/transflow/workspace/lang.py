"""Everything transflow asks Babel: locale checks, gettext plural forms, localized
dates, and extraction of the user-interface messages from the templates.

Babel is imported here and nowhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.plurals import get_plural
from babel.numbers import format_decimal

from transflow.workspace.weeks import Week


def is_known_locale(lang: str) -> bool:
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def plural_forms(lang: str) -> str:
    """The gettext ``Plural-Forms`` header value for ``lang`` (be and ru have three forms)."""
    return get_plural(lang).plural_forms


def nplurals(lang: str) -> int:
    return get_plural(lang).num_plurals


def format_number(number: int, lang: str) -> str:
    """A whole number as ``lang`` writes it (1,273 in en; 1 273 in be and ru)."""
    return format_decimal(number, locale=lang)


@functools.lru_cache(maxsize=64)
def language_name(lang: str) -> str:
    """The language's own name for itself, e.g. ``беларуская``."""
    return Locale.parse(lang).get_display_name(lang) or lang


def language_label(lang: str) -> str:
    """The language's own name as a link names it on its own: ``Беларуская``."""
    name = language_name(lang)
    return name[:1].upper() + name[1:]


def _day_month(day: date, lang: str) -> str:
    # Babel's interval formats abbreviate months ("4–10 мар. 2019 г."); the
    # bulletin wants full genitive month names, which "d MMMM" gives in be/ru.
    if lang == "en":
        return format_date(day, "MMMM d", locale=lang)
    return format_date(day, "d MMMM", locale=lang)


def _year(day: date, lang: str) -> str:
    year = format_date(day, "y", locale=lang)
    return year if lang == "en" else f"{year}\u00a0г."


def format_week_range(week: Week, lang: str) -> str:
    """The week as a localized range with full month names.

    en: ``March 4 – 10, 2019``; ru: ``4–10 марта 2019 г.``; be: ``4–10 сакавіка 2019 г.``.
    Weeks crossing a month or a year end name both months (and both years).
    """
    first, last = week.monday, week.sunday
    if lang == "en":
        if first.year != last.year:
            return (f"{_day_month(first, lang)}, {first.year} – "
                    f"{_day_month(last, lang)}, {last.year}")
        if first.month != last.month:
            return f"{_day_month(first, lang)} – {_day_month(last, lang)}, {last.year}"
        return f"{_day_month(first, lang)} – {last.day}, {last.year}"
    if first.year != last.year:
        return (
            f"{_day_month(first, lang)} {_year(first, lang)} – "
            f"{_day_month(last, lang)} {_year(last, lang)}"
        )
    if first.month != last.month:
        return f"{_day_month(first, lang)} – {_day_month(last, lang)} {_year(last, lang)}"
    return f"{first.day}–{_day_month(last, lang)} {_year(last, lang)}"


def format_long_date(day: date, lang: str) -> str:
    """A date with a full month name, as a subscriber reads it (``6 марта 2019 г.``)."""
    if lang == "en":
        return f"{_day_month(day, lang)}, {day.year}"
    return f"{_day_month(day, lang)} {_year(day, lang)}"


@dataclass(frozen=True)
class UIMessage:
    msgid: str
    msgid_plural: str | None
    locations: tuple[tuple[str, int], ...]
    comments: tuple[str, ...]


def extract_ui_messages(files: Sequence[tuple[Path, str]]) -> Iterator[UIMessage]:
    """Messages marked for translation in Jinja2 templates, each file (path, name as
    references show it) in turn."""
    from babel.messages.extract import extract_from_file

    jinja = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
    for path, shown in files:
        if path.suffix not in (".html", ".txt"):
            continue
        for lineno, message, comments, _context in extract_from_file(
                "jinja2", str(path), keywords={"_": None, "gettext": None,
                                               "ngettext": (1, 2)}, options=jinja):
            if isinstance(message, tuple):
                yield UIMessage(message[0], message[1], ((shown, lineno),), tuple(comments))
            else:
                yield UIMessage(message, None, ((shown, lineno),), tuple(comments))


def month_names(lang: str) -> dict[str, int]:
    """Month names as pages spell them, lowercased → month number: the genitive
    ("марта", "сакавіка") and the nominative ("март", "сакавік") forms."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, context=context, locale=lang).items():
                names.setdefault(name.lower().rstrip("."), number)
    return names
