"""The PO file format: reading with polib, writing exactly as GNU gettext wraps.

polib is imported here and nowhere else. polib parses well, but its writer wraps
lines differently from msgmerge/msgcat/Poedit, so a catalog saved by any of them and
updated by transflow would churn. ``dumps`` writes what ``msgcat`` writes: 79 columns,
breaks at Unicode line-break opportunities (UAX #14, as gnulib does), the same
comment order and the same obsolete-entry syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polib

from transflow.workspace.errors import CatalogError
from transflow.workspace.files import write_if_changed

PAGE_WIDTH = 79

POFile = polib.POFile
POEntry = polib.POEntry


def new_catalog(metadata: dict[str, str], header: str = "") -> polib.POFile:
    catalog = polib.POFile(wrapwidth=PAGE_WIDTH)
    catalog.metadata = dict(metadata)
    catalog.header = header
    return catalog


def new_entry(**fields: Any) -> polib.POEntry:
    return polib.POEntry(**fields)


def read_catalog(path: Path, shown_as: str | None = None) -> polib.POFile:
    """Parse a PO/POT file; a syntax error becomes ``path:line: message``."""
    shown = shown_as or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("file not found", shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogError(
            "not valid UTF-8; save the catalog as UTF-8 (Poedit: Catalog → Properties)",
            shown,
            line,
        ) from None
    _lint(text, shown)
    try:
        catalog = polib.pofile(text, wrapwidth=PAGE_WIDTH)
    except (OSError, ValueError) as exc:
        m = re.search(r"\(line (\d+)\)", str(exc))
        at: int | None = int(m.group(1)) if m else None
        what = re.sub(r"\s*in po file.*$", "", str(exc)) or "syntax error"
        raise CatalogError(
            f"{what.lower()}; fix the entry there (check quotes and escapes), "
            "or restore the file from version control",
            shown,
            at,
        ) from None
    _check_entries(catalog, shown)
    _restore_obsolete_previous(catalog, text)
    return catalog


_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)?\s*"(.*)"$')


def _fields(lines: list[str]) -> dict[str, str]:
    """msgctxt, msgid and msgid_plural of an entry's lines (without their prefix)."""
    fields: dict[str, str] = {}
    current = None
    for line in lines:
        if m := _FIELD.match(line.strip()):
            current = m.group(1) or current
            if current:
                fields[current] = fields.get(current, "") + polib.unescape(m.group(2))
    return fields


def _restore_obsolete_previous(catalog: polib.POFile, text: str) -> None:
    """polib skips the ``#~|`` lines of obsolete entries (the previous msgid of an entry
    that was fuzzy when it became obsolete): read them back, so nothing is lost."""
    if "#~|" not in text:
        return
    by_key: dict[tuple[str | None, str], polib.POEntry] = {
        (e.msgctxt, e.msgid): e for e in catalog if e.obsolete}
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.splitlines()
        previous = _fields([line[3:] for line in lines if line.startswith("#~|")])
        if not previous:
            continue
        current = _fields([line[2:] for line in lines
                           if line.startswith("#~") and not line.startswith("#~|")])
        entry = by_key.get((current.get("msgctxt"), current.get("msgid", "")))
        if entry is not None:
            entry.previous_msgctxt = previous.get("msgctxt")
            entry.previous_msgid = previous.get("msgid")
            entry.previous_msgid_plural = previous.get("msgid_plural")


_STRING = r'"(?:[^"\\]|\\[\\"abfnrtv]|\\[0-7]{1,3}|\\x[0-9A-Fa-f]+)*"'
_LINE_RE = re.compile(
    rf"^(?:(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+)?{_STRING}$"
)


