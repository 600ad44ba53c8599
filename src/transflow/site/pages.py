"""The publication's website in ``output/``: a front door, a home per language with
the latest bulletin and the archive, a page per category with its trend history, and a
page per commentary. Every link is relative, so the site works from ``file://``, the
root of a domain or any subpath.

Only published bulletins (the publication tree, never previews) are on the site, and
only pages whose content changed are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Translations
from transflow.catalogs.ui import labels as ui_labels
from transflow.publish.bulletin import Article, Bulletin, make_bulletin
from transflow.publish.manifest import published
from transflow.publish.plan import _capitalised, pdf_name
from transflow.publish.render_html import render_template
from transflow.sources.commentary import Commentary, list_weeks, load_week
from transflow.workspace.config import Config
from transflow.workspace.files import write_if_changed
from transflow.workspace.lang import language_name
from transflow.workspace.progress import Progress
from transflow.workspace.weeks import Week

TREND_COLOURS = {"better": "#1d6b2a", "unchanged": "#8a8a8a", "worse": "#a31b1b"}


@dataclass(frozen=True)
class Link:
    lang: str
    name: str
    href: str


@dataclass(frozen=True)
class Page:
    """One page of the site: where it goes and what it shows."""

    path: str
    """Relative to output/."""
    template: str
    lang: str | None
    context: dict[str, object] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SiteReport:
    written: tuple[str, ...]
    unchanged: int
    warnings: tuple[str, ...] = ()


def _published(config: Config) -> dict[str, list[Week]]:
    """The weeks whose bulletin is in the publication tree and current (built from the
    workspace as it is), per language, newest first. The site is made from the same
    catalogs as the bulletins: a language refused or skipped this time keeps its pages
    as they were."""
    found: dict[str, list[Week]] = {lang: [] for lang in config.languages}
    for week in reversed(list_weeks(config)):
        for lang in config.languages:
            if published(config, week, lang, pdf_name(config, week, lang),
                         "index.html").current:
                found[lang].append(week)
    return found


def _bulletin(config: Config, week: Week, lang: str, ui: Translations,
              commentaries: dict[Week, tuple[Commentary, ...]]) -> Bulletin:
    path = config.po_path(lang, week)
    catalog = Translations(pofile.read_catalog(path, config.rel(path))
                           if pofile.exists(path, config.rel(path)) else None)
    if week not in commentaries:
        commentaries[week] = load_week(config, week)
    b = make_bulletin(config, week, lang, commentaries[week], catalog, ui)
    return replace(b, subtitle=config.subtitles.get(lang),
                   organisation=config.organisations.get(lang),
                   issue_number=config.issue_number(week),
                   pdf_name=pdf_name(config, week, lang))


def _up(path: str) -> str:
    """The way back to output/ from a page at ``path``."""
    return "../" * path.count("/") or ""


@dataclass(frozen=True)
class Strip:
    """A category's trend history: one mark per week, oldest first."""

    marks: tuple[tuple[str, str, str], ...]
    """(week, trend key, label)."""


