"""The catalog model: what a template holds and how it is merged into a translation.

Merging follows msgmerge, with the guarantees translators rely on: an unchanged
entry keeps msgstr and flags; an edited one gets the closest previous translation
as ``fuzzy`` with ``#| msgid``; an entry whose commentary file was renamed keeps its
translation; a vanished translation becomes obsolete (``#~``) and is never deleted.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from transflow.catalogs import pofile

if TYPE_CHECKING:
    from polib import POEntry, POFile

FUZZY_CUTOFF = 0.6  # msgmerge's cutoff for proposing a previous translation
# The translator comment `transflow draft` leaves on a machine-translated draft.
DRAFT_COMMENT = "machine-translated draft"


@dataclass(frozen=True)
class TemplateEntry:
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None = None
    occurrences: tuple[tuple[str, str], ...] = ()
    comment: str = ""


@dataclass(frozen=True)
class MergeStats:
    kept: int = 0
    renamed: int = 0
    fuzzy_matched: int = 0
    new: int = 0
    obsoleted: int = 0
    dropped_untranslated: int = 0


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


def unique(entries: Iterable[TemplateEntry]) -> list[TemplateEntry]:
    """One entry per (msgctxt, msgid), occurrences joined, in first-seen order."""
    merged: dict[tuple[str | None, str], TemplateEntry] = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid)
        if key in merged:
            first = merged[key]
            merged[key] = TemplateEntry(
                first.msgctxt, first.msgid, first.msgid_plural,
                first.occurrences + entry.occurrences, first.comment,
            )
        else:
            merged[key] = entry
    return list(merged.values())


def is_translated(entry: POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def has_translation(entry: POEntry) -> bool:
    """Any translator text at all, even partial or fuzzy: worth keeping."""
    if entry.msgid_plural:
        return any(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def is_fuzzy(entry: POEntry) -> bool:
    return "fuzzy" in entry.flags


def is_untouched(entry: POEntry) -> bool:
    """A live singular entry nobody has worked on: empty and not fuzzy. Only these may
    be filled by the translation memory or by a machine-translation draft."""
    return not (entry.obsolete or entry.msgid_plural or has_translation(entry)
                or is_fuzzy(entry))


def make_template(entries: Sequence[TemplateEntry], metadata: dict[str, str],
                  header: str) -> POFile:
    pot = pofile.new_catalog(metadata, header)
    for t in entries:
        pot.append(_new_entry(t, 0))
    return pot


def _new_entry(t: TemplateEntry, nplurals: int) -> POEntry:
    entry = pofile.new_entry(
        msgctxt=t.msgctxt, msgid=t.msgid, occurrences=list(t.occurrences), comment=t.comment
    )
    if t.msgid_plural:
        entry.msgid_plural = t.msgid_plural
        entry.msgstr_plural = {i: "" for i in range(max(nplurals, 2))}
    return entry


def _copy_translation(target: POEntry, source: POEntry, nplurals: int) -> None:
    target.tcomment = source.tcomment
    target.flags = list(source.flags)
    target.previous_msgctxt = source.previous_msgctxt
    target.previous_msgid = source.previous_msgid
    target.previous_msgid_plural = source.previous_msgid_plural
    if target.msgid_plural:
        forms = {int(k): v for k, v in (source.msgstr_plural or {}).items()}
        if not source.msgid_plural and source.msgstr:
            forms = {0: source.msgstr}
        target.msgstr_plural = {i: forms.get(i, "") for i in range(max(nplurals, 2))}
    else:
        target.msgstr = source.msgstr or (source.msgstr_plural or {}).get(0, "")


def _similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
        return 0.0
    return matcher.ratio()


def merge(
    template: Sequence[TemplateEntry],
    old: POFile | None,
    metadata: dict[str, str],
    header: str,
    nplurals: int,
) -> tuple[POFile, MergeStats]:
    """The new catalog for ``template``, carrying over everything translated in ``old``."""
    old_entries = list(old) if old is not None else []
    by_key: dict[tuple[str | None, str], POEntry] = {}
    for entry in sorted(old_entries, key=lambda e: e.obsolete):  # active entries win
        by_key.setdefault((entry.msgctxt, entry.msgid), entry)
    new_keys = {(t.msgctxt, t.msgid) for t in template}
    new_contexts = {t.msgctxt for t in template}
    orphans = [
        e for e in old_entries
        if (e.msgctxt, e.msgid) not in new_keys and has_translation(e)
    ]
    # A context that vanished altogether is a renamed (or removed) commentary: its
    # translations may reappear under a new context with the same text.
    renamed_by_msgid: dict[str, POEntry] = {}
    for e in orphans:
        if e.msgctxt not in new_contexts:
            renamed_by_msgid.setdefault(e.msgid, e)

    catalog = pofile.new_catalog(metadata, old.header if old else header)
    used: set[int] = set()
    kept = renamed = fuzzy_matched = new = 0
    for t in template:
        entry = _new_entry(t, nplurals)
        if (previous := by_key.get((t.msgctxt, t.msgid))) is not None:
            _copy_translation(entry, previous, nplurals)
            used.add(id(previous))
            kept += 1
        elif (previous := renamed_by_msgid.get(t.msgid)) is not None:
            _copy_translation(entry, previous, nplurals)
            used.add(id(previous))
            renamed += 1
        elif (previous := _closest(t, orphans, new_contexts)) is not None:
            _copy_translation(entry, previous, nplurals)
            if "fuzzy" not in entry.flags:
                entry.flags.insert(0, "fuzzy")
            entry.previous_msgid = previous.msgid
            entry.previous_msgid_plural = previous.msgid_plural or None
            entry.previous_msgctxt = (
                previous.msgctxt if previous.msgctxt != t.msgctxt else None
            )
            used.add(id(previous))
            fuzzy_matched += 1
        else:
            new += 1
        catalog.append(entry)

    obsoleted = dropped = 0
    for e in old_entries:
        if e.obsolete and id(e) not in used and (e.msgctxt, e.msgid) not in new_keys:
            catalog.append(e)
    for e in old_entries:
        if e.obsolete or id(e) in used or (e.msgctxt, e.msgid) in new_keys:
            continue
        if has_translation(e):
            e.obsolete = True
            e.occurrences = []
            catalog.append(e)
            obsoleted += 1
        else:
            dropped += 1
    return catalog, MergeStats(kept, renamed, fuzzy_matched, new, obsoleted, dropped)


def _closest(t: TemplateEntry, orphans: list[POEntry], contexts: set[str | None]) -> POEntry | None:
    best, best_score = None, FUZZY_CUTOFF
    for e in orphans:
        # Same commentary (an edited segment), or a commentary that vanished (renamed
        # and edited); never another live commentary's text.
        if e.msgctxt != t.msgctxt and e.msgctxt in contexts:
            continue
        score = _similarity(t.msgid, e.msgid)
        if score > best_score or (score == best_score and best is None):
            best, best_score = e, score
    return best


def word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))


def count(entries: Iterable[POEntry]) -> Counts:
    """Progress over the active entries."""
    translated = fuzzy = untranslated = tw = fw = uw = 0
    for e in entries:
        if e.obsolete:
            continue
        n = word_count(e.msgid)
        if is_translated(e) and not is_fuzzy(e):
            translated += 1
            tw += n
        elif has_translation(e) and is_fuzzy(e):
            fuzzy += 1
            fw += n
        else:
            untranslated += 1
            uw += n
    return Counts(translated, fuzzy, untranslated, tw, fw, uw)


class Translations:
    """Lookups into a catalog for rendering: only non-fuzzy translations count,
    unless ``drafts`` lets fuzzy ones through too."""

    def __init__(self, po: POFile | None, drafts: bool = False) -> None:
        self._entries: dict[tuple[str | None, str], POEntry] = {}
        self.drafts = drafts
        plural = "nplurals=2; plural=(n != 1);"
        if po is not None:
            plural = po.metadata.get("Plural-Forms", plural)
            for e in po:
                if not e.obsolete:
                    self._entries[(e.msgctxt, e.msgid)] = e
        expr = plural.split("plural=", 1)[1].rstrip(";").strip()
        self._plural = gettext.c2py(expr)

    def state(self, msgctxt: str | None, msgid: str) -> tuple[str, str]:
        """(text, state): state is translated, draft (machine-translated, fuzzy),
        fuzzy, or untranslated; drafts and fuzzy entries count only with ``drafts``."""
        e = self._entries.get((msgctxt, msgid))
        if e is None or not is_translated(e):
            return msgid, "untranslated"
        if is_fuzzy(e):
            if not self.drafts:
                return msgid, "untranslated"
            return e.msgstr, "draft" if DRAFT_COMMENT in (e.tcomment or "") else "fuzzy"
        return e.msgstr, "translated"

    def gettext(self, msgid: str) -> str:
        return self.state(None, msgid)[0]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        e = self._entries.get((None, singular))
        if e is not None and is_translated(e) and (self.drafts or not is_fuzzy(e)):
            forms = {int(k): v for k, v in e.msgstr_plural.items()}
            return forms.get(self._plural(n), singular if n == 1 else plural)
        return singular if n == 1 else plural
