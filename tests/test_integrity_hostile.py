"""Catalog integrity, hostile input: alias bombs, unbounded values, values that would
become paths, huge paragraphs.

Every PO file here is written for these tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import run, write_source

W09, W10 = "2024-W09", "2024-W10"


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
