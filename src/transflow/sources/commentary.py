"""Source commentaries: ``sources/<ISO week>/<slug>.md``, YAML front matter + Markdown body.

This module reads and validates them into ``Commentary`` values; PyYAML is imported
here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from transflow.workspace.config import Config
from transflow.workspace.errors import SourceError, WeekError
from transflow.workspace.weeks import Week, WeekSelection, is_week_name

REQUIRED = ("title", "category")
OPTIONAL = ("lang", "trend", "author", "date", "image_credit")
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
    body: str
    body_line: int
    """1-based line of the file where the Markdown body starts."""
    field_lines: dict[str, int]
    """1-based line of each front-matter field, for ``#:`` references and errors."""


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


def load_week(config: Config, week: Week) -> tuple[Commentary, ...]:
    """The commentaries of ``week``, in slug order."""
    folder = config.sources_dir / str(week)
    return tuple(load_commentary(config, week, p) for p in sorted(folder.glob("*.md")))


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
    return parse_commentary(config, week, path, text)


def parse_commentary(config: Config, week: Week, path: Path, text: str) -> Commentary:
    """The commentary ``text`` would be as the file ``path``: what ``load_commentary``
    reads, for checking a file before it is written."""
    rel = config.rel(path)
    slug = path.stem
    if not _SLUG_RE.match(slug):
        raise SourceError(
            "file name must be a slug of lowercase ASCII letters, digits and hyphens", rel
        )
    front, body, body_line = _split_front_matter(text, rel)
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(f"front matter is not valid YAML: {problem}", rel, line) from None
    if not isinstance(meta, dict):
        raise SourceError("front matter must be 'field: value' lines", rel, 2)

    field_lines: dict[str, int] = {}
    for number, line in enumerate(front.splitlines(), start=2):
        if m := re.match(r"^([A-Za-z_]+)\s*:", line):
            field_lines.setdefault(m.group(1), number)

    def fail(field: str, message: str) -> SourceError:
        return SourceError(message, rel, field_lines.get(field, 1))

    for key in meta:
        if key not in REQUIRED + OPTIONAL:
            raise fail(
                str(key), f"unknown field '{key}'; known fields: {', '.join(REQUIRED + OPTIONAL)}"
            )
    for key in REQUIRED:
        if not meta.get(key):
            raise SourceError(f"required field '{key}' is missing or empty", rel, 1)
    for key in ("title", "author", "image_credit"):
        if key in meta and not isinstance(meta[key], str):
            raise fail(key, f"'{key}' must be text; quote it")

    lang = meta.get("lang", config.source_language)
    if lang not in config.languages:
        raise fail("lang", f"lang '{lang}' is not one of {', '.join(config.languages)}")
    category = meta["category"]
    if category not in config.categories:
        raise fail(
            "category",
            f"unknown category '{category}'; use one of {', '.join(config.categories)} "
            "(or add it to [categories] in transflow.toml)",
        )
    trend = meta.get("trend")
    if trend is not None and trend not in config.trends:
        raise fail("trend", f"unknown trend '{trend}'; use one of {', '.join(config.trends)}")
    day = meta.get("date")
    if day is not None:
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise fail("date", f"date '{day}' is not a date like 2019-03-06") from None
        if not isinstance(day, date):
            raise fail("date", "date must be a date like 2019-03-06")
        if day not in week:
            raise fail(
                "date",
                f"date {day} is not inside week {week} ({week.monday} – {week.sunday}); "
                "fix the date or move the file",
            )
    return Commentary(
        slug=slug,
        path=path,
        rel=rel,
        week=week,
        lang=lang,
        title=meta["title"].strip(),
        category=category,
        trend=trend,
        author=(meta.get("author") or "").strip() or None,
        date=day,
        image_credit=meta.get("image_credit"),
        body=body,
        body_line=body_line,
        field_lines=field_lines,
    )


def render_source(meta: dict[str, object], body: str) -> str:
    """A source file: YAML front matter (in the order given) and the Markdown body."""
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body.strip()}\n"
