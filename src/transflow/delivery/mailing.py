"""The service's own messages, sent from the outbox: the confirmation of a
subscription (with its signed link, in the reader's language), the link to the
preferences for a reader already subscribed, and the welcome that carries the latest
published bulletin of each language chosen (logged like ``send``'s deliveries, so
that week's ``send`` does not mail it again)."""

from __future__ import annotations

import hashlib
import sqlite3
from email.utils import make_msgid

from transflow.catalogs.ui import labels as ui_labels
from transflow.delivery import tokens
from transflow.delivery.message import (
    Recipient,
    addressed,
    as_bytes,
    build_message,
    domain_of,
    edition,
    message_id,
)
from transflow.delivery.subscribers import COLUMNS, Subscriber, envelope_address, now, row
from transflow.delivery.transports import Connection, Deferred, Lost, Rejected, open_transport
from transflow.publish.editions import pdf_name
from transflow.publish.manifest import published
from transflow.publish.render_html import render_template
from transflow.sources.commentary import list_weeks
from transflow.workspace.config import Config


def send_waiting(config: Config, db: sqlite3.Connection) -> int:
    """Send what waits in the outbox, oldest first; the number of messages sent. A
    deferred message waits for the next turn; one refused or lost is not tried again
    (its row says why)."""
    waiting = db.execute("SELECT id, kind, key, lang, ref FROM outbox WHERE sent IS NULL "
                         "ORDER BY id").fetchall()
    if not waiting:
        return 0
    key = tokens.secret()
    connection = open_transport(config.delivery)
    sent = 0
    try:
        for number, kind, owner, lang, ref in waiting:
            hit = db.execute(f"SELECT {COLUMNS} FROM subscribers WHERE key = ?",
                             (owner,)).fetchone()
            detail = ""
            if hit is None:
                detail = "no such subscriber any more"
            else:
                try:
                    sent += _send(config, db, connection, kind, row(hit), lang, key, ref)
                except Deferred as exc:
                    with db:
                        db.execute("UPDATE outbox SET detail = ? WHERE id = ?",
                                   (f"deferred: {exc}", number))
                    continue
                except (Rejected, Lost) as exc:
                    detail = f"{type(exc).__name__.lower()}: {exc}"
            with db:
                db.execute("UPDATE outbox SET sent = ?, detail = ? WHERE id = ?",
                           (now(), detail, number))
    finally:
        connection.close()
    return sent


def _send(config: Config, db: sqlite3.Connection, connection: Connection, kind: str,
          subscriber: Subscriber, lang: str, key: bytes, ref: str = "") -> int:
    if kind == "welcome":
        return _welcome(config, db, connection, subscriber, key)
    if kind == "confirm" and subscriber.status == "active":
        return 0  # confirmed meanwhile
    address = subscriber.email
    if kind == "address":  # the confirmation goes to the new address
        found = db.execute("SELECT email FROM address_changes WHERE id = ?", (ref,)).fetchone()
        if found is None:
            return 0  # confirmed or gone meanwhile
        address = found[0]
    data = notice(config, kind, subscriber, lang, key, ref, address)
    to, utf8 = envelope_address(address)
    connection.send(config.delivery.sender or "", to, data, smtputf8=utf8)
    return 1


def notice(config: Config, kind: str, subscriber: Subscriber, lang: str,
           key: bytes, ref: str = "", to: str | None = None) -> bytes:
    """A confirmation (``confirm``), a link to the preferences (``preferences``) or the
    confirmation of a new address (``address``, sent ``to`` it), in ``lang``."""
    sender = config.delivery.sender or ""
    base = config.site.base_url or ""
    purpose = kind if kind in ("confirm", "address") else "preferences"
    link = f"{base}{purpose}?token={tokens.make(purpose, ref or subscriber.id, key)}"
    unsubscribe = f"{base}unsubscribe?token={tokens.make('unsubscribe', subscriber.id, key)}"
    labels = ui_labels(config, lang)
    title = config.publication.title[lang]
    text = render_template(config.template_path, "email_notice.txt", {
        "kind": kind, "link": link, "title": title, "days": tokens.CONFIRM_DAYS,
        "unsubscribe_url": unsubscribe}, labels, lang, html=False)
    subject = text.split("\n", 1)[0].strip()
    body = text.split("\n", 1)[1].lstrip("\n") if "\n" in text else ""
    msg = addressed(config, to or subscriber.email, subscriber.name, subject, lang)
    msg["Message-ID"] = make_msgid(
        hashlib.sha256(f"{kind}{subscriber.id}".encode()).hexdigest()[:12], domain_of(sender))
    msg["Auto-Submitted"] = "auto-generated"  # no vacation replies to a confirmation
    msg.set_content(body)
    msg["Content-Language"] = lang  # after set_content, which rewrites Content-*
    return as_bytes(config, msg)


def _welcome(config: Config, db: sqlite3.Connection, connection: Connection,
             subscriber: Subscriber, key: bytes) -> int:
    """The latest published bulletin of each language the subscriber chose, logged as
    delivered, unless that week's delivery already reached them."""
    done = 0
    weeks = list(reversed(list_weeks(config)))
    for lang in subscriber.languages:
        for week in weeks:
            found = published(config, week, lang, pdf_name(config, week, lang))
            if found.pdf is None:
                continue
            if not found.current:
                break  # the latest is being rebuilt: no older one instead
            e = edition(config, week, lang, found.pdf)
            owner = subscriber.email.lower()
            mid = message_id(e, owner, config.delivery.sender or "", key)
            with db:
                taken = db.execute(
                    "INSERT INTO deliveries (week, lang, email, state, message_id, attempts, "
                    "detail, updated, run) SELECT ?, ?, ?, 'sending', ?, 1, 'welcome', ?, "
                    "'welcome' WHERE EXISTS (SELECT 1 FROM subscribers WHERE key = ? AND "
                    "status = 'active') ON CONFLICT DO NOTHING",
                    (str(week), lang, owner, mid, now(), owner)).rowcount
            if taken:
                to, utf8 = envelope_address(subscriber.email)
                data = as_bytes(config, build_message(
                    config, e, Recipient(subscriber.email, subscriber.name, subscriber.id),
                    key, to=to))
                try:
                    connection.send(config.delivery.sender or "", to, data,
                                    smtputf8=utf8)
                except (Deferred, Rejected) as exc:
                    with db:
                        db.execute("UPDATE deliveries SET state = ?, detail = ? WHERE week = ? "
                                   "AND lang = ? AND email = ?",
                                   ("deferred" if isinstance(exc, Deferred) else "failed",
                                    str(exc), str(week), lang, owner))
                    break
                with db:
                    db.execute("UPDATE deliveries SET state = 'sent' WHERE week = ? AND lang = ? "
                               "AND email = ?", (str(week), lang, owner))
                done += 1
            break
    return done
