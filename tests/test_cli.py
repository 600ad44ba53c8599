"""The command line: help texts, workspace discovery, errors, and `status`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import polib
import pytest
from click.testing import CliRunner

from tests.helpers import run
from transflow.cli import main

COMMANDS = sorted(main.commands)


def test_there_are_commands() -> None:
    assert {"update", "status", "build"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    command = main.commands[name]
    assert command.help and command.help.strip()
    summary = command.get_short_help_str(limit=200)
    assert summary and not summary.endswith("...")
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert " ".join(command.help.split()) in " ".join(result.output.split())


def test_top_level_help_lists_each_command_with_a_line() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        line = next(line for line in result.output.splitlines()
                    if line.strip().startswith(name + " "))
        assert len(line.split(None, 1)) == 2
        assert not line.endswith("..."), line  # the whole first line fits


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from transflow.cli import main; "
            "print(sorted(m for m in ('weasyprint', 'markdown_it', 'polib', 'babel', 'jinja2') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_workspace_is_found_upward(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sample / "sources" / "2024-W09")
    result = CliRunner().invoke(main, ["status", "--week", "2024-W09"])
    assert result.exit_code == 0
    assert "2024-W09" in result.output


def test_no_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 1
    assert "no transflow.toml in" in result.output and "--workspace" in result.output


def test_unknown_language_is_a_usage_error(sample: Path) -> None:
    result = run(sample, "build", "--lang", "de")
    assert result.exit_code == 2
    assert ("Invalid value for '--lang': de is not a language of this publication; use one "
            "of be, ru, en") in result.output
    assert "transflow.toml" not in result.output
    result = run(sample, "import", "page.txt", "--lang", "pl")
    assert result.exit_code == 2 and "'--lang'" in result.output


def test_language_codes_are_case_insensitive(sample: Path) -> None:
    result = run(sample, "status", "--week", "2024-W10", "--lang", "BE", "--json")
    assert result.exit_code == 0
    assert {r["lang"] for r in json.loads(result.stdout)} == {"be"}


def test_bad_config_names_line(sample: Path) -> None:
    config = sample / "transflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "min_translated = 60", "min_translated = 160"), encoding="utf-8")
    result = run(sample, "status")
    assert result.exit_code == 1
    assert "transflow.toml:9: min_translated must be a percentage" in result.output


def test_status_figures_match_the_catalogs(sample: Path) -> None:
    run(sample, "update")
    result = run(sample, "status", "--json")
    assert result.exit_code == 0
    everything = json.loads(result.stdout)
    rows = [r for r in everything if r["domain"] != "ui"]
    assert {(r["week"], r["lang"]) for r in rows} == {
        (w, lang) for w in ("2024-W09", "2024-W10") for lang in ("be", "ru", "en")}
    for row in rows:
        po = polib.pofile(str(sample / row["path"]))
        assert row["segments"] == {
            "translated": len(po.translated_entries()),
            "fuzzy": len(po.fuzzy_entries()),
            "untranslated": len(po.untranslated_entries()),
            "total": len([e for e in po if not e.obsolete]),
        }
        words = row["words"]
        assert words["total"] == words["translated"] + words["fuzzy"] + words["untranslated"]
        assert row["percent"] == round(100 * words["translated"] / words["total"], 1)
    w09 = [r for r in rows if r["week"] == "2024-W09"]
    assert all(r["percent"] == 100 for r in w09)
    ru10 = next(r for r in rows if r["week"] == "2024-W10" and r["lang"] == "ru")
    assert ru10["segments"]["fuzzy"] == 1 and 0 < ru10["percent"] < 100
    # Asked again, status takes unchanged catalogs from its record, and sees a save.
    assert json.loads(run(sample, "status", "--json").stdout) == everything
    path = sample / ru10["path"]
    catalog = polib.pofile(str(path))
    entry = catalog.untranslated_entries()[0]
    entry.msgstr = "Перевод, сохранённый переводчиком."
    catalog.save(str(path))
    again = json.loads(run(sample, "status", "--json").stdout)
    ru10_again = next(r for r in again if r.get("week") == "2024-W10" and r["lang"] == "ru"
                      and r["domain"] != "ui")
    assert ru10_again["segments"]["translated"] == ru10["segments"]["translated"] + 1


def test_status_table(sample: Path) -> None:
    result = run(sample, "status", "--week", "2024-W10", "--lang", "be")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["week", "lang", "translated", "fuzzy", "untranslated", "done",
                                "memory"]
    assert lines[1].startswith("2024-W10  be") and lines[1].split()[-1] == "1"
    assert lines[2].startswith("(w: words; done:") and "memory: entries the translation " \
        "memory filled" in lines[2]  # every column explained
    assert lines[3].split() == ["ui", "be", "84", "of", "84", "labels", "100%"]
    assert len(lines) == 4
