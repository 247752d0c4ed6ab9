"""Step 6, review and export: what is done and left, the charter as it reads, exports, next steps."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets

from sigworkbook.exports import ExportError, charter_html
from sigworkbook.live.session import Session
from sigworkbook.plan import catalogues
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import DevelopmentItem, Plan
from sigworkbook.plan.steps import STEPS
from sigworkbook.ui import styles
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.downloads import DownloadsPanel
from sigworkbook.ui.layout import step_href
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card

DEVELOPMENT_FIELDS = ("status", "owner", "notes")


def progress_html(plan: Plan, sig_id: str, author: str | None) -> str:
    """Every step with checks, each linking to its page: the complete ones on one line, then
    what is left of the others."""
    checks = check(plan)
    items = []
    complete: list[str] = []
    counted = [step for step in STEPS if checks[step.key].total]
    done = sum(1 for step in counted if checks[step.key].complete)
    for step in counted:
        result = checks[step.key]
        link = (
            f'<a href="{html.escape(step_href(step, sig_id, author))}">'
            f"{html.escape(step.label)}</a>"
        )
        if result.complete:
            complete.append(link)
            continue
        left = "".join(f"<li>{html.escape(str(gap))}</li>" for gap in result.gaps)
        count = len(result.gaps)
        items.append(
            f'<li class="swb-step-open">{link}: {count} thing{"s" if count != 1 else ""} left'
            f"<ul>{left}</ul></li>"
        )
    listed = f'<ul class="swb-review">{"".join(items)}</ul>' if items else ""
    finished = (
        f'<p class="swb-step-done">✓ Complete: {", ".join(complete)}.</p>' if complete else ""
    )
    return f'<p role="status">{done} of {len(counted)} steps complete.</p>{finished}{listed}'


HEADING = re.compile(r"<(/?)h([1-6])\b")


def demote_headings(fragment: str, by: int = 2) -> str:
    """The fragment's headings moved down `by` levels, to sit under the page's own headings.

    User text in the fragment is escaped, so every '<h' in it is a real heading tag.
    """
    return HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + by, 6)}", fragment)


class ProgressSummary(widgets.HTML):
    """What is complete and what is left, redrawn whenever the plan changes."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        session.on_change(lambda _: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        self.value = progress_html(
            self.session.loaded.plan, self.session.sig_id, self.session.author
        )


class CharterPreview(widgets.HTML):
    """The charter as it will read in the export, redrawn whenever the plan changes."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.add_class("swb-charter")
        self.session = session
        session.on_change(lambda _: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        loaded = self.session.loaded
        try:
            body = charter_html(loaded.plan, revision=loaded.revision)
        except ExportError as error:
            body = (
                f'<div class="swb-error" role="alert">The charter cannot be shown: '
                f"{html.escape(str(error))}</div>"
            )
        self.value = (
            '<article class="swb-charter-preview" tabindex="0" aria-label="The charter">'
            f"{demote_headings(body)}</article>"
        )


PRINT_BUTTON = (
    '<p class="swb-print-actions"><button type="button" class="swb-button swb-print-button" '
    'data-swb-action="print">Print or save as PDF</button></p>'
)
"""The browser's own print dialog for the charter (sigworkbook.js opens it; the page's print
styles leave out everything but the charter)."""


def charter_card(session: Session) -> widgets.VBox:
    """The charter as it will read, with a button to print it or save it as a PDF."""
    box = card(
        "The charter as it will read",
        styles.html(PRINT_BUTTON),
        CharterPreview(session),
        intro="This is the charter document exactly as the export writes it; scroll inside "
        "the box to read it all.",
    )
    box.add_class("swb-print-area")
    return box


def development_checklist(session: Session) -> widgets.VBox:
    """For each follow-on action in the catalogue: its status, owner and notes."""
    defaults = DevelopmentItem().model_dump(mode="json")
    rows = []
    for key, entry in catalogues.active()["follow_on_actions"].items():
        controls = [
            FieldControl(session, f"development.items.{key}.{name}", missing=defaults[name])
            for name in DEVELOPMENT_FIELDS
        ]
        grid = widgets.GridBox(
            controls[:-1],  # the notes go under the grid, at full width
            layout=widgets.Layout(grid_template_columns="repeat(auto-fill, minmax(260px, 1fr))"),
        )
        head = styles.html(
            f"<h3>{html.escape(entry.label)}</h3>"
            f'<p class="swb-help">{html.escape(entry.description)}</p>'
        )
        row = widgets.VBox([head, grid, controls[-1]], layout=styles.layout(width="100%"))
        row.add_class("swb-row")
        rows.append(row)
    return widgets.VBox(rows, layout=styles.layout(width="100%"))


def build(page: Page) -> widgets.Widget:
    """The review page: progress, the charter preview, downloads and the development checklist."""
    session = page.session
    parts = [
        card(
            "What is done and what is left",
            ProgressSummary(session),
            intro="Gaps never stop you saving; follow a link to fill one in.",
        ),
        card(
            "Downloads",
            DownloadsPanel(session),
            intro="Every document, written into the workspace and ready to save from here.",
        ),
        charter_card(session),
        card(
            "Continuing development",
            development_checklist(session),
            intro="After launch: who takes each of these on, and how far it has got.",
        ),
    ]
    box = widgets.VBox(parts, layout=styles.layout(width="100%"))
    box.add_class("swb-page-review")
    return box
