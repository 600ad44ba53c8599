"""``transflow import``: published pages (plain text copied from a browser, or saved
HTML) → source commentaries in the core format.

The page is read line by line: lines that say what the commentary is (week range,
date, category, trend verdict, author, image credit) become front matter; the first
other line is the title; the rest, up to the site's own furniture (subscription
prompts, language switchers, "Similar articles"…), are the body paragraphs, kept
exactly. trafilatura (for saved HTML) and python-slugify are imported here only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from transflow.catalogs.ui import labels as ui_labels
from transflow.sources.commentary import parse_commentary, render_source
from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError
from transflow.workspace.files import WriteFailed, write_all
from transflow.workspace.lang import month_names
from transflow.workspace.weeks import Week


class PageError(TransflowError):
    """A page cannot be imported as it is."""


# Lines that end the commentary: related-article lists and everything after them.
STOP_LINES = {
    "similar articles", "recent trends", "related articles", "read also",
    "похожие статьи", "последние тенденции", "читайте также",
    "падобныя артыкулы", "апошнія тэндэнцыі", "чытайце таксама",
}
# Site furniture: dropped wherever it stands; once the body has begun, it ends it.
_FURNITURE = re.compile(
    r"subscri|newsletter|подпис|рассылк|падпіс|^view all$|^read more$|^смотреть все$|"
    r"^читать далее$|^подробнее$|^глядзець усе$|^чытаць далей$|^падрабязней$|"
    r"^share$|^поделиться$|^падзяліцца$|-->|<!--|^(?:[A-Z]{2})(?:\s*/\s*[A-Z]{2})*$",
    re.IGNORECASE,
)
_IMAGE = re.compile(r"^(?:image|photo|фото|изображение|фота|выява)\s*:\s*(.+)$", re.IGNORECASE)
_CATEGORY_PREFIX = re.compile(r"^(?:category(?: status)?|категория|катэгорыя)\s*:\s*",
                              re.IGNORECASE)
_DASH = r"\s*[–—-]\s*"


@dataclass(frozen=True)
class Page:
    """What was recognised in one page."""

    title: str
    lang: str
    category: str
    week: Week
    paragraphs: tuple[str, ...]
    trend: str | None = None
    author: str | None = None
    date: date | None = None
    image_credit: str | None = None


@dataclass(frozen=True)
class Imported:
    name: str
    """The input as named on the command line (``-`` for standard input)."""
    path: str
    markdown: str
    written: bool
    exists: bool = False
    """A source of that name exists already (replaced with --force; a dry run shows it)."""


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[Imported, ...]


# --- reading bytes --------------------------------------------------------------------

_MOJIBAKE = re.compile(r"[ÐÑ][\u0080-\u00bf]|Ã[\u0080-\u00bf]|â€")


def decode(data: bytes, name: str) -> str:
    """Text of a page in UTF-8, UTF-16 (with BOM) or cp1251; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")
            letters = [ch for ch in text if ch.isalpha() and ord(ch) > 127]
            cyrillic = [ch for ch in letters if "\u0400" <= ch <= "\u04ff"]
            # Another 8-bit encoding read as cp1251 gives Latin words with Cyrillic
            # letters inside them ("Tytuі"): real cp1251 text never does.
            mixed = any(re.search(r"[A-Za-z]", w) and re.search(r"[\u0400-\u04ff]", w)
                        for w in re.findall(r"\w+", text))
            if ("\ufffd" in text or not letters or mixed
                    or len(cyrillic) < 0.9 * len(letters)):
                raise PageError(
                    "not UTF-8, UTF-16 or cp1251 text; save the page as UTF-8 and import "
                    "it again", name) from None
    if _MOJIBAKE.search(text):
        raise PageError(
            "the text is already garbled (UTF-8 read as Latin-1 or cp1252: 'Ð¡' for 'С'); "
            "copy the page again from the browser", name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str) -> tuple[str, str | None, str | None]:
    """The article of a saved page as lines of text, with the title and author the
    page's metadata gives (trafilatura drops bylines from the text)."""
    import trafilatura

    text = trafilatura.extract(html, favor_recall=True, include_comments=False,
                               include_tables=False, deduplicate=False) or ""
    meta = trafilatura.extract_metadata(html)
    return text, (meta.title if meta else None), (meta.author if meta else None)


# --- recognising lines ----------------------------------------------------------------

@dataclass
class _Labels:
    """What the configured categories, trends and "By" look like in each language."""

    categories: dict[str, str] = field(default_factory=dict)
    trends: dict[str, str] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    author: list[re.Pattern[str]] = field(default_factory=list)
    months: dict[str, int] = field(default_factory=dict)


