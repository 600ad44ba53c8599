"""`transflow build` end to end: real catalogs, real Jinja2, real WeasyPrint, and the
PDF's text read back with pypdf."""

from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path
from typing import ClassVar

import html5lib
import polib
import pytest
from pypdf import PdfReader

from tests.helpers import flat, out, pdf_text, preview, run, write_source
from transflow.publish.render_pdf import render_pdf

W09, W10 = "2024-W09", "2024-W10"


def translations(root: Path, lang: str, week: str) -> list[str]:
    po = polib.pofile(str(root / "locales" / lang / "LC_MESSAGES" / f"{week}.po"))
    return [e.msgstr for e in po.translated_entries()]


@pytest.fixture
def built(sample: Path) -> Path:
    assert run(sample, "update").exit_code == 0
    result = run(sample, "build", "--week", W09)
    assert result.exit_code == 0, result.output
    return sample


@pytest.mark.parametrize(
    ("lang", "title", "week_range", "labels"),
    [
        ("be", "Сітуацыя ў Беларусі", "26 лютага – 3 сакавіка 2024 г.",
         ["Тыдзень коратка", "Пытанні бяспекі", "Эканоміка", "Сітуацыя пагоршылася", "Аўтар:",
          "3 каментары"]),
        ("ru", "Ситуация в Беларуси", "26 февраля – 3 марта 2024 г.",
         ["Неделя вкратце", "Вопросы безопасности", "Ситуация улучшилась", "Автор:",
          "3 комментария"]),
        ("en", "Situation in Belarus", "February 26 – March 3, 2024",
         ["This week at a glance", "Security issues", "The situation has not changed", "By",
          "3 commentaries"]),
    ],
)
def test_pdf_holds_the_translated_bulletin(built: Path, lang: str, title: str,
                                           week_range: str, labels: list[str]) -> None:
    _, pdf = out(built, W09, lang)
    reader = PdfReader(pdf)
    text = flat(pdf_text(pdf))
    for expected in [title, week_range, *labels]:
        # Headings are set in capitals by the stylesheet: compare regardless of case.
        assert flat(expected).casefold() in text.casefold(), expected
    msgstrs = translations(built, lang, W09)
    assert len(msgstrs) >= 10
    # The text as a reader follows it: without the running header and the page number,
    # which fall inside a paragraph that goes on over a page.
    count = len(reader.pages)
    running = flat(f"{title}{week_range}")
    body = "".join(
        (page if number == 1 else page.replace(running, "", 1)).replace(
            f"{number}/{count}", "").replace("•", "")  # list markers come last
        for number, page in enumerate((flat(p.extract_text()) for p in reader.pages), 1))
    for msgstr in msgstrs:
        assert flat(msgstr) in body, msgstr
    # A4, numbered pages, embedded fonts.
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert f"1/{len(reader.pages)}" in text
    for font in page["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor


def test_belarusian_letters_survive_in_pdf(built: Path) -> None:
    text = pdf_text(out(built, W09, "be")[1])
    assert "ў" in text and "і" in text and "абвясціў" in text


def test_own_language_commentary_is_shown_as_written(built: Path) -> None:
    text = flat(pdf_text(out(built, W09, "ru")[1]))
    assert flat("Правительство продлило закупочную кампанию из-за нехватки зерна") in text
    html = out(built, W09, "ru")[0].read_text(encoding="utf-8")
    assert 'class="untranslated"' not in html


def test_html_is_valid_and_self_contained(built: Path) -> None:
    for lang in ("be", "ru", "en"):
        html = out(built, W09, lang)[0].read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        tree = parser.parse(html)
        assert tree.get("lang") == lang
        assert tree.findall(".//script") == []
        # Links to the other languages fetch nothing; the logo is inside the page.
        assert all(link.get("rel") == "alternate" for link in tree.findall(".//link"))
        assert all(e.get("src").startswith("data:") for e in tree.iter() if e.get("src"))
        style = "".join(s.text or "" for s in tree.iter("style"))
        assert "url(" not in style and "@import" not in style
        # Every internal link points at an article of the page.
        ids = {e.get("id") for e in tree.iter() if e.get("id")}
        for a in tree.iter("a"):
            href = a.get("href", "")
            if href.startswith("#"):
                assert href[1:] in ids


def test_untranslated_segment_falls_back_with_its_lang(sample: Path) -> None:
    run(sample, "update")
    result = run(sample, "build", "--week", W10)
    assert result.exit_code == 0
    html = out(sample, W10, "en")[0].read_text(encoding="utf-8")
    assert re.search(r'<p class="untranslated" lang="ru">Власти сохраняют', html)
    assert "<p>On March 7, the Ministry of Labour" in html


def test_language_below_threshold_is_skipped_and_keeps_previous_output(sample: Path) -> None:
    run(sample, "update")
    html, pdf = out(sample, W10, "be")
    html.parent.mkdir(parents=True)
    html.write_text("previous issue", encoding="utf-8")
    result = run(sample, "build", "--week", W10)
    assert result.exit_code == 0
    assert re.search(r"skipped 2024-W10 be: \d+% translated, below the 60% threshold",
                     result.output)
    assert html.read_text(encoding="utf-8") == "previous issue"
    assert not pdf.exists()
    assert out(sample, W10, "ru")[1].exists()
    # The editor lowers the bar for this issue:
    result = run(sample, "build", "--week", W10, "--lang", "be", "--min-translated", "10")
    assert result.exit_code == 0 and "skipped 2024" not in result.output
    assert "Вільнюс і\u00a0Мінск" in html.read_text(encoding="utf-8")


def test_fuzzy_entries_only_with_drafts(sample: Path) -> None:
    run(sample, "update")
    fuzzy = "Решение показывает, что фискальные потребности"
    run(sample, "build", "--week", W10, "--lang", "ru", "--format", "html")
    html = out(sample, W10, "ru")[0].read_text(encoding="utf-8")
    assert fuzzy not in html
    assert re.search(r'class="untranslated" lang="en">The decision shows', html)
    run(sample, "build", "--week", W10, "--lang", "ru", "--format", "html", "--drafts")
    html = preview(sample, W10, "ru")[0].read_text(encoding="utf-8")
    assert f'<p class="fuzzy">{fuzzy}' in html
    assert fuzzy not in out(sample, W10, "ru")[0].read_text(encoding="utf-8")


def _set_msgstr(path: Path, msgid_start: str, msgstr: str) -> None:
    po = polib.pofile(str(path))
    (entry,) = [e for e in po if e.msgid.startswith(msgid_start)]
    entry.msgstr = msgstr
    po.save(str(path))


def test_translated_strings_are_escaped(sample: Path) -> None:
    run(sample, "update")
    locales = sample / "locales" / "ru" / "LC_MESSAGES"
    _set_msgstr(locales / f"{W09}.po", "On February 27", "<script>alert(1)</script> **жирный**")
    _set_msgstr(locales / "ui.po", "This week at a glance", '<img src="file:///etc/passwd">')
    _set_msgstr(locales / "ui.po", "Security issues", "Безопасность & <b>оборона</b>")
    # The injected markup is a check error: the sample's strict mode would refuse it.
    assert run(sample, "build", "--week", W09, "--lang", "ru", "--no-strict").exit_code == 0
    html_path, pdf = out(sample, W09, "ru")
    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=\"file:" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>жирный</strong>" in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "Безопасность &amp; &lt;b&gt;оборона&lt;/b&gt;" in html
    text = flat(pdf_text(pdf))
    assert flat("<script>alert(1)</script>") in text
    assert flat('<img src="file:///etc/passwd">') in text.casefold()  # a heading, in capitals


def test_malformed_po_stops_build_and_replaces_nothing(built: Path) -> None:
    before = {p: p.read_bytes() for p in (built / "output").rglob("*") if p.is_file()}
    path = built / "locales" / "be" / "LC_MESSAGES" / f"{W09}.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("msgstr \"Мінск"))
    lines[number - 1] = 'msgstr "Мінск абвясціў'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _set_msgstr(built / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po", "On February 27",
                "Changed text that must not reach the output.")
    result = run(built, "build", "--week", W09)
    assert result.exit_code == 1
    assert f"locales/be/LC_MESSAGES/{W09}.po:{number}: malformed line" in result.output
    assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in (built / "output").rglob("*") if p.is_file()}
    assert after == before


