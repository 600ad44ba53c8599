"""The PO file format: ``Catalog`` values read from and written to PO/POT files.

polib is imported here and nowhere else, and its objects never leave this module:
they are turned into transflow's own frozen ``Entry``/``Catalog`` values on reading.
Writing does not use polib: polib wraps lines differently from msgmerge/msgcat/
Poedit, so a catalog saved by any of them and updated by transflow would churn.
``dumps`` writes what ``msgcat`` writes (see ``wrap``): the same line breaks, comment
order and obsolete-entry syntax.

An entry's origin (the translation memory, a machine draft) is one translator
comment line: this module turns it into the typed ``origin`` and back, so the text
on disk stays what translators have always seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polib

from transflow.catalogs.model import (
    FUZZY,
    HUMAN,
    Catalog,
    Entry,
    FromMemory,
    MachineDraft,
    Origin,
    parse_plural_forms,
)
from transflow.catalogs.wrap import field_lines, reference_lines
from transflow.workspace.errors import CatalogError
from transflow.workspace.files import write_if_changed

PAGE_WIDTH = 79
# The translator comments that say where a translation came from.
DRAFT_COMMENT = "machine-translated draft"
MEMORY_COMMENT = "translation memory"
_DRAFT_LINE = re.compile(rf"^{DRAFT_COMMENT}: (.+), (\d{{4}}-\d{{2}}-\d{{2}})$")
_MEMORY_LINE = re.compile(
    rf"^{MEMORY_COMMENT}: (?:(\d+(?:\.\d+)?)% match, )?(.+?)(, numbers updated)?$")


def origin_comment(origin: Origin) -> str | None:
    """The comment line that records ``origin`` (None for a human translation)."""
    if isinstance(origin, MachineDraft):
        return f"{DRAFT_COMMENT}: {origin.provider}, {origin.date}"
    if isinstance(origin, FromMemory):
        if origin.score is None:
            return f"{MEMORY_COMMENT}: {origin.source}"
        note = f"{MEMORY_COMMENT}: {origin.score:.0f}% match, {origin.source}"
        return note + ", numbers updated" if origin.numbers_updated else note
    return None


def _parse_origin(line: str) -> Origin | None:
    if m := _DRAFT_LINE.match(line):
        return MachineDraft(m.group(1), m.group(2))
    if m := _MEMORY_LINE.match(line):
        score = float(m.group(1)) if m.group(1) else None
        return FromMemory(m.group(2), score, bool(m.group(3)))
    return None


def _split_comments(tcomment: str) -> tuple[str, Origin]:
    """Translator comments without the origin line, and the origin it records."""
    if not tcomment:
        return "", HUMAN
    lines = tcomment.split("\n")
    for i, line in enumerate(lines):
        if (origin := _parse_origin(line)) is not None:
            return "\n".join(lines[:i] + lines[i + 1:]), origin
    return tcomment, HUMAN


def _entry(e: polib.POEntry, previous: dict[str, str | None] | None = None) -> Entry:
    comments, origin = _split_comments(e.tcomment or "")
    forms: tuple[str, ...] = ()
    if e.msgid_plural:
        by_index = {int(k): v for k, v in (e.msgstr_plural or {}).items()}
        forms = tuple(by_index.get(i, "") for i in range(max(by_index, default=-1) + 1))
    previous = previous or {}
    return Entry(
        msgid=e.msgid,
        msgctxt=e.msgctxt,
        msgid_plural=e.msgid_plural or None,
        msgstr=e.msgstr or "",
        msgstr_plural=forms,
        flags=tuple(e.flags),
        previous_msgctxt=previous.get("msgctxt", e.previous_msgctxt),
        previous_msgid=previous.get("msgid", e.previous_msgid),
        previous_msgid_plural=previous.get("msgid_plural", e.previous_msgid_plural),
        references=tuple((path, line) for path, line in e.occurrences),
        extracted_comments=e.comment or "",
        translator_comments=comments,
        origin=origin,
        obsolete=bool(e.obsolete),
        line=e.linenum if isinstance(e.linenum, int) else None,
    )


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
                   "v": "\v", "\\": "\\", '"': '"', "?": "?", "'": "'"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)")


def unescape(text: str) -> str:
    """A PO string's escapes as GNU gettext reads them (polib's own misses ``\\a``,
    octal and hex escapes, so a file msgfmt accepts would read back changed)."""
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)
    return _ESCAPE.sub(one, text)


@contextmanager
def _gnu_escapes() -> Iterator[None]:
    # polib's parser calls its module-level unescape(); it reads with GNU's for the
    # duration of one parse.
    original = polib.unescape
    polib.unescape = unescape  # type: ignore[assignment]
    try:
        yield
    finally:
        polib.unescape = original


def parse(text: str, shown: str) -> Catalog:
    """A catalog from the text of a PO/POT file; errors name ``shown`` and the line."""
    _lint(text, shown)
    try:
        with _gnu_escapes():
            po = polib.pofile(text, wrapwidth=PAGE_WIDTH)
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
    _check_entries(po, shown)
    previous = _obsolete_previous(text)
    entries = tuple(
        _entry(e, previous.get((e.msgctxt, e.msgid)) if e.obsolete else None) for e in po)
    return Catalog(entries, tuple(po.metadata.items()), po.header or "",
                   bool(getattr(po, "metadata_is_fuzzy", False)))


def read_catalog(path: Path, shown_as: str | None = None) -> Catalog:
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
    return parse(text, shown)


_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)?\s*"(.*)"$')


def _fields(lines: list[str]) -> dict[str, str]:
    """msgctxt, msgid and msgid_plural of an entry's lines (without their prefix)."""
    fields: dict[str, str] = {}
    current = None
    for line in lines:
        if m := _FIELD.match(line.strip()):
            current = m.group(1) or current
            if current:
                fields[current] = fields.get(current, "") + unescape(m.group(2))
    return fields


