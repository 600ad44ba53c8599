"""Machine translation: providers (through deep-translator, in ``providers``),
language-pair routing (``routes``), a careful client (``client``), a persistent cache
(``cache``) and an offline pseudo provider (``pseudo``)."""

from transflow.assist.mt.cache import Cache
from transflow.assist.mt.client import Client, ProviderFailed, TextFailed
from transflow.assist.mt.providers import (
    KEY_VARIABLES,
    MAX_REASON,
    describe_error,
    language_table,
    redact,
    secrets,
)
from transflow.assist.mt.pseudo import pseudo_translate
from transflow.assist.mt.routes import PROVIDERS, MTError, Route, Step, resolve_route, supports

__all__ = ["KEY_VARIABLES", "MAX_REASON", "PROVIDERS", "Cache", "Client", "MTError",
           "ProviderFailed", "Route", "Step", "TextFailed", "describe_error", "language_table",
           "pseudo_translate", "redact", "resolve_route", "secrets", "supports"]
