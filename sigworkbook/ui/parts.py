"""Small building blocks the pages share: section cards, error lines, buttons that fit their text."""

from __future__ import annotations

import html

import ipywidgets as widgets

from sigworkbook.ui import styles
from sigworkbook.ui.tables import RowsEditor


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


def fit(button: widgets.Button) -> widgets.Button:
    """Let a button be as wide as its text (the default width cuts longer labels short)."""
    button.layout.width = "auto"
    return button


def table_in_card(editor: RowsEditor) -> RowsEditor:
    """A rows editor ready for a card: its add button as wide as its label.

    The editor keeps its own h3 heading under the card's h2, above its rows' h4 titles, so the
    card's title should say something else than the table's label.
    """
    fit(editor.add_button)
    return editor
