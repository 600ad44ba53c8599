"""Delivery to subscribers, against a real SMTP server on 127.0.0.1 (aiosmtpd): who
gets what, once; the headers; refusals, drops and stalls; stale bulletins; the list."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import transflow.delivery.send as send_module
from tests.helpers import REPO, run, save_translation, set_base_url
from tests.smtp_server import SMTPServer

W09 = "2024-W09"
SECRET = "s3cret-for-tests-only"


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    with SMTPServer() as server:
        yield server


def configure(root: Path, port: int, extra: str = "") -> None:
    with (root / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[delivery]\nfrom = "Situation in Belarus <bulletin@example.org>"\n'
                f'host = "127.0.0.1"\nport = {port}\ntimeout = 2\n{extra}')


@pytest.fixture
def published(sample: Path, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRANSFLOW_SECRET", SECRET)
    monkeypatch.setattr(send_module, "BACKOFF", 0.01)
    configure(sample, smtp.port)
    set_base_url(sample, "https://bulletin.example.org/")
    assert run(sample, "update").exit_code == 0
    assert run(sample, "build", "--week", W09).exit_code == 0
    for email, langs in (("ala@example.org", ["be"]), ("boris@example.org", ["ru", "en"]),
                         ("carol@example.org", ["en"]), ("dzmitry@example.org", ["be", "ru"])):
        args = ["subscribers", "add", email]
        for lang in langs:
            args += ["--lang", lang]
        assert run(sample, *args).exit_code == 0
    assert run(sample, "subscribers", "add", "gone@example.org", "--lang", "en").exit_code == 0
    assert run(sample, "subscribers", "unsubscribe", "gone@example.org").exit_code == 0
    return sample


def pdf_of(root: Path, lang: str) -> bytes:
    return (root / "output" / W09 / lang / f"situation-in-belarus-{W09}-{lang}.pdf").read_bytes()


def test_each_subscriber_gets_each_language_once(published: Path, smtp: SMTPServer) -> None:
    result = run(published, "send", "--week", W09)
    assert result.exit_code == 0, result.output
    assert f"{W09} be: 2 sent, 0 already sent, 0 deferred, 0 failed, 0 uncertain" in (
        result.output)
    got = Counter((r.recipients[0], r.message["Content-Language"]) for r in smtp.handler.received)
    assert got == Counter({("ala@example.org", "be"): 1, ("boris@example.org", "ru"): 1,
                           ("boris@example.org", "en"): 1, ("carol@example.org", "en"): 1,
                           ("dzmitry@example.org", "be"): 1, ("dzmitry@example.org", "ru"): 1})
    assert not smtp.handler.to("gone@example.org")
    for r in smtp.handler.received:
        msg = r.message
        lang = msg["Content-Language"]
        (attachment,) = list(msg.iter_attachments())
        assert attachment.get_filename() == f"situation-in-belarus-{W09}-{lang}.pdf"
        assert attachment.get_content() == pdf_of(published, lang)  # byte for byte
        assert msg["Message-ID"].startswith(f"<{W09}.{lang}.") and msg["Date"]
        title = {"be": "Сітуацыя ў Беларусі", "ru": "Ситуация в Беларуси",
                 "en": "Situation in Belarus"}[lang]
        assert msg["List-Id"] == f"{title} <situation-in-belarus.{lang}.example.org>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "mailto:bulletin@example.org?subject=unsubscribe" in msg["List-Unsubscribe"]
        assert "https://bulletin.example.org/unsubscribe?token=" in msg["List-Unsubscribe"]
        text = msg.get_body(preferencelist=("plain",)).get_content()
        assert f"https://bulletin.example.org/{W09}/{lang}/" in text
        assert msg.get_body(preferencelist=("html",)) is not None
    subjects = {r.message["Content-Language"]: r.message["Subject"] for r in smtp.handler.received}
    assert subjects["be"] == "Сітуацыя ў Беларусі: 26 лютага – 3 сакавіка 2024\u00a0г."
    assert subjects["en"] == "Situation in Belarus: February 26 – March 3, 2024"
    ru_text = next(r for r in smtp.handler.received if r.message["Content-Language"] == "ru")
    assert "Вопросы безопасности" in ru_text.message.get_body(("plain",)).get_content()
    # Again: nothing more is sent.
    again = run(published, "send", "--week", W09)
    assert again.exit_code == 0
    assert f"{W09} ru: 0 sent, 2 already sent" in again.output
    assert len(smtp.handler.received) == 6
    status = run(published, "status", "--week", W09)
    assert "delivery  be   2 sent" in status.output


def test_a_refused_recipient_does_not_stop_the_others(published: Path,
                                                      smtp: SMTPServer) -> None:
    smtp.handler.refuse = {"carol@example.org"}
    result = run(published, "send", "--week", W09)
    assert result.exit_code == 1
    assert f"{W09} en: 1 sent, 0 already sent, 0 deferred, 1 failed" in result.output
    assert len(smtp.handler.received) == 5 and not smtp.handler.to("carol@example.org")


def test_a_dropped_connection_is_reopened(published: Path, smtp: SMTPServer) -> None:
    smtp.handler.drop_after = 2
    result = run(published, "send", "--week", W09)
    assert result.exit_code == 0, result.output
    got = Counter((r.recipients[0], r.message["Content-Language"]) for r in smtp.handler.received)
    assert len(got) == 6 and set(got.values()) == {1}


def test_a_stalled_server_leaves_the_message_uncertain(published: Path,
                                                       smtp: SMTPServer) -> None:
    smtp.handler.stall = 3  # the client waits 2 s
    result = run(published, "send", "--week", W09, "--lang", "en")
    assert result.exit_code == 1
    assert "uncertain" in result.output and "--resend-uncertain" in result.output
    smtp.handler.stall = 0
    time.sleep(4)  # the stalled server finishes: it did receive them, late
    again = run(published, "send", "--week", W09, "--lang", "en")
    assert "0 sent, 0 already sent, 0 deferred, 0 failed, 2 uncertain" in again.output
    before = len(smtp.handler.received)
    forced = run(published, "send", "--week", W09, "--lang", "en", "--resend-uncertain")
    assert forced.exit_code == 0 and "2 sent" in forced.output
    assert len(smtp.handler.received) == before + 2


def test_a_stale_bulletin_is_not_sent(published: Path, smtp: SMTPServer) -> None:
    save_translation(published / "locales" / "ru" / "LC_MESSAGES" / f"{W09}.po",
                     "On February 27", "Исправленный перевод 27 февраля, 1 500 и 200 и 2 марта.")
    result = run(published, "send", "--week", W09)
    assert result.exit_code == 1
    assert (f"the ru bulletin of {W09} is not current (its sources, catalogs, templates or "
            f"settings changed since it was built); run transflow build --week {W09} --lang "
            "ru") in result.output
    assert smtp.handler.received == []
    # Every language that is not current is named, not the first alone.
    save_translation(published / "locales" / "en" / "LC_MESSAGES" / f"{W09}.po",
                     "", "Changed.")
    both = run(published, "send", "--week", W09)
    assert both.exit_code == 1
    assert (f"the ru and en bulletins of {W09} are not current (its sources, catalogs, "
            "templates or settings changed since it was built); run transflow build --week "
            f"{W09} --lang ru --lang en, then send again; nothing was sent") in both.output
    assert smtp.handler.received == []
    assert run(published, "build", "--week", W09, "--no-strict").exit_code == 0
    assert run(published, "send", "--week", W09).exit_code == 0
    assert len(smtp.handler.received) == 6


def test_a_language_without_a_bulletin_is_reported(published: Path, smtp: SMTPServer) -> None:
    assert run(published, "build", "--week", "2024-W10").exit_code == 0  # be: below threshold
    result = run(published, "send", "--week", "2024-W10")
    assert result.exit_code == 0
    assert "2024-W10 be: nothing sent: no bulletin was published this week" in result.output
    assert not [r for r in smtp.handler.received if r.message["Content-Language"] == "be"]


def test_previews_are_never_sent(published: Path, smtp: SMTPServer) -> None:
    import shutil

    shutil.rmtree(published / "output" / W09)
    assert run(published, "build", "--week", W09, "--drafts").exit_code == 0
    result = run(published, "send", "--week", W09)
    assert "nothing sent: no bulletin was published this week" in result.output
    assert smtp.handler.received == []


def test_without_the_secret_nothing_is_sent(published: Path, smtp: SMTPServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRANSFLOW_SECRET")
    result = run(published, "send", "--week", W09)
    assert result.exit_code == 1 and "set TRANSFLOW_SECRET in the environment" in result.output
    assert smtp.handler.received == []


def test_dry_run_and_test_copies(published: Path, smtp: SMTPServer) -> None:
    dry = run(published, "send", "--week", W09, "--dry-run")
    assert dry.exit_code == 0
    assert "be: 2 messages would be sent" in dry.output and "en: 2 messages" in dry.output
    assert "Subject: " in dry.output and "List-Unsubscribe:" in dry.output
    assert "dry run: nothing was sent or logged" in dry.output
    assert smtp.handler.received == []
    test = run(published, "send", "--week", W09, "--to", "editor@example.org")
    assert test.exit_code == 0 and "test copies sent to editor@example.org: be, ru, en" in (
        test.output)
    assert [r.message["Subject"].startswith("[test] ") for r in smtp.handler.received] == [
        True] * 3
    assert run(published, "send", "--week", W09).exit_code == 0  # deliveries still due
    assert len(smtp.handler.received) == 9


def test_secrets_appear_nowhere(published: Path, smtp: SMTPServer,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFLOW_SMTP_PASSWORD", "pa55word-never-shown")
    result = run(published, "send", "--week", W09)
    assert result.exit_code == 0
    for text in (result.output, (published / "subscribers.sqlite3").read_bytes().decode(
            "latin-1"), *[r.data.decode("latin-1") for r in smtp.handler.received]):
        assert SECRET not in text and "pa55word-never-shown" not in text


def test_dkim_signature_verifies(published: Path, smtp: SMTPServer, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import dkim

    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True,
                   capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                            check=True, capture_output=True).stdout
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    config = published / "transflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "timeout = 2\n", 'timeout = 2\ndkim_domain = "example.org"\ndkim_selector = "mail"\n'),
        encoding="utf-8")
    monkeypatch.setenv("TRANSFLOW_DKIM_KEY", str(key))
    assert run(published, "build", "--week", W09).exit_code == 0  # settings changed
    assert run(published, "send", "--week", W09, "--lang", "en").exit_code == 0
    for r in smtp.handler.received:
        assert r.data.startswith(b"DKIM-Signature:")
        assert dkim.verify(r.data, dnsfunc=lambda name, timeout=5: record)
        header = r.message["DKIM-Signature"]
        assert "list-unsubscribe" in header and "list-unsubscribe-post" in header


# --- the subscriber list -----------------------------------------------------------------

def test_subscribers_list_import_export(published: Path, tmp_path: Path) -> None:
    listing = json.loads(run(published, "subscribers", "list", "--json").stdout)
    assert {s["email"]: s["status"] for s in listing}["gone@example.org"] == "unsubscribed"
    assert run(published, "subscribers", "add", "ala@EXAMPLE.ORG", "--lang", "RU",
               "--name", "Ala").exit_code == 0  # the same person: updated
    (ala,) = [s for s in json.loads(run(published, "subscribers", "list", "--json").stdout)
              if s["email"].lower() == "ala@example.org"]
    assert ala["languages"] == ["ru"] and ala["name"] == "Ala"
    bad = tmp_path / "bad.csv"
    bad.write_text("email,languages,name,status\nnew@example.org,be,New,active\n"
                   "not-an-address,ru,X,active\n", encoding="utf-8")
    result = run(published, "subscribers", "import", str(bad))
    assert result.exit_code == 1 and f"{bad}:3: 'not-an-address' is not an email address" in (
        result.output)
    assert "new@example.org" not in run(published, "subscribers", "list").stdout
    listmonk = tmp_path / "listmonk.csv"
    listmonk.write_text("uuid,email,name,attribs,status\n1,lm@example.org,Lm,be|en,enabled\n"
                        "2,bl@example.org,Bl,ru,blocklisted\n", encoding="utf-8")
    assert run(published, "subscribers", "import", str(listmonk)).exit_code == 0
    export = run(published, "subscribers", "export").stdout
    assert "lm@example.org,be en,Lm,active" in export
    assert "bl@example.org,ru,Bl,unsubscribed" in export
    assert run(published, "subscribers", "remove", "lm@example.org").exit_code == 0
    assert "lm@example.org" not in run(published, "subscribers", "export").stdout
    assert run(published, "subscribers", "add", "x@example.org", "--lang", "de").exit_code == 2


def test_unsubscribe_by_token(published: Path, smtp: SMTPServer) -> None:
    assert run(published, "send", "--week", W09, "--lang", "en").exit_code == 0
    msg = smtp.handler.to("carol@example.org")[0].message
    token = msg["List-Unsubscribe"].split("token=")[1].rstrip(">")
    result = run(published, "subscribers", "unsubscribe", token)
    assert result.exit_code == 0 and "carol@example.org: unsubscribed" in result.output
    assert run(published, "subscribers", "unsubscribe", "0" * 32).exit_code == 1


# --- a kill in the middle --------------------------------------------------------------------

def test_a_killed_run_sends_nobody_twice_and_misses_nobody(sample: Path, smtp: SMTPServer,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setenv("TRANSFLOW_SECRET", SECRET)
    configure(sample, smtp.port)
    assert run(sample, "update").exit_code == 0
    assert run(sample, "build", "--week", W09, "--lang", "en").exit_code == 0
    people = [f"reader{i:03d}@example.org" for i in range(300)]
    csv = sample / "list.csv"
    csv.write_text("email,languages\n" + "".join(f"{p},en\n" for p in people), encoding="utf-8")
    assert run(sample, "subscribers", "import", str(csv)).exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "transflow", "send", "--week", W09, "--lang", "en",
               "-w", str(sample)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(smtp.handler.received) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < len(smtp.handler.received) < 300
    second = subprocess.run(command, env=env, capture_output=True, text=True)
    uncertain = int(re.search(r"(\d+) uncertain", second.stdout).group(1))
    assert uncertain <= 1
    third = subprocess.run([*command, "--resend-uncertain"], env=env, capture_output=True,
                           text=True)
    assert third.returncode == 0, third.stdout + third.stderr
    got = Counter(r.recipients[0] for r in smtp.handler.received)
    assert set(got) == set(people)  # nobody missing
    twice = [p for p, n in got.items() if n > 1]
    assert len(twice) <= uncertain  # a second copy only where the log could not know



def test_ctrl_c_finishes_the_message_and_leaves_the_log_consistent(
        sample: Path, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setenv("TRANSFLOW_SECRET", SECRET)
    configure(sample, smtp.port)
    assert run(sample, "update").exit_code == 0
    assert run(sample, "build", "--week", W09, "--lang", "en").exit_code == 0
    people = [f"reader{i:03d}@example.org" for i in range(200)]
    (sample / "list.csv").write_text("email,languages\n" + "".join(f"{p},en\n" for p in people),
                                     encoding="utf-8")
    assert run(sample, "subscribers", "import", str(sample / "list.csv")).exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "transflow", "send", "--week", W09, "--lang", "en",
               "-w", str(sample)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(smtp.handler.received) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "interrupted" in err and "Traceback" not in err
    db = sqlite3.connect(sample / "subscribers.sqlite3")
    states = Counter(state for (state,) in db.execute("SELECT state FROM deliveries"))
    db.close()
    assert states["sending"] == 0 and 0 < states["sent"] < 200
    assert states["sent"] == len(smtp.handler.received)  # the log says what the server got
    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert again.returncode == 0
    got = Counter(r.recipients[0] for r in smtp.handler.received)
    assert set(got) == set(people) and set(got.values()) == {1}


def test_a_correction_reaches_each_earlier_reader_once(published: Path,
                                                       smtp: SMTPServer) -> None:
    assert run(published, "send", "--week", W09, "--lang", "en").exit_code == 0
    first = {r.recipients[0]: r.message for r in smtp.handler.received}
    assert set(first) == {"boris@example.org", "carol@example.org"}
    # A reader who came after the first sending gets no correction of it.
    assert run(published, "subscribers", "add", "late@example.org", "--lang", "en").exit_code == 0
    note = "The date of the border talks was wrong: Tuesday, not Monday."
    for _ in range(2):  # the same correction twice: once each
        result = run(published, "send", "--week", W09, "--lang", "en", "--correction", note)
        assert result.exit_code == 0, result.output
    corrections = [r for r in smtp.handler.received if r.message["Subject"].startswith(
        "Correction: ")]
    assert sorted(r.recipients[0] for r in corrections) == ["boris@example.org",
                                                           "carol@example.org"]
    for r in corrections:
        message = r.message
        assert message["Message-ID"] != first[r.recipients[0]]["Message-ID"]
        text = message.get_body(("plain",)).get_content()
        assert text.startswith(f"This bulletin was corrected after it was sent: {note}")
    assert not smtp.handler.to("late@example.org")


def test_messages_are_written_as_the_email_package_writes_them() -> None:
    """as_bytes writes each body in one piece (faster); the bytes are the standard
    generator's, whatever the line ends."""
    import re as regex
    from email.message import EmailMessage
    from email.policy import SMTP

    from transflow.delivery.message import _UNFOLDED, as_bytes
    from transflow.workspace.config import Config

    message = EmailMessage(policy=SMTP)
    message["To"] = "reader@example.org"
    message["Subject"] = "Тыдзень: 26 лютага – 3 сакавіка"
    message.set_content("Радок\nдругі\r\nтрэці\rапошні")
    message.add_alternative("<p>Радок</p>\n", subtype="html")
    message.add_attachment(bytes(range(256)) * 400, maintype="application", subtype="pdf",
                           filename="bulletin.pdf")

    def unbounded(data: bytes) -> bytes:
        return regex.sub(rb"===============\d+==", b"", data)

    ours = as_bytes(Config(Path("/nonexistent")), message)
    assert unbounded(ours) == unbounded(message.as_bytes(policy=_UNFOLDED))


