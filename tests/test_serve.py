"""What serves the site gives regular files inside ``output/`` and nothing else: no file
through a symbolic link out of it, no dotfile, no folder listing, no traceback for any
request. These cases are kept for whatever serves the site (``transflow serve``, waitress,
today).

Every file here is written for these tests."""

from __future__ import annotations

import http.client
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run
from transflow.site.serve import Server, static_app
from transflow.workspace.config import load_config

W09 = "2024-W09"


@pytest.fixture
def site(updated: Path) -> Iterator[tuple[Path, int]]:
    assert run(updated, "build", "--week", W09, "--format", "html").exit_code == 0
    output = updated / "output"
    os.symlink("/etc/passwd", output / "passwd-link")
    os.symlink(updated, output / "ws-link")
    (output / "empty-folder").mkdir()
    (output / ".secret").write_text("not for readers", encoding="utf-8")
    server = Server(static_app(load_config(updated)), port=0)
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        yield output, server.port
    finally:
        server.stop()
        thread.join(timeout=10)


def get(port: int, target: str, method: str = "GET") -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.putrequest(method, target, skip_accept_encoding=True)
    connection.endheaders()
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer.status, body, dict(answer.getheaders())


def test_pages_are_served(site: tuple[Path, int]) -> None:
    output, port = site
    status, body, headers = get(port, "/")
    assert status == 200 and body == (output / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert get(port, f"/{W09}/en/")[0] == 200
    status, _, headers = get(port, f"/{W09}/en")
    assert status == 301 and headers["Location"] == f"/{W09}/en/"
    assert get(port, "/", "HEAD")[:2] == (200, b"")


@pytest.mark.parametrize("target", [
    "/passwd-link", "/ws-link/transflow.toml", "/ws-link/", "/.secret", f"/{W09}/en/.manifest.json",
    "/empty-folder/", "/../transflow.toml", "/%2e%2e/transflow.toml", "/%00", "/a%00b",
    "/%ff%fe", "/..%2ftransflow.toml", "/%5c..%5ctransflow.toml", "/nothing-here",
    "//etc/passwd", "/ws-link/.transflow/lock",
])
def test_nothing_else_is_served(site: tuple[Path, int], target: str) -> None:
    _, port = site
    status, body, _ = get(port, target)
    assert status == 404, target
    assert b"root:" not in body and b"[publication]" not in body
    assert b"Traceback" not in body and b"Index of" not in body


def test_an_address_that_does_not_exist_gets_the_sites_not_found_page(
        site: tuple[Path, int]) -> None:
    _, port = site
    status, body, _ = get(port, f"/{W09}/en/no-such-commentary/")
    assert status == 404
    page = body.decode("utf-8")
    for notice in ("Такой старонкі тут няма.", "Такой страницы здесь нет.",
                   "There is no such page here."):
        assert notice in page
    assert 'href="/en/index.html"' in page  # from the root: it answers at any depth


@pytest.mark.parametrize("link", [W09, "en"])
def test_build_never_writes_through_a_link_out_of_the_workspace(updated: Path, tmp_path: Path,
                                                                link: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (updated / "output").mkdir(exist_ok=True)
    os.symlink(elsewhere, updated / "output" / link)
    result = run(updated, "build", "--week", W09, "--format", "html")
    assert result.exit_code == 1
    assert f"output/{link}: is a link out of the workspace" in result.output
    assert "Traceback" not in result.output
    assert list(elsewhere.iterdir()) == []
