"""The website in a real browser: Debian's Chromium driven through chromium-driver with
Selenium, against the site served on 127.0.0.1 by transflow's own server.

Skipped, with the reason, only where the binaries are missing; the Makefile installs
them, so CI runs these."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.helpers import copy_sample, run

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="chromium and chromium-driver are not installed "
                                       "(make test installs them)")
W09 = "2024-W09"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from transflow.site.serve import Server, static_app
    from transflow.workspace.config import load_config

    root = copy_sample(tmp_path_factory.mktemp("browser") / "sample")
    assert run(root, "update").exit_code == 0
    assert run(root, "build").exit_code == 0
    # A preview too: a page kind of its own (for the team, judged all the same).
    assert run(root, "build", "--week", "2024-W10", "--lang", "ru", "--drafts",
               "--format", "html").exit_code == 0
    server = Server(static_app(load_config(root)), port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield root, server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # Giving the driver's path keeps Selenium Manager from looking for one online.
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def requested(driver: object) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_a_reader_goes_from_home_to_a_week_and_another_language(served: tuple[Path, str],
                                                                browser: object) -> None:
    from selenium.webdriver.common.by import By

    root, base = served
    d = browser
    d.get(base)  # type: ignore[attr-defined]
    d.find_element(By.CSS_SELECTOR, 'a[hreflang="en"]').click()  # type: ignore[attr-defined]
    assert d.current_url.endswith("/en/index.html")  # type: ignore[attr-defined]
    archive = d.find_element(By.LINK_TEXT, "February 26 – March 3, 2024")  # type: ignore
    archive.click()
    assert d.current_url.endswith(f"/{W09}/en/index.html")  # type: ignore[attr-defined]
    d.find_element(By.CSS_SELECTOR, 'nav.links a[hreflang="be"]').click()  # type: ignore
    assert d.current_url.endswith(f"/{W09}/be/index.html")  # type: ignore[attr-defined]
    assert d.find_element(By.TAG_NAME, "h1").text == "Сітуацыя ў Беларусі"  # type: ignore
    d.get(base + "be/index.html")  # type: ignore[attr-defined]
    d.find_element(By.CSS_SELECTOR, 'a[href$="categories/security/index.html"]').click()  # type: ignore
    assert "/be/categories/security/" in d.current_url  # type: ignore[attr-defined]
    strip = d.find_elements(By.CSS_SELECTOR, ".trend-strip svg rect")  # type: ignore
    assert strip and strip[0].get_attribute("fill") == "#8a8a8a"
    link = d.find_element(By.CSS_SELECTOR, ".glance-title a")  # type: ignore[attr-defined]
    title = link.text
    link.click()
    assert d.current_url.endswith("/border-readiness-check/index.html")  # type: ignore
    assert d.find_element(By.TAG_NAME, "h1").text == title  # type: ignore[attr-defined]
    if os.environ.get("TRANSFLOW_SCREENSHOTS") == "1":
        shots = root / "output" / "screenshots"
        shots.mkdir(exist_ok=True)
        for width in (1280, 390):
            d.set_window_size(width, 2000)  # type: ignore[attr-defined]
            for name, url in (("home", "en/index.html"), ("week", f"{W09}/be/index.html")):
                d.get(base + url)  # type: ignore[attr-defined]
                d.save_screenshot(str(shots / f"{name}-{width}.png"))  # type: ignore
    hosts = {urlparse(url).hostname for url in requested(d)
             if url.startswith(("http:", "https:"))}
    assert hosts <= {"127.0.0.1"}, hosts  # nothing left the machine


def test_search_finds_the_one_commentary_with_a_word(served: tuple[Path, str],
                                                     browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    _, base = served
    d = browser
    d.get(base + "be/index.html")  # type: ignore[attr-defined]
    d.find_element(By.CSS_SELECTOR, "nav.links a.search").click()  # type: ignore
    box = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
        ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__search-input")))
    box.send_keys("Гродзенскай")  # only the border commentary has it
    first = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
        ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__result-link")))
    assert first.get_attribute("href").endswith(f"/{W09}/be/border-readiness-check/index.html")
    hosts = {urlparse(url).hostname for url in requested(d)
             if url.startswith(("http:", "https:"))}
    assert hosts <= {"127.0.0.1"}, hosts


def test_search_results_lead_into_a_site_served_from_a_subpath(
        served: tuple[Path, str], browser: object, tmp_path: Path) -> None:
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    root, _ = served
    (tmp_path / "news").symlink_to(root / "output", target_is_directory=True)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        Quiet, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    try:
        d = browser
        d.get(f"http://127.0.0.1:{httpd.server_address[1]}/news/ru/search/index.html")  # type: ignore[attr-defined]
        box = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
            ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__search-input")))
        box.send_keys("Гродненской")  # only the border commentary has it
        first = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
            ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__result-link")))
        href = first.get_attribute("href")
        assert urlparse(href).path == f"/news/{W09}/ru/border-readiness-check/index.html", href
        first.click()
        WebDriverWait(d, 20).until(ec.title_contains("Минск"))  # type: ignore[arg-type]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_search_finds_every_year_and_ranks_the_newest_first_among_equals(
        tmp_path: Path, browser: object) -> None:
    """Each earlier year has its own bundle, the latest one per four weeks (a change
    re-indexes one bundle); the search page searches them together. The same commentary
    in 2023 and 2024 ranks equal: the newest comes first, and a word found only in the
    older year is found too."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from transflow.site.serve import Server, static_app
    from transflow.workspace.config import load_config

    root = copy_sample(tmp_path / "sample")
    source = (root / "sources" / W09 / "border-readiness-check.md").read_text(encoding="utf-8")
    for week, extra in (("2023-W50", "Ploughshare."), ("2022-W50", "")):
        (root / "sources" / week).mkdir()
        (root / "sources" / week / "border-readiness-check.md").write_text(
            source.replace("date: 2024-02-27", f"date: {week[:4]}-12-12") + extra + "\n",
            encoding="utf-8")
    assert run(root, "update").exit_code == 0
    assert run(root, "build", "--no-strict").exit_code == 0
    assert sorted(p.name for p in (root / "output" / "pagefind").iterdir()) == [
        "2022", "2023", "2024-W09"]
    server = Server(static_app(load_config(root)), port=0)
    threading.Thread(target=server.run, daemon=True).start()
    d = browser
    try:
        def results(words: str) -> list[str]:
            d.get(server.url + "en/search/index.html")  # type: ignore[attr-defined]
            box = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
                ec.presence_of_element_located((By.CSS_SELECTOR,
                                                ".pagefind-ui__search-input")))
            box.send_keys(words)
            WebDriverWait(d, 20).until(  # type: ignore[arg-type]
                ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__result-link")))
            return [urlparse(a.get_attribute("href")).path.split("/")[1] for a in
                    d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")]  # type: ignore

        found = results("mechanised brigades")
        assert found[:3] == [W09, "2023-W50", "2022-W50"], found
        assert results("ploughshare") == ["2023-W50"]
    finally:
        server.stop()


def _search(d: object, base: str, lang: str, term: str) -> str:
    """The search page of ``lang`` with the results for ``term``: the line saying how
    many."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    d.get(f"{base}{lang}/search/index.html")  # type: ignore[attr-defined]
    box = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
        ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__search-input")))
    box.send_keys(term)
    WebDriverWait(d, 20).until(  # type: ignore[arg-type]
        ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__result-link")))
    message = WebDriverWait(d, 20).until(  # type: ignore[arg-type]
        ec.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__message")))
    return str(message.text)


@pytest.mark.parametrize(("lang", "term", "said"), [
    ("be", "Гродзенскай", "Знойдзена па запыце «Гродзенскай»: 1"),
    ("ru", "марта", "Найдено по запросу «марта»: "),
    ("en", "Hrodna", "1 result for Hrodna"),
])
def test_search_speaks_the_readers_language(served: tuple[Path, str], browser: object,
                                            lang: str, term: str, said: str) -> None:
    """Pagefind's interface in the page's language, a count every grammar takes, no
    empty thumbnails, and each result's words the commentary's own (not the category
    line above its title)."""
    from selenium.webdriver.common.by import By

    _, base = served
    d = browser
    assert _search(d, base, lang, term).startswith(said)
    box = d.find_element(By.CSS_SELECTOR, ".pagefind-ui__search-input")  # type: ignore
    assert box.get_attribute("placeholder") == {"be": "Пошук", "ru": "Поиск",
                                                "en": "Search"}[lang]
    assert not d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-thumb")  # type: ignore
    for excerpt in d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-excerpt"):  # type: ignore
        assert " · " not in excerpt.text[:80], excerpt.text


AXE_PAGES = ["index.html", "{lang}/index.html", "{lang}/categories/security/index.html",
             f"{W09}/{{lang}}/index.html", f"{W09}/{{lang}}/border-readiness-check/index.html",
             "{lang}/search/index.html", "404.html"]


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_every_page_kind_passes_axe(served: tuple[Path, str], browser: object,
                                    lang: str) -> None:
    """axe-core, as accessibility auditors run it, on every page kind in each language
    (the search page with its results shown, and a preview): no violation."""
    from axe_selenium_python import Axe

    _, base = served
    d = browser
    found = {}
    pages = [p.format(lang=lang) for p in AXE_PAGES]
    if lang == "ru":
        pages.append("preview/2024-W10/ru/index.html")
    for page in pages:
        if page.endswith("search/index.html"):
            _search(d, base, lang, {"be": "мяжы", "ru": "марта", "en": "border"}[lang])
        else:
            d.get(base + page)  # type: ignore[attr-defined]
        axe = Axe(d)
        axe.inject()
        violations = axe.run()["violations"]
        if violations:
            found[page] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == {}
