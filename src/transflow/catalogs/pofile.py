"""The PO file format: ``Catalog`` values read from and written to PO/POT files.

transflow reads and writes the format itself (no polib, no Babel): the file becomes
transflow's own frozen ``Entry``/``Catalog`` values on reading, and is written back
as msgmerge, msgcat and Poedit write it (polib and Babel wrap lines differently, so a
catalog saved by any of those tools and updated by them would churn).
``dumps`` writes what ``msgcat`` writes (see ``wrap``): the same line breaks, comment
order and obsolete-entry syntax.

An entry's origin (the translation memory, a machine draft) is one translator
comment line: this module turns it into the typed ``origin`` and back, so the text
on disk stays what translators have always seen.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

from transflow.catalogs.model import (
    FUZZY,
    HUMAN,
    Catalog,
    Entry,
    FromMemory,
    MachineDraft,
    Origin,
    parse_plural_forms,
    plural_function,
)
from transflow.catalogs.wrap import field_lines, reference_lines
from transflow.workspace.errors import CatalogError
from transflow.workspace.files import Outcome, Snapshot, Transaction, snapshot

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


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
                   "v": "\v", "\\": "\\", '"': '"'}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)")
# Runs of plain characters at once, possessively: three times faster than a character
# at a time, and an unterminated string fails at once instead of backtracking.
_STRING = re.compile(r'"((?:[^"\\]++|\\[\\"abfnrtv]|\\[0-7]{1,3}|\\x[0-9A-Fa-f]+)*+)"')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)[ \t]*(\".*)$")
_MALFORMED = ("malformed line (an unterminated string, a bad escape or an unknown keyword); "
              'fix it so that each string is quoted as "..."')
_NO_MSGSTR = 'msgid without msgstr; add a msgstr line (msgstr "" if not translated yet)'
MAX_MESSAGE_VALUE = 80
"""Characters of a value quoted in an error message."""


def unescape(text: str) -> str:
    """A PO string's escapes as GNU gettext reads them: \\n \\t \\r \\a \\b \\f \\v \\\\ \\",
    octal (\\101) and hex (\\x42)."""
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _SIMPLE_ESCAPES.get(code, code)
    return _ESCAPE.sub(one, text)


def _cut(value: str) -> str:
    """A value quoted in a message, never longer than ``MAX_MESSAGE_VALUE``."""
    return value if len(value) <= MAX_MESSAGE_VALUE else value[:MAX_MESSAGE_VALUE - 1] + "…"


class _EntryLines:
    """An entry being read: its fields as the lines give them."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.obsolete = False
        self.translator: list[str] = []
        self.extracted: list[str] = []
        self.references: list[tuple[str, str]] = []
        self.flags: list[str] = []
        self.previous: dict[str, str] = {}
        self.fields: dict[str, str] = {}
        self.forms: dict[int, str] = {}
        self.field_lines: dict[str, int] = {}

    @property
    def has_msgstr(self) -> bool:
        return "msgstr" in self.fields or bool(self.forms)


def _string(text: str, shown: str, number: int) -> str:
    m = _STRING.fullmatch(text.strip(" \t\r"))
    if m is None:
        raise CatalogError(_MALFORMED, shown, number)
    return unescape(m.group(1))


def _references(text: str) -> list[tuple[str, str]]:
    found = []
    for occurrence in text.split():
        path, _, line = occurrence.rpartition(":")
        found.append((path, line) if path and line.isdigit() else (occurrence, ""))
    return found


