"""The catalog model without files: merge rules (a template and an old catalog in
memory → the merged catalog), the memory fill, origins, and the PO format's round
trip for any catalog (hypothesis)."""

from __future__ import annotations

import pickle
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from transflow.catalogs import pofile
from transflow.catalogs.memory import MemoryEntry, TranslationMemory, fill_from_memory
from transflow.catalogs.merge import merge
from transflow.catalogs.model import (
    HUMAN,
    Catalog,
    Entry,
    FromMemory,
    MachineDraft,
    TemplateEntry,
    header_fields,
    parse_plural_forms,
)

META = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ru"}
P1 = "The talks in Vilnius lasted two days and ended without a joint statement."
P2 = "Both sides agreed to meet again in April."


def t(msgid: str, ctx: str = "talks", role: str = "paragraph") -> TemplateEntry:
    return TemplateEntry(ctx, msgid, None, (("sources/2019-W10/talks.md", "5"),), role)


def old(*entries: Entry) -> Catalog:
    return Catalog(entries, header_fields(META), "old header")


def merged(template: list[TemplateEntry], previous: Catalog | None) -> Catalog:
    return merge(template, previous, header_fields(META), "new header", 3)[0]


def test_unchanged_entry_keeps_translation_flags_and_origin() -> None:
    before = Entry(P1, "talks", msgstr="Переговоры…", flags=("no-wrap",),
                   translator_comments="checked by I.",
                   origin=FromMemory("2019-W09 talks"))
    after = merged([t(P1)], old(before))
    (entry,) = after.entries
    assert (entry.msgstr, entry.flags, entry.translator_comments, entry.origin) == (
        "Переговоры…", ("no-wrap",), "checked by I.", FromMemory("2019-W09 talks"))
    assert entry.references == (("sources/2019-W10/talks.md", "5"),)
    assert after.header_comment == "old header"


def test_edited_entry_gets_the_old_translation_as_fuzzy_with_previous_msgid() -> None:
    edited = P1.replace("two days", "three days")
    after = merged([t(edited)], old(Entry(P1, "talks", msgstr="Переговоры шли два дня.")))
    (entry,) = after.active
    assert entry.fuzzy and entry.flags[0] == "fuzzy"
    assert entry.msgstr == "Переговоры шли два дня." and entry.previous_msgid == P1
    assert after.obsolete == ()  # used as the suggestion, not kept twice


def test_renamed_commentary_keeps_translations_unfuzzy() -> None:
    after = merged([t(P1, "vilnius-talks")], old(Entry(P1, "talks", msgstr="Перевод")))
    (entry,) = after.entries
    assert entry.msgctxt == "vilnius-talks" and entry.msgstr == "Перевод" and not entry.fuzzy


def test_removed_translation_becomes_obsolete_and_comes_back() -> None:
    first = merged([t(P2)], old(Entry(P1, "talks", msgstr="Перевод"), Entry(P2, "talks")))
    assert [(e.msgid, e.obsolete, e.references) for e in first] == [
        (P2, False, (("sources/2019-W10/talks.md", "5"),)), (P1, True, ())]
    again = merged([t(P1), t(P2)], first)
    assert [(e.msgid, e.msgstr, e.obsolete) for e in again] == [
        (P1, "Перевод", False), (P2, "", False)]


def test_untranslated_vanished_entry_is_dropped() -> None:
    after, stats = merge([t(P2)], old(Entry(P1, "talks")), header_fields(META), "", 3)
    assert [e.msgid for e in after] == [P2] and stats.dropped_untranslated == 1


def test_another_live_commentary_is_never_a_suggestion() -> None:
    edited = P1.replace("two days", "three days")
    after = merged([t(edited, "talks"), t(P2, "other")],
                   old(Entry(P1, "other", msgstr="Чужой перевод")))
    (entry,) = [e for e in after.active if e.key == ("talks", edited)]
    assert not entry.has_translation


def test_plural_entry_gets_every_form() -> None:
    template = [TemplateEntry(None, "%(n)s commentary", "%(n)s commentaries")]
    (entry,) = merged(template, None).entries
    assert entry.msgstr_plural == ("", "", "")


def test_merge_does_not_change_what_was_read() -> None:
    previous = old(Entry(P1, "talks", msgstr="Перевод"))
    snapshot = pickle.dumps(previous)
    merged([t(P1.upper())], previous)
    assert pickle.dumps(previous) == snapshot


