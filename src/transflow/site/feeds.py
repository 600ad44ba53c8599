"""The site's feeds: an Atom feed per language with one entry per week's bulletin and
its PDF as an enclosure, and ``sitemap.xml`` with the language versions of each page.
Both need absolute URLs: they are written only when ``[site] base_url`` is set.

This is the one module that imports feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from transflow.site.listing import Listing
from transflow.workspace.config import Config

FEED_WEEKS = 50
_LINK_FIELDS = ("rel", "type", "hreflang", "title", "length")


def moment(b: Listing) -> datetime:
    """When a week's bulletin was last changed: its Sunday, or when what it shows changed
    since (the feed is the same on every rebuild that changed nothing)."""
    sunday = datetime.combine(b.week.sunday, time(12), tzinfo=UTC)
    return max(sunday, datetime.fromisoformat(b.updated)) if b.updated else sunday


@cache
def _entry_class() -> Any:
    from feedgen.entry import FeedEntry

    class _Entry(FeedEntry):  # type: ignore[misc]  # untyped library
        """feedgen 1.0's ``atom_entry`` reads a link's ``rel``, ``type`` and ``length``
        back from the XML element it has just made (a shadowed name), so every entry
        link loses them and the enclosure is no longer one. Put them back, in order."""

        def atom_entry(self, extensions: bool = True) -> Any:
            element = super().atom_entry(extensions)
            links = [e for e in element if e.tag.endswith("link")]
            for xml_link, link in zip(links, self.link() or [], strict=True):
                for field in _LINK_FIELDS:
                    if link.get(field):
                        xml_link.attrib[field] = str(link[field])
            return element

    return _Entry


def atom(config: Config, lang: str, bulletins: Sequence[Listing]) -> bytes:
    """The Atom feed of ``lang``: the latest weeks, newest first."""
    from feedgen.feed import FeedGenerator

    assert config.site.base_url
    base = config.site.base_url
    feed = FeedGenerator()
    feed.id(f"{base}{lang}/")
    feed.title(config.publication.title[lang])
    feed.language(lang)
    feed.link(href=f"{base}{lang}/", rel="alternate")
    feed.link(href=f"{base}{lang}/feed.xml", rel="self")
    feed.author(name=config.publication.organisation.get(lang) or config.publication.title[lang])
    # feedgen's own generator element names its version: a library upgrade alone would
    # change every feed and so rewrite it.
    feed.generator(generator="transflow")
    feed.updated(max(map(moment, bulletins[:FEED_WEEKS])) if bulletins
                 else datetime(2000, 1, 1, tzinfo=UTC))
    entry_class = _entry_class()
    for b in bulletins[:FEED_WEEKS]:
        # feedgen prepends by default; appending keeps the newest first.
        entry = feed.add_entry(entry_class(), order="append")
        url = f"{base}{b.week}/{lang}/"
        entry.id(url)
        entry.title(f"{b.title}: {b.week_range}")
        entry.link(href=url, rel="alternate")
        entry.updated(moment(b))
        entry.summary("; ".join(f"{a.category_label}: {a.title.markdown}" for a in b.articles))
        pdf = config.output_dir / str(b.week) / lang / (b.pdf_name or "")
        if b.pdf_name and pdf.is_file():
            entry.enclosure(f"{url}{b.pdf_name}", str(pdf.stat().st_size), "application/pdf")
    return bytes(feed.atom_str(pretty=True))


def sitemap(config: Config, pages: Sequence[tuple[str, dict[str, str], datetime | None]],
            ) -> str:
    """``sitemap.xml``: each page (relative path) with its language versions and when it
    last changed."""
    assert config.site.base_url
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for path, alternates, changed in pages:
        lines.append(f"  <url><loc>{escape(config.site.base_url + path)}</loc>"
                     + (f"<lastmod>{changed.date().isoformat()}</lastmod>" if changed else ""))
        for lang, href in sorted(alternates.items()):
            lines.append(f"    <xhtml:link rel=\"alternate\" hreflang={quoteattr(lang)} "
                         f"href={quoteattr(config.site.base_url + href)}/>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
