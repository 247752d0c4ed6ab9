"""The network team's page: every SIG with its conveners, progress, last edit and listing, and
the list as CSV and Markdown. Not a setup step: no step bar links to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.exports.network import (
    SigSummary,
    listing_state,
    network_csv,
    network_markdown,
    step_progress,
    when,
)
from sigworkbook.hosting.access import refuse_page
from sigworkbook.markup import Markup
from sigworkbook.network_team import summarise
from sigworkbook.plan.steps import STEPS
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.downloads import files_html
from sigworkbook.ui.layout import brand_header, refused_page, step_href
from sigworkbook.ui.page import open_workspace, problem_notice
from sigworkbook.ui.parts import card, items_html
from sigworkbook.ui.personal import PersonPanel, retention_html
from sigworkbook.ui.request import wait_for_request
from sigworkbook.ui.showing import show
from sigworkbook.workspace import Workspace

NOT_NETWORK = "You don't have access to this page: it is for the network team"


def no_network_access() -> widgets.HTML:
    """What anyone outside the network team sees: the one line, nothing of any SIG."""
    return widgets.HTML(refused_page(NOT_NETWORK))


def summaries_html(summaries: Sequence[SigSummary]) -> Markup:
    """The SIGs as a table, those sent for listing first; every user text is escaped."""
    if not summaries:
        return Markup('<p class="swb-help">No SIGs yet.</p>')
    rows = []
    for s in summaries:
        owners = ", ".join(s.owners)
        hub = Markup('<br><span class="swb-help">hub: {}</span>').format(owners) if owners else ""
        progress = items_html(
            f"{step.title}: {done} of {total}" for step, done, total in s.progress
        )
        if s.needs_repair:
            progress = Markup('<li class="swb-error">{}</li>').format(step_progress(s))
        edited = when(s.last_edit) + (f" by {s.last_editor}" if s.last_editor else "")
        state = "swb-listing--sent" if s.submitted else "swb-listing--not-sent"
        rows.append(
            Markup(
                '<tr><th scope="row"><a href="{}">{}</a></th><td>{}{}</td>'
                '<td><ul class="swb-progress-list">{}</ul></td><td>{}</td>'
                '<td class="{}">{}</td></tr>'
            ).format(
                step_href(STEPS[0], s.sig_id, None),
                s.name or s.sig_id,
                ", ".join(s.conveners) or "none named yet",
                hub,
                progress,
                edited,
                state,
                listing_state(s),
            )
        )
    return Markup(
        '<table class="swb-table swb-network"><thead><tr><th scope="col">SIG</th>'
        '<th scope="col">Conveners</th><th scope="col">Progress</th>'
        '<th scope="col">Last edit</th><th scope="col">Sent for listing</th></tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(Markup("").join(rows))


def downloads_html(summaries: Sequence[SigSummary], at: dt.datetime) -> Markup:
    """Links that save the list as CSV and as Markdown."""
    files = [
        ("network-sigs.csv", "text/csv", "The list as a spreadsheet (CSV)", network_csv(summaries)),
        (
            "network-sigs.md",
            "text/markdown",
            "The list as text (Markdown)",
            network_markdown(summaries, at=at).encode("utf-8"),
        ),
    ]
    return files_html(files)


class NetworkView(widgets.VBox):
    """Every SIG the network team may see, redrawn on request."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.table = styles.html()
        self.downloads = styles.html()
        self.retention = styles.html()
        self.refresh_button = styles.button(
            "Refresh", tooltip="Read every SIG again", icon="refresh", fit=True
        )
        on_click(self.refresh_button, self.refresh, reads_typing=False)
        super().__init__(
            [
                card(
                    "SIGs",
                    self.refresh_button,
                    self.table,
                    intro="Those sent for listing come first, the newest first.",
                ),
                card("Download the list", self.downloads),
                card("Closed, and past the retention period", self.retention),
                card(
                    "A person's data",
                    PersonPanel(workspace),
                    intro="Show everything held about someone in every SIG, or erase them.",
                ),
            ],
            layout=styles.layout(width="100%"),
        )
        self.refresh()

    def refresh(self) -> bool:
        self.summaries = summarise(self.workspace)
        self.table.value = summaries_html(self.summaries)
        self.downloads.value = downloads_html(self.summaries, dt.datetime.now(dt.UTC))
        self.retention.value = retention_html(self.workspace)
        return True


@dataclass
class NetworkPage:
    workspace: Workspace


def open_network(*, workspace: Workspace | None = None) -> NetworkPage | None:
    """Open the network page for the network team (or locally, the facilitator); anyone else
    sees only that they have no access."""
    wait_for_request()
    try:
        workspace = workspace or open_workspace()
    except SigworkbookError as error:
        show(problem_notice(str(error)))
        return None
    user = workspace.user
    if user is not None and not user.network_team:
        refuse_page(user, "network")
        show(no_network_access())
        return None
    show(styles.html(brand_header(Markup('<span class="swb-sig">The network team</span>'))))
    return NetworkPage(workspace)


def show_network(page: NetworkPage | None) -> None:
    """Display the list of SIGs; nothing when the page could not open."""
    if page is not None:
        show(NetworkView(page.workspace))
