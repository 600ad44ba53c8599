"""Catalog integrity: no translator's save is lost, files GNU gettext accepts are read
(and those it refuses are refused), headers stay byte for byte, and broken or hostile
input gives one line, never a traceback, and changes no file.

Every PO file here is written for these tests."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
from pathlib import Path

import polib
import pytest

import transflow.catalogs.update as update_module
from tests.helpers import REPO, msgfmt_check, run, write_source
from tests.libre_server import LibreServer

W09, W10 = "2024-W09", "2024-W10"


def po(root: Path, lang: str, domain: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


def files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".transflow" not in p.parts}


def save_translation(path: Path, msgid_start: str, msgstr: str) -> None:
    """What a translator's editor does: change one entry and save the file."""
    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith(msgid_start) and not e.obsolete)
    entry.msgstr = msgstr
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalog.save(str(path))


@pytest.fixture
def updated(sample: Path) -> Path:
    assert run(sample, "update").exit_code == 0
    return sample


# --- data loss and atomicity ----------------------------------------------------------

def test_a_save_between_read_and_write_is_kept(updated: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = po(updated, "ru", W10)
    saved: list[str] = []
    original = update_module.run_catalog_job

    def run_then_save(config, job, memory):  # type: ignore[no-untyped-def]
        merged = original(config, job, memory)
        if job.lang == "ru" and str(job.domain) == W10 and not saved:
            # The translator saves right after update has read and merged the file.
            save_translation(target, "The decision shows", "Решение, сохранённое вовремя.")
            saved.append("yes")
        return merged

    monkeypatch.setattr(update_module, "run_catalog_job", run_then_save)
    write_source(updated, W10, "new-note", "title: A new note\ncategory: economy",
                 "A paragraph added after the translator opened the file.")
    result = run(updated, "update")
    assert result.exit_code == 0, result.output
    catalog = polib.pofile(str(target))
    assert catalog.find("The decision shows", by="msgid") is None  # sanity: msgid is longer
    (kept,) = [e for e in catalog if e.msgid.startswith("The decision shows")]
    assert kept.msgstr == "Решение, сохранённое вовремя." and "fuzzy" not in kept.flags
    assert any(e.msgid == "A new note" for e in catalog)  # and the update happened too
    assert msgfmt_check(target).returncode == 0


def test_a_file_that_keeps_changing_is_left_alone(updated: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = po(updated, "ru", W10)
    original = update_module.run_catalog_job
    count = [0]

    def run_then_save(config, job, memory):  # type: ignore[no-untyped-def]
        merged = original(config, job, memory)
        if job.lang == "ru" and str(job.domain) == W10:
            count[0] += 1
            save_translation(target, "The decision shows", f"Сохранение {count[0]}.")
        return merged

    monkeypatch.setattr(update_module, "run_catalog_job", run_then_save)
    write_source(updated, W10, "new-note", "title: A new note\ncategory: economy", "Text.")
    result = run(updated, "update")
    assert result.exit_code == 1
    assert f"locales/ru/LC_MESSAGES/{W10}.po: not updated; it kept changing" in result.stderr
    assert "kept changing while update ran" in result.output
    assert "Сохранение 4." in target.read_text(encoding="utf-8")  # the last save, as saved
    assert "A new note" not in target.read_text(encoding="utf-8")
    assert "A new note" in po(updated, "be", W10).read_text(encoding="utf-8")


def test_draft_keeps_a_save_made_while_drafting(mini: Path) -> None:
    write_source(mini, "2019-W10", "rail", "title: Rail talks\ncategory: security",
                 "First paragraph.\n\nSecond paragraph.")
    assert run(mini, "update").exit_code == 0
    target = po(mini, "ru", "2019-W10")
    with LibreServer() as server:
        def translate(q: str, source: str, target_lang: str) -> str:
            if len(server.requests) == 1:  # while the first request is under way
                save_translation(target, "Second paragraph", "Второй абзац, мой.")
            return f"<{target_lang}> {q}"

        server.translate = translate
        result = run(mini, "draft", "--lang", "ru", "--provider", "libre", "--url",
                     server.url)
    assert result.exit_code == 0, result.output
    catalog = polib.pofile(str(target))
    assert catalog.find("Second paragraph.", msgctxt="rail").msgstr == "Второй абзац, мой."
    assert catalog.find("First paragraph.", msgctxt="rail").msgstr == "<ru> First paragraph."
    assert msgfmt_check(target).returncode == 0


def test_a_second_writer_is_told_who_holds_the_lock(updated: Path) -> None:
    lock = updated / ".transflow" / "lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        held.write("pid 4242\n")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = files(updated)
        for command in (["update"], ["build", "--format", "html"]):
            result = run(updated, *command)
            assert result.exit_code == 1
            assert ("another transflow run (pid 4242) is writing in this workspace; wait "
                    "for it to finish") in result.output
        assert files(updated) == before
        assert run(updated, "status").exit_code == 0  # readers need no lock
    assert run(updated, "update").exit_code == 0  # released: the next run goes ahead


def test_temp_files_of_a_killed_run_are_removed_and_ignored(updated: Path) -> None:
    stale = po(updated, "ru", W09).parent / f".{W09}.po.transflow-k1ll3d.tmp"
    stale.write_text("half a catalog", encoding="utf-8")
    other = po(updated, "ru", W09).parent / ".notes.tmp"  # not ours: left alone
    other.write_text("mine", encoding="utf-8")
    assert run(updated, "update").exit_code == 0
    assert not stale.exists() and other.exists()
    ignored = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "-q",
         f"locales/ru/LC_MESSAGES/.{W09}.po.transflow-k1ll3d.tmp"])
    assert ignored.returncode == 0


