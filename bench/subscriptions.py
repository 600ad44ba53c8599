"""The subscription service under load, as it runs: ``transflow serve`` as a process on
127.0.0.1, 100,000 subscribers in its database, ``transflow send`` delivering the week
to them (to a local SMTP sink) at the same time.

Measured from a client in this process with ``--clients`` threads, each on its own
keep-alive connection: requests per second and latency (median, p99) of

- one-click unsubscribes (RFC 8058 POSTs, each to a different subscriber),
- subscribes (new addresses; each queues a confirmation),
- and, as the anchor, GETs of a static page served by the same server and process:
  the floor of the server itself, run in turn with the others in each round (the
  round of median rate is printed).

    .venv/bin/python bench/subscriptions.py [--subscribers N] [--requests N]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from workspace import REPO

from transflow.delivery import tokens

SECRET = "bench-secret"
SAMPLE = ("transflow.toml", "glossary.csv", "sources", "locales", "assets")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def transflow(root: Path, *args: str, wait: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRANSFLOW_SECRET": SECRET}
    process = subprocess.Popen([sys.executable, "-m", "transflow", *args, "--workspace",
                                str(root)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env)
    if wait:
        process.wait()
    return process


def sink() -> tuple[object, int]:
    """An SMTP server that takes every message and keeps none."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: object, session: object,
                              envelope: object) -> str:
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def fill(root: Path, count: int) -> list[str]:
    """``count`` active subscribers (one language each); their ids."""
    db = sqlite3.connect(root / "subscribers.sqlite3")
    ids = [f"{n:016x}" for n in range(count)]
    with db:
        db.executemany(
            "INSERT INTO subscribers (key, email, name, languages, status, created, id) "
            "VALUES (?, ?, '', 'en', 'active', '2024-01-01T00:00:00Z', ?)",
            [(f"reader{n}@example.org", f"reader{n}@example.org", ids[n])
             for n in range(count)])
        db.executemany("INSERT INTO spellings (email, key) VALUES (?, ?)",
                       [(f"reader{n}@example.org",) * 2 for n in range(count)])
    db.close()
    return ids


def load(port: int, requests: list[tuple[str, str, bytes, dict[str, str]]],
         clients: int) -> tuple[float, list[float], int]:
    """Send ``requests`` from ``clients`` threads; (seconds, latencies, failures)."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    parts = [requests[i::clients] for i in range(clients)]

    def client(part: list[tuple[str, str, bytes, dict[str, str]]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for method, target, body, headers in part:
            start = time.perf_counter()
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            mine.append(time.perf_counter() - start)
            if answer.status != 200:
                with lock:
                    failures[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(p,)) for p in parts]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, failures[0]


def middle(runs: list[tuple[float, list[float], int]]) -> tuple[float, list[float], int]:
    """The round of median rate."""
    return sorted(runs, key=lambda run: len(run[1]) / run[0])[len(runs) // 2]


def row(what: str, seconds: float, latencies: list[float], failures: int,
        anchor: float | None = None) -> float:
    rate = len(latencies) / seconds
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    median = statistics.median(latencies) * 1000
    versus = f"  {rate / anchor:.2f} × the static page" if anchor else ""
    print(f"{what:<28} {rate:7.0f}/s  median {median:5.1f} ms  p99 {p99:6.1f} ms  "
          f"{failures} failed{versus}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    controller, smtp_port = sink()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        for name in SAMPLE:
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
        with (root / "transflow.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[delivery]\nfrom = "Bulletin <bulletin@example.org>"\n'
                    f'host = "127.0.0.1"\nport = {smtp_port}\n'
                    f'\n[site]\nbase_url = "http://127.0.0.1:{port}/"\n'
                    f'\n[subscriptions]\nenabled = true\ntrusted_proxy = "127.0.0.1"\n')
        transflow(root, "update")
        transflow(root, "build", "--week", "2024-W09")
        transflow(root, "subscribers", "add", "first@example.org", "--lang", "en")
        ids = fill(root, args.subscribers)
        server = transflow(root, "serve", "--port", str(port), wait=False)
        time.sleep(2)
        sender = transflow(root, "send", "--week", "2024-W09", "--lang", "en", wait=False)
        time.sleep(1)
        try:
            print(f"{args.subscribers} subscribers; transflow send delivering meanwhile; "
                  f"{args.clients} clients; {args.rounds} rounds, the anchor in turn with "
                  f"each; {os.cpu_count()} CPUs")
            key = SECRET.encode()
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            one_click = urlencode({"List-Unsubscribe": "One-Click"}).encode()
            n = args.requests
            kinds: dict[str, list[tuple[float, list[float], int]]] = {}
            for r in range(args.rounds):
                page = [("GET", "/en/index.html", b"", {})] * n
                leaving = [("POST", "/unsubscribe?token="
                            f"{tokens.make('unsubscribe', ids[r * n + i], key)}",
                            one_click, form) for i in range(n)]
                joining = [("POST", "/subscribe", urlencode(
                    {"email": f"new{r}-{i}@example.org", "lang": "ru"}).encode(),
                    {**form, "X-Forwarded-For": f"10.{r}.{i // 250}.{i % 250}"})
                    for i in range(n)]
                for kind, requests in (("static page (anchor)", page),
                                       ("one-click unsubscribe", leaving),
                                       ("subscribe", joining)):
                    kinds.setdefault(kind, []).append(load(port, requests, args.clients))
            anchor = None
            for kind, runs in kinds.items():
                rate = row(kind, *middle(runs), anchor)
                anchor = anchor or rate
            print(f"send still running: {sender.poll() is None}")
        finally:
            for process in (sender, server):
                process.terminate()
                process.wait()
            controller.stop()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
