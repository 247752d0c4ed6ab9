"""Small building blocks the pages share: section cards, error lines and reference panels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ipywidgets as widgets

from sigworkbook.markup import Markup
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


def done_html(text: str) -> Markup:
    """A line saying what was done, for a screen reader to announce; `text` is plain text."""
    return Markup('<div class="swb-notice swb-notice--success" role="status">{}</div>').format(text)


def items_html(texts: Iterable[object]) -> Markup:
    """The list items of a `<ul>` or `<ol>`, one a text; each text escaped."""
    return Markup("").join(Markup("<li>{}</li>").format(text) for text in texts)


def catalogue_table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> Markup:
    """A catalogue as a table, each row headed by its first cell; every text escaped."""
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(h) for h in headings)
    body = Markup("").join(
        Markup("<tr><th scope='row'>{}</th>{}</tr>").format(
            first, Markup("").join(Markup("<td>{}</td>").format(cell) for cell in rest)
        )
        for first, *rest in rows
    )
    return Markup(
        '<table class="swb-catalogue-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
    ).format(head, body)


def definitions_html(pairs: Iterable[tuple[str, str]], classes: str = "") -> Markup:
    """Terms and what each means as a definition list (`classes` its CSS classes, if any);
    every text escaped."""
    items = Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(term, meaning) for term, meaning in pairs
    )
    if classes:
        return Markup('<dl class="{}">{}</dl>').format(classes, items)
    return Markup("<dl>{}</dl>").format(items)


def reference(summary: str, content_html: Markup) -> widgets.HTML:
    """Reference material (a catalogue), folded under a `summary` line that opens it: the page
    starts with the work, and the reference is one click away.

    `summary` is plain text; `content_html` must already be safe markup.
    """
    return styles.html(
        Markup("<details><summary>{}</summary>{}</details>").format(summary, content_html)
    )
