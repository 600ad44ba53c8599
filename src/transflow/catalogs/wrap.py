"""Line breaking of PO strings exactly as GNU gettext (msgcat, msgmerge, Poedit's
gettext) does it: 79 columns, breaks at the Unicode line-break opportunities that
gnulib's unilbrk finds for the scripts a bulletin uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PAGE_WIDTH = 79

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r",
            "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


# Line breaking as gnulib's unilbrk does it for the scripts a bulletin uses (Latin,
# Cyrillic, digits, punctuation): the UAX #14 pair table in the version gettext 0.21
# ships, which (unlike current Unicode) breaks between "." and a letter ("example.|org").
_CLASS = {" ": "SP", "\u00a0": "GL", "\u202f": "GL", "\u2007": "GL", "\u2060": "GL",
          "-": "HY", "\u2010": "BA", "\u2013": "BA", "\u00ad": "BA", "|": "BA",
          "\u2014": "B2", "(": "OP", "[": "OP", "{": "OP", "\u201a": "OP", "\u201e": "OP",
          ")": "CP", "]": "CP", "}": "CL", "!": "EX", "?": "EX", ",": "IS", ".": "IS",
          ":": "IS", ";": "IS", "/": "SY", "$": "PR", "+": "PR", "\u2116": "PR",
          "\u00a3": "PR", "\u20ac": "PR", "%": "PO", "\u2030": "PO", "\u00b0": "PO",
          "\u2026": "IN"}
for _q in "\"'«»‘’“”‹›\u201b\u201f":
    _CLASS[_q] = "QU"

_NO_BREAK_BEFORE = {"CL", "CP", "EX", "IS", "SY"}  # LB13, even after spaces
# Direct break opportunities (no space between): before-class → after-classes.
_DIRECT = {
    "AL": {"B2"},
    "NU": {"B2"},
    "HY": {"AL", "GL", "B2", "OP", "PR", "PO", "IN"},
    "BA": {"AL", "NU", "GL", "B2", "OP", "PR", "PO", "IN"},
    "B2": {"AL", "NU", "HY", "BA", "OP", "PR", "PO", "IN"},
    "IS": {"AL", "OP", "PR", "PO", "B2", "IN"},
    "SY": {"AL", "OP", "PR", "PO", "B2", "IN"},
    "PR": {"PR", "PO", "B2"},
    "PO": {"PR", "PO", "B2", "IN"},
    "CP": {"OP", "B2", "IN"},
    "CL": {"AL", "NU", "OP", "PR", "PO", "B2", "IN"},
    "EX": {"AL", "NU", "OP", "PR", "PO", "B2", "IN"},
    "IN": {"AL", "NU", "OP", "PR", "PO", "B2", "HY", "BA"},
}


def _classes(escaped: str) -> list[str]:
    out = []
    for ch in escaped:
        cls = _CLASS.get(ch)
        if cls is None:
            cls = "NU" if ch.isdigit() else "AL"
        out.append(cls)
    return out


def _break_points(escaped: str) -> list[int]:
    """Offsets in ``escaped`` where a line may break (never inside an escape sequence)."""
    classes = _classes(escaped)
    points = []
    last_non_space = None  # class of the last character before the current run of spaces
    escape_next = False
    for i in range(len(escaped)):
        cls = classes[i]
        if i > 0 and cls != "SP" and not escape_next:
            before = classes[i - 1]
            if before == "SP":
                ok = (
                    last_non_space is not None
                    and cls not in _NO_BREAK_BEFORE
                    and last_non_space != "OP"                          # LB14
                    and not (last_non_space == "QU" and cls == "OP")    # LB15
                    and not (last_non_space == "B2" and cls == "B2")    # LB17
                )
            else:
                ok = cls in _DIRECT.get(before, ())
            if ok:
                points.append(i)
        escape_next = escaped[i] == "\\" and not escape_next
        if cls != "SP":
            last_non_space = cls
    # Never break right before a final "\n".
    if escaped.endswith("\\n"):
        points = [p for p in points if p != len(escaped) - 2]
    return points


def _wrap(escaped: str, start_column: int, width: int, next_column: int) -> list[str]:
    """Greedy line breaking as gnulib's ulc_width_linebreaks: each line fits ``width``
    columns where possible; a piece with no break opportunity overflows."""
    points = _break_points(escaped)
    lines: list[str] = []
    line_start = 0
    column = start_column
    last_break: int | None = None
    prev = 0
    for point in [*points, len(escaped)]:
        piece = point - prev
        if last_break is not None and column + piece > width:
            lines.append(escaped[line_start:last_break])
            line_start = last_break
            column = next_column + (prev - last_break)
        column += piece
        last_break = point
        prev = point
    lines.append(escaped[line_start:])
    return lines


def field_lines(prefix: str, keyword: str, value: str, wrap: bool = True) -> list[str]:
    """A keyword and its string (``msgid "..."``), wrapped as msgcat wraps it; with
    ``wrap`` off (a ``no-wrap`` entry) broken only after each ``\\n``."""
    portions = re.findall(r"[^\n]*\n|[^\n]+$", value) or [""]
    escaped = [_escape(p) for p in portions]
    width = PAGE_WIDTH - 1 if wrap else 1 << 30  # room for the closing quote
    first_col = len(prefix) + len(keyword) + 2
    out: list[str] = []
    if len(escaped) == 1 and len(_wrap(escaped[0], first_col, width, first_col)) == 1:
        return [f'{prefix}{keyword} "{escaped[0]}"']
    out.append(f'{prefix}{keyword} ""')
    cont_col = len(prefix) + 1
    for portion in escaped:
        for line in _wrap(portion, cont_col, width, cont_col):
            out.append(f'{prefix}"{line}"')
    return out


def reference_lines(occurrences: Iterable[tuple[str, str]]) -> list[str]:
    """``#:`` lines holding the references, filled to the page width."""
    lines: list[str] = []
    current = "#:"
    for path, line in occurrences:
        ref = f"{path}:{line}" if line else path
        if current != "#:" and len(current) + 1 + len(ref) > PAGE_WIDTH:
            lines.append(current)
            current = "#:"
        current += " " + ref
    if current != "#:":
        lines.append(current)
    return lines
