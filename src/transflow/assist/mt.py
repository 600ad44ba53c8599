"""Machine translation: providers, language-pair routing, and a careful client.

deep-translator (and the requests library under it) is imported here and nowhere
else, and only when a draft is actually requested. Around it this module adds what
the library lacks: a timeout on every request, retries with backoff on 429/5xx and
connection errors, a bounded request rate per provider, a persistent cache, and
API keys that never appear in a message.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transflow.workspace.config import MTConfig
from transflow.workspace.errors import TransflowError

PROVIDERS = ("google", "deepl", "libre", "mymemory", "microsoft", "pseudo")
KEY_VARIABLES = {
    "deepl": "DEEPL_API_KEY",
    "libre": "LIBRE_API_KEY",
    "microsoft": "MICROSOFT_API_KEY",
}
# Microsoft's list is fetched from its API when a translator is made; transflow must
# refuse an unsupported pair before any request, so it keeps the answer for its own
# languages here.
_MICROSOFT_LANGUAGES = {"en": "en", "ru": "ru"}
MYMEMORY_URL = "https://api.mymemory.translated.net/get"


class MTError(TransflowError):
    """Machine translation cannot start, or a provider failed."""


def secrets() -> list[str]:
    return [v for name in KEY_VARIABLES.values() if (v := os.environ.get(name))]


def redact(message: str) -> str:
    """The message with every API key replaced by ***."""
    for secret in secrets():
        message = message.replace(secret, "***")
    return message


_REQUEST_URL = re.compile(r"(?:\s*(?:with|for) url:\s*)?\b[a-z][a-z0-9+.-]*://\S+|"
                          r"\s*(?:with|for) url:\s*\S+", re.IGNORECASE)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")(]+)")
_HOST = re.compile(r"host='([^']+)', port=(\d+)")
MAX_REASON = 120
"""Characters of a provider's error shown in a report line."""


def describe_error(exc: BaseException) -> str:
    """A provider error in one short line, without the request URL: URLs of GET APIs
    carry the segment text percent-encoded, and sometimes the key."""
    import requests

    name = type(exc).__name__
    text = " ".join(str(exc).split())
    if isinstance(exc, requests.exceptions.Timeout):
        host = _HOST.search(text)
        where = f" from {host.group(1)}:{host.group(2)}" if host else ""
        return f"{name}: no answer{where} in time"
    if isinstance(exc, requests.exceptions.ConnectionError):
        host, errno = _HOST.search(text), _ERRNO.search(text)
        where = f" to {host.group(1)}:{host.group(2)}" if host else ""
        why = f" ({errno.group(1).strip()})" if errno else ""
        return f"{name}: cannot connect{where}{why}"
    text = _REQUEST_URL.sub("", text).strip(" :")
    if len(text) > MAX_REASON:
        text = text[:MAX_REASON - 1].rstrip() + "…"
    return f"{name}: {text}" if text else name


def _language_table(provider: str) -> dict[str, str] | None:
    """Our language code → the provider's code, for the languages it supports."""
    if provider == "pseudo":
        return None
    if provider == "microsoft":
        return dict(_MICROSOFT_LANGUAGES)
    from deep_translator import constants

    names = {
        "google": constants.GOOGLE_LANGUAGES_TO_CODES,
        "deepl": constants.DEEPL_LANGUAGE_TO_CODE,
        "libre": constants.LIBRE_LANGUAGES_TO_CODES,
        "mymemory": constants.MY_MEMORY_LANGUAGES_TO_CODES,
    }[provider]
    by_language: dict[str, list[str]] = {}
    for code in sorted(set(names.values())):
        by_language.setdefault(code.split("-")[0].lower(), []).append(code)
    # MyMemory wants regional codes: prefer ru-RU, be-BY and en-GB to en-AU.
    preferred = ("{0}", "{0}-{1}", "en-GB")
    table = {}
    for lang, codes in by_language.items():
        wanted = [p.format(lang, lang.upper()) for p in preferred]
        table[lang] = next((c for c in wanted if c in codes), codes[0])
    return table


def supports(provider: str, source: str, target: str) -> bool:
    table = _language_table(provider)
    return table is None or (source in table and target in table)


@dataclass(frozen=True)
class Step:
    provider: str
    source: str
    target: str

    def __str__(self) -> str:
        return f"{self.provider} {self.source}→{self.target}"