def _finish(draft: _EntryLines, shown: str) -> Entry:
    """The entry ``draft`` read, refusing what msgfmt refuses."""
    if "msgid" not in draft.fields:
        raise CatalogError("msgstr without msgid; add the msgid line", shown, draft.line)
    if not draft.has_msgstr:
        raise CatalogError(_NO_MSGSTR, shown, draft.field_lines["msgid"])
    plural = draft.fields.get("msgid_plural")
    if draft.forms and plural is None:
        raise CatalogError("msgstr[0] without msgid_plural; write msgstr, or add the "
                           "msgid_plural line", shown, draft.field_lines.get("msgstr[]"))
    if plural is not None and not draft.forms:
        raise CatalogError("msgid_plural needs msgstr[0], msgstr[1]… instead of msgstr",
                           shown, draft.field_lines.get("msgstr"))
    forms = tuple(draft.forms.get(i, "") for i in range(max(draft.forms, default=-1) + 1))
    comments, origin = _split_comments("\n".join(draft.translator))
    return Entry(
        msgid=draft.fields["msgid"],
        msgctxt=draft.fields.get("msgctxt"),
        msgid_plural=plural,
        msgstr=draft.fields.get("msgstr", ""),
        msgstr_plural=forms,
        flags=tuple(draft.flags),
        previous_msgctxt=draft.previous.get("msgctxt"),
        previous_msgid=draft.previous.get("msgid"),
        previous_msgid_plural=draft.previous.get("msgid_plural"),
        references=tuple(draft.references),
        extracted_comments="\n".join(draft.extracted),
        translator_comments=comments,
        origin=origin,
        obsolete=draft.obsolete,
        line=draft.line,
    )


class _Reader:
    """The PO syntax, line by line, into entries; a line msgfmt would refuse is an
    error naming it."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.entries: list[Entry] = []
        self.draft: _EntryLines | None = None
        self.field: str | None = None
        """The field a continuation string extends."""
        self.previous_field: str | None = None

    def _next(self, number: int) -> _EntryLines:
        """The entry a comment or ``msgctxt``/``msgid`` line belongs to: a new one once
        the current entry has its msgstr."""
        d = self.draft
        if d is not None and d.has_msgstr:
            self.entries.append(_finish(d, self.shown))
            d = None
        elif d is not None and "msgid" in d.fields:
            raise CatalogError(_NO_MSGSTR, self.shown, d.field_lines["msgid"])
        if d is None:
            d = self.draft = _EntryLines(number)
        return d

    def comment(self, body: str, number: int) -> None:
        d = self.draft if self.draft is not None and not self.draft.has_msgstr and (
            "msgid" not in self.draft.fields) else self._next(number)
        if body.startswith(","):
            d.flags += [f.strip() for f in body[1:].split(",") if f.strip()]
        elif body.startswith("."):
            d.extracted.append(body[2:] if body.startswith(". ") else body[1:])
        elif body.startswith(":"):
            d.references += _references(body[1:])
        elif body.startswith(("|", "~|")):
            rest = body[body.index("|") + 1:].strip(" \t")
            if rest.startswith('"') and self.previous_field:
                d.previous[self.previous_field] += _string(rest, self.shown, number)
            elif m := _KEYWORD.fullmatch(rest):
                self.previous_field = m.group(1)
                d.previous[self.previous_field] = _string(m.group(3), self.shown, number)
            else:
                raise CatalogError(_MALFORMED, self.shown, number)
            return
        else:
            d.translator.append(body[1:] if body.startswith(" ") else body)
        self.field = self.previous_field = None

    def keyword(self, text: str, obsolete: bool, number: int) -> None:
        m = _KEYWORD.fullmatch(text)
        if m is None:
            raise CatalogError(_MALFORMED, self.shown, number)
        keyword, index, rest = m.group(1), m.group(2), m.group(3)
        if keyword == "msgctxt" or (keyword == "msgid" and (
                self.draft is None or "msgctxt" not in self.draft.fields
                or self.draft.has_msgstr or "msgid" in self.draft.fields)):
            d = self._next(number)
        else:  # msgid after msgctxt, msgid_plural, msgstr: the same entry
            d = self.draft or self._next(number)
        d.obsolete = d.obsolete or obsolete
        value = _string(rest, self.shown, number)
        if index is not None:
            d.forms[int(index)] = value
            d.field_lines.setdefault("msgstr[]", number)
            self.field = f"msgstr[{index}]"
        else:
            if keyword in d.fields:
                raise CatalogError(f"{keyword} given twice in one entry", self.shown, number)
            d.fields[keyword] = value
            d.field_lines[keyword] = number
            self.field = keyword
        self.previous_field = None

    def continuation(self, text: str, number: int) -> None:
        if self.draft is None or self.field is None:
            raise CatalogError(_MALFORMED, self.shown, number)
        value = _string(text, self.shown, number)
        if self.field.startswith("msgstr["):
            self.draft.forms[int(self.field[7:-1])] += value
        else:
            self.draft.fields[self.field] += value

    def read(self, text: str) -> list[Entry]:
        # Only "\n" ends a line: splitlines() would also break at \x1c-\x1e, \x85, \u2028.
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.strip(" \t\r")
            if not line:
                continue
            obsolete = line.startswith("#~") and not line.startswith("#~|")
            if obsolete:
                line = line[2:].strip(" \t")
                if not line:
                    continue
                if line.startswith("#"):  # a comment of an obsolete entry
                    self.comment(line[1:], number)
                    continue
            elif line.startswith("#"):
                self.comment(line[1:], number)
                continue
            if line.startswith('"'):
                self.continuation(line, number)
            else:
                self.keyword(line, obsolete, number)
        if self.draft is not None and (self.draft.fields or self.draft.forms):
            self.entries.append(_finish(self.draft, self.shown))
        return self.entries


def _metadata(msgstr: str) -> tuple[tuple[str, str], ...]:
    """Header fields as written: the key and everything after its colon, so the
    translator's spacing, trailing blanks and repeated keys stay."""
    pairs = []
    for line in msgstr.split("\n"):
        if line:
            key, colon, rest = line.partition(":")
            pairs.append((key, rest) if colon else (line, ""))
    return tuple(pairs)


