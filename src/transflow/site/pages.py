"""The publication's website in ``output/``: a front door, a home per language with
the latest bulletin and the archive, a page per category with its trend history, and a
page per commentary. Every link is relative, so the site works from ``file://``, the
root of a domain or any subpath.

Only published bulletins (the publication tree, never previews) are on the site, and
only pages whose content changed are written.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Translations
from transflow.catalogs.ui import labels as ui_labels
from transflow.publish.bulletin import Article, Bulletin, make_bulletin
from transflow.publish.manifest import Stat, published, shared_state, state_of
from transflow.publish.plan import _capitalised, pdf_name
from transflow.publish.render_html import render_template
from transflow.sources.commentary import Commentary, list_weeks, load_week
from transflow.workspace.config import Config
from transflow.workspace.files import atomic_write, write_if_changed
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
    key: tuple[object, ...] | None = None
    """What the page is made of, cheaply: digests of the weeks it shows. None: its
    context is the key."""


@dataclass(frozen=True)
class SiteReport:
    written: tuple[str, ...]
    unchanged: int
    warnings: tuple[str, ...] = ()


def _published(config: Config, digests: dict[tuple[Week, str], str] | None = None,
               cache: _Cache | None = None) -> dict[str, list[Week]]:
    """The weeks whose bulletin is in the publication tree and current (built from the
    workspace as it is), per language, newest first. The site is made from the same
    catalogs as the bulletins: a language refused or skipped this time keeps its pages
    as they were."""
    found: dict[str, list[Week]] = {lang: [] for lang in config.languages}
    shared = shared_state(config) if cache is not None else ()
    for week in reversed(list_weeks(config)):
        for lang in config.languages:
            digest = _current_digest(config, week, lang, cache, shared)
            if digest is not None:
                found[lang].append(week)
                if digests is not None:
                    digests[(week, lang)] = digest
    return found


def _current_digest(config: Config, week: Week, lang: str, cache: _Cache | None,
                    shared: tuple[Stat, ...]) -> str | None:
    """The inputs' digest of the bulletin when it is published and current, else None;
    the cache answers while none of its files has moved since it was found current."""
    name = pdf_name(config, week, lang)
    if cache is None:
        state = published(config, week, lang, name, "index.html")
        return state.digest if state.current else None
    key = (str(week), lang)
    files = state_of(config, week, lang, name, shared)
    known = cache.current.get(key)
    if known is not None and known[0] == files:
        return known[1]
    state = published(config, week, lang, name, "index.html")
    if not state.current:
        cache.current.pop(key, None)
        return None
    cache.current[key] = (files, state.digest)
    return state.digest


_CACHE = ".transflow/site-cache.pickle"
_INDEXED = "site_commentary.html"
"""The template of the pages that search indexes (its ``data-pagefind-body``)."""
"""Each week's resolved bulletin by the digest of its inputs, and each page's
fingerprint: a one-week change re-reads one week and re-renders what shows it."""


@dataclass
class _Cache:
    bulletins: dict[tuple[str, str], tuple[str, Bulletin]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    current: dict[tuple[str, str], tuple[tuple[Stat, ...], str]] = field(
        default_factory=dict)
    """A current bulletin's files as they were, and its inputs' digest."""


def _load_cache(config: Config) -> _Cache:
    try:
        cache = pickle.loads((config.root / _CACHE).read_bytes())
        return cache if isinstance(cache, _Cache) else _Cache()
    except Exception:  # a damaged or older cache is rebuilt, never trusted
        return _Cache()


def _save_cache(config: Config, cache: _Cache) -> None:
    atomic_write(config.root / _CACHE, pickle.dumps(cache))


def _bulletin(config: Config, week: Week, lang: str, ui: Translations,
              commentaries: dict[Week, tuple[Commentary, ...]],
              cache: _Cache | None = None, digest: str = "") -> Bulletin:
    if cache is not None:
        hit = cache.bulletins.get((str(week), lang))
        if hit is not None and hit[0] == digest:
            return hit[1]
    b = _resolve(config, week, lang, ui, commentaries)
    if cache is not None:
        cache.bulletins[(str(week), lang)] = (digest, b)
    return b


def _resolve(config: Config, week: Week, lang: str, ui: Translations,
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
              cache: _Cache | None = None) -> list[Page]:
    """Every page of the site, from what is published (``bulletins_out`` receives the
    bulletins of each language, newest first, for the feeds)."""
    digests: dict[tuple[Week, str], str] = {}
    published = _published(config, digests, cache)
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
        bulletins = [_bulletin(config, week, lang, ui, commentaries, cache,
                               digests[(week, lang)]) for week in weeks]
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
        def week_key(w: Week, lang: str = lang) -> tuple[str, str]:
            return (str(w), digests[(w, lang)])

        pages.append(Page(home, "site_language.html", lang, {
            "latest": bulletins[0], "years": sorted(years.items(), reverse=True),
            "switcher": switcher(lambda o: f"{o}/index.html", None, home),
        }, key=(week_key(weeks[0]), tuple(str(w) for w in weeks),
                tuple(sorted(str(w) for o in others.values() for w in o)))))
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
            }, key=(key, tuple(week_key(b.week) for b, _ in items),
                    tuple(o for o in others))))
        for b in bulletins:
            for a in b.articles:
                path = f"{b.week}/{lang}/{a.slug}/index.html"
                related = list(itertools.islice(
                    ((ob, oa) for ob, oa in by_category[a.category] if oa is not a), 5))
                links = switcher(lambda o, w=b.week, s=a.slug: f"{w}/{o}/{s}/index.html",
                                 b.week, path)
                pages.append(Page(path, "site_commentary.html", lang, {
                    "b": b, "a": a, "related": related, "switcher": links,
                }, key=(week_key(b.week), tuple((week_key(ob.week), oa.slug)
                                               for ob, oa in related),
                        tuple(link.href for link in links))))
    return pages


def render_page(config: Config, page: Page, ui: Translations | None = None) -> str:
    """The HTML of ``page`` (``ui``: its language's labels, when already read)."""
    lang = page.lang or config.languages[0]
    if ui is None:
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
    cache = _load_cache(config)
    pages = plan_site(config, bulletins, cache)
    templates = hashlib.sha256(b"".join(
        p.name.encode() + p.read_bytes() for p in sorted(config.templates_dir.glob("*"))
        if p.is_file())).hexdigest()
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
    labels: dict[str | None, Translations] = {}
    # Pagefind reads the whole site each time: run it only when what it indexes changed.
    searched_changed = not (config.output_dir / "pagefind").is_dir()
    files = [(page.path, page) for page in pages] + [(path, data) for path, data in extra]
    for done, (path, what) in enumerate(files):
        if progress:
            progress(path, done, len(files))
        try:
            if isinstance(what, Page):
                # Unchanged inputs, same page: not even rendered.
                print_ = _fingerprint(what, templates, config)
                if cache.pages.get(path) == print_ and (config.output_dir / path).is_file():
                    unchanged += 1
                    continue
                if what.lang not in labels:  # one read of each ui.po, not one a page
                    labels[what.lang] = (ui_labels(config, what.lang) if what.lang
                                         else Translations(None))
                data: str | bytes = render_page(config, what, labels[what.lang])
                cache.pages[path] = print_
            else:
                data = what
            if write_if_changed(config.output_dir / path, data):
                written.append(f"output/{path}")
                if isinstance(what, Page) and what.template == _INDEXED:
                    searched_changed = True
            else:
                unchanged += 1
        except OSError as exc:
            warnings.append(f"output/{path}: not written ({exc.strerror or exc})")
    _save_cache(config, cache)
    if searched_changed:
        from transflow.site.search import index

        if (problem := index(config)) is not None:
            warnings.append(problem)
    return SiteReport(tuple(written), unchanged, tuple(warnings))


def _fingerprint(page: Page, templates: str, config: Config) -> str:
    """What a page shows, as a digest: its template, its context, the settings."""
    shown = page.key if page.key is not None else sorted(page.context.items(),
                                                         key=lambda kv: kv[0])
    return hashlib.sha256(pickle.dumps((page.template, page.path, templates, shown,
                                        config.subscribe_url, config.base_url),
                                       protocol=5)).hexdigest()


def site_paths(pages: Sequence[Page]) -> list[Path]:
    return [Path(p.path) for p in pages]