def _obsolete_previous(text: str) -> dict[tuple[str | None, str], dict[str, str | None]]:
    """polib skips the ``#~|`` lines of obsolete entries (the previous msgid of an entry
    that was fuzzy when it became obsolete): read them, so nothing is lost."""
    found: dict[tuple[str | None, str], dict[str, str | None]] = {}
    if "#~|" not in text:
        return found
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.split("\n")
        previous = _fields([line[3:] for line in lines if line.startswith("#~|")])
        if not previous:
            continue
        current = _fields([line[2:] for line in lines
                           if line.startswith("#~") and not line.startswith("#~|")])
        found.setdefault((current.get("msgctxt"), current.get("msgid", "")), {
            "msgctxt": previous.get("msgctxt"), "msgid": previous.get("msgid"),
            "msgid_plural": previous.get("msgid_plural")})
    return found


_STRING = r'"(?:[^"\\]|\\[\\"abfnrtv]|\\[0-7]{1,3}|\\x[0-9A-Fa-f]+)*"'
_LINE_RE = re.compile(
    rf"^(?:(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+)?{_STRING}$"
)


def _lint(text: str, shown: str) -> None:
    """What polib lets through but msgfmt refuses: a broken string literal or keyword."""
    # Only "\n" ends a line: splitlines() would also break at \x1c-\x1e, \x85, \u2028.
    for number, line in enumerate(text.split("\n"), start=1):
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
    nplurals = parse_plural_forms(catalog.metadata.get("Plural-Forms", ""))[0]
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


def write_catalog(catalog: Catalog, path: Path) -> bool:
    """Write atomically, only when the text changes; True if the file was written."""
    return write_if_changed(path, dumps(catalog))


# --- writing -------------------------------------------------------------------------

def _comment_lines(marker: str, text: str) -> list[str]:
    return [f"{marker} {line}" if line else marker for line in text.split("\n")]


def _entry_lines(entry: Entry) -> list[str]:
    lines: list[str] = []
    comments = entry.translator_comments
    if (note := origin_comment(entry.origin)) is not None:
        comments = f"{comments}\n{note}" if comments else note
    if comments:
        lines += _comment_lines("#", comments)
    if entry.extracted_comments:
        lines += _comment_lines("#.", entry.extracted_comments)
    if entry.references and not entry.obsolete:
        lines += reference_lines(entry.references)
    flags = list(entry.flags)
    if FUZZY in flags:  # first, as msgmerge writes it
        flags = [FUZZY] + [f for f in flags if f != FUZZY]
    if flags:
        lines.append("#, " + ", ".join(flags))
    prefix = "#~ " if entry.obsolete else ""
    prev_prefix = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt:
        lines += field_lines(prev_prefix, "msgctxt", entry.previous_msgctxt)
    if entry.previous_msgid:
        lines += field_lines(prev_prefix, "msgid", entry.previous_msgid)
    if entry.previous_msgid_plural:
        lines += field_lines(prev_prefix, "msgid_plural", entry.previous_msgid_plural)
    if entry.msgctxt is not None:
        lines += field_lines(prefix, "msgctxt", entry.msgctxt)
    lines += field_lines(prefix, "msgid", entry.msgid)
    if entry.msgid_plural:
        lines += field_lines(prefix, "msgid_plural", entry.msgid_plural)
        for index, form in enumerate(entry.msgstr_plural):
            lines += field_lines(prefix, f"msgstr[{index}]", form)
    else:
        lines += field_lines(prefix, "msgstr", entry.msgstr)
    return lines


def _header_lines(catalog: Catalog) -> list[str]:
    lines: list[str] = []
    if catalog.header_comment:
        lines += _comment_lines("#", catalog.header_comment)
    if catalog.fuzzy_header:
        lines.append("#, fuzzy")
    meta = "".join(f"{key}: {value}\n" for key, value in catalog.metadata)
    lines += field_lines("", "msgid", "")
    lines += field_lines("", "msgstr", meta)
    return lines


def dumps(catalog: Catalog) -> str:
    """The catalog as GNU gettext would write it: active entries, then obsolete ones."""
    blocks = ["\n".join(_header_lines(catalog))]
    for entry in (*catalog.active, *catalog.obsolete):
        blocks.append("\n".join(_entry_lines(entry)))
    return "\n\n".join(blocks) + "\n"
