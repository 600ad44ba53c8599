"""The workspace and its ``transflow.toml``: languages, titles, categories, trends."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from transflow.workspace.errors import ConfigError, TransflowError
from transflow.workspace.weeks import Week

CONFIG_NAME = "transflow.toml"
# The templates' msgids are English: the ui catalogs translate from it.
UI_SOURCE_LANGUAGE = "en"
# The catalog domain of the bulletin's own labels; every other domain is a week.
UI_DOMAIN: Final = "ui"
DEFAULT_TEMPLATES: Final = Path(__file__).resolve().parent.parent / "templates"
"""The bulletin, email and site templates and the stylesheet that ship with transflow;
a file of the same name in a workspace's ``templates/`` replaces one of them."""
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
class DeliveryConfig:
    """The [delivery] table: where subscribers are kept and how mail leaves."""

    database: str = "subscribers.sqlite3"
    sender: str | None = None
    """``from``: the address messages come from."""
    host: str = "localhost"
    port: int = 25
    security: str = "none"
    """``starttls``, ``tls`` or ``none``."""
    username: str | None = None
    rate: float | None = None
    """Messages per second at most."""
    timeout: float = 30.0
    dkim_domain: str | None = None
    dkim_selector: str | None = None


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
    max_segment: int = 20_000
    """``[sources] max_segment``: the longest segment (characters) a commentary may have."""
    subtitles: dict[str, str] = field(default_factory=dict)
    """``[publication.subtitle]``: the tagline under the masthead, per language."""
    organisations: dict[str, str] = field(default_factory=dict)
    """``[publication.organisation]``: who publishes it, per language."""
    logo: str | None = None
    """``[publication] logo``: an SVG or PNG in the workspace, shown in the masthead."""
    first_week: Week | None = None
    """``[publication] first_week``: the week of issue No. 1; issues are numbered from it."""
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    base_url: str | None = None
    """``[site] base_url``: where the website is published (links in mail and feeds)."""
    subscribe_url: str | None = None
    """``[site] subscribe_url``: where the site's subscription form sends its address."""

    def issue_number(self, week: Week) -> int | None:
        """The issue number of ``week``, counted in weeks from ``first_week``."""
        if self.first_week is None:
            return None
        return (week.monday - self.first_week.monday).days // 7 + 1

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        """The workspace's own templates: each overrides the default of its name."""
        return self.root / "templates"

    @property
    def template_path(self) -> tuple[Path, ...]:
        """Where templates are looked up, first match wins: the workspace, then the
        defaults (as mkdocs themes are overridden)."""
        return (self.templates_dir, DEFAULT_TEMPLATES)

    def template_files(self) -> list[Path]:
        """Every template in effect, by name: the workspace's own, else the default."""
        found: dict[str, Path] = {}
        for folder in self.template_path:
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.is_file() and not path.name.startswith("."):
                        found.setdefault(path.name, path)
        return [found[name] for name in sorted(found)]

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
        for folder, shown in ((DEFAULT_TEMPLATES, "transflow/templates/"), (self.root, "")):
            # A default template is named the same wherever transflow is installed.
            try:
                return shown + path.relative_to(folder).as_posix()
            except ValueError:
                pass
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


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line of ``key = ...``, or of the ``[table.key]`` / ``[key]`` header."""
    headers = [f"{table}.{key}", key] if table else [key]
    patterns = [rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*="] + [
        rf"^[ \t]*\[[ \t]*{re.escape(h)}[ \t]*\]" for h in headers]
    for pattern in patterns:
        if m := re.search(pattern, text, re.MULTILINE):
            return text.count("\n", 0, m.start()) + 1
    return None


class _Invalid(ValueError):
    """A setting's value cannot be used; the message says what it must be."""


def _known_languages(value: Any, _: dict[str, Any]) -> tuple[str, ...]:
    from transflow.workspace.lang import is_known_locale

    languages = tuple(value)
    for lang in languages:
        if not isinstance(lang, str) or not is_known_locale(lang):
            raise _Invalid(f"unknown language '{lang}' in publication.languages")
    return languages


def _source_language(value: Any, done: dict[str, Any]) -> str:
    if value is None:
        value = done["languages"][0] if done["languages"] else "en"
    if value not in done["languages"]:
        raise _Invalid(f"source_language '{value}' is not one of "
                       f"{', '.join(done['languages'])}")
    return str(value)


