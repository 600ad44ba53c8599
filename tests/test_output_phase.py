"""Outputs are written without a sync per file, in a phase marked as under way: a
build killed (or a machine that lost power) mid-phase never leaves a damaged output
that a later build takes as current. The files here are written for these tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import run
from transflow.workspace.files import OUTPUT_MARK, clear_interrupted_phase, output_phase

W09 = "2024-W09"


def test_a_phase_leaves_no_mark_and_a_found_mark_removes_what_came_after(
        tmp_path: Path) -> None:
    output = tmp_path / "output"
    (output / "old").mkdir(parents=True)
    old = output / "old" / "index.html"
    old.write_text("old", encoding="utf-8")
    os.utime(old, ns=(time.time_ns() - 60 * 10**9,) * 2)
    with output_phase(tmp_path, output):
        assert (tmp_path / OUTPUT_MARK).is_file()
        (output / "new.html").write_text("new", encoding="utf-8")
        with output_phase(tmp_path, output):  # re-entrant
            pass
        assert (tmp_path / OUTPUT_MARK).is_file()
    assert not (tmp_path / OUTPUT_MARK).exists()
    assert clear_interrupted_phase(tmp_path, output) == []  # no mark: nothing removed
    # A mark left behind: what changed after it is removed, what is older stays.
    (tmp_path / OUTPUT_MARK).write_text(str(time.time_ns() - 30 * 10**9), encoding="ascii")
    assert clear_interrupted_phase(tmp_path, output) == [output / "new.html"]
    assert old.read_text(encoding="utf-8") == "old"
    assert not (tmp_path / OUTPUT_MARK).exists()


def test_a_build_killed_mid_phase_is_made_whole_by_the_next(updated: Path) -> None:
    """``kill -9`` while the bulletins are written; then, as a power loss would, one
    file the phase wrote keeps its size and time but loses its bytes. The next build
    finds the mark and makes that file again."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    build = subprocess.Popen([sys.executable, "-m", "transflow", "build", "--week", W09,
                              "--workspace", str(updated), "--jobs", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    mark = updated / OUTPUT_MARK
    first = updated / "output" / W09 / "be" / "index.html"
    deadline = time.monotonic() + 60
    while not (mark.exists() and first.exists()) and time.monotonic() < deadline:
        time.sleep(0.005)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert mark.exists(), "the build ended before it could be killed mid-phase"
    size, stamp = first.stat().st_size, first.stat().st_mtime_ns
    first.write_bytes(b"\0" * size)  # the data a crash lost; size and time as recorded
    os.utime(first, ns=(stamp, stamp))
    left = first.with_name(".index.html.transflow-0badcafe.tmp")  # a write cut short
    left.write_bytes(b"<!DOCTYPE")
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 0, result.output
    page = first.read_text(encoding="utf-8")
    assert "\0" not in page and page.startswith("<!DOCTYPE html>")
    assert not mark.exists() and not left.exists()
    # And a build after that one finds everything current.
    again = run(updated, "build", "--week", W09)
    assert "bulletins: 0 built" in again.output, again.output