def _check_entries(catalog: Catalog, shown: str, header_line: int | None) -> None:
    forms_header = catalog.meta.get("Plural-Forms")
    nplurals, expression = parse_plural_forms(forms_header or "")
    if forms_header is not None and any(e.msgid_plural for e in catalog.active):
        if expression is None:
            raise CatalogError("Plural-Forms has no plural=EXPRESSION; add one, e.g. "
                               "plural=(n != 1);", shown, header_line)
        try:
            plural_function(forms_header)
        except (ValueError, SyntaxError, RecursionError):
            raise CatalogError(f"Plural-Forms has an invalid plural expression "
                               f"({_cut(expression)}); fix it", shown, header_line) from None
    seen: set[tuple[str | None, str]] = set()
    for entry in catalog.entries:
        if entry.obsolete:
            continue  # an obsolete entry may keep more forms, or repeat a live one
        if entry.key in seen:
            raise CatalogError(
                "duplicate message definition; delete one of the two entries", shown,
                entry.line)
        seen.add(entry.key)
        if nplurals and len(entry.msgstr_plural) > nplurals:
            raise CatalogError(
                f"msgstr[{len(entry.msgstr_plural) - 1}] but Plural-Forms has "
                f"nplurals={nplurals}; remove the extra form", shown, entry.line)


def parse(text: str, shown: str) -> Catalog:
    """A catalog from the text of a PO/POT file; errors name ``shown`` and the line."""
    entries = _Reader(shown).read(text.removeprefix("\ufeff"))
    header = None
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None \
            and not entries[0].obsolete:
        header, entries = entries[0], entries[1:]
    catalog = Catalog(
        tuple(entries),
        _metadata(header.msgstr) if header else (),
        header.translator_comments if header else "",
        header.fuzzy if header else False,
    )
    header_line = None
    if header is not None:  # as msgfmt does, the line of the header's msgid
        head = text.split("\n", 200)
        header_line = next((i for i, line in enumerate(head, 1) if line.startswith("msgid")),
                           header.line)
    _check_entries(catalog, shown, header_line)
    return catalog


_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")


