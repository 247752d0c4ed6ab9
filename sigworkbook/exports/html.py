"""The charter as HTML: Markdown rendered by markdown-it-py with raw HTML switched off."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup


def markdown_parser() -> MarkdownIt:
    """CommonMark plus tables, raw HTML off: the parser exports are rendered and tested with."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(markdown: str) -> Markup:
    """Markdown text as an HTML fragment; any HTML inside it comes out escaped, as text."""
    return Markup(markdown_parser().render(markdown))