def plan_site(config: Config, bulletins_out: dict[str, list[Bulletin]] | None = None,
              ) -> list[Page]:
    """Every page of the site, from what is published (``bulletins_out`` receives the
    bulletins of each language, newest first, for the feeds)."""
    published = _published(config)
    commentaries: dict[Week, tuple[Commentary, ...]] = {}
    pages: list[Page] = []
    homes = [Link(lang, _capitalised(language_name(lang)), f"{lang}/index.html")
             for lang in config.languages if published[lang]]
    pages.append(Page("index.html", "site_front.html", None, {
        "homes": homes, "titles": config.titles, "config": config}))
    for lang in config.languages:
        weeks = published[lang]
        if not weeks:
            continue
        ui = ui_labels(config, lang)
        bulletins = [_bulletin(config, week, lang, ui, commentaries) for week in weeks]
        if bulletins_out is not None:
            bulletins_out[lang] = bulletins
        years: dict[int, list[Bulletin]] = {}
        for b in bulletins:
            years.setdefault(b.week.year, []).append(b)
        others = {other: set(published[other]) for other in config.languages if other != lang}

        def switcher(path_for: object, week: Week | None, here: str,
                     lang: str = lang, others: dict[str, set[Week]] = others) -> list[Link]:
            links = []
            for other, built in others.items():
                target = (path_for(other) if week is None or week in built  # type: ignore[operator]
                          else f"{other}/index.html")
                links.append(Link(other, _capitalised(language_name(other)),
                                  _up(here) + target))
            return links

        search = f"{lang}/search/index.html"
        pages.append(Page(search, "site_search.html", lang, {
            "switcher": switcher(lambda o: f"{o}/search/index.html", None, search)}))
        home = f"{lang}/index.html"
        pages.append(Page(home, "site_language.html", lang, {
            "latest": bulletins[0], "years": sorted(years.items(), reverse=True),
            "switcher": switcher(lambda o: f"{o}/index.html", None, home),
        }))
        by_category: dict[str, list[tuple[Bulletin, Article]]] = {}
        for b in bulletins:
            for a in b.articles:
                by_category.setdefault(a.category, []).append((b, a))
        for key, items in by_category.items():
            path = f"{lang}/categories/{key}/index.html"
            marks = tuple((str(b.week), a.trend or "", a.trend_label or "")
                          for b, a in reversed(items))
            pages.append(Page(path, "site_category.html", lang, {
                "category": key, "label": items[0][1].category_label, "items": items,
                "strip": Strip(marks),
                "switcher": switcher(lambda o, k=key: f"{o}/categories/{k}/index.html",
                                     None, path),
            }))
        for b in bulletins:
            for a in b.articles:
                path = f"{b.week}/{lang}/{a.slug}/index.html"
                related = [(ob, oa) for ob, oa in by_category[a.category]
                           if oa.slug != a.slug][:5]
                pages.append(Page(path, "site_commentary.html", lang, {
                    "b": b, "a": a, "related": related,
                    "switcher": switcher(
                        lambda o, w=b.week, s=a.slug: f"{w}/{o}/{s}/index.html", b.week, path),
                }))
    return pages


def render_page(config: Config, page: Page) -> str:
    lang = page.lang or config.languages[0]
    ui = ui_labels(config, lang) if page.lang else Translations(None)
    context = {**page.context, "root": _up(page.path), "lang": lang,
               "title": config.titles[lang], "subscribe_url": config.subscribe_url,
               "trend_colours": TREND_COLOURS, "here": page.path,
               "base_url": config.base_url}
    return render_template(config.templates_dir, page.template, context, ui, lang,
                           stylesheet=True)


def build_site(config: Config, progress: Progress | None = None) -> SiteReport:
    """Write the pages of the site whose content changed."""
    from transflow.site.feeds import atom, sitemap

    bulletins: dict[str, list[Bulletin]] = {}
    pages = plan_site(config, bulletins)
    written: list[str] = []
    warnings: list[str] = []
    extra: list[tuple[str, str | bytes]] = []
    if config.base_url:
        extra += [(f"{lang}/feed.xml", atom(config, lang, found))
                  for lang, found in bulletins.items()]
        extra.append(("sitemap.xml", sitemap(config, [
            (p.path.removesuffix("index.html"), {
                link.lang: link.href.replace("../", "").removesuffix("index.html")
                for link in p.context.get("switcher", [])})  # type: ignore[attr-defined]
            for p in pages])))
    else:
        warnings.append("no feeds and no sitemap: set base_url in [site] of transflow.toml "
                        "(they need absolute addresses)")
    unchanged = 0
    files = [(page.path, page) for page in pages] + [(path, data) for path, data in extra]
    for done, (path, what) in enumerate(files):
        if progress:
            progress(path, done, len(files))
        try:
            data = render_page(config, what) if isinstance(what, Page) else what
            if write_if_changed(config.output_dir / path, data):
                written.append(f"output/{path}")
            else:
                unchanged += 1
        except OSError as exc:
            warnings.append(f"output/{path}: not written ({exc.strerror or exc})")
    if written:
        from transflow.site.search import index

        if (problem := index(config)) is not None:
            warnings.append(problem)
    return SiteReport(tuple(written), unchanged, tuple(warnings))


def site_paths(pages: Sequence[Page]) -> list[Path]:
    return [Path(p.path) for p in pages]
