"""`transflow import`: pages of both layouts, in three languages, as text and HTML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.helpers import run
from transflow.cli import main

PAGES = Path(__file__).parent / "pages"


def front_matter(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body.strip()


@pytest.mark.parametrize(
    ("page", "expected", "paragraphs"),
    [
        ("weekly-en.txt", {"title": "Vilnius and Minsk agree on a new border crossing schedule",
                           "lang": "en", "category": "security", "trend": "better",
                           "author": "Anna Example"}, 2),
        ("weekly-ru.txt", {"title": "Минск и Вильнюс договорились о новом графике работы "
                                    "пунктов пропуска",
                           "lang": "ru", "category": "security", "trend": "better",
                           "author": "Ирина Пример"}, 2),
        ("weekly-be.txt", {"title": "Урад павысіў нарыхтоўчыя цэны на збожжа", "lang": "be",
                           "category": "economy", "trend": "worse",
                           "author": "Ірына Прыклад"}, 2),
    ],
)
def test_weekly_layout(sample: Path, page: str, expected: dict[str, object],
                       paragraphs: int) -> None:
    result = run(sample, "import", str(PAGES / page))
    assert result.exit_code == 0, result.output
    path = sample / result.stdout.strip()
    week = "2019-W09" if page == "weekly-be.txt" else "2019-W10"
    assert path.parent == sample / "sources" / week
    meta, body = front_matter(path)
    assert meta == expected
    blocks = body.split("\n\n")
    assert len(blocks) == paragraphs
    lines = (PAGES / page).read_text(encoding="utf-8").splitlines()
    assert all(block in lines for block in blocks)  # kept exactly, in order
    assert [lines.index(b) for b in blocks] == sorted(lines.index(b) for b in blocks)
    assert "subscri" not in body.lower() and "подпис" not in body and "падпіс" not in body


@pytest.mark.parametrize(
    ("page", "lang", "credit"),
    [
        ("dated-en.txt", "en", "Ministry press office"),
        ("dated-ru.txt", "ru", "пресс-служба министерства"),
        ("dated-be.txt", "be", "прэс-служба міністэрства"),
    ],
)
def test_dated_layout(sample: Path, page: str, lang: str, credit: str) -> None:
    result = run(sample, "import", str(PAGES / page), "--category", "foreign")
    assert result.exit_code == 0, result.output
    path = sample / result.stdout.strip()
    assert path.parent.name == "2016-W39"
    meta, body = front_matter(path)
    assert meta["lang"] == lang and meta["category"] == "foreign"
    assert meta["date"] == date(2016, 9, 26)
    assert meta["image_credit"] == credit
    assert "author" not in meta and "trend" not in meta
    assert len(body.split("\n\n")) == 2
    assert "header" not in body and "must not" not in body and "Іншы" not in body


def test_saved_html_page(sample: Path) -> None:
    result = run(sample, "import", str(PAGES / "weekly-en.html"))
    assert result.exit_code == 0, result.output
    meta, body = front_matter(sample / result.stdout.strip())
    assert meta == {"title": "Parliament extends the spring session", "lang": "en",
                    "category": "domestic", "trend": "unchanged", "author": "Anna Example"}
    assert result.stdout.strip().startswith("sources/2019-W09/")
    assert body.split("\n\n") == [
        "The House of Representatives voted on Wednesday to extend its spring session by two "
        "weeks to finish the budget amendments.",
        "Deputies said the additional sittings would be used for the second reading of the "
        "bill on local councils.",
        "The extension does not change the balance between parliament and the executive, "
        "which still drafts every major bill.",
    ]


def test_no_week_asks_for_week(sample: Path, tmp_path: Path) -> None:
    page = tmp_path / "undated.txt"
    page.write_text("Security issues\n\nA title without a date\n\nOne paragraph of text.\n",
                    encoding="utf-8")
    before = sorted(p.name for p in (sample / "sources").rglob("*"))
    result = run(sample, "import", str(page))
    assert result.exit_code == 1
    assert "no week range or date found in the page; pass --week" in result.output
    assert sorted(p.name for p in (sample / "sources").rglob("*")) == before
    result = run(sample, "import", str(page), "--week", "2019-03-06")
    assert result.exit_code == 0
    assert result.stdout.strip() == "sources/2019-W10/a-title-without-a-date.md"


def test_no_category_asks_for_category(sample: Path) -> None:
    result = run(sample, "import", str(PAGES / "dated-en.txt"))
    assert result.exit_code == 1
    assert "no category label found in the page; pass --category, one of security" in (
        result.output)
    assert not (sample / "sources" / "2016-W39").exists()


def test_existing_source_needs_force(sample: Path) -> None:
    first = run(sample, "import", str(PAGES / "weekly-en.txt"))
    path = sample / first.stdout.strip()
    path.write_text(path.read_text(encoding="utf-8") + "\nAn editor's added paragraph.\n",
                    encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    again = run(sample, "import", str(PAGES / "weekly-en.txt"))
    assert again.exit_code == 1
    assert "already exists; pass --force to replace it" in again.output
    assert path.read_text(encoding="utf-8") == edited
    forced = run(sample, "import", str(PAGES / "weekly-en.txt"), "--force")
    assert forced.exit_code == 0
    assert "An editor's added paragraph." not in path.read_text(encoding="utf-8")


def test_dry_run_prints_and_writes_nothing(sample: Path) -> None:
    result = run(sample, "import", str(PAGES / "weekly-ru.txt"), "--dry-run")
    assert result.exit_code == 0
    assert "title: Минск и Вильнюс договорились" in result.stdout
    assert "(dry run, not written)" in result.stdout
    assert not (sample / "sources" / "2019-W10").exists()


def test_standard_input_and_unique_slugs(sample: Path) -> None:
    data = (PAGES / "weekly-en.txt").read_bytes()
    result = CliRunner().invoke(
        main, ["import", "-", str(PAGES / "weekly-en.txt"), "--workspace", str(sample)],
        input=data)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [
        "sources/2019-W10/vilnius-and-minsk-agree-on-a-new-border-crossing-schedule.md",
        "sources/2019-W10/vilnius-and-minsk-agree-on-a-new-border-crossing-schedule-2.md",
    ]


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8-sig"])
def test_other_encodings_are_decoded(sample: Path, tmp_path: Path, encoding: str) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes((PAGES / "weekly-ru.txt").read_text(encoding="utf-8").encode(encoding))
    result = run(sample, "import", str(page))
    assert result.exit_code == 0, result.output
    meta, _ = front_matter(sample / result.stdout.strip())
    assert meta["title"] == "Минск и Вильнюс договорились о новом графике работы пунктов пропуска"


def test_undecodable_and_garbled_pages_are_refused(sample: Path, tmp_path: Path) -> None:
    latin2 = tmp_path / "latin2.txt"
    latin2.write_bytes("Tytuł: żółć\n\nZażółć gęślą jaźń.\n".encode("iso-8859-2"))
    result = run(sample, "import", str(latin2), "--week", "2019-W10")
    assert result.exit_code == 1
    assert "not UTF-8, UTF-16 or cp1251 text; save the page as UTF-8" in result.output
    garbled = tmp_path / "garbled.txt"
    text = (PAGES / "weekly-ru.txt").read_text(encoding="utf-8")
    garbled.write_text(text.encode("utf-8").decode("latin-1"), encoding="utf-8")
    result = run(sample, "import", str(garbled))
    assert result.exit_code == 1 and "garbled" in result.output
    assert not (sample / "sources" / "2019-W10").exists()


def test_paragraph_that_looks_like_markdown_stays_a_paragraph(sample: Path,
                                                              tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("March 4 – 10, 2019\nEconomy\n\nNumbers of the week\n\n"
                    "2019. A year that began with a new tax code.\n\n"
                    "# of companies fell by 4%.\n", encoding="utf-8")
    result = run(sample, "import", str(page))
    assert result.exit_code == 0, result.output
    assert run(sample, "update", "--week", "2019-W10").exit_code == 0
    pot = (sample / "locales" / "templates" / "2019-W10.pot").read_text(encoding="utf-8")
    assert 'msgid "2019\\\\. A year that began with a new tax code."' in pot
    assert run(sample, "build", "--week", "2019-W10", "--lang", "en",
               "--format", "html").exit_code == 0
    html = (sample / "output" / "2019-W10" / "en" / "index.html").read_text(encoding="utf-8")
    assert "<p>2019. A year that began with a new tax code.</p>" in html
    assert "<p># of companies fell by 4%.</p>" in html


def test_round_trip_import_update_build(sample: Path) -> None:
    for page in ("weekly-en.txt", "weekly-ru.txt"):
        assert run(sample, "import", str(PAGES / page)).exit_code == 0
    assert run(sample, "update", "--week", "2019-W10").exit_code == 0
    po = sample / "locales" / "be" / "LC_MESSAGES" / "2019-W10.po"
    assert "Минск и Вильнюс договорились" in po.read_text(encoding="utf-8")
    result = run(sample, "build", "--week", "2019-W10", "--min-translated", "0")
    assert result.exit_code == 0, result.output
    html = (sample / "output" / "2019-W10" / "ru" / "index.html").read_text(encoding="utf-8")
    assert "Пограничные службы двух стран во вторник" in html
    assert "Ирина Пример" in html and "Ситуация улучшилась" in html
    assert (sample / "output" / "2019-W10" / "be" / "situation-in-belarus-2019-W10-be.pdf"
            ).exists()


@pytest.mark.parametrize(
    ("drop", "missing"),
    [
        ("by Anna Example", "author"),
        ("The situation has gotten better", "trend"),
    ],
)
def test_optional_elements_absent(sample: Path, tmp_path: Path, drop: str,
                                  missing: str) -> None:
    text = (PAGES / "weekly-en.txt").read_text(encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text(text.replace(drop + "\n", ""), encoding="utf-8")
    result = run(sample, "import", str(page))
    assert result.exit_code == 0, result.output
    meta, body = front_matter(sample / result.stdout.strip())
    assert missing not in meta
    assert meta["title"] == "Vilnius and Minsk agree on a new border crossing schedule"
    assert len(body.split("\n\n")) == 2


def test_bare_by_line_means_no_author(sample: Path, tmp_path: Path) -> None:
    text = (PAGES / "weekly-en.txt").read_text(encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text(text.replace("by Anna Example", "by"), encoding="utf-8")
    result = run(sample, "import", str(page))
    meta, _ = front_matter(sample / result.stdout.strip())
    assert "author" not in meta and meta["trend"] == "better"


def test_page_without_commentary_is_refused(sample: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Subscribe to our newsletter\nEN\nBE/RU\nRead more\n", encoding="utf-8")
    result = run(sample, "import", str(page), "--week", "2019-W10", "--category", "economy")
    assert result.exit_code == 1
    assert "no commentary found" in result.output


def _without_belarusian(root: Path) -> None:
    config = root / "transflow.toml"
    text = config.read_text(encoding="utf-8").replace(
        'languages = ["be", "ru", "en"]', 'languages = ["ru", "en"]')
    config.write_text(text, encoding="utf-8")


def test_several_pages_are_all_or_nothing(mini: Path) -> None:
    _without_belarusian(mini)
    result = run(mini, "import", str(PAGES / "weekly-en.txt"), str(PAGES / "weekly-be.txt"))
    assert result.exit_code == 1
    assert "weekly-be.txt: the page is in be (its letters say Belarusian), which is not a " \
           "language of this publication (ru, en); pass --lang" in result.output
    assert not (mini / "sources").exists()
    # Every later command still works.
    assert run(mini, "update").exit_code == 0
    assert run(mini, "import", str(PAGES / "weekly-en.txt")).exit_code == 0


def test_a_write_that_fails_leaves_no_page_behind(sample: Path) -> None:
    # The Belarusian page's week folder cannot be made: a file stands there.
    (sample / "sources" / "2019-W09").write_text("in the way", encoding="utf-8")
    result = run(sample, "import", str(PAGES / "weekly-en.txt"), str(PAGES / "weekly-be.txt"))
    assert result.exit_code == 1
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    assert not (sample / "sources" / "2019-W10").exists()  # not even an empty folder


def test_dry_run_shows_a_page_whose_source_exists(sample: Path) -> None:
    first = run(sample, "import", str(PAGES / "weekly-ru.txt"))
    path = first.stdout.strip()
    result = run(sample, "import", str(PAGES / "weekly-ru.txt"), "--dry-run")
    assert result.exit_code == 0
    assert f"# {path} (dry run, not written; it exists, --force would replace it)" in (
        result.stdout)
    assert "title: Минск и Вильнюс договорились" in result.stdout


def test_a_back_issue_before_first_week_shows_no_number(sample: Path) -> None:
    """An archive imported after init: the weeks before first_week get no number (never
    No. 0 or below), and the numbers of the issues after it stay as they were."""
    from tests.helpers import out, pdf_text

    config = sample / "transflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'first_week = "2019-W01"', 'first_week = "2024-W01"'), encoding="utf-8")
    result = run(sample, "import", str(PAGES / "weekly-en.txt"))
    assert result.exit_code == 0
    assert ("note: 2019-W10 is before first_week (2024-W01): its bulletin shows no issue "
            "number; to number back issues, set [publication] first_week earlier") \
        in result.output
    assert run(sample, "update").exit_code == 0
    assert run(sample, "build", "--format", "html", "--format", "pdf", "--min-translated", "0",
               "--no-strict").exit_code == 0
    for lang, number in (("en", "No. "), ("ru", "№"), ("be", "№")):
        html, pdf = out(sample, "2019-W10", lang)
        page = html.read_text(encoding="utf-8")
        assert 'class="number"' not in page and f"{number}-" not in page
        text = pdf_text(pdf)
        assert number not in text and "-4" not in text.split("2019")[0]
        # The sample's own weeks keep their numbers: 2024-W09 is No. 9.
        later = out(sample, "2024-W09", lang)[0].read_text(encoding="utf-8")
        assert 'class="number"' in later and "9</span>" in later
