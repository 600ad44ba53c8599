"""Which provider drafts which language pair: routes, pivots, and the check that a
pair is supported, made before any request is sent."""

from __future__ import annotations

from dataclasses import dataclass

from transflow.assist.mt.providers import language_table, providers
from transflow.workspace.config import MTSettings
from transflow.workspace.errors import TransflowError


class MTError(TransflowError):
    """Machine translation cannot start, or a provider failed."""


def supports(provider: str, source: str, target: str) -> bool:
    table = language_table(provider)
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


def resolve_route(mt: MTSettings, source: str, target: str, override: str | None = None,
                  pivot_allowed: bool = True) -> Route:
    """The provider(s) for a pair, checked before any request is sent."""
    pair = f"{source}-{target}"
    provider = override or mt.routes.get(pair) or mt.provider
    if provider is None:
        raise MTError(
            f"no machine-translation provider for {source}→{target}; set provider in [mt] "
            "of transflow.toml or pass --provider"
        )
    known = providers()
    if provider not in known:
        raise MTError(f"unknown provider '{provider}'; use one of {', '.join(known)}")
    if supports(provider, source, target):
        return Route((Step(provider, source, target),))
    pivot = mt.pivots.get(pair) if pivot_allowed else None
    if pivot:
        first = resolve_route(mt, source, pivot, override, pivot_allowed=False)
        second = resolve_route(mt, pivot, target, override, pivot_allowed=False)
        return Route(first.steps + second.steps)
    able = [name for name, p in known.items() if not p.offline
            and supports(name, source, target)]
    hint = (f"use {' or '.join(able)} (in transflow.toml: [mt.routes] \"{pair}\" = "
            f"\"{able[0]}\")" if able else "no provider offers it directly")
    raise MTError(
        f"{provider} does not translate {source}→{target}; {hint}, or route it through "
        f"a pivot language ([mt.pivots] \"{pair}\" = \"ru\")"
    )


