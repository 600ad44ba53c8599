"""The PO file format: reading errors, and writing exactly as GNU msgcat does."""

from __future__ import annotations

import random
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog, Entry, header_fields
from transflow.workspace.errors import CatalogError

WORDS = (
    "Minsk regards the well-known normalization as a necessary requirement—to Мінск "
    "справядліва лічыць нармалізацыю адносін «цытата» 2 000 чалавек 10-15% (see) "
    "[the report](https://example.org/reports/2019/very-long-path.html) “quotes” ‘x’ a/b "
    "e.g. U.S. т.е. «Минск» (2019) 1990-х $100 10:28 —Yes !? a,b x;y Note:word 20%-ный "
    "3.5% 2019–2020 Минск считает нормализацию — – - ... 5th 5-га 1,000.50 \"q\" back\\slash "
    "(s)he word( abc% $100 №\u00a05 +375 … (x) [y] 2019( a|b 1\u00a0500 tab\t —— x—(y) "
    "«Мінск»— 5-ці 12.03.2024 ‘Вільня’ „лапкі“ {z} 100° 15‰ x! ?y 'a' O'Brien"
).split(" ")


def random_catalog(seed: int) -> Catalog:
    rng = random.Random(seed)
    entries = []
    for i in range(300):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.1:
            text += "\n"
        if rng.random() < 0.05:
            text = text.replace(" ", "\n", 1)
        entry = Entry(
            msgctxt=f"slug-{i}",
            msgid=text,
            msgstr=text[::-1] if rng.random() < 0.6 else "",
            references=tuple((f"sources/2024-W09/file-{j}-{'x' * rng.randint(0, 30)}.md",
                              str(j)) for j in range(rng.randint(0, 4))),
            extracted_comments="paragraph",
            translator_comments="translator note" if rng.random() < 0.2 else "",
        )
        if entry.msgstr and rng.random() < 0.3:
            entry = replace(entry.with_fuzzy(), previous_msgid=text[: len(text) // 2])
        if entry.msgstr and rng.random() < 0.1:
            entry = replace(entry, obsolete=True, references=())
        entries.append(entry)
    return Catalog(tuple(entries), header_fields({
        "Project-Id-Version": "a long project id that will need wrapping over the limit of 79",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }))


@pytest.mark.parametrize("seed", range(5))
def test_written_like_msgcat(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "x.po"
    text = pofile.dumps(random_catalog(seed))
    path.write_text(text, encoding="utf-8")
    again = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True)
    assert again.stdout == text


def test_round_trip_through_polib(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    original = pofile.dumps(random_catalog(7))
    path.write_text(original, encoding="utf-8")
    assert pofile.dumps(pofile.read_catalog(path)) == original


def test_syntax_error_names_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.po"
    path.write_text('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b\n', encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        pofile.read_catalog(path, "locales/be/LC_MESSAGES/broken.po")
    assert str(err.value).startswith("locales/be/LC_MESSAGES/broken.po:5: ")


def test_not_utf8_names_line(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.po"
    path.write_bytes('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "б"\n'.encode("cp1251"))
    with pytest.raises(CatalogError, match=r"cp1251\.po:5: not valid UTF-8"):
        pofile.read_catalog(path)


def test_write_is_atomic_and_skips_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "x.po"
    catalog = random_catalog(1)
    assert pofile.write_catalog(catalog, path, None)
    mtime = path.stat().st_mtime_ns
    assert not pofile.write_catalog(catalog, path, pofile.load(path))
    assert path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == ["x.po"]  # no temp file left behind


def test_obsolete_previous_msgid_survives(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    path.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\n#~| msgid "Old \\"text\\""\n#~ msgctxt "talks"\n#~ msgid ""\n'
        '#~ "New text that is long enough to wrap over two lines when written out by "\n'
        '#~ "GNU gettext"\n#~ msgstr "Перевод"\n', encoding="utf-8")
    catalog = pofile.read_catalog(path)
    (entry,) = list(catalog)
    assert entry.obsolete and entry.previous_msgid == 'Old "text"'
    assert pofile.dumps(catalog) == path.read_text(encoding="utf-8")


# --- byte for byte as msgcat, over the Unicode of be/ru/en text and beyond --------------

SPECIAL = [
    "\u0301",  # the Cyrillic stress mark (combining)
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width characters
    "\u00ad",  # soft hyphen
    "\u2212", "…", "–", "—", "]", "[", "}", "{", "%", "%%", "+", "№", "\\", '"', "\t",
    "\n", " ", "\u00a0", "\u202f", "«", "»", "„", "“", "”", "'",
    "中文", "한국어", "ｶﾀｶﾅ", "ＡＢ", "👍", "🇧🇾",  # East Asian wide, emoji, flags
    "%(name)s", "%s", "%d", "%5.2f",
]
WORD = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1,
               max_size=12)
PIECE = st.one_of(st.sampled_from(SPECIAL), WORD,
                  st.sampled_from(["Мінск", "Минск", "нармалізацыю", "sanctions", "2 000",
                                   "10-15%", "1,500", "(2024)", "т.е."]))
TEXT = st.lists(PIECE, min_size=1, max_size=40).map(lambda parts: " ".join(parts))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TEXT, TEXT, st.sampled_from([(), ("python-format",),
                                                       ("no-wrap",), ("fuzzy",)])),
                min_size=1, max_size=6))
def test_written_byte_for_byte_as_msgcat(tmp_path_factory: pytest.TempPathFactory,
                                         items: list[tuple[str, str, tuple[str, ...]]]) -> None:
    entries = tuple(Entry(msgid, f"c{i}", msgstr=msgstr, flags=flags)
                    for i, (msgid, msgstr, flags) in enumerate(items))
    catalog = Catalog(entries, header_fields({"Content-Type": "text/plain; charset=UTF-8"}))
    path = tmp_path_factory.mktemp("po") / "x.po"
    text = pofile.dumps(catalog)
    path.write_text(text, encoding="utf-8")
    again = subprocess.run(["msgcat", str(path)], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout == text
    assert pofile.dumps(pofile.read_catalog(path)) == text


