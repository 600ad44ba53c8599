"""The list's mailbox: bounces in the shapes real mail servers send (written here for
these tests, after Postfix, Exim, Gmail and Microsoft), a forged one, unsubscribe
requests by mail and a reader's reply, processed twice with the same result; and the
5xx ``send`` receives itself."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run
from tests.smtp_server import SMTPServer
from tests.test_delivery import W09, published, smtp  # noqa: F401
from transflow.delivery.bounces import record_bounce
from transflow.delivery.subscribers import connect
from transflow.workspace.config import load_config

POSTFIX = """\
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: bulletin@example.org
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{to}>: host in.example.org[192.0.2.10] said: 550 5.1.1
    <{to}>: Recipient address rejected: User unknown in virtual mailbox
    table (in reply to RCPT TO command)

--B1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Arrival-Date: Mon,  4 Mar 2024 09:00:00 +0000 (UTC)

Final-Recipient: rfc822; {to}
Original-Recipient: rfc822;{to}
Action: failed
Status: 5.1.1
Remote-MTA: dns; in.example.org
Diagnostic-Code: smtp; 550 5.1.1 <{to}>: Recipient address rejected: User unknown

--B1
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Situation in Belarus <bulletin@example.org>
To: {to}
Subject: The week
Message-ID: {mid}

--B1--
"""

EXIM = """\
From: Mail Delivery System <Mailer-Daemon@relay.example.net>
To: bulletin@example.org
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: {to}
Auto-Submitted: auto-replied
Message-ID: <bounce-2@relay.example.net>

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {to}
    host mail.example.net [198.51.100.3]
    SMTP error from remote mail server after end of data:
    550 5.7.1 Message rejected under local policy

------ This is a copy of the message, including all the headers. ------

From: Situation in Belarus <bulletin@example.org>
To: {to}
Subject: The week
Message-ID: {mid}

The body.
"""

GMAIL = """\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: bulletin@example.org
Subject: Delivery Status Notification (Delay)
Message-ID: <bounce-3@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="G1"

--G1
Content-Type: text/plain; charset="UTF-8"

Message not delivered yet: the recipient's inbox is full.

--G1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Arrival-Date: Mon, 04 Mar 2024 09:00:01 -0800 (PST)

Final-Recipient: rfc822; {to}
Action: failed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 The recipient's inbox is out of storage space.

--G1
Content-Type: message/rfc822

From: Situation in Belarus <bulletin@example.org>
To: {to}
Subject: The week
Message-ID: {mid}

The body.

--G1--
"""

MICROSOFT = """\
From: postmaster@outlook.example.com
To: bulletin@example.org
Subject: Undeliverable: The week
Message-ID: <bounce-4@outlook.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="M1"

--M1
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{to}
Remote Server returned '550 5.7.606 Access denied, banned sending IP [203.0.113.5]'

--M1
Content-Type: message/delivery-status

Reporting-MTA: dns;outlook.example.com

Final-Recipient: rfc822;{to}
Action: failed
Status: 5.7.606
Diagnostic-Code: smtp;550 5.7.606 Access denied, banned sending IP

--M1
Content-Type: text/rfc822-headers

From: Situation in Belarus <bulletin@example.org>
To: {to}
Message-ID: {mid}
Subject: The week

--M1--
"""

REPLY = """\
From: A Reader <reader@example.org>
To: bulletin@example.org
Subject: Re: The week
Message-ID: <reply-1@example.org>

