"""Incremental runs: a week whose files did not change is skipped without being parsed,
and anything that could change its result (a source, a catalog, the template, the
settings, what the memory can newly fill) makes it run again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest

from tests.helpers import (
    MINI_CONFIG,
    copy_sample,
    files,
    msgfmt_check,
    po,
    run,
    save_translation,
    write_source,
)
from transflow.catalogs.update import update
from transflow.workspace.config import load_config
from transflow.workspace.weeks import Week

W09, W10 = "2024-W09", "2024-W10"
FRONT = "title: {title}\ncategory: security"
TEXT = "The regional council approved the new budget after a long debate on Tuesday."
TEXT_RU = "Областной совет утвердил новый бюджет после долгих дебатов во вторник."


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    return root


def parsed_weeks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The weeks whose sources update reads, from now on."""
    import transflow.catalogs.update as module

    seen: list[str] = []
    original = module.load_week

    def load_week(config, week):  # type: ignore[no-untyped-def]
        seen.append(str(week))
        return original(config, week)

    monkeypatch.setattr(module, "load_week", load_week)
    return seen


def test_a_no_op_update_parses_nothing_and_says_the_same(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = run(sample, "update")
    everything = files(sample)
    seen = parsed_weeks(monkeypatch)
    again = run(sample, "update")
    assert seen == []
    assert again.output == before.output and again.exit_code == 0
    assert files(sample) == everything


def test_an_edited_source_runs_its_week_only(sample: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen = parsed_weeks(monkeypatch)
    path = next((sample / "sources" / W10).glob("*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing paragraph.\n",
                    encoding="utf-8")
    result = run(sample, "update")
    assert seen == [W10]
    assert "A new closing paragraph." in po(sample, "be", W10).read_text(encoding="utf-8")
    assert f"locales/be/LC_MESSAGES/{W10}.po: updated" in result.output


def test_a_translators_save_runs_the_week_and_keeps_their_work(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = parsed_weeks(monkeypatch)
    path = po(sample, "ru", W09)
    entry = next(e for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete)
    save_translation(path, entry.msgid[:30], "Новый перевод переводчика.")
    run(sample, "update")
    # W09 runs; W10 does not: its untranslated ru entries find nothing like them in the
    # new translation (see test_a_memory_change_merges_again_only_the_weeks_it_fills).
    assert seen == [W09]
    assert "Новый перевод переводчика." in path.read_text(encoding="utf-8")
    assert msgfmt_check(path).returncode == 0


@pytest.mark.parametrize("damage", ["delete-catalog", "delete-template", "corrupt-state",
                                    "damaged-record", "settings"])
def test_whatever_changed_is_made_again(sample: Path, damage: str) -> None:
    reference = files(sample / "locales")
    state = sample / ".transflow" / "update-state.json"
    assert json.loads(state.read_text(encoding="utf-8"))["records"]
    if damage == "delete-catalog":
        po(sample, "be", W09).unlink()
    elif damage == "delete-template":
        (sample / "locales" / "templates" / f"{W09}.pot").unlink()
    elif damage == "corrupt-state":
        state.write_text("{ not json", encoding="utf-8")
    elif damage == "damaged-record":  # valid JSON, fingerprints intact, reports not
        data = json.loads(state.read_text(encoding="utf-8"))
        for _, record in data["records"].values():
            record["catalogs"] = [{"path": 1}]
        state.write_text(json.dumps(data), encoding="utf-8")
    else:
        config = sample / "transflow.toml"
        config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(sample, "update").exit_code == 0
    if damage == "delete-catalog":
        # Made again from the template (its translations went with the file).
        catalog = polib.pofile(str(po(sample, "be", W09)))
        assert len(catalog) > 5 and msgfmt_check(po(sample, "be", W09)).returncode == 0
    else:
        assert files(sample / "locales") == reference


def test_a_translation_added_elsewhere_fills_a_skipped_week(mini: Path) -> None:
    # W10 has an entry nobody translated; the memory knows nothing like it. Then a
    # translator translates the same text in W11: the next update must fill W10 from
    # it, although no file of W10 changed.
    write_source(mini, "2019-W10", "budget", FRONT.format(title="Budget"), TEXT)
    write_source(mini, "2019-W11", "council", FRONT.format(title="Council"),
                 TEXT.replace("Tuesday", "Wednesday"))
    run(mini, "update")
    run(mini, "update")  # the memory's misses are remembered
    assert not next(e for e in polib.pofile(str(po(mini, "ru", "2019-W10")))
                    if e.msgid == TEXT).msgstr
    save_translation(po(mini, "ru", "2019-W11"), "The regional council",
                     TEXT_RU.replace("во вторник", "в среду"))
    result = run(mini, "update")
    filled = next(e for e in polib.pofile(str(po(mini, "ru", "2019-W10"))) if e.msgid == TEXT)
    assert filled.msgstr == TEXT_RU.replace("во вторник", "в среду")
    assert "fuzzy" in filled.flags  # similar, not the same: for review
    assert "locales/ru/LC_MESSAGES/2019-W10.po: updated" in result.output


def test_a_memory_change_merges_again_only_the_weeks_it_fills(
        mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation saved in one week changes the memory of every week: only the weeks
    with an untranslated text like it are merged again (at 520 weeks, merging them all
    took half a minute); the others are brought to the memory's new version unread."""
    write_source(mini, "2019-W10", "budget", FRONT.format(title="Budget"), TEXT)
    write_source(mini, "2019-W11", "council", FRONT.format(title="Council"),
                 TEXT.replace("Tuesday", "Wednesday"))
    write_source(mini, "2019-W12", "rail", FRONT.format(title="Rail"),
                 "Something else entirely, about railways and timetables.")
    run(mini, "update")
    seen = parsed_weeks(monkeypatch)
    save_translation(po(mini, "ru", "2019-W11"), "The regional council",
                     TEXT_RU.replace("во вторник", "в среду"))
    run(mini, "update")
    assert seen == ["2019-W10", "2019-W11"]  # not W12: nothing like its text was added
    filled = next(e for e in polib.pofile(str(po(mini, "ru", "2019-W10"))) if e.msgid == TEXT)
    assert filled.msgstr == TEXT_RU.replace("во вторник", "в среду") and filled.fuzzy
    seen.clear()
    everything = files(mini)
    run(mini, "update")
    assert seen == [] and files(mini) == everything  # every week at the new version
    # The versions the weeks were looked up in are lost: every week behind is merged.
    (mini / ".transflow" / "update-memory-state.json").unlink()
    save_translation(po(mini, "ru", "2019-W11"), "The regional council", "Совет.")
    seen.clear()
    run(mini, "update")
    assert seen == ["2019-W10", "2019-W11", "2019-W12"]


def test_a_remembered_miss_is_still_a_miss_for_unrelated_translations(mini: Path) -> None:
    write_source(mini, "2019-W10", "budget", FRONT.format(title="Budget"), TEXT)
    run(mini, "update")
    config = load_config(mini)
    write_source(mini, "2019-W11", "other", FRONT.format(title="Other"),
                 "Something else entirely, about railways and timetables.")
    run(mini, "update")
    save_translation(po(mini, "ru", "2019-W11"), "Something else", "Совсем другое.")
    report = update(config, [Week(2019, 10), Week(2019, 11)])
    w10 = next(c for c in report.catalogs if c.lang == "ru" and str(c.domain) == "2019-W10")
    assert w10.from_memory == 0 and not w10.written


# --- build ------------------------------------------------------------------------------

def resolved(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The bulletins build resolves from their catalogs, from now on."""
    import transflow.publish.plan as module

    seen: list[tuple[str, str]] = []
    original = module.make_bulletin

    def make_bulletin(config, week, lang, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((str(week), lang))
        return original(config, week, lang, *args, **kwargs)

    monkeypatch.setattr(module, "make_bulletin", make_bulletin)
    return seen


def test_build_with_two_jobs_writes_what_one_job_writes(tmp_path: Path) -> None:
    from tests.helpers import pdf_text

    made = {}
    for jobs in ("1", "2"):
        root = copy_sample(tmp_path / f"jobs-{jobs}")
        assert run(root, "update").exit_code == 0
        result = run(root, "build", "--jobs", jobs)
        assert result.exit_code == 0, result.output
        made[jobs] = {p.relative_to(root): p for p in sorted((root / "output").rglob("*"))
                      if p.is_file() and "pagefind" not in p.parts}
    assert made["1"].keys() == made["2"].keys() and len(made["1"]) > 20
    for rel, path in made["1"].items():
        other = made["2"][rel]
        if rel.suffix == ".pdf":
            assert pdf_text(path) == pdf_text(other), rel
        else:
            assert path.read_bytes() == other.read_bytes(), rel


def test_a_no_op_build_reads_no_catalog(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(sample, "build").exit_code == 0
    seen = resolved(monkeypatch)
    again = run(sample, "build")
    assert seen == [] and again.exit_code == 0
    assert "bulletins: 0 built, 5 unchanged" in again.output  # be is not built for W10
    assert "site: 0 pages written" in again.output


def test_workers_start_before_planning_only_for_bulletins_never_built(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from transflow.publish import build

    events: list[str] = []
    pool, plan_build = multiprocessing.Pool, build.plan_build

    def counted(processes: int, *args: object, **kwargs: object) -> object:
        events.append(f"pool of {processes}")
        return pool(processes, *args, **kwargs)

    def planned(*args: object, **kwargs: object) -> object:
        events.append("plan")
        return plan_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(multiprocessing, "Pool", counted)
    monkeypatch.setattr(build, "plan_build", planned)
    assert run(sample, "build", "--jobs", "2", "--format", "html").exit_code == 0
    assert events == ["pool of 2", "plan"]  # started early, and used for the renders
    events.clear()
    assert run(sample, "build", "--jobs", "2", "--format", "html").exit_code == 0
    assert events == ["plan"]  # every bulletin current: no worker at all


@pytest.mark.parametrize("change", ["delete-pdf", "edit-catalog", "corrupt-state", "options"])
def test_what_changed_is_built_again(sample: Path, monkeypatch: pytest.MonkeyPatch,
                                     change: str) -> None:
    from tests.helpers import out

    assert run(sample, "build").exit_code == 0
    html, pdf = out(sample, W09, "ru")
    args = ["build"]
    if change == "delete-pdf":
        pdf.unlink()
    elif change == "edit-catalog":
        path = po(sample, "ru", W09)
        entry = next(e for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete)
        save_translation(path, entry.msgid[:30], "Исправленный перевод абзаца.")
    elif change == "corrupt-state":
        (sample / ".transflow" / "build-state.json").write_bytes(b"\x00garbage")
    else:
        args += ["--format", "html"]
    seen = resolved(monkeypatch)
    result = run(sample, *args)
    assert result.exit_code == 0, result.output
    if change == "corrupt-state":
        assert len(seen) == 6  # everything planned again (be W10 too), and found unchanged
        assert "bulletins: 0 built, 5 unchanged" in result.output
    elif change == "options":
        assert len(seen) == 6
    else:
        assert seen == [(W09, "ru")]
        assert pdf.is_file()
        if change == "edit-catalog":
            assert "Исправленный перевод абзаца." in html.read_text(encoding="utf-8")


def test_delivery_knows_a_bulletin_is_current_from_the_builds_record(sample: Path) -> None:
    from tests.helpers import out
    from transflow.publish.plan import recorded_current

    assert run(sample, "build", "--week", W09).exit_code == 0
    config = load_config(sample)
    week = Week.parse(W09)
    assert all(recorded_current(config, week, lang) for lang in ("be", "ru", "en"))
    path = po(sample, "ru", W09)
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not recorded_current(config, week, "ru")  # send then checks the manifest
    assert recorded_current(config, week, "en")
    out(sample, W09, "en")[1].unlink()
    assert not recorded_current(config, week, "en")


def test_update_with_one_job_writes_what_two_jobs_write(tmp_path: Path) -> None:
    made = {}
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs-{jobs}"
        root.mkdir()
        (root / "transflow.toml").write_text(MINI_CONFIG, encoding="utf-8")
        write_source(root, "2019-W10", "budget", FRONT.format(title="Budget"), TEXT)
        write_source(root, "2019-W11", "council", FRONT.format(title="Council"),
                     TEXT.replace("Tuesday", "Wednesday"))
        run(root, "update", "--jobs", jobs)
        save_translation(po(root, "ru", "2019-W11"), "The regional council", TEXT_RU)
        assert run(root, "update", "--jobs", jobs).exit_code == 0
        # (Each catalog's creation time aside: the two runs may straddle a minute.)
        made[jobs] = {p.relative_to(root): re.sub(rb'"PO-Revision-Date: [^"]*"', b"",
                                                  p.read_bytes())
                      for p in sorted((root / "locales").rglob("*.po"))}
    assert made["1"] == made["2"]
    assert TEXT_RU.encode() in made["2"][Path("locales/ru/LC_MESSAGES/2019-W10.po")]


def test_another_transflow_does_not_trust_the_records(sample: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # An upgrade (or a change in development) may render the same inputs otherwise.
    import transflow.workspace.records as state

    assert run(sample, "build", "--week", W09).exit_code == 0
    monkeypatch.setattr(state, "code_version", lambda: "another transflow")
    seen = resolved(monkeypatch)
    assert run(sample, "build", "--week", W09).exit_code == 0
    assert len(seen) == 3


def test_ctrl_c_stops_a_parallel_build_and_its_workers(sample: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    assert run(sample, "update").exit_code == 0
    build = subprocess.Popen(
        [sys.executable, "-m", "transflow", "build", "--jobs", "2", "--workspace",
         str(sample)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # Whoever started the tests may have left Ctrl-C ignored: a terminal would not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list((sample / "output").glob("*/*/*.pdf")) and time.monotonic() < deadline:
        time.sleep(0.02)
    if build.poll() is not None:
        pytest.skip("the build finished before it could be interrupted")
    workers = [stat.parent.name for stat in Path("/proc").glob("[0-9]*/stat")
               if _parent(stat) == build.pid]
    assert workers  # interrupted while its workers render
    build.send_signal(signal.SIGINT)
    _, errors = build.communicate(timeout=30)
    assert build.returncode == 1 and "Traceback" not in errors and "Aborted!" in errors
    time.sleep(0.2)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]  # no worker left
    assert not list(sample.rglob("*.transflow-*.tmp"))  # nothing half-written


def _parent(stat: Path) -> int | None:
    try:  # /proc/<pid>/stat: "pid (name) state ppid ..."; the name may hold spaces
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def loaded_memories(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages whose memory update loads, from now on."""
    import transflow.catalogs.update as module

    loaded: list[str] = []
    real = module.load_memory

    def counting(config: object, lang: str) -> object:
        loaded.append(lang)
        return real(config, lang)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "load_memory", counting)
    return loaded


def test_a_no_op_update_reads_no_memory_entry(sample: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory's version comes from its records while its files are as recorded:
    a no-op update loads no memory; a catalog saved meanwhile makes it load it."""
    config = load_config(sample)
    update(config, [Week(2024, 9), Week(2024, 10)])
    update(config, [Week(2024, 9), Week(2024, 10)])  # its records written as it runs
    loaded = loaded_memories(monkeypatch)
    report = update(config, [Week(2024, 9), Week(2024, 10)])
    assert loaded == [] and all(not c.written for c in report.catalogs
                                if c.domain != "ui")
    path = po(sample, "ru", "2024-W09")
    entry = next(e for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete)
    save_translation(path, entry.msgid[:30], "Новый перевод переводчика.")
    update(config, [Week(2024, 9), Week(2024, 10)])
    assert "ru" in loaded


def test_an_edit_reads_only_the_memories_it_may_fill_from(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An English commentary edited: the Belarusian and Russian catalogs gain texts to
    look up; the English memory is not read, since every text of the English catalogs
    found nothing in it as it still is."""
    config = load_config(sample)
    weeks = [Week(2024, 9), Week(2024, 10)]
    update(config, weeks)
    english = next(p for p in (sample / "sources" / W10).glob("*.md")
                   if "\nlang:" not in p.read_text(encoding="utf-8")
                   or "\nlang: en" in p.read_text(encoding="utf-8"))
    loaded = loaded_memories(monkeypatch)
    english.write_text(english.read_text(encoding="utf-8")
                       + "\nA closing paragraph on the harvest forecast.\n",
                       encoding="utf-8")
    report = update(config, weeks)
    assert sorted(loaded) == ["be", "ru"]
    assert {c.lang for c in report.written} >= {"be", "ru"}
    for lang in ("be", "ru"):
        assert "A closing paragraph on the harvest forecast." in po(
            sample, lang, W10).read_text(encoding="utf-8")
    assert update(config, weeks).written == ()  # and everything recorded as it is


def test_status_after_update_reads_no_catalog(sample: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """update records the counts of the catalogs it writes: the first status after it
    (an archive's catalogs all read, else) reads none, and counts as a reading would."""
    from transflow.catalogs import pofile
    from transflow.catalogs.status import status
    from transflow.workspace.weeks import Week as W

    config = load_config(sample)
    weeks = (W(2024, 9), W(2024, 10))
    (sample / ".transflow" / "status-state.json").unlink(missing_ok=True)
    po = sample / "locales" / "ru" / "LC_MESSAGES" / "2024-W10.po"
    po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", "", 1), encoding="utf-8")
    update(config, weeks)
    read = status(config, weeks).rows  # reads what update did not write (none: all)
    (sample / ".transflow" / "status-state.json").unlink()
    update(config, weeks)  # a no-op update records nothing: status reads them again
    fresh = status(config, weeks).rows
    assert fresh == read
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    update(config, weeks)  # writes the W10 ru catalog again, and records its counts

    reading = pofile.read_catalog

    def refuse(path: Path, *args: object) -> object:
        assert not path.name.startswith("2024-W10"), f"status read {path}"
        return reading(path, *args)  # type: ignore[arg-type]

    ru10 = [r for r in fresh if r.lang == "ru" and r.week == W(2024, 10)]
    monkeypatch.setattr(pofile, "read_catalog", refuse)
    again = [r for r in status(config, weeks).rows if r.lang == "ru" and r.week == W(2024, 10)]
    assert again == ru10


def test_the_memory_records_of_a_year_alone_are_written_again(mini: Path) -> None:
    """What each catalog holds is kept per year: a translation saved in one week
    rewrites that year's store, not the whole memory's."""
    write_source(mini, "2019-W10", "budget", FRONT.format(title="Budget"), TEXT)
    write_source(mini, "2020-W10", "rail", FRONT.format(title="Rail"),
                 "Something else entirely, about railways and timetables.")
    run(mini, "update")
    run(mini, "update")
    state = mini / ".transflow"
    assert not (state / "memory-ru-state.json").exists()
    older, newer = state / "memory-ru-2019-state.json", state / "memory-ru-2020-state.json"
    before = (older.read_bytes(), older.stat().st_mtime_ns, newer.read_bytes())
    save_translation(po(mini, "ru", "2020-W10"), "Something else", "Совсем другое.")
    run(mini, "update")
    assert (older.read_bytes(), older.stat().st_mtime_ns) == before[:2]
    assert newer.read_bytes() != before[2]
    assert "Совсем другое." in newer.read_text(encoding="utf-8")
