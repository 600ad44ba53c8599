"""The HTML renderer: a ``Bulletin`` → one self-contained HTML5 page.

Jinja2 (and markupsafe) are imported here and nowhere else. Everything a translator
wrote reaches the page escaped: segment text through Markdown with raw HTML off,
ui.po strings through gettext callables that escape the translation before Jinja2
marks it safe (Jinja2's i18n extension would otherwise trust translated markup).
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup, escape

from transflow.catalogs.model import Translations
from transflow.catalogs.ui import CHECK_NOTE, DRAFT_NOTE
from transflow.publish.bulletin import Block, Bulletin, Text
from transflow.publish.typography import tie, tie_text
from transflow.sources.markdown import render_inline
from transflow.workspace.errors import BuildError
from transflow.workspace.lang import format_number

TEMPLATE = "bulletin.html"
STYLESHEET = "bulletin.css"
PRINT_STYLESHEET = "print.css"
"""The rules for paper, read by the PDF renderer only (see ``formats.Page``)."""


class Typeset(Markup):
    """Markup that typography leaves as it is: already tied (a text of the bulletin) or
    not text at all (a stylesheet)."""

    __slots__ = ()


_rendering = ["en"]
"""The language being rendered (environments are shared and set per bulletin: a process
renders one page at a time)."""


@lru_cache(maxsize=65536)
def _tied_text(text: str, lang: str) -> str:
    return tie_text(text, lang)


def typeset(value: object) -> object:
    """Every value a template shows, with the typography of the page's language (non-
    breaking spaces after one-letter words, before a dash, in numbers): labels, titles,
    category names, the masthead, the message's text alike. Identifiers (addresses,
    slugs, file names, URLs) have no spaces, so nothing of them changes."""
    if isinstance(value, Typeset):
        return value
    lang = _rendering[0]
    if isinstance(value, Markup):
        # A macro's whole output (an archive list) is tied once, not remembered.
        return Typeset(tie(str(value), lang) if len(value) < _REMEMBERED
                       else tie.__wrapped__(str(value), lang))
    if isinstance(value, str):
        return _tied_text(value, lang) if len(value) < _REMEMBERED else tie_text(value, lang)
    return value


_REMEMBERED = 2000
"""Texts longer than this are tied each time they are shown (few are, and remembering
them would hold a site's pages in memory)."""


class _Texts:
    """Turns the bulletin's texts into HTML for one page."""

    def __init__(self, lang: str, draft_note: str, check_note: str) -> None:
        self.lang = lang
        self.draft_note = draft_note
        self.check_note = check_note

    def element(self, text: Text, tag: str, css_class: str = "") -> Markup:
        # Subscribers and editors must see what is not a reviewed translation.
        classes = [css_class] if css_class else []
        if text.state in ("draft", "fuzzy", "untranslated"):
            classes.append(text.state)
        if text.problem:
            classes.append("check-error")
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        if text.lang != self.lang:
            attrs += f' lang="{escape(text.lang)}"'
        note = ""
        if text.state == "draft":
            note = f' <small class="draft-note">({escape(self.draft_note)})</small>'
        if text.problem:
            # A preview's passage with a check error: what is wrong, where it is.
            # (check speaks English; the label is the page's language.)
            note += (f' <small class="check-note">({escape(self.check_note)}: <span '
                     f'lang="en">{escape(text.problem)}</span>)</small>')
        content = tie(render_inline(text.markdown, text.lang), text.lang)
        return Typeset(f"<{tag}{attrs}>{content}{note}</{tag}>")

    def inline(self, text: Text) -> Markup:
        """A text inside another element (a title link, the author line)."""
        return self.element(text, "span")

    def lead(self, text: Text) -> Markup:
        """A commentary's lead on the first page."""
        return self.element(text, "p", "lead")

    def body(self, blocks: tuple[Block, ...]) -> Markup:
        """Blocks, with their lists and quotes re-opened around them."""
        out: list[str] = []
        open_: list[tuple[str, int]] = []
        for block in blocks:
            common = 0
            while (common < len(open_) and common < len(block.containers)
                   and open_[common] == block.containers[common]):
                common += 1
            for tag, _ in reversed(open_[common:]):
                out.append(f"</{tag}>")
            for tag, _ in block.containers[common:]:
                out.append(f"<{tag}>")
            open_ = list(block.containers)
            tag = block.tag
            if block.role == "heading":
                # The publication is the h1, a category an h2, an article's title an h3:
                # headings inside the body sit below it.
                tag = f"h{min(int(tag[1]) + 3, 6)}"
            out.append(self.element(block.text, tag))
        for tag, _ in reversed(open_):
            out.append(f"</{tag}>")
        return Typeset("\n".join(out))


TREND_SYMBOLS = {"better": "▲", "unchanged": "●", "worse": "▼"}
"""The mark before a trend verdict, in every template (pages, PDF, both parts of a
message): the ``symbol`` filter."""


def trend_symbol(trend: str | None) -> str:
    return TREND_SYMBOLS.get(trend or "", "◆")


Templates = tuple[Path, ...]
"""Folders a template is looked up in, first match wins: the workspace's own
``templates/``, then transflow's defaults."""


_stylesheets: dict[tuple[Path, int, int], str] = {}
"""Each stylesheet read, by its size and time: one read a run, not one a page."""


def stylesheet_text(templates: Templates, name: str = STYLESHEET) -> str:
    """The text of a stylesheet in effect (``bulletin.css``: the web pages', which the
    site serves as a file of its own; ``print.css``: the rules for paper)."""
    for folder in templates:
        path = folder / name
        try:
            found = path.stat()
        except OSError:
            continue
        if not stat.S_ISREG(found.st_mode):
            continue
        key = (path, found.st_mtime_ns, found.st_size)
        if key not in _stylesheets:
            _stylesheets[key] = path.read_text(encoding="utf-8")
        return _stylesheets[key]
    raise BuildError(f"no {name} in {' or '.join(map(str, templates))}; reinstall "
                     "transflow, or put one in templates/")


def _inline(css: str) -> Markup:
    """A stylesheet for a ``<style>`` element, which nothing in it can end."""
    return Typeset(css.replace("</", "<\\/"))


@cache
def _shared(templates: Templates) -> Environment:
    # One environment per search path: its compiled templates are reused by every
    # bulletin of the run (Jinja2 recompiles a template whose file changed).
    return Environment(
        loader=FileSystemLoader([str(t) for t in templates]),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=typeset,
    )


def _environment(templates: Templates, ui: Translations, lang: str) -> Environment:
    """The environment, set for one bulletin's language and labels (bulletins of a
    process are rendered one after the other)."""
    env = _shared(templates)
    _rendering[0] = lang
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s: escape(ui.gettext(s)),
        lambda s, p, n: escape(ui.ngettext(s, p, n)),
        newstyle=True,
    )
    texts = _Texts(lang, ui.gettext(DRAFT_NOTE), ui.gettext(CHECK_NOTE))
    env.filters["inline"] = texts.inline
    env.filters["body"] = texts.body
    env.filters["tie"] = lambda s: Typeset(tie(str(escape(s)), lang))
    env.filters["lead"] = texts.lead
    env.filters["number"] = lambda n: format_number(n, lang)
    env.filters["symbol"] = trend_symbol
    # A text as plain words (a page's description): escaped as any string.
    env.filters["plain"] = lambda text: plain_text(text.markdown) if text else ""
    return env