Thank you for the commentary on the border.
"""


def status_of(root: Path, address: str) -> str:
    with connect(load_config(root)) as db:
        return str(db.execute("SELECT status FROM subscribers WHERE key = ?",
                              (address.lower(),)).fetchone()[0])


def sent_to(smtp: SMTPServer, address: str) -> tuple[str, str]:  # noqa: F811
    """The Message-ID and the mailto unsubscribe subject of the message to ``address``."""
    message = smtp.handler.to(address)[0].message
    subject = re.search(r"subject=unsubscribe%20([\w.]+)", message["List-Unsubscribe"])
    assert subject is not None
    return message["Message-ID"], f"unsubscribe {subject.group(1)}"


@pytest.fixture
def maildir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "Maildir"
    mailbox.Maildir(folder, create=True)
    yield folder


def test_the_mailbox_is_processed_once(published: Path, smtp: SMTPServer,  # noqa: F811
                                       maildir: Path) -> None:
    assert run(published, "send", "--week", W09).exit_code == 0
    box = mailbox.Maildir(maildir)
    ala, _ = sent_to(smtp, "ala@example.org")
    boris, _ = sent_to(smtp, "boris@example.org")
    carol, carol_unsubscribe = sent_to(smtp, "carol@example.org")
    dzmitry, _ = sent_to(smtp, "dzmitry@example.org")
    for shape, to, mid in ((POSTFIX, "ala@example.org", ala),
                           (EXIM, "boris@example.org", boris),
                           (GMAIL, "dzmitry@example.org", dzmitry),
                           (MICROSOFT, "dzmitry@example.org", dzmitry),
                           # Forged: a Message-ID transflow never made.
                           (POSTFIX, "carol@example.org",
                            "<2024-W09.en.0123456789abcdef01234567@example.org>")):
        box.add(shape.format(to=to, mid=mid).encode())
    box.add(f"From: carol@example.org\nTo: bulletin@example.org\nSubject: "
            f"{carol_unsubscribe}\n\n".encode())
    box.add(REPLY.encode())
    assert carol != ala
    result = run(published, "subscribers", "process-mailbox", str(maildir))
    assert result.exit_code == 0, result.output
    assert "ala@example.org: bouncing" in result.output  # 5.1.1: at once
    assert "carol@example.org: unsubscribed (by mail)" in result.output
    assert "ignored:" in result.output and "carol@example.org: names no message" in \
        result.output
    assert "left:" in result.output and "for a person" in result.output
    assert "4 bounce(s) counted" in result.output
    assert status_of(published, "ala@example.org") == "bouncing"
    assert status_of(published, "boris@example.org") == "active"  # 5.7.1: soft, once
    assert status_of(published, "dzmitry@example.org") == "active"  # two soft
    assert status_of(published, "carol@example.org") == "unsubscribed"
    processed = mailbox.Maildir(maildir).get_folder("processed")
    assert len(processed) == 6 and len(mailbox.Maildir(maildir)) == 1  # the reply stays
    # Again: nothing new to act on, nothing counted twice.
    again = run(published, "subscribers", "process-mailbox", str(maildir))
    assert "0 bounce(s) counted" in again.output
    # The same bounce moved back by hand is recognised, not counted again.
    for key in list(processed.iterkeys()):
        mailbox.Maildir(maildir).add(processed.get_bytes(key))
    run(published, "subscribers", "process-mailbox", str(maildir))
    assert status_of(published, "dzmitry@example.org") == "active"
    # A third soft failure within 30 days: bouncing, and send passes them by.
    with connect(load_config(published)) as db:
        assert record_bounce(db, "dzmitry@example.org", "4.4.1", "test")
    assert status_of(published, "dzmitry@example.org") == "bouncing"
    listed = run(published, "subscribers", "list").output
    assert "dzmitry@example.org\tbe ru\tbouncing" in listed
    status = run(published, "status", "--week", W09).output
    assert re.search(r"readers +0 pending, 1 active, 2 unsubscribed, 2 bouncing", status)


def test_a_refusal_send_receives_counts_as_a_bounce(published: Path,  # noqa: F811
                                                    smtp: SMTPServer) -> None:  # noqa: F811
    smtp.handler.refuse.add("carol@example.org")
    result = run(published, "send", "--week", W09, "--lang", "en")
    assert result.exit_code == 1
    assert status_of(published, "carol@example.org") == "bouncing"  # 550 5.1.1: hard
    assert status_of(published, "boris@example.org") == "active"


def test_a_folder_that_is_not_a_maildir(published: Path, tmp_path: Path) -> None:  # noqa: F811
    result = run(published, "subscribers", "process-mailbox", str(tmp_path))
    assert result.exit_code == 1 and "is not a Maildir" in result.output
