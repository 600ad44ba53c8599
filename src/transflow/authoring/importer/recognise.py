"""Recognising a published page: which lines say what the commentary is (week range,
date, category, trend verdict, author, image credit), which is the title, which are
the body paragraphs (kept exactly), and which are the site's furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from transflow.authoring.importer.page import PageError, RecognisedPage
from transflow.catalogs.ui import labels as ui_labels
from transflow.workspace.config import Config
from transflow.workspace.lang import month_names
from transflow.workspace.weeks import Week

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


@dataclass
class PageLabels:
    """What the configured categories, trends and "By" look like in each language."""

    categories: dict[str, str] = field(default_factory=dict)
    trends: dict[str, str] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    author: list[re.Pattern[str]] = field(default_factory=list)
    months: dict[str, int] = field(default_factory=dict)


def page_labels(config: Config) -> PageLabels:
    labels = PageLabels()
    for lang in config.languages:
        ui = ui_labels(config, lang)
        for key, label in config.categories.items():
            labels.categories[ui.gettext(label).casefold()] = key
        for key, label in config.trends.items():
            labels.trends[ui.gettext(label).casefold()] = key
        labels.titles.add(config.publication.title[lang].casefold())
        by = re.escape(ui.gettext("By %(author)s")).replace(re.escape("%(author)s"),
                                                             r"(?P<author>.*)")
        labels.author.append(re.compile(rf"^{by}$", re.IGNORECASE))
        labels.months.update(month_names(lang))
    # "by" alone: a byline with no name.
    labels.author.append(re.compile(r"^(?:by|автор|аўтар)(?:\s*:\s*|\s+|$)(?P<author>.*)$",
                                    re.IGNORECASE))
    return labels


def _month(name: str, labels: PageLabels) -> int | None:
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


def _week_range(line: str, labels: PageLabels) -> Week | None:
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


def _date(line: str, labels: PageLabels) -> date | None:
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


@dataclass
class _Scan:
    """What the lines of a page say, before any decision."""

    found: dict[str, str] = field(default_factory=dict)
    """category, trend, author, image_credit as the page says them."""
    week: Week | None = None
    day: date | None = None
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def _author(line: str, labels: PageLabels) -> str | None:
    return next((m.group("author").strip() for p in labels.author if (m := p.match(line))),
                None)


def _furniture(line: str, scan: _Scan, labels: PageLabels) -> bool:
    """Whether ``line`` is a label or furniture (noted in ``scan``), not text."""
    folded = line.casefold().rstrip(":")
    category_line = _CATEGORY_PREFIX.sub("", line).casefold()
    if category_line in labels.categories:
        scan.found.setdefault("category", labels.categories[category_line])
    elif _CATEGORY_PREFIX.match(line) and not category_line:
        pass  # an empty "Category status:" line
    elif folded in labels.trends:
        scan.found.setdefault("trend", labels.trends[folded])
    elif m := _IMAGE.match(line):
        scan.found.setdefault("image_credit", m.group(1).strip())
    elif (range_week := _week_range(line, labels)) is not None:
        scan.week = scan.week or range_week
    elif (line_day := _date(line, labels)) is not None:
        scan.day = scan.day or line_day
    elif _RANGE_WITHOUT_YEAR.match(line) and not scan.paragraphs:
        pass  # a sidebar's "December 2 – December 8"
    elif folded in labels.titles:
        pass  # the publication's name, as a masthead or sidebar heading
    elif not scan.paragraphs and (author := _author(line, labels)) is not None:
        if author:
            scan.found.setdefault("author", author)
    else:
        return False
    return True


def scan(text: str, labels: PageLabels) -> _Scan:
    """Read the page line by line, up to the site's furniture after the body."""
    result = _Scan()
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if line.casefold().rstrip(":") in STOP_LINES:
            break
        if _FURNITURE.search(line):
            if result.paragraphs:
                break
            continue
        if _furniture(line, result, labels):
            continue
        if result.title is None:
            result.title = line
        elif line != result.title:  # the layouts repeat the title
            result.paragraphs.append(line)
    return result


def _language(config: Config, name: str, paragraphs: list[str], lang: str | None) -> str:
    language = lang or detect_language(" ".join(paragraphs))
    if language not in config.languages:
        how = "" if lang else f" (its letters say {_NAMES.get(language, language)})"
        raise PageError(
            f"the page is in {language}{how}, which is not a language of this publication "
            f"({', '.join(config.languages)}); pass --lang if it is one of them", name)
    return language


def _week(name: str, found: _Scan, week: Week | None) -> Week:
    if week is not None:
        return week
    if found.week is not None:
        return found.week
    if found.day is not None:
        return Week.containing(found.day)
    raise PageError("no week range or date found in the page; pass --week "
                    "(e.g. --week 2019-W10 or --week 2019-03-06)", name)


def _category(config: Config, name: str, found: _Scan, category: str | None) -> str:
    key = category or found.found.get("category")
    if key is None:
        raise PageError(
            f"no category label found in the page; pass --category, one of "
            f"{', '.join(config.categories)}", name)
    if key not in config.categories:
        raise PageError(f"--category {key}: use one of {', '.join(config.categories)}", name)
    return key


def recognise(text: str, config: Config, name: str, *, week: Week | None = None,
              lang: str | None = None, category: str | None = None,
              html_title: str | None = None, html_author: str | None = None,
              labels: PageLabels | None = None) -> RecognisedPage:
    """The commentary a page holds; what the page does not say, the options must."""
    found = scan(text, labels or page_labels(config))
    title = found.title or html_title
    if not title or not found.paragraphs:
        raise PageError("no commentary found (no title or no paragraphs); is this a page "
                        "of the publication?", name)
    if html_author and "author" not in found.found:
        found.found["author"] = html_author
    # Before anything else is asked of the page: its week and labels are read in the
    # publication's languages only.
    language = _language(config, name, found.paragraphs, lang)
    chosen = _week(name, found, week)
    return RecognisedPage(
        title=title,
        lang=language,
        category=_category(config, name, found, category),
        week=chosen,
        paragraphs=tuple(found.paragraphs),
        trend=found.found.get("trend"),
        author=found.found.get("author"),
        date=found.day if found.day in chosen else None,
        image_credit=found.found.get("image_credit"),
    )
