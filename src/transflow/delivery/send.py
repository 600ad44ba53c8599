"""``transflow send``: the week's published bulletins to every active subscriber, in
each of their languages, exactly once as far as SMTP allows.

The delivery log holds one row per (week, language, subscriber): pending → claimed →
sending → sent; or deferred (4xx: retried a few times, then left for the next run), or
failed (5xx for that recipient, or a message that could not be made). A run claims a
row in one transaction before it talks to the server, naming itself in it: two runs
at once (an editor's and a cron job's) never both send the same message, and neither
holds the workspace lock, which would stop update and build for minutes. A claim of
a run that died is released by the next run. "sending" is committed before DATA and
"sent" right after the server's 250: a run killed between the two leaves "sending",
which the next run reports as uncertain and does not resend unless asked
(``resend_uncertain``).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from transflow.delivery.bounces import record_bounce, status_in
from transflow.delivery.message import (
    Edition,
    Recipient,
    as_bytes,
    build_message,
    edition,
    issue_of,
    message_id,
)
from transflow.delivery.subscribers import (
    SubscriberError,
    connect,
    envelope_address,
    key_of,
    now,
    subscribers,
)
from transflow.delivery.tokens import secret
from transflow.delivery.transports import Deferred, Lost, Rejected, open_transport
from transflow.publish.editions import pdf_name
from transflow.publish.manifest import published
from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError
from transflow.workspace.progress import Progress
from transflow.workspace.weeks import Week

if TYPE_CHECKING:
    from email.message import EmailMessage

STATES = ("pending", "sending", "sent", "deferred", "failed")
RETRIES = 3
"""Attempts at a deferred message within one run, with backoff, before the next run."""
BACKOFF = 1.0


class NotCurrent(TransflowError):
    """A bulletin to send is missing or older than the workspace."""


@dataclass
class LanguageResult:
    lang: str
    sent: int = 0
    already: int = 0
    deferred: int = 0
    failed: int = 0
    uncertain: int = 0
    elsewhere: int = 0
    """Claimed by another run going on at the same time (it sends them)."""
    left: int = 0
    """Unsubscribed (or bouncing) while this run went on: not sent."""
    not_published: str = ""
    """Why nothing was sent in this language (no bulletin this week), or empty."""

    @property
    def line(self) -> str:
        if self.not_published:
            return f"{self.lang}: nothing sent: {self.not_published}"
        line = (f"{self.lang}: {self.sent} sent, {self.already} already sent, "
                f"{self.deferred} deferred, {self.failed} failed, {self.uncertain} uncertain")
        if self.elsewhere:
            line += f", {self.elsewhere} sent by another run at the same time"
        return line + (f", {self.left} unsubscribed meanwhile" if self.left else "")


@dataclass(frozen=True)
class SendReport:
    week: Week
    results: tuple[LanguageResult, ...]
    dry_run: bool = False
    planned: tuple[tuple[str, int], ...] = ()
    """A dry run: messages per language."""
    sample: str = ""
    """A dry run: one whole message (headers and text part)."""
    test_copies: tuple[str, ...] = ()
    stopped: bool = False
    failures: tuple[str, ...] = field(default=())

    @property
    def problem(self) -> str | None:
        failed = sum(r.failed for r in self.results)
        uncertain = sum(r.uncertain for r in self.results)
        if not failed and not uncertain:
            return None
        parts = []
        if failed:
            parts.append(f"{failed} message(s) refused by the server or not made")
        if uncertain:
            parts.append(f"{uncertain} message(s) uncertain (the run was cut while sending: "
                         "check the mailbox, or send them again with --resend-uncertain)")
        return "; ".join(parts)


# --- the plan ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    lang: str
    email: str
    name: str
    state: str | None
    """The row of the delivery log, if any."""
    id: str = ""
    """The subscriber's id, which the message's links name."""


def _editions(config: Config, week: Week, languages: Sequence[str],
              ) -> tuple[dict[str, Edition], dict[str, str]]:
    """The current published bulletin of each language; why a language has none. A
    bulletin that exists but is stale stops everything: nothing is sent."""
    editions, missing = {}, {}
    stale: list[tuple[str, str]] = []
    for lang in languages:
        name = pdf_name(config, week, lang)
        # By content, not by the build's record of sizes and times: a catalog changed
        # to the same size with its time put back must not go out as it was. Sending
        # is the last step before the inbox; a week's few files hash in milliseconds.
        found = published(config, week, lang, name)
        if found.current and found.pdf is not None:
            editions[lang] = edition(config, week, lang, found.pdf)
        elif found.reason == "not built" and found.pdf is None:
            missing[lang] = "no bulletin was published this week"
        else:
            stale.append((lang, found.reason))
    if stale:
        # Every language the editor must build again, not the first alone.
        langs = " and ".join(lang for lang, _ in stale)
        reasons = ([stale[0][1]] if len({r for _, r in stale}) == 1
                   else [f"{lang}: {reason}" for lang, reason in stale])
        again = " ".join(f"--lang {lang}" for lang, _ in stale)
        raise NotCurrent(
            f"the {langs} {'bulletin' if len(stale) == 1 else 'bulletins'} of {week} "
            f"{'is' if len(stale) == 1 else 'are'} not current ({'; '.join(reasons)}); run "
            f"transflow build --week {week} {again}, then send again; nothing was sent")
    return editions, missing


def _plan(db: sqlite3.Connection, config: Config, issue: str,
          languages: Sequence[str], received: str | None = None) -> list[Delivery]:
    """Every message of ``issue`` to an active subscriber, with its row of the log;
    ``received``: only to those the log says received that issue (a correction goes to
    the readers of what it corrects)."""
    rows = {}
    for lang, email, state, run, updated in db.execute(
            "SELECT lang, email, state, run, updated FROM deliveries WHERE week = ?",
            (issue,)):
        if state in ("claimed", "sending") and run and not _dead(run, updated):
            state = "elsewhere"  # another run is sending it right now
        rows[lang, email] = state
    readers = None if received is None else set(db.execute(
        "SELECT lang, email FROM deliveries WHERE week = ? AND state = 'sent'", (received,)))
    return [Delivery(lang, s.email, s.name, rows.get((lang, key_of(s.email))), s.id)
            for s in subscribers(config, status="active") for lang in s.languages
            if lang in languages and (readers is None or (lang, key_of(s.email)) in readers)]


def run_name() -> str:
    """This run, as its claims name it: host, process and start."""
    return f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"


_running: set[str] = set()
"""The runs under way in this process."""

CLAIM_LEASE = 15 * 60
"""Seconds after which a claim is taken for abandoned whoever made it (a claim lasts
from before MAIL FROM to DATA: seconds, unless its run died)."""


def _dead(run: str, updated: str) -> bool:
    """Whether the run that made a claim is gone: a process of this host that no longer
    exists, or a claim older than the lease."""
    host, _, rest = run.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid == str(os.getpid()):
        return run not in _running  # an earlier run of this same process has ended
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    try:
        age = time.time() - datetime.strptime(updated, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC).timestamp()
    except ValueError:
        return True
    return age > CLAIM_LEASE


def _release_abandoned(db: sqlite3.Connection, week: str) -> int:
    """Claims of runs that died before they reached the server go back to pending."""
    released = 0
    for run, updated in db.execute("SELECT DISTINCT run, updated FROM deliveries WHERE "
                                   "week = ? AND state = 'claimed'", (str(week),)).fetchall():
        if _dead(run, updated):
            with db:
                released += db.execute(
                    "UPDATE deliveries SET state = 'pending', run = '' WHERE week = ? AND "
                    "state = 'claimed' AND run = ?", (str(week), run)).rowcount
    return released


def _claim(db: sqlite3.Connection, week: str, lang: str, key: str, mid: str, run: str,
           resend_uncertain: Sequence[str]) -> bool:
    """Take the row for this run, in one transaction; False when another run has it or
    it needs no sending (sent, failed, uncertain). ``resend_uncertain``: the runs, gone,
    whose "sending" rows may be taken again (empty: none)."""
    # Only while the subscriber is active, in the same statement: an unsubscribe
    # committed before it (and answered) is never followed by a claim.
    with db:
        cursor = db.execute(
            "INSERT INTO deliveries (week, lang, email, state, message_id, attempts, detail, "
            "updated, run) SELECT ?, ?, ?, 'claimed', ?, 0, '', ?, ? WHERE EXISTS "
            "(SELECT 1 FROM subscribers WHERE key = ? AND status = 'active') "
            "ON CONFLICT (week, lang, email) DO UPDATE SET state = 'claimed', "
            "run = excluded.run, updated = excluded.updated "
            "WHERE deliveries.state IN ('pending', 'deferred') "
            "OR (deliveries.state = 'sending' AND ? AND (deliveries.run = '' "
            "    OR deliveries.run IN (SELECT value FROM json_each(?)))) "
            "OR (deliveries.state = 'claimed' AND deliveries.run = excluded.run)",
            (str(week), lang, key, mid, now(), run, key, bool(resend_uncertain),
             json.dumps(list(resend_uncertain))))
        return cursor.rowcount == 1


def _still_active(db: sqlite3.Connection, email: str) -> bool:
    found = db.execute("SELECT status FROM subscribers WHERE key = ?",
                       (key_of(email),)).fetchone()
    return found is not None and found[0] == "active"


def _uncertain_runs(db: sqlite3.Connection, week: str) -> list[str]:
    """The runs that left messages "sending" and are gone: theirs may be sent again."""
    return [run for run, updated in db.execute(
        "SELECT DISTINCT run, max(updated) FROM deliveries WHERE week = ? AND state = "
        "'sending' GROUP BY run", (str(week),)) if run and _dead(run, updated)]


# --- the run --------------------------------------------------------------------------------

def _log(db: sqlite3.Connection, week: str, lang: str, email: str, state: str,
         mid: str, detail: str = "") -> None:
    with db:
        db.execute(
            "INSERT INTO deliveries (week, lang, email, state, message_id, attempts, detail, "
            "updated) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (week, lang, email) DO "
            "UPDATE SET state = excluded.state, attempts = attempts + (excluded.state = "
            "'sending'), detail = excluded.detail, updated = excluded.updated",
            (str(week), lang, key_of(email), state, mid, detail[:300], now()))


def send(
    config: Config,
    week: Week,
    *,
    languages: Sequence[str] | None = None,
    dry_run: bool = False,
    to: str | None = None,
    resend_uncertain: bool = False,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    correction: str | None = None,
) -> SendReport:
    """Send the bulletins of ``week``; ``should_stop`` is asked between messages (Ctrl-C
    finishes the message under way, then stops with the log consistent).
    ``correction``: what changed in a bulletin already sent; the rebuilt bulletin goes,
    marked as a correction with that note, to those who received the first sending,
    once each (logged apart)."""
    langs = list(languages or config.languages)
    key = secret()
    sender = config.delivery.sender
    if not sender:
        raise SubscriberError("set from in [delivery] of transflow.toml (the address "
                              "bulletins come from)", config.rel(config.config_path))
    note = " ".join((correction or "").split())
    if correction is not None and not note:
        raise SubscriberError("--correction needs a note: what changed in the bulletin")
    editions, missing = _editions(config, week, langs)
    editions = {lang: replace(e, correction=note) for lang, e in editions.items()}
    issue = issue_of(week, note)
    results = {lang: LanguageResult(lang, not_published=missing.get(lang, ""))
               for lang in langs}
    with connect(config) as db:
        if to is not None:
            return _test_copies(config, db, week, editions, to, key)
        plan = _plan(db, config, issue, list(editions), str(week) if note else None)
        todo = []
        for item in plan:
            r = results[item.lang]
            if item.state == "sent":
                r.already += 1
            elif item.state == "failed":
                r.failed += 1
            elif item.state == "elsewhere":
                r.elsewhere += 1
            elif item.state == "sending" and not resend_uncertain:
                r.uncertain += 1
            else:
                todo.append(item)
        if dry_run:
            return _dry_run(config, week, editions, todo, key, results)
        _release_abandoned(db, issue)
        failures: list[str] = []
        again = (_uncertain_runs(db, issue) or [""]) if resend_uncertain else []
        stopped = _deliver(config, db, issue, editions, todo, key, results, progress,
                           should_stop, again, failures)
    return SendReport(week, tuple(results.values()), stopped=stopped,
                      failures=tuple(failures))


def _deliver(config: Config, db: sqlite3.Connection, week: str,
             editions: dict[str, Edition], todo: list[Delivery], key: bytes,
             results: dict[str, LanguageResult], progress: Progress | None,
             should_stop: Callable[[], bool], resend_uncertain: Sequence[str],
             failures: list[str]) -> bool:
    mailer = open_transport(config.delivery)
    sender = config.delivery.sender or ""
    run = run_name()
    _running.add(run)
    deferred: list[tuple[Delivery, int]] = [(item, 0) for item in todo]
    try:
        done = 0
        while deferred:
            again = []
            for item, attempts in deferred:
                if should_stop():
                    return True
                if progress:
                    progress(f"{item.lang} {item.email}", done, len(todo))
                e = editions[item.lang]
                mid = message_id(e, key_of(item.email), sender, key)
                r = results[item.lang]
                if not _claim(db, week, item.lang, key_of(item.email), mid, run,
                              resend_uncertain):
                    if _still_active(db, item.email):
                        r.elsewhere += 1
                    else:
                        r.left += 1
                    done += 1
                    continue
                to, utf8 = envelope_address(item.email)
                try:
                    data = as_bytes(config, build_message(
                        config, e, Recipient(item.email, item.name, item.id), key, to=to))
                except (ValueError, TypeError, UnicodeError) as exc:
                    # One subscriber's message that cannot be made never stops the others.
                    _log(db, week, item.lang, item.email, "failed", mid,
                         f"the message could not be made: {exc}")
                    failures.append(f"{item.email} ({item.lang}): the message could not be "
                                    f"made ({str(exc)[:120]}); fix the subscriber's row")
                    r.failed += 1
                    done += 1
                    continue
                def sending(item: Delivery = item, mid: str = mid) -> None:
                    _log(db, week, item.lang, item.email, "sending", mid)

                try:
                    mailer.send(sender, to, data, before_data=sending, smtputf8=utf8)
                except Deferred as exc:
                    _log(db, week, item.lang, item.email, "deferred", mid, str(exc))
                    if attempts + 1 < RETRIES:
                        again.append((item, attempts + 1))
                    else:
                        r.deferred += 1
                    continue
                except Rejected as exc:
                    _log(db, week, item.lang, item.email, "failed", mid, str(exc))
                    # The server refused the address: counted as a bounce would be.
                    record_bounce(db, key_of(item.email), status_in(str(exc)), "send")
                    failures.append(f"{item.email} ({item.lang}): refused: {exc}")
                    r.failed += 1
                    done += 1
                    continue
                except Lost:
                    r.uncertain += 1  # the row stays "sending"
                    done += 1
                    continue
                _log(db, week, item.lang, item.email, "sent", mid)
                r.sent += 1
                done += 1
            if again:
                time.sleep(BACKOFF * (RETRIES - len(again) / max(len(deferred), 1)))
            deferred = again
        return False
    finally:
        _running.discard(run)
        mailer.close()


def _dry_run(config: Config, week: Week, editions: dict[str, Edition], todo: list[Delivery],
             key: bytes, results: dict[str, LanguageResult]) -> SendReport:
    counts = Counter(item.lang for item in todo)
    sample = ""
    if todo:
        first = todo[0]
        sample = shown_message(build_message(config, editions[first.lang],
                                             Recipient(first.email, first.name, first.id), key))
    return SendReport(week, tuple(results.values()), dry_run=True,
                      planned=tuple((lang, counts.get(lang, 0)) for lang in editions),
                      sample=sample)


def shown_message(msg: EmailMessage) -> str:
    """A whole message as an editor reads it before sending: its headers, and each part
    with its own, the text and HTML parts as the reader gets them; an attachment by its
    name, type and size (its base64 would fill the screen)."""
    out = [*(f"{k}: {v}" for k, v in msg.items()), ""]
    for part in msg.walk():
        if part.is_multipart():
            continue
        out.append(f"--- {part.get_content_type()}"
                   + (f" ({part.get_filename()})" if part.get_filename() else ""))
        out += [f"{k}: {v}" for k, v in part.items()]
        out.append("")
        if part.get_content_maintype() == "text":
            out.append(str(part.get_content()).rstrip("\n"))
        else:
            out.append(f"[{len(part.get_payload(decode=True) or b'')} bytes]")
        out.append("")
    return "\n".join(out)


def _test_copies(config: Config, db: sqlite3.Connection, week: Week,
                 editions: dict[str, Edition], to: str, key: bytes) -> SendReport:
    from transflow.delivery.subscribers import normalise

    address = normalise(to)
    envelope, utf8 = envelope_address(address)
    mailer = open_transport(config.delivery)
    sent = []
    try:
        for lang, e in editions.items():
            msg = build_message(config, e, Recipient(address), key, test=True, to=envelope)
            mailer.send(config.delivery.sender or "", envelope, as_bytes(config, msg),
                        smtputf8=utf8)
            with db:
                db.execute("INSERT INTO test_sends (week, lang, email, sent) VALUES "
                           "(?, ?, ?, ?)", (str(week), lang, address, now()))
            sent.append(lang)
    except (Deferred, Rejected, Lost) as exc:
        raise SubscriberError(f"the test copy to {address} was not accepted ({exc})") from None
    finally:
        mailer.close()
    return SendReport(week, (), test_copies=tuple(sent))


def delivery_counts(config: Config, week: Week) -> dict[str, Counter[str]]:
    """The delivery log of ``week``: per language, how many rows are in each state."""
    from transflow.delivery.subscribers import database_path

    if not database_path(config).exists():
        return {}
    counts: dict[str, Counter[str]] = {}
    with connect(config) as db:
        for lang, state, n in db.execute("SELECT lang, state, count(*) FROM deliveries WHERE "
                                         "week = ? GROUP BY lang, state", (str(week),)):
            counts.setdefault(lang, Counter())[state] = n
    return counts
