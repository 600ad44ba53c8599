"""The workspace and its ``transflow.toml``: languages, titles, categories, trends."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from transflow.workspace.errors import ConfigError
from transflow.workspace.weeks import Week

CONFIG_NAME = "transflow.toml"
# The templates' msgids are English: the ui catalogs translate from it.
UI_SOURCE_LANGUAGE = "en"
# The catalog domain of the bulletin's own labels; every other domain is a week.
UI_DOMAIN: Final = "ui"
Domain = Week | Literal["ui"]


@dataclass(frozen=True)
class MTConfig:
    """The [mt] table: which machine-translation provider drafts which language pair."""

    provider: str | None = None
    url: str | None = None
    routes: dict[str, str] = field(default_factory=dict)
    """``"en-be" = "google"``: the provider for one pair."""
    pivots: dict[str, str] = field(default_factory=dict)
    """``"en-be" = "ru"``: translate en→ru→be when no provider offers en→be."""
    rate: dict[str, float] = field(default_factory=dict)
    """Requests per second at most, per provider."""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0


@dataclass(frozen=True)
class Config:
    root: Path
    slug: str
    languages: tuple[str, ...]
    source_language: str
    titles: dict[str, str]
    categories: dict[str, str]
    trends: dict[str, str]
    min_translated: float
    mt: MTConfig = field(default_factory=MTConfig)
    memory_files: tuple[str, ...] = ()
    """Archives (.po, .tmx) the translation memory also draws on."""
    memory_threshold: float = 75.0
    """Similarity (0–100, rapidfuzz ratio) for a fuzzy suggestion from the memory."""
    strict: bool = False
    """``[build] strict``: refuse to build a language whose translations have check errors."""

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def preview_dir(self) -> Path:
        """Where ``build --drafts`` writes: never the publication tree."""
        return self.output_dir / "preview"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def pot_path(self, domain: Domain) -> Path:
        """The template of a week (domain ``2019-W10``) or of the templates' labels (``ui``)."""
        return self.locales_dir / "templates" / f"{domain}.pot"

    def po_path(self, lang: str, domain: Domain) -> Path:
        return self.locales_dir / lang / "LC_MESSAGES" / f"{domain}.po"

    def rel(self, path: Path) -> str:
        """``path`` as shown to users: relative to the workspace when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_workspace(start: Path | None = None) -> Path:
    """The folder holding transflow.toml: ``start`` or its nearest parent, as git finds .git."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any folder above it; "
        "run transflow inside a workspace or pass --workspace DIR"
    )


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=", re.MULTILINE)
    if m := pattern.search(text):
        return text.count("\n", 0, m.start()) + 1
    return None


def load_config(start: Path | None = None) -> Config:
    from transflow.workspace.lang import is_known_locale

    root = find_workspace(start)
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML ({exc}); fix the syntax", path, int(m.group(1)) if m else None
        ) from None

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(message, path, _line_of(text, key))

    pub = data.get("publication", {})
    languages = tuple(pub.get("languages", ("be", "ru", "en")))
    for lang in languages:
        if not isinstance(lang, str) or not is_known_locale(lang):
            raise fail("languages", f"unknown language '{lang}' in publication.languages")
    source_language = pub.get("source_language", languages[0] if languages else "en")
    if source_language not in languages:
        raise fail(
            "source_language",
            f"source_language '{source_language}' is not one of {', '.join(languages)}",
        )
    titles = pub.get("title", {})
    if not isinstance(titles, dict) or not all(lang in titles for lang in languages):
        missing = [lang for lang in languages if lang not in titles]
        raise fail("title", f"[publication.title] lacks a title for {', '.join(missing)}")
    slug = pub.get("slug") or re.sub(r"[^a-z0-9]+", "-", titles[languages[0]].lower()).strip("-")
    categories = data.get("categories", {})
    if not categories or not all(isinstance(v, str) for v in categories.values()):
        raise fail("categories", "[categories] must map each category key to its English label")
    trends = data.get(
        "trends",
        {
            "better": "The situation has gotten better",
            "unchanged": "The situation has not changed",
            "worse": "The situation has gotten worse",
        },
    )
    min_translated = pub.get("min_translated", 0)
    if not isinstance(min_translated, int | float) or not 0 <= min_translated <= 100:
        raise fail("min_translated", "min_translated must be a percentage from 0 to 100")
    mt = data.get("mt", {})
    try:
        mt_config = MTConfig(
            provider=mt.get("provider"),
            url=mt.get("url"),
            routes=dict(mt.get("routes", {})),
            pivots=dict(mt.get("pivots", {})),
            rate={k: float(v) for k, v in mt.get("rate", {}).items()},
            timeout=float(mt.get("timeout", 30)),
            retries=int(mt.get("retries", 3)),
            backoff=float(mt.get("backoff", 1.0)),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise fail("mt", f"[mt] has a value of the wrong type ({exc})") from None
    memory = data.get("memory", {})
    files = memory.get("files", [])
    threshold = memory.get("threshold", 75)
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise fail("files", "[memory] files must be a list of paths (.po or .tmx)")
    if not isinstance(threshold, int | float) or not 0 < threshold <= 100:
        raise fail("threshold", "[memory] threshold must be a similarity from 1 to 100")
    build_table = data.get("build", {})
    strict = build_table.get("strict", False) if isinstance(build_table, dict) else None
    if not isinstance(strict, bool):
        raise fail("strict", "[build] strict must be true or false")
    return Config(
        root=root,
        slug=slug,
        languages=languages,
        source_language=source_language,
        titles=dict(titles),
        categories=dict(categories),
        trends=dict(trends),
        min_translated=float(min_translated),
        mt=mt_config,
        memory_files=tuple(files),
        memory_threshold=float(threshold),
        strict=strict,
    )
