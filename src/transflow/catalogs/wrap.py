"""Line breaking of PO strings exactly as GNU gettext (msgcat, msgmerge, Poedit's
gettext) does it.

gettext escapes each ``\\n``-ended portion of a string, marks where a line must not
break (inside an escape sequence or a format directive, before a final ``\\n``), and
asks libunistring's ``ulc_width_linebreaks`` for the breaks: Unicode line breaking
(UAX #14) with column widths (combining marks and zero-width characters take none,
East Asian wide characters two). transflow calls that same function of the
libunistring that gettext is linked with, through ctypes, so its files are wrapped
byte for byte as msgcat wraps them. Where libunistring cannot be loaded, a Python
breaker made for Latin and Cyrillic text stands in.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import sys
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

PAGE_WIDTH = 79
_UNDEFINED, _PROHIBITED, _POSSIBLE = 0, 1, 2  # libunistring's UC_BREAK_* values

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r",
            "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_BREAK_HERE = re.compile(re.escape(bytes([_POSSIBLE])))


# --- python-format directives ---------------------------------------------------------

_CONVERSIONS = "%csridouxXeEfgG"


def python_directives(text: str) -> list[tuple[int, int]]:
    """(start, end) of each directive of a python-format string (``%(name)s``, ``%%``)
    as gettext's format parser finds them: lines never break inside one. Parsing stops
    at the first invalid directive, as gettext's does; what comes after is plain text."""
    found: list[tuple[int, int]] = []
    named = unnamed = False
    i, n = 0, len(text)
    while i < n:
        if text[i] != "%":
            i += 1
            continue
        start, i = i, i + 1
        name = None
        if i < n and text[i] == "(":
            depth, j = 0, i + 1
            while j < n and not (text[j] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            if j >= n:
                return found  # unterminated name
            name, i = text[i + 1:j], j + 1
        while i < n and text[i] in "-+ #0":
            i += 1
        stars = 0
        if i < n and text[i] == "*":
            stars, i = stars + 1, i + 1
        else:
            while i < n and text[i].isdigit():
                i += 1
        if i < n and text[i] == ".":
            i += 1
            if i < n and text[i] == "*":
                stars, i = stars + 1, i + 1
            else:
                while i < n and text[i].isdigit():
                    i += 1
        if i < n and text[i] in "hlL":
            i += 1
        if i >= n or text[i] not in _CONVERSIONS:
            return found  # an invalid conversion ends the parse
        if stars and named:
            return found
        if name is not None:
            if unnamed:
                return found
            named = True
        elif text[i] != "%":
            if named:
                return found
            unnamed = True
        elif stars:
            unnamed = True
        found.append((start, i + 1))
        i += 1
    return found


# --- libunistring ----------------------------------------------------------------------

@cache
def _libunistring() -> Callable[..., int] | None:
    """libunistring's ``u32_width_linebreaks``: the breaker msgcat calls (on UTF-8, which
    gives the same breaks; UTF-32 spares converting offsets)."""
    name = ctypes.util.find_library("unistring")
    for candidate in (name, "libunistring.so.5", "libunistring.so.2", "libunistring.dylib"):
        if not candidate:
            continue
        try:
            lib = ctypes.CDLL(candidate)
        except OSError:
            continue
        for symbol in ("u32_width_linebreaks_v2", "u32_width_linebreaks"):
            function = getattr(lib, symbol, None)
            if function is not None:
                function.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                     ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                     ctypes.c_char_p, ctypes.c_char_p]
                function.restype = ctypes.c_int
                return function
    return None


def exact() -> bool:
    """Whether lines are broken by gettext's own library (else by the Python stand-in)."""
    return _libunistring() is not None


_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"


def _breaks(escaped: str, overrides: bytes, start_column: int, width: int) -> list[int]:
    """Offsets (in ``escaped``) where a new line starts."""
    # Nothing to break: even at two columns a character, it fits.
    if start_column + 2 * len(escaped) <= width:
        return []
    function = _libunistring()
    if function is None:
        prohibited = {i for i, o in enumerate(overrides) if o == _PROHIBITED}
        return _python_breaks(escaped, start_column, width, 0, prohibited)
    result = ctypes.create_string_buffer(len(escaped))
    function(escaped.encode(_UTF32), len(escaped), width, start_column, 0, overrides,
             b"UTF-8", result)
    return [m.start() for m in _BREAK_HERE.finditer(result.raw)]


