"""Step 0 page: choose or create a SIG, say who is here, see every step's progress, set the agenda."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import ipywidgets as widgets

from sigworkbook import settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.access import CLOSED, NO_ACCESS
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.gaps import StepCheck, check
from sigworkbook.plan.people import clean_name, name_key, same_name
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS
from sigworkbook.plan.validation import PlanError
from sigworkbook.ui import styles
from sigworkbook.ui.agenda import AgendaEditor
from sigworkbook.ui.clicks import on_click, on_enter
from sigworkbook.ui.controls import count_text, help_html
from sigworkbook.ui.join_card import join_card
from sigworkbook.ui.later import later
from sigworkbook.ui.layout import brand_header, step_href, step_link, you_html
from sigworkbook.ui.members import MembersPanel
from sigworkbook.ui.notice import privacy_notice
from sigworkbook.ui.page import (
    Page,
    choose_author,
    choose_sig,
    open_step,
    open_workspace,
    problem_notice,
    refused_sig,
    shared_session,
)
from sigworkbook.ui.parts import card, done_html, error_html, items_html
from sigworkbook.ui.personal import personal_cards
from sigworkbook.ui.readonly import ALWAYS_ENABLED
from sigworkbook.ui.request import query_param, wait_for_request
from sigworkbook.ui.showing import show
from sigworkbook.workspace import Loaded, Workspace, WorkspaceError

START = STEP_BY_KEY["start"]
NAME_LIMIT = 80
"""Longest participant name accepted (as long as the plan's 'proposed by' field)."""
GAPS_SHOWN = 3


@dataclass
class Start:
    """What the start page knows when it opens: the workspace, the page (if a SIG is chosen)."""

    workspace: Workspace
    page: Page | None
    author: str | None
    unknown_sig: str | None = None
    """A ?sig= that names no SIG in this workspace."""


def plain_header(author: str | None) -> Markup:
    """The header bar for the start page before a SIG is chosen."""
    return brand_header(you_html(author))


def check_participant(name: str) -> str | None:
    """What is wrong with a participant's name, or None when it can be used."""
    if len(name.strip()) > NAME_LIMIT:
        return f"Your name: at most {NAME_LIMIT} characters, please (this is {len(name.strip())})"
    return None


def sig_names(workspace: Workspace) -> dict[str, str]:
    """Every SIG of the workspace: id to name, sorted by name."""
    names = {sig_id: workspace.title(sig_id) for sig_id in workspace.sig_ids()}
    return dict(sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])))


CLOSED_MARK = "closed, read-only"
"""What the start page says of a closed SIG (`sigworkbook close`): kept, and not for editing."""


def sig_labels(names: Mapping[str, str], closed: Collection[str] = ()) -> dict[str, str]:
    """What the SIG drop-down shows for each SIG: its name, numbered when several SIGs share
    one ("Home Safely", "Home Safely (2)"), never its id; a closed one says so."""
    labels: dict[str, str] = {}
    seen: dict[str, int] = {}
    for sig_id, stored in names.items():
        name = " ".join(clean_name(stored).split())  # stored before names were cleaned
        key = name_key(name)
        count = seen[key] = seen.get(key, 0) + 1
        label = name if count == 1 else f"{name} ({count})"
        labels[sig_id] = f"{label} ({CLOSED_MARK})" if sig_id in closed else label
    return labels


