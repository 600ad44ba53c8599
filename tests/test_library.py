"""Each library function called directly, as a web app or a mail worker would call
it: no click, reports as values, progress through a callback."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.helpers import msgfmt_check, write_source
from transflow.assist.draft import draft, plan_drafts
from transflow.authoring.importer import import_pages
from transflow.catalogs.status import status
from transflow.catalogs.update import plan_update, update
from transflow.publish.build import build
from transflow.publish.plan import BuildOptions, plan_build
from transflow.quality.checks import check
from transflow.sources.commentary import resolve_weeks
from transflow.workspace.config import load_config
from transflow.workspace.errors import TransflowError, WeekError
from transflow.workspace.weeks import LATEST_WEEK, Week, WeekSelection

PAGES = Path(__file__).parent / "pages"
W09, W10 = Week(2024, 9), Week(2024, 10)


class Calls:
    """A progress callback that remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, label: str, done: int, total: int) -> None:
        self.calls.append((label, done, total))


def test_week_selection_is_typed(sample: Path) -> None:
    config = load_config(sample)
    assert resolve_weeks(config, WeekSelection()) == (W09, W10)
    assert resolve_weeks(config, LATEST_WEEK) == (W10,)
    assert resolve_weeks(config, WeekSelection.parse("2024-02-28")) == (W09,)
    with pytest.raises(WeekError, match="latest weeks: 2024-W10, 2024-W09"):
        resolve_weeks(config, WeekSelection(Week(2030, 1)))


def test_update(sample: Path) -> None:
    config = load_config(sample)
    progress = Calls()
    report = update(config, (W09, W10), progress=progress)
    assert [c.domain for c in report.catalogs][:2] == ["ui", "ui"]
    assert {c.domain for c in report.catalogs} == {"ui", W09, W10}
    assert progress.calls[0][1:] == (0, len(report.catalogs))
    assert [done for _, done, _ in progress.calls] == list(range(len(report.catalogs)))
    for c in report.catalogs:
        assert msgfmt_check(sample / c.path).returncode == 0
    assert not update(config, (W09, W10)).written  # a second run changes nothing


def test_update_plan_is_picklable_and_reads_before_writing(sample: Path) -> None:
    config = load_config(sample)
    plan = plan_update(config, (W09, W10), config.languages)
    assert pickle.loads(pickle.dumps(plan)) == plan
    write_source(sample, "2024-W10", "broken", "title: x\ncategory: weather", "Body.")
    before = {p: p.read_bytes() for p in (sample / "locales").rglob("*.po*")}
    with pytest.raises(TransflowError):
        update(config, (W09, W10))
    assert {p: p.read_bytes() for p in (sample / "locales").rglob("*.po*")} == before


def test_status(sample: Path) -> None:
    progress = Calls()
    report = status(load_config(sample), (W10,), languages=["ru"], progress=progress)
    assert progress.calls == [("2024-W10", 0, 1)]
    (row,) = report.rows
    assert row.week == W10 and row.counts.fuzzy == 1 and row.as_dict()["week"] == "2024-W10"
    (labels,) = report.labels
    assert labels.lang == "ru" and labels.translated == labels.total


def test_check(sample: Path) -> None:
    progress = Calls()
    report = check(load_config(sample), (W09, W10), sources=True, progress=progress)
    assert progress.calls == [("2024-W09", 0, 2), ("2024-W10", 1, 2)]
    assert report.checked > 40 and report.errors == () and report.problem is None


def test_draft(mini: Path) -> None:
    write_source(mini, "2019-W10", "rail", "title: Rail talks\ncategory: security",
                 "Freight transit remains unlikely.")
    config = load_config(mini)
    update(config, (Week(2019, 10),))
    jobs = plan_drafts(config, (Week(2019, 10),), ["ru"], "pseudo")
    assert pickle.loads(pickle.dumps(jobs)) == jobs
    assert [i.msgid for i in jobs[0].items] == ["Rail talks", "Freight transit remains unlikely."]
    progress = Calls()
    report = draft(config, (Week(2019, 10),), languages=["ru"], provider="pseudo",
                   progress=progress)
    assert report.drafted == 2 and report.problem is None
    assert progress.calls == [("locales/ru/LC_MESSAGES/2019-W10.po", 0, 1)]
    assert "#, fuzzy" in (mini / report.written[0]).read_text(encoding="utf-8")


def test_build(sample: Path) -> None:
    config = load_config(sample)
    update(config, (W09,))
    options = BuildOptions(config.languages, ("html",), threshold=0, strict=True)
    plan = plan_build(config, (W09,), options)
    assert pickle.loads(pickle.dumps(plan)) == plan
    assert len({job.fingerprint for job in plan.jobs}) == 3
    progress = Calls()
    report = build(config, (W09,), formats=("html",), progress=progress)
    assert report.built == 3 and report.problem is None
    assert [(label, done) for label, done, _ in progress.calls] == [
        ("2024-W09 be", 0), ("2024-W09 ru", 1), ("2024-W09 en", 2)]
    assert all(o.week == W09 for o in report.outputs)
    again = plan_build(config, (W09,), options)
    assert [j.fingerprint for j in again.jobs] == [j.fingerprint for j in plan.jobs]


def test_import_pages(sample: Path) -> None:
    config = load_config(sample)
    data = (PAGES / "weekly-en.txt").read_bytes()
    report = import_pages(config, [("weekly-en.txt", data)], dry_run=True)
    (item,) = report.imported
    assert not item.written and not (sample / item.path).exists()
    report = import_pages(config, [("weekly-en.txt", data)], week=Week(2019, 11))
    assert (sample / report.imported[0].path).parent.name == "2019-W11"