def _portion(text: str, directives: list[tuple[int, int]], offset: int,
             ) -> tuple[str, bytes]:
    """A portion escaped as gettext escapes it, and its break overrides."""
    if not directives and not _NEEDS_ESCAPE.search(text):
        overrides = bytearray(len(text))
    else:
        inside: set[int] = set()
        for start, end in directives:
            inside.update(range(start + 1, end))
        parts: list[str] = []
        overrides = bytearray()
        for i, ch in enumerate(text):
            sequence = _ESCAPES.get(ch, ch)
            parts.append(sequence)
            overrides.append(_PROHIBITED if offset + i in inside else _UNDEFINED)
            overrides += bytes([_PROHIBITED]) * (len(sequence) - 1)
        text = "".join(parts)
    if text.endswith("\\n"):
        overrides[-2] = _PROHIBITED  # never break right before the final \n
    return text, bytes(overrides)


# --- the stand-in: Latin and Cyrillic text ---------------------------------------------

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


def _python_break_points(escaped: str) -> list[int]:
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


def _python_breaks(escaped: str, start_column: int, width: int, next_column: int,
                   prohibited: set[int]) -> list[int]:
    """Greedy line breaking as gnulib's ulc_width_linebreaks for the Latin and Cyrillic
    text of a bulletin (each character one column): the offsets where lines start."""
    points = [p for p in _python_break_points(escaped) if p not in prohibited]
    breaks: list[int] = []
    column = start_column
    last_break: int | None = None
    prev = 0
    for point in [*points, len(escaped)]:
        piece = point - prev
        if last_break is not None and column + piece > width:
            breaks.append(last_break)
            column = next_column + (prev - last_break)
        column += piece
        last_break = point
        prev = point
    return breaks


def field_lines(prefix: str, keyword: str, value: str, wrap: bool = True,
                python_format: bool = False) -> list[str]:
    """A keyword and its string (``msgid "..."``), wrapped as msgcat wraps it; with
    ``wrap`` off (a ``no-wrap`` entry) broken only after each ``\\n``; never inside
    a directive of a ``python-format`` string."""
    return list(_field_lines(prefix, keyword, value, wrap, python_format))


@lru_cache(maxsize=1 << 17)
def _field_lines(prefix: str, keyword: str, value: str, wrap: bool,
                 python_format: bool) -> tuple[str, ...]:
    # Remembered: a source text is written in the template and in every language's
    # catalog.
    directives = python_directives(value) if python_format and value else []
    portions = re.findall(r"[^\n]*\n|[^\n]+$", value) or [""]
    after_break = len(prefix) + 1
    width = (PAGE_WIDTH if wrap else 1 << 30) - 1 - after_break
    out: list[str] = []
    first = True
    offset = 0
    for text in portions:
        escaped, overrides = _portion(text, directives, offset)
        offset += len(text)
        if not first or not escaped:
            breaks = _breaks(escaped, overrides, 0, width) if escaped else []
        else:
            start = len(keyword) + 1
            # Broken from the left margin: what a string that does not fit after its
            # keyword gets, under a `msgid ""` line. A string that needs breaking from
            # the margin cannot fit after the keyword either: one call, not two.
            breaks = _breaks(escaped, overrides, 0, width)
            if (len(portions) == 1 and start <= width and not breaks
                    and not _breaks(escaped, overrides, start, width)):
                start = -1  # fits after the keyword
            if start != -1:
                out.append(f'{prefix}{keyword} ""')
                first = False
        pieces = [escaped[a:b] for a, b in zip([0, *breaks], [*breaks, len(escaped)],
                                                strict=True)]
        for piece in pieces:
            out.append(f'{prefix}{keyword} "{piece}"' if first else f'{prefix}"{piece}"')
            first = False
    return tuple(out)


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