def _titles(value: Any, done: dict[str, Any]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(lang in value for lang in done["languages"]):
        missing = [lang for lang in done["languages"] if lang not in (value or {})]
        raise _Invalid(f"[publication.title] lacks a title for {', '.join(missing)}")
    return dict(value)


_PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""What a value that becomes part of a path must be: never a folder or ``..``."""


def _slug(value: Any, _: dict[str, Any]) -> str | None:
    if value is not None and (not isinstance(value, str) or not _PLAIN_NAME.fullmatch(value)):
        raise _Invalid("[publication] slug must be a plain name of lowercase letters, digits "
                       "and hyphens (it names the PDF files)")
    return value


def _categories(value: Any, _: dict[str, Any]) -> dict[str, str]:
    if not value or not isinstance(value, dict) or not all(
            isinstance(v, str) for v in value.values()):
        raise _Invalid("[categories] must map each category key to its English label")
    for key in value:
        if not _PLAIN_NAME.fullmatch(key):
            raise _Invalid(f"category key '{key[:40]}' must be a plain name of lowercase "
                           "letters, digits and hyphens")
    return dict(value)


def _percentage(value: Any, _: dict[str, Any]) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
        raise _Invalid("min_translated must be a percentage from 0 to 100")
    return float(value)


def _mt(value: Any, _: dict[str, Any]) -> MTConfig:
    try:
        return MTConfig(
            provider=value.get("provider"),
            url=value.get("url"),
            routes=dict(value.get("routes", {})),
            pivots=dict(value.get("pivots", {})),
            rate={k: float(v) for k, v in value.get("rate", {}).items()},
            timeout=float(value.get("timeout", 30)),
            retries=int(value.get("retries", 3)),
            backoff=float(value.get("backoff", 1.0)),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise _Invalid(f"[mt] has a value of the wrong type ({exc})") from None


def _paths(value: Any, _: dict[str, Any]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise _Invalid("[memory] files must be a list of paths (.po or .tmx)")
    for name in value:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise _Invalid(f"[memory] files: {name[:60]} must be a path inside the workspace")
    return tuple(value)


def _similarity(value: Any, _: dict[str, Any]) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 100:
        raise _Invalid("[memory] threshold must be a similarity from 1 to 100")
    return float(value)


def _size(value: Any, _: dict[str, Any]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Invalid("[sources] max_segment must be a number of characters, such as 20000")
    return value


def _per_language(key: str) -> Any:
    def parse(value: Any, done: dict[str, Any]) -> dict[str, str]:
        if isinstance(value, str):
            return dict.fromkeys(done["languages"], value)
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise _Invalid(f"[publication.{key}] must give a text per language (en = \"...\")")
        return dict(value)
    return parse


def _logo(value: Any, _: dict[str, Any]) -> str | None:
    if value is None:
        return None
    if (not isinstance(value, str) or Path(value).is_absolute() or ".." in Path(value).parts
            or Path(value).suffix.lower() not in (".svg", ".png")):
        raise _Invalid("[publication] logo must be the path of an .svg or .png file inside "
                       "the workspace")
    return value


def _week(value: Any, _: dict[str, Any]) -> Week | None:
    if value is None:
        return None
    try:
        return Week.parse(str(value))
    except TransflowError:
        raise _Invalid("[publication] first_week must be the ISO week of issue No. 1, "
                       "such as 2019-W01") from None


def _delivery(value: Any, _: dict[str, Any]) -> DeliveryConfig:
    if not isinstance(value, dict):
        raise _Invalid("[delivery] must be a table of settings")

    security = value.get("security", "none")
    if security not in ("starttls", "tls", "none"):
        raise _Invalid("[delivery] security must be starttls, tls or none")
    database = value.get("database", "subscribers.sqlite3")
    if not isinstance(database, str) or Path(database).is_absolute() or ".." in Path(
            database).parts:
        raise _Invalid("[delivery] database must be a path inside the workspace")
    sender = value.get("from")
    if sender is not None and (not isinstance(sender, str) or re.search(
            "[\x00-\x1f\x7f\u2028\u2029]", sender) or "@" not in sender):
        raise _Invalid("[delivery] from must be one line with an address, such as "
                       "\"Weekly bulletin <bulletin@example.org>\"")
    for name in ("timeout", "rate"):
        number = value.get(name, 30)
        if isinstance(number, bool) or not isinstance(number, int | float) or not (
                0 < number < 3600):
            raise _Invalid(f"[delivery] {name} must be a number of "
                           f"{'seconds' if name == 'timeout' else 'messages a second'} "
                           "above 0 (and below 3600)")
    try:
        return DeliveryConfig(
            database=database, sender=sender,
            host=str(value.get("host", "localhost")), port=int(value.get("port", 25)),
            security=security, username=value.get("username"),
            rate=float(value["rate"]) if "rate" in value else None,
            timeout=float(value.get("timeout", 30)),
            dkim_domain=value.get("dkim_domain"), dkim_selector=value.get("dkim_selector"),
        )
    except (TypeError, ValueError) as exc:
        raise _Invalid(f"[delivery] has a value of the wrong type ({exc})") from None


def _url(value: Any, _: dict[str, Any]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"https?://[^/\s]+", value):
        raise _Invalid("[site] base_url must be an http(s) address, such as "
                       "https://bulletin.example.org/")
    return value if value.endswith("/") else value + "/"


def _flag(value: Any, _: dict[str, Any]) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("[build] strict must be true or false")
    return value




@dataclass(frozen=True)
class _Setting:
    """One setting of transflow.toml: where it is, its default, how it is checked."""

    name: str
    """The Config field it becomes."""
    table: str | None
    """The TOML table holding it (None: the table of that name is the setting)."""
    key: str
    default: Any
    parse: Any
    """(value, settings parsed so far) → the Config value, or ``_Invalid``."""


_DEFAULT_TRENDS = {
    "better": "The situation has gotten better",
    "unchanged": "The situation has not changed",
    "worse": "The situation has gotten worse",
}
# In dependency order: a setting may look at those above it.
_SETTINGS = (
    _Setting("languages", "publication", "languages", ("be", "ru", "en"), _known_languages),
    _Setting("source_language", "publication", "source_language", None, _source_language),
    _Setting("titles", "publication", "title", {}, _titles),
    _Setting("slug", "publication", "slug", None, _slug),
    _Setting("categories", None, "categories", {}, _categories),
    _Setting("trends", None, "trends", _DEFAULT_TRENDS, lambda v, _: dict(v)),
    _Setting("min_translated", "publication", "min_translated", 0, _percentage),
    _Setting("mt", None, "mt", {}, _mt),
    _Setting("memory_files", "memory", "files", [], _paths),
    _Setting("memory_threshold", "memory", "threshold", 75, _similarity),
    _Setting("strict", "build", "strict", False, _flag),
    _Setting("max_segment", "sources", "max_segment", 20_000, _size),
    _Setting("subtitles", "publication", "subtitle", {}, _per_language("subtitle")),
    _Setting("organisations", "publication", "organisation", {},
             _per_language("organisation")),
    _Setting("logo", "publication", "logo", None, _logo),
    _Setting("first_week", "publication", "first_week", None, _week),
    _Setting("delivery", None, "delivery", {}, _delivery),
    _Setting("base_url", "site", "base_url", None, _url),
    _Setting("subscribe_url", "site", "subscribe_url", None, _url),
)


_FREE = ("categories", "trends", "title", "subtitle", "organisation", "routes", "pivots",
         "rate")
"""Tables whose keys are the editor's own (categories, languages, providers)."""
_MT_KEYS = ("provider", "url", "routes", "pivots", "rate", "timeout", "retries", "backoff")
_DELIVERY_KEYS = ("database", "from", "host", "port", "security", "username", "rate",
                  "timeout", "dkim_domain", "dkim_selector")


def _known_names() -> dict[str | None, set[str]]:
    """Every table and key transflow.toml may hold: the settings' own, and the keys of
    the tables parsed whole (``[mt]``, ``[delivery]``)."""
    known: dict[str | None, set[str]] = {None: set()}
    for setting in _SETTINGS:
        if setting.table is None:
            known[None].add(setting.key)
        else:
            known[None].add(setting.table)
            known.setdefault(setting.table, set()).add(setting.key)
    known["mt"] = set(_MT_KEYS)
    known["delivery"] = set(_DELIVERY_KEYS)
    return known


def _check_names(text: str, data: dict[str, Any], path: Path) -> None:
    """A table or key transflow does not know is an error naming its line and the
    nearest known name: a typo (``[memmory]``, ``treshold``) must not leave the
    publication running on defaults nobody chose."""
    from difflib import get_close_matches

    known = _known_names()

    def refuse(what: str, name: str, names: set[str], table: str | None) -> None:
        near = get_close_matches(name, sorted(names), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigError(f"{what}{hint} (known: {', '.join(sorted(names))})", path,
                          _line_of(text, name, table))

    for name, value in data.items():
        if name not in known[None]:
            refuse(f"there is no setting or table {name!r}", name, known[None], None)
        if name in _FREE or not isinstance(value, dict):
            continue
        for key, inner in value.items():
            if key not in known.get(name, set()):
                refuse(f"[{name}] has no setting {key!r}", key, known.get(name, set()), name)
            if key not in _FREE and isinstance(inner, dict) and name != "mt":
                refuse(f"[{name}.{key}] is not a table transflow knows", key,
                       known.get(name, set()), name)


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML ({exc}); fix the syntax", path, int(m.group(1)) if m else None
        ) from None


def load_config(start: Path | None = None) -> Config:
    """The workspace's settings, each checked; a bad one names its line and the fix."""
    root = find_workspace(start)
    path = root / CONFIG_NAME
    text, data = _read_toml(path)
    _check_names(text, data, path)
    done: dict[str, Any] = {}
    for setting in _SETTINGS:
        table = data.get(setting.table, {}) if setting.table else data
        value = table.get(setting.key, setting.default) if isinstance(table, dict) else None
        try:
            done[setting.name] = setting.parse(value, done)
        except _Invalid as exc:
            raise ConfigError(str(exc), path,
                              _line_of(text, setting.key, setting.table)) from None
    if not done["slug"]:
        first = done["titles"][done["languages"][0]]
        done["slug"] = re.sub(r"[^a-z0-9]+", "-", first.lower()).strip("-")[:64] or "bulletin"
    return Config(root=root, **done)
