"""One SMTP connection for many messages: STARTTLS or TLS, a timeout on every
operation, reopened when the server drops it, and each message's outcome as the
server gave it: accepted, deferred (4xx), rejected (5xx), or lost in the middle of
DATA, when nobody can know whether it was delivered."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable

from transflow.delivery.transports import Deferred, Lost, Rejected, Unavailable, register
from transflow.workspace.config import DeliverySettings

PASSWORD_VARIABLE = "TRANSFLOW_SMTP_PASSWORD"


class SMTPUnavailable(Unavailable):
    """The server cannot be reached or refuses the session."""


class Mailer:
    """Sends messages over one connection, at most ``rate`` a second."""

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._last = 0.0

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo_or_helo_if_needed()
            if s.username:
                smtp.login(s.username, os.environ.get(PASSWORD_VARIABLE, ""))
        except smtplib.SMTPAuthenticationError:
            raise SMTPUnavailable(f"{s.host}:{s.port} refused the login of {s.username}: "
                                  f"check {PASSWORD_VARIABLE}") from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise SMTPUnavailable(f"cannot open a session with {s.host}:{s.port} ({reason}); "
                                  "check [delivery] host, port and security") from None
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    def _pace(self) -> None:
        if self.settings.rate:
            wait = self._last + 1.0 / self.settings.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last = time.monotonic()

    def send(self, sender: str, recipient: str, data: bytes,
             before_data: Callable[[], None] = lambda: None, smtputf8: bool = False) -> None:
        """Deliver ``data``; ``before_data`` runs when the server is ready to receive it
        (the delivery log records "sending" then); ``smtputf8`` for an address that has
        no ASCII form. Raises Deferred, Rejected or Lost."""
        self._pace()
        for attempt in range(2):  # a dropped connection is reopened once
            try:
                if self._smtp is None:
                    self._smtp = self._open()
                options: list[str] = []
                if smtputf8:
                    if not self._smtp.has_extn("smtputf8"):
                        raise Rejected(f"{recipient} has no ASCII form and {self.settings.host} "
                                      "does not offer SMTPUTF8: it cannot be sent there")
                    options.append("SMTPUTF8")
                code, reply = self._smtp.mail(sender, options)
                if code == 250:
                    code, reply = self._smtp.rcpt(recipient)
                if code in (250, 251):
                    break
                self._smtp.rset()
                text = reply.decode("utf-8", "replace")[:200]
                raise (Deferred if 400 <= code < 500 else Rejected)(f"{code} {text}")
            except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError):
                self._drop()
                if attempt:
                    raise Deferred("the server dropped the connection") from None
        before_data()
        assert self._smtp is not None
        try:
            code, reply = self._smtp.data(data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was sent
            error = exc.smtp_error
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            raise (Deferred if 400 <= exc.smtp_code < 500 else Rejected)(
                f"{exc.smtp_code} {text[:200]}") from None
        except (smtplib.SMTPServerDisconnected, OSError):
            self._drop()
            raise Lost("the connection broke while the message was being sent") from None
        if code != 250:
            text = reply.decode("utf-8", "replace")[:200]
            if code == 421:
                self._drop()
            raise (Deferred if 400 <= code < 500 else Rejected)(f"{code} {text}")


class SMTP:
    """Mail handed to an SMTP server: ``[delivery] host``, ``port``, ``security``,
    ``username`` (the password in ``TRANSFLOW_SMTP_PASSWORD``)."""

    name = "smtp"

    def connect(self, settings: DeliverySettings) -> Mailer:
        return Mailer(settings)


register(SMTP())
