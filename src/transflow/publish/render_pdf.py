"""The PDF renderer: the bulletin's HTML → an A4 PDF with embedded fonts.

WeasyPrint is imported here and nowhere else, and only when a PDF is wanted: it
takes most of a second to load. Its fetcher is replaced by one that reads only
``data:`` URLs and files inside the workspace: a translated string can never make
the PDF fetch a remote URL or embed a local file from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse


class RefusedURL(ValueError):
    """A resource outside the workspace was asked for; WeasyPrint skips it."""


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class WorkspaceFetcher(URLFetcher):  # type: ignore[misc]  # untyped library
        def __init__(self, root: Path, refused: list[str]) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.root = root.resolve()
            self.refused = refused

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
                path = Path(unquote(parsed.path)).resolve()
                if path.is_relative_to(self.root):
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise RefusedURL(f"refused {url}: only files inside the workspace are read")

    return WorkspaceFetcher


def load() -> None:
    """Import WeasyPrint and find the fonts now (a worker does it while the main
    process plans), rather than at the first PDF."""
    import weasyprint  # noqa: F401

    _font_config()


@cache
def _font_config() -> Any:
    # One font configuration for the whole process: fonts are discovered once.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: a translation cannot end it and add rules."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\' else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def running_mark_css(mark: str) -> str:
    """A line at the top of every page, above the page's own content."""
    return (
        "@page { @top-center { content: " + css_string(mark) + "; font-family: \"DejaVu Sans\","
        " sans-serif; font-size: 9pt; font-weight: bold; color: #9b1c1c; } }"
    )


def xmp_packet(title: str | None, authors: Sequence[str], lang: str | None,
               description: str | None) -> bytes:
    """An XMP packet (ISO 16684-1) with the Dublin Core a catalogue reads: title,
    creators, language, description."""
    from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

    rdf_ns, dc_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", \
        "http://purl.org/dc/elements/1.1/"
    register_namespace("rdf", rdf_ns)
    register_namespace("dc", dc_ns)
    rdf = Element(f"{{{rdf_ns}}}RDF")
    about = SubElement(rdf, f"{{{rdf_ns}}}Description", {f"{{{rdf_ns}}}about": ""})

    def listed(name: str, kind: str, values: Sequence[str], lang_alt: bool = False) -> None:
        container = SubElement(SubElement(about, f"{{{dc_ns}}}{name}"), f"{{{rdf_ns}}}{kind}")
        for value in values:
            item = SubElement(container, f"{{{rdf_ns}}}li")
            if lang_alt:
                item.set("xml:lang", "x-default")
            item.text = value

    if title:
        listed("title", "Alt", [title], lang_alt=True)
    if authors:
        listed("creator", "Seq", list(authors))
    if lang:
        listed("language", "Bag", [lang])
    if description:
        listed("description", "Alt", [description], lang_alt=True)
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + bytes(tostring(
                rdf, encoding="utf-8", xml_declaration=False))
            + b'</x:xmpmeta>\n<?xpacket end="r"?>')


def _with_xmp(document: Any, pdf: Any) -> None:
    """The finisher that adds the XMP packet of the document's metadata."""
    import pydyf

    meta = document.metadata
    stream = pydyf.Stream([xmp_packet(meta.title, meta.authors, meta.lang, meta.description)],
                          {"Type": "/Metadata", "Subtype": "/XML"})
    pdf.add_object(stream)
    pdf.catalog["Metadata"] = stream.reference


def render_pdf(html: str, root: Path, *,
               running_mark: str | None = None) -> tuple[bytes, list[str]]:
    """PDF bytes for ``html`` (resolved against the workspace ``root``), and the URLs refused.

    ``running_mark`` is repeated at the top of every page (previews say they are
    previews); it is added here, not by the workspace's stylesheet, so that no
    customised stylesheet can lose it.
    """
    from weasyprint import CSS, HTML

    refused: list[str] = []
    fetcher = _fetcher_class()(root, refused)
    document = HTML(string=html, base_url=root.resolve().as_uri() + "/", url_fetcher=fetcher,
                    encoding="utf-8")
    stylesheets = []
    if running_mark:
        stylesheets.append(CSS(string=running_mark_css(running_mark),
                               font_config=_font_config()))
    # Tagged: screen readers get the headings and the reading order. XMP metadata says
    # what the file is to archives and catalogues; no PDF/UA identifier, which only a
    # validator passing here could vouch for.
    pdf = document.write_pdf(stylesheets=stylesheets, font_config=_font_config(),
                             presentational_hints=False, pdf_tags=True, finisher=_with_xmp)
    return pdf, refused
