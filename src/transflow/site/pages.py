"""The publication's website in ``output/``: a front door, a home per language with
the latest bulletin and the archive, a page per category with its trend history, and a
page per commentary. Every link is relative, so the site works from ``file://``, the
root of a domain or any subpath.

Only published bulletins (the publication tree, never previews) are on the site, and
only pages whose content changed are written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, cached_property

from transflow.catalogs.model import Translations
from transflow.catalogs.ui import NOT_FOUND
from transflow.catalogs.ui import labels as ui_labels
from transflow.publish.bulletin import Article, Bulletin, make_bulletin
from transflow.publish.editions import (
    as_published,
    catalog_of,
    logo_bytes,
    pdf_name,
    subscription_form,
    templates_digest,
)
from transflow.publish.manifest import (
    MANIFEST,
    Stat,
    own_state,
    published,
    shared_state,
    stat_of,
    state_of,
)
from transflow.publish.render_html import render_template, stylesheet_text
from transflow.site.listing import Listed, Listing
from transflow.site.search import bundle_map
from transflow.sources.commentary import Commentary, list_weeks, load_week, source_files
from transflow.workspace.config import UI_DOMAIN, Config
from transflow.workspace.files import Inside, output_phase, workspace_lock, write_if_changed
from transflow.workspace.lang import language_label
from transflow.workspace.progress import Progress
from transflow.workspace.records import Records, fingerprint, stamp
from transflow.workspace.weeks import Week, is_week_name

TREND_COLOURS = {"better": "#1d6b2a", "unchanged": "#8a8a8a", "worse": "#a31b1b"}


@dataclass(frozen=True)
class Link:
    lang: str
    name: str
    href: str
    path: str = ""
    """Where it goes, from the site's root (for absolute addresses)."""
    same: bool = True
    """The same page in that language (False: that language's home, standing in)."""


@dataclass(frozen=True)
class Front:
    """A language on the front door: its publication and its latest bulletin."""

    lang: str
    name: str
    title: str
    subtitle: str
    latest: Listing
    pdf_label: str


@dataclass(frozen=True)
class Page:
    """One page of the site: where it goes and what it shows."""

    path: str
    """Relative to output/."""
    template: str
    lang: str | None
    context: dict[str, object] = field(default_factory=dict, compare=False)
    key: tuple[object, ...] | None = None
    """What the page shows, cheaply: the listed fields and content digests of what it
    shows. None: its context is the key."""
    full: Week | None = None
    """The week whose whole bulletin the page shows: its ``b`` (and its ``a``, by slug)
    are replaced by the full bulletin and commentary when the page is rendered."""

    @property
    def switcher(self) -> list[Link]:
        """The page's links to itself in the other languages."""
        found = self.context.get("switcher", [])
        return [link for link in found if isinstance(link, Link)] if isinstance(
            found, list) else []


@dataclass(frozen=True)
class SiteReport:
    written: tuple[str, ...]
    unchanged: int
    warnings: tuple[str, ...] = ()
    rendered: int = 0
    """Pages rendered to compare (the others' keys showed them unchanged)."""
    failures: tuple[str, ...] = ()
    """Files that could not be written whole (a full disk): the site phase failed."""

    @property
    def problem(self) -> str | None:
        if not self.failures:
            return None
        return (f"{len(self.failures)} file(s) of the site could not be written; free some "
                "space and build again")


def _published(config: Config, digests: dict[tuple[Week, str], str] | None = None,
               cache: _Cache | None = None,
               coming: dict[tuple[Week, str], str] | None = None) -> dict[str, list[Week]]:
    """The weeks whose bulletin is in the publication tree and current (built from the
    workspace as it is), per language, newest first; ``coming``: the bulletins a build
    is writing now, with their inputs' digest, taken as current. The site is made from
    the same catalogs as the bulletins: a language refused or skipped this time keeps
    its pages as they were."""
    coming = coming or {}
    found: dict[str, list[Week]] = {lang: [] for lang in config.languages}
    shared = shared_state(config) if cache is not None else ()
    # Stat each file once: a week's sources are the same in every language.
    ui = {lang: stat_of(config.po_path(lang, UI_DOMAIN)) for lang in config.languages}
    for week in reversed(list_weeks(config)):
        sources = (tuple(stat_of(p) for p in source_files(config, week))
                   if cache is not None else ())
        for lang in config.languages:
            digest = coming.get((week, lang))
            if digest is None:
                own = (own_state(config, week, lang, sources, ui[lang]) if cache is not None
                       else ())
                digest = _current_digest(config, week, lang, cache, shared, own)
            if digest is not None:
                found[lang].append(week)
                if digests is not None:
                    digests[(week, lang)] = digest
    return found


