"""Splitting commentaries into segments."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_source
from transflow.sources.commentary import load_week
from transflow.sources.markdown import render_inline, split
from transflow.workspace.config import load_config
from transflow.workspace.weeks import Week

BODY = """\
## A heading with *emphasis*

A paragraph that is wrapped
over two lines, with **bold** and a [link](https://example.org/a_b).

- first item
- second item
  continued

> A quoted paragraph.

Last paragraph.
"""


def test_blocks_become_segments_with_roles_and_lines(mini: Path) -> None:
    write_source(mini, "2019-W10", "talks",
                 "title: The title\nauthor: A. Writer\ncategory: security", BODY)
    (c,) = load_week(load_config(mini), Week(2019, 10))
    segments = split(c)
    assert [(s.role, s.text) for s in segments] == [
        ("title", "The title"),
        ("author", "A. Writer"),
        ("heading", "A heading with *emphasis*"),
        ("paragraph", "A paragraph that is wrapped over two lines, with **bold** and a "
                      "[link](https://example.org/a_b)."),
        ("list item", "first item"),
        ("list item", "second item continued"),
        ("quote", "A quoted paragraph."),
        ("paragraph", "Last paragraph."),
    ]
    assert [s.line for s in segments] == [2, 3, 7, 9, 12, 13, 16, 18]
    assert all(s.slug == "talks" and s.path == "sources/2019-W10/talks.md" for s in segments)
    item1, item2 = segments[4:6]
    assert item1.containers[0] == item2.containers[0]  # one list
    assert item1.containers[1] != item2.containers[1]  # two items
    assert segments[2].tag == "h2"


def test_render_inline_escapes_raw_html() -> None:
    assert render_inline("**a** <script>alert(1)</script>") == (
        "<strong>a</strong> &lt;script&gt;alert(1)&lt;/script&gt;")
    assert "<img" not in render_inline("![x](file:///etc/passwd)")
    assert 'href="javascript' not in render_inline("[x](javascript:alert(1))")


def test_quotes_and_apostrophes_are_set_as_each_language_sets_them() -> None:
    from transflow.sources.markdown import render_inline

    assert render_inline("Lithuania's \"rail\" talks", "en") == "Lithuania’s “rail” talks"
    assert render_inline("Сям'я і \"новыя\" словы", "be") == "Сям’я і «новыя» словы"
    assert render_inline("Сказал \"да\"", "ru") == "Сказал «да»"
    # Code and addresses keep what was typed; without a language, nothing changes.
    assert render_inline("`it's` [x](http://a.org/'q')", "en") == (
        "<code>it's</code> <a href=\"http://a.org/'q'\">x</a>")
    assert render_inline("it's", None) == "it's"
