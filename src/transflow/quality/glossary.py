"""The house glossary: ``glossary.csv`` (en, ru, be, forbidden, note), one concept a row.

Terms match inflected forms (Макей, Макея, Макеем): a Cyrillic term matches its stem
followed by any ending. Forbidden variants match as whole words, in any case and any
language, and only as written: their stems often coincide with the right spelling's.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from transflow.workspace.config import Config
from transflow.workspace.errors import ConfigError

GLOSSARY_NAME = "glossary.csv"
_VOWELISH = "аеёиийоуыьэюяіў"
_ALTERNATIONS = {"т": "(?:т|ц)", "д": "(?:д|дз)", "к": "(?:к|ц|ч)", "г": "(?:г|з|ж)",
                 "х": "(?:х|с|ш)"}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Term:
    terms: tuple[tuple[str, str], ...]
    """(language, term) for each language the row fills in."""
    forbidden: tuple[str, ...]
    note: str
    line: int

    def term(self, lang: str) -> str | None:
        return dict(self.terms).get(lang)


def load_glossary(config: Config) -> tuple[Term, ...]:
    path = config.root / GLOSSARY_NAME
    if not path.exists():
        return ()
    try:
        return _read_glossary(config, path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start}); save it as CSV in UTF-8",
                          GLOSSARY_NAME) from None
    except _Unreadable as exc:
        raise ConfigError(f"cannot be read as CSV ({exc.reason}); a cell may be unclosed "
                          "or far too long", GLOSSARY_NAME, exc.line) from None


class _Unreadable(Exception):
    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def _read_glossary(config: Config, path: Path) -> tuple[Term, ...]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"forbidden", "note", *config.languages} - set(reader.fieldnames or ())
        if missing:
            raise ConfigError(
                f"header lacks {', '.join(sorted(missing))}; the first line must be "
                f"{','.join([*config.languages, 'forbidden', 'note'])}",
                GLOSSARY_NAME, 1,
            )
        rows = []
        try:
            found = list(reader)
        except csv.Error as exc:
            raise _Unreadable(str(exc), reader.line_num) from None
        for row in found:
            terms = tuple((lang, row[lang].strip()) for lang in config.languages
                          if (row.get(lang) or "").strip())
            forbidden = tuple(v.strip() for v in (row.get("forbidden") or "").split("|")
                              if v.strip())
            rows.append(Term(terms, forbidden, (row.get("note") or "").strip(),
                             reader.line_num))
    return tuple(rows)


def _stem(word: str) -> str:
    """The word without its ending: up to two final vowels (or й, ь), keeping a stem of
    at least four letters (Макей → Маке, представителей → представител)."""
    for cut in (2, 1):
        ending = word[-cut:].lower()
        if all(ch in _VOWELISH for ch in ending) and len(word) - cut >= 4:
            return word[:-cut]
    return word


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    words = []
    for word in term.split():
        if _CYRILLIC.search(word):
            stem = _stem(word)
            # Endings may change the stem's last consonant (Палата → у Палаце).
            last = _ALTERNATIONS.get(stem[-1].lower()) if stem != word else None
            pattern = re.escape(stem[:-1]) + last if last else re.escape(stem)
            words.append(pattern + r"\w*")
        else:
            words.append(re.escape(word) + r"(?:'s|’s|s|es)?")
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


@cache
def _exact_pattern(variant: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(variant) + r"(?:'s|’s)?(?!\w)", re.IGNORECASE)


def contains_term(text: str, term: str, lowered: str | None = None) -> bool:
    """``term`` or an inflected form of it occurs in ``text`` (``lowered``: the text in
    lower case, when the caller made it once for many terms)."""
    # Most texts do not hold the term's first stem at all: a substring test says so
    # without the pattern (a tenth of the time, on every entry the check reads).
    return (_probe(term) in (text.lower() if lowered is None else lowered)
            and bool(_term_pattern(term).search(text)))


def forbidden_variants(text: str, row: Term, lowered: str | None = None) -> list[str]:
    if lowered is None:
        lowered = text.lower()
    return [v for v in row.forbidden
            if _lower(v) in lowered and _exact_pattern(v).search(text)]


@cache
def _lower(variant: str) -> str:
    return variant.lower()


@cache
def _probe(term: str) -> str:
    """A part of the term every form of it holds: its first word, or that word's stem
    without the consonant an ending may change."""
    word = term.split()[0] if term.split() else term
    if _CYRILLIC.search(word):
        stem = _stem(word)
        return (stem[:-1] if stem != word else stem).lower()
    return word.lower()
