"""What a published bulletin is and where it lives: its folder and PDF name, the
catalogs it is read from, what its publication shows around the texts (subtitle,
organisation, issue number, logo), and the digest of the templates in effect. The
build's plan, the site and delivery all ask here.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from pathlib import Path

from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog
from transflow.publish.bulletin import Bulletin
from transflow.workspace.config import Config, Domain
from transflow.workspace.errors import ConfigError
from transflow.workspace.weeks import Week


def pdf_name(config: Config, week: Week, lang: str, preview: bool = False) -> str:
    suffix = "-preview" if preview else ""
    return f"{config.publication.slug}-{week}-{lang}{suffix}.pdf"


def bulletin_dir(config: Config, week: Week, lang: str, preview: bool = False) -> Path:
    """``output/<week>/<lang>/``, or ``output/preview/<week>/<lang>/`` for a preview."""
    tree = config.preview_dir if preview else config.output_dir
    return tree / str(week) / lang


def published_percent(bulletin: Bulletin) -> float:
    """The share of translatable words the subscriber reads in ``bulletin.lang``."""
    c = bulletin.coverage
    if c.total_words == 0:
        return 100.0
    return 100.0 * (c.translated_words + c.fuzzy_words) / c.total_words


def catalog_of(config: Config, lang: str, domain: Domain) -> Catalog | None:
    """The catalog of ``domain`` in ``lang``, or None when there is none yet."""
    path = config.po_path(lang, domain)
    shown = config.rel(path)
    return pofile.read_catalog(path, shown) if pofile.exists(path, shown) else None


def as_published(config: Config, bulletin: Bulletin, pdf: str | None,
                 logo: str | None = None) -> Bulletin:
    """``bulletin`` with what its publication shows around the texts: subtitle,
    organisation, issue number, logo, PDF name and the subscription form's target."""
    action, languages = subscription_form(config)
    return replace(bulletin, subtitle=config.publication.subtitle.get(bulletin.lang),
                   organisation=config.publication.organisation.get(bulletin.lang),
                   issue_number=config.issue_number(bulletin.week), logo=logo,
                   colophon=config.publication.colophon.get(bulletin.lang),
                   issn=config.publication.issn,
                   base_url=config.site.base_url,
                   pdf_name=pdf, subscribe_url=action, subscribe_languages=languages)


def subscription_form(config: Config) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """Where the pages' subscription form posts, and the languages it offers: transflow's
    own service (``[subscriptions] enabled`` with ``[site] base_url``), else another
    team's form (``[site] subscribe_url``, the page's language only), else no form."""
    if config.subscriptions.enabled and config.site.base_url:
        from transflow.workspace.lang import language_label

        return (f"{config.site.base_url}subscribe",
                tuple((lang, language_label(lang)) for lang in config.languages))
    return config.site.subscribe_url, ()


def templates_digest(config: Config) -> str:
    """A digest of the templates in effect (the workspace's own and the defaults)."""
    digest = hashlib.sha256()
    for path in config.template_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()

_LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def logo_bytes(config: Config) -> bytes | None:
    """The file of ``[publication] logo``."""
    if config.publication.logo is None:
        return None
    try:
        return (config.root / config.publication.logo).read_bytes()
    except OSError as exc:
        raise ConfigError(f"[publication] logo {config.publication.logo}: cannot read it "
                          f"({exc.strerror or exc})", config.rel(config.config_path)) from None


def logo_data(config: Config) -> str | None:
    """``[publication] logo`` as a data: URL: pages and PDFs carry it, fetch nothing."""
    data = logo_bytes(config)
    if data is None or config.publication.logo is None:
        return None
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{_LOGO_TYPES[Path(config.publication.logo).suffix.lower()]};base64,{encoded}"
