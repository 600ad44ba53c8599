"""Every validation message the README promises: a bad setting in transflow.toml or a
bad front-matter field stops the command with one line naming the file, the line and
what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MINI_CONFIG, run, write_source
from transflow.sources.commentary import load_week
from transflow.workspace.config import load_config
from transflow.workspace.errors import ConfigError, SourceError
from transflow.workspace.weeks import Week

SETTINGS_CASES = [
        (('languages = ["be", "ru", "en"]', 'languages = ["be", "xx-nowhere"]'), 3,
         "unknown language 'xx-nowhere' in publication.languages"),
        (('source_language = "en"', 'source_language = "de"'), 4,
         "source_language 'de' is not one of be, ru, en"),
        (('ru = "Тестовый бюллетень"\n', ""), 7, "[publication.title] lacks a title for ru"),
        (('min_translated = 0', 'min_translated = 101'), 5,
         "min_translated must be a percentage from 0 to 100"),
        (('security = "Security issues"\neconomy = "Economy"\n', ""), 12,
         "[categories] must map each category key to its English label"),
        (("", '\n[mt]\ntimeout = "soon"\n'), 17, "[mt] timeout must be a number"),
        (("", '\n[memory]\nfiles = "archive.po"\n'), 17,
         "[memory] files must be a list of paths (.po or .tmx)"),
        (("", "\n[memory]\nthreshold = 0\n"), 17,
         "[memory] threshold must be a similarity from 1 to 100"),
        (("", "\n[build]\nstrict = 1\n"), 17, "[build] strict must be true or false"),
        (("[publication]", "[publication\n"), 1, "not valid TOML"),
        # A typo is never a silent default.
        (("", "\n[memmory]\nthreshold = 60\n"), 16,
         "there is no setting or table 'memmory'; did you mean 'memory'?"),
        (("", "\n[memory]\ntreshold = 60\n"), 17,
         "[memory] has no setting 'treshold'; did you mean 'threshold'?"),
        (('min_translated = 0', 'min_translatd = 0'), 5,
         "[publication] has no setting 'min_translatd'; did you mean 'min_translated'?"),
        (("", '\n[delivery]\nhots = "smtp.example.org"\n'), 17,
         "[delivery] has no setting 'hots'; did you mean 'host'?"),
        (("", "\n[site]\nbase_ulr = 1\n"), 17,
         "[site] has no setting 'base_ulr'; did you mean 'base_url'?"),
        (("[publication]", "strict = true\n[publication]"), 1,
         "there is no setting or table 'strict'"),
        (('languages = ["be", "ru", "en"]', 'languages = "be"'), 3,
         "[publication] languages must be a list of language codes"),
        (('slug = "test-bulletin"', 'slug = "../x"'), 2,
         "[publication] slug must be a plain name of lowercase letters, digits and hyphens"),
        (("", '\n[publication.subtitle]\nen = 1\n'), 16,
         "[publication.subtitle] must give a text per language"),
        (("", '\n[publication.colophon]\nen = 1\n'), 16,
         "[publication.colophon] must give a text per language"),
        (("min_translated = 0", 'min_translated = 0\nissn = "1234-5678"'), 6,
         "[publication] issn must be an ISSN with its check digit, as 1234-5679"),
        (("min_translated = 0", 'min_translated = 0\nlogo = "/etc/logo.svg"'), 6,
         "[publication] logo must be the path of an .svg or .png file inside the workspace"),
        (("min_translated = 0", 'min_translated = 0\nfirst_week = "someday"'), 6,
         "[publication] first_week must be the ISO week of issue No. 1"),
        (('economy = "Economy"', '"Economy Desk" = "Economy"'), 12,
         "category key 'Economy Desk' must be a plain name"),
        (("", "\n[trends]\nbetter = 1\n"), 16, "[trends] must map each trend"),
        (("", '\n[memory]\nfiles = ["../x.po"]\n'), 17,
         "[memory] files: ../x.po must be a path inside the workspace"),
        (("", "\n[sources]\nmax_segment = 0\n"), 17,
         "[sources] max_segment must be a number of characters"),
        (("", "\n[mt]\nretries = 1.5\n"), 17, "[mt] retries must be a whole number"),
        (("", "\n[mt]\nroutes = 5\n"), 17, "[mt] routes must be a table of texts"),
        (("", '\n[mt]\nurl = "ftp://x"\n'), 17, "[mt] url must be an http(s) address"),
        (("", '\n[delivery]\ndatabase = "/var/db.sqlite3"\n'), 17,
         "[delivery] database must be a path inside the workspace"),
        (("", '\n[delivery]\nfrom = "nobody"\n'), 17,
         "[delivery] from must be one line with an address"),
        (("", '\n[delivery]\nport = "25"\n'), 17, "[delivery] port must be a whole number"),
        (("", '\n[delivery]\nsecurity = "ssl"\n'), 17,
         "[delivery] security must be starttls, tls or none"),
        (("", "\n[delivery]\nrate = 0\n"), 17,
         "[delivery] rate must be a number of messages a second above 0"),
        (("", "\n[delivery]\ntimeout = -1\n"), 17,
         "[delivery] timeout must be a number of seconds above 0"),
        (("", '\n[site]\nbase_url = "bulletin.example.org"\n'), 17,
         "[site] base_url must be an http(s) address"),
        (("", "\n[subscriptions]\nenabled = \"yes\"\n"), 17,
         "[subscriptions] enabled must be true or false"),
        (("", "\n[subscriptions]\ntrusted_proxy = 127\n"), 17,
         "[subscriptions] trusted_proxy must be a text"),
        (("", "\n[memory.threshold]\nx = 1\n"), 16,
         "[memory.threshold] is not a table transflow knows"),
        (("[publication]", "memory = 5\n[publication]"), 1,
         "[memory] must be a table of settings"),
]
"""(change to MINI_CONFIG: (old, new), or ("", appended), the line named, the message)."""

SENDING_MESSAGES = ["[delivery] transport 'pigeon' is not one transflow has"]
"""Messages of settings checked when they are used (``test_an_unknown_transport``)."""


@pytest.mark.parametrize(("change", "line", "message"), SETTINGS_CASES)
def test_bad_settings_name_their_line(mini: Path, change: tuple[str, str], line: int,
                                      message: str) -> None:
    old, new = change
    text = MINI_CONFIG.replace(old, new) if old else MINI_CONFIG + new
    (mini / "transflow.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(mini)
    assert str(err.value).startswith(f"{mini / 'transflow.toml'}:{line}: {message}")
    result = run(mini, "status")
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


GOOD = "title: Talks\ncategory: security"


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        (GOOD + "\nsumary: x", 4, "unknown field 'sumary'; known fields: title, category, "
         "lang, trend, author, date, image_credit, summary"),
        ("category: security", 1, "required field 'title' is missing or empty"),
        ("title: Talks", 1, "required field 'category' is missing or empty"),
        ("title: 2019\ncategory: security", 2, "'title' must be text; quote it"),
        (GOOD + "\nauthor: [a, b]", 4, "'author' must be text; quote it"),
        (GOOD + "\nlang: de", 4, "lang 'de' is not one of be, ru, en"),
        ("title: Talks\ncategory: weather", 3, "unknown category 'weather'; use one of "
         "security, economy (or add it to [categories] in transflow.toml)"),
        (GOOD + "\ntrend: brighter", 4,
         "unknown trend 'brighter'; use one of better, unchanged, worse"),
        (GOOD + "\ndate: 6 March", 4, "date '6 March' is not a date like 2019-03-06"),
        (GOOD + "\ndate: 2019-03-11", 4, "date 2019-03-11 is not inside week 2019-W10 "
         "(2019-03-04 – 2019-03-10); fix the date or move the file"),
        ("title: [unclosed\ncategory: security", 3, "front matter is not valid YAML"),
        ("- a list", 2, "front matter must be 'field: value' lines"),
    ],
)
def test_bad_front_matter_names_its_line(mini: Path, front: str, line: int,
                                         message: str) -> None:
    write_source(mini, "2019-W10", "talks", front, "Body.")
    with pytest.raises(SourceError) as err:
        load_week(load_config(mini), Week(2019, 10))
    assert str(err.value).startswith(f"sources/2019-W10/talks.md:{line}: {message}")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("talks.md", "Just a body.\n", "sources/2019-W10/talks.md:1: no front matter"),
        ("talks.md", "---\ntitle: x\n", "sources/2019-W10/talks.md:1: front matter is not "
         "closed"),
        ("Talks Notes.md", f"---\n{GOOD}\n---\nBody.\n", "sources/2019-W10/Talks Notes.md: "
         "file name must be a slug"),
    ],
)
def test_bad_source_files(mini: Path, name: str, text: str, message: str) -> None:
    path = mini / "sources" / "2019-W10" / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    result = run(mini, "update")
    assert result.exit_code == 1
    assert message in result.output


def test_source_not_utf8(mini: Path) -> None:
    path = mini / "sources" / "2019-W10" / "talks.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(f"---\n{GOOD}\n---\nБеларусь\n".encode("cp1251"))
    result = run(mini, "update")
    assert result.exit_code == 1
    assert "sources/2019-W10/talks.md: not UTF-8" in result.output


@pytest.mark.parametrize("week", ["2019-W54", "March", "19-W10"])
def test_a_malformed_week_is_a_usage_error(mini: Path, week: str) -> None:
    result = run(mini, "status", "--week", week)
    assert result.exit_code == 2
    assert "Invalid value for '--week'" in result.output


def test_an_unknown_transport() -> None:
    from transflow.delivery.transports import open_transport
    from transflow.workspace.config import DeliverySettings

    with pytest.raises(ConfigError) as err:
        open_transport(DeliverySettings(transport="pigeon"))
    assert str(err.value).startswith(SENDING_MESSAGES[0])


def test_every_message_of_the_readme_settings_table_is_tested() -> None:
    import re

    text = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = text.split("#### Settings", 1)[1].split("\n\n| table |", 1)[1].split("\n\n")[0]
    tested = [message for _, _, message in SETTINGS_CASES] + SENDING_MESSAGES
    promised = [m for row in table.splitlines()[2:]
                for m in re.findall(r"`([^`]+)`", row.rsplit("|", 2)[1])]
    assert len(promised) > 30
    for message in promised:
        pattern = ".*".join(re.escape(part) for part in message.split("…"))
        assert any(re.search(pattern, t) for t in tested), f"no test says: {message}"
