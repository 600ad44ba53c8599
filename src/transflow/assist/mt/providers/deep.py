"""The providers reached through deep-translator (Google, DeepL, LibreTranslate,
MyMemory, Microsoft) and the requests library under it: language tables, translator
objects, request timeouts, and what an error means.

deep-translator and requests are imported here and nowhere else, and only when a
draft is actually requested or a language pair checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from transflow.assist.mt.providers import MAX_REASON, ErrorKind, NeedsKey, register

# Microsoft's list is fetched from its API when a translator is made; transflow must
# refuse an unsupported pair before any request, so it keeps the answer for its own
# languages here.
_MICROSOFT_LANGUAGES = {"en": "en", "ru": "ru"}
MYMEMORY_URL = "https://api.mymemory.translated.net/get"


_REQUEST_URL = re.compile(r"(?:\s*(?:with|for) url:\s*)?\b[a-z][a-z0-9+.-]*://\S+|"
                          r"\s*(?:with|for) url:\s*\S+", re.IGNORECASE)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")(]+)")
_HOST = re.compile(r"host='([^']+)', port=(\d+)")


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


def language_table(provider: str) -> dict[str, str]:
    """Our language code → the provider's code, for the languages it supports."""
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



MAX_RESPONSE = 1 << 20
"""Bytes read of a provider's answer at most (a segment's translation is a few KiB)."""


@contextmanager
def request_timeout(seconds: float) -> Iterator[None]:
    # deep-translator calls requests.post/get without a timeout (its issue #163), so a
    # hung server would hang transflow: give every request made meanwhile a timeout.
    import requests
    import requests.api
    import requests.exceptions

    original = requests.api.request

    def request(method: str, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", seconds)
        kwargs["stream"] = True
        response = original(method, url, **kwargs)
        if not isinstance(response, requests.Response):
            return response  # not requests' own (a test at the HTTP boundary)
        # Read no more than a sane answer can be: a server answering megabytes for a
        # segment must not grow a catalog (or this process) without bound.
        data = response.raw.read(MAX_RESPONSE + 1, decode_content=True)
        response.close()
        if len(data) > MAX_RESPONSE:
            raise requests.exceptions.ContentDecodingError(
                f"the answer is over {MAX_RESPONSE // 1024} KiB; not read")
        response._content = data
        return response

    requests.api.request = request  # type: ignore[assignment]
    try:
        yield
    finally:
        requests.api.request = original


def make_engine(provider: str, source: str, target: str, url: str | None,
                timeout: float, key_variable: str | None) -> Any:
    """deep-translator's translator for a supported pair of our language codes."""
    table = language_table(provider)
    source, target = table[source], table[target]
    key = os.environ.get(key_variable or "", "")
    import deep_translator as dt

    if provider == "google":
        return dt.GoogleTranslator(source=source, target=target)
    if provider == "mymemory":
        engine = dt.MyMemoryTranslator(source=source, target=target)
        # deep-translator's endpoint is plain http: the text would cross the network
        # readable by anyone on the way.
        engine._base_url = MYMEMORY_URL
        return engine
    if provider == "libre":
        if url and not url.endswith("/"):
            url += "/"
        # A self-hosted server may need no key, but deep-translator wants one.
        return dt.LibreTranslator(source=source, target=target, api_key=key or "none",
                                  custom_url=url)
    if not key:
        raise NeedsKey(f"{provider} needs an API key: set {key_variable} in the environment")
    if provider == "deepl":
        return dt.DeeplTranslator(source=source, target=target, api_key=key,
                                  use_free_api=key.endswith(":fx"))
    region = os.environ.get("MICROSOFT_REGION")
    with request_timeout(timeout):
        return dt.MicrosoftTranslator(source=source, target=target, api_key=key,
                                      region=region)


def refused_key(exc: BaseException) -> bool:
    """The provider refused the API key (HTTP 401/403 or its own words for it)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return type(exc).__name__ in ("AuthorizationException", "ApiKeyException") or text in (
        "ERR_KEY_INVALID", "ERR_KEY_BLOCKED", "ERR_DAILY_REQ_LIMIT_EXCEEDED")


def error_kind(exc: BaseException) -> ErrorKind:
    """What to do after ``exc``: retry, fatal (stop using the provider), retry-then-fatal
    (the network), or text (only this text failed)."""
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


class _Timed:
    """A deep-translator translator whose every request has a timeout and a bounded
    answer."""

    def __init__(self, engine: Any, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout

    def translate(self, text: str) -> str:
        with request_timeout(self.timeout):
            result = self.engine.translate(text)
        return result if isinstance(result, str) else ""


class DeepTranslator:
    """One of deep-translator's providers."""

    offline = False

    def __init__(self, name: str, key_variable: str | None = None) -> None:
        self.name = name
        self.key_variable = key_variable

    def languages(self) -> dict[str, str]:
        return language_table(self.name)

    def engine(self, source: str, target: str, url: str | None, timeout: float) -> _Timed:
        return _Timed(make_engine(self.name, source, target, url, timeout,
                                  self.key_variable), timeout)

    def error_kind(self, exc: BaseException) -> ErrorKind:
        return error_kind(exc)

    def refused_key(self, exc: BaseException) -> bool:
        return refused_key(exc)

    def describe(self, exc: BaseException) -> str:
        return describe_error(exc)


for _member in (DeepTranslator("google"), DeepTranslator("deepl", "DEEPL_API_KEY"),
                DeepTranslator("libre", "LIBRE_API_KEY"), DeepTranslator("mymemory"),
                DeepTranslator("microsoft", "MICROSOFT_API_KEY")):
    register(_member)
