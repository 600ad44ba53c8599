"""Markdown: splitting a commentary into translatable segments, and rendering a
segment's inline markup to HTML.

markdown-it-py (CommonMark) is imported here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from markdown_it import MarkdownIt

from transflow.sources.commentary import Commentary

ROLE_BY_TOKEN = {"heading_open": "heading", "paragraph_open": "paragraph"}


@dataclass(frozen=True)
class Segment:
    """One translatable unit: msgctxt ``slug``, msgid ``text``."""

    slug: str
    role: str
    """title, author, heading, paragraph, list item or quote."""
    text: str
    path: str
    line: int
    lang: str
    containers: tuple[tuple[str, int], ...] = ()
    """Enclosing blocks as (tag, first line), outermost first, e.g. (("ul", 7), ("li", 7))."""
    tag: str = "p"
    """The block's own element: p, h2, h3…"""


@cache
def _parser() -> MarkdownIt:
    # Raw HTML off: a translator's "<script>" must come out as text, never as markup.
    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")
    return md


def _flatten(content: str) -> str:
    # A paragraph wrapped over several source lines is one sentence flow: one msgid line.
    return re.sub(r"[ \t]*\n[ \t]*", " ", content).strip()


def split(commentary: Commentary) -> tuple[Segment, ...]:
    """The segments of a commentary, in reading order: title, author, then each block."""
    c = commentary
    segments = [
        Segment(c.slug, "title", c.title, c.rel, c.field_lines.get("title", 1), c.lang, tag="h2")
    ]
    if c.author:
        segments.append(
            Segment(c.slug, "author", c.author, c.rel, c.field_lines.get("author", 1), c.lang)
        )
    if c.summary:
        segments.append(Segment(c.slug, "summary", _flatten(c.summary), c.rel,
                                c.field_lines.get("summary", 1), c.lang))
    stack: list[tuple[str, int]] = []
    pending: tuple[str, str, int] | None = None
    for token in _parser().parse(c.body):
        line = c.body_line + (token.map[0] if token.map else 0)
        if token.type in ("bullet_list_open", "ordered_list_open", "list_item_open",
                          "blockquote_open"):
            stack.append((token.tag, line))
        elif token.type in ("bullet_list_close", "ordered_list_close", "list_item_close",
                            "blockquote_close"):
            stack.pop()
        elif token.type in ROLE_BY_TOKEN:
            pending = (ROLE_BY_TOKEN[token.type], token.tag, line)
        elif token.type == "inline" and pending is not None:
            role, tag, start = pending
            pending = None
            tags = [t for t, _ in stack]
            if role == "paragraph" and "li" in tags:
                role = "list item"
            elif role == "paragraph" and "blockquote" in tags:
                role = "quote"
            text = _flatten(token.content)
            if text:
                segments.append(Segment(c.slug, role, text, c.rel, start, c.lang,
                                        tuple(stack), tag))
    return tuple(segments)


QUOTES = {"be": "«»’’", "ru": "«»’’"}
"""Typographic quotes by language (double open, double close, single open, single
close): Belarusian and Russian quote «like this»; an apostrophe in a word (сям'я,
Lithuania's) becomes ’ in every language."""
_ENGLISH_QUOTES = "“”‘’"


@cache
def _typographer(quotes: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "quotes": quotes})
    md.disable("image")
    md.enable("smartquotes")  # straight quotes only: no other replacements
    return md


_INLINE_SYNTAX = re.compile(r"[*_\[\]`<>\\&'\"\n\r\x00]")
"""What inline Markdown, HTML escaping or smart quotes act on; a text without any of
it renders as itself."""


@lru_cache(maxsize=65536)
def render_inline(text: str, lang: str | None = None) -> str:
    """HTML for a segment's inline Markdown; any raw HTML in it is escaped. With
    ``lang``, straight quotes and apostrophes are set as that language sets them (in
    the page only: the catalogs keep what the writer typed). Remembered: the site
    shows each title on many pages."""
    if not _INLINE_SYNTAX.search(text) and text == text.strip():
        return text  # plain prose, most segments: the parser would give it back as is
    if lang is None:
        return str(_parser().renderInline(text))
    return str(_typographer(QUOTES.get(lang, _ENGLISH_QUOTES)).renderInline(text))



_MARKUP = re.compile(r"[*_\[\]`<\\]")
"""The characters without which CommonMark makes no link, emphasis or code span and
leaves no stray marker (no linkify: a bare address is text)."""


def inline_structure(text: str) -> tuple[dict[str, int], list[str]]:
    """What Markdown makes of a segment's inline markup: counts of links, strong and
    emphasis spans and code spans, and the markers left over as literal text (an
    unbalanced ``**``, a link broken into ``[text] (url)``)."""
    counts: dict[str, int] = {}
    stray: list[str] = []
    if not _MARKUP.search(text):
        return counts, stray  # plain prose, most segments: nothing for the parser to find
    for token in _parser().parseInline(text)[0].children or []:
        if token.type in ("link_open", "strong_open", "em_open", "code_inline"):
            counts[token.type] = counts.get(token.type, 0) + 1
        elif token.type == "text":
            stray += re.findall(r"\*+|_{2,}|\]\s*\(|\[|\]", token.content)
    return counts, stray