def test_week_option_forms(sample: Path) -> None:
    run(sample, "update")
    result = run(sample, "build", "--week", "--format", "html")
    assert result.exit_code == 0
    assert (sample / "output" / W10).exists() and not (sample / "output" / W09).exists()
    result = run(sample, "build", "--week", "2024-02-28", "--format", "html")
    assert result.exit_code == 0 and (sample / "output" / W09 / "en" / "index.html").exists()
    result = run(sample, "build", "--week", "2030-W01")
    assert result.exit_code == 1 and "no sources for week 2030-W01" in result.output


def test_rebuild_redoes_only_what_changed(built: Path) -> None:
    _, pdf = out(built, W09, "en")
    mtime = pdf.stat().st_mtime_ns
    result = run(built, "build", "--week", W09)
    assert f"{pdf.relative_to(built)} (unchanged)" in result.output
    assert pdf.stat().st_mtime_ns == mtime
    _set_msgstr(built / "locales" / "en" / "LC_MESSAGES" / f"{W09}.po", "28 февраля",
                "On February 28, the Council of Ministers extended the campaign.")
    result = run(built, "build", "--week", W09, "--no-strict")  # 78% is gone: a check error
    assert f"{pdf.relative_to(built)}\n" in result.output
    assert "extendedthecampaign." in flat(pdf_text(pdf))
    assert f"{out(built, W09, 'be')[1].relative_to(built)} (unchanged)" in result.output


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_pdf_fetches_nothing_outside_the_workspace(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        root = tmp_path / "ws"
        root.mkdir()
        outside = tmp_path / "secret.css"
        outside.write_text("body { color: red }", encoding="utf-8")
        (root / "inside.css").write_text("p { margin: 0 }", encoding="utf-8")
        port = server.server_address[1]
        html = (
            f'<html><head><link rel="stylesheet" href="{outside.as_uri()}">'
            '<link rel="stylesheet" href="inside.css">'
            f'<link rel="attachment" href="{outside.as_uri()}"></head>'
            f'<body><img src="http://127.0.0.1:{port}/tracker.png"><p>x</p></body></html>'
        )
        pdf, refused = render_pdf(html, root)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert _Counting.hits == []
    assert f"http://127.0.0.1:{port}/tracker.png" in refused
    assert outside.as_uri() in refused
    assert not any("inside.css" in url for url in refused)
    assert b"color: red" not in pdf


def test_body_structure_is_kept(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks", "title: Talks\ncategory: security",
                 "## Background\n\nIntro.\n\n- one\n- two\n\n> Quoted.\n\nEnd.")
    run(mini, "update")
    assert run(mini, "build", "--format", "html").exit_code == 0
    html = (mini / "output" / "2019-W10" / "en" / "index.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="body">'):]
    assert "<h5>Background</h5>\n<p>Intro.</p>\n<ul>\n<li>\n<p>one</p>\n</li>\n<li>\n" \
           "<p>two</p>\n</li>\n</ul>\n<blockquote>\n<p>Quoted.</p>\n</blockquote>\n" \
           "<p>End.</p>" in body
    be = (mini / "output" / "2019-W10" / "be" / "index.html").read_text(encoding="utf-8")
    assert '<h5 class="untranslated" lang="en">Background</h5>' in be


@pytest.mark.parametrize("jobs", [1, 2])
def test_alongside_is_given_what_the_manifests_will_hold(sample: Path, jobs: int) -> None:
    """What runs beside the rendering (the site) is given the bulletins about to be
    written and the inputs' digest each manifest then holds; with one job it runs
    after the rendering, once, as it would have."""
    import json

    from transflow.publish.build import build
    from transflow.workspace.config import load_config
    from transflow.workspace.weeks import Week

    assert run(sample, "update").exit_code == 0
    config = load_config(sample)
    calls: list[tuple[tuple[object, ...], dict[tuple[Week, str], str]]] = []
    report = build(config, [Week.parse(W09), Week.parse(W10)], strict=False, jobs=jobs,
                   alongside=lambda made, coming, _: calls.append((made, coming)))
    assert len(calls) == 1
    made, coming = calls[0]
    built = {(b.week, b.lang) for b in report.bulletins}
    assert {(b.week, b.lang) for b in made} == built  # type: ignore[attr-defined]
    if jobs == 1:
        assert coming == {}
        return
    assert set(coming) == built
    for (week, lang), digest in coming.items():
        manifest = sample / "output" / str(week) / lang / ".manifest.json"
        assert json.loads(manifest.read_text(encoding="utf-8"))["inputs"] == digest


# --- previews are for unreviewed text ----------------------------------------------------

def test_a_preview_is_never_refused_and_marks_its_check_errors(sample: Path) -> None:
    run(sample, "update")
    ru = sample / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    original = next(e.msgstr for e in polib.pofile(str(ru))
                    if e.msgid.startswith("On February 27"))
    wrong = ("27 февраля Министерство обороны объявило внезапную проверку боеготовности "
             "двух бригад; в учениях примут участие около 1 700 военнослужащих.")
    _set_msgstr(ru, "On February 27", wrong)
    # The sample is strict: the bulletin is refused, its preview is not.
    refused = run(sample, "build", "--week", W09, "--lang", "ru", "--format", "html")
    assert refused.exit_code == 1 and "refused" in refused.output
    result = run(sample, "build", "--week", W09, "--lang", "ru", "--drafts")
    assert result.exit_code == 0, result.output
    checked = run(sample, "check", "--week", W09, "--lang", "ru")
    errors = int(re.search(r"(\d+) errors", checked.output).group(1))  # type: ignore[union-attr]
    assert errors >= 1
    assert f"{W09} ru: {errors} check errors, marked in the preview" in result.output
    html_path, pdf = preview(sample, W09, "ru")
    page = html5lib.parse(html_path.read_text(encoding="utf-8"), namespaceHTMLElements=False)
    marked = page.findall(".//*[@class='check-error']")
    assert len(marked) == 1 and "".join(marked[0].itertext()).startswith("27 февраля")
    note = "".join(marked[0].find("small").itertext())
    assert note.startswith("(ошибка проверки: ") and "1,500" in note
    count = page.find(".//p[@class='check-count']")
    shown = f"Ошибки проверки, отмеченные в тексте: {errors}"
    assert count is not None and count.text == shown.replace(" в ", " в\u00a0")
    text = flat(pdf_text(pdf))
    assert flat(shown) in text
    assert flat("ошибка проверки:") in text
    # Fixed: the mark and the count go.
    _set_msgstr(ru, "On February 27", original)
    assert run(sample, "build", "--week", W09, "--lang", "ru", "--drafts").exit_code == 0
    fixed = html_path.read_text(encoding="utf-8")
    assert "check-error" not in fixed.replace(".check-error", "") and "check-count" not in \
        fixed.replace(".check-count", "")


def test_new_writes_its_placeholder_in_the_commentary_language_and_it_never_publishes(
        sample: Path) -> None:
    made = run(sample, "new", "--week", W10, "--lang", "ru", "--category", "economy",
               "Цены снова растут")
    assert made.exit_code == 0, made.output
    source = sample / made.output.strip()
    assert "Напишите комментарий здесь" in source.read_text(encoding="utf-8")
    assert run(sample, "update").exit_code == 0
    checked = run(sample, "check", "--sources", "--week", W10)
    assert checked.exit_code == 1
    assert (f"{made.output.strip()}:" in checked.output
            and "the placeholder paragraph of transflow new is still here" in checked.output)
    # Strict (the sample's setting) refuses every language of the week.
    strict = run(sample, "build", "--week", W10, "--format", "html")
    assert strict.exit_code == 1
    assert "the placeholder paragraph of transflow new is still here" in strict.output
    assert not (sample / "output" / W10).exists()
    loose = run(sample, "build", "--week", W10, "--format", "html", "--no-strict")
    assert loose.exit_code == 0 and "placeholder paragraph" in loose.output
    shown = run(sample, "build", "--week", W10, "--lang", "ru", "--format", "html", "--drafts")
    assert shown.exit_code == 0, shown.output
    page = preview(sample, W10, "ru")[0].read_text(encoding="utf-8")
    assert re.search(r'<p class="check-error">Напишите комментарий здесь[^<]*<small '
                     r'class="check-note">\(ошибка проверки: <span lang="en">the placeholder '
                     r'paragraph of transflow new</span>\)', page)
