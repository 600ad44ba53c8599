"""Starting a publication from nothing: ``init``, the packaged default templates and
their overrides, ``new``; the README's "start your own publication" run word for word
with transflow installed from a wheel; the catalogs as Weblate's translate-toolkit
reads them."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import polib
import pytest

from tests.helpers import REPO, copy_sample, files, msgfmt_check, run
from transflow.cli import main
from transflow.workspace.config import DEFAULT_TEMPLATES, load_config


def init(tmp_path: Path, *args: str) -> tuple[Path, object]:
    from click.testing import CliRunner

    target = tmp_path / "weekly"
    result = CliRunner().invoke(main, ["init", str(target), *args])
    return target, result


def test_init_makes_a_whole_workspace(tmp_path: Path) -> None:
    root, result = init(tmp_path, "--title", "Eastern Europe Weekly")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    config = tomllib.loads((root / "transflow.toml").read_text(encoding="utf-8"))
    assert set(config) >= {"publication", "categories", "trends", "build", "sources", "mt",
                           "memory", "delivery", "site"}
    text = (root / "transflow.toml").read_text(encoding="utf-8")
    for off in ("# base_url", "# subscribe_url", "# provider", "# logo", "# dkim_domain"):
        assert off in text  # a setting that is off is shown, commented out
    loaded = load_config(root)
    assert loaded.languages == ("be", "ru", "en") and loaded.publication.source_language == "en"
    assert loaded.publication.title["be"] == "Eastern Europe Weekly"
    assert loaded.publication.slug == "eastern-europe-weekly"
    assert (root / "glossary.csv").read_text(encoding="utf-8") == "be,ru,en,forbidden,note\n"
    assert (root / "sources").is_dir()
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert {"output/", ".transflow/", "subscribers.sqlite3"} <= set(ignored)
    for lang in ("be", "ru"):
        path = root / "locales" / lang / "LC_MESSAGES" / "ui.po"
        assert msgfmt_check(path).returncode == 0
        catalog = polib.pofile(str(path))
        assert catalog.percent_translated() == 100  # transflow's own labels, shipped
    status = run(root, "status", "--json")
    assert status.exit_code == 0
    assert not (root / "templates").exists()  # the defaults are used


def test_init_refuses_a_workspace_and_changes_nothing(tmp_path: Path) -> None:
    sample = copy_sample(tmp_path / "sample")
    before = files(sample)
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["init", str(sample)])
    assert result.exit_code == 1 and "already holds a workspace" in result.output
    assert files(sample) == before


@pytest.mark.parametrize(("args", "message"), [
    (("--languages", "be,xx"), "unknown language 'xx'"),
    (("--languages", "be,ru", "--source-language", "en"), "is not one of be, ru"),
])
def test_init_refuses_what_it_cannot_make(tmp_path: Path, args: tuple[str, ...],
                                          message: str) -> None:
    root, result = init(tmp_path, *args)
    assert result.exit_code == 1 and message in result.output  # type: ignore[attr-defined]
    assert not (root / "transflow.toml").exists()


def test_a_workspace_template_overrides_the_default(tmp_path: Path) -> None:
    root, _ = init(tmp_path, "--templates")
    copied = sorted(p.name for p in (root / "templates").iterdir())
    assert copied == sorted(p.name for p in DEFAULT_TEMPLATES.iterdir())
    css = root / "templates" / "bulletin.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* house style */\n", encoding="utf-8")
    # Again in the workspace: the one the team changed is kept.
    from click.testing import CliRunner

    again = CliRunner().invoke(main, ["init", str(root), "--templates"])
    assert again.exit_code == 0 and "/* house style */" in css.read_text(encoding="utf-8")
    assert run(root, "new", "--week", "2026-W49", "--category", "security",
               "Border guards step up patrols").exit_code == 0
    write_the_commentaries(root)
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--format", "html", "--min-translated", "0").exit_code == 0
    page = (root / "output" / "2026-W49" / "en" / "index.html").read_text(encoding="utf-8")
    assert "/* house style */" in page


def test_new_writes_a_skeleton_and_never_replaces_one(tmp_path: Path) -> None:
    root, _ = init(tmp_path)
    first = run(root, "new", "--week", "2026-W49", "--category", "economy",
                "Prices rise again")
    second = run(root, "new", "--week", "2026-W49", "--category", "economy",
                 "Prices rise again")
    assert first.output.strip() == "sources/2026-W49/prices-rise-again.md"
    assert second.output.strip() == "sources/2026-W49/prices-rise-again-2.md"
    text = (root / first.output.strip()).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Prices rise again\nlang: en\ncategory: economy\n---\n")
    ru = run(root, "new", "--week", "2026-W49", "--lang", "RU", "--category", "economy",
             "Цены снова растут")
    assert ru.output.strip() == "sources/2026-W49/tseny-snova-rastut.md"
    assert "lang: ru" in (root / ru.output.strip()).read_text(encoding="utf-8")
    wrong = run(root, "new", "--category", "sport", "Match report")
    assert wrong.exit_code == 1 and "unknown category 'sport'; use one of" in wrong.output
    assert run(root, "update").exit_code == 0  # the skeletons are valid sources


# --- the README, from a wheel -------------------------------------------------------------

def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Start your own publication"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


TRANSLATED = {"be": "Беларускі пераклад гэтага тэксту", "ru": "Русский перевод этого текста",
              "en": "The English translation of this text"}


WRITTEN = {"en": "Border guards doubled the patrols along the western border this week.",
           "ru": "Потребительские цены за неделю снова выросли."}


def write_the_commentaries(root: Path) -> None:
    """What the analysts do after new: the text in place of the placeholder."""
    from transflow.sources.commentary import PLACEHOLDERS

    for path in sorted((root / "sources").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        lang = next(lang for lang, said in PLACEHOLDERS.items() if said in text)
        path.write_text(text.replace(PLACEHOLDERS[lang], WRITTEN[lang]), encoding="utf-8")


def translate_everything(root: Path) -> None:
    """What the translators do between update and build (in the right script, so the
    checks of strict mode pass)."""
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        lang = path.parts[-3]
        catalog = polib.pofile(str(path))
        for entry in catalog:
            if not entry.obsolete and not entry.msgstr:
                entry.msgstr = TRANSLATED[lang] + ("." if entry.msgid.endswith(".") else "")
        catalog.save(str(path))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with transflow installed from its wheel (not editable),
    its dependencies taken from the test environment's own."""
    import shutil
    import site
    import sysconfig

    tmp = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools leaves build/ beside the sources it builds.
    source = tmp / "source"
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns(
        "__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp / "dist"), str(source)],
                   check=True, capture_output=True)
    (wheel,) = (tmp / "dist").glob("transflow-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    # The dependencies: the test environment's site-packages, after the venv's own (so
    # its transflow, the wheel's, comes first; the editable install's hook is not run).
    packages = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    ours = [p for p in site.getsitepackages() if "site-packages" in p] or [
        sysconfig.get_paths()["purelib"]]
    (Path(packages) / "test-dependencies.pth").write_text("\n".join(ours) + "\n")
    return venv


def test_the_readme_start_from_an_empty_folder_with_the_wheel(installed: Path,
                                                              tmp_path: Path) -> None:
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import transflow; print(transflow.__file__)"],
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(installed)), where  # the wheel's copy, not the repository
    folder = tmp_path / "empty"
    folder.mkdir()
    cwd = folder
    env = {**os.environ, "PATH": f"{installed / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    for line in readme_commands():
        if line.startswith("# write"):
            write_the_commentaries(cwd)
            continue
        if line.startswith("#"):
            translate_everything(cwd)
            continue
        argv = shlex.split(line)
        if argv[0] == "cd":
            cwd = cwd / argv[1]
            continue
        assert argv[0] == "transflow", line
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
    week = cwd / "output" / "2026-W49"
    for lang in ("be", "ru", "en"):
        html = week / lang / "index.html"
        pdf = week / lang / f"eastern-europe-weekly-2026-W49-{lang}.pdf"
        assert html.is_file() and pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
        assert TRANSLATED[lang] in html.read_text(encoding="utf-8")


# --- translators' platforms --------------------------------------------------------------

def test_translate_toolkit_counts_what_status_counts(tmp_path: Path) -> None:
    import json

    from translate.storage import pypo

    sample = copy_sample(tmp_path / "sample")
    assert run(sample, "update").exit_code == 0
    assert run(sample, "draft", "--week", "2024-W10", "--lang", "ru", "--provider",
               "pseudo").exit_code == 0
    rows = json.loads(run(sample, "status", "--json").output)
    checked = 0
    for row in rows:
        if not row["exists"]:
            continue
        store = pypo.pofile.parsefile(str(sample / row["path"]))
        units = [u for u in store.units if not u.isheader() and not u.isobsolete()]
        counts = {"translated": sum(1 for u in units if u.istranslated()),
                  "fuzzy": sum(1 for u in units if u.isfuzzy()),
                  "untranslated": sum(1 for u in units
                                      if not u.istranslated() and not u.isfuzzy())}
        if "labels" in row:  # the ui catalog: status counts translated labels of all
            assert (counts["translated"], len(units)) == (
                row["labels"]["translated"], row["labels"]["total"]), row["path"]
        else:
            assert counts == {k: row["segments"][k] for k in counts}, row["path"]
        checked += 1
    assert checked >= 8 and any(row.get("segments", {}).get("fuzzy") for row in rows)


def test_labels_a_new_version_adds_come_translated_but_never_over_a_translators(
        tmp_path: Path) -> None:
    """A label the templates gain in a new version of transflow (as the search page's)
    is translated by ``update`` from transflow's own labels, as in a new workspace;
    a label the translator translated, or marked fuzzy, stays theirs."""
    root = copy_sample(tmp_path / "sample")
    path = root / "locales" / "be" / "LC_MESSAGES" / "ui.po"
    po = polib.pofile(str(path))
    po.find("Search this site").msgstr = ""  # as before transflow shipped it
    po.find("Clear").msgstr = "Сцерці"
    po.find("Search results").msgstr = "Вынікі"
    po.find("Search results").flags.append("fuzzy")
    po.save()
    result = run(root, "update")
    assert result.exit_code == 0
    assert "(1 from transflow's labels)" in result.output
    po = polib.pofile(str(path))
    assert po.find("Search this site").msgstr == "Пошук па сайце"
    assert po.find("Clear").msgstr == "Сцерці"
    assert po.find("Search results").msgstr == "Вынікі" and po.find("Search results").fuzzy
    assert msgfmt_check(path).returncode == 0


def test_a_language_without_shipped_labels_is_allowed_and_said_aloud(tmp_path: Path) -> None:
    root, result = init(tmp_path, "--languages", "be,de", "--source-language", "de")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    said = result.output  # type: ignore[attr-defined]
    ui = root / "locales" / "de" / "LC_MESSAGES" / "ui.po"
    total = sum(1 for e in polib.pofile(str(ui)) if not e.obsolete)
    assert total > 50 and all(not e.msgstr for e in polib.pofile(str(ui)))
    assert (f"note: transflow ships no de labels: translate the {total} labels of the "
            f"bulletin in locales/de/LC_MESSAGES/ui.po") in said
    assert "ships no be labels" not in said  # be comes translated
    status = run(root, "status").output.splitlines()
    assert [line.split()[:6] for line in status if line.startswith("ui")] == [
        ["ui", "be", str(total), "of", str(total), "labels"],
        ["ui", "de", "0", "of", str(total), "labels"]]