def test_memory_fill_fills_only_untouched_entries() -> None:
    memory = TranslationMemory([MemoryEntry(P1, "Переговоры", "2019-W09 talks"),
                                MemoryEntry(P2, "Встреча", "2019-W09 talks")])
    catalog = old(Entry(P1, "talks"), Entry(P2, "talks", msgstr="Свой перевод"),
                  Entry(P2, "other", flags=("fuzzy",)))
    filled, count = fill_from_memory(catalog, memory, 75)
    assert count == 1
    first, mine, fuzzy = filled.entries
    assert first.msgstr == "Переговоры" and first.origin == FromMemory("2019-W09 talks")
    assert mine == catalog.entries[1] and fuzzy == catalog.entries[2]


def test_similar_memory_match_is_fuzzy_with_score() -> None:
    memory = TranslationMemory([MemoryEntry(P1, "Переговоры шли два дня.", "2019-W09 talks")])
    edited = P1.replace("ended", "finished")
    (entry,), _ = fill_from_memory(old(Entry(edited, "talks")), memory, 75)
    assert entry.fuzzy and entry.previous_msgid == P1
    assert isinstance(entry.origin, FromMemory) and entry.origin.score
    assert entry.origin.week == "2019-W09" and entry.origin.context == "talks"


def test_origins_round_trip_through_their_comment() -> None:
    for origin in (FromMemory("2019-W09 talks"), FromMemory("archive/agency.tmx", 87.0, True),
                   MachineDraft("libre en→ru, google ru→be", "2024-03-05")):
        entry = Entry(P1, "talks", msgstr="x", translator_comments="a note", origin=origin)
        text = pofile.dumps(Catalog((entry,), header_fields(META)))
        (back,) = pofile.parse(text, "x.po").entries
        assert back.origin == origin and back.translator_comments == "a note"
    line = pofile.origin_comment(MachineDraft("libre", "2024-03-05"))
    assert line == "machine-translated draft: libre, 2024-03-05"
    assert pofile.origin_comment(HUMAN) is None


def test_plural_forms_are_parsed_in_one_place() -> None:
    assert parse_plural_forms("nplurals=3; plural=(n%10==1 ? 0 : 1);") == (
        3, "(n%10==1 ? 0 : 1)")
    assert parse_plural_forms("") == (None, None)


# --- the PO format round-trips any catalog --------------------------------------------

# Every character but NUL (which no PO string can hold) and lone surrogates.
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=120)
_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)
_slug = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    msgid = draw(_text.filter(bool))
    plural = draw(st.booleans())
    obsolete = draw(st.booleans())
    entry = Entry(
        msgid=msgid,
        msgctxt=draw(st.none() | _slug),
        msgid_plural=draw(_text.filter(bool)) if plural else None,
        msgstr="" if plural else draw(_text),
        msgstr_plural=tuple(draw(_text) for _ in range(3)) if plural else (),
        flags=("fuzzy",) if draw(st.booleans()) else (),
        previous_msgid=draw(st.none() | _text.filter(bool)),
        references=() if obsolete else tuple(
            (f"sources/2019-W10/{draw(_slug)}.md", str(draw(st.integers(1, 999))))
            for _ in range(draw(st.integers(0, 3)))),
        extracted_comments=draw(st.sampled_from(["", "title", "paragraph"])),
        translator_comments="\n".join(draw(st.lists(_line.map(str.strip).filter(bool),
                                                    max_size=3))),
        obsolete=obsolete,
    )
    # msgcat drops "fuzzy" from an entry with nothing translated; so does transflow.
    return entry if entry.has_translation else replace(entry, flags=())


@settings(max_examples=200, deadline=None)
@given(st.lists(entries(), max_size=8, unique_by=lambda e: (e.msgctxt, e.msgid)))
def test_read_of_write_is_identity(items: list[Entry]) -> None:
    catalog = Catalog(tuple(items), header_fields({
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=3; plural=(n%10==1 ? 0 : n%10>=2 ? 1 : 2);"}))
    text = pofile.dumps(catalog)
    back = pofile.parse(text, "x.po")
    expected = (*catalog.active, *catalog.obsolete)
    assert back.entries == expected
    assert pofile.dumps(back) == text
