"""`transflow check`: each check failing and passing, the glossary with inflected
forms, the JSON shape, and `build --strict`."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest

from tests.helpers import run, write_source
from transflow.quality.checks import check_translation
from transflow.quality.glossary import Term

GLOSSARY = (
    Term((("en", "Makei"), ("ru", "Макей"), ("be", "Макей")), ("Makey",), "minister", 2),
    Term((("en", "Lukashenka"), ("ru", "Лукашенко"), ("be", "Лукашэнка")),
         ("Lukashenko", "Лукашэнко"), "head of state", 3),
    Term((("en", "House of Representatives"), ("ru", "Палата представителей"),
          ("be", "Палата прадстаўнікоў")), (), "", 4),
)


def issues(source: str, target: str, source_lang: str = "en", target_lang: str = "ru",
           check: str | None = None) -> list[str]:
    found = check_translation(source, target, source_lang, target_lang, GLOSSARY)
    return [f"{name}: {message}" for name, severity, message in found
            if (check is None or name == check) and (check or severity == "error")]


@pytest.mark.parametrize(
    ("source", "good", "bad"),
    [
        ("About 2,000 troops.", "Около 2 000 военных.", "Около 3 000 военных."),
        ("About 2,000 troops.", "Около 2000 военных.", "Около военных."),
        ("Up from 1% to 1.5%.", "Рост с 1% до 1,5%.", "Рост с 1% до 15%."),
        ("On March 5th.", "5-го марта.", "6-го марта."),
    ],
)
def test_numbers(source: str, good: str, bad: str) -> None:
    assert issues(source, good, check="numbers") == []
    assert issues(source, bad, check="numbers")[0].startswith("numbers: number ")


def test_numbers_in_belarusian_ordinals() -> None:
    assert issues("On the 5th day.", "На 5-ы дзень.", "en", "be", check="numbers") == []


def test_urls() -> None:
    source = "See [the report](https://example.org/a) and https://example.org/b."
    assert issues(source, "См. [доклад](https://example.org/a) и https://example.org/b.",
                  check="urls") == []
    assert issues(source, "См. [доклад](https://example.org/A) и https://example.org/b.",
                  check="urls") == [
        "urls: link target https://example.org/a is missing or altered in the translation"]
    assert issues(source, "См. доклад и https://example.org/b.", check="urls")


def test_markup() -> None:
    source = "It is **very** important, see [this](https://x.org)."
    assert issues(source, "Это **очень** важно, см. [это](https://x.org).", check="markup") == []
    unbalanced = issues(source, "Это **очень важно, см. [это](https://x.org).", check="markup")
    assert "markup: 0 bold spans in the translation, 1 in the source" in unbalanced
    broken = issues(source, "Это **очень** важно, см. [это] (https://x.org).", check="markup")
    assert "markup: 0 links in the translation, 1 in the source" in broken


def test_script() -> None:
    assert issues("Minsk said.", "Мінск сказаў.", "en", "be", check="script") == []
    assert issues("Minsk said.", "Мінск і Минщина.", "en", "be", check="script") == [
        "script: 'Минщина' has Russian letters (и, щ) in Belarusian text"]
    assert issues("Minsk said.", "Минск сказаў.", "en", "ru", check="script") == [
        "script: 'сказаў' has Belarusian letters (ў) in Russian text"]
    homoglyph = "Мiнск"  # a Latin i inside a Cyrillic word
    assert issues("Minsk.", f"{homoglyph}.", "en", "be", check="script") == [
        "script: 'Мiнск' mixes Latin and Cyrillic letters (a homoglyph typed in the wrong "
        "layout)"]
    assert issues("NATO met.", "NATO собралось.", "en", "ru", check="script") == []


@pytest.mark.parametrize(
    ("source", "target", "source_lang", "target_lang"),
    [
        ("Makei met Lukashenka.", "Макей встретился с Лукашенко.", "en", "ru"),
        ("Lukashenka met Makei.", "Лукашенко встретился с Макеем.", "en", "ru"),
        ("Makei's words.", "Слова Макея.", "en", "ru"),
        ("Lukashenka spoke.", "Словы Лукашэнкі.", "en", "be"),
        ("Встреча с Макеем.", "Сустрэча з Макеем.", "ru", "be"),
        ("В Палате представителей.", "У Палаце прадстаўнікоў.", "ru", "be"),
        ("The House of Representatives voted.", "Палата представителей проголосовала.",
         "en", "ru"),
    ],
)
def test_glossary_matches_inflected_forms(source: str, target: str, source_lang: str,
                                          target_lang: str) -> None:
    assert issues(source, target, source_lang, target_lang, check="glossary") == []


def test_glossary_errors() -> None:
    assert issues("Makei spoke.", "Министр сказал.", check="glossary") == [
        "glossary: the source has 'Makei': use 'Макей' (glossary.csv)"]
    assert issues("Lukashenka spoke.", "Лукашэнко сказаў.", "en", "be", check="glossary") == [
        "glossary: 'Лукашэнко' is a forbidden variant; use 'Лукашэнка' (glossary.csv)"]


def test_toolkit_checks_are_warnings() -> None:
    found = check_translation("Talks resumed.", "Переговоры  возобновились возобновились",
                              "en", "ru", ())
    names = {name for name, severity, _ in found if severity == "warning"}
    assert {"doublespacing", "doublewords", "endpunc"} <= names
    assert all(severity == "warning" for name, severity, _ in found)
    assert check_translation("Talks resumed.", "Переговоры возобновились.", "en", "ru",
                             ()) == []


@pytest.fixture
def checked(sample: Path) -> Path:
    run(sample, "update")
    path = sample / "locales" / "ru" / "LC_MESSAGES" / "2024-W09.po"
    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith("On February 27"))
    entry.msgstr = entry.msgstr.replace("1 500", "1 400")
    catalog.save(str(path))
    return sample


def test_check_cli_text_and_exit_status(checked: Path) -> None:
    result = run(checked, "check", "--week", "2024-W09")
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "[numbers]" in x)
    assert line.startswith("locales/ru/LC_MESSAGES/2024-W09.po:")
    assert "error: [numbers] number 1,500 is missing or changed" in line
    assert line.endswith("(ru, border-readiness-check)")
    assert run(checked, "check", "--week", "2024-W09", "--lang", "be").exit_code == 0


def test_check_json_shape(checked: Path) -> None:
    result = run(checked, "check", "--week", "2024-W09", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert findings and all(set(f) == {"path", "line", "lang", "week", "context", "check",
                                       "severity", "message", "msgid"} for f in findings)
    number = next(f for f in findings if f["check"] == "numbers")
    assert number["severity"] == "error" and number["lang"] == "ru"
    assert number["msgid"].startswith("On February 27, the Defence Ministry")
    assert number["week"] == "2024-W09" and number["context"] == "border-readiness-check"
    lines = (checked / number["path"]).read_text(encoding="utf-8").splitlines()
    assert lines[number["line"] - 1].startswith(("msgctxt", "#", "msgid"))


def test_the_shipped_sample_is_clean(sample: Path) -> None:
    result = run(sample, "check", "--sources", "--format", "json")
    assert result.exit_code == 0
    assert [f for f in json.loads(result.stdout) if f["severity"] == "error"] == []


def test_sources_check_catches_forbidden_spellings(sample: Path) -> None:
    write_source(sample, "2024-W10", "mixed-spellings",
                 "title: Lukashenko meets Lukashenka's envoy\ncategory: security",
                 "The talks in Vilna went well.")
    result = run(sample, "check", "--week", "2024-W10", "--sources", "--format", "json")
    assert result.exit_code == 1
    messages = {(f["path"], f["line"], f["message"]) for f in json.loads(result.stdout)}
    path = "sources/2024-W10/mixed-spellings.md"
    assert (path, 2, "'Lukashenko' is a forbidden variant; use 'Lukashenka' (glossary.csv)") \
        in messages
    assert (path, 6, "'Vilna' is a forbidden variant; use 'Vilnius' (glossary.csv)") \
        in messages


def test_build_strict_refuses_a_language_with_errors(checked: Path) -> None:
    result = run(checked, "build", "--week", "2024-W09", "--strict", "--format", "html")
    assert result.exit_code == 1
    assert "refused 2024-W09 ru: 1 check errors" in result.output
    assert not (checked / "output" / "2024-W09" / "ru").exists()
    assert (checked / "output" / "2024-W09" / "be" / "index.html").exists()
    # Without strict mode the editor may still publish.
    assert run(checked, "build", "--week", "2024-W09", "--format", "html",
               "--no-strict").exit_code == 0


def test_a_second_check_reads_nothing_and_says_the_same(
        checked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run(checked, "check", "--format", "json")
    assert first.exit_code == 1

    from transflow.catalogs import pofile

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("a week nothing changed for was read again")

    def labels_only(path: Path, *args: object, **kwargs: object) -> object:
        if path.stem != "ui":  # the labels' catalogs are small, and read each time
            unread()
        return read(path, *args, **kwargs)

    read = pofile.read_catalog
    with monkeypatch.context() as patch:
        patch.setattr("transflow.catalogs.pofile.read_catalog", labels_only)
        patch.setattr("transflow.quality.checks.load_week", unread)
        again = run(checked, "check", "--format", "json")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    text = run(checked, "check")
    assert "entries checked: 1 errors" in text.output


def test_check_reads_again_what_changed(checked: Path) -> None:
    assert run(checked, "check", "--week", "2024-W09").exit_code == 1
    path = checked / "locales" / "ru" / "LC_MESSAGES" / "2024-W09.po"
    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith("On February 27"))
    entry.msgstr = entry.msgstr.replace("1 400", "1 500")
    catalog.save(str(path))
    assert run(checked, "check", "--week", "2024-W09").exit_code == 0
    # A glossary row added: the same catalogs are checked against it.
    glossary = checked / "glossary.csv"
    header = glossary.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {"en": "troops", "ru": "войска", "be": "войскі", "forbidden": "", "note": ""}
    with glossary.open("a", encoding="utf-8") as f:
        f.write(",".join(row.get(column, "") for column in header) + "\n")
    result = run(checked, "check", "--week", "2024-W09", "--format", "json")
    assert any(f["check"] == "glossary" and "troops" in f["message"]
               for f in json.loads(result.stdout))


def test_a_damaged_check_record_is_ignored(checked: Path) -> None:
    first = run(checked, "check", "--format", "json")
    state = checked / ".transflow" / "check-state.json"
    data = json.loads(state.read_text(encoding="utf-8"))
    for _, record in data["records"].values():
        record["findings"] = [{"no such": "field"}]
    state.write_text(json.dumps(data), encoding="utf-8")
    again = run(checked, "check", "--format", "json")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    state.write_text("{not json", encoding="utf-8")
    assert run(checked, "check", "--format", "json").stdout == first.stdout