def test_a_dry_run_names_every_language_and_shows_the_whole_message(
        published: Path, smtp: SMTPServer) -> None:
    assert run(published, "build", "--week", "2024-W10").exit_code == 0  # be: below threshold
    dry = run(published, "send", "--week", "2024-W10", "--dry-run")
    assert dry.exit_code == 0
    assert "be: none would be sent: no bulletin was published this week" in dry.output
    assert "ru: 2 messages would be sent" in dry.output
    # The whole message: headers, the text and the HTML parts, the PDF by name and size.
    shown = dry.output
    assert "--- text/plain" in shown and "--- text/html" in shown
    assert re.search(r"--- application/pdf \(situation-in-belarus-2024-W10-\w\w\.pdf\)", shown)
    assert re.search(r"\n\[\d{5,} bytes\]\n", shown)
    assert "<!DOCTYPE html>" in shown and "Content-Disposition: attachment" in shown
    assert smtp.handler.received == []


def test_the_message_leads_into_each_commentary(published: Path, smtp: SMTPServer) -> None:
    """Each title links its page on the site (which exists), with its lead and trend; the
    count of commentaries and the issue; the web address alone is the link."""
    import html5lib

    assert run(published, "send", "--week", W09, "--lang", "en").exit_code == 0
    message = next(r.message for r in smtp.handler.received
                   if r.message["Content-Language"] == "en")
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    links = {a.get("href"): "".join(a.itertext()) for a in tree.iter("a")}
    base = "https://bulletin.example.org/"
    titled = {href: title for href, title in links.items()
              if href.startswith(f"{base}{W09}/en/") and href != f"{base}{W09}/en/"}
    assert len(titled) == 3
    for href in titled:
        page = published / "output" / href.removeprefix(base) / "index.html"
        assert page.is_file(), href
    assert titled[f"{base}{W09}/en/border-readiness-check/"] == (
        "Minsk announces a snap readiness check near the western border")
    assert links[f"{base}{W09}/en/"] == "Read it on the web"  # the words, not a sentence
    assert "3 commentaries" in html and "3 commentaries" in text
    assert "No.\u00a0270" in html  # tied, as in the bulletin
    assert "● The situation has not changed" in re.sub(r"\s+", " ", "".join(tree.itertext()))
    assert "On February 27, the Defence Ministry announced a snap readiness check" in html
    # Sizes a spam filter does not take for hidden words (WORD_INVIS: relative sizes).
    assert not re.search(r"font-size:\s*0\.\d+em", html)


