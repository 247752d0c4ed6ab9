"""Step 6, review and export: what is done and left, the charter as it reads, exports, next steps."""

from __future__ import annotations

import re
from collections.abc import Callable

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.exports import ExportError, charter_html
from sigworkbook.exports.network import when
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues
from sigworkbook.plan.agreement import not_yet_sure
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import DevelopmentItem, Plan
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS
from sigworkbook.plan.unanswered import membership_unanswered
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.downloads import DownloadsPanel
from sigworkbook.ui.later import later
from sigworkbook.ui.layout import step_link
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, error_html, items_html

DEVELOPMENT_FIELDS = ("status", "owner", "notes")


def progress_html(plan: Plan, sig_id: str, author: str | None) -> Markup:
    """Every step with checks, each linking to its page: the complete ones on one line, then
    what is left of the others."""
    checks = check(plan)
    items = []
    complete: list[Markup] = []
    counted = [step for step in STEPS if checks[step.key].total]
    done = sum(1 for step in counted if checks[step.key].complete)
    for step in counted:
        result = checks[step.key]
        link = step_link(step, sig_id, author)
        if result.complete:
            complete.append(link)
            continue
        count = len(result.gaps)
        items.append(
            Markup('<li class="swb-step-open">{}: {} thing{} left<ul>{}</ul></li>').format(
                link, count, "s" if count != 1 else "", items_html(result.gaps)
            )
        )
    listed = (
        Markup('<ul class="swb-review">{}</ul>').format(Markup("").join(items)) if items else ""
    )
    finished = (
        Markup('<p class="swb-step-done">✓ Complete: {}.</p>').format(Markup(", ").join(complete))
        if complete
        else ""
    )
    return Markup('<p role="status">{} of {} steps complete.</p>{}{}').format(
        done, len(counted), finished, listed
    )


def unanswered_html(plan: Plan, sig_id: str, author: str | None) -> Markup | str:
    """Whose 'Network member' nobody has answered (blank in the charter), with the link to
    answer it; '' when everyone's is answered."""
    unanswered = membership_unanswered(plan)
    if not unanswered:
        return ""
    core = STEP_BY_KEY["core"]
    verb = "is a network member" if len(unanswered) == 1 else "are network members"
    return Markup(
        '<p class="swb-help">Nobody has said yet whether {} {}; it is blank in the charter '
        "until someone answers on {}.</p>"
    ).format(", ".join(unanswered), verb, step_link(core, sig_id, author))


def agreement_html(plan: Plan, sig_id: str, author: str | None) -> Markup | str:
    """The charter sections the group is not yet sure of (a quick agreement check with an
    answer below 3, one still open, or one the section changed since), linking to the
    charter; '' when there is none."""
    standing = not_yet_sure(plan)
    if not standing:
        return ""
    charter = STEP_BY_KEY["charter"]
    items = Markup("").join(
        Markup("<li><strong>{}</strong>: {}</li>").format(s.title, s.words) for s in standing
    )
    return Markup(
        '<div class="swb-agreement-review"><p>Sections of the charter the group is not yet '
        "sure of ({}):</p><ul>{}</ul></div>"
    ).format(step_link(charter, sig_id, author), items)


class _Redrawn(widgets.HTML):
    """A view of the plan as HTML (`render`), redrawn whenever the plan changes."""

    render: Callable[[Plan, str, str | None], str]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        session.on_change(lambda _: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        self.value = type(self).render(
            self.session.loaded.plan, self.session.sig_id, self.session.author
        )


class MembershipNote(_Redrawn):
    """Who is unanswered as a network member: for the group on screen, not on the printout."""

    render = staticmethod(unanswered_html)

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.add_class("swb-no-print")


HEADING = re.compile(r"<(/?)h([1-6])\b")


def demote_headings(fragment: str, by: int = 2) -> str:
    """The fragment's headings moved down `by` levels, to sit under the page's own headings.

    User text in the fragment is escaped, so every '<h' in it is a real heading tag.
    """
    return HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + by, 6)}", fragment)


