"""A LibreTranslate-compatible server on 127.0.0.1 for the tests: it speaks the
``POST /translate`` API as a self-hosted LibreTranslate does, and can be told to
fail, to mangle markup, to check the API key, or to be slow."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def default_translate(q: str, source: str, target: str) -> str:
    return f"<{target}> {q}"


class LibreServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.translate: Callable[[str, str, str], str] = default_translate
        self.status_for: Callable[[str], int] = lambda q: 200
        self.api_key: str | None = None
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if body:
                    if self.headers.get("Content-Type", "").startswith("application/json"):
                        params.update(json.loads(body))
                    else:
                        params.update({k: v[0] for k, v in parse_qs(body).items()})
                params["_received"] = str(time.monotonic())
                server.requests.append(params)
                if server.delay:
                    time.sleep(server.delay)
                if url.path != "/translate":
                    return self._reply(404, {"error": "Not Found"})
                if server.api_key is not None and params.get("api_key") != server.api_key:
                    return self._reply(403, {"error": "Invalid API key"})
                q = params.get("q", "")
                status = server.status_for(q)
                if status != 200:
                    return self._reply(status, {"error": "failure"})
                text = server.translate(q, params.get("source", ""), params.get("target", ""))
                self._reply(200, {"translatedText": text})

            def _reply(self, status: int, payload: dict[str, str]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The client may stop reading (as transflow does past its limit).
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def texts(self) -> list[str]:
        return [r.get("q", "") for r in self.requests]

    def __enter__(self) -> LibreServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