@dataclass(frozen=True)
class Route:
    steps: tuple[Step, ...]

    @property
    def label(self) -> str:
        if len(self.steps) == 1:
            return self.steps[0].provider
        return ", ".join(str(s) for s in self.steps)


def resolve_route(mt: MTConfig, source: str, target: str, override: str | None = None,
                  pivot_allowed: bool = True) -> Route:
    """The provider(s) for a pair, checked before any request is sent."""
    pair = f"{source}-{target}"
    provider = override or mt.routes.get(pair) or mt.provider
    if provider is None:
        raise MTError(
            f"no machine-translation provider for {source}→{target}; set provider in [mt] "
            "of transflow.toml or pass --provider"
        )
    if provider not in PROVIDERS:
        raise MTError(f"unknown provider '{provider}'; use one of {', '.join(PROVIDERS)}")
    if supports(provider, source, target):
        return Route((Step(provider, source, target),))
    pivot = mt.pivots.get(pair) if pivot_allowed else None
    if pivot:
        first = resolve_route(mt, source, pivot, override, pivot_allowed=False)
        second = resolve_route(mt, pivot, target, override, pivot_allowed=False)
        return Route(first.steps + second.steps)
    able = [p for p in PROVIDERS if p != "pseudo" and supports(p, source, target)]
    hint = (f"use {' or '.join(able)} (in transflow.toml: [mt.routes] \"{pair}\" = "
            f"\"{able[0]}\")" if able else "no provider offers it directly")
    raise MTError(
        f"{provider} does not translate {source}→{target}; {hint}, or route it through "
        f"a pivot language ([mt.pivots] \"{pair}\" = \"ru\")"
    )


# --- the pseudo provider --------------------------------------------------------------

_ACCENTED = str.maketrans("aceinorsuyACEINORSUY", "àçéîñöŕšûýÀÇÉÎÑÖŔŠÛÝ")


