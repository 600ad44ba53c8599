"""Typography of the rendered text: non-breaking spaces where a line must not break,
as Belarusian and Russian typesetting wants them. Applied to the HTML of the bulletin,
never to the catalogs: translators keep ordinary spaces."""

from __future__ import annotations

import re
from functools import lru_cache

NBSP = "\u00a0"
# One-letter prepositions and conjunctions stay with the next word (be: а, і, у, ў, з,
# о; ru: а, в, и, к, о, с, у, я).
_ONE_LETTER = re.compile(r"(?<![\w\-–—])([аАвВзЗіІиИоОсСуУкКяЯўЎ]) (?=\S|$)")
_NUMERO = re.compile(r"(№|\bNo\.) (?=\d)")
_DASH = re.compile(r" (—)")
_UNIT = re.compile(
    r"(\d) (%|‰|°|km|kg|km²|ha|млн|млрд|тыс\.|трлн|руб\.|км|кг|га|BYN|USD|EUR|\$|€)(?!\w)")
_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3}) (?=\d{3}(?!\d))")
_TAG = re.compile(r"(<[^>]*>)")
SLAVIC = ("be", "ru")


def tie_text(text: str, lang: str) -> str:
    """``text`` (no markup) with non-breaking spaces where a break would look wrong."""
    if lang in SLAVIC:
        text = _ONE_LETTER.sub(rf"\1{NBSP}", text)
    text = _NUMERO.sub(rf"\1{NBSP}", text)
    text = _DASH.sub(rf"{NBSP}\1", text)
    text = _UNIT.sub(rf"\1{NBSP}\2", text)
    # Digit groups of one number (1 500): twice, for 1 500 000.
    text = _THOUSANDS.sub(rf"\1{NBSP}", _THOUSANDS.sub(rf"\1{NBSP}", text))
    return text


@lru_cache(maxsize=65536)
def tie(html: str, lang: str) -> str:
    """The text of ``html`` tied, its tags and attributes left as they are. Remembered:
    the site shows each title and date on many pages."""
    return "".join(part if part.startswith("<") else tie_text(part, lang)
                   for part in _TAG.split(html))
