"""The list's mailbox and the bounces: ``process_mailbox`` reads a Maildir (the list
address's, filled by the mail server or by getmail/fetchmail) and acts on what it
finds there; ``record_bounce`` counts a failure, from a bounce or from ``send``'s own
5xx.

- An unsubscribe request whose subject carries a valid unsubscribe token (what a
  message's mailto link sends) unsubscribes that subscriber.
- A delivery status notification (RFC 3464), or a bounce in one of the common
  non-standard shapes (parsed by flufl.bounce, Mailman's detectors, imported here
  only), counts only when it names a message transflow sent: its Message-ID is keyed
  with the secret, so a forged bounce cannot remove anyone.
- A permanent failure of the mailbox itself (5.1.x: no such user; 5.2.1: disabled)
  marks the address ``bouncing`` at once; anything else (a policy or reputation
  rejection, 5.7.x; a full mailbox; a temporary failure, 4.x.x) is soft: three within
  30 days mark it ``bouncing``. ``send`` mails nobody who is bouncing; a confirmed
  subscription clears it.

Every message it acted on is moved to the Maildir's ``processed`` folder, never
deleted, and remembered: a second run changes nothing. A message it cannot read, or
one for a person (a reader's reply), is left where it is and reported.
"""

from __future__ import annotations

import email
import email.message
import hashlib
import hmac
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from transflow.delivery import tokens
from transflow.delivery.subscribers import (
    SubscriberError,
    by_token,
    connect,
    key_of,
    now,
    set_status,
    timestamp,
)
from transflow.workspace.config import Config

SOFT_LIMIT = (3, 30)
"""Soft failures within days that make an address ``bouncing``."""
_OUR_ID = re.compile(r"<(\d{4}-W\d{2}(?:-c[0-9a-f]{8})?)\.([a-z]{2,3})\.([0-9a-f]{24})@[^>\s]+>")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_UNSUBSCRIBE = re.compile(r"^\s*unsubscribe\s+(\S+)\s*$", re.IGNORECASE)


def hard(status: str) -> bool:
    """Whether an enhanced status code says the mailbox itself is gone."""
    return status.startswith("5.1.") or status == "5.2.1"


def record_bounce(db: sqlite3.Connection, email_key: str, status: str, source: str,
                  at: datetime | None = None) -> bool:
    """Count a failure for a subscriber; True when it made them ``bouncing``."""
    moment = at or datetime.now(UTC)
    stamp = timestamp(moment)
    soft = not hard(status)
    with db:
        db.execute("INSERT INTO bounces (key, at, status, soft, source) VALUES (?, ?, ?, ?, ?)",
                   (email_key, stamp, status, int(soft), source))
        if soft:
            most, days = SOFT_LIMIT
            since = timestamp(moment - timedelta(days=days))
            count = db.execute("SELECT count(*) FROM bounces WHERE key = ? AND soft = 1 AND "
                               "at > ?", (email_key, since)).fetchone()[0]
            if count < most:
                return False
        changed = db.execute("UPDATE subscribers SET status = 'bouncing' WHERE key = ? AND "
                             "status = 'active'", (email_key,)).rowcount
    return bool(changed)


@dataclass
class MailboxReport:
    unsubscribed: list[str] = field(default_factory=list)
    bouncing: list[str] = field(default_factory=list)
    """Addresses marked bouncing by this run."""
    counted: int = 0
    """Bounces counted (each about a message transflow sent)."""
    ignored: list[str] = field(default_factory=list)
    """Bounces about no message transflow sent (forged, or another list's): moved, not
    counted."""
    left: list[str] = field(default_factory=list)
    """Messages left in place: for a person, or unreadable (with why)."""
    unreadable: int = 0

    @property
    def problem(self) -> str | None:
        if self.unreadable:
            return f"{self.unreadable} message(s) could not be read; they are left in place"
        return None