def test_update_is_all_or_nothing(updated: Path) -> None:
    source = updated / "sources" / W09 / "border-readiness-check.md"
    source.write_text(source.read_text(encoding="utf-8").replace("snap", "sudden"),
                      encoding="utf-8")
    broken = po(updated, "be", W10)
    broken.write_text(broken.read_text(encoding="utf-8") + '\nmsgid "x"\nmsgstr "y\n',
                      encoding="utf-8")
    before = files(updated / "locales")
    result = run(updated, "update")
    assert result.exit_code == 1
    assert f"locales/be/LC_MESSAGES/{W10}.po:" in result.output and "malformed" in (
        result.output)
    assert files(updated / "locales") == before  # not even the .pot of 2024-W09


# --- files GNU gettext accepts ----------------------------------------------------------

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


# --- files GNU gettext refuses ----------------------------------------------------------

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


# --- byte-exact where it promised to be ---------------------------------------------------

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


# --- one line, never a traceback, no file changed ----------------------------------------

def _unreadable(path: Path) -> None:
    path.unlink()
    with socket.socket(socket.AF_UNIX) as s:  # root reads any file; nobody reads a socket
        s.bind(str(path))


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
        ("Contents", "Содержание (100%)", "stray % in the translation"),
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
    (cache / "memory-ru.json").write_text('["not", "a", "cache"]', encoding="utf-8")
    (cache / "memory-be.json").write_text('{"locales/be/LC_MESSAGES/2024-W09.po": '
                                          '{"stamp": 1, "entries": 5}}', encoding="utf-8")
    (cache / "mt-cache.sqlite3").write_bytes(b"this is not a database" * 100)
    assert run(updated, "update").exit_code == 0
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


# --- hostile input --------------------------------------------------------------------------

def test_a_yaml_alias_bomb_is_refused(updated: Path) -> None:
    bomb = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
        for i in range(8)]) + "\nlang: *i\ntitle: Bomb\ncategory: economy"
    write_source(updated, W10, "bomb", bomb, "Text.")
    result = run(updated, "update")
    assert result.exit_code == 1
    assert (f"sources/{W10}/bomb.md:2: front matter uses YAML anchors or aliases"
            in result.output)


def test_a_long_value_is_cut_in_the_message(updated: Path) -> None:
    write_source(updated, W10, "long", f"title: Long\ncategory: {'x' * 5000}", "Text.")
    result = run(updated, "update")
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert "x" * 79 in line and "x" * 81 not in line and len(line) < 300


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (('slug = "situation-in-belarus"', 'slug = "../../evil"'),
         "[publication] slug must be a plain name"),
        (('economy = "Economy"', '"../economy" = "Economy"'),
         "category key '../economy' must be a plain name"),
        (("[build]", '[memory]\nfiles = ["../outside.po"]\n\n[build]'),
         "[memory] files: ../outside.po must be a path inside the workspace"),
    ],
)
def test_values_that_become_paths_stay_plain_names(sample: Path, setting: tuple[str, str],
                                                   message: str) -> None:
    config = sample / "transflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(*setting), encoding="utf-8")
    result = run(sample, "update")
    assert result.exit_code == 1 and message in result.output
    assert not (sample.parent / "evil").exists()


def test_a_huge_paragraph_is_refused_with_its_line(updated: Path) -> None:
    write_source(updated, W10, "huge", "title: Huge\ncategory: economy",
                 "A short paragraph.\n\n" + "word " * 1_000_000)
    result = run(updated, "update")
    assert result.exit_code == 1
    assert (f"sources/{W10}/huge.md:8: a block of 5,000,000 characters is longer than a "
            "segment may be (20,000, [sources] max_segment in transflow.toml)"
            in result.output)
    assert os.path.getsize(updated / "sources" / W10 / "huge.md") > 5_000_000
