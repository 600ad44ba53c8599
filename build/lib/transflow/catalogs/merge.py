"""Merging a template into a translation, as msgmerge does, with the guarantees
translators rely on: an unchanged entry keeps msgstr and flags; an edited one gets
the closest previous translation as ``fuzzy`` with ``#| msgid``; an entry whose
commentary file was renamed keeps its translation; a vanished translation becomes
obsolete (``#~``) and is never deleted.

``merge`` takes the old catalog and returns a new one; nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from transflow.catalogs.model import Catalog, Entry, TemplateEntry
from transflow.catalogs.similarity import ratio

FUZZY_CUTOFF = 0.6  # msgmerge's cutoff for proposing a previous translation


@dataclass(frozen=True)
class MergeStats:
    kept: int = 0
    renamed: int = 0
    fuzzy_matched: int = 0
    new: int = 0
    obsoleted: int = 0
    dropped_untranslated: int = 0


def _carry(new: Entry, old: Entry, nplurals: int) -> Entry:
    """``new`` (from the template) with ``old``'s translation, flags, comments and origin."""
    entry = replace(
        new, translator_comments=old.translator_comments, origin=old.origin, flags=old.flags,
        previous_msgctxt=old.previous_msgctxt, previous_msgid=old.previous_msgid,
        previous_msgid_plural=old.previous_msgid_plural,
    )
    if new.msgid_plural:
        forms = dict(enumerate(old.msgstr_plural))
        if not old.msgid_plural and old.msgstr:
            forms = {0: old.msgstr}
        return replace(entry, msgstr_plural=tuple(forms.get(i, "")
                                                  for i in range(max(nplurals, 2))))
    first = old.msgstr_plural[0] if old.msgstr_plural else ""
    return replace(entry, msgstr=old.msgstr or first)


def _closest(t: TemplateEntry, orphans: Sequence[Entry],
             contexts: set[str | None]) -> Entry | None:
    best, best_score = None, FUZZY_CUTOFF
    for e in orphans:
        # Same commentary (an edited segment), or a commentary that vanished (renamed
        # and edited); never another live commentary's text.
        if e.msgctxt != t.msgctxt and e.msgctxt in contexts:
            continue
        score = ratio(t.msgid, e.msgid, FUZZY_CUTOFF)
        if score > best_score or (score == best_score and best is None):
            best, best_score = e, score
    return best


def _previous_for(template: Sequence[TemplateEntry], old_entries: Sequence[Entry],
                  ) -> list[tuple[str, Entry | None]]:
    """For each template entry: how it finds its previous translation (kept, renamed,
    fuzzy or new) and which old entry that is."""
    by_key: dict[tuple[str | None, str], Entry] = {}
    for entry in sorted(old_entries, key=lambda e: e.obsolete):  # active entries win
        by_key.setdefault(entry.key, entry)
    new_keys = {(t.msgctxt, t.msgid) for t in template}
    contexts = {t.msgctxt for t in template}
    orphans = [e for e in old_entries if e.key not in new_keys and e.has_translation]
    # A context that vanished altogether is a renamed (or removed) commentary: its
    # translations may reappear under a new context with the same text.
    renamed: dict[str, Entry] = {}
    for e in orphans:
        if e.msgctxt not in contexts:
            renamed.setdefault(e.msgid, e)
    found: list[tuple[str, Entry | None]] = []
    for t in template:
        if (previous := by_key.get((t.msgctxt, t.msgid))) is not None:
            found.append(("kept", previous))
        elif (previous := renamed.get(t.msgid)) is not None:
            found.append(("renamed", previous))
        elif (previous := _closest(t, orphans, contexts)) is not None:
            found.append(("fuzzy", previous))
        else:
            found.append(("new", None))
    return found


def merge(
    template: Sequence[TemplateEntry],
    old: Catalog | None,
    metadata: tuple[tuple[str, str], ...],
    header: str,
    nplurals: int,
) -> tuple[Catalog, MergeStats]:
    """The new catalog for ``template``, carrying over everything translated in ``old``."""
    old_entries = list(old) if old is not None else []
    entries: list[Entry] = []
    used: set[int] = set()
    counted = {"kept": 0, "renamed": 0, "fuzzy": 0, "new": 0}
    for t, (how, previous) in zip(template, _previous_for(template, old_entries),
                                  strict=True):
        entry = t.entry(nplurals)
        counted[how] += 1
        if previous is not None:
            used.add(id(previous))
            entry = _carry(entry, previous, nplurals)
        if how == "fuzzy" and previous is not None:
            entry = replace(
                entry.with_fuzzy(), previous_msgid=previous.msgid,
                previous_msgid_plural=previous.msgid_plural or None,
                previous_msgctxt=previous.msgctxt if previous.msgctxt != t.msgctxt else None,
            )
        entries.append(entry)

    # What the template no longer has: translations become obsolete, never lost.
    new_keys = {(t.msgctxt, t.msgid) for t in template}
    obsoleted = dropped = 0
    entries += [e for e in old_entries
                if e.obsolete and id(e) not in used and e.key not in new_keys]
    for e in old_entries:
        if e.obsolete or id(e) in used or e.key in new_keys:
            continue
        if e.has_translation:
            entries.append(replace(e, obsolete=True, references=()))
            obsoleted += 1
        else:
            dropped += 1
    catalog = Catalog(tuple(entries), metadata,
                      old.header_comment if old else header)
    return catalog, MergeStats(counted["kept"], counted["renamed"], counted["fuzzy"],
                               counted["new"], obsoleted, dropped)
