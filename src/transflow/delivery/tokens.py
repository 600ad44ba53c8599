"""The signed tokens of the links in messages and on the service's pages.

A token names a subscriber (or a change of address) by a random id, never by address:
no address appears in any URL. It says what it is for: ``c`` confirms a subscription,
``u`` unsubscribes, ``p`` opens the preferences, ``a`` confirms a new address; a token
for one purpose never does another's work. Each is an HMAC-SHA256 under
``TRANSFLOW_SECRET``, with its purpose inside what is signed; a confirmation (of a
subscription or of an address) also carries when it expires. Checking one computes
one HMAC, compared in constant time; the id then finds the subscriber through an
index.

The secret can be rotated: a token signed with ``TRANSFLOW_SECRET_PREVIOUS`` still
unsubscribes (and only that), so no link already delivered stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Sequence

from transflow.workspace.errors import TransflowError

SECRET_VARIABLE = "TRANSFLOW_SECRET"
PREVIOUS_VARIABLE = "TRANSFLOW_SECRET_PREVIOUS"
PURPOSES = {"confirm": "c", "unsubscribe": "u", "preferences": "p", "address": "a"}
EXPIRING = ("confirm", "address")
"""The purposes whose tokens expire (after ``CONFIRM_DAYS``)."""
CONFIRM_DAYS = 7
"""How long a confirmation link works."""

_SHAPE = re.compile(r"([cupa])([0-9a-f]{0,12})\.([0-9a-f]{16})\.([0-9a-f]{32})")
LEGACY = re.compile(r"[0-9a-f]{32}")
"""An unsubscribe token of a message sent before tokens had purposes: the address
signed, found through the ``legacy_tokens`` index."""


class NoSecret(TransflowError):
    """``TRANSFLOW_SECRET`` is not set: nothing can be signed or checked."""


def secret() -> bytes:
    value = os.environ.get(SECRET_VARIABLE)
    if not value:
        raise NoSecret(f"set {SECRET_VARIABLE} in the environment: the links in messages "
                       "are signed with it (keep it secret, keep it the same)")
    return value.encode("utf-8")


def secrets_accepted() -> list[bytes]:
    """The secret, and the previous one while it is set (for unsubscribing only)."""
    found = [secret()]
    if previous := os.environ.get(PREVIOUS_VARIABLE):
        found.append(previous.encode("utf-8"))
    return found


def _mac(key: bytes, purpose: str, body: str) -> str:
    return hmac.new(key, f"transflow {purpose} {body}".encode(), hashlib.sha256
                    ).hexdigest()[:32]


def make(purpose: str, subscriber_id: str, key: bytes, now: float | None = None) -> str:
    """A token for ``purpose`` naming the subscriber ``subscriber_id``."""
    code = PURPOSES[purpose]
    expires = ""
    if purpose in EXPIRING:
        expires = f"{int((now or time.time()) + CONFIRM_DAYS * 86400):x}"
    body = f"{code}{expires}.{subscriber_id}"
    # In capitals: a Belarusian or Russian message's links then add no Latin "e" to the
    # many Cyrillic ones, which SpamAssassin's MIXED_ES takes for look-alike letters.
    # Read in either case (the links sent before were in small letters).
    return f"{body}.{_mac(key, purpose, body)}".upper()


def read(token: str, purpose: str, keys: Sequence[bytes],
         now: float | None = None) -> str | None:
    """The subscriber id of a token made by ``make`` for ``purpose`` under one of
    ``keys`` (the current secret first; an older one only for unsubscribing), and not
    expired; None for anything else."""
    found = _SHAPE.fullmatch(token.lower())
    if found is None or found.group(1) != PURPOSES[purpose]:
        return None
    code, expires, subscriber_id, mac = found.groups()
    if (purpose in EXPIRING) != bool(expires):
        return None
    body = f"{code}{expires}.{subscriber_id}"
    usable = keys if purpose == "unsubscribe" else keys[:1]
    if not any(hmac.compare_digest(_mac(key, purpose, body), mac) for key in usable):
        return None
    if expires and int(expires, 16) < (now or time.time()):
        return None
    return subscriber_id


def legacy(email: str, key: bytes) -> str:
    """The unsubscribe token of a message sent before tokens had purposes."""
    return hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def message_hash(week: str, lang: str, email_key: str, key: bytes) -> str:
    """The keyed part of a bulletin's Message-ID: the same for the same (week,
    language, subscriber), and made by nobody without the secret (a bounce naming it
    names a message transflow really sent)."""
    return hmac.new(key, f"message {week} {lang} {email_key}".encode(),
                    hashlib.sha256).hexdigest()[:24]
