"""`transflow update`: templates and catalogs, and every merge rule translators rely on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
import pytest

from tests.helpers import msgfmt_check, run, write_source

FRONT = "title: Talks resume in Vilnius\ncategory: security\nauthor: A. Writer"
BODY = [
    "The delegations met in Vilnius on Tuesday to discuss rail transit.",
    "Both sides agreed to restore the passenger service from June onwards.",
    "Freight transit remains off the table while sanctions stay in place.",
]
RU = {
    "Talks resume in Vilnius": "Переговоры в Вильнюсе возобновились",
    "A. Writer": "А. Автор",
    BODY[0]: "Делегации встретились во вторник в Вильнюсе, чтобы обсудить транзит.",
    BODY[1]: "Стороны договорились восстановить пассажирское сообщение с июня.",
    BODY[2]: "Грузовой транзит не обсуждается, пока действуют санкции.",
}


def po_path(root: Path, lang: str, week: str = "2019-W10") -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{week}.po"


def entries(path: Path) -> dict[tuple[str | None, str], polib.POEntry]:
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path)) if not e.obsolete}


def obsolete(path: Path) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(path)) if e.obsolete]


def translate(path: Path, mapping: dict[str, str], fuzzy: tuple[str, ...] = ()) -> None:
    """What a translator's editor does: fill msgstr, save (here with GNU's msgcat layout)."""
    po = polib.pofile(str(path))
    for e in po:
        if e.msgid in mapping:
            e.msgstr = mapping[e.msgid]
            if e.msgid in fuzzy:
                e.flags.append("fuzzy")
    po.save(str(path))
    subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.po*"))}


@pytest.fixture
def week(mini: Path) -> Path:
    write_source(mini, "2019-W10", "talks", FRONT, "\n\n".join(BODY))
    assert run(mini, "update").exit_code == 0
    return mini


def test_catalogs_per_target_language(week: Path) -> None:
    pot = week / "locales" / "templates" / "2019-W10.pot"
    assert pot.exists()
    assert not po_path(week, "en").exists()  # the commentary is English: nothing to translate
    for lang in ("be", "ru"):
        path = po_path(week, lang)
        check = msgfmt_check(path)
        assert check.returncode == 0 and check.stderr == "", check.stderr
        po = polib.pofile(str(path))
        assert po.metadata["Language"] == lang
        assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
        assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
        title = po.find("Talks resume in Vilnius", msgctxt="talks")
        assert title.occurrences == [("sources/2019-W10/talks.md", "2")]
        assert title.comment == "title"
        assert po.find(BODY[1], msgctxt="talks").comment == "paragraph"
        assert len(po) == 5


def test_source_in_other_language_goes_to_the_other_catalogs(week: Path) -> None:
    write_source(week, "2019-W10", "pensions", "title: Пенсии\ncategory: economy\nlang: ru",
                 "Пенсии проиндексируют.")
    run(week, "update")
    assert ("pensions", "Пенсии") in entries(po_path(week, "en"))
    assert ("pensions", "Пенсии") in entries(po_path(week, "be"))
    assert ("pensions", "Пенсии") not in entries(po_path(week, "ru"))
    assert ("talks", BODY[0]) not in entries(po_path(week, "en"))


def test_update_twice_is_byte_identical(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    run(week, "update")
    first = snapshot(week)
    result = run(week, "update")
    assert snapshot(week) == first
    assert "updated" not in result.output


def test_unchanged_segment_keeps_translation_and_flags(week: Path) -> None:
    translate(po_path(week, "ru"), RU, fuzzy=(BODY[2],))
    run(week, "update")
    got = entries(po_path(week, "ru"))
    assert got[("talks", BODY[0])].msgstr == RU[BODY[0]]
    assert "fuzzy" not in got[("talks", BODY[0])].flags
    assert got[("talks", BODY[2])].msgstr == RU[BODY[2]]
    assert "fuzzy" in got[("talks", BODY[2])].flags


def test_edited_segment_gets_previous_translation_as_fuzzy(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    edited = BODY[1].replace("from June onwards", "from July onwards")
    write_source(week, "2019-W10", "talks", FRONT, "\n\n".join([BODY[0], edited, BODY[2]]))
    run(week, "update")
    path = po_path(week, "ru")
    entry = entries(path)[("talks", edited)]
    assert entry.msgstr == RU[BODY[1]]
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == BODY[1]
    assert ("talks", BODY[1]) not in entries(path)
    text = path.read_text(encoding="utf-8")
    assert '#| msgid ""\n#| "Both sides agreed' in text or f'#| msgid "{BODY[1]}"' in text
    assert msgfmt_check(path).returncode == 0


def test_unrelated_new_segment_gets_no_suggestion(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    new = "A completely different sentence about grain prices and harvests."
    write_source(week, "2019-W10", "talks", FRONT, "\n\n".join([BODY[0], new, BODY[2]]))
    run(week, "update")
    entry = entries(po_path(week, "ru"))[("talks", new)]
    assert entry.msgstr == "" and "fuzzy" not in entry.flags


def test_removed_segment_becomes_obsolete_and_comes_back(week: Path) -> None:
    translate(po_path(week, "ru"), {k: v for k, v in RU.items() if k != BODY[1]})
    write_source(week, "2019-W10", "talks", FRONT, BODY[0])
    run(week, "update")
    path = po_path(week, "ru")
    gone = {e.msgid: e.msgstr for e in obsolete(path)}
    assert gone == {BODY[2]: RU[BODY[2]]}  # the untranslated one is not kept
    assert "#~ msgctxt \"talks\"" in path.read_text(encoding="utf-8")
    # The paragraph is restored: its translation comes back, not fuzzy.
    write_source(week, "2019-W10", "talks", FRONT, "\n\n".join(BODY))
    run(week, "update")
    entry = entries(path)[("talks", BODY[2])]
    assert entry.msgstr == RU[BODY[2]] and "fuzzy" not in entry.flags
    assert obsolete(path) == []


def test_obsolete_entries_are_never_deleted(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    write_source(week, "2019-W10", "talks", FRONT, BODY[0])
    run(week, "update")
    write_source(week, "2019-W10", "talks", FRONT, "Something else entirely, nothing alike.")
    run(week, "update")
    run(week, "update")
    kept = {e.msgid for e in obsolete(po_path(week, "ru"))}
    assert {BODY[0], BODY[1], BODY[2]} <= kept


def test_renamed_file_keeps_translations(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    old = week / "sources" / "2019-W10" / "talks.md"
    old.rename(old.with_name("vilnius-talks.md"))
    run(week, "update")
    path = po_path(week, "ru")
    got = entries(path)
    for msgid, msgstr in RU.items():
        entry = got[("vilnius-talks", msgid)]
        assert entry.msgstr == msgstr and "fuzzy" not in entry.flags
    assert obsolete(path) == []


def test_renamed_and_edited_file_gets_fuzzy_suggestion(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    (week / "sources" / "2019-W10" / "talks.md").unlink()
    edited = BODY[1].replace("June", "July")
    write_source(week, "2019-W10", "vilnius-talks", FRONT, "\n\n".join([BODY[0], edited]))
    run(week, "update")
    entry = entries(po_path(week, "ru"))[("vilnius-talks", edited)]
    assert entry.msgstr == RU[BODY[1]] and "fuzzy" in entry.flags
    assert entry.previous_msgctxt == "talks"


def test_file_saved_by_msgcat_gives_no_diff(sample: Path) -> None:
    run(sample, "update")
    for path in sorted(sample.rglob("*.po")):
        subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)
    saved = snapshot(sample)
    run(sample, "update")
    assert snapshot(sample) == saved


def test_translator_header_fields_are_kept(week: Path) -> None:
    path = po_path(week, "ru")
    po = polib.pofile(str(path))
    po.metadata["Last-Translator"] = "Ala Translator <ala@example.org>"
    po.metadata["X-Generator"] = "Poedit 3.4"
    po.save(str(path))
    run(week, "update")
    po = polib.pofile(str(path))
    assert po.metadata["Last-Translator"] == "Ala Translator <ala@example.org>"
    assert po.metadata["X-Generator"] == "Poedit 3.4"


def test_ui_catalogs(sample: Path) -> None:
    run(sample, "update")
    pot = polib.pofile(str(sample / "locales" / "templates" / "ui.pot"))
    msgids = {e.msgid for e in pot}
    assert {"This week at a glance", "By %(author)s", "%(count)s commentary", "Security issues",
            "The situation has gotten worse"} <= msgids
    for lang in ("be", "ru"):
        path = sample / "locales" / lang / "LC_MESSAGES" / "ui.po"
        assert msgfmt_check(path).returncode == 0
        po = polib.pofile(str(path))
        plural = po.find("%(count)s commentary")
        assert len(plural.msgstr_plural) == 3 and all(plural.msgstr_plural.values())
        assert po.percent_translated() == 100  # the shipped labels are complete


def test_all_written_files_pass_msgfmt(sample: Path) -> None:
    run(sample, "update")
    for path in sorted((sample / "locales").rglob("*.po")):
        check = msgfmt_check(path)
        assert check.returncode == 0 and check.stderr == "", (path, check.stderr)


def test_fuzzy_entry_made_obsolete_keeps_its_previous_text(week: Path) -> None:
    translate(po_path(week, "ru"), RU)
    edited = BODY[1].replace("June", "July")
    write_source(week, "2019-W10", "talks", FRONT, "\n\n".join([BODY[0], edited]))
    run(week, "update")  # the edited paragraph is now fuzzy, with #| msgid
    write_source(week, "2019-W10", "talks", FRONT, BODY[0])
    run(week, "update")  # ...and now removed: obsolete
    text = po_path(week, "ru").read_text(encoding="utf-8")
    assert '#~| msgid ""\n#~| "Both sides agreed' in text or f'#~| msgid "{BODY[1]}"' in text
    before = po_path(week, "ru").read_bytes()
    run(week, "update")
    assert po_path(week, "ru").read_bytes() == before
    assert msgfmt_check(po_path(week, "ru")).returncode == 0


def test_the_shipped_catalogs_are_up_to_date(sample: Path) -> None:
    # make demo runs update on the repository itself: it must leave git clean.
    before = {p.relative_to(sample): p.read_bytes() for p in (sample / "locales").rglob("*")
              if p.is_file()}
    assert run(sample, "update").exit_code == 0
    after = {p.relative_to(sample): p.read_bytes() for p in (sample / "locales").rglob("*")
             if p.is_file()}
    assert [str(p) for p in before if before[p] != after.get(p)] == []
