"""The site's feeds: an Atom feed per language with one entry per week's bulletin and
its PDF as an enclosure, and ``sitemap.xml`` with the language versions of each page.
Both need absolute URLs: they are written only when ``[site] base_url`` is set.

Written with the standard library: feedgen 1.0 drops the ``rel``, ``type`` and
``length`` of every link of an Atom entry (its ``atom_entry`` reads them from the XML
element it has just made), which loses the enclosure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from xml.sax.saxutils import escape, quoteattr

from transflow.publish.bulletin import Bulletin
from transflow.workspace.config import Config

FEED_WEEKS = 50


def _moment(b: Bulletin) -> datetime:
    # A week's bulletin is dated its Sunday: the feed is the same on every rebuild.
    return datetime.combine(b.week.sunday, time(12), tzinfo=UTC)


def atom(config: Config, lang: str, bulletins: Sequence[Bulletin]) -> bytes:
    """The Atom feed of ``lang``: the latest weeks, newest first."""
    from xml.etree import ElementTree as ET

    assert config.base_url
    base = config.base_url
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", {"xmlns": ns, "xml:lang": lang})
    ET.SubElement(feed, "id").text = f"{base}{lang}/"
    ET.SubElement(feed, "title").text = config.titles[lang]
    ET.SubElement(feed, "link", {"href": f"{base}{lang}/", "rel": "alternate"})
    ET.SubElement(feed, "link", {"href": f"{base}{lang}/feed.xml", "rel": "self"})
    updated = _moment(bulletins[0]) if bulletins else datetime(2000, 1, 1, tzinfo=UTC)
    ET.SubElement(feed, "updated").text = updated.isoformat()
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = config.organisations.get(lang) or config.titles[lang]
    for b in bulletins[:FEED_WEEKS]:
        entry = ET.SubElement(feed, "entry")
        url = f"{base}{b.week}/{lang}/"
        ET.SubElement(entry, "id").text = url
        ET.SubElement(entry, "title").text = f"{b.title}: {b.week_range}"
        ET.SubElement(entry, "link", {"href": url, "rel": "alternate"})
        ET.SubElement(entry, "updated").text = _moment(b).isoformat()
        ET.SubElement(entry, "summary").text = "; ".join(
            f"{a.category_label}: {a.title.markdown}" for a in b.articles)
        pdf = config.output_dir / str(b.week) / lang / (b.pdf_name or "")
        if b.pdf_name and pdf.is_file():
            ET.SubElement(entry, "link", {"href": f"{url}{b.pdf_name}", "rel": "enclosure",
                                          "type": "application/pdf",
                                          "length": str(pdf.stat().st_size)})
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8") + b"\n"


def sitemap(config: Config, pages: Sequence[tuple[str, dict[str, str]]]) -> str:
    """``sitemap.xml``: each page (relative path) with its language versions."""
    assert config.base_url
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for path, alternates in pages:
        lines.append(f"  <url><loc>{escape(config.base_url + path)}</loc>")
        for lang, href in sorted(alternates.items()):
            lines.append(f"    <xhtml:link rel=\"alternate\" hreflang={quoteattr(lang)} "
                         f"href={quoteattr(config.base_url + href)}/>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
