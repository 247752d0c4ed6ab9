"""One workbook page: finds the SIG and participant, shows the header, then the step's form."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

import ipywidgets as widgets

from sigworkbook import settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.access import CLOSED, NO_ACCESS, READ_ONLY, refuse
from sigworkbook.hosting.identity import author_for, hosted_user
from sigworkbook.live.leading import meeting_of
from sigworkbook.live.session import SaveStatus, Session
from sigworkbook.markup import Markup
from sigworkbook.plan.gaps import check
from sigworkbook.plan.meeting import TIMERS
from sigworkbook.plan.people import clean_name
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS, Step
from sigworkbook.store import Visitor
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.history import HistoryPanel
from sigworkbook.ui.later import later
from sigworkbook.ui.layout import (
    Timer,
    TimerState,
    header_html,
    next_html,
    notice_page,
    presence_html,
    progress_html,
    refused_page,
    status_html,
    step_href,
)
from sigworkbook.ui.name_prompt import NamePrompt
from sigworkbook.ui.readonly import keep_read_only
from sigworkbook.ui.repair import RepairNotice
from sigworkbook.ui.request import query_param, wait_for_request
from sigworkbook.ui.showing import show
from sigworkbook.workspace import Loaded, UnreadablePlan, Workspace


def choose_sig(workspace: Workspace) -> str | None:
    """The SIG this page is about: ?sig=, else $SIGWORKBOOK_SIG, else the workspace's only SIG."""
    wanted = query_param("sig") or settings.SIG.read()
    ids = workspace.sig_ids()
    if wanted:
        return wanted if wanted in ids else None
    return ids[0] if len(ids) == 1 else None


def choose_author() -> str | None:
    """The participant typing on this page: the hub user when hosted (whatever ?who= says),
    else ?who=, else $SIGWORKBOOK_AUTHOR."""
    requested = " ".join(clean_name(query_param("who") or settings.AUTHOR.read() or "").split())
    return author_for(requested or None)


def open_workspace() -> Workspace:
    """The workspace as this page's user may see it: all of it locally, their SIGs when hosted."""
    return Workspace.open(create=True, user=hosted_user())


def no_access_notice() -> widgets.HTML:
    """What a link to a SIG the user may not see shows: the one line, nothing of the SIG."""
    return widgets.HTML(refused_page(NO_ACCESS, "Ask one of its conveners to add you, or "))


def refused_sig(workspace: Workspace) -> bool:
    """Whether this page's link names a SIG that its hub user may not see (hosted mode)."""
    wanted = query_param("sig") or settings.SIG.read()
    if workspace.user is None or not wanted or wanted in workspace.sig_ids():
        return False
    refuse(workspace.user, wanted, "open a page of")  # logged for the server's operator
    return True


class Page:
    """The page of one step for one SIG: header, navigation, progress, status and timer."""

    def __init__(self, step: Step, session: Session) -> None:
        self.step = step
        self.session = session
        self.header = widgets.HTML()
        self.progress = widgets.HTML()
        session.step = step.key
        self.status = widgets.HTML(status_html(session.status))
        self.retry = widgets.Button(
            description="Retry saving", tooltip="Try to save the edits that failed again"
        )
        self.retry.layout.display = "none"
        on_click(self.retry, session.retry, reads_typing=False)
        self.here = widgets.HTML()
        self._footer = widgets.HTML(next_html(step, session.sig_id, session.author))
        self.timer = Timer(
            session.loaded.plan.meeting.timeboxes.get(step.key, step.minutes),
            share=self._share_timer,
            may_control=meeting_of(session).may_run_timer,
        )
        session.on_change(self._plan_changed)
        session.on_status(self._status_changed)
        session.on_presence(self._presence_changed)
        self._plan_changed(session.loaded)
        self._presence_changed(session.here)  # the app's session may know the others already

    @property
    def sig_id(self) -> str:
        return self.session.sig_id

    def _plan_changed(self, loaded: Loaded) -> None:
        checks = check(loaded.plan)
        user = self.session.workspace.user
        self.header.value = header_html(
            self.step,
            loaded.plan.identity.name,
            self.sig_id,
            self.session.author,
            checks,
            shown=user.shown if user is not None else None,
        )
        self.progress.value = progress_html(checks.get(self.step.key))
        self.timer.set_minutes(loaded.plan.meeting.timeboxes.get(self.step.key, self.step.minutes))
        shared = loaded.plan.meeting.timers.get(self.step.key)
        self.timer.follow(shared.model_dump() if shared else None)
        self.timer.allow(meeting_of(self.session).may_run_timer())

    def _share_timer(self, state: TimerState) -> None:
        """Save the timer for every screen. Not an edit of this person's: written without an
        author, so "Undo my last edit" never stops a timer, and left out of the history."""
        if self.session.read_only or not self.step.minutes:
            return
        try:
            self.session.workspace.set(self.sig_id, f"{TIMERS}.{self.step.key}", state)
        except SigworkbookError:
            return  # the timer still runs on this screen
        self.session.refresh()

    def _status_changed(self, status: SaveStatus) -> None:
        self.status.value = status_html(status)
        self.retry.layout.display = None if status.retry else "none"

    def _presence_changed(self, others: list[Visitor]) -> None:
        self.here.value = presence_html(others, self.step, self.session.author)

    def top(self) -> widgets.VBox:
        """Header, navigation, progress, saved state and (for timed steps) the timer."""
        bar = widgets.HBox([self.progress, self.status, self.retry, self.here])
        bar.add_class("swb-statusbar")
        parts: list[widgets.Widget] = [self.header, bar]
        if self.session.workspace.read_only:
            parts.append(
                widgets.HTML(
                    '<div class="swb-notice" role="alert">This workspace is read-only: you can '
                    "read everything, but changes are not saved.</div>"
                )
            )
        elif self.session.read_only:
            why = CLOSED if self.session.workspace.is_closed(self.sig_id) else READ_ONLY
            parts.append(
                widgets.HTML(
                    Markup('<div class="swb-notice swb-read-only" role="alert">{}.</div>').format(
                        why
                    )
                )
            )
        if self.session.needs_name and self.step.key != "start":  # the start page asks itself
            parts.append(NamePrompt(self.session, named=self._named))
        if self.step.minutes:
            parts.append(self.timer)
        box = widgets.VBox(parts)
        box.add_class("swb-top")
        return box

    def footer(self) -> widgets.HTML:
        return self._footer

    def _named(self) -> None:
        """The person gave their name: the header says so and every link carries it."""
        self._plan_changed(self.session.loaded)
        self._footer.value = next_html(self.step, self.sig_id, self.session.author)
        self._presence_changed(self.session.here)

    def show(self, content: widgets.Widget) -> None:
        """Display the step's form, the link to the next step and the history panel."""
        keep_read_only(self.session, content)
        box = widgets.VBox([content, self.footer()], layout=widgets.Layout(width="100%"))
        show(later(box, lambda: [HistoryPanel(self.session)]))


