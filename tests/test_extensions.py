"""The extension points: an output format, a machine-translation provider and a
delivery transport are each one registered member. Each test registers a trivial one,
written here, and runs the real command with it; the built-in members are found
through the same registries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import po, run, write_source
from transflow.assist.draft import draft
from transflow.assist.mt import providers as mt_providers
from transflow.assist.mt import register as register_provider
from transflow.assist.mt.providers import ErrorKind, unregister
from transflow.catalogs.update import update
from transflow.delivery import transports
from transflow.delivery.send import send
from transflow.publish import formats
from transflow.publish.build import build
from transflow.publish.formats import Made, Page
from transflow.publish.plan import BulletinJob
from transflow.workspace.config import Config, DeliverySettings, load_config
from transflow.workspace.weeks import Week

W09 = Week(2024, 9)


def test_the_built_in_members_are_registered_like_any_other() -> None:
    assert list(formats.formats()) == ["html", "pdf"]
    assert set(mt_providers()) == {"google", "deepl", "libre", "mymemory", "microsoft",
                                   "pseudo"}
    assert list(mt_providers())[-1] == "pseudo"  # offline: never suggested first
    assert list(transports.transports()) == ["smtp"]


# --- an output format ---------------------------------------------------------------------

class PlainText:
    """The bulletin's page as plain text, one line per paragraph."""

    name = "txt"
    rank = 30
    warm_up = False

    def __init__(self) -> None:
        self.rendered = 0

    def file_name(self, config: Config, week: Week, lang: str, preview: bool) -> str:
        return f"{week}-{lang}.txt"

    def render(self, job: BulletinJob, page: Page, root: Path, previous: str) -> Made:
        import re

        self.rendered += 1
        text = re.sub(r"<[^>]+>", "", page.html.split("<body", 1)[1])
        return Made("\n".join(line.strip() for line in text.splitlines()
                              if line.strip()).encode())

    def load(self) -> None:
        pass


@pytest.fixture
def plain_text() -> Iterator[PlainText]:
    member = PlainText()
    formats.register(member)
    yield member
    formats.unregister(member.name)


def test_a_new_output_format(updated: Path, plain_text: PlainText) -> None:
    config = load_config(updated)
    report = build(config, (W09,), formats=("html", "txt"), jobs=1)
    assert report.problem is None and report.built == 3
    text = (updated / "output" / str(W09) / "ru" / f"{W09}-ru.txt").read_text(encoding="utf-8")
    assert "Ситуация в Беларуси" in text or "Беларус" in text
    assert "<p" not in text
    manifest = json.loads((updated / "output" / str(W09) / "ru" / ".manifest.json")
                          .read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"index.html", f"{W09}-ru.txt"}
    # The build's records know it: nothing moved, nothing is made again.
    again = build(config, (W09,), formats=("html", "txt"), jobs=1)
    assert (again.built, again.unchanged, plain_text.rendered) == (0, 3, 3)
    (updated / "output" / str(W09) / "ru" / f"{W09}-ru.txt").unlink()
    build(config, (W09,), formats=("html", "txt"), jobs=1)
    assert plain_text.rendered == 4
    # The command line offers it too.
    result = run(updated, "build", "--week", str(W09), "--format", "txt")
    assert result.exit_code == 0, result.output
    assert run(updated, "build", "--format", "epub").exit_code == 2


# --- a machine-translation provider ---------------------------------------------------------

class Shouting:
    """Translates into capitals; refuses any text holding "fail"."""

    name = "shouting"
    key_variable = "SHOUTING_API_KEY"
    offline = False

    def languages(self) -> dict[str, str]:
        return {"en": "EN", "ru": "RU"}

    def engine(self, source: str, target: str, url: str | None,
               timeout: float) -> Shouting:
        return self

    def translate(self, text: str) -> str:
        if "fail" in text:
            raise ValueError("cannot shout that")
        return text.upper()

    def error_kind(self, exc: BaseException) -> ErrorKind:
        return "text"

    def refused_key(self, exc: BaseException) -> bool:
        return False

    def describe(self, exc: BaseException) -> str:
        return str(exc)


@pytest.fixture
def shouting() -> Iterator[Shouting]:
    member = Shouting()
    register_provider(member)
    yield member
    unregister(member.name)


def test_a_new_machine_translation_provider(mini: Path, shouting: Shouting,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write_source(mini, "2019-W10", "rail", "title: Rail talks\ncategory: security",
                 "Freight transit remains unlikely.\n\nThe talks may fail.")
    config = load_config(mini)
    update(config, (Week(2019, 10),))
    report = draft(config, (Week(2019, 10),), languages=["ru"], provider="shouting")
    assert report.drafted == 2
    catalog = po(mini, "ru", "2019-W10").read_text(encoding="utf-8")
    assert 'msgstr "FREIGHT TRANSIT REMAINS UNLIKELY."' in catalog
    assert [f.reason for f in report.failures] == ["shouting: cannot shout that"]
    # Its pairs are checked before any request: it has no Belarusian.
    failed = run(mini, "draft", "--lang", "be", "--provider", "shouting")
    assert failed.exit_code == 1 and "shouting does not translate en→be" in failed.output
    # Its key is redacted like any provider's.
    monkeypatch.setenv("SHOUTING_API_KEY", "k-12345")
    from transflow.assist.mt import redact

    assert redact("sent with k-12345") == "sent with ***"


# --- a delivery transport ------------------------------------------------------------------

class Outbox:
    """Keeps every message in a list; refuses addresses at example.net."""

    name = "outbox"

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, bytes]] = []

    def connect(self, settings: DeliverySettings) -> Outbox:
        return self

    def send(self, sender: str, recipient: str, data: bytes,
             before_data: Callable[[], None] = lambda: None,
             smtputf8: bool = False) -> None:
        if recipient.endswith("@example.net"):
            raise transports.Rejected("550 no such mailbox")
        before_data()
        self.messages.append((sender, recipient, data))

    def close(self) -> None:
        pass


@pytest.fixture
def outbox() -> Iterator[Outbox]:
    member = Outbox()
    transports.register(member)
    yield member
    transports.unregister(member.name)


def test_a_new_delivery_transport(updated: Path, outbox: Outbox,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFLOW_SECRET", "s3cret-for-tests-only")
    with (updated / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write('\n[delivery]\nfrom = "Bulletin <bulletin@example.org>"\n'
                'transport = "outbox"\n')
    assert run(updated, "build", "--week", str(W09)).exit_code == 0
    for email in ("ala@example.org", "nobody@example.net"):
        assert run(updated, "subscribers", "add", email, "--lang", "en").exit_code == 0
    config = load_config(updated)
    report = send(config, W09, languages=["en"])
    assert [m[1] for m in outbox.messages] == ["ala@example.org"]
    assert b"Subject:" in outbox.messages[0][2]
    assert any("nobody@example.net" in f and "550" in f for f in report.failures)
    # Sent once: a second run finds it in the log.
    send(config, W09, languages=["en"])
    assert len(outbox.messages) == 1
    # A transport nobody registered is a setting's error, not a traceback.
    wrong = replace(config, delivery=replace(config.delivery, transport="pigeon"))
    from transflow.workspace.errors import ConfigError

    with pytest.raises(ConfigError, match="transport 'pigeon' is not one transflow has"):
        send(wrong, W09, languages=["ru"])
