"""Machine translation: providers (a registry, in ``providers``), language-pair
routing (``routes``), a careful client (``client``) and a persistent cache (``cache``)."""

from transflow.assist.mt.cache import Cache
from transflow.assist.mt.client import Client, ProviderFailed, TextFailed
from transflow.assist.mt.providers import (
    MAX_REASON,
    Provider,
    language_table,
    provider,
    providers,
    redact,
    register,
    secrets,
)
from transflow.assist.mt.routes import MTError, Route, Step, resolve_route, supports

__all__ = ["MAX_REASON", "Cache", "Client", "MTError", "Provider", "ProviderFailed", "Route",
           "Step", "TextFailed", "language_table", "provider", "providers", "redact",
           "register", "resolve_route", "secrets", "supports"]