def _current_digest(config: Config, week: Week, lang: str, cache: _Cache | None,
                    shared: tuple[Stat, ...], own: tuple[Stat, ...] = ()) -> str | None:
    """The inputs' digest of the bulletin when it is published and current, else None;
    the cache answers while none of its files has moved since it was found current."""
    name = pdf_name(config, week, lang)
    if cache is None:
        state = published(config, week, lang, name, "index.html")
        return state.digest if state.current else None
    key = f"{week} {lang}"
    files = fingerprint(state_of(config, week, lang, name, shared, own))
    known = cache.current.current(key, files)
    if known is not None:
        return known.digest or None
    state = published(config, week, lang, name, "index.html")
    # Not current is remembered as well: the answer stays while the files stay (after
    # a change of labels, every bulletin is stale until built again, and hashing them
    # all again at each build of one week cost seconds).
    cache.current.record(key, files, CurrentBulletin(state.digest if state.current else ""))
    return state.digest if state.current else None


_INDEXED = "site_commentary.html"
"""The template of the pages that search indexes (its ``data-pagefind-body``)."""


@dataclass(frozen=True)
class CurrentBulletin:
    """The site's record of a published bulletin found current: its inputs' digest,
    valid while none of its files has moved since."""

    digest: str
    """Empty: found not current."""


@dataclass(frozen=True)
class SiteWritten:
    """The site's record of itself as a whole: the pages it wrote, valid while nothing
    any page shows has moved (a no-op build does not even plan the site)."""

    pages: int


@dataclass(frozen=True)
class PageWritten:
    """The site's record of a page: the size it was written with (a file a full disk
    left short or empty is never taken for the page)."""

    size: int


class _Cache:
    """What the site remembers (``.transflow/site-*-state.json``): each week's listing
    by the digest of its inputs, each page's fingerprint, each current bulletin; a
    one-week change re-reads one week and re-renders what shows what changed."""

    def __init__(self, config: Config) -> None:
        self.root = config.root
        self.current = Records(config.root, "site-current", CurrentBulletin)
        self.whole = Records(config.root, "site", SiteWritten)

    @cached_property
    def listings(self) -> Records[Listing]:
        return Records(self.root, "site-listings", Listing)

    @cached_property
    def pages(self) -> Records[PageWritten]:
        return Records(self.root, "site-pages", PageWritten)

    def save(self) -> None:
        # The records read (the others cannot have changed).
        for records in (self.current, self.whole, *(
                vars(self)[name] for name in ("listings", "pages") if name in vars(self))):
            records.save()


def _digest(article: Article) -> str:
    # repr, not pickle: a pickle depends on which equal strings happen to be one object,
    # so the same commentary would look changed from one run to the next.
    return hashlib.sha256(repr(article).encode()).hexdigest()


