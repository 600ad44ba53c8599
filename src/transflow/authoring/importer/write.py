"""Writing a recognised page as a source commentary: front matter and Markdown that
renders exactly as the page read, and a slug made by python-slugify (imported here
and nowhere else)."""

from __future__ import annotations

import re

from transflow.authoring.importer.page import RecognisedPage
from transflow.sources.commentary import render_source

_BLOCK_START = re.compile(r"^(?:#{1,6}\s|>|[-+*]\s|\d{1,9}[.)]\s|={3,}|-{3,}|`{3,}|~{3,})")


def _escape_block(paragraph: str) -> str:
    """Keep a paragraph a paragraph: text that Markdown would read as a heading, list,
    quote or rule gets its first character escaped."""
    if _BLOCK_START.match(paragraph):
        if m := re.match(r"^(\d{1,9})([.)])", paragraph):
            return f"{m.group(1)}\\{m.group(2)}{paragraph[m.end():]}"
        return "\\" + paragraph
    return paragraph


def to_markdown(page: RecognisedPage) -> str:
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