def decode(data: bytes, shown: str) -> tuple[str, str | None]:
    """The text of a PO file, and the charset it was in when not UTF-8 (its
    Content-Type says which, as msgfmt reads it)."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        m = _CHARSET.search(data)
        charset = m.group(1).decode("ascii") if m else "UTF-8"
        if charset.upper().replace("_", "-") not in ("UTF-8", "UTF8"):
            try:
                return data.decode(charset), charset
            except (LookupError, UnicodeDecodeError):
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogError(
            f"not valid {charset}; save the catalog as UTF-8 (Poedit: Catalog → Properties)",
            shown,
            line,
        ) from None


def exists(path: Path, shown: str | None = None) -> bool:
    """Whether there is a catalog at ``path``; a folder or a link to nothing standing
    there is an error, not a missing catalog (it would be replaced, or hide one)."""
    if path.is_symlink() and not path.exists():
        raise CatalogError("is a symbolic link to a file that does not exist; fix or remove "
                           "the link", shown or str(path))
    if path.is_dir():
        raise CatalogError("is a folder, not a catalog; move it away", shown or str(path))
    return path.exists()


def read_catalog(path: Path, shown_as: str | None = None) -> Catalog:
    """Parse a PO/POT file; a syntax error becomes ``path:line: message``."""
    return read_catalog_with_charset(path, shown_as)[0]


@dataclass(frozen=True)
class Loaded:
    """A catalog as read: the file's state then, and its charset when not UTF-8."""

    catalog: Catalog
    snapshot: Snapshot | None
    charset: str | None = None


def load(path: Path, shown_as: str | None = None) -> Loaded:
    """Read a catalog, remembering what the file was, so that it is replaced only if it
    still is (see ``write_catalog``'s ``expected``).

    An empty file is what an editor that saves in place leaves between truncating the
    catalog and writing it: no tool saves a catalog empty, so it is read again once it
    has something in it, or has stayed empty for ``WAIT_EMPTY`` seconds (then it is
    taken as it is). Likewise a file that cannot be parsed while it is being written (a
    read can catch an in-place save half done): it is read again until it stops
    changing, and only then is it called malformed."""
    deadline = time.monotonic() + WAIT_EMPTY
    while True:
        try:
            empty = path.stat().st_size == 0
        except OSError:
            empty = False  # _read says what is wrong
        if not empty or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    while True:
        try:
            catalog, charset, data = _read(path, shown_as)
            return Loaded(catalog, snapshot(path, data), charset)
        except CatalogError:
            if time.monotonic() >= deadline or not _being_written(path):
                raise


def _being_written(path: Path) -> bool:
    """Whether ``path`` changes under a short look (after that wait, the caller reads
    it again), or was changed a moment ago."""
    try:
        before = path.stat()
        time.sleep(QUIET)
        after = path.stat()
    except OSError:
        return False
    changed = (before.st_mtime_ns, before.st_size) != (after.st_mtime_ns, after.st_size)
    return changed or time.time_ns() - after.st_mtime_ns < RECENT * 1e9


QUIET = 0.05
"""Seconds a file is watched to tell whether someone is writing it."""
RECENT = 1.0
"""A file changed less than this many seconds ago may be a save under way: a malformed
one is read again until it is older (its error is said at most this much later)."""


WAIT_EMPTY = 3.0
"""Seconds an empty catalog is given to be written before it is read as empty."""


def read_catalog_with_charset(path: Path, shown_as: str | None = None,
                              ) -> tuple[Catalog, str | None]:
    """The catalog and, when the file is not UTF-8, its charset."""
    catalog, charset, _ = _read(path, shown_as)
    return catalog, charset


def _read(path: Path, shown_as: str | None) -> tuple[Catalog, str | None, bytes]:
    shown = shown_as or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("file not found", shown) from None
    except IsADirectoryError:
        raise CatalogError("is a folder, not a catalog; move it away", shown) from None
    except OSError as exc:
        raise CatalogError(f"cannot read it ({exc.strerror or exc})", shown) from None
    text, charset = decode(data, shown)
    catalog = parse(text, shown)
    if charset is not None:
        # What is read is written back in UTF-8: the header must say so.
        catalog = _recoded(catalog)
    return catalog, charset, data


def _recoded(catalog: Catalog) -> Catalog:
    pairs = tuple(
        (key, re.sub(r"charset=[A-Za-z0-9_.:-]+", "charset=UTF-8", raw))
        if key == "Content-Type" else (key, raw)
        for key, raw in catalog.metadata)
    return replace(catalog, metadata=pairs)


class Changed(Exception):
    """The file is no longer what was read: someone saved it meanwhile."""