def render_html(bulletin: Bulletin, templates: Templates, ui: Translations) -> str:
    try:
        css = _inline(stylesheet_text(templates))
        template = _environment(templates, ui, bulletin.lang).get_template(TEMPLATE)
        return template.render(b=bulletin, css=css)
    except FileNotFoundError as exc:
        raise BuildError(f"template file missing ({exc.filename}); restore templates/") from None
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or f"templates/{TEMPLATE}"
        raise BuildError(f"template error: {exc}", where, getattr(exc, "lineno", None)) from None


@cache
def _plain(templates: Templates) -> Environment:
    # Text templates (the plain-text part of a message) are not HTML: no escaping.
    return Environment(loader=FileSystemLoader([str(t) for t in templates]), autoescape=False,
                       undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       finalize=typeset)


def render_template(templates: Templates, name: str, context: Mapping[str, object],
                    ui: Translations, lang: str, html: bool = True,
                    stylesheet: bool = False) -> str:
    """Any other template of the workspace (a message's parts, a page of the site), with
    the bulletin's filters and labels; ``html`` off renders plain text; ``stylesheet``
    gives the page ``css``, the stylesheet in effect, inline."""
    if stylesheet:
        context = {**context, "css": _inline(stylesheet_text(templates))}
    if html:
        env = _environment(templates, ui, lang)
    else:
        env = _plain(templates)
        _rendering[0] = lang
        env.install_gettext_callables(  # type: ignore[attr-defined]
            ui.gettext, ui.ngettext, newstyle=True)
        env.filters["inline"] = lambda text: plain_text(text.markdown)
        env.filters["tie"] = lambda s: s
        env.filters["number"] = lambda n: format_number(n, lang)
        env.filters["symbol"] = trend_symbol
    try:
        return env.get_template(name).render(**context)
    except FileNotFoundError as exc:
        raise BuildError(f"template file missing ({exc.filename}); restore templates/") from None
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or f"templates/{name}"
        if "not found" in str(exc).lower() and not getattr(exc, "lineno", None):
            raise BuildError(f"template {name} is missing; restore templates/{name}") from None
        raise BuildError(f"template error: {exc}", where, getattr(exc, "lineno", None)) from None


def plain_text(markdown: str) -> str:
    """Inline Markdown as plain text: links as their text, no emphasis markers."""
    import re

    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", markdown)
    return re.sub(r"(\*\*|\*|`)", "", text)
