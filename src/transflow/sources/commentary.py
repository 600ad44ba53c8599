"""Source commentaries: ``sources/<ISO week>/<slug>.md``, YAML front matter + Markdown body.

This module reads and validates them into ``Commentary`` values; PyYAML is imported
here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from transflow.workspace.config import Config
from transflow.workspace.errors import SourceError, WeekError
from transflow.workspace.weeks import Week, WeekSelection, is_week_name

if TYPE_CHECKING:
    from transflow.sources.markdown import Segment

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Commentary:
    slug: str
    path: Path
    rel: str
    week: Week
    lang: str
    title: str
    category: str
    trend: str | None
    author: str | None
    date: date | None
    image_credit: str | None
    summary: str | None
    """A one-sentence lead for the bulletin's first page (else its first sentence)."""
    body: str
    body_line: int
    """1-based line of the file where the Markdown body starts."""
    field_lines: dict[str, int]
    """1-based line of each front-matter field, for ``#:`` references and errors."""

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        """Its segments (``markdown.split``), found once: a week's bulletin in each
        language reads the same commentaries (a third of the time of making them)."""
        from transflow.sources.markdown import split

        return split(self)


PLACEHOLDERS = {
    "en": "Write the commentary here, one paragraph after another, separated by empty "
          "lines.",
    "be": "Напішыце каментар тут, абзац за абзацам, праз пусты радок.",
    "ru": "Напишите комментарий здесь, абзац за абзацем, через пустую строку.",
}
"""The paragraph ``transflow new`` writes in a new commentary, in its language (English
for a language it has none in): a text that must never be published."""


def placeholder(lang: str) -> str:
    return PLACEHOLDERS.get(lang, PLACEHOLDERS["en"])


def is_placeholder(text: str) -> bool:
    """Whether a segment is ``new``'s placeholder paragraph, in any language."""
    return " ".join(text.split()) in _PLACEHOLDER_TEXTS


_PLACEHOLDER_TEXTS = frozenset(PLACEHOLDERS.values())


def list_weeks(config: Config) -> list[Week]:
    """Every week that has a folder under sources/, oldest first."""
    if not config.sources_dir.is_dir():
        return []
    weeks = []
    for folder in config.sources_dir.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        if not is_week_name(folder.name):
            raise SourceError(
                "folder name is not an ISO week; rename it like 2019-W10",
                config.rel(folder),
            )
        weeks.append(Week.parse(folder.name))
    return sorted(weeks)


def resolve_weeks(config: Config, selection: WeekSelection | str | None) -> tuple[Week, ...]:
    """The weeks of ``selection`` that have sources: all, the latest, or one."""
    if not isinstance(selection, WeekSelection):
        selection = WeekSelection.parse(selection)
    available = list_weeks(config)
    if selection.week is None and not selection.latest:
        return tuple(available)
    if selection.latest:
        if not available:
            raise WeekError("sources/ has no week folders yet; add sources/<week>/<slug>.md")
        return (available[-1],)
    chosen = selection.week
    assert chosen is not None
    if chosen not in available:
        known = ", ".join(str(w) for w in reversed(available[-5:])) or "none"
        raise WeekError(
            f"no sources for week {chosen} (sources/{chosen}/ does not exist); "
            f"latest weeks: {known}"
        )
    return (chosen,)


def source_files(config: Config, week: Week) -> list[Path]:
    """The source files of ``week``, in slug order."""
    return sorted((config.sources_dir / str(week)).glob("*.md"))


def load_week(config: Config, week: Week) -> tuple[Commentary, ...]:
    """The commentaries of ``week``, in slug order."""
    return tuple(load_commentary(config, week, p) for p in source_files(config, week))


def _split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError(
            "no front matter; start the file with a '---' line, the fields, and another '---'",
            rel,
            1,
        )
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    raise SourceError("front matter is not closed; add a '---' line after the fields", rel, 1)


def load_commentary(config: Config, week: Week, path: Path) -> Commentary:
    rel = config.rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 ({exc.reason}); save the file as UTF-8", rel) from None
    except OSError as exc:
        raise SourceError(f"cannot read it ({exc.strerror or exc})", rel) from None
    # Editors on Windows start UTF-8 files with a byte-order mark.
    return parse_commentary(config, week, path, text.removeprefix("\ufeff"))


class _Invalid(ValueError):
    """A front-matter value cannot be used; the message says what it must be."""


def _text(key: str) -> Callable[[Any, Config, Week], Any]:
    def check(value: Any, config: Config, week: Week) -> Any:
        if not isinstance(value, str):
            raise _Invalid(f"'{key}' must be text; quote it")
        return value
    return check


MAX_SHOWN = 80
"""Characters of a value echoed in an error message."""


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _word(key: str, value: Any, choices: Sequence[str]) -> None:
    if not isinstance(value, str):
        raise _Invalid(f"'{key}' must be one of {', '.join(choices)}, not "
                       f"{type(value).__name__} {_shown(value)}")


def _lang(value: Any, config: Config, week: Week) -> str:
    _word("lang", value, config.languages)
    if value not in config.languages:
        raise _Invalid(f"lang '{_shown(value)}' is not one of {', '.join(config.languages)}")
    return str(value)


def _category(value: Any, config: Config, week: Week) -> str:
    _word("category", value, list(config.categories))
    if value not in config.categories:
        raise _Invalid(f"unknown category '{_shown(value)}'; use one of "
                       f"{', '.join(config.categories)} (or add it to [categories] in "
                       "transflow.toml)")
    return str(value)


def _trend(value: Any, config: Config, week: Week) -> str:
    _word("trend", value, list(config.trends))
    if value not in config.trends:
        raise _Invalid(f"unknown trend '{_shown(value)}'; use one of "
                       f"{', '.join(config.trends)}")
    return str(value)


