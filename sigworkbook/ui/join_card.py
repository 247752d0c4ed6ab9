"""The start page's join card: the link and QR code participants open, or how to let them join."""

from __future__ import annotations

import html
import os
from collections.abc import Mapping

import ipywidgets as widgets

from sigworkbook.joining import Served, qr_svg, served
from sigworkbook.ui import styles

QR_TITLE = "QR code of the link to join"


def join_card_html(how: Served, sig: str | None = None) -> str:
    """The card's markup: the link, large, and its QR code; on loopback, how to let others in."""
    link = how.link(sig)
    if link is None:
        return (
            '<div class="swb-join swb-join--local swb-notice" role="note">'
            "<h2>Only this computer can open the workbook</h2>"
            f"<p>It is served on {html.escape(how.host)}, which other phones and laptops cannot "
            "reach. To let the group join on their own devices (on the same network), stop the "
            "server with Ctrl-C and start it again with "
            "<code>sigworkbook serve --host 0.0.0.0</code>: this page then shows the link to "
            "open and a QR code.</p></div>"
        )
    shown = html.escape(link)
    return (
        '<section class="swb-join" aria-labelledby="swb-join-title">'
        '<h2 id="swb-join-title">Join on your own phone or laptop</h2>'
        '<div class="swb-join-body">'
        f'<div class="swb-join-qr">{qr_svg(link, QR_TITLE)}</div>'
        '<div class="swb-join-text"><p>Scan the code, or open this link:</p>'
        f'<p class="swb-join-link"><a href="{shown}" target="_blank" rel="noopener noreferrer">'
        f"{shown}</a></p>"
        '<p class="swb-help">The link lets whoever has it read and change the plans here: '
        "share it with the group only.</p></div></div></section>"
    )


def join_card(sig: str | None = None, env: Mapping[str, str] | None = None) -> widgets.HTML | None:
    """The join card for a page served by `sigworkbook serve`; None when not served by it."""
    how = served(os.environ if env is None else env)
    if how is None:
        return None
    card = styles.html(join_card_html(how, sig))
    card.add_class("swb-join-card")
    return card
