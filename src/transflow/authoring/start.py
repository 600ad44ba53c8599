"""Starting a publication: ``init`` makes a workspace from nothing (a commented
``transflow.toml`` with every setting, an empty glossary, the folders, ui catalogs
with transflow's own be and ru labels, a ``.gitignore``); ``new`` writes the skeleton of
a commentary. Neither ever replaces a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from transflow.authoring.importer.write import slug_for
from transflow.catalogs import pofile
from transflow.catalogs.ui import SHIPPED_LABELS, LabelStatus, label_status
from transflow.catalogs.update import header_comment, update
from transflow.sources.commentary import placeholder, render_source
from transflow.workspace.config import (
    CONFIG_NAME,
    DEFAULT_TEMPLATES,
    UI_DOMAIN,
    UI_SOURCE_LANGUAGE,
    Config,
    load_config,
)
from transflow.workspace.errors import ConfigError, SourceError
from transflow.workspace.files import create_exclusive
from transflow.workspace.lang import is_known_locale
from transflow.workspace.weeks import Week

"""transflow's own translations of its templates' labels: ``<lang>.po``."""

CATEGORIES = {"security": "Security issues", "foreign": "Foreign policy",
              "domestic": "Domestic policy", "economy": "Economy", "society": "Society"}

_CONFIG = """\
# transflow workspace: {title}.
# Every setting is here; a commented-out line shows a setting that is off, with an
# example value. Reference: the README of transflow.

[publication]
# Names the PDF files (lowercase letters, digits, hyphens).
slug = "{slug}"
# Every language the bulletin is published in; each commentary is written in one of
# them and translated into the others.
languages = [{languages}]
# The language of a source commentary whose front matter has no `lang:` field.
source_language = "{source}"
# A language with less of its words translated (percent) is not built that week.
min_translated = 60
# The week of issue No. 1: issues are numbered in weeks from it.
first_week = "{week}"
# Shown in the masthead: an .svg or .png inside the workspace.
# logo = "assets/logo.svg"

# The publication's name in each language (translate them).
[publication.title]
{titles}

# A line under the name in the masthead, per language.
# [publication.subtitle]
# en = "Weekly analytical commentaries"

# Who publishes it, per language (the masthead and the PDF's author).
# [publication.organisation]
# en = "Centre for Policy Studies"

# Category key (a commentary's `category:`) = its English label. The other languages'
# labels are translated in locales/<lang>/LC_MESSAGES/ui.po.
[categories]
{categories}

# Trend verdict key (a commentary's `trend:`) = its English label.
[trends]
better = "The situation has gotten better"
unchanged = "The situation has not changed"
worse = "The situation has gotten worse"

[build]
# Refuse to build a language whose translations have check errors (transflow check);
# `build --no-strict` overrides it for one run.
strict = true

[sources]
# The longest paragraph accepted, in characters.
max_segment = 20000

# Machine-translation drafts (transflow draft): none until a provider is named.
[mt]
# provider = "libre"                 # libre, google, mymemory, deepl, pseudo
# url = "http://127.0.0.1:5000/"     # a self-hosted LibreTranslate
# timeout = 30                       # seconds per request
# retries = 3                        # on 429, 5xx and connection errors
# backoff = 1.0                      # seconds before the first retry, doubling

# [mt.routes]
# "en-be" = "google"                 # a provider per language pair

# [mt.pivots]
# "ru-be" = "en"                     # ru→en→be when no provider offers ru→be

# The translation memory: every week's catalogs, plus these archives (.po, .tmx).
[memory]
files = []
threshold = 75                       # similarity (1–100) for a fuzzy suggestion

# Email delivery (transflow send). The SMTP password comes from TRANSFLOW_SMTP_PASSWORD.
[delivery]
database = "subscribers.sqlite3"
# from = "Bulletin <bulletin@example.org>"
host = "localhost"
port = 25
security = "none"                    # starttls | tls | none
# username = "bulletin"
# rate = 10                          # messages per second at most
timeout = 30                         # seconds, every SMTP operation
# dkim_domain = "example.org"        # DKIM signing; the key's path: TRANSFLOW_DKIM_KEY
# dkim_selector = "mail"

