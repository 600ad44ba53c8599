"""The machine-translation providers, as a registry: each is a module of this package
that registers a ``Provider`` (``deep``: Google, DeepL, LibreTranslate, MyMemory and
Microsoft through deep-translator; ``pseudo``: offline). A new provider (another API,
an in-house server) is one more module here; routing, the client, the command line
and key redaction take it from the registry. The modules are imported when the
registry is first asked, and a provider's own library only when it drafts."""

from __future__ import annotations

import os
from typing import Literal, Protocol

from transflow.workspace.registry import Registry

ErrorKind = Literal["retry", "fatal", "retry-then-fatal", "text"]
"""What the client does after an error: try again later; stop using the provider this
run; try again, and stop if it keeps failing (the network); give up on this text only."""

MAX_REASON = 120
"""Characters of a provider's error shown in a report line."""


class NeedsKey(Exception):
    """The provider needs an API key the environment does not hold."""


class Engine(Protocol):
    """A provider made ready for one language pair."""

    def translate(self, text: str) -> str: ...


class Provider(Protocol):
    """One machine-translation service."""

    name: str
    """As ``[mt] provider`` and ``--provider`` name it."""
    key_variable: str | None
    """The environment variable holding its API key (redacted from every message)."""
    offline: bool
    """A test stand-in: never suggested as the route for a pair."""

    def languages(self) -> dict[str, str] | None:
        """Our language code → the provider's, for those it translates; None: any."""
        ...

    def engine(self, source: str, target: str, url: str | None,
               timeout: float) -> Engine:
        """A translator from ``source`` to ``target`` (our codes, both supported);
        raises ``NeedsKey``, or the provider's own error."""
        ...

    def error_kind(self, exc: BaseException) -> ErrorKind:
        ...

    def refused_key(self, exc: BaseException) -> bool:
        """Whether ``exc`` says the API key was refused (HTTP 401/403)."""
        ...

    def describe(self, exc: BaseException) -> str:
        """``exc`` in one short line, without the request's URL (it may hold the text
        sent, or the key)."""
        ...


_registry: Registry[Provider] = Registry(__name__, __path__, "machine-translation provider",
                                         lambda p: (p.offline, p.name))
register = _registry.register
unregister = _registry.unregister


def providers() -> dict[str, Provider]:
    """Every registered provider by name, the offline ones last."""
    return _registry.members()


def provider(name: str) -> Provider | None:
    return providers().get(name)


def secrets() -> list[str]:
    """The API keys the environment holds for any provider."""
    return [v for p in providers().values() if p.key_variable
            and (v := os.environ.get(p.key_variable))]


def redact(message: str) -> str:
    """The message with every API key replaced by ***."""
    for secret in secrets():
        message = message.replace(secret, "***")
    return message


def language_table(name: str) -> dict[str, str] | None:
    """Our language code → the provider's code, for the languages it supports."""
    found = provider(name)
    return found.languages() if found is not None else {}