class Chooser(widgets.VBox):
    """Your name and the SIG to work on, with the link that opens the workbook for both."""

    def __init__(self, workspace: Workspace, sig_id: str | None, author: str | None) -> None:
        self.workspace = workspace
        self.current = (sig_id, author)
        self.name_input = widgets.Text(
            value=author or "",
            description="Your name",
            placeholder="e.g. Sam Jones",
            continuous_update=True,
            layout=styles.layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.sig_input = widgets.Dropdown(description="SIG", style={"description_width": "initial"})
        self.link = styles.html()
        self.refresh_options(sig_id)
        self.name_input.observe(lambda _: self._show_link(), names="value")
        self.sig_input.observe(lambda _: self._show_link(), names="value")
        help_text = (
            "Your name is recorded with every change you make and is how you vote on names. "
            "Everyone at the meeting uses the same link with their own name."
        )
        user = workspace.user
        if user is not None:  # hosted: the name comes from the login and cannot be changed
            self.name_input.value = user.name
            self.name_input.disabled = True
            help_text = (
                f"You are logged in as {user.shown}: every change you make is recorded "
                "under this name."
                + (" The list shows the SIGs you are a member of." if self._names else "")
            )
        super().__init__(
            [
                self.name_input,
                styles.html(help_html(help_text)),
                self.sig_input,
                self.link,
            ],
            layout=styles.layout(width="100%"),
        )
        self._show_link()

    @property
    def participant(self) -> str:
        return " ".join(self.name_input.value.split())

    def refresh_options(self, select: str | None = None) -> None:
        names = sig_names(self.workspace)
        self._closed = set(self.workspace.closed_sigs())
        options: list[tuple[str, str | None]] = [("— choose a SIG —", None)]
        options += [(label, sig_id) for sig_id, label in sig_labels(names, self._closed).items()]
        self._names = names
        self.sig_input.options = options
        self.sig_input.value = select if select in names else None
        # With no SIG to choose, the empty drop-down goes: the line under it says what to do.
        self.sig_input.layout = styles.layout(display=None if names else "none")

    def href(self) -> str | None:
        """The address of the start page for the chosen SIG and name, or None without a SIG."""
        sig_id = self.sig_input.value
        if not sig_id or check_participant(self.participant):
            return None
        return step_href(START, sig_id, self.participant or None)

    def _no_sig_hint(self) -> str:
        if self._names:
            return "Choose a SIG here, or create a new one below."
        user = self.workspace.user
        if user is None:
            return "There is no SIG here yet: start one below."
        return (
            f"You are not a member of any SIG yet. Ask a convener of your group to add you by "
            f"your hub user name, {user.name}, or start a new SIG below."
        )

    def _show_link(self) -> None:
        problem = check_participant(self.participant)
        sig_id = self.sig_input.value
        if problem:
            self.link.value = error_html(problem)
            return
        if not sig_id:
            self.link.value = Markup('<p class="swb-help swb-no-sig">{}</p>').format(
                self._no_sig_hint()
            )
            return
        name = self._names.get(sig_id, sig_id)
        who = self.participant
        if (sig_id, who or None) == self.current:
            here = Markup(" as <strong>{}</strong>").format(who) if who else " without a name"
            self.link.value = Markup(
                '<p class="swb-notice" role="status">This page is open for <strong>{}</strong>{}.</p>'
            ).format(name, here)
            return
        if sig_id in self._closed:
            text = f"Read “{name}” ({CLOSED_MARK}) →"
            note = Markup('<p class="swb-help swb-closed-sig">{}.</p>').format(CLOSED)
        elif who:
            text = f"Open the workbook for “{name}” as {who} →"
            note = Markup()
        else:
            text = f"Open the workbook for “{name}” →"
            note = Markup(
                '<p class="swb-help">Without a name your changes are saved anonymously and '
                "you cannot vote on names.</p>"
            )
        self.link.value = Markup('<p><a class="swb-button" href="{}">{}</a></p>{}').format(
            self.href() or "", text, note
        )


class Creator(widgets.VBox):
    """Create a new SIG from its name, then offer the link that opens it."""

    def __init__(self, workspace: Workspace, chooser: Chooser) -> None:
        self.workspace = workspace
        self.chooser = chooser
        self.spec = field_spec("identity.name")
        self.name_input = widgets.Text(
            description=f"{self.spec.label} of the new SIG",
            placeholder=self.spec.placeholder,
            continuous_update=True,
            layout=styles.layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.counter = styles.html()
        self.create_button = styles.button(
            "Create the SIG",
            tooltip="Create a new, empty plan with this name",
            fit=True,
            align="flex-start",
        )
        self.create_button.add_class("swb-add")
        on_click(
            self.create_button,
            self.create,
            reads_typing=True,
            once=True,
            state=lambda: self.name_input.value,
        )
        on_enter(self.name_input, self.create, also=self.create_button)
        self.message = styles.html()
        self.name_input.observe(lambda _: self._count(), names="value")
        super().__init__(
            [
                self.name_input,
                styles.html(help_html(self.spec.help)),
                self.counter,
                self.create_button,
                self.message,
            ],
            layout=styles.layout(width="100%"),
        )
        self._count()

    def _count(self) -> None:
        self.counter.value = count_text(len(self.name_input.value), self.spec)

    def create(self) -> str | None:
        """Create the SIG named in the input; its id, or None (with the reason shown)."""
        name = " ".join(self.name_input.value.split())
        if not name:
            self.message.value = error_html(f"{self.spec.label}: type the new SIG's name first")
            return None
        taken = [n for n in sig_names(self.workspace).values() if same_name(n, name)]
        if taken:
            self.message.value = error_html(
                f"{self.spec.label}: a SIG called “{taken[0]}” exists already: choose it above "
                "or give the new one another name"
            )
            return None
        problem = check_participant(self.chooser.participant)
        if not self.chooser.participant and self.workspace.user is None:
            # Locally the name typed above is who started it (hosted, the hub says who).
            problem = "Your name: type it first, so that the history says who started the SIG"
        if problem:
            self.message.value = error_html(problem)
            return None
        self.create_button.disabled = True
        try:
            loaded = self.workspace.new_sig(name, author=self.chooser.participant or None)
        except PlanError as error:
            reason = "; ".join(p.message for p in error.problems)
            self.message.value = error_html(f"{self.spec.label}: {reason}")
            return None
        except WorkspaceError as error:
            self.message.value = error_html(f"The SIG was not created: {error}")
            return None
        finally:
            self.create_button.disabled = False
        sig_id = loaded.plan.id
        self.name_input.value = ""
        self.chooser.refresh_options(select=sig_id)
        self.message.value = done_html(
            Markup('Created “{}”. <a href="{}">Open it →</a>').format(
                name, self.chooser.href() or step_href(START, sig_id, None)
            )
        )
        return sig_id


def progress_overview_html(
    checks: Mapping[str, StepCheck], sig_id: str, author: str | None
) -> Markup:
    """Every step with a bar, how many checks are done and the first few gaps, as a table."""
    rows = []
    for step in STEPS:
        result = checks.get(step.key)
        left = Markup()
        if result is None or result.total == 0:
            state = Markup('<span class="swb-help">Nothing to check</span>')
        else:
            done = result.total - len(result.gaps)
            counted = f"{done} of {result.total} checks done"
            bar = Markup('<progress max="{}" value="{}" aria-label="{}: {}"></progress>').format(
                result.total, done, step.label, counted
            )
            if result.complete:
                state = bar + Markup(' <span class="swb-done">Complete ✓</span>')
            else:
                state = bar + Markup(" <span>{}</span>").format(counted)
            shown = [str(gap) for gap in result.gaps[:GAPS_SHOWN]]
            more = len(result.gaps) - GAPS_SHOWN
            if more > 0:
                shown.append(f"and {more} more")
            if shown:
                left = Markup('<ul class="swb-gaps">{}</ul>').format(items_html(shown))
        rows.append(
            Markup('<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>').format(
                step_link(step, sig_id, author), state, left
            )
        )
    return Markup(
        '<table class="swb-overview"><thead><tr><th scope="col">Step</th>'
        '<th scope="col">Progress</th><th scope="col">Still to do</th></tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(Markup("").join(rows))


class Overview(widgets.HTML):
    """The progress of every step, kept up to date as anyone edits the plan."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        session.on_change(self._show)
        self._show(session.loaded)

    def _show(self, loaded: Loaded) -> None:
        self.value = progress_overview_html(
            check(loaded.plan), self.session.sig_id, self.session.author
        )


def open_start(*, workspace: Workspace | None = None) -> Start | None:
    """Open the start page and display its header; works with or without a chosen SIG.

    None (after a notice saying why) when the workspace cannot be used. In a pre-heated kernel
    it first waits for the visit's request: nothing is read from the workspace before that.
    """
    wait_for_request()
    shared = shared_session()  # in the app: its session's workspace, not a second connection
    try:
        workspace = workspace or (shared.workspace if shared is not None else open_workspace())
        chosen = choose_sig(workspace)
    except SigworkbookError as error:
        show(problem_notice(str(error)))
        return None
    author = choose_author()
    if chosen is None:
        show(styles.html(plain_header(author)))
        wanted = query_param("sig")
        if refused_sig(workspace):  # hosted, and the SIG is not this user's
            wanted = wanted or settings.SIG.read()
        return Start(workspace, None, author, wanted if wanted else None)
    return Start(workspace, open_step("start", workspace=workspace), author)


def build_start(start: Start) -> widgets.VBox:
    """The start page's content: choose and create; with a SIG also progress and agenda."""
    sig_id = start.page.sig_id if start.page else None
    chooser = Chooser(start.workspace, sig_id, start.author)
    creator = Creator(start.workspace, chooser)
    parts: list[widgets.Widget] = []
    if start.unknown_sig and start.workspace.user is not None:
        parts.append(
            styles.html(Markup('<div class="swb-notice" role="alert">{}.</div>').format(NO_ACCESS))
        )
    elif start.unknown_sig:
        parts.append(
            styles.html(
                Markup(
                    '<div class="swb-notice swb-notice--warning" role="alert">There is no SIG '
                    "“{}” in this workspace: choose one below.</div>"
                ).format(start.unknown_sig)
            )
        )
    parts += [
        card("Who is here, and which SIG", chooser),
        card("Start a new SIG", creator),
    ]
    chooser.add_class(ALWAYS_ENABLED)
    creator.add_class(ALWAYS_ENABLED)
    members: MembersPanel | None = None
    if start.page is not None:
        session = start.page.session
        parts += [
            card("Progress of every step", Overview(session)),
            later(card("Agenda for the design meeting"), lambda: [AgendaEditor(session)]),
        ]
        if start.workspace.user is not None and start.workspace.can_manage(session.sig_id):
            members = MembersPanel(start.workspace, session.sig_id)
            parts.append(
                card(
                    "Who may see and edit this SIG",
                    members,
                    intro="Add people by the name they log in with. Conveners edit and "
                    "manage members, the core group edits, readers only read.",
                )
            )
        parts.append(later(styles.vbox(), lambda: personal_cards(start.workspace, session.sig_id)))
    join = join_card(sig_id)  # the link others open, when the server lets them in
    if join is not None:
        parts.append(join)
    parts.append(privacy_notice(start.workspace.root))
    content = widgets.VBox(parts, layout=styles.layout(width="100%"))
    content.chooser = chooser
    content.creator = creator
    content.members = members
    return content


def show_start(start: Start | None) -> None:
    """Display the start page's content; nothing when the page could not open."""
    if start is None:
        return
    content = build_start(start)
    if start.page is not None:
        start.page.show(content)
    else:
        show(content)


def build(page: Page) -> widgets.Widget:
    """The start page's content for a page whose SIG is chosen."""
    return build_start(Start(page.session.workspace, page, page.session.author))
