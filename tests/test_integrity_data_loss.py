"""Catalog integrity, data loss and atomicity: a translator's save that lands while
update or draft runs is kept, one writer at a time, no half-written file survives.

Every PO file here is written for these tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
import pytest
from filelock import FileLock

import transflow.catalogs.update as update_module
import transflow.workspace.files as files_module
from tests.helpers import REPO, files, msgfmt_check, po, run, save_translation, write_source
from tests.libre_server import LibreServer

W09, W10 = "2024-W09", "2024-W10"


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


@pytest.mark.parametrize("fcntl", [True, False], ids=["fcntl", "filelock"])
def test_a_second_writer_is_told_who_holds_the_lock(updated: Path, fcntl: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With fcntl, and with filelock (what is used where there is no fcntl)."""
    monkeypatch.setattr(files_module, "USE_FCNTL", fcntl)
    lock = updated / ".transflow" / "lock"
    lock.parent.mkdir(exist_ok=True)
    with FileLock(lock, timeout=0):  # as another process's transflow holds it
        (updated / ".transflow" / "lock.holder").write_text("pid 4242\n", encoding="utf-8")
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


