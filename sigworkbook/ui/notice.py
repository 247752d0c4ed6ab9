"""The start page's "How your information is used" link: the operator's notice, else ours."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
from markdown_it import MarkdownIt

from sigworkbook import privacy
from sigworkbook.errors import SigworkbookError
from sigworkbook.ui import styles


def notice_html(workspace: Path | None) -> str:
    """A link to the operator's web page, or the notice itself, folded under its title.

    The Markdown is shown with any HTML in it as plain text, so a notice file cannot run
    anything in the page.
    """
    title = html.escape(privacy.NOTICE_TITLE)
    try:
        url, text = privacy.notice(workspace)
    except SigworkbookError as error:  # the operator's file is missing: say so, plainly
        return f'<p class="swb-help swb-privacy">{title}: {html.escape(str(error))}</p>'
    if url is not None:
        return (
            f'<p class="swb-help swb-privacy"><a href="{html.escape(url, quote=True)}" '
            f'target="_blank" rel="noopener noreferrer">{title}</a></p>'
        )
    body = MarkdownIt("commonmark", {"html": False}).render(text)
    return f'<details class="swb-help swb-privacy"><summary>{title}</summary>{body}</details>'


def privacy_notice(workspace: Path | None) -> widgets.HTML:
    """The link (or folded notice) as a widget for the start page."""
    return styles.html(notice_html(workspace))
