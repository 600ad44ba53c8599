"""The subscriber list and the delivery log: one SQLite database in the workspace
(``[delivery] database``, git-ignored: it is personal data), its schema versioned with
``PRAGMA user_version`` and migrated when it is opened.

Addresses are checked with email-validator (imported here and nowhere else; syntax
only, no DNS) and stored normalised, so one person is one row.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError

SCHEMA_VERSION = 2
STATUSES = ("active", "unsubscribed", "bounced")
SECRET_VARIABLE = "TRANSFLOW_SECRET"
_MIGRATIONS = {
    1: """
        CREATE TABLE subscribers (
            email TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            created TEXT NOT NULL
        );
        CREATE TABLE deliveries (
            week TEXT NOT NULL,
            lang TEXT NOT NULL,
            email TEXT NOT NULL,
            state TEXT NOT NULL,
            message_id TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            detail TEXT NOT NULL DEFAULT '',
            updated TEXT NOT NULL,
            PRIMARY KEY (week, lang, email)
        );
        CREATE TABLE test_sends (
            week TEXT NOT NULL,
            lang TEXT NOT NULL,
            email TEXT NOT NULL,
            sent TEXT NOT NULL
        );
    """,
    # Addresses compared as mail providers compare them (listmonk and Mailman too):
    # without regard to case. ``key`` is the address in lower case; ``email`` the first
    # spelling, for display; every spelling seen stays in ``spellings``, so that an
    # unsubscribe link made for any of them keeps working. Duplicates merge, the most
    # restrictive status winning. Deliveries are claimed by a run (``run``) before they
    # are sent, so that two runs at once never send the same message.
    2: """
        CREATE TABLE people (
            key TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            created TEXT NOT NULL
        );
        INSERT INTO people (key, email, name, languages, status, created)
            SELECT lower(email), email, name, languages, status, created FROM subscribers
            WHERE true ORDER BY created, rowid
            ON CONFLICT (key) DO UPDATE SET
                status = CASE WHEN 'unsubscribed' IN (people.status, excluded.status)
                              THEN 'unsubscribed'
                              WHEN 'bounced' IN (people.status, excluded.status) THEN 'bounced'
                              ELSE 'active' END,
                languages = people.languages || ' ' || excluded.languages,
                name = CASE WHEN people.name = '' THEN excluded.name ELSE people.name END;
        CREATE TABLE spellings (
            email TEXT PRIMARY KEY,
            key TEXT NOT NULL
        );
        INSERT OR IGNORE INTO spellings (email, key) SELECT email, lower(email) FROM subscribers;
        DROP TABLE subscribers;
        ALTER TABLE people RENAME TO subscribers;
        CREATE TABLE log (
            week TEXT NOT NULL,
            lang TEXT NOT NULL,
            email TEXT NOT NULL,
            state TEXT NOT NULL,
            message_id TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            detail TEXT NOT NULL DEFAULT '',
            updated TEXT NOT NULL,
            run TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (week, lang, email)
        );
        INSERT INTO log (week, lang, email, state, message_id, attempts, detail, updated)
            SELECT week, lang, lower(email), state, message_id, attempts, detail, updated
            FROM deliveries WHERE true
            ORDER BY CASE state WHEN 'sent' THEN 0 WHEN 'sending' THEN 1 WHEN 'failed' THEN 2
                                WHEN 'deferred' THEN 3 ELSE 4 END
            ON CONFLICT DO NOTHING;
        DROP TABLE deliveries;
        ALTER TABLE log RENAME TO deliveries;
    """,
}


class SubscriberError(TransflowError):
    """A subscriber, an address or an import cannot be used."""


@dataclass(frozen=True)
class Subscriber:
    email: str
    languages: tuple[str, ...]
    name: str = ""
    status: str = "active"
    created: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"email": self.email, "languages": list(self.languages), "name": self.name,
                "status": self.status, "created": self.created}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def database_path(config: Config) -> Path:
    return config.root / config.delivery.database


@contextmanager
def connect(config: Config) -> Iterator[sqlite3.Connection]:
    """The database, created or migrated to the current schema."""
    path = database_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise SubscriberError("is a folder, not the subscriber database; move it away",
                              config.rel(path))
    try:
        db = sqlite3.connect(path, timeout=30)
    except sqlite3.Error as exc:
        raise SubscriberError(f"the subscriber database cannot be opened ({exc})",
                              config.rel(path)) from None
    try:
        # WAL: a commit survives a crash or a kill of transflow (what the delivery log
        # must survive) without a disk flush per message.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SubscriberError(f"the database is of a newer transflow (schema {version}); "
                                  "upgrade transflow", config.rel(path))
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with db:
                db.executescript(_MIGRATIONS[target])
                db.execute(f"PRAGMA user_version = {target}")
        yield db
    except sqlite3.DatabaseError as exc:
        raise SubscriberError(f"the subscriber database cannot be used ({exc})",
                              config.rel(path)) from None
    finally:
        db.close()


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters and line separators: never in a name or an address (a CR or LF
in a header would end it, or fail to be written at all)."""