# The website in output/. Feeds, the sitemap and canonical links need base_url.
[site]
# base_url = "https://bulletin.example.org/"
# subscribe_url = "https://lists.example.org/subscribe"
"""

_GITIGNORE = """\
# Made by transflow build (the site and the bulletins) and its caches.
output/
.transflow/
.*.transflow-*.tmp
.*.transflow-*.aside
# The subscriber database holds people's addresses: never commit it.
subscribers.sqlite3
subscribers.sqlite3-*
*.mo
"""


@dataclass(frozen=True)
class Started:
    root: Path
    written: tuple[str, ...]
    """Files made, relative to ``root``."""
    to_translate: tuple[LabelStatus, ...] = ()
    """The languages transflow ships no labels for: their ui.po, to translate (until
    then the bulletin shows those labels in English)."""


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_workspace(root: Path, *, title: str | None = None,
                   languages: Sequence[str] = ("be", "ru", "en"),
                   source_language: str | None = None, templates: bool = False) -> Started:
    """A new workspace in ``root`` (made if missing); refused where one exists."""
    languages, source = _chosen_languages(languages, source_language)
    _check_free(root)
    title = (title or "Weekly bulletin").strip()
    slug = slug_for(title, set())
    text = _CONFIG.format(
        title=title, slug=slug, source=source, week=Week.containing(date.today()),
        languages=", ".join(_quoted(lang) for lang in languages),
        titles="\n".join(f"{lang} = {_quoted(title)}" for lang in languages),
        categories="\n".join(f"{key} = {_quoted(label)}" for key, label in CATEGORIES.items()))
    written: list[str] = []

    def write(name: str, data: str | bytes) -> None:
        # Created whole, and only where nothing is: a file that appeared meanwhile stays.
        if not create_exclusive(root / name, data):
            raise ConfigError("appeared while the workspace was being made; it was left as "
                              "it is", str(root / name))
        written.append(name)

    root.mkdir(parents=True, exist_ok=True)
    write(CONFIG_NAME, text)
    write("glossary.csv", ",".join([*languages, "forbidden", "note"]) + "\n")
    write(".gitignore", _GITIGNORE)
    (root / "sources").mkdir()
    written.append("sources/")
    config = load_config(root)
    for lang in languages:
        shipped = SHIPPED_LABELS / f"{lang}.po"
        if shipped.is_file():  # transflow's own labels: update merges them in below
            labels = pofile.read_catalog(shipped, f"transflow/locales/{lang}.po")
            write(config.rel(config.po_path(lang, UI_DOMAIN)), pofile.dumps(replace(
                labels, header_comment=header_comment(config, UI_DOMAIN, lang))))
    report = update(config, [])
    written += [t for t in report.templates if t not in written]
    written += [c.path for c in report.catalogs if c.path not in written]
    if templates:
        written += copy_templates(config)
    to_translate = tuple(
        found for lang in languages if lang != UI_SOURCE_LANGUAGE
        and (found := label_status(config, lang)).untranslated)
    return Started(root, tuple(written), to_translate)


def _chosen_languages(languages: Sequence[str], source_language: str | None,
                      ) -> tuple[list[str], str]:
    """The languages asked for, checked; and the source language (default: the last)."""
    chosen = [lang.strip().lower() for lang in languages if lang.strip()]
    if not chosen:
        raise ConfigError("--languages names no language; give them like be,ru,en")
    for lang in chosen:
        if not is_known_locale(lang):
            raise ConfigError(f"unknown language '{lang}'; use codes such as be, ru, en, uk")
    source = (source_language or chosen[-1]).lower()
    if source not in chosen:
        raise ConfigError(f"--source-language {source} is not one of {', '.join(chosen)}")
    return chosen, source


def _check_free(root: Path) -> None:
    """Refuse a place that holds a workspace, or looks like one, or is not a folder."""
    if (root / CONFIG_NAME).exists():
        raise ConfigError(f"{root} already holds a workspace ({CONFIG_NAME}); nothing was "
                          "changed", str(root / CONFIG_NAME))
    if root.exists() and not root.is_dir():
        raise ConfigError("not a folder; choose another place for the workspace", str(root))
    taken = [name for name in ("sources", "locales", "glossary.csv", "templates")
             if (root / name).exists()]
    if taken:
        raise ConfigError(f"{root} already has {', '.join(taken)}: it looks like a "
                          "workspace; nothing was changed", str(root))


def copy_templates(config: Config) -> list[str]:
    """The default templates, copied into ``templates/`` for customising (a file that is
    there already is kept)."""
    config.templates_dir.mkdir(exist_ok=True)
    copied = []
    for path in sorted(DEFAULT_TEMPLATES.iterdir()):
        target = config.templates_dir / path.name
        # Only where the team has no template of that name: theirs is never replaced.
        if path.is_file() and create_exclusive(target, path.read_bytes()):
            copied.append(config.rel(target))
    return copied


def new_commentary(config: Config, *, category: str, title: str, week: Week | None = None,
                   lang: str | None = None) -> Path:
    """``sources/<week>/<slug>.md`` with its front matter filled in: this week and the
    source language unless given. A slug already taken gets a number, as ``import``
    gives it: nothing is replaced."""
    title = title.strip()
    if not title:
        raise SourceError("the title is empty; give the commentary a title")
    if category not in config.categories:
        raise SourceError(f"unknown category '{category}'; use one of "
                          f"{', '.join(config.categories)} (or add it to [categories] in "
                          f"{CONFIG_NAME})")
    lang = lang or config.publication.source_language
    week = week or Week.containing(date.today())
    folder = config.sources_dir / str(week)
    taken = {p.stem for p in folder.glob("*.md")} if folder.is_dir() else set()
    path = folder / f"{slug_for(title, taken)}.md"
    meta: dict[str, object] = {"title": title, "lang": lang, "category": category}
    text = render_source(meta, placeholder(lang))
    folder.mkdir(parents=True, exist_ok=True)
    # Exclusive creation, whole: a file that appeared meanwhile is never replaced.
    if not create_exclusive(path, text):
        raise SourceError("exists already; nothing was written", config.rel(path))
    return path