def _lint(text: str, shown: str) -> None:
    """What polib lets through but msgfmt refuses: a broken string literal or keyword."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#~") and not stripped.startswith("#~|"):
            stripped = stripped[2:].strip()  # an obsolete entry: same syntax behind "#~"
        elif not stripped or stripped.startswith("#"):
            continue
        if stripped and not _LINE_RE.match(stripped):
            raise CatalogError(
                "malformed line (an unterminated string, a bad escape or an unknown "
                'keyword); fix it so that each string is quoted as "..."',
                shown,
                number,
            )


def _check_entries(catalog: polib.POFile, shown: str) -> None:
    m = re.search(r"nplurals\s*=\s*(\d+)", catalog.metadata.get("Plural-Forms", ""))
    nplurals = int(m.group(1)) if m else None
    seen: set[tuple[str | None, str]] = set()
    for entry in catalog:
        line = entry.linenum if isinstance(entry.linenum, int) else None
        key = (entry.msgctxt, entry.msgid)
        if not entry.obsolete and key in seen:
            raise CatalogError(
                "duplicate message definition; delete one of the two entries", shown, line
            )
        seen.add(key)
        if nplurals and entry.msgid_plural and entry.msgstr_plural:
            highest = max(int(k) for k in entry.msgstr_plural)
            if highest >= nplurals:
                raise CatalogError(
                    f"msgstr[{highest}] but Plural-Forms has nplurals={nplurals}; "
                    "remove the extra form",
                    shown,
                    line,
                )


def write_catalog(catalog: polib.POFile, path: Path) -> bool:
    """Write atomically, only when the text changes; True if the file was written."""
    return write_if_changed(path, dumps(catalog))


# --- writing -------------------------------------------------------------------------

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


def _field(prefix: str, keyword: str, value: str) -> list[str]:
    portions = re.findall(r"[^\n]*\n|[^\n]+$", value) or [""]
    escaped = [_escape(p) for p in portions]
    width = PAGE_WIDTH - 1  # room for the closing quote
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


def _references(occurrences: Iterable[tuple[str, str]]) -> list[str]:
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


def _comment_lines(marker: str, text: str) -> list[str]:
    return [f"{marker} {line}" if line else marker for line in text.split("\n")]


def _entry_lines(entry: polib.POEntry, header: bool = False) -> list[str]:
    lines: list[str] = []
    if entry.tcomment:
        lines += _comment_lines("#", entry.tcomment)
    if entry.comment:
        lines += _comment_lines("#.", entry.comment)
    if entry.occurrences and not entry.obsolete:
        lines += _references(entry.occurrences)
    flags = list(entry.flags)
    if "fuzzy" in flags:
        flags = ["fuzzy"] + [f for f in flags if f != "fuzzy"]
    if flags:
        lines.append("#, " + ", ".join(flags))
    prefix = "#~ " if entry.obsolete else ""
    prev_prefix = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt:
        lines += _field(prev_prefix, "msgctxt", entry.previous_msgctxt)
    if entry.previous_msgid:
        lines += _field(prev_prefix, "msgid", entry.previous_msgid)
    if entry.previous_msgid_plural:
        lines += _field(prev_prefix, "msgid_plural", entry.previous_msgid_plural)
    if entry.msgctxt is not None:
        lines += _field(prefix, "msgctxt", entry.msgctxt)
    lines += _field(prefix, "msgid", entry.msgid)
    if entry.msgid_plural:
        lines += _field(prefix, "msgid_plural", entry.msgid_plural)
        for index in sorted(entry.msgstr_plural, key=int):
            lines += _field(prefix, f"msgstr[{index}]", entry.msgstr_plural[index])
    else:
        lines += _field(prefix, "msgstr", entry.msgstr)
    return lines


def _header_lines(catalog: polib.POFile) -> list[str]:
    lines: list[str] = []
    if catalog.header:
        lines += _comment_lines("#", catalog.header)
    flags = getattr(catalog, "metadata_is_fuzzy", False)
    if flags:
        lines.append("#, fuzzy")
    meta = "".join(f"{key}: {value}\n" for key, value in catalog.metadata.items())
    lines += _field("", "msgid", "")
    lines += _field("", "msgstr", meta)
    return lines


def dumps(catalog: polib.POFile) -> str:
    """The catalog as GNU gettext would write it."""
    blocks = ["\n".join(_header_lines(catalog))]
    active = [e for e in catalog if not e.obsolete]
    obsolete = [e for e in catalog if e.obsolete]
    for entry in active + obsolete:
        blocks.append("\n".join(_entry_lines(entry)))
    return "\n\n".join(blocks) + "\n"