def write_catalog(catalog: Catalog, path: Path, expected: Loaded | None,
                  notes: list[str] | None = None) -> bool:
    """Write atomically, only when the text changes; True if the file was written.

    ``expected`` is what ``load`` read (None: there was no file). When the file is no
    longer that, or an in-place save reached it while it was replaced, it is left as
    saved and ``Changed`` is raised: a translator's save is never replaced by a stale
    merge (see ``workspace.files``). What the filesystem does not allow it to promise
    is added to ``notes``, once.
    """
    with Transaction() as transaction:
        outcome = transaction.replace(path, dumps(catalog),
                                      expected.snapshot if expected else None)
        if notes is not None:
            notes += [note for note in transaction.notes if note not in notes]
        if outcome is Outcome.CHANGED or transaction.settle():
            raise Changed(str(path))
    return outcome is Outcome.WRITTEN


# --- writing -------------------------------------------------------------------------

def _comment_lines(marker: str, text: str) -> list[str]:
    return [f"{marker} {line}" if line else marker for line in text.split("\n")]


_FORMATS = ("c", "objc", "python", "python-brace", "java", "java-printf", "csharp",
            "javascript", "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua",
            "object-pascal", "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl",
            "perl", "perl-brace", "php", "gcc-internal", "gfc-internal", "ycp")
"""gettext 0.21's languages, in the order msgcat writes their format flags."""
_FORMAT_FLAG = re.compile(r"(?:no-|possible-|impossible-)?(.+)-format")


def _flag_rank(flag: str) -> tuple[int, int]:
    if flag == FUZZY:
        return (0, 0)
    if (found := _FORMAT_FLAG.fullmatch(flag)) and found.group(1) in _FORMATS:
        return (1, _FORMATS.index(found.group(1)))
    if flag.startswith("range:"):
        return (2, 0)
    if flag in ("wrap", "no-wrap"):
        return (3, 0)
    return (4, 0)


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
    if FUZZY in flags and not entry.has_translation:
        flags.remove(FUZZY)  # nothing to review: msgcat drops it too
    # In msgcat's order, so that a file round-trips byte for byte: fuzzy, the format
    # flags in gettext's order of languages, the range, the wrapping; others (which
    # msgcat would drop) after them, as they came.
    flags.sort(key=_flag_rank)
    if flags:
        lines.append("#, " + ", ".join(flags))
    wrap = "no-wrap" not in flags
    python_format = "python-format" in flags or "possible-python-format" in flags

    def field(prefix: str, keyword: str, value: str) -> list[str]:
        return field_lines(prefix, keyword, value, wrap, python_format)

    prefix = "#~ " if entry.obsolete else ""
    prev_prefix = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt:
        lines += field(prev_prefix, "msgctxt", entry.previous_msgctxt)
    if entry.previous_msgid:
        lines += field(prev_prefix, "msgid", entry.previous_msgid)
    if entry.previous_msgid_plural:
        lines += field(prev_prefix, "msgid_plural", entry.previous_msgid_plural)
    if entry.msgctxt is not None:
        lines += field(prefix, "msgctxt", entry.msgctxt)
    lines += field(prefix, "msgid", entry.msgid)
    if entry.msgid_plural:
        lines += field(prefix, "msgid_plural", entry.msgid_plural)
        for index, form in enumerate(entry.msgstr_plural):
            lines += field(prefix, f"msgstr[{index}]", form)
    else:
        lines += field(prefix, "msgstr", entry.msgstr)
    return lines


def _header_lines(catalog: Catalog) -> list[str]:
    lines: list[str] = []
    if catalog.header_comment:
        lines += _comment_lines("#", catalog.header_comment)
    if catalog.fuzzy_header:
        lines.append("#, fuzzy")
    meta = "".join(f"{key}:{raw}\n" if raw else f"{key}\n" for key, raw in catalog.metadata)
    lines += field_lines("", "msgid", "")
    lines += field_lines("", "msgstr", meta)
    return lines


def dumps(catalog: Catalog) -> str:
    """The catalog as GNU gettext would write it: active entries, then obsolete ones."""
    blocks = ["\n".join(_header_lines(catalog))]
    for entry in (*catalog.active, *catalog.obsolete):
        blocks.append("\n".join(_entry_lines(entry)))
    return "\n\n".join(blocks) + "\n"
