"""The one store of "is this still current?" (``workspace.records``): typed records
read back as they were written, one rule for what cannot be trusted, nothing written
when nothing changed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transflow.workspace.records import Records, decoder, encode
from transflow.workspace.weeks import Week


@dataclass(frozen=True)
class Row:
    name: str
    score: float
    week: Week | None


@dataclass(frozen=True)
class Kept:
    rows: tuple[Row, ...]
    pair: tuple[str, int]
    texts: tuple[str, ...] = ()
    table: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    flag: bool = False
    count: int | None = None


weeks = st.builds(Week, st.integers(2000, 2100), st.integers(1, 52))
rows = st.builds(Row, st.text(), st.floats(allow_nan=False, allow_infinity=False),
                 st.none() | weeks)
kept = st.builds(Kept, st.tuples(*[rows] * 2).map(tuple) | st.lists(rows).map(tuple),
                 st.tuples(st.text(), st.integers()), st.lists(st.text()).map(tuple),
                 st.dictionaries(st.text(), st.tuples(st.text(), st.integers(),
                                                      st.integers())),
                 st.booleans(), st.none() | st.integers())


@given(kept)
def test_a_record_reads_back_as_written(value: Kept) -> None:
    assert decoder(Kept)(json.loads(json.dumps(encode(value)))) == value


def test_records_survive_a_new_process(tmp_path: Path) -> None:
    value = Kept((Row("a", 1.5, Week(2024, 9)),), ("b", 2), ("x", "y"), {"pdf": ("d", 1, 2)})
    records = Records(tmp_path, "test", Kept)
    records.record("one", "print-1", value)
    records.save()
    again = Records(tmp_path, "test", Kept)
    assert again.current("one", "print-1") == value
    assert again.current("one", "print-2") is None  # its inputs changed: done again
    assert again.get("one") == value
    assert "one" in again and "two" not in again


def test_nothing_is_written_when_nothing_changed(tmp_path: Path) -> None:
    records = Records(tmp_path, "test", Kept)
    records.record("one", "p", Kept((), ("a", 1)))
    records.save()
    before = records.path.stat().st_mtime_ns
    again = Records(tmp_path, "test", Kept)
    again.record("one", "p", Kept((), ("a", 1)))
    assert not again.changed
    again.save()
    assert records.path.stat().st_mtime_ns == before
    again.record("one", "p", Kept((), ("a", 2)))
    assert again.changed


def test_a_damaged_record_is_ignored_alone(tmp_path: Path) -> None:
    records = Records(tmp_path, "test", Kept)
    for key in ("one", "two"):
        records.record(key, "p", Kept((Row(key, 0.0, None),), (key, 1)))
    records.save()
    data = json.loads(records.path.read_text(encoding="utf-8"))
    data["records"]["one"][1]["pair"] = ["a", "not a number"]
    records.path.write_text(json.dumps(data), encoding="utf-8")
    again = Records(tmp_path, "test", Kept)
    assert again.current("one", "p") is None
    assert again.current("two", "p") == Kept((Row("two", 0.0, None),), ("two", 1))


@pytest.mark.parametrize("damage", ["not json", "other format", "other kind", "other code",
                                    "not a table"])
def test_a_file_that_cannot_be_trusted_is_ignored_whole(tmp_path: Path,
                                                       damage: str) -> None:
    records = Records(tmp_path, "test", Kept)
    records.record("one", "p", Kept((), ("a", 1)))
    records.save()
    data = json.loads(records.path.read_text(encoding="utf-8"))
    if damage == "not json":
        records.path.write_text("{ not json", encoding="utf-8")
    else:
        if damage == "other format":
            data["format"] = 1
        elif damage == "other kind":
            data["kind"] = "Row"
        elif damage == "other code":
            data["code"] = "another transflow"
        else:
            data["records"] = ["one"]
        records.path.write_text(json.dumps(data), encoding="utf-8")
    again = Records(tmp_path, "test", Kept)
    assert again.get("one") is None
    if damage != "not json":
        assert again.changed  # replaced by this transflow's at the next save
        again.save()
        assert json.loads(records.path.read_text(encoding="utf-8"))["records"] == {}


def test_a_record_of_a_type_it_cannot_hold_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        encode(object())
    with pytest.raises(TypeError):
        decoder(set[str])
