"""``transflow send``: the week's published bulletins to every active subscriber, in
each of their languages, exactly once as far as SMTP allows.

The delivery log holds one row per (week, language, subscriber): pending → sending →
sent; or deferred (4xx: retried a few times, then left for the next run), or failed
(5xx for that recipient). "sending" is committed before DATA and "sent" right after
the server's 250: a run killed between the two leaves "sending", which the next run
reports as uncertain and does not resend unless asked (``resend_uncertain``).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from transflow.delivery.message import Edition, as_bytes, build_message, edition, message_id
from transflow.delivery.smtp import Deferred, Lost, Mailer, Refused
from transflow.delivery.subscribers import SubscriberError, connect, now, secret, subscribers
from transflow.publish.manifest import published
from transflow.publish.plan import bulletin_dir, pdf_name, recorded_current
from transflow.workspace.config import Config
from transflow.workspace.errors import TransflowError
from transflow.workspace.progress import Progress
from transflow.workspace.weeks import Week

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
    not_published: str = ""
    """Why nothing was sent in this language (no bulletin this week), or empty."""

    @property
    def line(self) -> str:
        if self.not_published:
            return f"{self.lang}: nothing sent: {self.not_published}"
        return (f"{self.lang}: {self.sent} sent, {self.already} already sent, "
                f"{self.deferred} deferred, {self.failed} failed, {self.uncertain} uncertain")


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
            parts.append(f"{failed} message(s) refused by the server")
        if uncertain:
            parts.append(f"{uncertain} message(s) uncertain (the run was cut while sending: "
                         "check the mailbox, or send them again with --resend-uncertain)")
        return "; ".join(parts)


# --- the plan ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    lang: str
    email: str
    name: str
    state: str | None
    """The row of the delivery log, if any."""


def _editions(config: Config, week: Week, languages: Sequence[str],
              ) -> tuple[dict[str, Edition], dict[str, str]]:
    """The current published bulletin of each language; why a language has none. A
    bulletin that exists but is stale stops everything: nothing is sent."""
    editions, missing = {}, {}
    for lang in languages:
        name = pdf_name(config, week, lang)
        pdf = bulletin_dir(config, week, lang) / name
        if recorded_current(config, week, lang) and pdf.is_file():
            # As the last build left it, by the build's own record: nothing to re-read.
            editions[lang] = edition(config, week, lang, pdf)
            continue
        found = published(config, week, lang, name)
        if found.current and found.pdf is not None:
            editions[lang] = edition(config, week, lang, found.pdf)
        elif found.reason == "not built" and found.pdf is None:
            missing[lang] = "no bulletin was published this week"
        else:
            raise NotCurrent(
                f"the {lang} bulletin of {week} is not current ({found.reason}); run "
                f"transflow build --week {week} --lang {lang}, then send again; nothing was "
                "sent")
    return editions, missing


def _plan(db: sqlite3.Connection, config: Config, week: Week,
          languages: Sequence[str]) -> list[Planned]:
    rows = dict(((lang, email), state) for lang, email, state in db.execute(
        "SELECT lang, email, state FROM deliveries WHERE week = ?", (str(week),)))
    return [Planned(lang, s.email, s.name, rows.get((lang, s.email)))
            for s in subscribers(config, status="active") for lang in s.languages
            if lang in languages]


# --- the run --------------------------------------------------------------------------------

def _log(db: sqlite3.Connection, week: Week, lang: str, email: str, state: str,
         mid: str, detail: str = "") -> None:
    with db:
        db.execute(
            "INSERT INTO deliveries (week, lang, email, state, message_id, attempts, detail, "
            "updated) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (week, lang, email) DO "
            "UPDATE SET state = excluded.state, attempts = attempts + (excluded.state = "
            "'sending'), detail = excluded.detail, updated = excluded.updated",
            (str(week), lang, email, state, mid, detail[:300], now()))


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
) -> SendReport:
    """Send the bulletins of ``week``; ``should_stop`` is asked between messages (Ctrl-C
    finishes the message under way, then stops with the log consistent)."""
    langs = list(languages or config.languages)
    key = secret()
    sender = config.delivery.sender
    if not sender:
        raise SubscriberError("set from in [delivery] of transflow.toml (the address "
                              "bulletins come from)", config.rel(config.config_path))
    editions, missing = _editions(config, week, langs)
    results = {lang: LanguageResult(lang, not_published=missing.get(lang, ""))
               for lang in langs}
    with connect(config) as db:
        if to is not None:
            return _test_copies(config, db, week, editions, to, key)
        plan = _plan(db, config, week, list(editions))
        todo = []
        for item in plan:
            r = results[item.lang]
            if item.state == "sent":
                r.already += 1
            elif item.state == "failed":
                r.failed += 1
            elif item.state == "sending" and not resend_uncertain:
                r.uncertain += 1
            else:
                todo.append(item)
        if dry_run:
            return _dry_run(config, week, editions, todo, key)
        stopped = _deliver(config, db, week, editions, todo, key, results, progress,
                           should_stop)
    return SendReport(week, tuple(results.values()), stopped=stopped)


def _deliver(config: Config, db: sqlite3.Connection, week: Week,
             editions: dict[str, Edition], todo: list[Planned], key: bytes,
             results: dict[str, LanguageResult], progress: Progress | None,
             should_stop: Callable[[], bool]) -> bool:
    mailer = Mailer(config.delivery)
    sender = config.delivery.sender or ""
    deferred: list[tuple[Planned, int]] = [(item, 0) for item in todo]
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
                mid = message_id(e, item.email, sender)
                data = as_bytes(config, build_message(config, e, item.email, item.name, key))
                r = results[item.lang]
                def sending(item: Planned = item, mid: str = mid) -> None:
                    _log(db, week, item.lang, item.email, "sending", mid)

                try:
                    mailer.send(sender, item.email, data, before_data=sending)
                except Deferred as exc:
                    _log(db, week, item.lang, item.email, "deferred", mid, str(exc))
                    if attempts + 1 < RETRIES:
                        again.append((item, attempts + 1))
                    else:
                        r.deferred += 1
                    continue
                except Refused as exc:
                    _log(db, week, item.lang, item.email, "failed", mid, str(exc))
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
        mailer.close()


def _dry_run(config: Config, week: Week, editions: dict[str, Edition], todo: list[Planned],
             key: bytes) -> SendReport:
    counts = Counter(item.lang for item in todo)
    sample = ""
    if todo:
        first = todo[0]
        msg = build_message(config, editions[first.lang], first.email, first.name, key)
        text = msg.get_body(preferencelist=("plain",))
        headers = "".join(f"{k}: {v}\n" for k, v in msg.items())
        sample = headers + "\n" + (text.get_content() if text is not None else "")
    return SendReport(week, (), dry_run=True,
                      planned=tuple((lang, counts.get(lang, 0)) for lang in editions),
                      sample=sample)


def _test_copies(config: Config, db: sqlite3.Connection, week: Week,
                 editions: dict[str, Edition], to: str, key: bytes) -> SendReport:
    from transflow.delivery.subscribers import normalise

    address = normalise(to)
    mailer = Mailer(config.delivery)
    sent = []
    try:
        for lang, e in editions.items():
            msg = build_message(config, e, address, "", key, test=True)
            mailer.send(config.delivery.sender or "", address, as_bytes(config, msg))
            with db:
                db.execute("INSERT INTO test_sends (week, lang, email, sent) VALUES "
                           "(?, ?, ?, ?)", (str(week), lang, address, now()))
            sent.append(lang)
    except (Deferred, Refused, Lost) as exc:
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
