"""Catalog integrity, broken input: one line naming the file, exit 1, no file changed.

Every PO file here is written for these tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.helpers import files, po, run, save_translation, write_source

W09, W10 = "2024-W09", "2024-W10"


def _unreadable(path: Path) -> None:
    path.unlink()
    # Root reads any file; nobody reads a socket. Bound in a short folder (a socket's
    # path has a length limit) and moved into place.
    short = Path(tempfile.mkdtemp(dir="/tmp"))
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(short / "s"))
        os.rename(short / "s", path)
    short.rmdir()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p.unlink(), p.mkdir()), "is a folder, not a catalog"),
        (lambda p: (p.unlink(), p.symlink_to(p.parent / "gone.po")),
         "is a symbolic link to a file that does not exist"),
        (_unreadable, "cannot read it"),
    ],
)
def test_a_catalog_that_cannot_be_read(updated: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    target = po(updated, "ru", W09)
    damage(target)
    before = files(updated / "locales")
    for command in ("update", "status", "check", "build"):
        result = run(updated, command)
        assert result.exit_code == 1, command
        assert f"locales/ru/LC_MESSAGES/{W09}.po: {message}" in result.output, command
        assert "Traceback" not in result.output
    assert files(updated / "locales") == before


def test_a_read_only_catalog_folder(updated: Path) -> None:
    folder = po(updated, "ru", W09).parent
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i does not work on this file system")
    try:
        source = updated / "sources" / W09 / "border-readiness-check.md"
        source.write_text(source.read_text(encoding="utf-8").replace("snap", "sudden"),
                          encoding="utf-8")
        before = files(updated / "locales")
        result = run(updated, "update")
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "cannot write it" in result.output and "nothing was updated" in result.output
        assert files(updated / "locales") == before
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('"Plural-Forms: nplurals=3;\\n"', "Plural-Forms has no plural=EXPRESSION"),
        ('"Plural-Forms: nplurals=3; plural=n %% ;\\n"',
         "Plural-Forms has an invalid plural expression"),
    ],
)
def test_a_bad_plural_forms_header(updated: Path, header: str, message: str) -> None:
    path = po(updated, "ru", "ui")
    text = path.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms:')
    end = text.index('\n\n', start)
    path.write_text(text[:start] + header + text[end:], encoding="utf-8")
    for command in ("update", "build"):
        result = run(updated, command)
        assert result.exit_code == 1
        assert "locales/ru/LC_MESSAGES/ui.po:2: " + message in result.output


@pytest.mark.parametrize(
    ("msgid", "msgstr", "message"),
    [
        ("By %(author)s", "Автор: %(name)s", "the translation has %(name)s where the source "
         "has %(author)s"),
        ("This week at a glance", "Неделя (100%)", "stray % in the translation"),
    ],
)
def test_a_ui_label_the_templates_cannot_format(updated: Path, msgid: str, msgstr: str,
                                                message: str) -> None:
    save_translation(po(updated, "ru", "ui"), msgid, msgstr)
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "locales/ru/LC_MESSAGES/ui.po:" in result.output and message in result.output
    assert not (updated / "output").exists()
    check = run(updated, "check", "--week", W09)
    assert check.exit_code == 1 and message in check.output


def test_damaged_caches_are_rebuilt(updated: Path) -> None:
    cache = updated / ".transflow"
    (cache / "memory-ru-2024-state.json").write_text('["not", "a", "cache"]',
                                                     encoding="utf-8")
    be = cache / "memory-be-2024-state.json"
    records = json.loads(be.read_text(encoding="utf-8"))
    for found in records["records"].values():
        found[1] = {"rows": 5, "digest": None}  # each record damaged, the file valid
    be.write_text(json.dumps(records), encoding="utf-8")
    (cache / "mt-cache.sqlite3").write_bytes(b"this is not a database" * 100)
    # A new paragraph to look up: update reads the memories, damaged stores and all.
    source = next((updated / "sources" / W10).glob("*.md"))
    source.write_text(source.read_text(encoding="utf-8") + "\nA new closing paragraph.\n",
                      encoding="utf-8")
    assert run(updated, "update").exit_code == 0
    for lang in ("ru", "be"):  # made again, whole
        again = json.loads((cache / f"memory-{lang}-2024-state.json").read_text(
            encoding="utf-8"))
        assert isinstance(again, dict) and again["records"]
        assert all(found[1] != {"rows": 5, "digest": None}
                   for found in again["records"].values())
    result = run(updated, "draft", "--week", W10, "--lang", "ru", "--provider", "pseudo")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("trend: [better]", "'trend' must be one of better, unchanged, worse, not list"),
        ("category: {a: 1}", "'category' must be one of security, foreign"),
        ("lang: [x]", "'lang' must be one of be, ru, en, not list"),
    ],
)
def test_front_matter_of_the_wrong_type(updated: Path, field: str, message: str) -> None:
    write_source(updated, W10, "odd", f"title: Odd\ncategory: economy\n{field}"
                 if not field.startswith("category") else f"title: Odd\n{field}", "Text.")
    result = run(updated, "update")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"sources/{W10}/odd.md:" in result.output and message in result.output