class ProgressSummary(_Redrawn):
    """What is complete and what is left."""

    render = staticmethod(progress_html)


class AgreementNote(_Redrawn):
    """Which sections of the charter the group is not yet sure of."""

    render = staticmethod(agreement_html)


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
            body = error_html(f"The charter cannot be shown: {error}")
        self.value = Markup(
            '<article class="swb-charter-preview" tabindex="0" aria-label="The charter">'
            "{}</article>"
        ).format(Markup(demote_headings(body)))


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
        intro="This is the charter document exactly as the export writes it; scroll inside "
        "the box to read it all.",
    )
    box.add_class("swb-print-area")
    return later(
        box,
        lambda: [styles.html(PRINT_BUTTON), MembershipNote(session), CharterPreview(session)],
    )


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
            Markup('<h3>{}</h3><p class="swb-help">{}</p>').format(entry.label, entry.description)
        )
        row = widgets.VBox([head, grid, controls[-1]], layout=styles.layout(width="100%"))
        row.add_class("swb-row")
        rows.append(row)
    return widgets.VBox(rows, layout=styles.layout(width="100%"))


class ListingSubmission(widgets.VBox):
    """Send the name, description and conveners to the network team, and say when it was last
    done (who, when, at which revision)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.button = styles.button(
            "Send to the network team for listing",
            tooltip="Tell the network team this SIG is ready to be listed, as it is now",
            fit=True,
        )
        self.button.add_class("swb-send-listing")
        on_click(self.button, self.submit, reads_typing=False)
        self.state = styles.html()
        self.message = styles.html()
        super().__init__([self.state, self.button, self.message], layout=styles.layout())
        session.on_change(lambda _: self._show())
        self._show()

    def _show(self) -> None:
        sent = [s for s in self.session.workspace.submissions() if s.sig_id == self.session.sig_id]
        if not sent:
            self.state.value = '<p class="swb-help">Not sent to the network team yet.</p>'
            return
        last = sent[0]
        at = when(last.at)
        who = f" by {last.user}" if last.user else ""
        since = (
            " The plan has changed since: send it again when you are ready."
            if last.revision < self.session.loaded.revision
            else ""
        )
        self.state.value = Markup(
            '<p role="status">Sent to the network team on {}{} (revision {}).{}</p>'
        ).format(at, who, last.revision, since)

    def submit(self) -> bool:
        """Record the submission; True when it was saved (not `send`: a widget's own method)."""
        plan = self.session.loaded.plan
        if not plan.identity.name or not plan.identity.description:
            self.message.value = error_html(
                "Name and description: fill in both (step 2) before sending them for listing"
            )
            return False
        self.session.flush()
        try:
            self.session.workspace.submit_listing(self.session.sig_id, author=self.session.author)
        except SigworkbookError as error:
            self.message.value = error_html(str(error))
            return False
        self.message.value = ""
        self._show()
        return True


def build(page: Page) -> widgets.Widget:
    """The review page: progress, the charter preview, downloads and the development checklist."""
    session = page.session
    parts = [
        card(
            "What is done and what is left",
            ProgressSummary(session),
            AgreementNote(session),
            intro="Gaps never stop you saving; follow a link to fill one in.",
        ),
        card(
            "Downloads",
            DownloadsPanel(session),
            intro="Every document, written into the workspace and ready to save from here.",
        ),
        charter_card(session),
        later(
            card(
                "Listing in the network",
                intro="When the name and description are agreed, send them with the conveners' "
                "names to the network team, who list the SIG for everyone.",
            ),
            lambda: [ListingSubmission(session)],
        ),
        later(
            card(
                "Continuing development",
                intro="After launch: who takes each of these on, and how far it has got.",
            ),
            lambda: [development_checklist(session)],
        ),
    ]
    box = widgets.VBox(parts, layout=styles.layout(width="100%"))
    box.add_class("swb-page-review")
    return box
