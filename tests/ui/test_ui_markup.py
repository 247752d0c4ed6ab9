"""The markup helpers escape user text by default: what a person types never becomes markup."""

from __future__ import annotations

import html
import re

import pytest

from sigworkbook.markup import Markup
from sigworkbook.plan.steps import STEPS
from sigworkbook.ui.downloads import files_html
from sigworkbook.ui.layout import brand_header, notice_page, refused_page, step_link, you_html
from sigworkbook.ui.parts import (
    catalogue_table,
    definitions_html,
    done_html,
    error_html,
    items_html,
)

ATTACKS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "<b>bold</b> & <i>fine</i>",
    "&lt;already escaped&gt;",
)
TAG = re.compile(r"<(/?)([a-z0-9]+)")


def tags(markup: str) -> list[str]:
    """The tags a browser would read in `markup`, in order."""
    return [f"{closing}{name}" for closing, name in TAG.findall(markup)]


def assert_text_kept(markup: str, text: str) -> None:
    """`text` is in `markup` only as text: escaped the way the pages always escaped it."""
    assert html.escape(text) in markup
    assert text not in markup or html.escape(text) == text


@pytest.mark.parametrize("text", ATTACKS)
def test_format_escapes_its_arguments_as_html_escape_does(text: str) -> None:
    made = Markup('<p class="x" title="{}">{}</p>').format(text, text)
    assert made == f'<p class="x" title="{html.escape(text)}">{html.escape(text)}</p>'
    assert tags(made) == ["p", "/p"]


def test_markup_inside_markup_is_kept_and_plain_text_added_is_escaped() -> None:
    inner = Markup("<b>{}</b>").format("<i>")
    assert Markup("<p>{}</p>").format(inner) == "<p><b>&lt;i&gt;</b></p>"
    assert inner + "<i>" == "<b>&lt;i&gt;</b>&lt;i&gt;"
    assert "<i>" + inner == "&lt;i&gt;<b>&lt;i&gt;</b>"
    assert Markup(", ").join(["<a>", inner]) == "&lt;a&gt;, <b>&lt;i&gt;</b>"
    assert isinstance(Markup("").join(["x"]), Markup)


@pytest.mark.parametrize("text", ATTACKS)
def test_every_helper_keeps_user_text_as_text(text: str) -> None:
    made = {
        "items": items_html([text, text]),
        "table": catalogue_table([text, "b"], [(text, text), ("c", text)]),
        "definitions": definitions_html([(text, text)], "swb-catalogue"),
        "done": done_html(text),
        "error": error_html(text),
        "you": str(you_html(text, text)),
        "header": brand_header(you_html(text)),
        "notice": notice_page(Markup("<p>{}</p>").format(text), "swb-notice--error"),
        "files": files_html([(text, "text/plain", text, b"data")]),
        "refused": refused_page(text, text),
    }
    expected = {
        "items": ["li", "/li", "li", "/li"],
        "table": ["table", "thead", "tr", "th", "/th", "th", "/th", "/tr", "/thead", "tbody"]
        + ["tr", "th", "/th", "td", "/td", "/tr"] * 2
        + ["/tbody", "/table"],
        "definitions": ["dl", "dt", "/dt", "dd", "/dd", "/dl"],
        "done": ["div", "/div"],
        "error": ["div", "/div"],
        "you": ["span", "/span"],
        "header": ["div", "span", "/span", "span", "/span", "/div"],
        "notice": ["div", "span", "/span", "/div", "div", "p", "/p", "/div"],
        "files": ["ul", "li", "a", "/a", "span", "/span", "/li", "/ul"],
        "refused": [
            "div",
            "span",
            "/span",
            "/div",
            "div",
            "p",
            "strong",
            "/strong",
            "/p",
            "p",
            "a",
            "/a",
            "/p",
            "/div",
        ],
    }
    for name, markup in made.items():
        assert tags(markup) == expected[name], name
        assert_text_kept(markup, text)


def test_a_step_link_escapes_the_address_it_carries() -> None:
    made = step_link(STEPS[1], 'sig"><script>', "<Ana>")
    assert tags(made) == ["a", "/a"]
    assert "<script>" not in made and "<Ana>" not in made
    assert made.endswith(f">{html.escape(STEPS[1].label)}</a>")


def test_the_header_without_a_name_is_the_brand_alone() -> None:
    assert you_html(None) == ""
    assert (
        brand_header() == '<div class="swb-header"><span class="swb-brand">sigworkbook</span></div>'
    )
    assert 'data-swb-who="Ana"' in you_html("Ana", "Ana")
    assert "data-swb-who" not in you_html("Ana")
