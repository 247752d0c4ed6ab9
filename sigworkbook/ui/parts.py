"""Small building blocks the pages share: section cards, error lines and reference panels."""

from __future__ import annotations

import ipywidgets as widgets
from markupsafe import Markup

from sigworkbook.ui import styles


def card(title: str, *parts: widgets.Widget, intro: str = "") -> widgets.VBox:
    """A titled section box; `title` and `intro` are plain text."""
    head = Markup("<h2>{}</h2>").format(title)
    if intro:
        head += Markup('<p class="swb-help">{}</p>').format(intro)
    box = widgets.VBox([styles.html(head), *parts], layout=styles.layout(width="100%"))
    box.add_class("swb-card")
    return box


def error_html(message: str) -> Markup:
    """An error line for a screen reader to announce; `message` is plain text."""
    return Markup('<div class="swb-error" role="alert">{}</div>').format(message)


def reference(summary: str, content_html: str) -> widgets.HTML:
    """Reference material (a catalogue), folded under a `summary` line that opens it: the page
    starts with the work, and the reference is one click away.

    `summary` is plain text; `content_html` must already be safe markup.
    """
    return styles.html(
        Markup("<details><summary>{}</summary>{}</details>").format(summary, Markup(content_html))
    )
