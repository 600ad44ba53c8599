"""Catalog integrity, files GNU gettext accepts: four plural forms, other charsets, a
byte-order mark, every escape, no-wrap entries; and never wedging on its own output.

Every PO file here is written for these tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import msgfmt_check, po, run

W09, W10 = "2024-W09", "2024-W10"


DJANGO_UI = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: ru\\n"
"Plural-Forms: nplurals=4; plural=(n%1==0 && n%10==1 && n%100!=11 ? 0 : n%1==0 && "
"n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : n%1==0 && (n%10==0 || "
"(n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)) ? 2 : 3);\\n"

msgid "%(count)s commentary"
msgid_plural "%(count)s commentaries"
msgstr[0] "%(count)s комментарий"
msgstr[1] "%(count)s комментария"
msgstr[2] "%(count)s комментариев"
msgstr[3] "%(count)s комментария"

msgid "Contents"
msgstr "Содержание"

#~ msgid "%(count)s week"
#~ msgid_plural "%(count)s weeks"
#~ msgstr[0] "%(count)s неделя"
#~ msgstr[1] "%(count)s недели"
#~ msgstr[2] "%(count)s недель"
#~ msgstr[3] "%(count)s недели"
#~ msgstr[4] "лишняя форма"
"""


def test_a_four_form_catalog_never_wedges(sample: Path) -> None:
    ui = po(sample, "ru", "ui")
    ui.write_text(DJANGO_UI, encoding="utf-8")
    assert run(sample, "update").exit_code == 0
    text = ui.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=4;' in text and 'msgstr[3] "%(count)s комментария"' in text
    assert 'msgstr[4] "лишняя форма"' in text  # the obsolete entry keeps its forms
    # Every catalog transflow wrote, fed back into every command.
    commands = [["update"], ["status"], ["check"], ["draft", "--provider", "pseudo"],
                ["build", "--week", W09], ["build", "--week", W09, "--drafts"], ["update"]]
    for command in commands:
        result = run(sample, *command)
        assert result.exit_code == 0, (command, result.output)
    for path in (sample / "locales").rglob("*.po"):
        assert msgfmt_check(path).returncode == 0, path
    html = (sample / "output" / W09 / "ru" / "index.html").read_text(encoding="utf-8")
    assert "3 комментария" in html  # the four-form rule chose form 1


def test_a_cp1251_catalog_is_read_and_written_back_in_utf8(updated: Path) -> None:
    path = po(updated, "ru", W09)
    text = path.read_text(encoding="utf-8").replace("charset=UTF-8", "charset=CP1251")
    path.write_bytes(text.encode("cp1251"))
    assert msgfmt_check(path).returncode == 0  # GNU gettext reads it
    result = run(updated, "update")
    assert result.exit_code == 0
    lines = [x for x in result.output.splitlines() if "CP1251" in x]
    assert lines == [f"locales/ru/LC_MESSAGES/{W09}.po: updated; 11 translated, 0 fuzzy, 0 "
                     "untranslated (converted from CP1251 to UTF-8)"]
    assert path.read_text(encoding="utf-8") == text.replace("charset=CP1251", "charset=UTF-8")
    assert "CP1251" not in run(updated, "update").output  # said once


def test_a_source_with_a_byte_order_mark_is_read(updated: Path) -> None:
    source = updated / "sources" / W09 / "border-readiness-check.md"
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    result = run(updated, "update")
    assert result.exit_code == 0 and "no front matter" not in result.output


def test_gnu_escapes_no_wrap_and_comments_as_msgcat_keeps_them(tmp_path: Path) -> None:
    from transflow.catalogs import pofile

    path = tmp_path / "x.po"
    path.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "nothing translated yet"\nmsgstr ""\n\n'
        '#, no-wrap\nmsgid "a long line that is not wrapped because the translator said so, '
        'not at all"\nmsgstr "\\a\\101\\x42 bell, A and B"\n\n'
        '#. role\n#.\nmsgid "b"\nmsgstr "c"\n', encoding="utf-8")
    catalog = pofile.read_catalog(path)
    assert catalog.entries[1].msgstr == "\aAB bell, A and B"
    expected = subprocess.run(["msgcat", str(path)], capture_output=True, text=True,
                              check=True).stdout
    assert pofile.dumps(catalog) == expected


