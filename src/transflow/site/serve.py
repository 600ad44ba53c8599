"""``transflow serve``: the site in ``output/`` over http, with the subscription
service beside it when it is enabled: on 127.0.0.1 to look at it on a workstation (and
to search it: the search index is fetched, which ``file://`` does not allow), or as the
publication's server behind a reverse proxy (``--host``, ``--port``). The server is
waitress, imported here and nowhere else.

It serves regular files inside ``output/`` and nothing else: the path is resolved
(symbolic links included) and must stay inside; no file or folder whose name starts
with a dot (``.manifest.json``, ``.git``); no folder listings (a folder is its
``index.html``, else not found); a request it cannot read is not found, never a
traceback. ``output/404.html``, when the site has one, is the not-found page.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import quote, unquote, urlsplit

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


StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Dynamic(Protocol):
    """Paths answered by an application rather than by a file (the subscription
    service): ``handles(path)`` says which."""

    def handles(self, path: str) -> bool: ...

    def __call__(self, environ: dict[str, Any], start_response: StartResponse,
                 ) -> Iterable[bytes]: ...


def static_app(config: Config, dynamic: Dynamic | None = None) -> WSGIApp:
    """A WSGI application serving ``output/`` by the rules above; the paths ``dynamic``
    handles go to it."""
    root = config.output_dir.resolve()
    if not (root / "index.html").is_file():
        raise TransflowError("there is no site yet; run transflow build first",
                             config.rel(config.output_dir))

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if dynamic is not None and dynamic.handles(path):
            return dynamic(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"),
                                                      ("Content-Length", "0")])
            return [b""]
        # The target as the reader sent it, still percent-encoded: resolve() decodes it
        # once, strictly (PATH_INFO is decoded already).
        found = resolve(root, environ.get("REQUEST_URI") or quote(path))
        if isinstance(found, str):
            start_response("301 Moved Permanently", [("Location", found),
                                                     ("Content-Length", "0")])
            return [b""]
        status = "200 OK"
        if found is None:
            status = "404 Not Found"
            page = root / "404.html"
            if not (page.is_file() and not page.is_symlink()):
                start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                                        ("Content-Length", str(len(NOT_FOUND)))])
                return [NOT_FOUND if method == "GET" else b""]
            found = page
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        data = found.read_bytes()
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(data))),
                                ("X-Content-Type-Options", "nosniff")])
        return [data if method == "GET" else b""]

    return app


class Server:
    """A production WSGI server (waitress) for ``app`` on ``host``:``port`` (0: any free
    port); ``trusted_proxy``: the reverse proxy whose X-Forwarded-For is believed."""

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 8000,
                 trusted_proxy: str | None = None, threads: int = 8) -> None:
        import logging

        from waitress.server import create_server

        # A reader who goes away mid-answer is not an error worth a line.
        logging.getLogger("waitress").setLevel(logging.ERROR)
        try:
            # Any: the stubs type its private loop (stopped by ``stop``) as unknown.
            if trusted_proxy:
                server = create_server(
                    app, host=host, port=port, threads=threads, ident="transflow",
                    trusted_proxy=trusted_proxy, trusted_proxy_headers={"x-forwarded-for"},
                    clear_untrusted_proxy_headers=True)
            else:
                server = create_server(app, host=host, port=port, threads=threads,
                                       ident="transflow", clear_untrusted_proxy_headers=True)
        except OSError as exc:
            raise TransflowError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                                 "pass another --port") from None
        self._server: Any = cast(Any, server)
        self._stopping = False
        self.host = host
        self.port = int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def run(self) -> None:
        """Serve until Ctrl-C (or ``stop``)."""
        try:
            self._server.run()
        except OSError:
            if not self._stopping:
                raise
            # stop() closed the sockets under the loop's select(): it is over.

    def stop(self) -> None:
        """Close every connection and the listening socket (from another thread)."""
        self._stopping = True
        server = self._server
        while server._map:  # every channel closed, the listening socket too
            for channel in list(server._map.values()):
                channel.handle_close()
        server.task_dispatcher.shutdown()
