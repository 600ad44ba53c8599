"""Routing, language-pair checks, masking and key redaction: no network."""

from __future__ import annotations

import pytest

from transflow.assist.masking import MaskError, mask, unmask
from transflow.assist.mt import (
    MTError,
    Step,
    language_table,
    redact,
    resolve_route,
    supports,
)
from transflow.assist.mt.providers.pseudo import pseudo_translate
from transflow.workspace.config import MTSettings


@pytest.mark.parametrize(
    ("provider", "source", "target", "ok"),
    [
        ("google", "en", "be", True),
        ("google", "ru", "be", True),
        ("mymemory", "en", "be", True),
        ("deepl", "en", "ru", True),
        ("deepl", "en", "be", False),
        ("libre", "ru", "en", True),
        ("libre", "en", "be", False),
        ("microsoft", "en", "ru", True),
        ("microsoft", "ru", "be", False),
        ("pseudo", "be", "en", True),
    ],
)
def test_language_pairs(provider: str, source: str, target: str, ok: bool) -> None:
    assert supports(provider, source, target) is ok


def test_provider_codes() -> None:
    assert language_table("mymemory")["be"] == "be-BY"
    assert language_table("mymemory")["en"] == "en-GB"
    assert language_table("google")["be"] == "be"


def test_route_default_and_per_pair() -> None:
    mt = MTSettings(provider="deepl", routes={"en-be": "google"})
    assert resolve_route(mt, "en", "ru").steps == (Step("deepl", "en", "ru"),)
    assert resolve_route(mt, "en", "be").steps == (Step("google", "en", "be"),)
    assert resolve_route(mt, "en", "ru", override="libre").label == "libre"


def test_unsupported_pair_names_providers_that_do() -> None:
    with pytest.raises(MTError) as err:
        resolve_route(MTSettings(provider="deepl"), "ru", "be")
    message = str(err.value)
    assert message.startswith("deepl does not translate ru→be; use google or mymemory")
    assert '[mt.routes] "ru-be" = "google"' in message


def test_pivot_route() -> None:
    mt = MTSettings(provider="deepl", pivots={"en-be": "ru"}, routes={"ru-be": "google"})
    route = resolve_route(mt, "en", "be")
    assert route.steps == (Step("deepl", "en", "ru"), Step("google", "ru", "be"))
    assert route.label == "deepl en→ru, google ru→be"
    # A pivot whose second leg nobody configured is refused too.
    with pytest.raises(MTError, match="deepl does not translate ru→be"):
        resolve_route(MTSettings(provider="deepl", pivots={"en-be": "ru"}), "en", "be")


def test_no_or_unknown_provider() -> None:
    with pytest.raises(MTError, match="no machine-translation provider for en→ru"):
        resolve_route(MTSettings(), "en", "ru")
    with pytest.raises(MTError, match="unknown provider 'babelfish'"):
        resolve_route(MTSettings(provider="babelfish"), "en", "ru")


def test_redact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPL_API_KEY", "abc-123:fx")
    assert redact("GET /v2/translate?auth_key=abc-123:fx failed") == (
        "GET /v2/translate?auth_key=*** failed")


@pytest.mark.parametrize(
    "text",
    [
        "On March 5th, 2019, **1,500** troops [met](https://example.org/a_b?x=1) at 10.5%.",
        "See https://example.org/path and `code {x} 5` and {braces}.",
        "Минск, 1 500 человек, *курсив* и __жирный__, 2019–2020 гг.",
        "No markup at all.",
    ],
)
def test_mask_round_trip(text: str) -> None:
    masked = mask(text)
    assert "https://" not in masked.text and "**" not in masked.text
    assert unmask(masked.text, masked) == text
    # Placeholders survive the spacing that MT engines introduce.
    assert unmask(masked.text.replace("{", "{ ").replace("}", " }"), masked) == text


def test_what_is_masked() -> None:
    masked = mask("In 2019, 1,500 people (12.5%) read [it](https://x.org) and **this** "
                  "`x = 1`.")
    assert masked.originals == ("2019", "1,500", "12.5%", "[", "](https://x.org)", "**",
                                "**", "`x = 1`")
    assert masked.text == ("In {0}, {1} people ({2}) read {3}it{4} and {5}this{6} {7}.")


@pytest.mark.parametrize("broken", ["{0} {1} {2}", "{0} {1} {2} {3} {3}", "{0} {1} {2} {9} {3}"])
def test_unmask_refuses_lost_repeated_or_invented_placeholders(broken: str) -> None:
    masked = mask("A [b](https://c.org) **d** 5")
    assert len(masked.originals) == 5
    with pytest.raises(MaskError):
        unmask(broken, masked)


def test_pseudo_keeps_placeholders() -> None:
    out = pseudo_translate("Rain in {0} and {1}")
    assert out.startswith("[Ŕàîñ îñ {0} àñd {1}") and out.endswith("]")