class _Resolver:
    """Whole bulletins, resolved from the catalogs at most once a run and only for the
    weeks whose listing is not remembered or whose pages are rendered."""

    KEPT = 12
    """Bulletins resolved here that stay in memory (pages come a week at a time: the
    archive's bulletins are never all held)."""

    def __init__(self, config: Config, cache: _Cache | None,
                 made: Sequence[Bulletin] = ()) -> None:
        self.config = config
        self.cache = cache
        self.commentaries: OrderedDict[Week, tuple[Commentary, ...]] = OrderedDict()
        self.bulletins: OrderedDict[tuple[Week, str], Bulletin] = OrderedDict()
        self.made = {(b.week, b.lang): b for b in made if not b.preview}
        self.ui: dict[str, Translations] = {}

    @cached_property
    def css_version(self) -> str:
        """The stylesheet's, read once a run (pages link it by its version)."""
        return _version(stylesheet_text(self.config.template_path))

    def labels(self, lang: str) -> Translations:
        if lang not in self.ui:  # one read of each ui.po a run, not one a page
            self.ui[lang] = ui_labels(self.config, lang)
        return self.ui[lang]

    def bulletin(self, week: Week, lang: str) -> Bulletin:
        key = (week, lang)
        if (made := self.made.get(key)) is not None:
            # The build made it from the same catalogs a moment ago: not made twice.
            name = pdf_name(self.config, week, lang)
            return made if made.pdf_name == name else replace(made, pdf_name=name)
        if key in self.bulletins:
            self.bulletins.move_to_end(key)
            return self.bulletins[key]
        if week not in self.commentaries:
            self.commentaries[week] = load_week(self.config, week)
            if len(self.commentaries) > self.KEPT:
                self.commentaries.popitem(last=False)
        found = self.bulletins[key] = _resolve(self.config, week, lang, self.labels(lang),
                                               self.commentaries[week])
        if len(self.bulletins) > self.KEPT:
            self.bulletins.popitem(last=False)
        return found

    def listing(self, week: Week, lang: str, inputs: str) -> Listing:
        key = f"{week} {lang}"
        known = self.cache.listings.current(key, inputs) if self.cache else None
        if known is not None:
            return known
        b = self.bulletin(week, lang)
        found = Listing(lang, week, b.title, b.week_range, b.pdf_name, tuple(
            Listed(a.slug, a.category, a.category_label, a.title, a.trend, a.trend_label,
                   _digest(a))
            for a in b.articles), inputs)
        if self.cache is not None:
            # Dated when what it shows changes: feed readers and crawlers are told
            # of a corrected bulletin, not of a rebuild that changed nothing.
            before = self.cache.listings.get(key)
            if before is not None and before.shows() != found.shows():
                found = replace(found, updated=datetime.now(UTC).isoformat(timespec="seconds"))
            elif before is not None:
                found = replace(found, updated=before.updated)
            self.cache.listings.record(key, inputs, found)
        return found


def _resolve(config: Config, week: Week, lang: str, ui: Translations,
             commentaries: tuple[Commentary, ...]) -> Bulletin:
    b = make_bulletin(config, week, lang, commentaries,
                      Translations(catalog_of(config, lang, week)), ui)
    return as_published(config, b, pdf_name(config, week, lang))


def _up(path: str) -> str:
    """The way back to output/ from a page at ``path``."""
    return "../" * path.count("/") or ""


@dataclass(frozen=True)
class Strip:
    """A category's trend history: one mark per week, oldest first."""

    marks: tuple[tuple[str, str, str], ...]
    """(week, trend key, label)."""


NOT_FOUND_PAGE = "404.html"


def plan_site(config: Config, listings_out: dict[str, list[Listing]] | None = None,
              cache: _Cache | None = None, resolver: _Resolver | None = None,
              found: tuple[dict[str, list[Week]], dict[tuple[Week, str], str]] | None = None,
              ) -> list[Page]:
    """Every page of the site, from what is published (``listings_out`` receives the
    listings of each language, newest first, for the feeds; ``found``: what
    ``_published`` found, when it was asked already)."""
    resolver = resolver or _Resolver(config, cache)
    digests: dict[tuple[Week, str], str] = {}
    if found is None:
        published = _published(config, digests, cache)
    else:
        published, digests = found
    pages: list[Page] = []
    homes = [Link(lang, language_label(lang), f"{lang}/index.html")
             for lang in config.languages if published[lang]]
    # What a web server shows for an address that does not exist, in every language:
    # its links start at the site's root, since it answers at any depth.
    pages.append(Page(NOT_FOUND_PAGE, "site_404.html", None, {
        "notices": [Link(home.lang, resolver.labels(home.lang).gettext(NOT_FOUND),
                         f"{config.site.base_url or '/'}{home.href}") for home in homes],
        "titles": config.publication.title, "root": config.site.base_url or "/"}))
    by_lang = {lang: [resolver.listing(week, lang, digests[(week, lang)])
                      for week in published[lang]] for lang in config.languages}
    # The front door: each language's publication and its latest bulletin, in that
    # language (labels included), for a reader who does not read the first.
    pages.append(Page("index.html", "site_front.html", None, {
        "fronts": [Front(home.lang, home.name, config.publication.title[home.lang],
                         config.publication.subtitle.get(home.lang, ""), by_lang[home.lang][0],
                         resolver.labels(home.lang).gettext("PDF version"))
                   for home in homes]}))
    # The categories each language has a page for: the switcher of a category's page
    # links another language's only where it exists (else that language's home).
    categories = {lang: {a.category for listing in listings for a in listing.articles}
                  for lang, listings in by_lang.items()}
    for lang, listings in by_lang.items():
        if listings:
            if listings_out is not None:
                listings_out[lang] = listings
            pages += _language_pages(config, lang, listings, published, categories)
    return pages