def pseudo_translate(text: str) -> str:
    """Accented, bracketed, a third longer: shows untranslated and overflowing text."""
    parts = re.split(r"(\{\d+\})", text)
    body = "".join(p if p.startswith("{") else p.translate(_ACCENTED) for p in parts)
    padding = "~" * max(1, len(text) // 3 // 4)
    return unicodedata.normalize("NFC", f"[{body} {padding}]")


# --- the client -----------------------------------------------------------------------

class ProviderFailed(Exception):
    """The provider cannot be used any more this run (bad key, unreachable)."""


class TextFailed(Exception):
    """This text failed; others may still go through."""


@contextmanager
def _request_timeout(seconds: float) -> Iterator[None]:
    # deep-translator calls requests.post/get without a timeout (its issue #163), so a
    # hung server would hang transflow: give every request made meanwhile a timeout.
    import requests.api

    original = requests.api.request

    def request(method: str, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", seconds)
        return original(method, url, **kwargs)

    requests.api.request = request  # type: ignore[assignment]
    try:
        yield
    finally:
        requests.api.request = original


class Client:
    """Sends texts for one step: timeouts, retries with backoff, a bounded rate."""

    def __init__(self, step: Step, mt: MTConfig, url: str | None) -> None:
        self.step = step
        self.mt = mt
        self.url = url
        self.requests = 0
        self.characters = 0
        self._engine: Any = None
        self._last = 0.0
        self._fatal: str | None = None

    def _make_engine(self) -> Any:
        provider, table = self.step.provider, _language_table(self.step.provider)
        if provider == "pseudo":
            return None
        assert table is not None
        source, target = table[self.step.source], table[self.step.target]
        key = os.environ.get(KEY_VARIABLES.get(provider, ""), "")
        import deep_translator as dt

        try:
            if provider == "google":
                return dt.GoogleTranslator(source=source, target=target)
            if provider == "mymemory":
                engine = dt.MyMemoryTranslator(source=source, target=target)
                # deep-translator's endpoint is plain http: the text would cross the
                # network readable by anyone on the way.
                engine._base_url = MYMEMORY_URL
                return engine
            if provider == "libre":
                url = self.url
                if url and not url.endswith("/"):
                    url += "/"
                # A self-hosted server may need no key, but deep-translator wants one.
                return dt.LibreTranslator(source=source, target=target,
                                          api_key=key or "none", custom_url=url)
            if not key:
                raise ProviderFailed(f"{provider} needs an API key: set {KEY_VARIABLES[provider]} "
                             "in the environment")
            if provider == "deepl":
                return dt.DeeplTranslator(source=source, target=target, api_key=key,
                                          use_free_api=key.endswith(":fx"))
            region = os.environ.get("MICROSOFT_REGION")
            with _request_timeout(self.mt.timeout):
                return dt.MicrosoftTranslator(source=source, target=target, api_key=key,
                                              region=region)
        except ProviderFailed:
            raise
        except Exception as exc:
            raise ProviderFailed(self._describe(exc)) from None

    def _describe(self, exc: BaseException) -> str:
        name = type(exc).__name__
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if name in ("AuthorizationException", "ApiKeyException") or text in (
            "ERR_KEY_INVALID", "ERR_KEY_BLOCKED", "ERR_DAILY_REQ_LIMIT_EXCEEDED"
        ):
            variable = KEY_VARIABLES.get(self.step.provider, "the API key variable")
            return f"{self.step.provider} refused the request (HTTP 401/403): check {variable}"
        return redact(f"{self.step.provider}: {describe_error(exc)}")

    def _kind(self, exc: BaseException) -> str:
        """retry, fatal or text."""
        import requests

        name = type(exc).__name__
        if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.ConnectionError):
            return "retry-then-fatal"
        if name in ("AuthorizationException", "ApiKeyException"):
            return "fatal"
        if name == "TooManyRequests":
            return "retry"
        if name == "ServerException":
            message = str(exc)
            if message in ("ERR_KEY_INVALID", "ERR_KEY_BLOCKED", "ERR_DAILY_REQ_LIMIT_EXCEEDED",
                           "ERR_DAILY_CHAR_LIMIT_EXCEEDED"):
                return "fatal"
            if message in ("ERR_TOO_MANY_REQUESTS", "ERR_INTERNAL_SERVER_ERROR",
                           "ERR_SERVICE_NOT_AVAIBLE", "API server error"):
                return "retry"
        return "text"

    def _pace(self) -> None:
        rate = self.mt.rate.get(self.step.provider)
        if rate:
            wait = self._last + 1.0 / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last = time.monotonic()

    def translate(self, text: str) -> str:
        if self._fatal:
            raise ProviderFailed(self._fatal)
        if self.step.provider == "pseudo":
            self.characters += len(text)
            return pseudo_translate(text)
        if self._engine is None:
            try:
                self._engine = self._make_engine()
            except ProviderFailed as exc:
                self._fatal = str(exc)
                raise
        attempts = self.mt.retries + 1
        for attempt in range(attempts):
            self._pace()
            self.requests += 1
            self.characters += len(text)
            try:
                try:
                    with _request_timeout(self.mt.timeout):
                        result = self._engine.translate(text)
                finally:
                    # Paced from the end of the previous request, not its start: the
                    # server then sees at most `rate` requests a second, however long
                    # each one took to reach it.
                    self._last = time.monotonic()
                if not isinstance(result, str) or not result.strip():
                    raise TextFailed(f"{self.step.provider} returned no translation")
                return result
            except TextFailed:
                raise
            except Exception as exc:
                kind = self._kind(exc)
                if kind == "fatal":
                    self._fatal = self._describe(exc)
                    raise ProviderFailed(self._fatal) from None
                if kind == "text" or attempt == attempts - 1:
                    if kind == "retry-then-fatal":
                        self._fatal = self._describe(exc) + " (gave up after retries)"
                        raise ProviderFailed(self._fatal) from None
                    raise TextFailed(self._describe(exc)) from None
                delay = self.mt.backoff * (2 ** attempt) * (1 + random.random() / 4)
                time.sleep(delay)
        raise AssertionError("unreachable")


class Cache:
    """Drafts already paid for: (provider, source, target, masked text) → draft."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS drafts (provider TEXT, source TEXT, target TEXT, "
            "text TEXT, draft TEXT, created TEXT DEFAULT CURRENT_TIMESTAMP, "
            "PRIMARY KEY (provider, source, target, text))"
        )
        self._db.commit()

    def get(self, step: Step, text: str) -> str | None:
        row = self._db.execute(
            "SELECT draft FROM drafts WHERE provider=? AND source=? AND target=? AND text=?",
            (step.provider, step.source, step.target, text),
        ).fetchone()
        return row[0] if row else None

    def put(self, step: Step, text: str, draft: str) -> None:
        # Committed at once: an interrupted run keeps every draft it paid for.
        self._db.execute(
            "INSERT OR REPLACE INTO drafts (provider, source, target, text, draft) "
            "VALUES (?, ?, ?, ?, ?)",
            (step.provider, step.source, step.target, text, draft),
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
