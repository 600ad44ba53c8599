"""``transflow serve``: the site in ``output/`` over http on 127.0.0.1, to look at it
(and to search it: the search index is fetched, which ``file://`` does not allow).

It serves regular files inside ``output/`` and nothing else: the path is resolved
(symbolic links included) and must stay inside; no file or folder whose name starts
with a dot (``.manifest.json``, ``.git``); no folder listings (a folder is its
``index.html``, else not found); a request it cannot read is not found, never a
traceback. ``output/404.html``, when the site has one, is the not-found page.
"""

from __future__ import annotations

import mimetypes
import shutil
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError

NOT_FOUND = b"<!doctype html><title>Not found</title><p>Not found.</p>\n"


def resolve(root: Path, target: str) -> Path | str | None:
    """The file a request for ``target`` gets, inside ``root`` (resolved): a path; a
    string when the answer is a redirect (a folder asked for without its final slash);
    None when there is none to give."""
    try:
        path = unquote(urlsplit(target).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if "\0" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." or p.startswith(".") for p in parts):
        return None
    try:
        candidate = root.joinpath(*parts)
        if candidate.is_dir():
            if not path.endswith("/"):
                return path + "/"  # relative links in its index.html need the slash
            candidate = candidate / "index.html"
        found = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not found.is_relative_to(root) or not found.is_file():
        return None
    if any(p.startswith(".") for p in found.relative_to(root).parts):
        return None
    return found


class _Handler(BaseHTTPRequestHandler):
    root: Path

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        try:
            found = resolve(self.root, self.path)
            if isinstance(found, str):
                self.send_response(301)
                self.send_header("Location", found)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif found is None:
                self._not_found(body)
            else:
                self._file(found, body)
        except (ConnectionError, TimeoutError):
            pass  # the reader went away

    def _file(self, path: Path, body: bool, status: int = 200) -> None:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        with path.open("rb") as f:
            size = path.stat().st_size
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if body:
                shutil.copyfileobj(f, self.wfile)

    def _not_found(self, body: bool) -> None:
        page = self.root / "404.html"
        if page.is_file() and not page.is_symlink():
            self._file(page, body, 404)
            return
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(NOT_FOUND)))
        self.end_headers()
        if body:
            self.wfile.write(NOT_FOUND)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the CLI says where the site is; each request is noise


def server(config: Config, port: int = 8000) -> ThreadingHTTPServer:
    """An http server of ``output/`` on 127.0.0.1 (``port`` 0: any free port)."""
    if not (config.output_dir / "index.html").is_file():
        raise TransflowError("there is no site yet; run transflow build first",
                             config.rel(config.output_dir))
    handler = type("Handler", (_Handler,), {"root": config.output_dir.resolve()})
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise TransflowError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                             "pass another --port") from None
