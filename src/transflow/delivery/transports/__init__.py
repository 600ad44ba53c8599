"""How messages leave, as a registry: each transport is a module of this package that
registers a ``Transport`` (``smtp``). A new one (an email service's HTTP API, say) is
one more module here, chosen with ``[delivery] transport``; ``send`` and its test
copies take it from the registry. Every transport reports each message's outcome the
same way: accepted (it returns), ``Deferred``, ``Rejected`` or ``Lost``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from transflow.workspace.config import DeliverySettings
from transflow.workspace.errors import ConfigError, TransflowError
from transflow.workspace.registry import Registry


class Unavailable(TransflowError):
    """The transport cannot be reached or refuses the session: nothing can be sent."""


class Deferred(Exception):
    """Not accepted now (a 4xx answer): try again later."""


class Rejected(Exception):
    """Refused for this recipient (a 5xx answer): it will not be delivered."""


class Lost(Exception):
    """The connection broke while the message was handed over: it may or may not be
    delivered."""


class Connection(Protocol):
    """A session that sends many messages, at most ``[delivery] rate`` a second."""

    def send(self, sender: str, recipient: str, data: bytes,
             before_data: Callable[[], None] = ..., smtputf8: bool = False) -> None:
        """Hand over ``data`` for ``recipient``; ``before_data`` runs just before the
        message itself goes (the delivery log records "sending" then); ``smtputf8``:
        the address has no ASCII form. Raises Deferred, Rejected, Lost or Unavailable."""
        ...

    def close(self) -> None: ...


class Transport(Protocol):
    name: str
    """As ``[delivery] transport`` names it."""

    def connect(self, settings: DeliverySettings) -> Connection:
        """A session (opened lazily, at the first message)."""
        ...


_registry: Registry[Transport] = Registry(__name__, __path__, "delivery transport")
register = _registry.register
unregister = _registry.unregister


def transports() -> dict[str, Transport]:
    return _registry.members()


def open_transport(settings: DeliverySettings) -> Connection:
    """A session of the transport ``[delivery] transport`` names."""
    known = transports()
    if settings.transport not in known:
        raise ConfigError(f"[delivery] transport {settings.transport!r} is not one transflow "
                          f"has (known: {', '.join(known)})")
    return known[settings.transport].connect(settings)