def process_mailbox(config: Config, folder: Path) -> MailboxReport:
    """Act on every message of the Maildir ``folder`` (see the module's docstring)."""
    import mailbox

    if not (folder / "cur").is_dir() or not (folder / "new").is_dir():
        raise SubscriberError("is not a Maildir (it has no cur/ and new/)", str(folder))
    box = mailbox.Maildir(folder, factory=None, create=False)
    processed = box.add_folder("processed") if "processed" not in box.list_folders() \
        else box.get_folder("processed")
    keys = tokens.secrets_accepted()
    report = MailboxReport()
    with connect(config) as db:
        for name in sorted(box.keys()):
            try:
                data = box.get_bytes(name)
                message = email.message_from_bytes(data)
            except (OSError, ValueError, UnicodeError) as exc:
                report.unreadable += 1
                report.left.append(f"{name}: cannot be read ({exc})")
                continue
            digest = hashlib.sha256(data).hexdigest()
            done = db.execute("SELECT 1 FROM mail_seen WHERE digest = ?", (digest,)).fetchone()
            if done is None and not _act(db, message, keys, name, report):
                continue  # for a person: left where it is
            with db:
                db.execute("INSERT OR IGNORE INTO mail_seen (digest, seen) VALUES (?, ?)",
                           (digest, now()))
            processed.add(data)
            box.remove(name)
    return report


def _act(db: sqlite3.Connection, message: email.message.Message, keys: Sequence[bytes],
         name: str, report: MailboxReport) -> bool:
    """Act on one message; False when it is neither an unsubscribe nor a bounce."""
    subject = str(message.get("Subject", ""))
    if (found := _UNSUBSCRIBE.match(subject)) is not None:
        subscriber = by_token(db, found.group(1), "unsubscribe")
        if subscriber is None:
            report.left.append(f"{name}: an unsubscribe request whose token is not valid")
            return False
        set_status(db, subscriber, "unsubscribed")
        report.unsubscribed.append(subscriber.email)
        return True
    from flufl.bounce import all_failures

    temporary, permanent = all_failures(message)
    failed = {("5" if address in permanent else "4", address.decode("utf-8", "replace"))
              for address in (*temporary, *permanent)}
    if not failed:
        report.left.append(f"{name}: not a bounce nor an unsubscribe request: for a person")
        return False
    text = _text_of(message)
    ours = _OUR_ID.findall(text)
    for kind, address in sorted(failed):
        email_key = key_of(address.strip("<>"))
        genuine = any(hmac.compare_digest(tokens.message_hash(week, lang, email_key, key), mine)
                      for week, lang, mine in ours for key in keys)
        if not genuine:
            report.ignored.append(f"{name}: {address}: names no message transflow sent")
            continue
        status = _status_of(text, kind)
        report.counted += 1
        if record_bounce(db, email_key, status, f"mailbox {name}"):
            report.bouncing.append(address)
    return True


def _text_of(message: email.message.Message) -> str:
    """Every text part, the delivery status and the returned headers, as one text."""
    parts = []
    for part in message.walk():
        if part.get_content_type() in ("message/delivery-status", "message/rfc822"):
            # Their fields (Status, the returned Message-ID) are headers of sub-parts.
            parts.append(part.as_string())
            continue
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
        elif isinstance(part.get_payload(), list):
            parts.append(str(part))
    return "\n".join(parts) or str(message)


def status_in(text: str, kind: str = "5") -> str:
    """The enhanced status code in a server's answer (``550 5.1.1 No such user``), or a
    permanent (``kind`` 5) or temporary (4) failure of unknown cause."""
    found = _STATUS.search(text)
    return ".".join(found.groups()) if found else f"{kind}.0.0"


def _status_of(text: str, kind: str) -> str:
    """The enhanced status code of the failure: the DSN's Status field, else the first
    one in the text, else a permanent or temporary failure of unknown cause."""
    field_status = re.search(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", text, re.MULTILINE)
    if field_status:
        return field_status.group(1)
    return status_in(text, kind)
