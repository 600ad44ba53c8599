"""``make audit``: Lighthouse's scores for every page kind of the sample, in each
language, as search engines and auditors judge a site: accessibility, best practices
and SEO (previews: not judged by SEO, they are noindex by design). The site is built
with its address set to where it is served (127.0.0.1), so that canonical links,
alternates and the sitemap are those a crawler would follow.

    .venv/bin/python scripts/audit.py LIGHTHOUSE   (make audit installs it first)

Prints a table and exits 1 when a score is below 100."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = ("accessibility", "best-practices", "seo")
KINDS = {
    "front": "",
    "home": "{lang}/",
    "week": "2024-W09/{lang}/",
    "commentary": "2024-W09/{lang}/border-readiness-check/",
    "category": "{lang}/categories/security/",
    "search": "{lang}/search/",
    "preview": "preview/2024-W10/{lang}/",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(lighthouse: str) -> int:
    from transflow.site.serve import Server, static_app
    from transflow.workspace.config import load_config

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample"
        root.mkdir()
        for name in ("transflow.toml", "glossary.csv"):
            shutil.copy(REPO / name, root / name)
        for name in ("sources", "locales", "assets"):
            shutil.copytree(REPO / name, root / name)
        with (root / "transflow.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[site]\nbase_url = "{base}"\n')
        for args in (["update"], ["build", "--no-strict"],
                     ["build", "--week", "2024-W10", "--drafts", "--format", "html"]):
            subprocess.run([str(Path(sys.executable).parent / "transflow"), *args,
                            "--workspace", str(root)], check=True, stdout=subprocess.DEVNULL)
        server = Server(static_app(load_config(root)), port=port)
        threading.Thread(target=server.run, daemon=True).start()
        failed = False
        print(f"{'page':<28}" + "".join(f"{c:>16}" for c in CATEGORIES))
        try:
            for kind, pattern in KINDS.items():
                for lang in ("be", "ru", "en"):
                    path = pattern.format(lang=lang)
                    if kind == "front" and lang != "be":
                        continue
                    if kind == "preview" and not (root / "output" / path).is_dir():
                        continue
                    report = Path(tmp) / "report.json"
                    subprocess.run(
                        [lighthouse, base + path, "--quiet", "--output=json",
                         f"--output-path={report}",
                         f"--only-categories={','.join(CATEGORIES)}",
                         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                        check=True, env={"CHROME_PATH": shutil.which("chromium") or "",
                                         "PATH": "/usr/bin:/bin"})
                    found = json.loads(report.read_text(encoding="utf-8"))
                    scores = {c: round(100 * (found["categories"][c]["score"] or 0))
                              for c in CATEGORIES}
                    if kind == "preview":
                        scores["seo"] = -1  # noindex by design
                    failed |= any(0 <= s < 100 for s in scores.values())
                    print(f"{kind + ' ' + lang:<28}" + "".join(
                        f"{(str(s) if s >= 0 else '–'):>16}" for s in scores.values()))
                    for c in CATEGORIES:
                        for ref in found["categories"][c]["auditRefs"]:
                            audit = found["audits"][ref["id"]]
                            if ref["weight"] and audit["score"] is not None \
                                    and audit["score"] < 1 and not (kind == "preview"
                                                                   and c == "seo"):
                                print(f"    {c}: {ref['id']}: {audit['title']}")
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
