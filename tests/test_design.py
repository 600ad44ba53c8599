"""The bulletin as a publication: what the PDF and the page are made of, read back
from the PDF (pypdf) and the HTML (html5lib)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import html5lib
import pytest
from pypdf import PdfReader

from tests.helpers import copy_sample, flat, out, run, save_translation, write_source

W09, W10 = "2024-W09", "2024-W10"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, updated and built once for this module's readers."""
    root = copy_sample(tmp_path_factory.mktemp("design") / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build").exit_code == 0
    return root


def outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(category, page, [(article, page)]) of the PDF's bookmarks."""
    result: list[tuple[str, int, list[tuple[str, int]]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            result[-1][2].extend((x.title, reader.get_destination_page_number(x))
                                 for x in item)
        else:
            result.append((item.title, reader.get_destination_page_number(item), []))
    return result


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def fonts(pdf: Path) -> set[str]:
    return {str(f.get_object()["/BaseFont"]).split("+")[-1]
            for page in PdfReader(pdf).pages for f in page["/Resources"]["/Font"].values()}


# --- the PDF ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_outline_is_categories_with_their_commentaries(built: Path, lang: str) -> None:
    pdf = out(built, W09, lang)[1]
    reader = PdfReader(pdf)
    tree = outline(reader)
    html = out(built, W09, lang)[0].read_text(encoding="utf-8")
    categories = re.findall(r'<h2 class="category-label">(.*?)</h2>', html)
    assert [c for c, _, _ in tree] == categories and len(categories) == 3
    texts = [flat(t) for t in page_texts(pdf)]
    for _category, page, articles in tree:
        assert len(articles) == 1
        title, article_page = articles[0]
        assert page == article_page  # the category points at its first commentary
        assert flat(title) in texts[article_page]
    assert all(title != "Contents" for title, _, _ in tree)


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_fonts_are_pt_with_real_bold_and_italic(built: Path, lang: str) -> None:
    used = fonts(out(built, W09, lang)[1])
    assert {"PT-Serif", "PT-Serif-Italic", "PT-Sans", "PT-Sans-Bold", "PT-Sans-Italic"} <= used
    # Nothing of the text falls back to another family: DejaVu only for ▲ ● ▼.
    assert not [f for f in used if f.startswith("DejaVu") and "Sans" not in f]


def test_pdf_is_tagged_with_language_title_and_author(built: Path) -> None:
    reader = PdfReader(out(built, W09, "be")[1])
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "be"
    assert reader.metadata.title == (
        "Сітуацыя ў\u00a0Беларусі: 26 лютага – 3 сакавіка 2024\u00a0г.")
    # The organisation, then the commentaries' authors.
    assert reader.metadata.author.startswith("Цэнтр усходніх палітычных даследаванняў, ")


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_page_one_is_a_cover_and_a_summary(built: Path, lang: str) -> None:
    pdf = out(built, W09, lang)[1]
    first = flat(page_texts(pdf)[0]).casefold()
    html = out(built, W09, lang)[0].read_text(encoding="utf-8")
    glance = re.search(r'<h2 id="glance-heading">(.*?)</h2>', html).group(1)
    assert flat(glance).casefold() in first
    for title in re.findall(r'<p class="glance-title"><a href="#[^"]+"><span>(.*?)</span>',
                            html):
        assert flat(re.sub(r"<[^>]+>", "", title)).casefold() in first
    number = {"be": "№ 270", "ru": "№ 270", "en": "No. 270"}[lang]
    assert flat(number).casefold() in first
    # The leads fill the page: most of it is text, not white.
    assert len(page_texts(pdf)[0]) > 1500


def test_running_header_from_page_two(built: Path) -> None:
    texts = page_texts(out(built, W09, "ru")[1])
    assert len(texts) >= 2
    lines = [line.strip().replace("\u00a0", " ") for line in texts[1].splitlines()]
    # The running header: the publication (left) and the week (right).
    assert any(line.startswith("Ситуация в Беларуси") and "26 февраля – 3 марта 2024" in line
               for line in lines)
    assert f"2 / {len(texts)}" in lines
    # On the cover, the name is the masthead's only: no running header there.
    assert texts[0].replace("\u00a0", " ").count("Ситуация в Беларуси") == 1


def test_a_justified_belarusian_paragraph_is_hyphenated(built: Path) -> None:
    text = "\n".join(page_texts(out(built, W09, "be")[1]))
    broken = re.findall(r"(\w+)-\n(\w+)", text)
    catalog = (built / "locales" / "be" / "LC_MESSAGES" / f"{W09}.po").read_text(
        encoding="utf-8").replace('"\n"', "")
    # A word broken by hyphenation, that the translation has whole.
    assert any(f"{a}{b}" in catalog for a, b in broken)


def test_heading_blocks_never_end_a_page(mini: Path) -> None:
    # Ten commentaries of uneven length: without the keep-with-next rules, three heading
    # blocks of this layout end a page with their text on the next.
    rng = random.Random(5)
    sentence = ("The ministry published the figures on Monday, and the regional councils "
                "are expected to comment. ")
    sizes = [rng.randint(1, 9) for _ in range(10)]
    for i, n in enumerate(sizes):
        body = "\n\n".join(sentence * rng.randint(1, 3) for _ in range(n))
        write_source(mini, "2019-W10", f"note-{i}",
                     f"title: Note number {i} on the regional budgets\ncategory: economy\n"
                     "trend: worse\nauthor: A. Writer\ndate: 2019-03-06", body)
    assert run(mini, "update").exit_code == 0
    assert run(mini, "build", "--lang", "en").exit_code == 0
    pdf = mini / "output" / "2019-W10" / "en" / "test-bulletin-2019-W10-en.pdf"
    texts = [flat(t) for t in page_texts(pdf)]
    assert len(texts) >= 4
    for i in range(10):
        title = flat(f"Note number {i} on the regional budgets")
        # The page (after the cover) where the heading block stands also holds the
        # start of its first paragraph.
        pages = [n for n, t in enumerate(texts) if title in t and n > 0]
        assert pages, title
        after = texts[pages[-1]].split(title, 1)[1]
        assert flat("The ministry published") in after, (i, pages[-1])


# --- the page ------------------------------------------------------------------------------

def test_html_headings_links_and_alternates(built: Path) -> None:
    html = out(built, W10, "en")[0].read_text(encoding="utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    (h1,) = tree.iter("h1")
    assert "".join(h1.itertext()) == "Situation in Belarus"
    assert [e.get("class") for e in tree.iter("h2")] == [None, *["category-label"] * 3]
    assert len(list(tree.iter("h3"))) == 3
    links = {a.get("href"): a for a in tree.iter("a")}
    assert links["situation-in-belarus-2024-W10-en.pdf"].get("type") == "application/pdf"
    # be is below the threshold for 2024-W10: no link to a bulletin that does not exist.
    alternates = [(a.get("hreflang"), a.get("href")) for a in tree.iter("a")
                  if a.get("hreflang")]
    assert alternates == [("ru", "../ru/index.html")]
    assert [(e.get("hreflang"), e.get("href")) for e in tree.iter("link")] == alternates
    be = out(built, W09, "be")[0].read_text(encoding="utf-8")
    assert 'hreflang="ru" lang="ru">Русский</a>' in be
    assert 'hreflang="en" lang="en">English</a>' in be


def test_nonbreaking_spaces_in_the_text_not_the_catalogs(built: Path) -> None:
    be = out(built, W09, "be")[0].read_text(encoding="utf-8")
    assert f"у{NBSP}Гродзенскай" in be and f"1{NBSP}500" in be
    ru = out(built, W09, "ru")[0].read_text(encoding="utf-8")
    assert f"в{NBSP}Гродненской" in ru
    catalog = (built / "locales" / "be" / "LC_MESSAGES" / f"{W09}.po").read_text(
        encoding="utf-8")
    assert NBSP not in catalog


def test_date_credit_summary_and_trend_symbols(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks",
                 "title: Talks resume\ncategory: security\ntrend: worse\ndate: 2019-03-06\n"
                 "image_credit: Ministry press office\n"
                 "summary: The talks resumed, but nothing was agreed.",
                 "First sentence of the body. Second sentence.")
    assert run(mini, "update").exit_code == 0
    save_translation(mini / "locales" / "ru" / "LC_MESSAGES" / "2019-W10.po",
                     "The talks resumed", "Переговоры возобновились, но ни о чём не договорились.")
    assert run(mini, "build", "--format", "html").exit_code == 0
    en = (mini / "output" / "2019-W10" / "en" / "index.html").read_text(encoding="utf-8")
    assert '<p class="lead">The talks resumed, but nothing was agreed.</p>' in en
    assert "First sentence of the body." not in en.split("<main>")[0]
    assert "Image: Ministry press office" in en
    assert '<time datetime="2019-03-06">March 6, 2019</time>' in en
    assert '<span class="symbol" aria-hidden="true">▼</span> The situation has gotten worse' \
        in en
    ru = (mini / "output" / "2019-W10" / "ru" / "index.html").read_text(encoding="utf-8")
    assert '<p class="lead">Переговоры возобновились, но ни о\u00a0чём не договорились.</p>' \
        in ru


def test_without_a_summary_the_lead_is_the_first_sentence(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks", "title: Talks\ncategory: security",
                 "On March 5, Mr. Smith said the talks went well. A second sentence follows.")
    assert run(mini, "update").exit_code == 0
    assert run(mini, "build", "--format", "html", "--lang", "en").exit_code == 0
    en = (mini / "output" / "2019-W10" / "en" / "index.html").read_text(encoding="utf-8")
    assert '<p class="lead">On March 5, Mr. Smith said the talks went well.</p>' in en


def test_a_number_before_a_full_stop_ends_the_lead() -> None:
    """"from April 1. After…" is two sentences; "J. Smith" and "г. Минск" are not."""
    from transflow.publish.bulletin import Text, _first_sentence

    def lead(text: str, lang: str = "en") -> str:
        return _first_sentence(Text(text, lang, "translated")).markdown

    assert lead("Pensions rise by 5% from April 1. After the recalculation, the average "
                "is 780 roubles.") == "Pensions rise by 5% from April 1."
    assert lead("J. Smith spoke on Tuesday. Nobody answered.") == "J. Smith spoke on Tuesday."
    assert lead("В г. Минске прошла встреча. Её итоги не раскрыты.", "ru") == \
        "В г. Минске прошла встреча."


def body_line_lengths(pdf: Path) -> list[int]:
    """The characters of each full line of the PDF's paragraphs (not the last line of
    one, which is short), as poppler reads them."""
    import html
    import subprocess

    found = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    lengths = []
    for block in re.findall(r"<block[^>]*>(.*?)</block>", found, re.S):
        lines = re.findall(r"<line[^>]*>(.*?)</line>", block, re.S)
        if len(lines) >= 3:  # a paragraph, not a heading or a label
            lengths += [len(" ".join(html.unescape(w) for w in re.findall(
                r"<word[^>]*>(.*?)</word>", line))) for line in lines[:-1]]
    return lengths


@pytest.mark.parametrize(("week", "lang"), [(W09, "be"), (W09, "ru"), (W09, "en"),
                                            (W10, "ru"), (W10, "en")])
def test_body_lines_are_60_to_80_characters(built: Path, week: str, lang: str) -> None:
    """The reading measure (60–75 is the norm; printed briefs set about 80)."""
    import statistics

    lengths = body_line_lengths(out(built, week, lang)[1])
    assert len(lengths) > 15
    assert 60 <= statistics.median(lengths) <= 80, lengths
    assert max(lengths) <= 85 and min(lengths) >= 55, lengths


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_xmp_metadata_names_title_language_and_authors(built: Path, lang: str) -> None:
    """What archives and catalogues read (XMP); no PDF/UA identifier, which no validator
    here could vouch for."""
    reader = PdfReader(out(built, W09, lang)[1])
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title["x-default"] == reader.metadata.title
    assert xmp.dc_language == [lang]
    author = {"be": "Андрэй Карповіч", "ru": "Андрей Карпович", "en": "Andrei Karpovich"}
    assert author[lang] in xmp.dc_creator and len(xmp.dc_creator) >= 3
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfuaid" not in raw


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_the_colophon_ends_the_bulletin(built: Path, lang: str) -> None:
    texts = page_texts(out(built, W09, lang)[1])
    last = flat(texts[-1])
    editor = {"be": "Рэдактарка: Ганна Ліс", "ru": "Редактор: Анна Лис",
              "en": "Editor: Hanna Lis"}[lang]
    organisation = {"be": "Цэнтр усходніх палітычных даследаванняў",
                    "ru": "Центр восточных политических исследований",
                    "en": "Centre for Eastern Policy Studies"}[lang]
    assert flat(editor) in last and flat(f"© 2024 {organisation}") in last
    html = out(built, W09, lang)[0].read_text(encoding="utf-8")
    assert '<footer class="colophon">' in html and "bulletin@example.org" in html


def test_an_issn_is_printed_and_checked(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "sample")
    config = root / "transflow.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[publication.title]", 'issn = "1234-5678"\n\n'
                                   "[publication.title]", 1), encoding="utf-8")
    result = run(root, "update")
    assert result.exit_code == 1 and "issn must be an ISSN with its check digit" in (
        result.output)
    config.write_text(text.replace("[publication.title]", 'issn = "1234-5679"\n\n'
                                   "[publication.title]", 1), encoding="utf-8")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--week", W09, "--lang", "en").exit_code == 0
    assert flat("ISSN 1234-5679") in flat(page_texts(out(root, W09, "en")[1])[-1])


def test_a_preview_is_titled_so_and_marked_once_a_page(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--week", W10, "--lang", "ru", "--drafts").exit_code == 0
    pdf = next((root / "output" / "preview" / W10 / "ru").glob("*.pdf"))
    reader = PdfReader(pdf)
    mark = "Предварительный просмотр: есть непроверенные переводы"
    assert reader.metadata.title.startswith(f"{mark} · Ситуация в\u00a0Беларуси")
    for text in page_texts(pdf):
        assert flat(text).count(flat(mark)) == 1
