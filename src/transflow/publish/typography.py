"""Typography of the rendered text: non-breaking spaces where a line must not break,
as Belarusian and Russian typesetting wants them. Applied to the HTML of the bulletin,
never to the catalogs: translators keep ordinary spaces."""

from __future__ import annotations

import re
from functools import lru_cache

NBSP = "\u00a0"
# One-letter prepositions and conjunctions stay with the next word (be: а, і, у, ў, з,
# о; ru: а, в, и, к, о, с, у, я).
# (Each pattern starts with what it looks for, its look-behind after it: the regular
# expression engine then skips to the candidates instead of trying every position.)
_ONE_LETTER = re.compile(r"([аАвВзЗіІиИоОсСуУкКяЯўЎ])(?<![\w\-–—].) (?=\S|$)")
_NUMERO = re.compile(r"(№|\bNo\.) (?=\d)")
_DASH = re.compile(r" (—)")
_UNIT = re.compile(
    r"(\d) (%|‰|°|km|kg|km²|ha|млн|млрд|тыс\.|трлн|руб\.|км|кг|га|BYN|USD|EUR|\$|€)(?!\w)")
# A number in groups of three digits (1 500, 1 500 000), whole.
_GROUPED = re.compile(r"\d(?<![\d,.]\d)\d{0,2}(?: \d{3})+(?!\d)")
# What the rules about numbers need: most paragraphs have none, and the site ties every
# text it shows (a third of the build's time went to searching them for nothing).
_DIGIT_SPACE = re.compile(r"\d ")
_TAG = re.compile(r"(<[^>]*>)")
SLAVIC = ("be", "ru")


def tie_text(text: str, lang: str) -> str:
    """``text`` (no markup) with non-breaking spaces where a break would look wrong."""
    if " " not in text:
        return text
    if lang in SLAVIC:
        text = _ONE_LETTER.sub(rf"\1{NBSP}", text)
    if "№" in text or "No." in text:
        text = _NUMERO.sub(rf"\1{NBSP}", text)
    if "—" in text:
        text = _DASH.sub(rf"{NBSP}\1", text)
    if _DIGIT_SPACE.search(text):
        text = _UNIT.sub(rf"\1{NBSP}\2", text)
        text = _GROUPED.sub(lambda number: number[0].replace(" ", NBSP), text)
    return text


@lru_cache(maxsize=65536)
def tie(html: str, lang: str) -> str:
    """The text of ``html`` tied, its tags and attributes left as they are. Remembered:
    the site shows each title and date on many pages."""
    return "".join(part if part.startswith("<") else tie_text(part, lang)
                   for part in _TAG.split(html))
