"""Extension points: a registry of named members (output formats, machine-translation
providers, delivery transports), filled by the modules of one package, each calling
``register`` as it is imported. The modules are imported when the registry is first
asked, so what the CLI loads to start stays small; a new member is one more module in
that package, registered the same way as those that ship with transflow."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar


class Named(Protocol):
    name: str


M = TypeVar("M", bound=Named)


class Registry(Generic[M]):
    """The members of ``package`` (its ``__name__`` and ``__path__``), by name, in the
    order ``order`` gives (default: by name)."""

    def __init__(self, package: str, path: Iterable[str], what: str,
                 order: Callable[[M], Any] | None = None) -> None:
        self.package = package
        self.path = list(path)
        self.what = what
        self.order = order or (lambda member: member.name)
        self._members: dict[str, M] = {}
        self._ordered: dict[str, M] | None = None
        self._loaded = False

    def register(self, member: M) -> M:
        if member.name in self._members and self._members[member.name] is not member:
            raise ValueError(f"two {self.what}s are named {member.name!r}")
        self._members[member.name] = member
        self._ordered = None
        return member

    def unregister(self, name: str) -> None:
        self._members.pop(name, None)
        self._ordered = None

    def members(self) -> dict[str, M]:
        """Every member by name, in order (asked often: kept until one is added)."""
        if not self._loaded:
            self._loaded = True
            for module in pkgutil.iter_modules(self.path):
                importlib.import_module(f"{self.package}.{module.name}")
        if self._ordered is None:
            self._ordered = {m.name: m for m in sorted(self._members.values(),
                                                       key=self.order)}
        return self._ordered