class _Switcher:
    """The links from a page of one language to the same page in the others: to the
    page itself where that language has the week, else to its home."""

    def __init__(self, config: Config, lang: str, published: dict[str, list[Week]]) -> None:
        self.others = {other: set(published[other]) for other in config.languages
                       if other != lang}
        self.names = {other: language_label(other) for other in self.others}

    def links(self, path_for: str, week: Week | None, here: str,
              has: Callable[[str], bool] | None = None) -> list[Link]:
        """``path_for``: the page's path with ``{lang}`` for its language; ``has``: whether
        a language has that page (when not only a week's bulletin says so)."""
        up = _up(here)
        links = []
        for other, built in self.others.items():
            same = (week is None or week in built) and (has is None or has(other))
            path = path_for.replace("{lang}", other) if same else f"{other}/index.html"
            links.append(Link(other, self.names[other], up + path, path, same))
        return links


def _language_pages(config: Config, lang: str, listings: list[Listing],
                    published: dict[str, list[Week]],
                    categories: dict[str, set[str]] | None = None) -> list[Page]:
    """The pages of one language: its search page, its home, its categories, and a page
    per commentary. Each page's key is what it shows, so a change to one commentary
    re-renders its page and the lists that show its title or trend, nothing else."""
    switcher = _Switcher(config, lang, published)
    pages: list[Page] = []
    search = f"{lang}/search/index.html"
    # The commentaries are indexed in bundles (by year; in the latest, by four weeks):
    # the page searches them together, the newest first.
    names = bundle_map(str(week) for weeks in published.values() for week in weeks)
    bundles = sorted({names[str(listing.week)] for listing in listings}, reverse=True)
    pages.append(Page(search, "site_search.html", lang, {
        "switcher": switcher.links("{lang}/search/index.html", None, search),
        "bundles": bundles}))
    years: dict[int, list[Listing]] = {}
    for listing in listings:
        years.setdefault(listing.week.year, []).append(listing)
    home = f"{lang}/index.html"
    latest = listings[0]
    pages.append(Page(home, "site_language.html", lang, {
        "b": latest, "years": sorted(years.items(), reverse=True),
        "switcher": switcher.links("{lang}/index.html", None, home),
    }, key=(latest.inputs, tuple((str(x.week), x.week_range, x.pdf_name) for x in listings),
            tuple(sorted(str(w) for o in switcher.others.values() for w in o))),
        full=latest.week))
    by_category: dict[str, list[tuple[Listing, Listed]]] = {}
    for listing in listings:
        for a in listing.articles:
            by_category.setdefault(a.category, []).append((listing, a))
    return (pages + _category_pages(lang, by_category, switcher, categories or {})
            + _commentary_pages(lang, listings, by_category, switcher))


def _category_pages(lang: str, by_category: dict[str, list[tuple[Listing, Listed]]],
                    switcher: _Switcher, categories: dict[str, set[str]]) -> list[Page]:
    pages = []
    for key, items in by_category.items():
        path = f"{lang}/categories/{key}/index.html"

        def has(other: str, key: str = key) -> bool:
            return key in categories.get(other, ())

        marks = tuple((str(x.week), a.trend or "", a.trend_label or "")
                      for x, a in reversed(items))
        pages.append(Page(path, "site_category.html", lang, {
            "category": key, "label": items[0][1].category_label, "items": items,
            "strip": Strip(marks),
            "switcher": switcher.links("{lang}/categories/" + key + "/index.html", None, path,
                                       has),
        }, key=(key, items[0][1].category_label,
                tuple((str(x.week), x.week_range, a.shown) for x, a in items),
                tuple((other, key in categories.get(other, ())) for other in switcher.others))))
    return pages