@pytest.mark.skipif(not __import__("shutil").which("spamassassin"),
                    reason="spamassassin is not installed (make test installs it)")
def test_spamassassin_finds_nothing_to_hold_against_any_message(
        published: Path, smtp: SMTPServer) -> None:
    """SpamAssassin's local rules, as a mail provider's filter runs them on arrival:
    each language's message scores zero or below."""
    assert run(published, "send", "--week", W09).exit_code == 0
    seen = {}
    for received in smtp.handler.received:
        lang = received.message["Content-Language"]
        if lang in seen:
            continue
        checked = subprocess.run(["spamassassin", "-t", "-L"], input=received.data,
                                 capture_output=True, timeout=120)
        status = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+) required=[\d.]+\s+"
                           rb"tests=([^\n]*(?:\n\t[^\n]*)*)", checked.stdout)
        assert status, checked.stdout[-2000:]
        seen[lang] = (float(status[1]), status[2].decode().replace("\n\t", ""))
    assert set(seen) == {"be", "ru", "en"}
    assert all(score <= 0 for score, _ in seen.values()), seen


def test_the_message_body_has_the_typography_of_its_language(published: Path,
                                                              smtp: SMTPServer) -> None:
    """No breakable space after a one-letter word in either part of a be or ru message;
    the headers' identifiers (List-Id, addresses) untouched."""
    import html5lib

    breakable = re.compile(r"(?<![\w\-–—.])[аАвВзЗіІиИоОсСуУкКяЯўЎ] (?=\S)")
    assert run(published, "send", "--week", W09).exit_code == 0
    for lang in ("be", "ru"):
        message = next(r.message for r in smtp.handler.received
                       if r.message["Content-Language"] == lang)
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        shown = "".join(html5lib.parse(html, namespaceHTMLElements=False).itertext())
        for part in (text, shown):
            assert not breakable.search(part), breakable.search(part)
        assert "\u00a0" in text and "\u00a0" in shown  # it was applied, not skipped
        for header in ("List-Id", "From", "To", "List-Unsubscribe"):
            assert "\u00a0" not in str(message[header])
