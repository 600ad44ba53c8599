"""Messages per second of ``transflow send``, run as a process: 1,000 subscribers in
three languages, a 300 KB PDF, to a loopback aiosmtpd server; against the floor of a
bare smtplib loop, in a process of its own, sending the same prebuilt messages over one
connection. The two run in turn, ``--rounds`` times; the medians are printed.

    .venv/bin/python bench/send.py [--subscribers 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workspace import REPO

sys.path.insert(0, str(REPO))

from tests.smtp_server import SMTPServer
from transflow.delivery import subscribers as subs
from transflow.delivery.message import Recipient, as_bytes, build_message, edition
from transflow.delivery.tokens import secret
from transflow.publish.build import build
from transflow.publish.editions import pdf_name
from transflow.publish.manifest import MANIFEST
from transflow.workspace.config import load_config
from transflow.workspace.weeks import Week


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--floor", nargs=2, metavar=("MESSAGES", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        smtplib_loop(args.floor[0], int(args.floor[1]))
        return
    os.environ.setdefault("TRANSFLOW_SECRET", "bench-secret")
    week = Week(2024, 9)
    with tempfile.TemporaryDirectory() as tmp, SMTPServer() as server:
        root = Path(tmp)
        for name in ("transflow.toml", "glossary.csv", "sources", "locales",
                     "assets"):
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
        with (root / "transflow.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[delivery]\nfrom = "bench@example.org"\nhost = "127.0.0.1"\n'
                    f"port = {server.port}\n")
        config = load_config(root)
        build(config, [week])
        # A 300 KB bulletin, as a long week's would be: pad each PDF with comment lines
        # after its %%EOF (readers ignore them) and record the padded file in the manifest.
        langs = config.languages
        for lang in langs:
            folder = root / "output" / str(week) / lang
            pdf = folder / pdf_name(config, week, lang)
            data = pdf.read_bytes()
            data += b"\n" + b"% padding for the benchmark\n" * ((300_000 - len(data)) // 28)
            pdf.write_bytes(data)
            manifest = json.loads((folder / MANIFEST).read_text())
            manifest["files"][pdf.name] = hashlib.sha256(data).hexdigest()
            (folder / MANIFEST).write_text(json.dumps(manifest))
        rows = [subs.Subscriber(f"reader{i:04d}@example.org", (langs[i % 3],))
                for i in range(args.subscribers)]
        with subs.connect(config) as db, db:
            subs._upsert(db, rows)
        pdf_size = sum((root / "output" / str(week) / lang / pdf_name(config, week, lang))
                       .stat().st_size for lang in langs) // 3
        # The floor: the same messages, built beforehand, sent over one connection
        # with no log, by a process of its own, as transflow send is.
        key = secret()
        editions = {lang: edition(config, week, lang, root / "output" / str(week) / lang /
                                  pdf_name(config, week, lang)) for lang in langs}
        prebuilt = root / "prebuilt.msgs"
        with prebuilt.open("wb") as f:
            for s in rows:
                data = as_bytes(config, build_message(
                    config, editions[s.languages[0]], Recipient(s.email), key))
                f.write(s.email.encode() + b"\n" + str(len(data)).encode() + b"\n" + data)
        env = {**os.environ, "TRANSFLOW_SECRET": key.decode()}
        ours_runs, floor_runs = [], []
        for _ in range(args.rounds):  # in turn, so both meet the same machine
            with subs.connect(config) as db, db:
                db.execute("DELETE FROM deliveries")
            before = len(server.handler.received)
            ours_runs.append(timed([sys.executable, "-m", "transflow", "send", "--week",
                                    str(week), "--workspace", str(root)], env))
            sent = len(server.handler.received) - before
            assert sent == args.subscribers, f"transflow send sent {sent}"
            floor_runs.append(timed([sys.executable, __file__, "--floor", str(prebuilt),
                                     str(server.port)], env))
    ours, floor = statistics.median(ours_runs), statistics.median(floor_runs)
    print(f"{args.subscribers} subscribers, 3 languages, PDF of {pdf_size // 1024} KB; "
          f"{args.rounds} rounds in turn, medians")
    print(f"transflow send:        {args.subscribers:5} messages in {ours:6.2f} s, "
          f"{args.subscribers / ours:7.1f} per second")
    print(f"smtplib loop (floor):  {args.subscribers:5} messages in {floor:6.2f} s, "
          f"{args.subscribers / floor:7.1f} per second")
    print(f"ratio transflow / floor: {ours / floor:.2f}x the time")


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def smtplib_loop(path: str, port: int) -> None:
    """Send the prebuilt messages of ``path`` over one connection."""
    data = Path(path).read_bytes()
    at = 0
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        while at < len(data):
            end = data.index(b"\n", at)
            address = data[at:end].decode()
            at, end = end + 1, data.index(b"\n", end + 1)
            size = int(data[at:end])
            at = end + 1
            smtp.sendmail("bench@example.org", [address], data[at:at + size])
            at += size


if __name__ == "__main__":
    main()
