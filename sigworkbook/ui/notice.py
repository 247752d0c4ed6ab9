"""The start page's "How your information is used" link: the operator's notice, else ours."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
from markdown_it import MarkdownIt

from sigworkbook import privacy
from sigworkbook.errors import SigworkbookError
from sigworkbook.markup import Markup
from sigworkbook.ui import styles


def notice_html(workspace: Path | None) -> Markup:
    """A link to the operator's web page, or the notice itself, folded under its title.

    The Markdown is shown with any HTML in it as plain text, so a notice file cannot run
    anything in the page.
    """
    title = privacy.NOTICE_TITLE
    try:
        url, text = privacy.notice(workspace)
    except SigworkbookError as error:  # the operator's file is missing: say so, plainly
        return Markup('<p class="swb-help swb-privacy">{}: {}</p>').format(title, error)
    if url is not None:
        return Markup(
            '<p class="swb-help swb-privacy"><a href="{}" target="_blank" '
            'rel="noopener noreferrer">{}</a></p>'
        ).format(url, title)
    # CommonMark with HTML off: the parser escapes any markup in the operator's text.
    body = Markup(MarkdownIt("commonmark", {"html": False}).render(text))
    return Markup('<details class="swb-help swb-privacy"><summary>{}</summary>{}</details>').format(
        title, body
    )


def privacy_notice(workspace: Path | None) -> widgets.HTML:
    """The link (or folded notice) as a widget for the start page."""
    return styles.html(notice_html(workspace))
