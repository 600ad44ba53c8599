"""The release path: previews never become the bulletin, the build's report and exit
status tell the truth, readers are told what is not translated, and failures to write
are clean. Real catalogs, real WeasyPrint, the PDF read back with pypdf."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from pypdf import PdfReader

from tests.helpers import REPO, files, flat, msgfmt_check, out, preview, run, write_source

W09, W10 = "2024-W09", "2024-W10"
PREVIEW = {
    "be": "Папярэдні прагляд: ёсць неправераныя пераклады",
    "ru": "Предварительный просмотр: есть непроверенные переводы",
    "en": "Preview: contains unreviewed translations",
}
FALLBACK = {
    "be": "Некаторыя фрагменты яшчэ не перакладзеныя і пададзеныя на мове арыгінала.",
    "ru": "Некоторые фрагменты ещё не переведены и даны на языке оригинала.",
    "en": "Some passages are not yet translated and are shown in the original language.",
}


def page_texts(pdf: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(pdf).pages]


def set_msgstr(root: Path, lang: str, domain: str, msgid_start: str, msgstr: str) -> None:
    path = root / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"
    catalog = polib.pofile(str(path))
    (entry,) = [e for e in catalog if e.msgid.startswith(msgid_start) and not e.obsolete]
    entry.msgstr = msgstr
    catalog.save(str(path))


def break_numbers(root: Path) -> None:
    """A check error in the ru translation of 2024-W09 (a number changed)."""
    path = root / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith("On February 27"))
    entry.msgstr = entry.msgstr.replace("1 500", "1 400")
    catalog.save(str(path))


# --- previews never become the bulletin -----------------------------------------------

@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_preview_goes_to_its_own_tree_and_says_so(updated: Path, lang: str) -> None:
    result = run(updated, "build", "--week", W10, "--lang", lang, "--drafts",
                 "--min-translated", "0")
    assert result.exit_code == 0, result.output
    assert not (updated / "output" / W10).exists()  # nothing in the publication tree
    html_path, pdf = preview(updated, W10, lang)
    html = html_path.read_text(encoding="utf-8")
    body = html[html.index("<body>"):]
    # The banner is the first thing on the page, in the bulletin's language.
    # (In a landmark of its own, as every text of a page.)
    assert body.split("\n")[1] == ('<aside class="preview-banner" aria-labelledby="preview-note">'
                                   f'<p id="preview-note">{PREVIEW[lang]}</p></aside>')
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert flat(PREVIEW[lang]) in text, f"page {number} lacks the preview mark"
    assert "previews: 1 built" in result.output


def test_plain_build_after_a_preview_keeps_nothing_of_it(updated: Path) -> None:
    # be is below the threshold for 2024-W10 unless drafts are counted.
    assert run(updated, "build", "--week", W10, "--drafts", "--min-translated", "0",
               "--lang", "be").exit_code == 0
    preview_files = files(updated / "output" / "preview")
    result = run(updated, "build", "--week", W10)
    assert "skipped 2024-W10 be: 19% translated, below the 60% threshold; not built, no " \
           "earlier bulletin exists" in result.output
    assert not (updated / "output" / W10 / "be").exists()
    assert files(updated / "output" / "preview") == preview_files
    for path in files(updated / "output" / W10):
        assert "preview" not in path.name
        if path.suffix == ".html":
            assert 'class="preview-banner"' not in path.read_text(encoding="utf-8")


def test_plain_build_reads_nothing_from_the_preview_tree(updated: Path) -> None:
    assert run(updated, "build", "--week", W09).exit_code == 0
    before = files(updated / "output" / W09)
    # Whatever stands in the preview tree, even garbage, changes nothing.
    shutil.copytree(updated / "output" / W09, updated / "output" / "preview" / W09)
    for path in (updated / "output" / "preview").rglob("*"):
        if path.is_file():
            path.write_bytes(b"garbage")
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 0
    assert "bulletins: 0 built, 3 unchanged" in result.output
    assert files(updated / "output" / W09) == before
    (updated / "output" / W09 / "en" / "index.html").unlink()
    assert run(updated, "build", "--week", W09).exit_code == 0
    assert b"garbage" not in (updated / "output" / W09 / "en" / "index.html").read_bytes()


# --- the report and the exit status ---------------------------------------------------

@pytest.mark.parametrize("formats", [(), ("--format", "pdf"), ("--format", "html")])
def test_strict_refuses_whatever_the_formats(updated: Path, formats: tuple[str, ...]) -> None:
    break_numbers(updated)
    result = run(updated, "build", "--week", W09, "--strict", *formats)
    assert result.exit_code == 1
    assert ("refused 2024-W09 ru: 1 check errors (transflow check --week 2024-W09 --lang ru); "
            "not built, no earlier bulletin exists") in result.output
    assert "bulletins: 2 built, 0 unchanged, 0 skipped (threshold), 1 refused (strict)" in (
        result.output)
    assert not (updated / "output" / W09 / "ru").exists()
    assert "Traceback" not in result.output


def test_refused_language_keeps_its_previous_output(updated: Path) -> None:
    assert run(updated, "build", "--week", W09).exit_code == 0
    before = files(updated / "output" / W09 / "ru")
    break_numbers(updated)
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 1
    assert "refused 2024-W09 ru: 1 check errors" in result.output
    assert "not built, previous output kept" in result.output
    assert files(updated / "output" / W09 / "ru") == before


def test_strict_is_the_sample_default_and_can_be_turned_off(updated: Path) -> None:
    break_numbers(updated)
    assert run(updated, "build", "--week", W09, "--format", "html").exit_code == 1
    result = run(updated, "build", "--week", W09, "--format", "html", "--no-strict")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "check errors" in line]
    assert warnings == ["warning: 2024-W09 ru: 1 check errors in the translations; see them "
                        "with transflow check --week 2024-W09 --lang ru"]
    assert "Мінск" in out(updated, W09, "be")[0].read_text(encoding="utf-8")
    assert (updated / "output" / W09 / "ru" / "index.html").exists()


def test_without_build_strict_errors_only_warn(mini: Path) -> None:
    write_source(mini, "2019-W10", "grain", "title: Grain\ncategory: economy",
                 "The harvest fell by 12% to 7.1 million tonnes.")
    run(mini, "update")
    set_msgstr(mini, "ru", "2019-W10", "The harvest", "Урожай упал на 15%.")
    set_msgstr(mini, "ru", "2019-W10", "Grain", "Зерно")
    result = run(mini, "build", "--lang", "ru", "--format", "html")
    assert result.exit_code == 0
    assert "warning: 2019-W10 ru: 2 check errors in the translations" in result.stderr
    with (mini / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write("\n[build]\nstrict = true\n")
    result = run(mini, "build", "--lang", "ru", "--format", "html")
    assert result.exit_code == 1 and "refused 2019-W10 ru: 2 check errors" in result.output


def test_bad_build_setting_names_its_line(mini: Path) -> None:
    with (mini / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write('\n[build]\nstrict = "yes"\n')
    result = run(mini, "status")
    assert result.exit_code == 1
    assert "transflow.toml:17: [build] strict must be true or false" in result.output


def test_summary_and_exit_status_when_nothing_could_be_built(updated: Path) -> None:
    result = run(updated, "build", "--week", W10, "--lang", "be")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "bulletins: 0 built, 0 unchanged, 1 skipped (threshold), 0 refused (strict)")
    assert "no bulletin was built and none is up to date" in result.output
    # Up to date is success: nothing needed doing.
    assert run(updated, "build", "--week", W09).exit_code == 0
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "bulletins: 0 built, 3 unchanged, 0 skipped (threshold), 0 refused (strict)")
    # A skipped language next to built ones is a configured policy, not a failure.
    result = run(updated, "build", "--week", W10)
    assert result.exit_code == 0
    assert "bulletins: 2 built, 0 unchanged, 1 skipped (threshold)" in result.output


def test_an_editors_script_stops_after_a_build_that_published_nothing(updated: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    script = (f'"{sys.executable}" -m transflow build --week {W10} --lang be -w "{updated}" '
              "&& echo SENDING")
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "SENDING" not in done.stdout
    script = script.replace("--lang be", "--lang ru")
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "SENDING" in done.stdout


def test_newline_mismatch_is_an_error(updated: Path) -> None:
    path = updated / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith("On February 27"))
    entry.msgstr += "\n"
    catalog.save(str(path))
    assert msgfmt_check(path).returncode != 0  # what makes it an error
    result = run(updated, "check", "--week", W09, "--lang", "ru")
    assert result.exit_code == 1
    (line,) = [x for x in result.stdout.splitlines() if "[newlines]" in x]
    assert line.startswith(f"locales/ru/LC_MESSAGES/{W09}.po:")
    assert ": error: [newlines] the translation ends with a newline and the source does not" \
        in line
    assert "[endwhitespace]" not in result.stdout  # said once, as the error


# --- what a reader sees is explained --------------------------------------------------

@pytest.mark.parametrize("lang", ["ru", "en"])
def test_fallback_text_is_explained(updated: Path, lang: str) -> None:
    assert run(updated, "build", "--week", W10, "--lang", lang).exit_code == 0
    html_path, pdf = out(updated, W10, lang)
    html = html_path.read_text(encoding="utf-8")
    assert 'class="untranslated"' in html
    # (Typography ties one-letter words: compared with plain spaces.)
    assert f'<p class="fallback-note">{FALLBACK[lang]}</p>' in html.replace("\u00a0", " ")
    assert html.index("fallback-note") < html.index("</nav>")  # at the end of the contents
    assert flat(FALLBACK[lang]) in "".join(page_texts(pdf))


def test_fully_translated_bulletin_has_no_fallback_note(updated: Path) -> None:
    assert run(updated, "build", "--week", W09, "--format", "html").exit_code == 0
    for lang in ("be", "ru", "en"):
        html = out(updated, W09, lang)[0].read_text(encoding="utf-8")
        assert 'class="fallback-note"' not in html


def test_missing_ui_catalog_is_never_silent(sample: Path) -> None:
    ui = sample / "locales" / "be" / "LC_MESSAGES" / "ui.po"
    ui.unlink()
    status = run(sample, "status", "--week", W09)
    assert "ui        be   no ui catalog: all 84 labels appear in English" in status.output
    result = run(sample, "build", "--week", W09, "--lang", "be", "--format", "html")
    assert result.exit_code == 0
    assert ("warning: locales/be/LC_MESSAGES/ui.po is missing: all 84 labels will appear in "
            "English") in result.stderr
    # update recreates it from ui.pot: every label, those transflow ships translated.
    assert run(sample, "update").exit_code == 0
    assert msgfmt_check(ui).returncode == 0
    pot = polib.pofile(str(sample / "locales" / "templates" / "ui.pot"))
    assert sorted(e.msgid for e in polib.pofile(str(ui))) == sorted(e.msgid for e in pot)
    status = run(sample, "status", "--week", W09).stdout.splitlines()
    shipped = polib.pofile(str(REPO / "src" / "transflow" / "locales" / "be.po"))
    translated = {e.msgid for e in shipped if e.translated()} & {e.msgid for e in pot}
    assert len(translated) > 60
    assert status[-2].split()[:6] == ["ui", "be", str(len(translated)), "of", "84", "labels"]


def test_incomplete_ui_catalog_is_counted(sample: Path) -> None:
    run(sample, "update")
    set_msgstr(sample, "ru", "ui", "This week at a glance", "")
    set_msgstr(sample, "ru", "ui", "Economy", "")
    result = run(sample, "build", "--week", W09, "--lang", "ru", "--format", "html")
    assert result.exit_code == 0
    assert ("warning: locales/ru/LC_MESSAGES/ui.po: 2 of 84 labels are not translated and "
            "will appear in English") in result.stderr
    assert '<h2 id="glance-heading">This week at a glance</h2>' in out(sample, W09, "ru")[
        0].read_text(encoding="utf-8")
    status = run(sample, "status", "--json")
    (row,) = [r for r in __import__("json").loads(status.stdout)
              if r["domain"] == "ui" and r["lang"] == "ru"]
    assert row["labels"] == {"translated": 82, "total": 84} and row["exists"]


# --- clean failures -------------------------------------------------------------------

def test_a_file_where_an_output_folder_must_go(updated: Path) -> None:
    blocker = updated / "output" / W09 / "ru"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (f"failed: output/{W09}/ru: Not a directory; a file stands where a folder must go"
            in result.stderr)
    assert "1 failed" in result.stdout
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    # The other languages were built, each whole.
    for lang in ("be", "en"):
        assert all(p.exists() for p in out(updated, W09, lang))
    assert not [p for p in (updated / "output").rglob("*.tmp")]


def _chattr(path: Path, flag: str) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_an_immutable_output_file(updated: Path) -> None:
    assert run(updated, "build", "--week", W09, "--lang", "en").exit_code == 0
    html, pdf = out(updated, W09, "en")
    if not _chattr(pdf, "+i"):
        pytest.skip("chattr +i does not work on this file system")
    try:
        before = files(html.parent)
        set_msgstr(updated, "en", W09, "28 февраля",
                   "On February 28, the Council of Ministers extended the campaign to the "
                   "end of March; only 78% of the planned grain has been delivered.")
        result = run(updated, "build", "--week", W09, "--lang", "en")
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert f"failed: {pdf.relative_to(updated)}: Operation not permitted" in result.stderr
        # Nothing half-written: the HTML went back to what it was, no temporary file stays.
        assert files(html.parent) == before
    finally:
        _chattr(pdf, "-i")


def test_refused_url_in_the_stylesheet_is_a_warning(updated: Path) -> None:
    from transflow.workspace.config import DEFAULT_TEMPLATES

    # The workspace's own stylesheet, in templates/, overrides the default.
    (updated / "templates").mkdir()
    (updated / "templates" / "bulletin.css").write_text(
        (DEFAULT_TEMPLATES / "bulletin.css").read_text(encoding="utf-8")
        + "\n.masthead { background: url(http://127.0.0.1:9/paper.png) }\n", encoding="utf-8")
    result = run(updated, "build", "--week", W09, "--lang", "en")
    assert result.exit_code == 0
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if "refused to fetch" in x]
    assert line.startswith(f"warning: output/{W09}/en/situation-in-belarus-{W09}-en.pdf: "
                           "refused to fetch http://127.0.0.1:9/paper.png")
    assert out(updated, W09, "en")[1].exists()


def test_latest_weeks_are_listed_newest_first(updated: Path) -> None:
    result = run(updated, "build", "--week", "2030-W01")
    assert result.exit_code == 1
    assert "latest weeks: 2024-W10, 2024-W09" in result.output


def test_the_site_made_while_a_bulletin_failed_does_not_show_it(updated: Path) -> None:
    """The site is made while the bulletins render: when one of them cannot be written,
    it is made again without it, so that no page links to what is not there."""
    blocker = updated / "output" / W09 / "ru"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(updated, "build")
    assert result.exit_code == 1
    assert f"failed: output/{W09}/ru: Not a directory" in result.stderr
    assert "Traceback" not in result.output
    ru = [p.read_text(encoding="utf-8") for p in (updated / "output" / "ru").rglob("*.html")]
    assert ru and not any(f"{W09}/ru/" in page for page in ru)
    assert not (updated / "output" / "ru" / "categories" / "security").exists()
    en = (updated / "output" / "en" / "categories" / "security" / "index.html")
    assert f"{W09}/en/" in en.read_text(encoding="utf-8")  # the languages written are there
    blocker.unlink()
    assert run(updated, "build").exit_code == 0
    ru = [p.read_text(encoding="utf-8") for p in (updated / "output" / "ru").rglob("*.html")]
    assert any(f"{W09}/ru/" in page for page in ru)
