"""Delivery under faults and hostile input: two runs at once, a run that died holding
claims, one person under several spellings, a bulletin made stale behind the build's
back, names and addresses that cannot go into a header, internationalised addresses,
settings that cannot work. Nobody is mailed twice or after unsubscribing, and one bad
subscriber never stops the others.

Every address and name here is written for these tests."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import REPO, po, run
from tests.smtp_server import SMTPServer
from tests.test_delivery import SECRET, W09, configure, published, smtp  # noqa: F401
from transflow.delivery.subscribers import _MIGRATIONS
from transflow.delivery.tokens import legacy as token

SEND = ["send", "--week", W09]


def db_of(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / "subscribers.sqlite3")


def readers(root: Path, count: int, lang: str = "en") -> list[str]:
    people = [f"reader{i:03d}@example.org" for i in range(count)]
    (root / "list.csv").write_text("email,languages\n" + "".join(
        f"{p},{lang}\n" for p in people), encoding="utf-8")
    assert run(root, "subscribers", "import", str(root / "list.csv")).exit_code == 0
    return people


# --- nobody gets a message twice ---------------------------------------------------------

def test_two_runs_at_once_send_each_message_once(sample: Path, smtp: SMTPServer,  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor's send and a cron job's, started together against a slow server."""
    monkeypatch.setenv("TRANSFLOW_SECRET", SECRET)
    configure(sample, smtp.port)
    assert run(sample, "update").exit_code == 0
    assert run(sample, "build", "--week", W09, "--lang", "en").exit_code == 0
    people = readers(sample, 50)
    smtp.handler.stall = 0.02  # 20 ms per DATA: the runs overlap all along
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "transflow", *SEND, "--lang", "en", "-w", str(sample)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    got = Counter(r.recipients[0] for r in smtp.handler.received)
    assert set(got) == set(people) and set(got.values()) == {1}
    # Both did some of the work, and said the rest went through the other.
    assert all(" sent" in out for out, _ in outputs)
    assert any("sent by another run at the same time" in out for out, _ in outputs)


def test_claims_of_a_run_that_died_are_released(published: Path,  # noqa: F811
                                                smtp: SMTPServer) -> None:  # noqa: F811
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that no longer exists
    with db_of(published) as db:
        db.execute("INSERT INTO deliveries (week, lang, email, state, message_id, updated, "
                   "run) VALUES (?, 'be', 'ala@example.org', 'claimed', '<x>', "
                   "'2024-03-01T10:00:00Z', ?)", (W09, f"{socket.gethostname()}:{gone.pid}:1"))
    result = run(published, *SEND)
    assert result.exit_code == 0, result.output
    assert len(smtp.handler.to("ala@example.org")) == 1


def test_a_claim_of_a_live_run_is_left_to_it(published: Path,  # noqa: F811
                                             smtp: SMTPServer) -> None:  # noqa: F811
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with db_of(published) as db:
        db.execute("INSERT INTO deliveries (week, lang, email, state, message_id, updated, "
                   "run) VALUES (?, 'be', 'ala@example.org', 'claimed', '<x>', "
                   "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)",
                   (W09, f"{socket.gethostname()}:{alive.pid}:1"))
    try:
        result = run(published, *SEND)
    finally:
        alive.kill()
        alive.wait()
    assert "1 sent by another run at the same time" in result.output
    assert smtp.handler.to("ala@example.org") == []


# --- one person, whatever the spelling ------------------------------------------------------

def test_one_person_whatever_the_case_of_their_address(published: Path,  # noqa: F811
                                                       smtp: SMTPServer) -> None:  # noqa: F811
    assert run(published, "subscribers", "add", "ALA@EXAMPLE.ORG", "--lang", "be").exit_code == 0
    assert run(published, "subscribers", "add", "Ala@Example.org", "--lang", "be").exit_code == 0
    listed = run(published, "subscribers", "list").output
    assert listed.lower().count("ala@example.org") == 1
    assert "ala@example.org" in listed  # the first spelling is the one shown
    assert run(published, "subscribers", "unsubscribe", "Ala@EXAMPLE.org").exit_code == 0
    assert run(published, *SEND).exit_code == 0
    assert not [r for r in smtp.handler.received
                if any(a.lower() == "ala@example.org" for a in r.recipients)]


