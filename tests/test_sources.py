"""Front matter validation: one clear line naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import run, write_source
from transflow.sources.commentary import load_week
from transflow.workspace.config import load_config
from transflow.workspace.errors import SourceError
from transflow.workspace.weeks import Week

GOOD = """\
title: Minsk and Vilnius talk
category: security
trend: better
author: A. Writer
date: 2019-03-06
"""


def test_valid_source(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks", GOOD, "One.\n\nTwo.")
    (c,) = load_week(load_config(mini), Week(2019, 10))
    assert (c.slug, c.lang, c.category, c.trend, c.author) == (
        "talks", "en", "security", "better", "A. Writer")
    assert c.field_lines["title"] == 2
    assert c.body_line == 8  # the line after the closing ---


@pytest.mark.parametrize(
    ("front", "field", "line"),
    [
        (GOOD.replace("security", "weather"), "category", 3),
        (GOOD.replace("better", "brighter"), "trend", 4),
        (GOOD + "lang: de\n", "lang", 7),
        (GOOD.replace("2019-03-06", "2019-03-11"), "date", 6),
        (GOOD + "categroy: x\n", "categroy", 7),
    ],
)
def test_invalid_field_names_file_field_and_line(mini: Path, front: str, field: str,
                                                 line: int) -> None:
    write_source(mini, "2019-W10", "talks", front, "Body.")
    with pytest.raises(SourceError) as err:
        load_week(load_config(mini), Week(2019, 10))
    message = str(err.value)
    assert message.startswith(f"sources/2019-W10/talks.md:{line}: ")
    assert field in message


def test_missing_title(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks", "category: security", "Body.")
    with pytest.raises(SourceError, match="required field 'title'"):
        load_week(load_config(mini), Week(2019, 10))


def test_yaml_error_has_line(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks", "title: [unclosed\ncategory: security", "Body.")
    with pytest.raises(SourceError, match=r"talks\.md:\d+: front matter is not valid YAML"):
        load_week(load_config(mini), Week(2019, 10))


def test_cli_reports_source_error_without_traceback(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks", GOOD.replace("security", "weather"), "Body.")
    result = run(mini, "update")
    assert result.exit_code == 1
    assert "sources/2019-W10/talks.md:3: unknown category 'weather'" in result.output
    assert "Traceback" not in result.output
    assert result.output.splitlines() == [
        "Error: sources/2019-W10/talks.md:3: unknown category 'weather'; use one of "
        "security, economy (or add it to [categories] in transflow.toml)"
    ]


def test_badly_named_week_folder(mini: Path) -> None:
    write_source(mini, "2019-w10", "talks", GOOD, "Body.")
    result = run(mini, "update")
    assert result.exit_code == 1
    assert "sources/2019-w10: folder name is not an ISO week" in result.output


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
       st.sampled_from([None, "be", "ru", "en"]))
def test_plain_text_renders_as_the_parser_renders_it(text: str, lang: str | None) -> None:
    # render_inline gives a text with no Markdown, HTML or quote character back as it
    # is, without the parser: it must be what the parser would have made of it.
    from transflow.sources.markdown import (
        _ENGLISH_QUOTES,
        QUOTES,
        _parser,
        _typographer,
        render_inline,
    )

    parser = _parser() if lang is None else _typographer(QUOTES.get(lang, _ENGLISH_QUOTES))
    assert render_inline(text, lang) == parser.renderInline(text)
