"""The bulletin model: one week in one language, every text resolved to what the
subscriber will read (translation, draft, or source text as a marked fallback)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from transflow.catalogs.model import Counts, Translations, word_count
from transflow.sources.commentary import Commentary, is_placeholder
from transflow.sources.markdown import Segment
from transflow.workspace.config import Config
from transflow.workspace.lang import format_long_date, format_week_range
from transflow.workspace.text import readable
from transflow.workspace.weeks import Week


@dataclass(frozen=True)
class Text:
    """Inline Markdown in language ``lang``; ``state`` says how it got there:
    source (written in the bulletin's language), translated, draft (machine-translated)
    or fuzzy (both shown only with --drafts), or untranslated (the source text, shown
    as a fallback)."""

    markdown: str
    lang: str
    state: str
    problem: str | None = None
    """What check found wrong with it (marked in a preview only)."""


@dataclass(frozen=True)
class Block:
    role: str
    tag: str
    containers: tuple[tuple[str, int], ...]
    text: Text


@dataclass(frozen=True)
class Article:
    slug: str
    category: str
    category_label: str
    title: Text
    author: Text | None
    trend: str | None
    trend_label: str | None
    date: date | None
    date_label: str | None
    source_lang: str
    blocks: tuple[Block, ...]
    lead: Text | None = None
    """For the first page: the commentary's ``summary``, else its first sentence."""
    image_credit: str | None = None

    @property
    def has_fallback(self) -> bool:
        """Some of its passages are shown in their source language."""
        return any(b.text.state == "untranslated" for b in self.blocks) or (
            self.title.state == "untranslated")


@dataclass(frozen=True)
class Alternate:
    """The same week's bulletin in another language."""

    lang: str
    name: str
    """The language's name in itself: беларуская, русский, English."""
    href: str


@dataclass(frozen=True)
class Section:
    category: str
    label: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Bulletin:
    lang: str
    week: Week
    title: str
    week_range: str
    sections: tuple[Section, ...]
    coverage: Counts
    """Progress over the segments that needed translating into ``lang``."""
    preview: bool = False
    """Built with ``--drafts``: unreviewed translations may be shown, and every page says so."""
    subtitle: str | None = None
    organisation: str | None = None
    issue_number: int | None = None
    colophon: str | None = None
    """The publication's last words (``[publication.colophon]``)."""
    issn: str | None = None
    logo: str | None = None
    """The logo as a data: URL (the page fetches nothing)."""
    pdf_name: str | None = None
    alternates: tuple[Alternate, ...] = ()
    base_url: str | None = None
    """The site's address (``[site] base_url``): the page names itself and its other
    languages absolutely, as search engines want."""
    subscribe_url: str | None = None
    """Where the page's subscription form sends the address (none: no form)."""
    subscribe_languages: tuple[tuple[str, str], ...] = ()
    """(code, name) of the languages the form offers (none: only the page's)."""
    check_errors: int = 0
    """A preview's count of check errors (its passages with one are marked)."""

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def has_fallback(self) -> bool:
        """Some passages are shown in their source language: the reader is told why."""
        return self.coverage.untranslated > 0


PLACEHOLDER_PROBLEM = "the placeholder paragraph of transflow new"


def _resolve(segment: Segment, lang: str, catalog: Translations,
             flagged: Mapping[tuple[str, str], str] | None) -> Text:
    """The text a reader gets: without control characters (see ``workspace.text``);
    with the problem ``flagged`` names for its entry (a preview's check errors)."""
    problem = None
    if flagged is not None:
        problem = flagged.get((segment.slug, segment.text)) or (
            PLACEHOLDER_PROBLEM if is_placeholder(segment.text) else None)
    if segment.lang == lang:
        return Text(readable(segment.text), lang, "source", problem)
    text, state = catalog.state(segment.slug, segment.text)
    return Text(readable(text), lang if state != "untranslated" else segment.lang, state,
                problem)


def _article(config: Config, c: Commentary, lang: str, catalog: Translations,
             ui: Translations, flagged: Mapping[tuple[str, str], str] | None,
             ) -> tuple[Article, list[tuple[str, int]]]:
    """One commentary resolved into ``lang``, and the (state, words) of each text that
    needed translating."""
    title = author = summary = None
    blocks = []
    needed: list[tuple[str, int]] = []
    for segment in c.segments:
        text = _resolve(segment, lang, catalog, flagged)
        if text.state != "source":
            needed.append((text.state, word_count(segment.text)))
        if segment.role == "title":
            title = text
        elif segment.role == "author":
            author = text
        elif segment.role == "summary":
            summary = text
        else:
            blocks.append(Block(segment.role, segment.tag, segment.containers, text))
    assert title is not None
    lead = summary or next((_first_sentence(b.text) for b in blocks
                            if b.role == "paragraph"), None)
    article = Article(
        slug=c.slug,
        category=c.category,
        category_label=readable(ui.gettext(config.categories[c.category])),
        title=title,
        author=author,
        trend=c.trend,
        trend_label=readable(ui.gettext(config.trends[c.trend])) if c.trend else None,
        date=c.date,
        date_label=format_long_date(c.date, lang) if c.date else None,
        source_lang=c.lang,
        blocks=tuple(blocks),
        lead=lead,
        image_credit=c.image_credit,
    )
    return article, needed


# A sentence ends at . ! ? … followed by a space and a capital (or an opening quote);
# not after a one-letter initial or a common abbreviation.
_SENTENCE_END = re.compile(r"([.!?…])\s+(?=[«\"„“(]?[A-ZА-ЯЁІЎ0-9])")
_NOT_AN_END = {"г", "гг", "вул", "ул", "пр", "т.е", "т.д", "e.g", "i.e", "Mr", "Mrs", "Dr",
               "No", "St", "Jr", "vs"}


def _first_sentence(text: Text) -> Text:
    """The first sentence of a paragraph, as its lead on the first page."""
    first = text.markdown
    for m in _SENTENCE_END.finditer(text.markdown):
        word = re.split(r"\s", text.markdown[:m.start(1)])[-1]
        # An initial is one letter; a number before the full stop ends a sentence
        # ("from April 1. After…").
        if m.group(1) == "." and ((len(word) == 1 and word.isalpha())
                                  or word in _NOT_AN_END):
            continue
        first = text.markdown[:m.end(1)]
        break
    # A cut inside a link or emphasis would leave broken Markdown: keep the paragraph.
    if first.count("[") != first.count("]") or first.count("*") % 2:
        first = text.markdown
    return Text(first, text.lang, text.state)


def _coverage(needed: Sequence[tuple[str, int]]) -> Counts:
    """Progress over the texts that needed translating; drafts count as fuzzy."""
    def of(states: tuple[str, ...]) -> tuple[int, int]:
        chosen = [words for state, words in needed if state in states]
        return len(chosen), sum(chosen)

    (t, tw), (f, fw), (u, uw) = of(("translated",)), of(("fuzzy", "draft")), of(
        ("untranslated",))
    return Counts(t, f, u, tw, fw, uw)


def _sections(config: Config, week: Week, articles: Sequence[Article]) -> tuple[Section, ...]:
    """Articles by category, in the order of [categories], each by date then slug."""
    order = {key: i for i, key in enumerate(config.categories)}
    sections = []
    for key in sorted({a.category for a in articles}, key=order.__getitem__):
        chosen = sorted((a for a in articles if a.category == key),
                        key=lambda a: (a.date or week.monday, a.slug))
        sections.append(Section(key, chosen[0].category_label, tuple(chosen)))
    return tuple(sections)


def make_bulletin(
    config: Config,
    week: Week,
    lang: str,
    commentaries: Sequence[Commentary],
    catalog: Translations,
    ui: Translations,
    *,
    preview: bool = False,
    flagged: Mapping[tuple[str, str], str] | None = None,
) -> Bulletin:
    """Resolve every segment of the week's commentaries into ``lang``; ``flagged``: a
    preview's entries (msgctxt, msgid) with check errors, and new's placeholders, are
    marked with what is wrong."""
    articles, needed = [], []
    for c in commentaries:
        article, texts = _article(config, c, lang, catalog, ui, flagged)
        articles.append(article)
        needed += texts
    return Bulletin(
        lang=lang,
        week=week,
        title=config.publication.title[lang],
        week_range=format_week_range(week, lang),
        sections=_sections(config, week, articles),
        coverage=_coverage(needed),
        preview=preview,
    )
