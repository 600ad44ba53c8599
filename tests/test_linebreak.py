"""PO lines are broken the same on every machine: by transflow's own copy of
libunistring 1.0's line breaking (Unicode 14.0.0), equal to the library itself and to
msgcat over the characters of Belarusian, Russian and English text, and written
without the host's libunistring or Python's unicodedata.

Every text here is written for these tests."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import REPO
from tests.unistring import ReferenceBreaker, reference_breaks, version
from transflow.catalogs import linebreak_table, pofile, wrap
from transflow.catalogs.model import Catalog, Entry, header_fields

pytestmark = pytest.mark.skipif(
    version() != "1.0", reason=f"the reference is libunistring 1.0; found {version()}")

# What occurs in the bulletin's three languages, and in passing.
LETTERS = "абвгдеёжзійклмнопрстуўфхцчшыьэюяАБВГДЕЁЖЗІЙКЛМНОПРСТУЎФХЦЧШЫЬЭЮЯщъиЩЪИ" \
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
MARKS = ["\u0301", "\u0300"]  # stress marks, combining
PUNCTUATION = list(".,;:!?…()[]{}/\\'\"«»„“”‘’‚‹›-‐‑–—―%‰$€£№°§&*+=<>#@|~^_`")
SPACES = [" ", " ", " ", "\u00a0", "\u202f", "\u2009", "\u2007"]
OTHER = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\t",
         "👍", "👍🏽", "🇧🇾", "👨\u200d👩\u200d👧", "☺", "✓", "\\n", "\\t", '\\"', "\\\\",
         "\u2028", "\u0085"]
PIECE = st.one_of(
    st.text(alphabet=LETTERS, min_size=1, max_size=12),
    st.text(alphabet=LETTERS + "0123456789", min_size=1, max_size=6),
    st.sampled_from(MARKS + PUNCTUATION + SPACES + OTHER),
    st.sampled_from(["Мінск", "Мі\u0301нск", "2 000", "1\u00a0500", "10-15%", "1990-х",
                     "т.е.", "https://example.org/a/b-c.html", "O'Brien", "20%-ный"]),
)
TEXT = st.lists(PIECE, min_size=1, max_size=80).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.integers(1, 90), st.integers(0, 12), st.randoms(use_true_random=False))
def test_breaks_as_libunistring_1_0(text: str, width: int, start: int, rnd) -> None:  # type: ignore[no-untyped-def]
    overrides = bytes(rnd.choice((0, 0, 0, 1)) for _ in text)
    breaker = wrap.breaker()
    before = breaker.runs
    assert breaker.breaks(text, overrides, start, width) == reference_breaks(
        text, overrides, start, width)
    assert breaker.runs == before + 1


def test_every_class_beside_every_class() -> None:
    """Two characters of each pair of classes, next to each other, across one and two
    spaces, and with a mark or joiner between: the pair table and the rules around it."""
    firsts: dict[str, str] = {}
    for start, cls in zip(linebreak_table.CLASS_STARTS, linebreak_table.CLASS_OF,
                          strict=True):
        if not 0xD800 <= start <= 0xDFFF:
            firsts.setdefault(linebreak_table.CLASSES[cls], chr(start))
    assert len(firsts) == len(linebreak_table.CLASSES)
    breaker = wrap.breaker()
    compared = 0
    for a in firsts.values():
        for b in firsts.values():
            for middle in ("", " ", "  ", "\u0301", "\u200d", " \u0301", "\u200b "):
                text = f"x{a}{middle}{b}{a}y"
                overrides = bytes(len(text))
                assert breaker.breaks(text, overrides, 0, 1) == reference_breaks(
                    text, overrides, 0, 1), [hex(ord(c)) for c in text]
                compared += 1
    assert compared == 7 * len(firsts) ** 2


def _catalog_texts() -> list[Path]:
    return sorted((REPO / "locales").rglob("*.po")) + sorted((REPO / "locales").glob("*.pot"))


def test_the_sample_is_written_the_same_by_either_breaker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every catalog of the sample, written once with transflow's breaker and once with
    libunistring's: the same bytes, and each breaker did break lines."""
    catalogs = [pofile.read_catalog(path) for path in _catalog_texts()]
    assert len(catalogs) >= 6
    written = {}
    for name, breaker in (("transflow", wrap.breaker()), ("libunistring", ReferenceBreaker())):
        monkeypatch.setattr(wrap, "breaker", lambda b=breaker: b)
        wrap._field_lines.cache_clear()  # nothing remembered from the other breaker
        before = breaker.runs
        written[name] = [pofile.dumps(catalog) for catalog in catalogs]
        assert breaker.runs - before > 100, f"{name} was not asked to break lines"
    wrap._field_lines.cache_clear()
    assert written["transflow"] == written["libunistring"]


def test_written_as_msgcat_writes_it(tmp_path: Path) -> None:
    """A catalog of everything the bulletin's languages hold, rewritten by msgcat."""
    wrap._field_lines.cache_clear()
    pieces = ["Мінск", "Мі\u0301нск", "«цытата»", "„лапкі“", "“quotes”", "‘Вільня’",
              "2\u00a0000", "1\u202f500", "10–15%", "1990-х", "—", "–", "-", "пра\u00adграма",
              "(2024)", "т.е.", "№\u00a05", "O'Brien", "👍🏽", "🇧🇾", "https://example.org/x-y",
              "100°", "15‰", "…", "!?", "x;y", "$100", "€5", "[1]", "{z}", "a/b"]
    entries = []
    for i in range(60):
        words = [pieces[(i * 7 + k * 3) % len(pieces)] for k in range(20 + i)]
        entries.append(Entry(" ".join(words), f"c{i}", msgstr=" ".join(reversed(words))))
    catalog = Catalog(tuple(entries), header_fields(
        {"Content-Type": "text/plain; charset=UTF-8"}))
    before = wrap.breaker().runs
    text = pofile.dumps(catalog)
    assert wrap.breaker().runs - before > 60  # the breaker did the work
    path = tmp_path / "x.po"
    path.write_text(text, encoding="utf-8")
    again = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True)
    assert again.stdout == text


def test_the_writer_asks_nothing_of_the_host() -> None:
    """No ctypes (the host's libunistring) and no unicodedata (Python's Unicode version)
    in the code that writes catalogs; the data is for one pinned Unicode version."""
    for module in ("wrap.py", "pofile.py", "linebreak_table.py"):
        tree = ast.parse((REPO / "src/transflow/catalogs" / module).read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                    for alias in (node.names if isinstance(node, ast.Import)
                                  else [ast.alias(node.module or "")])}
        assert not imported & {"ctypes", "unicodedata"}, module
    assert linebreak_table.UNICODE_VERSION == "14.0.0"
