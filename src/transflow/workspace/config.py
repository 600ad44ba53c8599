"""The workspace and its ``transflow.toml``: languages, titles, categories, trends."""

from __future__ import annotations

import re
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
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


class _Invalid(ValueError):
    """A setting's value cannot be used; the message says what it must be."""


Check = Callable[[Any, dict[str, Any]], Any]
"""(the value as TOML gives it, the settings read before it) → the setting's value, or
``_Invalid``."""


def setting(default: Any = None, check: Check | None = None, key: str | None = None) -> Any:
    """A field of a settings table: its default, how its value is checked (without a
    check: by the field's type), and its TOML key when the field's name cannot be it."""
    meta = {"check": check, "key": key}
    if isinstance(default, dict | list):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


# --- the checks a type cannot say ----------------------------------------------------------

def _known_languages(value: Any, _: dict[str, Any]) -> tuple[str, ...]:
    from transflow.workspace.lang import is_known_locale

    if not isinstance(value, list) or not value:
        raise _Invalid("[publication] languages must be a list of language codes, such as "
                       '["be", "ru", "en"]')
    for lang in value:
        if not isinstance(lang, str) or not is_known_locale(lang):
            raise _Invalid(f"unknown language '{lang}' in publication.languages")
    return tuple(value)


def _source_language(value: Any, done: dict[str, Any]) -> str:
    if value is None:
        value = done["languages"][0]
    if value not in done["languages"]:
        raise _Invalid(f"source_language '{value}' is not one of "
                       f"{', '.join(done['languages'])}")
    return str(value)


