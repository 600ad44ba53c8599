"""No traceback for what a workspace may hold by mistake: a folder where transflow keeps
a file of its own, a glossary that is not text, a date that is not in the calendar;
and flags written in msgcat's order. Each is one line, exit 1, and nothing changed.

Every file here is written for these tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import files, po, run, write_source

W09 = "2024-W09"
OWN = ["lock", "update-state.json", "build-state.json", "check-state.json",
       "memory-be-state.json", "memory-misses-state.json", "site-pages-state.json",
       "site-listings-state.json", "site-current-state.json", "site-state.json", "output-phase"]


@pytest.mark.parametrize("name", OWN)
def test_a_folder_where_transflow_keeps_a_file(updated: Path, name: str) -> None:
    assert run(updated, "build", "--week", W09, "--format", "html").exit_code == 0
    assert run(updated, "check").exit_code in (0, 1)
    own = updated / ".transflow" / name
    if own.exists():
        own.unlink()
    own.mkdir()
    source = updated / "sources" / W09 / "border-readiness-check.md"
    source.write_text(source.read_text(encoding="utf-8").replace("snap", "sudden"),
                      encoding="utf-8")
    before = files(updated / "locales") | files(updated / "output")
    for command in (["update"], ["build", "--week", W09, "--format", "html"]):
        result = run(updated, *command)
        assert result.exit_code == 1, (command, result.output)
        assert f".transflow/{name}: is a folder where transflow keeps a file" in result.output
    assert files(updated / "locales") | files(updated / "output") == before
    shutil.rmtree(own)
    assert run(updated, "update").exit_code == 0  # removed, as the message says: all well


def test_a_glossary_that_is_not_text(updated: Path) -> None:
    (updated / "glossary.csv").write_bytes(b"be,ru,en,forbidden,note\n\xff\xfe\x00\x01")
    result = run(updated, "check")
    assert result.exit_code == 1
    assert "glossary.csv: is not UTF-8 text" in result.output
    assert "Traceback" not in result.output


def test_a_date_not_in_the_calendar(updated: Path) -> None:
    write_source(updated, W09, "leap", "title: Leap\ncategory: economy\ndate: 2024-02-30",
                 "Text.")
    before = files(updated / "locales")
    result = run(updated, "update")
    assert result.exit_code == 1
    assert f"sources/{W09}/leap.md:" in result.output
    assert "date '2024-02-30' is not a date of the calendar" in result.output
    assert files(updated / "locales") == before


def test_flags_are_written_in_msgcats_order(updated: Path) -> None:
    target = po(updated, "ru", W09)
    text = target.read_text(encoding="utf-8")
    first = text.index("\n#: ") + 1
    text = text[:first] + "#, python-brace-format, fuzzy, no-wrap, python-format\n" + \
        text[first:]
    target.write_text(text, encoding="utf-8")
    assert run(updated, "update").exit_code == 0
    written = target.read_text(encoding="utf-8")
    again = subprocess.run(["msgcat", str(target)], capture_output=True, text=True,
                           check=True).stdout
    assert "#, fuzzy, python-format, python-brace-format, no-wrap\n" in written
    assert written == again


@pytest.mark.parametrize(("answer", "said"), [
    (lambda q: "слова " * 400_000, "over 1024 KiB"),  # megabytes for a short segment
    (lambda q: q * 40, "not a translation of it"),  # far longer than any translation
])
def test_a_draft_out_of_all_proportion_is_refused(mini: Path, answer, said: str) -> None:  # type: ignore[no-untyped-def]
    from tests.libre_server import LibreServer

    write_source(mini, "2019-W10", "rail", "title: Rail talks\ncategory: security",
                 "First paragraph.\n\nSecond paragraph.")
    assert run(mini, "update").exit_code == 0
    target = po(mini, "ru", "2019-W10")
    before = target.stat().st_size
    with LibreServer() as server:
        server.translate = lambda q, source, target_lang: answer(q)
        result = run(mini, "draft", "--lang", "ru", "--provider", "libre", "--url", server.url)
    assert result.exit_code == 1
    assert said in result.output and "Traceback" not in result.output
    assert "rail" in result.output or "2019-W10" in result.output  # names the entry
    assert target.stat().st_size < before + 2000


def test_control_characters_reach_no_page_pdf_or_feed(updated: Path) -> None:
    """A bell in a front-matter title (a double-quoted YAML escape) and a vertical tab in
    a translation (a PO escape): left out of the HTML, the PDF and the feed, and named
    by check with their lines."""
    from tests.helpers import out, pdf_text, set_base_url

    set_base_url(updated, "https://bulletin.example.org/")
    source = updated / "sources" / W09 / "border-readiness-check.md"
    text = source.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    title = title_line.removeprefix("title:").strip().strip('"')
    source.write_text(text.replace(title_line, f'title: "{title} \\a bell"'), encoding="utf-8")
    target = po(updated, "ru", W09)
    catalog = target.read_text(encoding="utf-8")
    at = catalog.index('msgstr "', catalog.index("#: sources/")) + len('msgstr "')
    if catalog[at] == '"':  # a wrapped msgstr starts on the next line
        at = catalog.index('"', at + 2) + 1
    target.write_text(catalog[:at] + "\\v" + catalog[at:], encoding="utf-8")
    assert run(updated, "update").exit_code == 0
    result = run(updated, "build", "--week", W09)
    assert result.exit_code == 0, result.output
    for lang in ("be", "ru", "en"):
        html, pdf = out(updated, W09, lang)
        for data in (html.read_text(encoding="utf-8"), pdf_text(pdf),
                     (updated / "output" / lang / "feed.xml").read_text(encoding="utf-8")):
            assert "\a" not in data and "\v" not in data
    assert "bell" in out(updated, W09, "en")[0].read_text(encoding="utf-8")
    checked = run(updated, "check", "--sources")
    assert "U+000B" in checked.output and f"locales/ru/LC_MESSAGES/{W09}.po:" in checked.output
    assert "U+0007" in checked.output and f"sources/{W09}/border-readiness-check.md" in (
        checked.output)


def _mount_small(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


def test_a_full_disk_fails_the_site_and_keeps_the_index(sample: Path) -> None:
    """output/ on a 1 MiB filesystem: the search index does not fit. The build fails
    naming the file, no empty or short index is swapped in, and once there is room the
    next build makes it whole; a page a full disk left empty is made again."""
    output = sample / "output"
    if not _mount_small(output, "1m"):
        pytest.skip("mounting a small tmpfs needs root (a full disk is made that way)")
    try:
        assert run(sample, "update").exit_code == 0
        result = run(sample, "build", "--format", "html")
        assert result.exit_code == 1
        assert "output/pagefind/" in result.stderr and "incomplete" in result.stderr
        assert not [p for p in output.rglob("*") if p.is_file() and p.stat().st_size == 0]
        assert not (output / "pagefind" / "2024-W09").exists()  # nothing half-made in its place
        subprocess.run(["mount", "-o", "remount,size=16m", str(output)], check=True)
        result = run(sample, "build", "--format", "html")
        assert result.exit_code == 0, result.output
        assert (output / "pagefind" / "2024-W09" / "pagefind-entry.json").stat().st_size > 0
        page = output / "en" / "index.html"
        whole = page.read_bytes()
        page.write_bytes(b"")  # as a full disk leaves a file
        result = run(sample, "build", "--format", "html")
        assert result.exit_code == 0
        assert page.read_bytes() == whole
    finally:
        subprocess.run(["umount", str(output)], capture_output=True)
