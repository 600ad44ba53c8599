"""The adapter to deep-translator and the requests library under it: language
tables, translator objects, request timeouts, and what an error means.

deep-translator and requests are imported here and nowhere else, and only when a
draft is actually requested or a language pair checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


class NeedsKey(Exception):
    """The provider needs an API key the environment does not hold."""


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


def language_table(provider: str) -> dict[str, str] | None:
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
                timeout: float) -> Any:
    """deep-translator's translator for a supported pair of our language codes."""
    table = language_table(provider)
    assert table is not None
    source, target = table[source], table[target]
    key = os.environ.get(KEY_VARIABLES.get(provider, ""), "")
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
        raise NeedsKey(f"{provider} needs an API key: set {KEY_VARIABLES[provider]} in the "
                       "environment")
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


def error_kind(exc: BaseException) -> str:
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