def _commentary_pages(lang: str, listings: list[Listing],
                      by_category: dict[str, list[tuple[Listing, Listed]]],
                      switcher: _Switcher) -> list[Page]:
    pages = []
    place = {id(a): i for items in by_category.values() for i, (_, a) in enumerate(items)}
    for listing in listings:
        for a in listing.articles:
            path = f"{listing.week}/{lang}/{a.slug}/index.html"
            related = _nearest(by_category[a.category], place[id(a)])
            links = switcher.links(f"{listing.week}/{{lang}}/{a.slug}/index.html",
                                   listing.week, path)
            pages.append(Page(path, "site_commentary.html", lang, {
                "b": listing, "a": a, "related": related, "switcher": links,
            }, key=(a.digest, listing.week_range, listing.pdf_name,
                    tuple((str(ox.week), ox.week_range, oa.slug, oa.title.markdown)
                          for ox, oa in related),
                    tuple(link.href for link in links)), full=listing.week))
    return pages


RELATED = 5
"""Commentaries of the same category a commentary's page links to."""


def _nearest(items: list[tuple[Listing, Listed]], i: int) -> list[tuple[Listing, Listed]]:
    """The commentaries of a category nearest in time to its ``i``-th (newest first),
    the newer first among equally near: a new week changes the lists of the few
    commentaries just before it, not of the whole archive."""
    order = sorted((j for j in range(max(0, i - RELATED), min(len(items), i + RELATED + 1))
                    if j != i), key=lambda j: (abs(j - i), j))[:RELATED]
    return [items[j] for j in sorted(order)]


def render_page(config: Config, page: Page, ui: Translations | None = None,
                resolver: _Resolver | None = None) -> str:
    """The HTML of ``page`` (``ui``: its language's labels, when already read)."""
    lang = page.lang or config.languages[0]
    resolver = resolver or _Resolver(config, None)
    if ui is None:
        ui = resolver.labels(lang) if page.lang else Translations(None)
    form = subscription_form(config)
    context = {**page.context, "root": page.context.get("root", _up(page.path)), "lang": lang,
               "title": config.publication.title[lang],
               "organisation": config.publication.organisation.get(lang, ""),
               "logo": logo_file(config),
               "subtitle": config.publication.subtitle.get(lang, ""), "subscribe_url": form[0],
               "subscribe_languages": form[1],
               "trend_colours": TREND_COLOURS, "trends": config.trends, "here": page.path,
               "base_url": config.site.base_url}
    context["css_href"] = f"{context['root']}{STYLESHEET_FILE}?v={resolver.css_version}"
    if page.full is not None:
        b = resolver.bulletin(page.full, lang)
        context["b"] = b
        if isinstance(listed := context.get("a"), Listed):
            context["a"] = next(a for a in b.articles if a.slug == listed.slug)
    return render_template(config.template_path, page.template, context, ui, lang)


def logo_file(config: Config) -> str | None:
    """Where the site keeps ``[publication] logo``, from ``output/``: one file for
    every page's masthead and icon (a bulletin's page carries its own copy)."""
    logo = config.publication.logo
    return f"logo{os.path.splitext(logo)[1].lower()}" if logo else None


FAVICON = "favicon.ico"
STYLESHEET_FILE = "style.css"
"""The site's stylesheet, at the top of ``output/``: ``templates/bulletin.css``."""


@cache
def _version(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:10]


def build_site(config: Config, progress: Progress | None = None,
               made: Sequence[Bulletin] = (),
               coming: dict[tuple[Week, str], str] | None = None) -> SiteReport:
    """Write the pages of the site whose content changed (holding the workspace lock:
    the site is read from catalogs and bulletins no other run may change meanwhile).
    ``made``: the bulletins a build just made (``BuildReport.bulletins``), used as they
    are rather than made again from the same files; ``coming``: those of them a build
    is writing now (see ``publish.build``'s ``alongside``), with their inputs' digest."""
    with workspace_lock(config.root):
        cache = _Cache(config)
        with output_phase(config.root, config.output_dir):
            report = _build_site(config, progress, made, cache, coming or {})
        # After the phase's sync: a record never vouches for a page not yet on disk.
        cache.save()
        return report


