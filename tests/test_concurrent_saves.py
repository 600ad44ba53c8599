"""A translator's save that lands while transflow replaces the catalog is never lost:
saved by rename (Poedit, Lokalize) or in place (nano), at each step of a replacement,
during a rollback, after a kill, on a filesystem without hard links, and with real
processes saving while update runs again and again.

Every catalog here is written for these tests."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

from tests.helpers import REPO, msgfmt_check, po, run, write_source
from tests.saver import marks
from transflow.workspace import files
from transflow.workspace.files import (
    NO_LINKS_NOTE,
    Outcome,
    Transaction,
    recover,
    snapshot,
    write_all,
)

W10 = "2024-W10"
READ = b'msgid "a"\nmsgstr "what update read"\n'
OURS = b'msgid "a"\nmsgstr "what update merged"\n'
SAVED = b'msgid "a"\nmsgstr "the translator\'s save"\n'


def save_by_rename(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.editor")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_in_place(handle: int, data: bytes) -> None:
    """An editor that opened the file earlier truncates and writes that same inode."""
    os.ftruncate(handle, 0)
    os.pwrite(handle, data, 0)


@pytest.fixture
def hook() -> Iterator[list[tuple[str, Path]]]:
    """The steps of replacements, as they happen; a test adds its action with
    ``files.set_hook``."""
    steps: list[tuple[str, Path]] = []
    yield steps
    files.set_hook(None)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- each window, exactly ------------------------------------------------------------

def test_a_save_by_rename_after_the_read_is_kept(tmp_path: Path) -> None:
    catalog = tmp_path / "x.po"
    catalog.write_bytes(READ)
    read = snapshot(catalog)
    save_by_rename(catalog, SAVED)
    with Transaction() as t:
        assert t.replace(catalog, OURS, read) is Outcome.CHANGED
        assert t.settle() == []
    assert catalog.read_bytes() == SAVED
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("step", ["moved-aside", "linked"])
def test_a_save_by_rename_inside_the_replacement_is_kept(tmp_path: Path, hook, step) -> None:  # type: ignore[no-untyped-def]
    catalog = tmp_path / "x.po"
    catalog.write_bytes(READ)
    read = snapshot(catalog)

    def save(at: str, path: Path) -> None:
        hook.append((at, path))
        if at == step:
            save_by_rename(catalog, SAVED)

    files.set_hook(save)
    with Transaction() as t:
        outcome = t.replace(catalog, OURS, read)
        back = t.settle()
    assert (step, catalog) in hook  # the save did land inside that window
    assert catalog.read_bytes() == SAVED
    # Between moving aside and linking, the link finds the save and gives way; after
    # linking, the save replaced transflow's file, as any later save does.
    assert outcome is (Outcome.CHANGED if step == "moved-aside" else Outcome.WRITTEN)
    assert back == []
    assert leftovers(tmp_path) == []


def test_an_in_place_save_into_the_file_set_aside_is_put_back(tmp_path: Path, hook) -> None:  # type: ignore[no-untyped-def]
    catalog = tmp_path / "x.po"
    catalog.write_bytes(READ)
    read = snapshot(catalog)
    editor = os.open(catalog, os.O_RDWR)  # the editor holds the catalog open
    inode = os.fstat(editor).st_ino

    def save(at: str, path: Path) -> None:
        hook.append((at, path))
        if at == "linked":
            save_in_place(editor, SAVED)

    files.set_hook(save)
    try:
        with Transaction() as t:
            assert t.replace(catalog, OURS, read) is Outcome.WRITTEN
            assert t.settle() == [catalog]  # merge again: the save is at the path
        assert catalog.read_bytes() == SAVED
        assert catalog.stat().st_ino == inode  # the editor's own file, still open
        save_in_place(editor, SAVED + b"# later\n")  # its next save lands in the catalog
        assert catalog.read_bytes().endswith(b"# later\n")
    finally:
        os.close(editor)
    assert leftovers(tmp_path) == []


def test_a_half_written_in_place_save_is_waited_for(tmp_path: Path, hook) -> None:  # type: ignore[no-untyped-def]
    catalog = tmp_path / "x.po"
    catalog.write_bytes(READ)
    read = snapshot(catalog)
    editor = os.open(catalog, os.O_RDWR)
    whole = SAVED * 40
    finished = threading.Event()

    def slow_save() -> None:  # truncate and write half, then the rest a moment later
        os.ftruncate(editor, 0)
        os.pwrite(editor, whole[:100], 0)
        time.sleep(files.GRACE * 3)
        os.pwrite(editor, whole[100:], 100)
        finished.set()

    def save(at: str, path: Path) -> None:
        hook.append((at, path))
        if at == "linked":
            threading.Thread(target=slow_save).start()

    files.set_hook(save)
    try:
        with Transaction() as t:
            t.replace(catalog, OURS, read)
            assert t.settle() == [catalog]
        assert finished.is_set()  # settle waited for the whole save
        assert catalog.read_bytes() == whole
    finally:
        os.close(editor)


def test_an_unchanged_aside_is_removed_and_the_merge_stays(tmp_path: Path) -> None:
    catalog = tmp_path / "x.po"
    catalog.write_bytes(READ)
    with Transaction() as t:
        assert t.replace(catalog, OURS, snapshot(catalog)) is Outcome.WRITTEN
        assert t.settle() == []
    assert catalog.read_bytes() == OURS
    assert leftovers(tmp_path) == []


def test_a_catalog_that_appeared_is_never_replaced(tmp_path: Path) -> None:
    catalog = tmp_path / "new.po"
    save_by_rename(catalog, SAVED)  # created after update found no catalog
    with Transaction() as t:
        assert t.replace(catalog, OURS, None) is Outcome.CHANGED
    assert catalog.read_bytes() == SAVED


# --- rolling back -------------------------------------------------------------------

def test_rollback_puts_back_what_was_there(tmp_path: Path) -> None:
    first, second = tmp_path / "a.po", tmp_path / "b.po"
    first.write_bytes(READ)
    inode = first.stat().st_ino
    with pytest.raises(KeyboardInterrupt), Transaction() as t:
        t.replace(first, OURS, snapshot(first))
        t.replace(second, OURS, None)
        raise KeyboardInterrupt
    assert first.read_bytes() == READ and first.stat().st_ino == inode
    assert not second.exists()
    assert leftovers(tmp_path) == []


def test_rollback_never_writes_over_a_save_made_after_transflow_wrote(tmp_path: Path) -> None:
    first, second = tmp_path / "a.po", tmp_path / "b.po"
    first.write_bytes(READ)
    with pytest.raises(KeyboardInterrupt), Transaction() as t:
        t.replace(first, OURS, snapshot(first))
        t.replace(second, OURS, None)
        save_by_rename(first, SAVED)  # the translator saves what update wrote, edited
        save_by_rename(second, SAVED)
        raise KeyboardInterrupt
    assert first.read_bytes() == SAVED and second.read_bytes() == SAVED
    assert sorted(t.kept) == [first, second]
    assert leftovers(tmp_path) == []


def test_write_all_fails_whole_and_keeps_later_saves(tmp_path: Path) -> None:
    first = tmp_path / "a.po"
    first.write_bytes(READ)
    blocked = tmp_path / "file" / "b.po"
    (tmp_path / "file").write_text("a file where a folder should be")

    def save_then_fail(at: str, path: Path) -> None:
        if at == "linked" and path == first:
            save_by_rename(first, SAVED)

    files.set_hook(save_then_fail)
    try:
        with pytest.raises(files.WriteFailed):
            write_all([(first, OURS, snapshot(first)), (blocked, OURS, None)])
    finally:
        files.set_hook(None)
    assert first.read_bytes() == SAVED


# --- a kill, and a filesystem without hard links ---------------------------------------

def test_a_catalog_left_aside_by_a_kill_is_put_back(tmp_path: Path) -> None:
    folder = tmp_path / "locales" / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = folder / f"{W10}.po"
    catalog.write_bytes(READ)
    read = snapshot(catalog)
    assert read is not None

    class Killed(BaseException):
        pass

    def kill(at: str, path: Path) -> None:
        if at == "moved-aside":
            raise Killed

    files.set_hook(kill)
    with pytest.raises(Killed):
        Transaction().replace(catalog, OURS, read)  # no rollback: as if killed
    files.set_hook(None)
    assert not catalog.exists()
    assert recover(tmp_path) == [catalog]
    assert catalog.read_bytes() == READ
    assert leftovers(folder) == []


def test_an_aside_left_after_the_link_is_removed_or_put_back(tmp_path: Path) -> None:
    folder = tmp_path / "locales"
    folder.mkdir()
    for name, changed in (("a.po", False), ("b.po", True)):
        catalog = folder / name
        catalog.write_bytes(READ)
        t = Transaction()
        t.replace(catalog, OURS, snapshot(catalog))  # killed before it settled
        if changed:
            (aside,) = folder.glob(f".{name}.transflow-*.aside")
            aside.write_bytes(SAVED)  # an in-place save reached it
    recover(tmp_path)
    assert (folder / "a.po").read_bytes() == OURS
    assert (folder / "b.po").read_bytes() == SAVED
    assert leftovers(folder) == []


def test_without_hard_links_it_checks_then_renames_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*_: object, **__: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    first, second = tmp_path / "a.po", tmp_path / "b.po"
    first.write_bytes(READ)
    second.write_bytes(READ)
    read = snapshot(second)
    save_by_rename(second, SAVED)
    with Transaction() as t:
        assert t.replace(first, OURS, snapshot(first)) is Outcome.WRITTEN
        assert t.replace(second, OURS, read) is Outcome.CHANGED
    assert t.notes == [NO_LINKS_NOTE]  # once
    assert first.read_bytes() == OURS and second.read_bytes() == SAVED
    assert leftovers(tmp_path) == []
    with pytest.raises(KeyboardInterrupt), Transaction() as t:  # and rolling back
        assert t.replace(first, READ, snapshot(first)) is Outcome.WRITTEN
        assert t.replace(tmp_path / "c.po", READ, None) is Outcome.WRITTEN
        raise KeyboardInterrupt
    assert first.read_bytes() == OURS and not (tmp_path / "c.po").exists()
    assert leftovers(tmp_path) == []


# --- update, as the editor runs it ---------------------------------------------------------

@pytest.mark.parametrize("how", ["rename", "inplace"])
def test_update_merges_a_save_made_inside_its_write(updated: Path, how: str) -> None:
    target = po(updated, "ru", W10)
    editor = os.open(target, os.O_RDWR)
    opened = target.read_text(encoding="utf-8")  # what the editor shows
    saved: list[str] = []

    def save(at: str, path: Path) -> None:
        if path != target or saved:
            return
        catalog = polib.pofile(opened)
        (entry,) = [e for e in catalog if e.msgid.startswith("The decision shows")]
        entry.msgstr = "Решение, сохранённое в самый момент записи."
        data = catalog.__unicode__().encode("utf-8")
        if how == "rename" and at == "moved-aside":
            save_by_rename(target, data)
            saved.append(at)
        elif how == "inplace" and at == "linked":
            save_in_place(editor, data)  # into the file update has just set aside
            saved.append(at)

    files.set_hook(save)
    try:
        write_source(updated, W10, "new-note", "title: A new note\ncategory: economy",
                     "A paragraph added while the translator was at work.")
        result = run(updated, "update")
    finally:
        files.set_hook(None)
        os.close(editor)
    assert saved, "the save was made inside the window"
    assert result.exit_code == 0, result.output
    catalog = polib.pofile(str(target))
    (kept,) = [e for e in catalog if e.msgid.startswith("The decision shows")]
    assert kept.msgstr == "Решение, сохранённое в самый момент записи."
    assert any(e.msgid == "A new note" for e in catalog)  # merged from the save
    assert msgfmt_check(target).returncode == 0
    assert leftovers(target.parent) == []


# --- real processes ------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("how", ["rename", "inplace"])
def test_no_save_is_lost_while_update_runs_again_and_again(updated: Path, tmp_path: Path,
                                                           how: str) -> None:
    """A translator saving every few milliseconds in one process, ``transflow update``
    run 30 times in others, each with a source edited: every save is in the file at
    the end (a save that update left alone is in it as saved)."""
    target = po(updated, "ru", W10)
    log = tmp_path / "saves.log"
    commentary = updated / "sources" / W10 / "hi-tech-park-tax.md"  # English: in ru's
    text = commentary.read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    saver = subprocess.Popen([sys.executable, "-m", "tests.saver", str(target), how, "600",
                              str(log)], cwd=REPO, env=env)
    transflow = Path(sys.executable).parent / "transflow"
    left_alone = 0
    try:
        while not log.exists() or not log.read_text():
            time.sleep(0.01)
        for n in range(30):
            commentary.write_text(text + f"\nA paragraph of revision {n}.\n", encoding="utf-8")
            result = subprocess.run([str(transflow), "update", "--week", W10],
                                    cwd=updated, capture_output=True, text=True)
            assert result.returncode in (0, 1), result.stderr
            if result.returncode == 1:
                assert "kept changing while update ran" in result.stderr, result.stderr
                left_alone += 1
    finally:
        saver.terminate()
        saver.wait()
    made = {int(line) for line in log.read_text().split()}
    in_file = marks(target.read_text(encoding="utf-8"))
    assert len(made) > 30
    assert made - in_file == set(), f"{len(made - in_file)} saves lost of {len(made)}"
    assert msgfmt_check(target).returncode == 0


def test_update_puts_back_a_catalog_a_killed_run_set_aside(updated: Path) -> None:
    target = po(updated, "ru", W10)
    saved = target.read_bytes()
    read = snapshot(target)
    assert read is not None
    aside = target.with_name(f".{target.name}.transflow-0badc0de-{read.digest[:16]}.aside")
    os.rename(target, aside)  # killed right after setting it aside
    result = run(updated, "update")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == saved
    assert leftovers(target.parent) == []


def test_update_says_once_when_the_filesystem_has_no_hard_links(
        updated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*_: object, **__: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_source(updated, W10, "new-note", "title: A new note\ncategory: economy",
                 "A paragraph written on a USB stick.")
    result = run(updated, "update")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("no hard links") == 1
    assert "A new note" in po(updated, "ru", W10).read_text(encoding="utf-8")
    assert msgfmt_check(po(updated, "ru", W10)).returncode == 0


def test_update_waits_for_a_catalog_an_editor_has_just_emptied(updated: Path) -> None:
    """An in-place save caught between truncating and writing: an empty catalog is never
    merged as if the translator had emptied it; update waits and merges the save."""
    target = po(updated, "ru", W10)
    saved = target.read_text(encoding="utf-8").replace(
        "\n#: ", "\n# the translator's note, saved in place\n#: ", 1).encode("utf-8")
    editor = os.open(target, os.O_WRONLY | os.O_TRUNC)  # emptied; the text comes later

    def write_later() -> None:
        time.sleep(0.5)
        os.write(editor, saved)
        os.close(editor)

    writer = threading.Thread(target=write_later)
    writer.start()
    write_source(updated, W10, "new-note", "title: A new note\ncategory: economy",
                 "A paragraph added while the file was being saved.")
    result = run(updated, "update")
    writer.join()
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "# the translator's note, saved in place" in text
    assert "A new note" in text
    assert msgfmt_check(target).returncode == 0


def test_a_catalog_read_in_the_middle_of_an_in_place_save(updated: Path) -> None:
    """A read can catch an editor's in-place save half written (a torn read): the
    catalog is read again once the save is done, not called malformed."""
    from transflow.catalogs import pofile

    target = po(updated, "ru", W10)
    whole = target.read_bytes()
    cut = whole.index(b'msgstr "', len(whole) // 2) + 12  # inside a string

    def save_slowly() -> None:
        with target.open("r+b") as f:
            f.truncate(0)
            f.write(whole[:cut])
            f.flush()
            time.sleep(0.3)
            f.write(whole[cut:])

    with pytest.raises(Exception, match=r"malformed line"):
        target.write_bytes(whole[:cut])
        os.utime(target, (time.time() - 10, time.time() - 10))  # long ago: no one writes
        pofile.load(target)
    target.write_bytes(whole)
    writer = threading.Thread(target=save_slowly)
    writer.start()
    time.sleep(0.1)
    loaded = pofile.load(target)  # half the file is there now
    writer.join()
    assert pofile.dumps(loaded.catalog).encode() == whole
