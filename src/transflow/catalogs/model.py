"""transflow's own catalog model: frozen ``Entry`` and ``Catalog`` values.

As Babel's ``messages.catalog`` owns ``Catalog``/``Message`` and its ``pofile`` only
converts, this module owns what a catalog is; ``pofile`` reads and writes it, and is
the only place that knows the PO syntax. Every stage (merge, memory fill,
drafts, checks, builds) takes catalogs and returns new ones: nothing is changed in
place, so what was read stays what was read.

Where a translation came from is a typed ``origin`` (a person, the translation
memory, a machine draft), not a comment searched for a substring.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

FUZZY = "fuzzy"


# --- where a translation came from ---------------------------------------------------

@dataclass(frozen=True)
class Human:
    """Typed by a translator (or by a tool transflow does not know)."""


@dataclass(frozen=True)
class FromMemory:
    """Filled by ``update`` from the translation memory."""

    source: str
    """Where the memory had it: ``2024-W09 border-readiness-check`` (week and
    commentary) or an archive file, with the entry's context."""
    score: float | None = None
    """The similarity of a fuzzy suggestion; None for an exact match."""
    numbers_updated: bool = False

    @property
    def week(self) -> str | None:
        first = self.source.split(" ", 1)[0]
        return first if re.fullmatch(r"\d{4}-W\d{2}", first) else None

    @property
    def context(self) -> str | None:
        parts = self.source.split(" ", 1)
        return parts[1] if self.week and len(parts) == 2 else None


@dataclass(frozen=True)
class MachineDraft:
    """Filled by ``draft``: a machine translation waiting for review."""

    provider: str
    """The route: ``libre``, or ``libre en→ru, google ru→be`` through a pivot."""
    date: str
    """ISO date of the draft."""


Origin = Human | FromMemory | MachineDraft
HUMAN = Human()


# --- entries and catalogs ------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: tuple[str, ...] = ()
    """The plural forms, msgstr[0] first; empty for a singular entry."""
    flags: tuple[str, ...] = ()
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    references: tuple[tuple[str, str], ...] = ()
    """``#:`` lines: (path, line) pairs; line may be empty."""
    extracted_comments: str = ""
    """``#.`` lines: the segment's role (title, paragraph…), written by transflow."""
    translator_comments: str = ""
    """``#`` lines the translator (or their tool) wrote; the origin is not among them."""
    origin: Origin = HUMAN
    obsolete: bool = False
    line: int | None = field(default=None, compare=False)
    """Line of the entry in the file it was read from."""

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return FUZZY in self.flags

    @property
    def translated(self) -> bool:
        """Every form has a translation (fuzzy or not)."""
        if self.msgid_plural:
            return bool(self.msgstr_plural) and all(self.msgstr_plural)
        return bool(self.msgstr)

    @property
    def has_translation(self) -> bool:
        """Any translator text at all, even partial or fuzzy: worth keeping."""
        if self.msgid_plural:
            return any(self.msgstr_plural)
        return bool(self.msgstr)

    @property
    def may_fill(self) -> bool:
        """A live singular entry nobody has worked on: empty and not fuzzy. Only these
        may be filled by the translation memory or by a machine-translation draft."""
        return not (self.obsolete or self.msgid_plural or self.has_translation
                    or self.fuzzy)

    @property
    def reviewed(self) -> bool:
        """Translated and not fuzzy: what a bulletin may show as a translation."""
        return self.translated and not self.fuzzy

    def with_fuzzy(self, fuzzy: bool = True) -> Entry:
        """The entry with the fuzzy flag set (first, as msgmerge writes it) or cleared."""
        others = tuple(f for f in self.flags if f != FUZZY)
        return replace(self, flags=(FUZZY, *others) if fuzzy else others)

    def filled(self, msgstr: str, origin: Origin, *, fuzzy: bool,
               previous_msgid: str | None = None) -> Entry:
        """An untouched entry given a translation from the memory or a machine."""
        entry = replace(self, msgstr=msgstr, origin=origin,
                        previous_msgid=previous_msgid or self.previous_msgid)
        return entry.with_fuzzy() if fuzzy else entry