def normalise(address: str, where: str | None = None, line: int | None = None) -> str:
    """The address as stored (the domain in lower case), or an error saying why not."""
    from email_validator import EmailNotValidError, validate_email

    if _CONTROL.search(address.strip()):
        raise SubscriberError(f"{address.strip()[:80]!r} holds a control character or a "
                              "line break; an address cannot", where, line)
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise SubscriberError(f"{address.strip()[:80]!r} is not an email address ({exc})",
                              where, line) from None


def envelope_address(address: str) -> tuple[str, bool]:
    """How ``address`` is sent: its ASCII form (the domain IDNA-encoded) when there is
    one, else as it is, with True: only a server offering SMTPUTF8 can take it."""
    from email_validator import EmailNotValidError, validate_email

    try:
        found = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return address, not address.isascii()
    return (found.ascii_email, False) if found.ascii_email else (found.normalized, True)


def key_of(address: str) -> str:
    """What one person's addresses have in common: the address in lower case (mail
    providers do not tell ``Ala@`` from ``ala@``)."""
    return address.lower()


def checked_name(name: str, where: str | None = None, line: int | None = None) -> str:
    """A subscriber's name, refused when it holds a control character or a line break."""
    if _CONTROL.search(name):
        raise SubscriberError(f"the name {name[:40]!r} holds a control character or a line "
                              "break; give it on one line", where, line)
    return name.strip()


def _languages(config: Config, values: Iterable[str], where: str | None = None,
               line: int | None = None) -> tuple[str, ...]:
    langs = []
    for value in values:
        code = value.strip().lower()
        if not code:
            continue
        if code not in config.languages:
            raise SubscriberError(f"language '{code[:20]}' is not one of "
                                  f"{', '.join(config.languages)}", where, line)
        if code not in langs:
            langs.append(code)
    if not langs:
        raise SubscriberError("a subscriber needs at least one language", where, line)
    return tuple(langs)


def _row(row: Sequence[str]) -> Subscriber:
    return Subscriber(row[0], tuple(dict.fromkeys(row[2].split())), row[1], row[3], row[4])


def add(config: Config, email: str, languages: Sequence[str], name: str = "",
        status: str = "active") -> Subscriber:
    """Add a subscriber, or update the one with this address in any spelling (a
    duplicate is the same person; the first spelling stays the one shown)."""
    subscriber = Subscriber(normalise(email), _languages(config, languages),
                            checked_name(name), status)
    with connect(config) as db, db:
        _upsert(db, [subscriber])
    return get(config, subscriber.email) or subscriber


def _upsert(db: sqlite3.Connection, subscribers: Iterable[Subscriber]) -> None:
    for s in subscribers:
        db.execute(
            "INSERT INTO subscribers (key, email, name, languages, status, created) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "name = excluded.name, languages = excluded.languages, status = excluded.status",
            (key_of(s.email), s.email, s.name, " ".join(s.languages), s.status,
             s.created or now()))
        db.execute("INSERT OR IGNORE INTO spellings (email, key) VALUES (?, ?)",
                   (s.email, key_of(s.email)))


def get(config: Config, email: str) -> Subscriber | None:
    with connect(config) as db:
        row = db.execute("SELECT email, name, languages, status, created FROM subscribers "
                         "WHERE key = ?", (key_of(normalise(email)),)).fetchone()
    return _row(row) if row else None


def remove(config: Config, email: str) -> bool:
    """Delete a subscriber, every spelling of their address and their delivery log (a
    right to be forgotten)."""
    key = key_of(normalise(email))
    with connect(config) as db, db:
        gone = db.execute("DELETE FROM subscribers WHERE key = ?", (key,)).rowcount
        db.execute("DELETE FROM deliveries WHERE email = ?", (key,))
        db.execute("DELETE FROM spellings WHERE key = ?", (key,))
    return bool(gone)


def subscribers(config: Config, lang: str | None = None,
                status: str | None = None) -> tuple[Subscriber, ...]:
    with connect(config) as db:
        rows = db.execute("SELECT email, name, languages, status, created FROM subscribers "
                          "ORDER BY email").fetchall()
    found = [_row(r) for r in rows]
    return tuple(s for s in found if (lang is None or lang in s.languages)
                 and (status is None or s.status == status))


def secret() -> bytes:
    value = os.environ.get(SECRET_VARIABLE)
    if not value:
        raise SubscriberError(f"set {SECRET_VARIABLE} in the environment: unsubscribe links "
                              "are signed with it (keep it secret, keep it the same)")
    return value.encode("utf-8")


