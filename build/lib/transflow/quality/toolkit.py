"""The translate-toolkit adapter: its pofilter checks, as (check, message) pairs.

translate-toolkit is imported here and nowhere else, and only when a check runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any


@cache
def _checker(target_lang: str) -> Any:
    from translate.filters.checks import CheckerConfig, StandardChecker

    return StandardChecker(CheckerConfig(targetlanguage=target_lang))


def toolkit_failures(source: str, target: str, target_lang: str,
                     names: Sequence[str]) -> Iterator[tuple[str, str]]:
    """The named pofilter checks that ``target`` fails, with their messages."""
    from translate.filters.checks import FilterFailure

    checker = _checker(target_lang)
    for name in names:
        try:
            getattr(checker, name)(source, target)
        except FilterFailure as failure:
            messages = getattr(failure, "messages", None) or [str(failure)]
            yield name, "; ".join(str(m) for m in messages)