@dataclass(frozen=True)
class Catalog:
    """A PO (or POT) file's content: header and entries, active and obsolete."""

    entries: tuple[Entry, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    """Header fields in file order: (key, the text after its colon, as written). The
    text keeps the translator's spacing; ``header_fields`` makes it from plain values."""
    header_comment: str = ""
    fuzzy_header: bool = False

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def meta(self) -> dict[str, str]:
        """The header's values by key (the first of a repeated key)."""
        values: dict[str, str] = {}
        for key, raw in self.metadata:
            values.setdefault(key, raw.strip())
        return values

    @property
    def active(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.obsolete)

    @property
    def obsolete(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.obsolete)

    def with_entries(self, entries: Iterable[Entry]) -> Catalog:
        return replace(self, entries=tuple(entries))

    @property
    def nplurals(self) -> int | None:
        """``nplurals`` of the header's Plural-Forms, or None when it has none."""
        return parse_plural_forms(self.meta.get("Plural-Forms", ""))[0]


def parse_plural_forms(value: str) -> tuple[int | None, str | None]:
    """``nplurals=3; plural=(...);`` → (3, "(...)"); the one parser of Plural-Forms."""
    n = re.search(r"nplurals\s*=\s*(\d+)", value)
    expr = re.search(r"plural\s*=\s*([^;]+)", value)
    return (int(n.group(1)) if n else None, expr.group(1).strip() if expr else None)


def plural_function(value: str) -> Callable[[int], int]:
    """The plural-form chooser of a Plural-Forms header (English's when absent)."""
    expr = parse_plural_forms(value)[1] or "(n != 1)"
    return gettext.c2py(expr)


# --- templates ------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateEntry:
    """What a template (POT) says of one message: the source side only."""

    msgctxt: str | None
    msgid: str
    msgid_plural: str | None = None
    occurrences: tuple[tuple[str, str], ...] = ()
    comment: str = ""

    def entry(self, nplurals: int) -> Entry:
        """A new, empty entry of the catalog for this message."""
        forms = tuple("" for _ in range(max(nplurals, 2))) if self.msgid_plural else ()
        return Entry(msgid=self.msgid, msgctxt=self.msgctxt, msgid_plural=self.msgid_plural,
                     msgstr_plural=forms, references=self.occurrences,
                     extracted_comments=self.comment)


def unique(entries: Iterable[TemplateEntry]) -> list[TemplateEntry]:
    """One entry per (msgctxt, msgid), occurrences joined, in first-seen order."""
    merged: dict[tuple[str | None, str], TemplateEntry] = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid)
        if key in merged:
            first = merged[key]
            merged[key] = replace(first, occurrences=first.occurrences + entry.occurrences)
        else:
            merged[key] = entry
    return list(merged.values())


def header_fields(values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Header fields written the usual way, ``Key: value``."""
    return tuple((key, f" {value}") for key, value in values.items())


def make_template(entries: Sequence[TemplateEntry], metadata: tuple[tuple[str, str], ...],
                  header: str) -> Catalog:
    return Catalog(tuple(t.entry(0) for t in entries), metadata, header)


# --- progress ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    """Translation progress of a set of entries, in entries and in source words."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    translated_words: int = 0
    fuzzy_words: int = 0
    untranslated_words: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def total_words(self) -> int:
        return self.translated_words + self.fuzzy_words + self.untranslated_words

    @property
    def percent(self) -> float:
        """Percent complete by source words: a long paragraph weighs more than a title."""
        if self.total_words == 0:
            return 100.0 if self.untranslated == 0 else 0.0
        return 100.0 * self.translated_words / self.total_words


def word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))


def count(entries: Iterable[Entry]) -> Counts:
    """Progress over the active entries."""
    translated = fuzzy = untranslated = tw = fw = uw = 0
    for e in entries:
        if e.obsolete:
            continue
        n = word_count(e.msgid)
        if e.reviewed:
            translated += 1
            tw += n
        elif e.has_translation and e.fuzzy:
            fuzzy += 1
            fw += n
        else:
            untranslated += 1
            uw += n
    return Counts(translated, fuzzy, untranslated, tw, fw, uw)


# --- lookups for rendering ---------------------------------------------------------------

class Translations:
    """Lookups into a catalog for rendering: only reviewed translations count, unless
    ``drafts`` lets fuzzy ones through too."""

    def __init__(self, catalog: Catalog | None, drafts: bool = False) -> None:
        self.drafts = drafts
        self._entries: dict[tuple[str | None, str], Entry] = {}
        plural = ""
        if catalog is not None:
            plural = catalog.meta.get("Plural-Forms", "")
            self._entries = {e.key: e for e in catalog.active}
        self._plural = plural_function(plural)

    def state(self, msgctxt: str | None, msgid: str) -> tuple[str, str]:
        """(text, state): state is translated, draft (machine-translated, fuzzy),
        fuzzy, or untranslated; drafts and fuzzy entries count only with ``drafts``."""
        e = self._entries.get((msgctxt, msgid))
        if e is None or not e.translated:
            return msgid, "untranslated"
        if e.fuzzy:
            if not self.drafts:
                return msgid, "untranslated"
            return e.msgstr, "draft" if isinstance(e.origin, MachineDraft) else "fuzzy"
        return e.msgstr, "translated"

    def gettext(self, msgid: str) -> str:
        return self.state(None, msgid)[0]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        e = self._entries.get((None, singular))
        if e is not None and e.translated and (self.drafts or not e.fuzzy):
            index = self._plural(n)
            if index < len(e.msgstr_plural):
                return e.msgstr_plural[index]
        return singular if n == 1 else plural
