"""One workbook page: finds the SIG and participant, shows the header, then the step's form."""

from __future__ import annotations

import html
import os
from collections.abc import Callable

import ipywidgets as widgets
from IPython.display import display

from sigworkbook.app.request import query_param
from sigworkbook.gaps import check
from sigworkbook.steps import STEP_BY_KEY, STEPS, Step
from sigworkbook.ui.layout import Timer, header_html, next_html, progress_html, status_html
from sigworkbook.ui.session import SaveStatus, Session
from sigworkbook.workspace import Loaded, Workspace

SIG_ENV = "SIGWORKBOOK_SIG"
AUTHOR_ENV = "SIGWORKBOOK_AUTHOR"


def choose_sig(workspace: Workspace) -> str | None:
    """The SIG this page is about: ?sig=, else $SIGWORKBOOK_SIG, else the workspace's only SIG."""
    wanted = query_param("sig") or os.environ.get(SIG_ENV)
    ids = workspace.sig_ids()
    if wanted:
        return wanted if wanted in ids else None
    return ids[0] if len(ids) == 1 else None


def choose_author() -> str | None:
    """The participant typing on this page: ?who=, else $SIGWORKBOOK_AUTHOR."""
    return query_param("who") or os.environ.get(AUTHOR_ENV) or None


class Page:
    """The page of one step for one SIG: header, navigation, progress, status and timer."""

    def __init__(self, step: Step, session: Session) -> None:
        self.step = step
        self.session = session
        self.header = widgets.HTML()
        self.progress = widgets.HTML()
        self.status = widgets.HTML(status_html(session.status))
        self.timer = Timer(session.loaded.plan.meeting.timeboxes.get(step.key, step.minutes))
        session.on_change(self._plan_changed)
        session.on_status(lambda s: setattr(self.status, "value", status_html(s)))
        self._plan_changed(session.loaded)

    @property
    def sig_id(self) -> str:
        return self.session.sig_id

    def _plan_changed(self, loaded: Loaded) -> None:
        checks = check(loaded.plan)
        self.header.value = header_html(
            self.step, loaded.plan.identity.name, self.sig_id, self.session.author, checks
        )
        self.progress.value = progress_html(checks.get(self.step.key))

    def top(self) -> widgets.VBox:
        """Header, navigation, progress, saved state and (for timed steps) the timer."""
        parts: list[widgets.Widget] = [self.header, widgets.HBox([self.progress, self.status])]
        if self.step.minutes:
            parts.append(self.timer)
        box = widgets.VBox(parts)
        box.add_class("swb-top")
        return box

    def footer(self) -> widgets.HTML:
        return widgets.HTML(next_html(self.step, self.sig_id, self.session.author))

    def show(self, content: widgets.Widget) -> None:
        """Display the step's form followed by the link to the next step."""
        display(widgets.VBox([content, self.footer()], layout=widgets.Layout(width="100%")))


def _missing_sig_message(step: Step, workspace: Workspace) -> widgets.HTML:
    start = html.escape(STEPS[0].notebook)
    known = ", ".join(workspace.sig_ids()) or "none yet"
    return widgets.HTML(
        '<header class="swb-header"><span class="swb-brand">sigworkbook</span></header>'
        f'<div class="swb-notice" role="alert"><p>No SIG is chosen for this page.</p>'
        f'<p><a href="{start}">Go to the start page</a> to choose or create one '
        f"(in this workspace: {html.escape(known)}).</p></div>"
    )


def open_step(key: str, *, workspace: Workspace | None = None) -> Page | None:
    """Open the page of step `key` and display its header; None (with a notice) if no SIG."""
    step = STEP_BY_KEY[key]
    workspace = workspace or Workspace.open(create=True)
    sig_id = choose_sig(workspace)
    if sig_id is None:
        display(_missing_sig_message(step, workspace))
        return None
    session = Session(workspace, sig_id, author=choose_author())
    session.start_live_updates()
    page = Page(step, session)
    display(page.top())
    return page


def show_form(page: Page | None, build: Callable[[Page], widgets.Widget]) -> None:
    """Display the form `build` makes for `page`, unless the page has no SIG."""
    if page is not None:
        page.show(build(page))


__all__ = ["Page", "SaveStatus", "choose_author", "choose_sig", "open_step", "show_form"]
