"""What tests share besides fixtures: the sample's location, a small configuration,
writing a source, running the CLI, ``msgfmt --check``, and reading bulletins back."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result
from pypdf import PdfReader

from transflow.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLE = ("transflow.toml", "glossary.csv", "sources", "locales", "assets")
"""What the repository's sample publication is made of."""


def copy_sample(root: Path, base_url: str | None = None) -> Path:
    """A copy of the sample publication at ``root``; its ``[site] base_url`` is left out
    unless given (a site with relative links only: what most tests look at; the
    sample's own address is checked by the demo's test)."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE:
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    set_base_url(root, base_url)
    return root

MINI_CONFIG = """\
[publication]
slug = "test-bulletin"
languages = ["be", "ru", "en"]
source_language = "en"
min_translated = 0

[publication.title]
en = "Test Bulletin"
be = "Тэставы бюлетэнь"
ru = "Тестовый бюллетень"

[categories]
security = "Security issues"
economy = "Economy"
"""


def write_source(root: Path, week: str, slug: str, front: str, body: str) -> Path:
    path = root / "sources" / week / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n" + textwrap.dedent(front).strip() + "\n---\n\n" + textwrap.dedent(body).strip()
        + "\n",
        encoding="utf-8",
    )
    return path


def run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, [*args, "--workspace", str(root)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )


def out(root: Path, week: str, lang: str) -> tuple[Path, Path]:
    """The HTML page and the PDF of a bulletin in the sample publication."""
    folder = root / "output" / week / lang
    return folder / "index.html", folder / f"situation-in-belarus-{week}-{lang}.pdf"


def preview(root: Path, week: str, lang: str) -> tuple[Path, Path]:
    folder = root / "output" / "preview" / week / lang
    return folder / "index.html", folder / f"situation-in-belarus-{week}-{lang}-preview.pdf"


def flat(text: str) -> str:
    """Text without whitespace, hyphens and Markdown markers: PDF line breaks fall
    anywhere, and hyphenation adds a hyphen where a word is broken. Quotes and
    apostrophes as typed: the page sets them typographically."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.translate(str.maketrans("’‘«»“”„", "''\"\"\"\"\""))
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text.replace("*", ""))


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def po(root: Path, lang: str, domain: str) -> Path:
    """A catalog of the workspace ``root``."""
    return root / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


def files(root: Path) -> dict[Path, bytes]:
    """Every file below ``root`` and its bytes (the caches of .transflow/ aside, and the
    website's commentary pages in folders below a bulletin's)."""
    if not root.exists():
        return {}
    return {p: p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".transflow" not in p.parts
            and not (p.name == "index.html" and p.parent.parent.name in ("be", "ru", "en"))}


def save_translation(path: Path, msgid_start: str, msgstr: str) -> None:
    """What a translator's editor does: change one entry and save the file (with polib,
    an editor's library that is not transflow's)."""
    import polib

    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith(msgid_start) and not e.obsolete)
    entry.msgstr = msgstr
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalog.save(str(path))


def set_base_url(root: Path, base_url: str | None) -> None:
    """``[site] base_url`` of the workspace ``root`` set to ``base_url`` (None: left out),
    whether its transflow.toml has one (the sample does) or not."""
    config = root / "transflow.toml"
    text = config.read_text(encoding="utf-8")
    line = f'base_url = "{base_url}"' if base_url else ""
    if re.search(r'^base_url = ".*"$', text, re.M):
        text = re.sub(r'^base_url = ".*"$', line, text, flags=re.M)
    elif base_url and re.search(r"^\[site\]$", text, re.M):
        text = re.sub(r"^\[site\]$", f"[site]\n{line}", text, count=1, flags=re.M)
    elif base_url:
        text += f"\n[site]\n{line}\n"
    config.write_text(text, encoding="utf-8")