def _titles(value: Any, done: dict[str, Any]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(lang in value for lang in done["languages"]):
        missing = [lang for lang in done["languages"] if lang not in (value or {})]
        raise _Invalid(f"[publication.title] lacks a title for {', '.join(missing)}")
    if not all(isinstance(v, str) for v in value.values()):
        raise _Invalid("[publication.title] must give a text per language (en = \"...\")")
    return dict(value)


_PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""What a value that becomes part of a path must be: never a folder or ``..``."""


def _slug(value: Any, done: dict[str, Any]) -> str:
    if value is None:
        first = done["title"][done["languages"][0]]
        return re.sub(r"[^a-z0-9]+", "-", first.lower()).strip("-")[:64] or "bulletin"
    if not isinstance(value, str) or not _PLAIN_NAME.fullmatch(value):
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


def _trends(value: Any, _: dict[str, Any]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _Invalid("[trends] must map each trend (better, unchanged, worse) to its "
                       "English verdict")
    return dict(value)


def _percentage(value: Any, _: dict[str, Any]) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
        raise _Invalid("min_translated must be a percentage from 0 to 100")
    return float(value)


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


def _per_language(key: str) -> Check:
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


def _issn(value: Any, _: dict[str, Any]) -> str | None:
    if value is None:
        return None
    digits = str(value).replace("-", "").upper()
    if not re.fullmatch(r"\d{7}[\dX]", digits) or (sum(
            int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
            + (10 if digits[7] == "X" else int(digits[7]))) % 11:
        raise _Invalid("[publication] issn must be an ISSN with its check digit, "
                       "as 1234-5679")
    return f"{digits[:4]}-{digits[4:]}"


def _week(value: Any, _: dict[str, Any]) -> Week | None:
    if value is None:
        return None
    try:
        return Week.parse(str(value))
    except TransflowError:
        raise _Invalid("[publication] first_week must be the ISO week of issue No. 1, "
                       "such as 2019-W01") from None


def _url(table: str, key: str) -> Check:
    def parse(value: Any, _: dict[str, Any]) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not re.match(r"https?://[^/\s]+", value):
            raise _Invalid(f"[{table}] {key} must be an http(s) address, such as "
                           "https://bulletin.example.org/")
        return value if value.endswith("/") else value + "/"
    return parse


def _choice(table: str, key: str, choices: tuple[str, ...]) -> Check:
    def parse(value: Any, _: dict[str, Any]) -> str:
        if value not in choices:
            raise _Invalid(f"[{table}] {key} must be {', '.join(choices[:-1])} or {choices[-1]}")
        return str(value)
    return parse


def _inside(table: str, key: str) -> Check:
    def parse(value: Any, _: dict[str, Any]) -> str:
        if not isinstance(value, str) or Path(value).is_absolute() or ".." in Path(
                value).parts:
            raise _Invalid(f"[{table}] {key} must be a path inside the workspace")
        return value
    return parse


def _sender(value: Any, _: dict[str, Any]) -> str | None:
    if value is not None and (not isinstance(value, str) or re.search(
            "[\x00-\x1f\x7f\u2028\u2029]", value) or "@" not in value):
        raise _Invalid("[delivery] from must be one line with an address, such as "
                       "\"Weekly bulletin <bulletin@example.org>\"")
    return value


def _positive(table: str, key: str, unit: str, optional: bool = False) -> Check:
    def parse(value: Any, _: dict[str, Any]) -> float | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                0 < value < 3600):
            raise _Invalid(f"[{table}] {key} must be a number of {unit} above 0 (and below "
                           "3600)")
        return float(value)
    return parse


_DEFAULT_TRENDS = {
    "better": "The situation has gotten better",
    "unchanged": "The situation has not changed",
    "worse": "The situation has gotten worse",
}


# --- the tables -----------------------------------------------------------------------------
# One frozen dataclass per table of transflow.toml; a field is a key (its name, unless
# ``key`` says otherwise). Fields are read in order: a check may look at those above.

@dataclass(frozen=True)
class PublicationSettings:
    """``[publication]``: what the bulletin is called, in which languages, by whom."""

    languages: tuple[str, ...] = setting(("be", "ru", "en"), _known_languages)
    source_language: str = setting(None, _source_language)
    """The language a commentary is written in unless its front matter says otherwise."""
    title: dict[str, str] = setting({}, _titles)
    """``[publication.title]``: the masthead, per language."""
    slug: str = setting(None, _slug)
    """Names the PDF files (default: from the first title)."""
    min_translated: float = setting(0, _percentage)
    """The share of words a language needs translated to be built."""
    subtitle: dict[str, str] = setting({}, _per_language("subtitle"))
    """The tagline under the masthead, per language."""
    organisation: dict[str, str] = setting({}, _per_language("organisation"))
    """Who publishes it, per language."""
    logo: str | None = setting(None, _logo)
    """An SVG or PNG in the workspace, shown in the masthead."""
    first_week: Week | None = setting(None, _week)
    """The week of issue No. 1; issues are numbered from it."""
    colophon: dict[str, str] = setting({}, _per_language("colophon"))
    """``[publication.colophon]``: the last words of every bulletin, per language (the
    editor, how to reach them, a disclaimer)."""
    issn: str | None = setting(None, _issn)
    """The serial's ISSN, printed in the colophon."""


@dataclass(frozen=True)
class MemorySettings:
    """``[memory]``: the translation memory."""

    files: tuple[str, ...] = setting([], _paths)
    """Archives (.po, .tmx) the memory also draws on."""
    threshold: float = setting(75, _similarity)
    """Similarity (0–100, rapidfuzz ratio) for a fuzzy suggestion from the memory."""


@dataclass(frozen=True)
class BuildSettings:
    """``[build]``."""

    strict: bool = False
    """Refuse to build a language whose translations have check errors."""


@dataclass(frozen=True)
class SourcesSettings:
    """``[sources]``."""

    max_segment: int = setting(20_000, _size)
    """The longest segment (characters) a commentary may have."""


@dataclass(frozen=True)
class MTSettings:
    """``[mt]``: which machine-translation provider drafts which language pair."""

    provider: str | None = None
    url: str | None = setting(None, _url("mt", "url"))
    routes: dict[str, str] = setting({})
    """``"en-be" = "google"``: the provider for one pair."""
    pivots: dict[str, str] = setting({})
    """``"en-be" = "ru"``: translate en→ru→be when no provider offers en→be."""
    rate: dict[str, float] = setting({})
    """Requests per second at most, per provider."""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0


@dataclass(frozen=True)
class DeliverySettings:
    """``[delivery]``: where subscribers are kept and how mail leaves."""

    database: str = setting("subscribers.sqlite3", _inside("delivery", "database"))
    transport: str = "smtp"
    """How messages leave: ``smtp``, or another registered transport."""
    sender: str | None = setting(None, _sender, key="from")
    """The address messages come from."""
    host: str = "localhost"
    port: int = 25
    security: str = setting("none", _choice("delivery", "security",
                                            ("starttls", "tls", "none")))
    username: str | None = None
    rate: float | None = setting(None, _positive("delivery", "rate", "messages a second",
                                                 optional=True))
    """Messages per second at most."""
    timeout: float = setting(30.0, _positive("delivery", "timeout", "seconds"))
    dkim_domain: str | None = None
    dkim_selector: str | None = None


@dataclass(frozen=True)
class SiteSettings:
    """``[site]``: the website."""

    base_url: str | None = setting(None, _url("site", "base_url"))
    """Where the website is published (links in mail and feeds)."""
    subscribe_url: str | None = setting(None, _url("site", "subscribe_url"))
    """Where the site's subscription form sends its address."""


@dataclass(frozen=True)
class SubscriptionsSettings:
    """``[subscriptions]``: transflow's own subscription service (``transflow serve``)."""

    enabled: bool = False
    """The site's forms post to the service, at ``[site] base_url``."""
    trusted_proxy: str | None = None
    """The address of the reverse proxy in front of the service: only its
    X-Forwarded-For is believed (for the per-client limit on subscribing)."""


@dataclass(frozen=True)
class Config:
    """A workspace: its folder and its settings, one field per table of transflow.toml."""

    root: Path
    publication: PublicationSettings = field(default_factory=PublicationSettings)
    categories: dict[str, str] = setting({}, _categories)
    """``[categories]``: each category's key and English label."""
    trends: dict[str, str] = setting(_DEFAULT_TRENDS, _trends)
    """``[trends]``: each trend's English verdict."""
    memory: MemorySettings = field(default_factory=MemorySettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    sources: SourcesSettings = field(default_factory=SourcesSettings)
    mt: MTSettings = field(default_factory=MTSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    subscriptions: SubscriptionsSettings = field(default_factory=SubscriptionsSettings)

    @property
    def languages(self) -> tuple[str, ...]:
        """The publication's languages (``[publication] languages``), asked everywhere."""
        return self.publication.languages

    def issue_number(self, week: Week) -> int | None:
        """The issue number of ``week``, counted in weeks from ``first_week``; None (no
        number shown) for a week before it: a back issue imported later is never No. 0
        or below, and the numbers already published stay as they are. An editor who
        wants the back issues numbered sets ``first_week`` earlier."""
        if self.publication.first_week is None:
            return None
        number = (week.monday - self.publication.first_week.monday).days // 7 + 1
        return number if number >= 1 else None

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
    """The line of ``key = ...`` (inside ``[table]`` when it has that header), or of the
    ``[table.key]`` / ``[key]`` header."""
    start, end = 0, len(text)
    if table and (header := re.search(rf"^[ \t]*\[[ \t]*{re.escape(table)}[ \t]*\]", text,
                                      re.MULTILINE)):
        start = header.end()
        following = re.search(r"^[ \t]*\[", text[start:], re.MULTILINE)
        end = start + following.start() if following else len(text)
    headers = [f"{table}.{key}", key] if table else [key]
    found = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", text[start:end], re.MULTILINE)
    if found:
        return text.count("\n", 0, start + found.start()) + 1
    for pattern in [rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*="] + [
            rf"^[ \t]*\[[ \t]*{re.escape(h)}[ \t]*\]" for h in headers]:
        if m := re.search(pattern, text, re.MULTILINE):
            return text.count("\n", 0, m.start()) + 1
    return None


# --- reading transflow.toml by the schema --------------------------------------------------

def _key(f: Field[Any]) -> str:
    return str(f.metadata.get("key") or f.name)


def _default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def _describe(kind: Any) -> str:
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        return _describe(next(a for a in args if a is not type(None)))
    if typing.get_origin(kind) is dict:
        return f"a table of {_describe(args[1]).removeprefix('a ')}s"
    if typing.get_origin(kind) is tuple:
        return f"a list of {_describe(args[0]).removeprefix('a ')}s"
    return {str: "a text", int: "a whole number", float: "a number", bool: "true or false"
            }[kind]


def _fits(kind: Any, value: Any) -> Any:
    """``value`` as a setting of type ``kind``; raises ``TypeError`` when it is not one."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        return _fits(next(a for a in args if a is not type(None)), value)
    if origin is dict and isinstance(value, dict):
        return {str(k): _fits(args[1], v) for k, v in value.items()}
    if origin is tuple and isinstance(value, list):
        return tuple(_fits(args[0], v) for v in value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in (str, bool) and isinstance(value, kind):
        return value
    raise TypeError(kind)


def _typed(kind: Any, table: str, key: str) -> Check:
    """The check of a setting whose type says all it must be."""
    def parse(value: Any, _: dict[str, Any]) -> Any:
        try:
            return _fits(kind, value)
        except TypeError:
            raise _Invalid(f"[{table}] {key} must be {_describe(kind)}") from None
    return parse


def _read_table(kind: type[Any], name: str, values: dict[str, Any], done: dict[str, Any],
                text: str, path: Path) -> Any:
    """One table of settings, each field checked in order."""
    hints = typing.get_type_hints(kind)
    read: dict[str, Any] = {}
    for f in fields(kind):
        key = _key(f)
        check = f.metadata.get("check") or _typed(hints[f.name], name, key)
        try:
            read[f.name] = check(values.get(key, _default(f)), {**done, **read})
        except _Invalid as exc:
            raise ConfigError(str(exc), path, _line_of(text, key, name)) from None
    return kind(**read)


def _tables() -> dict[str, tuple[Field[Any], Any]]:
    """The top level of transflow.toml: each table's (or free table's) field and type."""
    hints = typing.get_type_hints(Config)
    return {_key(f): (f, hints[f.name]) for f in fields(Config) if f.name != "root"}


def _known_names() -> tuple[dict[str | None, set[str]], set[tuple[str, str | None]]]:
    """Every table and key transflow.toml may hold; and the tables whose keys are the
    editor's own (categories, titles per language, routes), as (table, key)."""
    known: dict[str | None, set[str]] = {None: set()}
    free: set[tuple[str, str | None]] = set()
    for name, (_, kind) in _tables().items():
        known[None].add(name)
        if not is_dataclass(kind):
            free.add((name, None))
            continue
        hints = typing.get_type_hints(kind)
        known[name] = {_key(f) for f in fields(kind)}
        free |= {(name, _key(f)) for f in fields(kind)
                 if typing.get_origin(hints[f.name]) is dict}
    return known, free


def _check_names(text: str, data: dict[str, Any], path: Path) -> None:
    """A table or key transflow does not know is an error naming its line and the
    nearest known name: a typo (``[memmory]``, ``treshold``) must not leave the
    publication running on defaults nobody chose."""
    from difflib import get_close_matches

    known, free = _known_names()

    def refuse(what: str, name: str, names: set[str], table: str | None) -> None:
        near = get_close_matches(name, sorted(names), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigError(f"{what}{hint} (known: {', '.join(sorted(names))})", path,
                          _line_of(text, name, table))

    for name, value in data.items():
        if name not in known[None]:
            refuse(f"there is no setting or table {name!r}", name, known[None], None)
        if (name, None) in free or not isinstance(value, dict):
            continue
        for key, inner in value.items():
            if key not in known[name]:
                refuse(f"[{name}] has no setting {key!r}", key, known[name], name)
            if isinstance(inner, dict) and (name, key) not in free:
                refuse(f"[{name}.{key}] is not a table transflow knows", key, known[name],
                       name)


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
    """The workspace's settings, each checked by the schema (the tables' dataclasses):
    an unknown table or key, or a value that cannot work, names its line and the fix."""
    root = find_workspace(start)
    path = root / CONFIG_NAME
    text, data = _read_toml(path)
    _check_names(text, data, path)
    done: dict[str, Any] = {}
    read: dict[str, Any] = {}
    for name, (f, kind) in _tables().items():
        value = data.get(name, _default(f) if not is_dataclass(kind) else {})
        if is_dataclass(kind):
            if not isinstance(value, dict):
                raise ConfigError(f"[{name}] must be a table of settings", path,
                                  _line_of(text, name))
            read[f.name] = table = _read_table(typing.cast(type[Any], kind), name, value,
                                               done, text, path)
            done |= {g.name: getattr(table, g.name) for g in fields(table)}
            continue
        try:
            read[f.name] = f.metadata["check"](value, done)
        except _Invalid as exc:
            raise ConfigError(str(exc), path, _line_of(text, name)) from None
    return Config(root=root, **read)
