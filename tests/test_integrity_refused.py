"""Catalog integrity, files GNU gettext refuses are refused with path:line.

Every PO file here is written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import msgfmt_check, po, run

W09, W10 = "2024-W09", "2024-W10"


@pytest.mark.parametrize(
    ("tail", "line", "message"),
    [
        ('\nmsgid "x"\nmsgstr[0] "y"\n', 3, "msgstr[0] without msgid_plural"),
        ('\nmsgid "x"\n', 2, "msgid without msgstr"),
    ],
)
def test_what_msgfmt_refuses_is_refused(updated: Path, tail: str, line: int,
                                        message: str) -> None:
    path = po(updated, "ru", W09)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + tail, encoding="utf-8")
    assert msgfmt_check(path).returncode != 0
    number = text.count("\n") + line
    result = run(updated, "update")
    assert result.exit_code == 1
    assert f"locales/ru/LC_MESSAGES/{W09}.po:{number}: {message}" in result.output


