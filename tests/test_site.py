"""The website in output/: every page kind valid HTML5, every link relative and leading
to a page that exists, the language switcher, the archive and the trend history."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import html5lib
import pytest

from tests.helpers import REPO, run

W09, W10 = "2024-W09", "2024-W10"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site") / "sample"
    root.mkdir()
    for name in ("transflow.toml", "glossary.csv", "templates", "sources", "locales", "assets"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    assert run(root, "update").exit_code == 0
    result = run(root, "build")
    assert result.exit_code == 0 and "site: " in result.output
    return root


def parse(path: Path):  # type: ignore[no-untyped-def]
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        path.read_text(encoding="utf-8"))


PAGES = ["index.html", "en/index.html", "be/index.html", "en/categories/security/index.html",
         f"{W09}/be/border-readiness-check/index.html", f"{W10}/en/pension-indexation/index.html"]


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
            target = (path.parent / unquote(link.split("#")[0])).resolve()
            assert target.is_file(), f"{page}: {link}"


def test_front_door_links_each_language_in_its_own_name(site: Path) -> None:
    html = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert 'href="be/index.html" hreflang="be">Сітуацыя ў Беларусі · Беларуская</a>' in html
    assert 'href="ru/index.html" hreflang="ru">Ситуация в Беларуси · Русский</a>' in html
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


def test_unchanged_pages_are_not_rewritten(site: Path) -> None:
    page = site / "output" / "en" / "index.html"
    mtime = page.stat().st_mtime_ns
    result = run(site, "build")
    assert "site: 0 pages written" in result.output
    assert page.stat().st_mtime_ns == mtime


def test_subscription_form_only_with_a_target(site: Path, tmp_path: Path) -> None:
    html = (site / "output" / "en" / "index.html").read_text(encoding="utf-8")
    assert "Subscribe to the bulletin" in html and "<form" not in html