def _build_site(config: Config, progress: Progress | None, made: Sequence[Bulletin],
                cache: _Cache, coming: dict[tuple[Week, str], str]) -> SiteReport:
    digests: dict[tuple[Week, str], str] = {}
    published = _published(config, digests, cache, coming)
    # Nothing any page shows has moved, and every page is on disk as written: done.
    whole = _site_print(config, digests)
    if (known := cache.whole.current("site", whole)) is not None and _intact(
            config, cache, [lang for lang, weeks in published.items() if weeks]):
        return SiteReport((), known.pages, tuple(_feed_warnings(config)))
    listings: dict[str, list[Listing]] = {}
    resolver = _Resolver(config, cache, made)
    pages = plan_site(config, listings, cache, resolver, (published, digests))
    extra, warnings = _feeds(config, pages, listings)
    inside = Inside(config.root)
    inside.folder(config.output_dir / "pagefind")  # Pagefind writes there on its own
    # Pagefind reads all the pages of a bundle each time: a bundle is made again when
    # one of its pages changed, as soon as its last page is written, while the others
    # are. After a failure, its pages are not what the index should show: the
    # previous index stays.
    from transflow.site.search import Indexer, IndexIncomplete

    indexed = {page.path: _week_of(page.path) for page in pages if page.template == _INDEXED}
    names = bundle_map(indexed.values())
    bundle = {path: names[week] for path, week in indexed.items()}
    left = Counter(bundle.values())
    indexer = Indexer(config, dict(left))
    changed: set[str] = set()
    failed: set[str] = set()

    def written(path: str, was_written: bool, ok: bool) -> None:
        if (name := bundle.get(path)) is None:
            return
        if not ok:
            failed.add(name)
        if was_written:
            changed.add(name)
        left[name] -= 1
        if not left[name] and name not in failed:
            indexer.done(name, name in changed)

    # The pages of each bundle together, so that it can be made while the next are
    # written (the others first: they are few).
    files: list[tuple[str, Page | str | bytes]] = sorted(
        ((page.path, page) for page in pages),
        key=lambda item: (item[0] in bundle, bundle.get(item[0], "")))
    files += extra
    files.append((STYLESHEET_FILE, stylesheet_text(config.template_path)))
    logo, logo_data = logo_file(config), logo_bytes(config)  # read once, for both
    if logo is not None and logo_data:
        files.append((logo, logo_data))
    from transflow.site.icon import favicon

    files.append((FAVICON, favicon(logo_data if logo == "logo.png" else None,
                                   config.publication.title[config.languages[0]])))
    try:
        done = _write_site(config, files, cache, resolver, inside, progress, written)
    except BaseException:
        indexer.cancel()
        raise
    failures = list(done.failures)
    failures += _remove_gone(config, cache, {page.path for page in pages}, inside,
                             published)
    try:
        if (problem := indexer.finish(whole=not failures)) is not None:
            warnings.append(problem)
    except IndexIncomplete as exc:
        failures.append(str(exc))
    except OSError as exc:
        failures.append(f"output/pagefind: not written ({exc.strerror or exc}); the "
                        "previous index stays")
    if failures or warnings != _feed_warnings(config):
        cache.whole.forget("site")  # made again, whole, next time
    else:
        # Taken again: the search bundles are part of it, and were just made.
        cache.whole.record("site", _site_print(config, digests), SiteWritten(len(files)))
    return SiteReport(done.written, done.unchanged, tuple(warnings), done.rendered,
                      tuple(failures))


def _remove_gone(config: Config, cache: _Cache, made: set[str], inside: Inside,
                 listed: dict[str, list[Week]]) -> list[str]:
    """Remove the pages the site wrote before and no longer makes (a commentary renamed
    or removed, a category left empty): a reader who kept the address finds no page,
    rather than one nothing links to. A commentary's page stays while its bulletin is
    there but not current (refused, below the threshold, not built again yet): it is
    what was published. Only pages the site recorded as its own; what could not be
    removed."""
    failures = []
    output = config.output_dir
    current = {(str(week), lang) for lang, weeks in listed.items() for week in weeks}
    for path in cache.pages:
        if path in made:
            continue
        week, _, rest = path.partition("/")
        lang = rest.partition("/")[0]
        if (is_week_name(week) and (week, lang) not in current
                and (output / week / lang / MANIFEST).is_file()):
            continue  # its bulletin, as published, is still there
        cache.pages.forget(path)
        target = output / path
        try:
            inside(target)
            target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # its folder, when nothing else is there
                target.parent.rmdir()
        except OSError as exc:
            failures.append(f"output/{path}: not removed ({exc.strerror or exc})")
    return failures


