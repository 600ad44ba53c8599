"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd): it keeps what it
received, and can be told to refuse a recipient (550), to answer 421 and drop the
connection after N messages, to stall past the client's timeout, or to offer SMTPUTF8."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd checks readiness by connecting to the port: give it a real one.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return message_from_bytes(self.data, policy=default)


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    """Recipients answered with 550."""
    drop_after: int | None = None
    """Answer 421 to the DATA of every message after this many, once."""
    stall: float = 0.0
    """Seconds to wait before answering DATA."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    _dropped: bool = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall:
            time.sleep(self.stall)
        with self.lock:
            if (self.drop_after is not None and not self._dropped
                    and len(self.received) >= self.drop_after):
                self._dropped = True
                return "421 4.3.2 Service shutting down"
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


class SMTPServer:
    def __init__(self, smtputf8: bool = False) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=smtputf8)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def restart(self, smtputf8: bool) -> None:
        """The same port and handler, now offering SMTPUTF8 or not."""
        self.controller.stop()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=smtputf8)
        self.controller.start()
