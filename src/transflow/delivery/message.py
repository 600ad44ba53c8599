"""The message a subscriber receives: the week's bulletin in one language, as a
plain-text and an HTML part (from ``templates/email.txt`` and ``templates/email.html``,
through ui.po) with the PDF attached, and the headers mailbox providers expect of a
newsletter (List-Id, List-Unsubscribe with one-click, a stable Message-ID), signed
with DKIM when the workspace says so. Built with the standard library's ``email``."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, formataddr, parseaddr, quote
from functools import cached_property
from io import BytesIO
from pathlib import Path

from transflow.catalogs.model import Translations
from transflow.catalogs.ui import CORRECTION
from transflow.catalogs.ui import labels as ui_labels
from transflow.delivery import tokens
from transflow.delivery.subscribers import SubscriberError
from transflow.publish.bulletin import Bulletin, make_bulletin
from transflow.publish.editions import as_published, catalog_of
from transflow.publish.render_html import render_template
from transflow.sources.commentary import load_week
from transflow.workspace.config import Config
from transflow.workspace.weeks import Week

DKIM_KEY_VARIABLE = "TRANSFLOW_DKIM_KEY"
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"content-language")


@dataclass(frozen=True)
class Edition:
    """What every message of one week in one language shares."""

    week: Week
    lang: str
    bulletin: Bulletin
    pdf: bytes
    pdf_name: str
    labels: Translations
    correction: str = ""
    """What changed, when this is a correction of a bulletin already sent."""

    @cached_property
    def attachment(self) -> EmailMessage:
        """The PDF as a MIME part, base64-encoded once for every message of the edition
        (shared by them: generating a message only reads it)."""
        part = EmailMessage(policy=SMTP)
        part.set_content(self.pdf, maintype="application", subtype="pdf",
                         filename=self.pdf_name)
        return part

    @property
    def issue(self) -> str:
        """The delivery log's name for it: the week, or the week and its correction
        (``2024-W09-c1a2b3c4``), which is logged apart and goes once too."""
        return issue_of(self.week, self.correction)


def issue_of(week: Week, correction: str = "") -> str:
    if not correction:
        return str(week)
    return f"{week}-c{hashlib.sha256(correction.encode()).hexdigest()[:8]}"


def edition(config: Config, week: Week, lang: str, pdf: Path) -> Edition:
    """The week's bulletin in ``lang``, resolved from the catalogs the PDF was built from."""
    catalog = Translations(catalog_of(config, lang, week))
    labels = ui_labels(config, lang)
    # As published: with its issue number, subtitle and organisation.
    bulletin = as_published(config, make_bulletin(config, week, lang, load_week(config, week),
                                                  catalog, labels), pdf.name)
    return Edition(week, lang, bulletin, pdf.read_bytes(), pdf.name, labels)


def domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def message_id(edition: Edition, email: str, sender: str, key: bytes) -> str:
    """The same for the same (week, language, subscriber): a resent message is
    recognisably the one sent before. Keyed with the secret: nobody else can make one,
    so a bounce naming it refers to a message transflow really sent."""
    who = tokens.message_hash(edition.issue, edition.lang, email, key)
    return f"<{edition.issue}.{edition.lang}.{who}@{domain_of(sender)}>"


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    id: str = ""
    """The subscriber's id (empty for a test copy: its links name nobody)."""


def message_links(config: Config, recipient: Recipient, key: bytes) -> dict[str, str | None]:
    """The links of a subscriber's messages: to unsubscribe (by the web, one click, or
    by mail) and to their preferences."""
    who = recipient.id or "0" * 16
    unsubscribe = tokens.make("unsubscribe", who, key)
    base = config.site.base_url
    sender = parseaddr(config.delivery.sender or "")[1]
    return {
        "unsubscribe_url": f"{base}unsubscribe?token={unsubscribe}" if base else None,
        "preferences_url": (f"{base}preferences?token={tokens.make('preferences', who, key)}"
                            if base else None),
        "unsubscribe_mail": f"mailto:{sender}?subject=unsubscribe%20{unsubscribe}",
    }