def _site_print(config: Config, digests: dict[tuple[Week, str], str]) -> str:
    """Everything a page of the site shows, by digest and file stamp: each published
    bulletin's inputs, the settings, the templates, the labels, the logo."""
    from transflow.site.search import bundle_names

    return fingerprint(
        sorted((str(week), lang, digest) for (week, lang), digest in digests.items()),
        templates_digest(config), stamp(config.config_path),
        [stamp(config.po_path(lang, UI_DOMAIN)) for lang in config.languages],
        stamp(config.root / config.publication.logo) if config.publication.logo else None,
        bundle_names(config))


def _intact(config: Config, cache: _Cache, languages: list[str]) -> bool:
    """Whether every page the site wrote is still there with the size it was written
    with, the feeds and the sitemap too, and every search bundle is whole."""
    from transflow.site.search import bundle_names

    output = config.output_dir
    if not all((output / name).is_file()
               for name in (STYLESHEET_FILE, FAVICON, logo_file(config)) if name):
        return False
    if config.site.base_url and not all(
            (output / name).is_file() for name in
            ("sitemap.xml", "robots.txt", *(f"{lang}/feed.xml" for lang in languages))):
        return False
    if not all(_whole(str(output), path, cache.pages.get(path)) for path in cache.pages):
        return False
    return all((output / "pagefind" / name / "pagefind-entry.json").is_file()
               for name in bundle_names(config))


def _feed_warnings(config: Config) -> list[str]:
    if config.site.base_url:
        return []
    return ["no feeds and no sitemap: set base_url in [site] of transflow.toml (they need "
            "absolute addresses)"]


def _feeds(config: Config, pages: list[Page], listings: dict[str, list[Listing]],
           ) -> tuple[list[tuple[str, str | bytes]], list[str]]:
    """The feeds, the sitemap and robots.txt (they need ``[site] base_url``), and what
    to warn of."""
    from transflow.site.feeds import atom, moment, sitemap

    if not config.site.base_url:
        return [], _feed_warnings(config)
    # When each page last changed: a week's pages with its bulletin, a language's lists
    # with its latest change, the front door with any.
    changed = {(str(b.week), lang): moment(b) for lang, found in listings.items()
               for b in found}
    latest = {lang: max((m for (_, of), m in changed.items() if of == lang), default=None)
              for lang in listings}

    def lastmod(page: Page) -> datetime | None:
        week = _week_of(page.path)
        if is_week_name(week):
            return changed.get((week, page.lang or ""))
        if page.lang:
            return latest.get(page.lang)
        return max((m for m in latest.values() if m), default=None)

    extra: list[tuple[str, str | bytes]] = [
        (f"{lang}/feed.xml", atom(config, lang, found)) for lang, found in listings.items()]
    # Each week's bulletin page (written by the build, not the site), in every language
    # that has that week.
    weeks: dict[str, dict[str, str]] = {}
    for lang, found in listings.items():
        for b in found:
            weeks.setdefault(str(b.week), {})[lang] = f"{b.week}/{lang}/"
    bulletin_pages = [(path, versions, changed.get((week, lang)))
                      for week, versions in weeks.items() for lang, path in versions.items()]
    extra.append(("sitemap.xml", sitemap(config, [
        # The page in its own language and in each other that has it: the alternates
        # of every version are the same set (a home standing in for a page is not one).
        *((p.path.removesuffix("index.html"), {
            **{link.lang: link.path.removesuffix("index.html")
               for link in p.switcher if link.same},
            **({p.lang: p.path.removesuffix("index.html")} if p.lang else {})}, lastmod(p))
          for p in pages if p.path != NOT_FOUND_PAGE and p.template != "site_search.html"),
        *bulletin_pages])))
    extra.append(("robots.txt", robots_txt(config.site.base_url)))
    return extra, []


