"""Content shaped like the real publication, for the benchmarks that time the CLI.

Each week holds five commentaries (15 commentary pages with their two translations),
written in English, Russian or Belarusian, of eight to twelve paragraphs of two to
five sentences each, drawn from a Zipf vocabulary of several thousand words per
language (a few words are everywhere, most are rare, as in real prose), with figures
and dates. Translators' work is pseudo-translation word by word, so that the same
sentence reads the same in every week (the memory has real repeats to find).

Edits are those an analyst makes to a draft: a paragraph added, one split in two,
one moved, one reworded, one with a word or two swapped.
"""

from __future__ import annotations

import bisect
import itertools
import random
import shutil
from dataclasses import replace
from pathlib import Path

from workspace import REPO

from transflow.catalogs import pofile
from transflow.workspace.weeks import Week

CATEGORIES = ("security", "foreign", "domestic", "economy", "society")
TRENDS = ("better", "unchanged", "worse")
LANGUAGES = ("en", "en", "ru", "be", "en")
"""The source language of the week's five commentaries, in turn."""

_SYLLABLES = {
    "en": "ba be bi bo ca co de di do fa fe fi ga go ha he la le li lo ma me mi mo na ne "
          "no pa pe po ra re ri ro sa se si so ta te ti to va ve vi wa we an en in on "
          "ar er or st tr pr gr pl".split(),
    "ru": "ба бе би бо ва ве ви во га го да де ди до за зе ка ко ку ла ле ли ло ма ме ми "
          "мо на не ни но па пе по ра ре ри ро са се си со та те ти то ча че ши ще ов "
          "ен ст пр ор ан ий ый ая".split(),
    "be": "ба бе бі бо ва ве ві во га го да дзе дзі до за зе ка ко ку ла ле лі ло ма ме "
          "мі мо на не ні но па пе по ра рэ ры ро са се сі со та це ці то ча чы шы шч "
          "аў ен ст пр ар ан ый ая ўя".split(),
}
VOCABULARY = 6000
"""Words per language."""


class Vocabulary:
    """A language's words with Zipf frequencies (the word of rank r drawn ∝ 1/r)."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        syllables = _SYLLABLES[lang]
        words: dict[str, None] = {}
        while len(words) < VOCABULARY:
            words["".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
                  ] = None
        self.words = list(words)
        self.cumulative = list(itertools.accumulate(1 / r for r in range(1, VOCABULARY + 1)))

    def word(self, rng: random.Random) -> str:
        return self.words[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def vocabularies(seed: int = 1) -> dict[str, Vocabulary]:
    rng = random.Random(seed)
    return {lang: Vocabulary(lang, rng) for lang in ("en", "ru", "be")}


def sentence(words: Vocabulary, rng: random.Random) -> str:
    chosen = [words.word(rng) for _ in range(rng.randint(8, 26))]
    if rng.random() < 0.3:
        chosen.insert(rng.randrange(len(chosen)), f"{rng.randint(2, 98)}%")
    if rng.random() < 0.2:
        chosen.insert(rng.randrange(len(chosen)), str(rng.randint(1990, 2026)))
    if len(chosen) > 12 and rng.random() < 0.5:
        chosen[len(chosen) // 2] += ","
    return " ".join(chosen).capitalize() + "."


def paragraph(words: Vocabulary, rng: random.Random) -> str:
    return " ".join(sentence(words, rng) for _ in range(rng.randint(2, 5)))


def weeks_of(count: int, start: int = 2016) -> list[Week]:
    return [Week(start + n // 52, n % 52 + 1) for n in range(count)]


def commentary(week: Week, i: int, lang: str, words: Vocabulary, rng: random.Random) -> str:
    body = "\n\n".join(paragraph(words, rng) for _ in range(rng.randint(8, 12)))
    title = sentence(words, rng)[:-1]
    monday = week.monday
    return (f"---\ntitle: {title[:90]}\nlang: {lang}\ncategory: {CATEGORIES[i]}\n"
            f"trend: {TRENDS[(week.number + i) % 3]}\nauthor: Analyst {i + 1}\n"
            f"date: {monday.isoformat()}\n---\n\n{body}\n")


def make_workspace(root: Path, weeks: list[Week], seed: int = 14) -> None:
    """A workspace with the sample's settings, labels and assets and ``weeks`` of
    generated sources (no catalogs of them yet)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("transflow.toml", "glossary.csv", "assets"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("20*"))
    words = vocabularies()
    rng = random.Random(seed)
    for week in weeks:
        add_week(root, week, words, rng)