def _date(value: Any, config: Config, week: Week) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise _Invalid(f"date '{_shown(value)}' is not a date like 2019-03-06") from None
    if not isinstance(value, date):
        raise _Invalid("date must be a date like 2019-03-06")
    if value not in week:
        raise _Invalid(f"date {value} is not inside week {week} ({week.monday} – "
                       f"{week.sunday}); fix the date or move the file")
    return value


# Each front-matter field and its check, in the order they are checked.
_FIELDS: dict[str, Callable[[Any, Config, Week], Any]] = {
    "title": _text("title"),
    "author": _text("author"),
    "image_credit": _text("image_credit"),
    "summary": _text("summary"),
    "lang": _lang,
    "category": _category,
    "trend": _trend,
    "date": _date,
}
REQUIRED = ("title", "category")
OPTIONAL = ("lang", "trend", "author", "date", "image_credit", "summary")
_MAY_BE_EMPTY = ("trend", "date")  # "trend:" with no value means no trend


# libyaml's parser when PyYAML has it (the wheels do): ten times the pure-Python one,
# and front matter is read for every week of the archive.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(front: str, rel: str) -> None:
    """Anchors and aliases have no use in front matter, and a few bytes of them expand
    to gigabytes (an alias bomb): refused before anything is built."""
    if "&" not in front and "*" not in front:
        return  # neither can be there: no need to scan
    try:
        for token in yaml.scan(front, Loader=_LOADER):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                line = token.start_mark.line + 2
                raise SourceError("front matter uses YAML anchors or aliases (& or *); "
                                  "write each value out", rel, line)
    except yaml.YAMLError:
        pass  # reported with its line by the parse that follows


def _front_matter(front: str, rel: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The fields as YAML reads them, and the line of each."""
    _refuse_aliases(front, rel)
    try:
        meta = yaml.load(front, Loader=_LOADER) or {}  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(f"front matter is not valid YAML: {problem}", rel, line) from None
    except ValueError as exc:
        # YAML reads 2024-02-30 as a date and fails to make it: say which field.
        found = re.search(r"^(\w+)\s*:\s*(\d{4}-\d{1,2}-\d{1,2})\s*$", front, re.MULTILINE)
        line = front[:found.start()].count("\n") + 2 if found else 1
        shown = f"{found.group(1)} '{found.group(2)}'" if found else "a value"
        raise SourceError(f"{shown} is not a date of the calendar ({exc}); write a date "
                          "like 2019-03-06", rel, line) from None
    if not isinstance(meta, dict):
        raise SourceError("front matter must be 'field: value' lines", rel, 2)
    field_lines: dict[str, int] = {}
    for number, line in enumerate(front.splitlines(), start=2):
        if m := re.match(r"^([A-Za-z_]+)\s*:", line):
            field_lines.setdefault(m.group(1), number)
    return meta, field_lines


def _checked(meta: dict[str, Any], field_lines: dict[str, int], config: Config, week: Week,
             rel: str) -> dict[str, Any]:
    for key in meta:
        if not isinstance(key, str) or key not in _FIELDS:
            raise SourceError(f"unknown field '{_shown(key)}'; known fields: "
                              f"{', '.join(REQUIRED + OPTIONAL)}", rel,
                              field_lines.get(str(key), 1))
    for key in REQUIRED:
        if not meta.get(key):
            raise SourceError(f"required field '{key}' is missing or empty", rel, 1)
    values = {"lang": config.publication.source_language, **meta}
    for key, check in _FIELDS.items():
        if key not in values or (values[key] is None and key in _MAY_BE_EMPTY):
            continue
        try:
            values[key] = check(values[key], config, week)
        except _Invalid as exc:
            raise SourceError(str(exc), rel, field_lines.get(key, 1)) from None
    return values


def _check_sizes(body: str, body_line: int, limit: int, rel: str) -> None:
    """Refuse a block longer than a segment may be, before any work is done on it: a
    pasted 5 MB paragraph would otherwise take minutes in every later stage."""
    line = body_line
    for block in re.split(r"(\n[ \t]*\n)", body):
        if len(block) > limit and block.strip():
            raise SourceError(
                f"a block of {len(block):,} characters is longer than a segment may be "
                f"({limit:,}, [sources] max_segment in transflow.toml); split it into "
                "paragraphs", rel, line + (len(block) - len(block.lstrip("\n"))))
        line += block.count("\n")


def parse_commentary(config: Config, week: Week, path: Path, text: str) -> Commentary:
    """The commentary ``text`` would be as the file ``path``: what ``load_commentary``
    reads, for checking a file before it is written."""
    rel = config.rel(path)
    if not _SLUG_RE.match(path.stem):
        raise SourceError(
            "file name must be a slug of lowercase ASCII letters, digits and hyphens", rel
        )
    front, body, body_line = _split_front_matter(text, rel)
    _check_sizes(body, body_line, config.sources.max_segment, rel)
    meta, field_lines = _front_matter(front, rel)
    values = _checked(meta, field_lines, config, week, rel)
    return Commentary(
        slug=path.stem,
        path=path,
        rel=rel,
        week=week,
        lang=values["lang"],
        title=values["title"].strip(),
        category=values["category"],
        trend=values.get("trend"),
        author=(values.get("author") or "").strip() or None,
        date=values.get("date"),
        image_credit=values.get("image_credit"),
        summary=(values.get("summary") or "").strip() or None,
        body=body,
        body_line=body_line,
        field_lines=field_lines,
    )


def render_source(meta: dict[str, object], body: str) -> str:
    """A source file: YAML front matter (in the order given) and the Markdown body."""
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body.strip()}\n"
