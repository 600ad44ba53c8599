"""The safe-write primitives at model level: where a file may go (``Inside``) and the
temporary files of an atomic write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transflow.workspace import files
from transflow.workspace.files import Inside, OutsideWorkspace, atomic_write


def test_a_link_out_at_any_depth_is_refused_below_checked_folders(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "output" / "2024-W09" / "en").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / "output" / "2024-W09" / "en" / "slug")
    inside = Inside(root)
    inside(root / "output" / "2024-W09" / "en" / "index.html")  # its folders: checked
    inside(root / "output" / "2024-W10" / "en" / "new" / "index.html")  # not made yet
    with pytest.raises(OutsideWorkspace, match="is a link out of the workspace"):
        inside(root / "output" / "2024-W09" / "en" / "slug" / "index.html")
    with pytest.raises(OutsideWorkspace):
        inside(root / "output" / ".." / ".." / "elsewhere" / "x.html")
    os.symlink(root / "output", root / "inner")  # a link that stays inside: allowed
    inside(root / "inner" / "2024-W09" / "x.html")


def test_a_temporary_file_left_by_a_killed_run_with_the_same_pid(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    token = files._temp_token()
    number = int(token.rsplit("-", 1)[1])
    # The name the next write would take, left by an earlier process with this pid.
    left = tmp_path / f".page.html{files.TEMP_MARK}{os.getpid()}-{number + 1}.tmp"
    left.write_text("stale", encoding="utf-8")
    atomic_write(target, "<p>new</p>", sync=False)
    assert target.read_text(encoding="utf-8") == "<p>new</p>"
    assert left.read_text(encoding="utf-8") == "stale"  # not ours: left alone
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    target.chmod(0o600)
    atomic_write(target, "<p>again</p>")
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)  # its mode is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([left.name, "page.html"])


def test_a_write_makes_its_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c.txt"
    atomic_write(target, "x")
    assert target.read_text(encoding="utf-8") == "x"