def add_week(root: Path, week: Week, words: dict[str, Vocabulary],
             rng: random.Random) -> None:
    folder = root / "sources" / str(week)
    folder.mkdir(parents=True, exist_ok=True)
    for i, lang in enumerate(LANGUAGES):
        (folder / f"commentary-{i + 1}.md").write_text(
            commentary(week, i, lang, words[lang], rng), encoding="utf-8")


def pseudo_translation(text: str, lang: str) -> str:
    """The same text always gives the same translation (a word-by-word cipher into the
    target language's alphabet), so that repeated sentences translate alike."""
    table = _CIPHER[lang]
    return "".join(table.get(c, c) for c in text)


_LATIN = "abcdefghijklmnopqrstuvwxyz"
_RUSSIAN_ONLY, _BELARUSIAN_ONLY = "ищъ", "іў"
# Each target alphabet's own letters only, so that translations pass the script checks
# as translators' work does.
_CIPHER = {
    "be": {**dict(zip(_LATIN, "абцдэфгхіжклмнопкрстуввксз", strict=True)),
           **dict(zip(_LATIN.upper(), "АБЦДЭФГХІЖКЛМНОПКРСТУВВКСЗ", strict=True)),
           "и": "і", "щ": "ш", "ъ": "ь", "И": "І", "Щ": "Ш"},
    "ru": {**dict(zip(_LATIN, "абцдефгхийклмнопкрстуввксз", strict=True)),
           **dict(zip(_LATIN.upper(), "АБЦДЕФГХИЙКЛМНОПКРСТУВВКСЗ", strict=True)),
           "і": "и", "ў": "у", "І": "И", "Ў": "У"},
    "en": {**dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіў",
                      "abvgdeejziiklmnoprstufhcchssyyeuaiu", strict=True)),
           **dict(zip("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЎ",
                      "ABVGDEEJZIIKLMNOPRSTUFHCCHSSYYEUAIU", strict=True))},
}


def translate(root: Path, rng: random.Random, share: float = 0.95) -> int:
    """Fill ``share`` of the untranslated entries of every week's catalog, as
    translators would have; how many were filled."""
    filled = 0
    for lang in ("be", "ru", "en"):
        for path in sorted((root / "locales" / lang / "LC_MESSAGES").glob("20*.po")):
            catalog = pofile.read_catalog(path)
            entries = []
            for e in catalog:
                if not e.obsolete and not e.msgstr and rng.random() < share:
                    e = replace(e, msgstr=pseudo_translation(e.msgid, lang))
                    filled += 1
                entries.append(e)
            path.write_text(pofile.dumps(catalog.with_entries(entries)), encoding="utf-8")
    return filled


def edit_commentary(path: Path, words: dict[str, Vocabulary], rng: random.Random,
                    kinds: tuple[str, ...] = ("add", "split", "move", "reword", "swap")
                    ) -> None:
    """One edit of each of ``kinds`` to one commentary."""
    head, _, body = path.read_text(encoding="utf-8").partition("---\n\n")
    lang = head.split("lang: ", 1)[1].split("\n", 1)[0]
    vocabulary = words[lang]
    paragraphs = body.strip().split("\n\n")
    for kind in kinds:
        i = rng.randrange(len(paragraphs))
        if kind == "add":
            paragraphs.insert(i, paragraph(vocabulary, rng))
        elif kind == "split":
            sentences = paragraphs[i].split(". ")
            if len(sentences) > 1:
                cut = len(sentences) // 2
                paragraphs[i:i + 1] = [". ".join(sentences[:cut]) + ".",
                                       ". ".join(sentences[cut:])]
        elif kind == "move":
            moved = paragraphs.pop(i)
            paragraphs.insert(rng.randrange(len(paragraphs) + 1), moved)
        elif kind == "reword":
            text = paragraphs[i].split()
            for _ in range(max(1, len(text) // 4)):
                text[rng.randrange(len(text))] = vocabulary.word(rng)
            paragraphs[i] = " ".join(text)
        elif kind == "swap":
            text = paragraphs[i].split()
            text[rng.randrange(len(text))] = vocabulary.word(rng)
            paragraphs[i] = " ".join(text)
    path.write_text(head + "---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def edit_archive(root: Path, rng: random.Random, share: float = 0.10) -> int:
    """Edit ``share`` of the commentaries of the archive, one edit of each kind each;
    how many were edited."""
    words = vocabularies()
    edited = 0
    for path in sorted((root / "sources").glob("*/*.md")):
        if rng.random() < share:
            edit_commentary(path, words, rng)
            edited += 1
    return edited
