"""Catalog integrity, byte for byte: the translator's header fields stay as written
(line wrapping against msgcat is tested in test_pofile).

Every PO file here is written for these tests."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import po, run

W09, W10 = "2024-W09", "2024-W10"


def test_the_translators_header_fields_stay_byte_for_byte(updated: Path) -> None:
    path = po(updated, "ru", W09)
    text = path.read_text(encoding="utf-8")
    mine = ('"Last-Translator:  Ірына <irina@example.org>  \\n"\n'
            '"X-Poedit-SearchPath-0:../sources\\n"\n'
            '"X-Poedit-SearchPath-0: second\\n"\n')
    text = text.replace('"Last-Translator: none yet\\n"\n', mine)
    path.write_text(text, encoding="utf-8")
    assert run(updated, "update").exit_code == 0
    assert mine in path.read_text(encoding="utf-8")