def _labels(config: Config) -> _Labels:
    labels = _Labels()
    for lang in config.languages:
        ui = ui_labels(config, lang)
        for key, label in config.categories.items():
            labels.categories[ui.gettext(label).casefold()] = key
        for key, label in config.trends.items():
            labels.trends[ui.gettext(label).casefold()] = key
        labels.titles.add(config.titles[lang].casefold())
        by = re.escape(ui.gettext("By %(author)s")).replace(re.escape("%(author)s"),
                                                             r"(?P<author>.*)")
        labels.author.append(re.compile(rf"^{by}$", re.IGNORECASE))
        labels.months.update(month_names(lang))
    # "by" alone: a byline with no name.
    labels.author.append(re.compile(r"^(?:by|автор|аўтар)(?:\s*:\s*|\s+|$)(?P<author>.*)$",
                                    re.IGNORECASE))
    return labels


def _month(name: str, labels: _Labels) -> int | None:
    return labels.months.get(name.casefold().rstrip("."))


def _day(year: str, month: int | None, day: str) -> date | None:
    try:
        return date(int(year), month, int(day)) if month else None
    except ValueError:
        return None


_WORD = r"([^\W\d_]+\.?)"
_EN_RANGE = re.compile(
    rf"^{_WORD}\s+(\d{{1,2}})(?:,\s*(\d{{4}}))?{_DASH}(?:{_WORD}\s+)?(\d{{1,2}}),\s*(\d{{4}})$")
_SLAVIC_RANGE = re.compile(
    rf"^(\d{{1,2}})(?:\s+{_WORD})?(?:\s+(\d{{4}})\s*(?:г\.?)?)?{_DASH}(\d{{1,2}})\s+{_WORD}"
    rf"\s+(\d{{4}})\s*(?:г\.?|года|гады)?$")
_EN_DATE = re.compile(rf"^{_WORD}\s+(\d{{1,2}}),\s*(\d{{4}})(?:,?\s+\d{{1,2}}:\d{{2}})?$")
_SLAVIC_DATE = re.compile(
    rf"^(\d{{1,2}})\s+{_WORD}\s+(\d{{4}})\s*(?:г\.?|года|гады)?,?(?:\s+\d{{1,2}}:\d{{2}})?$")
_RANGE_WITHOUT_YEAR = re.compile(
    rf"^(?:{_WORD}\s+\d{{1,2}}|\d{{1,2}}(?:\s+{_WORD})?){_DASH}(?:{_WORD}\s+)?\d{{1,2}}"
    rf"(?:\s+{_WORD})?$")


def _week_range(line: str, labels: _Labels) -> Week | None:
    if m := _EN_RANGE.match(line):
        first_month, first_day, first_year, last_month, _, last_year = m.groups()
        month = _month(first_month, labels)
        start = _day(first_year or last_year, month, first_day)
        if last_month and _month(last_month, labels) is None:
            return None
        return Week.containing(start) if start else None
    if m := _SLAVIC_RANGE.match(line):
        first_day, first_month, first_year, _, last_month, last_year = m.groups()
        month = _month(first_month or last_month, labels)
        start = _day(first_year or last_year, month, first_day)
        return Week.containing(start) if start else None
    return None


def _date(line: str, labels: _Labels) -> date | None:
    if m := _EN_DATE.match(line):
        return _day(m.group(3), _month(m.group(1), labels), m.group(2))
    if m := _SLAVIC_DATE.match(line):
        return _day(m.group(3), _month(m.group(2), labels), m.group(1))
    return None


_NAMES = {"be": "Belarusian", "ru": "Russian", "en": "English"}


def detect_language(text: str) -> str:
    """be, ru or en, by script and by the letters only one of be and ru has."""
    latin = len(re.findall(r"[A-Za-z]", text))
    cyrillic = len(re.findall(r"[\u0400-\u04ff]", text))
    if latin > cyrillic:
        return "en"
    belarusian = len(re.findall(r"[іІўЎ]", text))
    russian = len(re.findall(r"[иИщЩъЪ]", text))
    return "be" if belarusian > russian else "ru"


