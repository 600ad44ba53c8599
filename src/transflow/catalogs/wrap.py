"""Line breaking of PO strings exactly as GNU gettext (msgcat, msgmerge, Poedit's
gettext) does it, the same on every machine.

gettext escapes each ``\\n``-ended portion of a string, marks where a line must not
break (inside an escape sequence or a format directive, before a final ``\\n``), and
asks libunistring's ``ulc_width_linebreaks`` for the breaks: Unicode line breaking
(UAX #14) with column widths (combining marks and zero-width characters take none,
East Asian wide characters two).

transflow does not ask the machine's libunistring (Debian 12 has 1.0, newer systems
1.1 and later with newer Unicode, macOS often none) nor Python's ``unicodedata``
(another Unicode version in each Python release): two translators on two systems
would rewrap each other's catalogs. It carries its own copy of one reference's data,
libunistring 1.0 with Unicode 14.0.0, as gettext 0.21 uses it (``linebreak_table``,
made by ``scripts/linebreak_tables.py``), and applies that library's rules here, so
a catalog's bytes are a function of the catalog alone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache, lru_cache

PAGE_WIDTH = 79
_UNDEFINED, _PROHIBITED = 0, 1  # libunistring's UC_BREAK_* values, as overrides

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r",
            "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


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


# --- line breaking ---------------------------------------------------------------------

_LOW = 0x3000
"""Code points below this are looked up in tables made at start; the rarer ones above
by bisection."""


class _Breaker:
    """Line breaking as gettext 0.21 gets it from libunistring 1.0: Unicode line breaking
    (UAX #14, as gnulib's ``u32_possible_linebreaks`` applies it) with column widths
    (``uc_width``), from transflow's own copy of that library's data
    (``linebreak_table``, Unicode 14.0.0).

    Each character's class becomes one letter (``str.translate``), so that the common
    case, text whose breaks only the pair table and spaces decide, is found by
    regular expressions; the rules for marks, joiners, line break characters,
    regional indicators and Hebrew hyphens run character by character."""

    def __init__(self) -> None:
        from transflow.catalogs import linebreak_table as table

        self.table = table
        names = table.CLASSES
        self.letter = {name: chr(0x100 + i) for i, name in enumerate(names)}
        ends = [*table.CLASS_STARTS[1:], 0x110000]
        self.translate: dict[int, str] = {}
        for start, end, cls in zip(table.CLASS_STARTS, ends, table.CLASS_OF, strict=True):
            for cp in range(start, min(end, _LOW)):
                self.translate[cp] = chr(0x100 + cls)
        self.unmapped = re.compile(f"[^{chr(0x100)}-{chr(0x100 + len(names) - 1)}]")
        self.pairs = {(self.letter[x], self.letter[y]): table.PAIRS[i][j]
                      for i, x in enumerate(names) for j, y in enumerate(names)}
        special = "".join(self.letter[k] for k in ("BK", "ZW", "CM", "ZWJ", "RI", "HL"))
        self.special = re.compile(f"[{special}]")
        sp = self.letter["SP"]
        self.spaces = re.compile(f"{sp}+")
        # Two characters of different classes with no space between (the pair table
        # decides), and runs of a class that breaks between its own characters.
        self.changes = re.compile(f"([^{sp}])(?=(?!\\1)[^{sp}])")
        repeating = "".join(self.letter[x] for i, x in enumerate(names)
                            if table.PAIRS[i][i] == "D" and x != "SP")
        self.repeats = re.compile(f"([{repeating}])\\1+")
        width_ends = [*table.WIDTH_STARTS[1:], 0x110000]
        odd = [(start, end - 1, w) for start, end, w in zip(
            table.WIDTH_STARTS, width_ends, table.WIDTHS, strict=True) if w != 1]
        self.odd_width = frozenset(chr(cp) for a, b, _ in odd for cp in range(a, min(b + 1, _LOW)))
        # Characters that need the character-by-character rules, or are not one column.
        self.not_plain = self.odd_width | frozenset(
            chr(cp) for cp, letter in self.translate.items() if self.special.match(letter))
        self.class_of = {chr(cp): letter for cp, letter in self.translate.items()}
        self.breaks_direct = frozenset(a + b for (a, b), rule in self.pairs.items() if rule == "D")
        self.breaks_spaced = frozenset(a + b for (a, b), rule in self.pairs.items() if rule != "P")
        self.sp = sp
        self.runs = 0
        """How many texts this breaker has broken (tests prove it ran)."""

    def classes(self, text: str) -> str:
        """One letter per character: its class."""
        letters = text.translate(self.translate)
        if self.unmapped.search(letters):
            table = self.table
            letters = self.unmapped.sub(lambda m: chr(0x100 + table.CLASS_OF[
                bisect_right(table.CLASS_STARTS, ord(m.group())) - 1]), letters)
        return letters

    def width(self, ch: str) -> int:
        table = self.table
        return int(table.WIDTHS[bisect_right(table.WIDTH_STARTS, ord(ch)) - 1])

    def possible(self, letters: str) -> tuple[list[int], list[int]]:
        """Offsets where a line may break, and those of line break characters (a new
        line starts after them), as ``u32_possible_linebreaks`` finds them: UAX #14's
        pair table with the rules it cannot hold (LB8-LB10 for spaces, marks and
        zero-width characters, LB8a, LB21a, LB30a)."""
        pairs = self.pairs
        if not self.special.search(letters):
            # After spaces: by the pair of the characters around them (D or I).
            found = [m.end() for m in self.spaces.finditer(letters)
                     if m.start() > 0 and m.end() < len(letters)
                     and pairs[letters[m.start() - 1], letters[m.end()]] != "P"]
            # Between two characters with nothing between them: only D.
            direct = [m.end() for m in self.changes.finditer(letters)
                      if pairs[m.group(), letters[m.end()]] == "D"]
            for m in self.repeats.finditer(letters):
                direct += range(m.start() + 1, m.end())
            return sorted({*found, *direct}) if direct else found, []
        return self._possible_slowly(letters)

    def _possible_slowly(self, letters: str) -> tuple[list[int], list[int]]:
        L = self.letter
        BK, SP, CM, ZW, ZWJ = L["BK"], L["SP"], L["CM"], L["ZW"], L["ZWJ"]
        AL, RI, HL, HY, BA = L["AL"], L["RI"], L["HL"], L["HY"], L["BA"]
        HL_BA = "HL_BA"  # a Hebrew letter then a hyphen: no break after it (LB21a)
        pairs = self.pairs
        found: list[int] = []
        mandatory: list[int] = []
        last = prev = BK
        spaced = False
        ri_count = 0
        for i, prop in enumerate(letters):
            if prop == BK:
                mandatory.append(i)
                last, prev, spaced = BK, BK, False
            elif prop == SP:
                spaced, prev = True, SP
            elif prop == ZW:
                last, spaced, prev = ZW, False, ZW
            elif prop in (CM, ZWJ):
                if last == BK:
                    last, spaced = AL, False
                elif last == ZW or spaced:
                    found.append(i)
                    last, spaced = AL, False
                prev = prop
            else:
                if last == BK or prev in (ZWJ, HL_BA):
                    pass
                elif last == ZW:
                    found.append(i)
                elif last == RI and prop == RI:
                    if spaced or ri_count % 2 == 0:
                        found.append(i)
                else:
                    rule = pairs[last, prop]
                    if rule == "D" or (rule == "I" and spaced):
                        found.append(i)
                last, spaced = prop, False
                prev = HL_BA if prev == HL and prop in (HY, BA) else prop
            ri_count = ri_count + 1 if prop == RI else 0
        return found, mandatory

    def breaks(self, escaped: str, overrides: bytes, start_column: int,
               width: int) -> list[int]:
        """Offsets where gettext starts a new line: ``u32_width_linebreaks``."""
        self.runs += 1
        if max(escaped) < chr(_LOW) and self.not_plain.isdisjoint(escaped):
            return self._lines(escaped, overrides, start_column, width)
        return self._breaks_slowly(escaped, self.classes(escaped), overrides, start_column,
                                   width)

    def _may_break(self, text: str, i: int) -> bool:
        """Whether a line may break before ``text[i]`` (pair table and spaces only)."""
        class_of, sp = self.class_of, self.sp
        after = class_of[text[i]]
        if after == sp:
            return False
        j = i - 1
        before = class_of[text[j]]
        if before != sp:
            return before + after in self.breaks_direct
        while j >= 0 and class_of[text[j]] == sp:
            j -= 1
        return j >= 0 and class_of[text[j]] + after in self.breaks_spaced

    def _lines(self, text: str, overrides: bytes, start_column: int,
               width: int) -> list[int]:
        """The breaks of text whose characters are one column each and whose breaks the
        pair table and spaces decide: each line breaks at the last opportunity that
        fits, else at the first after it (``u32_width_linebreaks``'s greedy choice),
        looked for back from the end of the line rather than everywhere."""
        n = len(text)
        chosen: list[int] = []
        start, column = 0, start_column
        while True:
            limit = start + width - column  # the last offset that ends within the width
            if n <= limit:
                return chosen
            found = None
            for i in range(min(limit, n - 1), start, -1):
                if not overrides[i] and self._may_break(text, i):
                    found = i
                    break
            else:
                for i in range(max(limit + 1, start + 1), n):
                    if not overrides[i] and self._may_break(text, i):
                        found = i
                        break
            if found is None:
                return chosen
            chosen.append(found)
            start, column = found, 0

    def _breaks_slowly(self, escaped: str, letters: str, overrides: bytes,
                       start_column: int, width: int) -> list[int]:
        possible, mandatory = self.possible(letters)
        candidates = [i for i in possible if not overrides[i]]
        if not candidates:
            return []
        mandatory = [i for i in mandatory if not overrides[i]]
        if max(escaped) >= chr(_LOW) or not self.odd_width.isdisjoint(escaped):
            columns = [0]
            for ch in escaped:
                columns.append(columns[-1] + self.width(ch))
        else:
            columns = list(range(len(escaped) + 1))
        chosen: list[int] = []
        ends = set(mandatory)
        points = sorted([*candidates, *mandatory])
        last_break: int | None = None
        column = start_column  # where the current line's last piece starts
        piece_start = 0
        for point in points:
            piece = columns[point] - columns[piece_start]
            if last_break is not None and column + piece > width:
                chosen.append(last_break)
                column = 0
            if point in ends:  # a line break character: the next line starts after it
                last_break, column, piece_start = None, 0, point + 1
                continue
            last_break = point
            column += piece
            piece_start = point
        piece = columns[-1] - columns[piece_start]
        if last_break is not None and column + piece > width:
            chosen.append(last_break)
        return chosen


@cache
def breaker() -> _Breaker:
    """The one line breaker, made at its first use (its tables are built then)."""
    return _Breaker()


def _breaks(escaped: str, overrides: bytes, start_column: int, width: int) -> list[int]:
    """Offsets (in ``escaped``) where a new line starts."""
    # Nothing to break: even at two columns a character, it fits.
    if start_column + 2 * len(escaped) <= width:
        return []
    return breaker().breaks(escaped, overrides, start_column, width)


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
