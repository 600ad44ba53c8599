"""The subscriber list and the delivery log: one SQLite database in the workspace
(``[delivery] database``, git-ignored: it is personal data), its schema versioned with
``PRAGMA user_version`` and migrated when it is opened.

Addresses are checked with email-validator (imported here and nowhere else; syntax
only, no DNS) and stored normalised, so one person is one row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from transflow.delivery import tokens
from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError

SCHEMA_VERSION = 3
STATUSES = ("pending", "active", "unsubscribed", "bouncing")
"""pending: asked through the service, not confirmed (receives nothing); bouncing: its
mail keeps failing (receives nothing until it confirms again)."""
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
    # Subscribers are named in links by a random id (never by address), found through
    # an index; the tokens of messages sent before (the address signed) are found
    # through legacy_tokens. The service's messages (confirmations, welcomes) wait in
    # the outbox until its sender takes them; ``consent`` is the proof of a
    # confirmation (when, from which page, for which languages).
    3: """
        ALTER TABLE subscribers ADD COLUMN id TEXT;
        ALTER TABLE subscribers ADD COLUMN consent TEXT NOT NULL DEFAULT '';
        UPDATE subscribers SET id = lower(hex(randomblob(8)));
        UPDATE subscribers SET status = 'bouncing' WHERE status = 'bounced';
        CREATE UNIQUE INDEX subscribers_id ON subscribers (id);
        CREATE TABLE legacy_tokens (
            token TEXT PRIMARY KEY,
            key TEXT NOT NULL
        );
        CREATE TABLE legacy_indexed (
            email TEXT NOT NULL,
            secret TEXT NOT NULL,
            PRIMARY KEY (email, secret)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            lang TEXT NOT NULL,
            created TEXT NOT NULL,
            sent TEXT,
            detail TEXT NOT NULL DEFAULT '',
            ref TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE address_changes (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            email TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE INDEX outbox_waiting ON outbox (sent, id);
        CREATE TABLE bounces (
            key TEXT NOT NULL,
            at TEXT NOT NULL,
            status TEXT NOT NULL,
            soft INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX bounces_key ON bounces (key, at);
        CREATE TABLE mail_seen (
            digest TEXT PRIMARY KEY,
            seen TEXT NOT NULL
        );
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
    id: str = ""
    """Random: what the links of this subscriber's messages name."""

    def as_dict(self) -> dict[str, object]:
        return {"email": self.email, "languages": list(self.languages), "name": self.name,
                "status": self.status, "created": self.created}


def now(ago: float = 0.0) -> str:
    """The time, or the time ``ago`` seconds back, as the database keeps times."""
    return timestamp(datetime.now(UTC) - timedelta(seconds=ago))


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def database_path(config: Config) -> Path:
    return config.root / config.delivery.database


def open_database(config: Config) -> sqlite3.Connection:
    """A connection to the database, created or migrated to the current schema (the
    caller closes it; ``connect`` does, for a block)."""
    path = database_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise SubscriberError("is a folder, not the subscriber database; move it away",
                              config.rel(path))
    try:
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    except sqlite3.Error as exc:
        raise SubscriberError(f"the subscriber database cannot be opened ({exc})",
                              config.rel(path)) from None
    try:
        # WAL: a commit survives a crash or a kill of transflow (what the delivery log
        # must survive) without a disk flush per message.
        _write_ahead(db)
        db.execute("PRAGMA synchronous = NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            _migrate(db, config.rel(path))
    except sqlite3.DatabaseError as exc:
        db.close()
        raise SubscriberError(f"the subscriber database cannot be used ({exc})",
                              config.rel(path)) from None
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def connect(config: Config, db: sqlite3.Connection | None = None,
            ) -> Iterator[sqlite3.Connection]:
    """The database for a block (``db``: a connection kept open by the caller, used
    and not closed); its errors become ``SubscriberError``."""
    own = db is None
    db = db or open_database(config)
    try:
        yield db
    except sqlite3.DatabaseError as exc:
        raise SubscriberError(f"the subscriber database cannot be used ({exc})",
                              config.rel(database_path(config))) from None
    finally:
        if own:
            db.close()


def _write_ahead(db: sqlite3.Connection) -> None:
    """WAL, set once, when the file is new. Changing the journal mode needs the
    database to itself and SQLite does not wait for that (no busy handler): while the
    service and ``send`` open a new database at once, it is tried again."""
    for attempt in itertools.count():
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt >= 200:
                raise
            time.sleep(0.05)


def _migrate(db: sqlite3.Connection, shown: str) -> None:
    """Bring the database to the current schema, in one transaction that holds the
    write lock: two processes (the service and ``send``) opening an older database at
    once migrate it once."""
    previous = db.isolation_level
    db.isolation_level = None  # the transaction is spelled out: DDL inside it
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SubscriberError(f"the database is of a newer transflow (schema "
                                      f"{version}); upgrade transflow", shown)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.isolation_level = previous


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


COLUMNS = "email, name, languages, status, created, id"
"""What ``row`` reads, in its order."""


def row(found: Sequence[str]) -> Subscriber:
    return Subscriber(found[0], tuple(dict.fromkeys(found[2].split())), found[1], found[3],
                      found[4], found[5] or "")


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
            "INSERT INTO subscribers (key, email, name, languages, status, created, id) "
            "VALUES (?, ?, ?, ?, ?, ?, lower(hex(randomblob(8)))) ON CONFLICT (key) DO UPDATE SET "
            "name = excluded.name, languages = excluded.languages, status = excluded.status",
            (key_of(s.email), s.email, s.name, " ".join(s.languages), s.status,
             s.created or now()))
        db.execute("INSERT OR IGNORE INTO spellings (email, key) VALUES (?, ?)",
                   (s.email, key_of(s.email)))


def get(config: Config, email: str) -> Subscriber | None:
    with connect(config) as db:
        found = db.execute(f"SELECT {COLUMNS} FROM subscribers WHERE key = ?",
                           (key_of(normalise(email)),)).fetchone()
    return row(found) if found else None


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
        rows = db.execute(f"SELECT {COLUMNS} FROM subscribers ORDER BY email").fetchall()
    found = [row(r) for r in rows]
    return tuple(s for s in found if (lang is None or lang in s.languages)
                 and (status is None or s.status == status))


def status_counts(config: Config) -> dict[str, int]:
    """How many subscribers are in each state (none, without a database)."""
    if not database_path(config).exists():
        return {}
    with connect(config) as db:
        found = dict(db.execute("SELECT status, count(*) FROM subscribers GROUP BY status"))
    return {state: found.get(state, 0) for state in STATUSES}


def by_token(db: sqlite3.Connection, token: str, purpose: str) -> Subscriber | None:
    """The subscriber a link's token names, when it is valid for ``purpose``; an
    unsubscribe token of a message sent before tokens had purposes too."""
    keys = tokens.secrets_accepted()
    if (found := tokens.read(token, purpose, keys)) is not None:
        hit = db.execute(f"SELECT {COLUMNS} FROM subscribers WHERE id = ?", (found,)).fetchone()
        return row(hit) if hit else None
    if purpose != "unsubscribe" or not tokens.LEGACY.fullmatch(token):
        return None
    index_legacy_tokens(db, keys)
    hit = db.execute(f"SELECT {COLUMNS} FROM subscribers JOIN legacy_tokens USING (key) "
                     "WHERE token = ?", (token,)).fetchone()
    return row(hit) if hit else None


def index_legacy_tokens(db: sqlite3.Connection, keys: Sequence[bytes]) -> None:
    """Index the old unsubscribe token of every spelling of every address under each
    secret, once: a request then finds its subscriber without an HMAC per subscriber."""
    for key in keys:
        which = hashlib.sha256(key).hexdigest()[:16]
        missing = db.execute("SELECT email, key FROM spellings WHERE email NOT IN "
                             "(SELECT email FROM legacy_indexed WHERE secret = ?)",
                             (which,)).fetchall()
        if missing:
            with db:
                db.executemany("INSERT OR IGNORE INTO legacy_tokens (token, key) VALUES (?, ?)",
                               [(tokens.legacy(email, key), owner) for email, owner in missing])
                db.executemany("INSERT OR IGNORE INTO legacy_indexed (email, secret) "
                               "VALUES (?, ?)", [(email, which) for email, _ in missing])


def move(db: sqlite3.Connection, change: str) -> Subscriber | None:
    """Apply a confirmed change of address (``address_changes``): the subscriber, their
    log, their bounces and every spelling they had (old links still unsubscribe them)
    now go by the new address. None when the change is gone, or the new address is
    another subscriber's meanwhile."""
    with db:
        found = db.execute("SELECT key, email FROM address_changes WHERE id = ?",
                           (change,)).fetchone()
        if found is None:
            return None
        old, new_email = found
        new = key_of(new_email)
        taken = db.execute("SELECT 1 FROM subscribers WHERE key = ?", (new,)).fetchone()
        db.execute("DELETE FROM address_changes WHERE id = ?", (change,))
        if taken is not None and new != old:
            return None
        db.execute("UPDATE subscribers SET key = ?, email = ? WHERE key = ?",
                   (new, new_email, old))
        for table, column in (("deliveries", "email"), ("spellings", "key"),
                              ("legacy_tokens", "key"), ("bounces", "key"),
                              ("outbox", "key")):
            db.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?",
                       (new, old))
        db.execute("INSERT OR IGNORE INTO spellings (email, key) VALUES (?, ?)",
                   (new_email, new))
        hit = db.execute(f"SELECT {COLUMNS} FROM subscribers WHERE key = ?", (new,)).fetchone()
    return row(hit) if hit else None


def set_status(db: sqlite3.Connection, subscriber: Subscriber, status: str) -> Subscriber:
    with db:
        db.execute("UPDATE subscribers SET status = ? WHERE key = ?",
                   (status, key_of(subscriber.email)))
    return replace(subscriber, status=status)


def unsubscribe(config: Config, token_or_email: str) -> Subscriber:
    """Mark a subscriber unsubscribed (by address in any spelling, or by the token of a
    link sent to them)."""
    value = token_or_email.strip()
    with connect(config) as db:
        if "@" in value:
            hit = db.execute(f"SELECT {COLUMNS} FROM subscribers WHERE key = ?",
                             (key_of(normalise(value)),)).fetchone()
            found = row(hit) if hit else None
        else:
            found = by_token(db, value, "unsubscribe")
        if found is None:
            raise SubscriberError(
                f"no subscriber with this {'address' if '@' in value else 'token'}")
        return set_status(db, found, "unsubscribed")


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
                 "cleaned": "bouncing", "bounced": "bouncing", "bouncing": "bouncing",
                 "pending": "pending", "unconfirmed": "pending", "": "active"}


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