def problem_notice(message: str) -> widgets.HTML:
    """A page-level notice for a workspace that cannot be used (corrupt, missing, newer)."""
    return widgets.HTML(
        notice_page(
            Markup(
                "<p><strong>The workbook cannot open its workspace.</strong></p><p>{}</p>"
                "<p>Nothing has been changed. Ask the facilitator to check the workspace "
                "folder.</p>"
            ).format(message),
            "swb-notice--error",
        )
    )


def _missing_sig_message(step: Step, workspace: Workspace) -> widgets.HTML:
    names = sorted((workspace.title(sig_id) for sig_id in workspace.sig_ids()), key=str.casefold)
    return widgets.HTML(
        notice_page(
            Markup(
                '<p>No SIG is chosen for this page.</p><p><a href="{}">Go to the start page</a> '
                "to choose or create one (in this workspace: {}).</p>"
            ).format(step_href(STEPS[0], None, None), ", ".join(names) or "none yet")
        )
    )


_shared: ContextVar[Session | None] = ContextVar("sigworkbook_shared_session", default=None)


@contextlib.contextmanager
def sharing(session: Session) -> Iterator[None]:
    """While inside, every step opened uses `session` (the app page: one session, one live
    feed and one presence entry for all its steps) instead of opening its own."""
    token = _shared.set(session)
    try:
        yield
    finally:
        _shared.reset(token)


def shared_session() -> Session | None:
    """The session the app page shares with the steps it builds (see `sharing`), if any."""
    return _shared.get()


def open_step(key: str, *, workspace: Workspace | None = None) -> Page | None:
    """Open the page of step `key` and display its header; None (with a notice) if no SIG.

    In a pre-heated kernel this waits for the visit's request after importing the step's form
    module (the slow part, done before anyone visits) and before reading the workspace.
    """
    from sigworkbook.ui.pages import page_module

    step = STEP_BY_KEY[key]
    page_module(step.key)
    shared = shared_session()
    session = shared if shared is not None else open_session(step, workspace=workspace)
    if session is None:
        return None
    page = Page(step, session)
    if shared is None:
        session.start_live_updates()
    show(page.top())
    return page


def open_session(step: Step, *, workspace: Workspace | None = None) -> Session | None:
    """The session of the SIG this page's address names, for its participant; None after a
    notice saying why when there is none (no SIG chosen, no access, a plan to repair)."""
    wait_for_request()
    try:
        workspace = workspace or open_workspace()
        sig_id = choose_sig(workspace)
        refused = sig_id is None and refused_sig(workspace)
    except SigworkbookError as error:
        show(problem_notice(str(error)))
        return None
    if refused:
        show(no_access_notice())
        return None
    if sig_id is None:
        show(_missing_sig_message(step, workspace))
        return None
    author = choose_author()
    try:
        session = Session(workspace, sig_id, author=author)
    except UnreadablePlan as unreadable:
        show(RepairNotice(workspace, unreadable, step, author))
        return None
    except SigworkbookError as error:
        show(problem_notice(str(error)))
        return None
    return session


def show_form(page: Page | None, build: Callable[[Page], widgets.Widget]) -> None:
    """Display the form `build` makes for `page`, unless the page has no SIG."""
    if page is not None:
        page.show(build(page))


__all__ = [
    "Page",
    "SaveStatus",
    "choose_author",
    "choose_sig",
    "no_access_notice",
    "open_step",
    "open_workspace",
    "show_form",
]
