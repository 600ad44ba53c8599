"""The reverse proxy the README gives, run: nginx (Debian's, as the Makefile installs
it) with the README's own snippet, in front of the site and the subscription service,
all on 127.0.0.1. What it must do, and the redirects it must not make (RFC 8058 wants
the one-click POST answered, not redirected)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO, run
from tests.smtp_server import free_port
from tests.test_subscriptions import SECRET, Service, service  # noqa: F401
from transflow.delivery import tokens
from transflow.workspace.config import load_config

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def readme_snippet() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```nginx\n(.*?)```", text, re.S)
    assert found, "the README has no nginx snippet"
    return found.group(1)


@pytest.fixture
def proxied(service: Service, tmp_path: Path) -> Iterator[tuple[Service, int]]:  # noqa: F811
    port = free_port()
    snippet = readme_snippet().replace("127.0.0.1:8000", f"127.0.0.1:{service.port}") \
        .replace("/srv/bulletin/output", str(service.root / "output"))
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the tree
    (prefix / "nginx.conf").write_text(f"""{user}worker_processes 1;
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
{snippet}
    }}
}}
""", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                "-g", "daemon off;"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield service, port
    finally:
        process.terminate()
        process.wait(timeout=10)


def ask(port: int, method: str, target: str, body: bytes = b"",
        headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, target, body=body, headers=headers or {})
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, data, dict(answer.getheaders())


def test_the_readmes_nginx_snippet(proxied: tuple[Service, int]) -> None:
    reader, port = proxied
    assert ask(port, "GET", "/en/index.html")[0] == 200  # the site, from output/
    assert run(reader.root, "subscribers", "add", "nina@example.org", "--lang",
               "en").exit_code == 0
    from transflow.delivery.subscribers import get

    who = get(load_config(reader.root), "nina@example.org")
    assert who is not None
    target = f"/unsubscribe?token={tokens.make('unsubscribe', who.id, SECRET.encode())}"
    # A mail client's one-click POST, through the proxy: answered, never redirected.
    status, _, headers = ask(port, "POST", target, b"List-Unsubscribe=One-Click",
                             {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "Location" not in headers
    assert reader.subscriber("nina@example.org")["status"] == "unsubscribed"  # type: ignore[index]
    for path in ("/subscribe", "/privacy", "/confirm?token=x", "/preferences?token=x",
                 "/address?token=x"):
        status, _, headers = ask(port, "GET", path)
        assert status in (200, 400) and "Location" not in headers, path
    status, page, _ = ask(port, "POST", "/subscribe", b"email=olia%40example.org&lang=be",
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "Праверце пошту".encode() in page
    assert reader.mail_to("olia@example.org")  # the service got the request whole
