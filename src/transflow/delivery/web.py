"""The subscription service: a WSGI application (``make_app``) that lets readers
subscribe, confirm, choose their languages and unsubscribe by themselves, on the
subscriber database that ``send`` uses.

Paths, under ``[site] base_url``: ``subscribe`` (POST), ``confirm``, ``unsubscribe``,
``preferences`` (GET shows a page with one button or a form; POST acts), ``privacy``.
No GET changes anything: mail scanners fetch every link. An unsubscribe is a POST that
answers 200 at once, without a redirect, whatever its body (RFC 8058 one-click, from a
mail client, or the page's button). The answer to ``subscribe`` is the same page
whatever the address's state: the request only records the wish, and the message it
asks for waits in the outbox, sent by the service's sender thread (``Outbox``), apart
from the request.

Every page is in the reader's language, through ui.po, in the site's templates.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from transflow.catalogs.model import Translations
from transflow.catalogs.ui import labels as ui_labels
from transflow.delivery import tokens
from transflow.delivery.subscribers import (
    Subscriber,
    SubscriberError,
    by_token,
    checked_name,
    connect,
    key_of,
    move,
    normalise,
    now,
    open_database,
    set_status,
)
from transflow.publish.render_html import render_template
from transflow.workspace.config import Config

MAX_BODY = 16 * 1024
"""Bytes of a request body read at most; a longer one is refused (413)."""
CONFIRMATIONS_PER_HOUR = 1
"""Confirmation messages to one address in an hour, at most: the form cannot be used
to flood a stranger's mailbox."""
CLIENT_LIMIT = (20, 600.0)
"""Subscribe requests one client may make, per seconds: more get 429 (behind the
reverse proxy, the client is what its X-Forwarded-For says: ``trusted_proxy``)."""
PURGE_PENDING_DAYS = 30
"""Unconfirmed subscriptions older than this are deleted."""
PATHS = ("subscribe", "confirm", "unsubscribe", "preferences", "address", "privacy")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_STATUS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found",
           405: "405 Method Not Allowed", 413: "413 Content Too Large",
           429: "429 Too Many Requests"}
