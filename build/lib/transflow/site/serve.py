"""``transflow serve``: the site in ``output/`` over http on 127.0.0.1, to look at it
(and to search it: the search index is fetched, which ``file://`` does not allow)."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # the CLI says where the site is; each request is noise


def server(config: Config, port: int = 8000) -> ThreadingHTTPServer:
    """An http server of ``output/`` on 127.0.0.1 (``port`` 0: any free port)."""
    if not (config.output_dir / "index.html").is_file():
        raise TransflowError("there is no site yet; run transflow build first",
                             config.rel(config.output_dir))
    handler = functools.partial(_Quiet, directory=str(config.output_dir))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise TransflowError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                             "pass another --port") from None