def robots_txt(base_url: str) -> str:
    """What crawlers may read, for a web server serving ``output/`` as it is: every
    page but the team's previews, and where the sitemap is."""
    from urllib.parse import urlsplit

    root = urlsplit(base_url).path.rstrip("/") + "/"
    return (f"User-agent: *\nDisallow: {root}preview/\n\n"
            f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n")


@dataclass(frozen=True)
class _SiteWritten:
    written: tuple[str, ...]
    unchanged: int
    rendered: int
    failures: tuple[str, ...]


def _write_site(config: Config, files: list[tuple[str, Page | str | bytes]], cache: _Cache,
                resolver: _Resolver, inside: Inside, progress: Progress | None,
                written_one: Callable[[str, bool, bool], None] | None = None,
                ) -> _SiteWritten:
    """Each page whose record says it may have changed rendered and written if it did;
    the feeds and sitemap written if they changed. ``written_one(path, written, ok)``
    is told of each file once it is handled."""
    templates = templates_digest(config)
    # A page shows its language's labels (the front and not-found pages, every one's).
    labels = {lang: stamp(config.po_path(lang, UI_DOMAIN)) for lang in config.languages}
    written: list[str] = []
    failures: list[str] = []
    unchanged = rendered = 0
    for done, (path, what) in enumerate(files):
        if progress:
            progress(path, done, len(files))
        changed, ok = _write_one(config, path, what, templates, labels, cache, resolver,
                                 inside, failures)
        if changed:
            written.append(f"output/{path}")
        elif ok:
            unchanged += 1
        rendered += isinstance(what, Page) and changed is not None
        if written_one is not None:
            written_one(path, bool(changed), ok)
    return _SiteWritten(tuple(written), unchanged, rendered, tuple(failures))


def _write_one(config: Config, path: str, what: Page | str | bytes, templates: str,
               labels: dict[str, tuple[int, int]], cache: _Cache, resolver: _Resolver,
               inside: Inside, failures: list[str]) -> tuple[bool | None, bool]:
    """One file of the site, written if it changed: (whether it was, or None when the
    page was not even rendered; whether all went well)."""
    try:
        print_ = None
        if isinstance(what, Page):
            # Unchanged inputs, same page, the file whole: not even rendered.
            print_ = _fingerprint(what, templates, config, labels.get(
                what.lang or "", tuple(labels.values())))
            if _whole(str(config.output_dir), path, cache.pages.current(path, print_)):
                return None, True
            data: str | bytes = render_page(config, what, resolver=resolver)
        else:
            data = what
        inside(config.output_dir / path)
        changed = write_if_changed(config.output_dir / path, data, sync=False)
        if print_ is not None:
            size = len(data.encode("utf-8") if isinstance(data, str) else data)
            cache.pages.record(path, print_, PageWritten(size))
        return changed, True
    except OSError as exc:
        failures.append(f"output/{path}: not written ({exc.strerror or exc})")
        cache.pages.forget(path)
        return False, False


def _week_of(path: str) -> str:
    """The week of a commentary page, ``<week>/<lang>/<slug>/index.html``."""
    return path.split("/", 1)[0]


def _whole(output: str, path: str, known: PageWritten | None) -> bool:
    """Whether the page at ``path`` (in ``output``) was recorded and is still on disk
    with the size it was written with: a file a full disk left short or empty is never
    taken for the page."""
    try:  # os.stat of a string: a third of the time of a Path's, for 7,800 pages
        return known is not None and os.stat(f"{output}/{path}").st_size == known.size
    except OSError:
        return False


def _fingerprint(page: Page, templates: str, config: Config, labels: object) -> str:
    """What a page shows, as a digest: its template, its context, the settings, its
    labels (by the ui catalog's size and time)."""
    shown = page.key if page.key is not None else sorted(page.context.items(),
                                                         key=lambda kv: kv[0])
    # repr, not pickle: see _digest.
    return hashlib.sha256(repr((page.template, page.path, templates, shown, labels,
                                config.site, config.subscriptions, config.publication),
                               ).encode()).hexdigest()