def recognise(text: str, config: Config, name: str, *, week: Week | None = None,
              lang: str | None = None, category: str | None = None,
              html_title: str | None = None, html_author: str | None = None,
              labels: _Labels | None = None) -> Page:
    labels = labels or _labels(config)
    found: dict[str, str] = {}  # category, trend, author, image_credit as the page says
    page_week: Week | None = None
    day: date | None = None
    title: str | None = None
    paragraphs: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        folded = line.casefold().rstrip(":")
        if folded in STOP_LINES:
            break
        if _FURNITURE.search(line):
            if paragraphs:
                break
            continue
        category_line = _CATEGORY_PREFIX.sub("", line).casefold()
        if category_line in labels.categories:
            found.setdefault("category", labels.categories[category_line])
            continue
        if _CATEGORY_PREFIX.match(line) and not category_line:
            continue  # an empty "Category status:" line
        if folded in labels.trends:
            found.setdefault("trend", labels.trends[folded])
            continue
        if (m := _IMAGE.match(line)):
            found.setdefault("image_credit", m.group(1).strip())
            continue
        if (range_week := _week_range(line, labels)) is not None:
            page_week = page_week or range_week
            continue
        if (line_day := _date(line, labels)) is not None:
            day = day or line_day
            continue
        if _RANGE_WITHOUT_YEAR.match(line) and not paragraphs:
            continue  # a sidebar's "December 2 – December 8"
        if folded in labels.titles:
            continue  # the publication's name, as a masthead or sidebar heading
        if not paragraphs:
            author = next((m.group("author").strip() for p in labels.author
                           if (m := p.match(line))), None)
            if author is not None:
                if author:
                    found.setdefault("author", author)
                continue
        if title is None:
            title = line
            continue
        if line == title:
            continue  # the layouts repeat the title
        paragraphs.append(line)

    if title is None and html_title:
        title = html_title
    if not title or not paragraphs:
        raise PageError("no commentary found (no title or no paragraphs); is this a page "
                           "of the publication?", name)
    if html_author and "author" not in found:
        found["author"] = html_author
    # Before anything else is asked of the page: its week and labels are read in the
    # publication's languages only.
    language = lang or detect_language(" ".join(paragraphs))
    if language not in config.languages:
        how = "" if lang else f" (its letters say {_NAMES.get(language, language)})"
        raise PageError(
            f"the page is in {language}{how}, which is not a language of this publication "
            f"({', '.join(config.languages)}); pass --lang if it is one of them", name)

    if week is not None:
        chosen = week
    elif page_week is not None:
        chosen = page_week
    elif day is not None:
        chosen = Week.containing(day)
    else:
        raise PageError("no week range or date found in the page; pass --week "
                           "(e.g. --week 2019-W10 or --week 2019-03-06)", name)
    if day is not None and day not in chosen:
        day = None
    key = category or found.get("category")
    if key is None:
        raise PageError(
            f"no category label found in the page; pass --category, one of "
            f"{', '.join(config.categories)}", name)
    if key not in config.categories:
        raise PageError(f"--category {key}: use one of {', '.join(config.categories)}", name)
    return Page(
        title=title,
        lang=language,
        category=key,
        week=chosen,
        paragraphs=tuple(paragraphs),
        trend=found.get("trend"),
        author=found.get("author"),
        date=day,
        image_credit=found.get("image_credit"),
    )


# --- writing --------------------------------------------------------------------------

_BLOCK_START = re.compile(r"^(?:#{1,6}\s|>|[-+*]\s|\d{1,9}[.)]\s|={3,}|-{3,}|`{3,}|~{3,})")


def _escape_block(paragraph: str) -> str:
    """Keep a paragraph a paragraph: text that Markdown would read as a heading, list,
    quote or rule gets its first character escaped."""
    if _BLOCK_START.match(paragraph):
        if m := re.match(r"^(\d{1,9})([.)])", paragraph):
            return f"{m.group(1)}\\{m.group(2)}{paragraph[m.end():]}"
        return "\\" + paragraph
    return paragraph


def to_markdown(page: Page) -> str:
    meta: dict[str, object] = {"title": page.title, "lang": page.lang,
                               "category": page.category}
    for key in ("trend", "author", "date", "image_credit"):
        if getattr(page, key) is not None:
            meta[key] = getattr(page, key)
    body = "\n\n".join(_escape_block(p) for p in page.paragraphs)
    return render_source(meta, body)


def slug_for(title: str, taken: set[str]) -> str:
    from slugify import slugify

    base = slugify(title, max_length=60, word_boundary=True) or "commentary"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def import_pages(
    config: Config,
    inputs: Sequence[tuple[str, bytes]],
    *,
    week: Week | None = None,
    lang: str | None = None,
    category: str | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> ImportReport:
    """Recognise and validate every page first, then write them all: one bad page writes
    nothing. Each file is validated as ``update`` will read it, before anything is written."""
    labels = _labels(config)
    planned: list[Imported] = []
    taken: dict[Week, set[str]] = {}
    for name, data in inputs:
        text = decode(data, name)
        html_title = html_author = None
        if name.lower().endswith((".html", ".htm")) or re.match(
                r"\s*(?:<!doctype html|<html)", text, re.IGNORECASE):
            text, html_title, html_author = html_to_text(text)
        page = recognise(text, config, name, week=week, lang=lang, category=category,
                         html_title=html_title, html_author=html_author, labels=labels)
        slugs = taken.setdefault(page.week, set())
        slug = slug_for(page.title, slugs)
        slugs.add(slug)
        path = config.sources_dir / str(page.week) / f"{slug}.md"
        exists = path.exists()
        if exists and not force and not dry_run:
            raise PageError(
                f"{config.rel(path)} already exists; pass --force to replace it", name)
        markdown = to_markdown(page)
        try:
            parse_commentary(config, page.week, path, markdown)
        except TransflowError as exc:
            raise PageError(f"would not be a valid source: {exc}", name) from None
        planned.append(Imported(name, config.rel(path), markdown, not dry_run, exists))
    if not dry_run:
        try:
            write_all([(config.root / item.path, item.markdown) for item in planned])
        except WriteFailed as exc:
            raise PageError(f"cannot write it ({exc.error.strerror or exc.error}); nothing "
                            "was imported", config.rel(exc.path)) from None
    return ImportReport(tuple(planned))