def token(email: str, key: bytes) -> str:
    """The subscriber's unsubscribe token: the address signed with the secret."""
    return hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def unsubscribe(config: Config, token_or_email: str) -> Subscriber:
    """Mark a subscriber unsubscribed (by address in any spelling, or by the token of a
    link made for any spelling of it)."""
    value = token_or_email.strip()
    if "@" in value:
        found = get(config, value)
    else:
        found = None
        signature = secret()
        wanted = value.lower().encode("utf-8")  # bytes: any text compares, none raises
        with connect(config) as db:
            spellings = db.execute("SELECT email, key FROM spellings").fetchall()
        owner = next((key for email, key in spellings if hmac.compare_digest(
            token(email, signature).encode("ascii"), wanted)), None)
        if owner is not None:
            found = get(config, owner)
    if found is None:
        raise SubscriberError(f"no subscriber with this {'address' if '@' in value else 'token'}")
    with connect(config) as db, db:
        db.execute("UPDATE subscribers SET status = 'unsubscribed' WHERE key = ?",
                   (key_of(found.email),))
    return Subscriber(found.email, found.languages, found.name, "unsubscribed", found.created)


# --- import and export --------------------------------------------------------------

# Column names of transflow's own format, and of listmonk's and Mailchimp's exports.
_COLUMNS = {
    "email": ("email", "email address", "e-mail", "email_address"),
    "languages": ("languages", "language", "lang", "attribs", "tags"),
    "name": ("name", "full name", "first name"),
    "status": ("status", "member_rating_status", "subscription status"),
}
_STATUS_WORDS = {"active": "active", "enabled": "active", "subscribed": "active",
                 "unsubscribed": "unsubscribed", "blocklisted": "unsubscribed",
                 "cleaned": "bounced", "bounced": "bounced", "": "active"}


def _column(header: Sequence[str], field: str) -> int | None:
    names = [h.strip().lower() for h in header]
    return next((names.index(n) for n in _COLUMNS[field] if n in names), None)


def read_csv(config: Config, text: str, shown: str) -> list[Subscriber]:
    """Every row of a CSV export, checked; a bad row is an error naming its line."""
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise SubscriberError(f"cannot be read as CSV ({exc}); a cell may be unclosed or "
                              "far too long", shown, reader.line_num) from None
    if not rows:
        raise SubscriberError("the file is empty; it needs a header line "
                              "email,languages,name,status", shown, 1)
    header = rows[0]
    email_at = _column(header, "email")
    langs_at = _column(header, "languages")
    if email_at is None or langs_at is None:
        raise SubscriberError("the header needs an email and a languages column "
                              "(email,languages,name,status)", shown, 1)
    name_at, status_at = _column(header, "name"), _column(header, "status")
    own = [h.strip().lower() for h in header] == list(_EXPORT_HEADER)
    found: dict[str, Subscriber] = {}  # by key: one person, however spelled
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at].strip() if at is not None and at < len(row) else ""

        email = normalise(cell(email_at), shown, number)
        languages = _languages(config, re.split(r"[\s|,;]+", cell(langs_at)), shown, number)
        word = cell(status_at).lower()
        if word not in _STATUS_WORDS:
            raise SubscriberError(f"status '{word[:20]}' is not one of {', '.join(STATUSES)}",
                                  shown, number)
        name = cell(name_at)
        if own and name.startswith("'"):
            name = name[1:]  # transflow's own export: the mark it put before the name
        name = checked_name(name, shown, number)
        known = found.get(key_of(email))
        found[key_of(email)] = Subscriber(known.email if known else email, languages, name,
                                          _STATUS_WORDS[word])
    return list(found.values())


def import_csv(config: Config, text: str, shown: str) -> int:
    """Import a CSV file, all rows or none; how many subscribers it holds."""
    rows = read_csv(config, text, shown)
    with connect(config) as db, db:
        _upsert(db, rows)
    return len(rows)


_EXPORT_HEADER = ("email", "languages", "name", "status", "created")
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")
"""How a cell a spreadsheet would run as a formula starts (OWASP's list), and the
apostrophe that neutralises it (so that a name that begins with one is marked too)."""


def export_csv(config: Config) -> str:
    """The list as CSV. A name a spreadsheet would take for a formula is written after an
    apostrophe (OWASP's rule); ``import`` of this export takes the apostrophe off again,
    so every name comes back exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_EXPORT_HEADER)
    for s in subscribers(config):
        name = f"'{s.name}" if s.name.startswith(_FORMULA) else s.name
        writer.writerow([s.email, " ".join(s.languages), name, s.status, s.created])
    return out.getvalue()
