"""Messages per second of ``transflow send``: 1,000 subscribers in three languages, a
300 KB PDF, to a loopback aiosmtpd server; against the floor of a bare smtplib loop
sending the same prebuilt messages over one connection.

    .venv/bin/python bench/send.py [--subscribers 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import smtplib
import sys
import tempfile
import time
from pathlib import Path

from workspace import REPO

sys.path.insert(0, str(REPO))

from tests.smtp_server import SMTPServer
from transflow.delivery import subscribers as subs
from transflow.delivery.message import Recipient, as_bytes, build_message, edition
from transflow.delivery.send import send
from transflow.delivery.tokens import secret
from transflow.publish.build import build
from transflow.publish.editions import pdf_name
from transflow.publish.manifest import MANIFEST
from transflow.workspace.config import load_config
from transflow.workspace.weeks import Week


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    args = parser.parse_args()
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
        start = time.perf_counter()
        report = send(config, week)
        ours = time.perf_counter() - start
        sent = sum(r.sent for r in report.results)
        # The floor: the same messages, built beforehand, one connection, no log.
        key = secret()
        editions = {lang: edition(config, week, lang, root / "output" / str(week) / lang /
                                  pdf_name(config, week, lang)) for lang in langs}
        prebuilt = [(s.email, as_bytes(config, build_message(
            config, editions[s.languages[0]], Recipient(s.email), key))) for s in rows]
        server.handler.received.clear()
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", server.port) as smtp:
            for email, data in prebuilt:
                smtp.sendmail("bench@example.org", [email], data)
        floor = time.perf_counter() - start
    print(f"{args.subscribers} subscribers, 3 languages, PDF of {pdf_size // 1024} KB")
    print(f"transflow send:        {sent:5} messages in {ours:6.2f} s, "
          f"{sent / ours:7.1f} per second")
    print(f"smtplib loop (floor):  {len(prebuilt):5} messages in {floor:6.2f} s, "
          f"{len(prebuilt) / floor:7.1f} per second")
    print(f"ratio transflow / floor: {ours / floor:.2f}x the time")


if __name__ == "__main__":
    main()