_SECURITY = [
    # The pages hold no script and load nothing from elsewhere; their one <style> is
    # the site's stylesheet, allowed by its hash (never a per-response nonce).
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    policy: str = "default-src 'none'"
    """Its Content-Security-Policy."""


@cache
def _policy(styles: tuple[str, ...]) -> str:
    """A page's Content-Security-Policy: no script at all; styles only the page's own
    (the site's stylesheet), by their hash: the hash of what this page holds, so a
    stylesheet changed while the service runs is not refused."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in styles)
    return (f"default-src 'none'; style-src {hashes}; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class Service:
    """The service of one workspace: what each path answers."""

    def __init__(self, config: Config, outbox: Outbox | None = None) -> None:
        self.config = config
        self.outbox = outbox
        self.prefix = urlsplit(config.site.base_url or "/").path.rstrip("/") + "/"
        self._labels: dict[str, Translations] = {}
        self._lock = threading.Lock()
        self._clients: dict[str, list[float]] = {}
        self._local = threading.local()

    def database(self) -> sqlite3.Connection:
        """This thread's connection, opened once: a request does not pay for opening
        and checking the database."""
        found: sqlite3.Connection | None = getattr(self._local, "db", None)
        if found is None:
            found = self._local.db = open_database(self.config)
        return found

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse,
                 ) -> Iterable[bytes]:
        answer = self.answer(environ)
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(answer.body))), *_SECURITY,
                   ("Content-Security-Policy", answer.policy), *answer.headers]
        start_response(_STATUS[answer.status], headers)
        return [answer.body if environ.get("REQUEST_METHOD") != "HEAD" else b""]

    def handles(self, path: str) -> bool:
        return path.startswith(self.prefix) and path[len(self.prefix):] in PATHS

    def answer(self, environ: dict[str, Any]) -> Answer:
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        if not self.handles(path):
            return self.page(404, "not-found", self.config.languages[0])
        name = path[len(self.prefix):]
        if method not in ("GET", "HEAD", "POST"):
            return self.page(405, "not-found", self.config.languages[0])
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=20)
        form: dict[str, list[str]] = {}
        if method == "POST":
            try:
                form = read_form(environ)
            except BodyTooLarge:
                return self.page(413, "bad-request", self.config.languages[0])
            except ValueError:
                return self.page(400, "bad-request", self.config.languages[0])
        token = (query.get("token") or form.get("token") or [""])[0]
        if name == "privacy":
            return self.page(200, "privacy", self._lang(query.get("lang")))
        if name == "subscribe":
            if method != "POST":
                return self.page(200, "subscribe", self._lang(query.get("lang")))
            if not self._allowed(str(environ.get("REMOTE_ADDR", ""))):
                return self.page(429, "check-mailbox", self._lang(form.get("lang")))
            return self.subscribe(form)
        return self.by_token(name, method, token, form)

    # --- subscribing ---------------------------------------------------------------------

    def _allowed(self, client: str) -> bool:
        """Whether ``client`` may subscribe once more (``CLIENT_LIMIT``)."""
        most, seconds = CLIENT_LIMIT
        moment = time.monotonic()
        with self._lock:
            recent = [t for t in self._clients.get(client, []) if t > moment - seconds]
            if len(recent) >= most:
                self._clients[client] = recent
                return False
            self._clients[client] = [*recent, moment]
            if len(self._clients) > 10_000:  # forget the quiet ones
                self._clients = {c: t for c, t in self._clients.items()
                                 if t and t[-1] > moment - seconds}
            return True

    def subscribe(self, form: dict[str, list[str]]) -> Answer:
        """Record the wish and queue its message; the answer is the same whatever the
        address's state (and whether the address was valid at all)."""
        langs = [x for x in dict.fromkeys(form.get("lang", [])) if x in self.config.languages]
        lang = langs[0] if langs else self.config.languages[0]
        answer = self.page(200, "check-mailbox", lang)
        if form.get("website", [""])[0]:  # the hidden field only a robot fills
            return answer
        try:
            address = normalise(form.get("email", [""])[0][:320])
            name = checked_name(form.get("name", [""])[0][:200])
        except SubscriberError:
            return answer
        if not langs:
            return answer
        with connect(self.config, self.database()) as db:
            _wish(db, address, name, langs)
        if self.outbox is not None:
            self.outbox.wake()
        return answer

    # --- links with a token --------------------------------------------------------------

    def by_token(self, name: str, method: str, token: str, form: dict[str, list[str]],
                 ) -> Answer:
        try:
            with connect(self.config, self.database()) as db:
                if name == "address":
                    return self.new_address(db, method, token)
                found = by_token(db, token, name) if token else None
                if found is None:
                    return self.page(400, "bad-token", self.config.languages[0])
                lang = found.languages[0] if found.languages else self.config.languages[0]
                if method != "POST":  # a GET only shows the page and its button
                    return self.page(200, name, lang, token=token, subscriber=found)
                if name == "unsubscribe" or (name == "preferences"
                                             and "unsubscribe" in form):
                    set_status(db, found, "unsubscribed")
                    return self.page(200, "unsubscribed", lang)
                if name == "confirm":
                    if found.status not in ("pending", "active", "bouncing"):
                        # unsubscribed since the link was sent: a new wish asks again
                        return self.page(400, "bad-token", lang)
                    _confirm(db, found)
                    if self.outbox is not None:
                        self.outbox.wake()
                    return self.page(200, "confirmed", lang)
                return self.preferences(db, found, token, form)
        except tokens.NoSecret:
            return self.page(400, "bad-token", self.config.languages[0])

    def new_address(self, db: sqlite3.Connection, method: str, token: str) -> Answer:
        """A change of address, confirmed from the new address: GET shows its button,
        POST moves the subscription there."""
        change = tokens.read(token, "address", tokens.secrets_accepted()) if token else None
        found = db.execute("SELECT a.email, s.languages FROM address_changes a JOIN "
                           "subscribers s USING (key) WHERE a.id = ?",
                           (change,)).fetchone() if change else None
        if change is None or found is None:
            return self.page(400, "bad-token", self.config.languages[0])
        lang = (found[1].split() or [self.config.languages[0]])[0]
        if method != "POST":
            return self.page(200, "address", lang, token=token, new_address=found[0])
        if move(db, change) is None:
            return self.page(400, "bad-token", lang)
        return self.page(200, "address-moved", lang, new_address=found[0])

    def preferences(self, db: sqlite3.Connection, found: Subscriber, token: str,
                    form: dict[str, list[str]]) -> Answer:
        lang = found.languages[0] if found.languages else self.config.languages[0]
        if "new_email" in form:
            return self.change_address(db, found, token, form["new_email"][0], lang)
        if "download" in form:
            body = json.dumps(_stored(db, found), ensure_ascii=False, indent=1).encode()
            return Answer(200, body, (("Content-Type", "application/json; charset=utf-8"),
                                      ("Content-Disposition",
                                       'attachment; filename="subscription.json"')))
        langs = [x for x in dict.fromkeys(form.get("lang", [])) if x in self.config.languages]
        if not langs:
            return self.page(200, "preferences", lang, token=token, subscriber=found,
                             problem=True)
        with db:
            db.execute("UPDATE subscribers SET languages = ? WHERE key = ?",
                       (" ".join(langs), key_of(found.email)))
        updated = Subscriber(found.email, tuple(langs), found.name, found.status,
                             found.created, found.id)
        return self.page(200, "preferences", langs[0], token=token, subscriber=updated,
                         saved=True)

    def change_address(self, db: sqlite3.Connection, found: Subscriber, token: str,
                       asked: str, lang: str) -> Answer:
        """Ask the new address to confirm; nothing changes until it does."""
        try:
            address = normalise(asked[:320])
        except SubscriberError:
            return self.page(200, "preferences", lang, token=token, subscriber=found,
                             address_problem=True)
        key = key_of(found.email)
        with db:
            recent = db.execute("SELECT count(*) FROM outbox WHERE key = ? AND kind = "
                                "'address' AND created > ?", (key, now(ago=3600))).fetchone()[0]
            if recent < CONFIRMATIONS_PER_HOUR:
                change = secrets.token_hex(8)
                db.execute("INSERT INTO address_changes (id, key, email, created) VALUES "
                           "(?, ?, ?, ?)", (change, key, address, now()))
                db.execute("INSERT INTO outbox (kind, key, lang, created, ref) VALUES "
                           "('address', ?, ?, ?, ?)", (key, lang, now(), change))
        if self.outbox is not None:
            self.outbox.wake()
        return self.page(200, "address-sent", lang)

    # --- pages ---------------------------------------------------------------------------

    def _lang(self, asked: list[str] | None) -> str:
        wanted = (asked or [""])[0]
        return wanted if wanted in self.config.languages else self.config.languages[0]

    def labels(self, lang: str) -> Translations:
        with self._lock:  # one read of each ui.po, whatever the threads
            if lang not in self._labels:
                self._labels[lang] = ui_labels(self.config, lang)
            return self._labels[lang]

    def page(self, status: int, kind: str, lang: str, **context: object) -> Answer:
        config = self.config
        root = self.prefix
        html = render_template(config.template_path, "service.html", {
            "kind": kind, "lang": lang, "title": config.publication.title[lang],
            "organisation": config.publication.organisation.get(lang, ""), "logo": None,
            "root": root, "here": "", "base_url": None, "subscribe_url": None,
            "languages": [(code, _language_name(code)) for code in config.languages],
            "action": {name: f"{root}{name}" for name in PATHS},
            "confirm_days": tokens.CONFIRM_DAYS, "purge_days": PURGE_PENDING_DAYS,
            "token": "", "subscriber": None, "saved": False, "problem": False,
            "address_problem": False, "new_address": "",
            **context}, self.labels(lang), lang, stylesheet=True)
        return Answer(status, html.encode("utf-8"), policy=_policy(
            tuple(re.findall(r"<style>(.*?)</style>", html, re.S))))


def _language_name(code: str) -> str:
    from transflow.workspace.lang import language_label

    return language_label(code)


class BodyTooLarge(ValueError):
    pass


def read_form(environ: dict[str, Any]) -> dict[str, list[str]]:
    """A POST's fields, ``application/x-www-form-urlencoded`` or ``multipart/form-data``
    (RFC 8058 allows both); a body over ``MAX_BODY`` raises ``BodyTooLarge``."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValueError("bad Content-Length") from None
    if length > MAX_BODY:
        raise BodyTooLarge
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    kind = environ.get("CONTENT_TYPE", "")
    if kind.startswith("multipart/form-data"):
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode("latin-1") + body)
        fields: dict[str, list[str]] = {}
        for part in parsed.iter_parts() if parsed.is_multipart() else ():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                payload = part.get_payload(decode=True)
                value = payload.decode("utf-8", "replace") if isinstance(payload,
                                                                         bytes) else ""
                fields.setdefault(name, []).append(value)
        return fields
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                    max_num_fields=50)


# --- the database side ----------------------------------------------------------------

def _wish(db: sqlite3.Connection, address: str, name: str, langs: list[str]) -> None:
    """Record a wish to subscribe and queue its message: a confirmation for anyone not
    active (pending, unsubscribed, bouncing, unknown), a link to the preferences for an
    active subscriber. At most one such message an hour per address."""
    key = key_of(address)
    with db:
        found = db.execute("SELECT status FROM subscribers WHERE key = ?", (key,)).fetchone()
        if found is None:
            db.execute("INSERT INTO subscribers (key, email, name, languages, status, created, "
                       "id) VALUES (?, ?, ?, ?, 'pending', ?, lower(hex(randomblob(8))))",
                       (key, address, name, " ".join(langs), now()))
            db.execute("INSERT OR IGNORE INTO spellings (email, key) VALUES (?, ?)",
                       (address, key))
        elif found[0] != "active":
            # Wanted again (or other languages): asked to confirm; the status stays
            # until the confirmation, so nothing is sent meanwhile.
            db.execute("UPDATE subscribers SET languages = ?, status = CASE status WHEN "
                       "'unsubscribed' THEN 'pending' ELSE status END WHERE key = ?",
                       (" ".join(langs), key))
        kind = "preferences" if found is not None and found[0] == "active" else "confirm"
        recent = db.execute("SELECT count(*) FROM outbox WHERE key = ? AND kind IN "
                            "('confirm', 'preferences') AND created > ?",
                            (key, now(ago=3600))).fetchone()[0]
        if recent < CONFIRMATIONS_PER_HOUR:
            db.execute("INSERT INTO outbox (kind, key, lang, created) VALUES (?, ?, ?, ?)",
                       (kind, key, langs[0], now()))


def _confirm(db: sqlite3.Connection, found: Subscriber) -> None:
    with db:
        consent = json.dumps({"confirmed": now(), "languages": list(found.languages),
                              "by": "the confirmation link"})
        db.execute("UPDATE subscribers SET status = 'active', consent = ? WHERE key = ?",
                   (consent, key_of(found.email)))
        db.execute("INSERT INTO outbox (kind, key, lang, created) VALUES ('welcome', ?, ?, ?)",
                   (key_of(found.email), found.languages[0], now()))


def _stored(db: sqlite3.Connection, found: Subscriber) -> dict[str, object]:
    """Everything kept about a subscriber, as they may download it."""
    key = key_of(found.email)
    consent = db.execute("SELECT consent FROM subscribers WHERE key = ?", (key,)).fetchone()
    return {
        **found.as_dict(),
        "consent": json.loads(consent[0]) if consent and consent[0] else None,
        "spellings": [r[0] for r in db.execute(
            "SELECT email FROM spellings WHERE key = ?", (key,))],
        "deliveries": [dict(zip(("week", "lang", "state", "updated"), r, strict=True))
                       for r in db.execute("SELECT week, lang, state, updated FROM "
                                           "deliveries WHERE email = ? ORDER BY week", (key,))],
    }


def purge_pending(db: sqlite3.Connection) -> int:
    """Delete the subscriptions never confirmed within ``PURGE_PENDING_DAYS``."""
    with db:
        old = [r[0] for r in db.execute(
            "SELECT key FROM subscribers WHERE status = 'pending' AND created < ?",
            (now(ago=PURGE_PENDING_DAYS * 86400),))]
        for key in old:
            db.execute("DELETE FROM subscribers WHERE key = ?", (key,))
            db.execute("DELETE FROM spellings WHERE key = ?", (key,))
            db.execute("DELETE FROM outbox WHERE key = ?", (key,))
    return len(old)


# --- the outbox -------------------------------------------------------------------------

class Outbox:
    """Sends what the service queued (confirmations, links to preferences, welcomes),
    in a thread of its own: a request never waits for a mail server."""

    def __init__(self, config: Config, interval: float = 30.0) -> None:
        self.config = config
        self.interval = interval
        self._event = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged = 0.0
        self.problems: list[str] = []

    def wake(self) -> None:
        self._event.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._event.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception as exc:  # the service keeps answering; the next turn retries
                self.problems.append(f"{type(exc).__name__}: {exc}")
            self._event.wait(self.interval)
            self._event.clear()

    def drain(self) -> int:
        """Send every message waiting; the number sent."""
        from transflow.delivery.mailing import send_waiting

        with connect(self.config) as db:
            if time.monotonic() - self._purged > 3600 or not self._purged:
                purge_pending(db)  # a scan of the list: once an hour is enough
                self._purged = time.monotonic()
            return send_waiting(self.config, db)


def make_app(config: Config, outbox: Outbox | None = None) -> Service:
    """The service of the workspace ``config`` as a WSGI application; ``outbox``: the
    sender of its messages (without one, they wait in the database)."""
    return Service(config, outbox)