def test_an_old_list_with_several_spellings_is_merged_on_upgrade(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema-1 database holding one person three times: one row after the upgrade,
    unsubscribed if any was, and every link already sent still unsubscribes."""
    monkeypatch.setenv("TRANSFLOW_SECRET", SECRET)
    db = db_of(sample)
    db.executescript(_MIGRATIONS[1])
    db.execute("PRAGMA user_version = 1")
    rows = [("Ala@example.org", "be", "active", "2020-01-01T00:00:00Z"),
            ("ala@example.org", "ru", "unsubscribed", "2021-01-01T00:00:00Z"),
            ("ALA@example.org", "en", "active", "2022-01-01T00:00:00Z"),
            ("Piotr@example.org", "be", "active", "2020-01-01T00:00:00Z"),
            ("piotr@example.org", "en", "active", "2021-01-01T00:00:00Z")]
    with db:
        db.executemany("INSERT INTO subscribers (email, languages, status, created) VALUES "
                       "(?, ?, ?, ?)", rows)
        db.execute("INSERT INTO deliveries VALUES (?, 'be', 'Ala@example.org', 'sent', '<m>', "
                   "1, '', '2020-02-01T00:00:00Z')", (W09,))
        db.execute("INSERT INTO deliveries VALUES (?, 'be', 'ala@example.org', 'pending', "
                   "'<m>', 0, '', '2020-02-01T00:00:00Z')", (W09,))
    db.close()
    listed = run(sample, "subscribers", "list").output.splitlines()
    assert [line for line in listed if "ala@" in line.lower()] == [
        "Ala@example.org\tbe ru en\tunsubscribed\t"]
    assert [line for line in listed if "piotr@" in line.lower()] == [
        "Piotr@example.org\tbe en\tactive\t"]
    with db_of(sample) as db:  # the log kept the message that went out
        assert db.execute("SELECT state FROM deliveries WHERE email = 'ala@example.org'"
                          ).fetchall() == [("sent",)]
    # A link made for either spelling, before the upgrade, still works.
    for spelling in ("piotr@example.org", "Piotr@example.org"):
        assert run(sample, "subscribers", "add", "Piotr@example.org", "--lang",
                   "be").exit_code == 0
        result = run(sample, "subscribers", "unsubscribe", token(spelling, SECRET.encode()))
        assert result.exit_code == 0, result.output
        assert "unsubscribed" in result.output


def test_a_token_that_is_not_ascii_is_one_line(published: Path) -> None:  # noqa: F811
    result = run(published, "subscribers", "unsubscribe", "тэкст")
    assert result.exit_code == 1 and "no subscriber with this token" in result.output


# --- a stale bulletin -----------------------------------------------------------------

def test_a_bulletin_made_stale_with_its_time_put_back_is_not_sent(
        published: Path, smtp: SMTPServer) -> None:  # noqa: F811
    catalog = po(published, "be", W09)
    before = catalog.stat()
    text = catalog.read_text(encoding="utf-8")
    at = text.index('msgstr "', text.index('msgstr "', text.index("msgid") + 10) + 1)
    line_end = text.index("\n", at)
    changed = text[:at] + text[at:line_end].replace("а", "о", 1) + text[line_end:]
    assert changed != text and len(changed.encode()) == len(text.encode())
    catalog.write_text(changed, encoding="utf-8")
    os.utime(catalog, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r
    result = run(published, *SEND)
    assert result.exit_code == 1
    assert "bulletin of 2024-W09 is not current" in result.output
    assert smtp.handler.received == []


# --- one bad subscriber never stops the others -------------------------------------------

def test_control_characters_never_enter_the_list(published: Path) -> None:  # noqa: F811
    result = run(published, "subscribers", "add", "ola@example.org", "--lang", "en",
                 "--name", "Ola\r\nBcc: everyone@example.org")
    assert result.exit_code == 1 and "control character or a line break" in result.output
    (published / "bad.csv").write_text(
        'email,languages,name\nola@example.org,en,"Ola\nNowak"\n', encoding="utf-8")
    result = run(published, "subscribers", "import", str(published / "bad.csv"))
    assert result.exit_code == 1 and "bad.csv:2" in result.output
    result = run(published, "subscribers", "add", "ola@exam\rple.org", "--lang", "en")
    assert result.exit_code == 1 and "control character" in result.output
    assert "ola@" not in run(published, "subscribers", "list").output


def test_a_message_that_cannot_be_made_is_skipped_and_reported(
        published: Path, smtp: SMTPServer) -> None:  # noqa: F811
    with db_of(published) as db:  # as an older transflow let it in
        db.execute("UPDATE subscribers SET name = 'Carol\r\nBcc: x@example.org' "
                   "WHERE key = 'carol@example.org'")
    result = run(published, *SEND)
    assert result.exit_code == 1
    assert "not sent: carol@example.org (en): the message could not be made" in result.stderr
    assert smtp.handler.to("carol@example.org") == []
    assert len(smtp.handler.to("boris@example.org")) == 2  # the others got theirs
    assert len(smtp.handler.to("ala@example.org")) == 1


def test_internationalised_addresses(published: Path, smtp: SMTPServer) -> None:  # noqa: F811
    """A Cyrillic domain goes out in its ASCII form; a Cyrillic local part needs
    SMTPUTF8: refused by a server without it (reported, the others sent), and sent
    in UTF-8 by one that offers it."""
    for address in ("ala@пример.рф", "пётр@пример.рф"):
        assert run(published, "subscribers", "add", address, "--lang", "en").exit_code == 0
    result = run(published, *SEND, "--lang", "en")
    assert result.exit_code == 1
    assert len(smtp.handler.to("ala@xn--e1afmkfd.xn--p1ai")) == 1
    assert "does not offer SMTPUTF8" in result.stderr or "SMTPUTF8" in result.output
    assert len(smtp.handler.to("carol@example.org")) == 1
    smtp.restart(smtputf8=True)
    with db_of(published) as db:  # the refusal is retried on a server that can
        db.execute("DELETE FROM deliveries WHERE state = 'failed'")
    result = run(published, *SEND, "--lang", "en")
    assert result.exit_code == 0, result.output
    (got,) = smtp.handler.to("пётр@пример.рф")
    assert "To: пётр@пример.рф" in got.data.decode("utf-8")
    assert len(smtp.handler.to("carol@example.org")) == 1  # still once


# --- settings ---------------------------------------------------------------------------

@pytest.mark.parametrize(("setting", "message"), [
    ('from = "Bulletin <b@example.org>\\r\\nBcc: all@example.org"', "[delivery] from"),
    ("timeout = 0", "[delivery] timeout must be"),
    ("rate = -1", "[delivery] rate must be"),
])
def test_delivery_settings_that_cannot_work_are_named_at_load(sample: Path, setting: str,
                                                              message: str) -> None:
    with (sample / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n[delivery]\n{setting}\n")
    result = run(sample, "status")
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


# --- bounded input ----------------------------------------------------------------------

def test_a_csv_cell_too_long_is_one_line(published: Path) -> None:  # noqa: F811
    big = published / "big.csv"
    big.write_text('email,languages,name\nola@example.org,en,"' + "x" * 200_000 + '"\n',
                   encoding="utf-8")
    result = run(published, "subscribers", "import", str(big))
    assert result.exit_code == 1 and "big.csv:" in result.output
    assert "Traceback" not in result.output and "field larger" in result.output


def test_export_neutralises_formulas_and_import_restores_every_name(
        published: Path) -> None:  # noqa: F811
    names = ["=HYPERLINK(\"http://x\")", "+375 29", "-Anna", "@ala", "'Quoted'", "O'Brien",
             "Алесь"]
    for i, name in enumerate(names):
        assert run(published, "subscribers", "add", f"n{i}@example.org", "--lang", "en",
                   "--name", name).exit_code == 0
    exported = run(published, "subscribers", "export").output
    cells = [line.split(",", 2)[2].rsplit(",", 2)[0] for line in exported.splitlines()
             if line.startswith("n")]
    assert not [c for c in cells if c.lstrip('"').startswith(("=", "+", "-", "@"))]
    (published / "back.csv").write_text(exported, encoding="utf-8")
    for i in range(len(names)):
        assert run(published, "subscribers", "remove", f"n{i}@example.org").exit_code == 0
    assert run(published, "subscribers", "import", str(published / "back.csv")).exit_code == 0
    with db_of(published) as db:
        back = dict(db.execute("SELECT key, name FROM subscribers WHERE key LIKE 'n%'"))
    assert [back[f"n{i}@example.org"] for i in range(len(names))] == names


def test_a_database_that_is_a_folder_is_one_line(sample: Path) -> None:
    (sample / "subscribers.sqlite3").mkdir()
    result = run(sample, "subscribers", "list")
    assert result.exit_code == 1 and "subscribers.sqlite3" in result.output
    assert "Traceback" not in result.output
