"""Small building blocks the pages share: section cards, error lines and reference panels."""

from __future__ import annotations

import html

import ipywidgets as widgets

from sigworkbook.ui import styles


def card(title: str, *parts: widgets.Widget, intro: str = "") -> widgets.VBox:
    """A titled section box; `title` and `intro` are plain text."""
    head = f"<h2>{html.escape(title)}</h2>"
    if intro:
        head += f'<p class="swb-help">{html.escape(intro)}</p>'
    box = widgets.VBox([styles.html(head), *parts], layout=styles.layout(width="100%"))
    box.add_class("swb-card")
    return box


def error_html(message: str) -> str:
    """An error line for a screen reader to announce; `message` is plain text."""
    return f'<div class="swb-error" role="alert">{html.escape(message)}</div>'


def reference(summary: str, content_html: str) -> widgets.HTML:
    """Reference material (a catalogue), folded under a `summary` line that opens it: the page
    starts with the work, and the reference is one click away.

    `summary` is plain text; `content_html` must already be safe markup.
    """
    return styles.html(
        f"<details><summary>{html.escape(summary)}</summary>{content_html}</details>"
    )