def build_message(config: Config, edition: Edition, recipient: Recipient, key: bytes,
                  *, test: bool = False, to: str | None = None) -> EmailMessage:
    """The message for one subscriber (``test``: a test copy, marked as such); ``to``
    is the address to write in the header when it is spelled otherwise than the one
    stored (an internationalised domain in its ASCII form)."""
    sender = config.delivery.sender
    if not sender:
        raise SubscriberError("set from in [delivery] of transflow.toml (the address "
                              "bulletins come from)", config.rel(config.config_path))
    b = edition.bulletin
    email, name = recipient.email, recipient.name
    web = f"{config.site.base_url}{b.week}/{b.lang}/" if config.site.base_url else None
    context = {"b": b, "web": web, "name": name, "correction": edition.correction,
               **message_links(config, recipient, key)}
    text = render_template(config.template_path, "email.txt", context, edition.labels, b.lang,
                           html=False)
    html = render_template(config.template_path, "email.html", context, edition.labels,
                           b.lang)
    subject = f"{b.title}: {b.week_range}"
    if edition.correction:
        subject = f"{edition.labels.gettext(CORRECTION)}: {subject}"
    msg = addressed(config, to or email, name, f"[test] {subject}" if test else subject,
                    b.lang)
    msg["Message-ID"] = message_id(edition, email, sender, key)
    targets = [f"<{context['unsubscribe_mail']}>"]
    if context["unsubscribe_url"]:
        targets.append(f"<{context['unsubscribe_url']}>")
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Unsubscribe"] = ", ".join(targets)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.make_mixed()
    msg.attach(edition.attachment)  # encoded once per edition, not per subscriber
    # Boundaries chosen here: the generator would otherwise scan the whole message
    # (the PDF too) for one that does not occur in it. Random and long, they do not.
    msg.set_boundary(f"=_mixed_{uuid.uuid4().hex}")
    alternative = msg.get_payload(0)
    if isinstance(alternative, EmailMessage) and alternative.is_multipart():
        alternative.set_boundary(f"=_alternative_{uuid.uuid4().hex}")
    # Set last: set_content() and add_attachment() rewrite the Content-* headers.
    msg["Content-Language"] = b.lang
    return msg


def addressed(config: Config, address: str, name: str, subject: str,
              lang: str) -> EmailMessage:
    """A message of the list to ``address``, with the headers all of them have: From,
    To, Subject, Date and List-Id (in ``lang``)."""
    msg = EmailMessage(policy=SMTP if address.isascii() else SMTPUTF8)
    msg["From"] = config.delivery.sender or ""
    if address.isascii():
        msg["To"] = formataddr((name, address)) if name else address
    else:  # an address only SMTPUTF8 carries: written as UTF-8 (see ``as_bytes``)
        msg["To"] = f'"{quote(name)}" <{address}>' if name else address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["List-Id"] = list_id(config, lang)
    return msg


def list_id(config: Config, lang: str) -> str:
    """The list's name in the message's own language, and its id (RFC 2919)."""
    sender = config.delivery.sender or ""
    publication = config.publication
    return f"{publication.title[lang]} <{publication.slug}.{lang}.{domain_of(sender)}>"


# Headers written on one line (up to RFC 5322's 998 characters): folded at 78, the
# email package turns a long List-Unsubscribe into RFC 2047 encoded words, in which a
# mail client finds no <URL> (RFC 2369 wants them raw).
_UNFOLDED = SMTP.clone(max_line_length=998)
_UNFOLDED_UTF8 = SMTPUTF8.clone(max_line_length=998)


class _Generator(BytesGenerator):
    """The standard generator, writing each body in one piece: it splits a body into
    lines to change their ends, and the PDF's 4,000 base64 lines, written one by one,
    were half the time of making a message. The same bytes come out."""

    def _write_lines(self, lines: str) -> None:
        if not lines:
            return
        # (always given one, by as_bytes)
        newline = self.policy.linesep if self.policy is not None else "\r\n"
        known = _converted.get((id(lines), newline))
        if known is None or known[0] is not lines:  # the shared attachment: once
            known = (lines, _NEWLINES.sub(newline, lines))
            if len(lines) > 10_000:
                if len(_converted) > 16:
                    _converted.clear()
                _converted[(id(lines), newline)] = known
        self.write(known[1])


_NEWLINES = re.compile(r"\r\n|\r|\n")  # as email.generator splits them
_converted: dict[tuple[int, str], tuple[str, str]] = {}
"""Long bodies with their line ends converted, by identity (the attachment every
message of an edition shares); the body itself is kept, so the identity holds."""


def as_bytes(config: Config, msg: EmailMessage) -> bytes:
    """The message as sent: CRLF line ends, DKIM-signed when configured; headers in
    UTF-8 only for an address that needs it (sent with SMTPUTF8)."""
    utf8 = not str(msg["To"]).isascii()
    out = BytesIO()
    _Generator(out, mangle_from_=False, policy=_UNFOLDED_UTF8 if utf8 else _UNFOLDED
               ).flatten(msg, unixfrom=False)
    data = out.getvalue()
    d = config.delivery
    if d.dkim_domain and d.dkim_selector:
        key_path = os.environ.get(DKIM_KEY_VARIABLE)
        if not key_path:
            raise SubscriberError(f"[delivery] asks for DKIM signing: set {DKIM_KEY_VARIABLE} "
                                  "to the path of the private key")
        data = dkim_sign(data, d.dkim_selector, d.dkim_domain, Path(key_path))
    return data


def dkim_sign(data: bytes, selector: str, domain: str, key: Path) -> bytes:
    """``data`` with a DKIM-Signature header (dkimpy, imported here only)."""
    import dkim

    try:
        private = key.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"cannot read the DKIM key ({exc.strerror or exc})",
                              str(key)) from None
    signature = dkim.sign(data, selector.encode(), domain.encode(), private,
                          include_headers=list(SIGNED_HEADERS))
    return bytes(signature) + data
