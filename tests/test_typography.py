"""Non-breaking spaces where Belarusian and Russian typesetting wants them: the rules on
examples, and the fast patterns held to plain ones on any text (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from transflow.publish.typography import NBSP, tie, tie_text


def test_the_rules_on_examples() -> None:
    assert tie_text("Армия и флот в Гродно", "ru") == f"Армия и{NBSP}флот в{NBSP}Гродно"
    assert tie_text("Рэформа і ўрад у Мінску", "be") == f"Рэформа і{NBSP}ўрад у{NBSP}Мінску"
    # English has no such rule; in a hyphenated word the letter is not a preposition.
    assert tie_text("a plan and a vote", "en") == "a plan and a vote"
    assert tie_text("Санкт-Петербург-а в", "ru") == "Санкт-Петербург-а в"
    assert tie_text("No. 270 and № 12", "en") == f"No.{NBSP}270 and №{NBSP}12"
    assert tie_text("Рост — 5 %, то есть 1 500 000 руб.", "ru") == (
        f"Рост{NBSP}— 5{NBSP}%, то есть 1{NBSP}500{NBSP}000{NBSP}руб.")
    # Not one number: a year and a count, a decimal, four digits.
    assert tie_text("in 2024 500 troops", "en") == "in 2024 500 troops"
    assert tie_text("1,5 000 and 12 3456", "en") == "1,5 000 and 12 3456"
    # Tags and attributes are left as they are.
    assert tie('<a title="и в">и в</a>', "ru") == f'<a title="и в">и{NBSP}в</a>'


# The rules as first written: one pattern each, tried at every position.
_ONE_LETTER = re.compile(r"(?<![\w\-–—])([аАвВзЗіІиИоОсСуУкКяЯўЎ]) (?=\S|$)")
_NUMERO = re.compile(r"(№|\bNo\.) (?=\d)")
_DASH = re.compile(r" (—)")
_UNIT = re.compile(
    r"(\d) (%|‰|°|km|kg|km²|ha|млн|млрд|тыс\.|трлн|руб\.|км|кг|га|BYN|USD|EUR|\$|€)(?!\w)")
_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3}) (?=\d{3}(?!\d))")


def plain(text: str, lang: str) -> str:
    if lang in ("be", "ru"):
        text = _ONE_LETTER.sub(rf"\1{NBSP}", text)
    text = _NUMERO.sub(rf"\1{NBSP}", text)
    text = _DASH.sub(rf"{NBSP}\1", text)
    text = _UNIT.sub(rf"\1{NBSP}\2", text)
    return _THOUSANDS.sub(rf"\1{NBSP}", _THOUSANDS.sub(rf"\1{NBSP}", text))


PIECES = st.sampled_from([*"аві узкя№—0123456789 %.,-–\n\tx", " ", "  ", "No.", "1 500",
                          "12 345 678", "№ 5", " в ", "руб.", "тыс.", "km²", "€"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=24).map("".join), st.sampled_from(["be", "ru", "en"]))
def test_the_fast_patterns_tie_what_the_plain_ones_tie(text: str, lang: str) -> None:
    tied = tie_text(text, lang)
    assert tied == plain(text, lang)
    # Only spaces ever change, and only into non-breaking ones.
    assert len(tied) == len(text)
    assert all(a == b or (a == " " and b == NBSP) for a, b in zip(text, tied, strict=True))
