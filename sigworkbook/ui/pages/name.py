"""Step 2 page: name ideas, voting rounds, the chosen name, the brief description and welcome."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.leading import meeting_of
from sigworkbook.live.session import Session
from sigworkbook.plan import voting
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.model import VotingRound
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.voting import (
    BUDGETS,
    Ranked,
    Round,
    VotingError,
    add_idea,
    ahead_of,
    find,
    keep_order,
    leader,
    plural,
    ranked,
)
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click, on_enter
from sigworkbook.ui.controls import FieldControl, form
from sigworkbook.ui.layout import step_href
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, error_html
from sigworkbook.workspace import NAME_DECISION as DECISION
from sigworkbook.workspace import Loaded

IDEAS = "identity.name_ideas"
NAME = "identity.name"
CHOSEN = "identity.chosen_idea"
ROUND = "identity.voting_round"


LEAD_ONLY = "only the meeting's lead can do this while the meeting goes on"


class NameIdeas(widgets.VBox):
    """Everyone's name ideas and the voting round on them: add an idea (a near-duplicate is
    pointed out), merge two, start a round, put your dots, abstain, reveal, choose the name.

    While a round is open this page holds only its own voter's dots and who has not voted yet:
    nobody's choices reach another page before the reveal. The list keeps its order while
    people vote (nothing moves under the pointer, the focus stays on the box that was ticked);
    "Sort by votes" or a reload sorts it.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        spec = field_spec(f"{IDEAS}.*.name")
        self.idea_input = widgets.Text(
            description=spec.label,
            placeholder=field_spec(NAME).placeholder,
            # Sent whole when the field is left: a click on "Add" right after typing then
            # cannot overtake keystrokes the widgets still hold back.
            continuous_update=False,
            layout=styles.layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.add_button = styles.button(
            "Add idea", tooltip="Add this name to the list of ideas", fit=True, align="flex-end"
        )
        self.add_button.add_class("swb-add")
        on_click(
            self.add_button,
            self.add,
            reads_typing=True,
            once=True,
            state=lambda: self.idea_input.value,
        )
        on_enter(self.idea_input, self.add, also=self.add_button)
        self.similar_box = widgets.VBox()
        self.vote_as = widgets.Dropdown(
            description="Voting as",
            options=self._people(),
            value=None,
            layout=widgets.Layout(width="100%", max_width="480px"),  # its own: shown or hidden
            style={"description_width": "initial"},
        )
        self.vote_as.observe(lambda _: self._render(), names="value")
        self.sort_button = styles.button(
            "Sort by votes", tooltip="Put the ideas with the most votes first", fit=True
        )
        self.sort_button.layout = widgets.Layout(width="auto", min_width="max-content")
        on_click(self.sort_button, self.sort, reads_typing=False)
        self.message = styles.html()
        self.notice = styles.html()
        self.round_status = styles.html()
        self.round_status.add_class("swb-round-status")
        self.round_box = widgets.VBox()
        self.round_box.add_class("swb-round")
        self._build_round_controls()
        self.list_box = widgets.VBox()
        self.list_box.add_class("swb-ideas")
        self.choice = widgets.Dropdown(
            description="Name to choose",
            options=[],
            layout=styles.layout(width="100%", max_width="480px"),
            style={"description_width": "initial"},
        )
        self.choose_button = styles.button(
            "Choose this name", tooltip="Make this idea the group's name", fit=True
        )
        on_click(
            self.choose_button,
            lambda: self.choose(self.choice.value),
            reads_typing=False,
            once=True,
        )
        self._picked: str | None = None
        self.choice.observe(lambda _: self._picked_changed(), names="value")
        self.confirm = widgets.VBox()
        self.chooser = widgets.HBox(  # its own layout: hidden while there is no idea
            [self.choice, self.choose_button], layout=widgets.Layout(align_items="flex-end")
        )
        self.chooser.add_class("swb-adder")
        self._order: list[str] = []
        self._rows: dict[str, widgets.VBox] = {}
        self._quiet = False
        session.on_change(self._plan_changed)
        session.on_presence(lambda _: self._render())
        super().__init__(
            [
                self.notice,
                widgets.HBox([self.idea_input, self.add_button]),
                self.similar_box,
                self.message,
                self.round_status,
                self.vote_as,
                self.round_box,
                self.sort_button,
                self.list_box,
                self.chooser,
                self.confirm,
            ],
            layout=styles.layout(width="100%"),
        )
        self._order = [str(entry.idea.get("id")) for entry in self._ranked(self._ideas())]
        self._render()

    # --- the round's controls -------------------------------------------------------------

    def _build_round_controls(self) -> None:
        number = {"description_width": "initial"}
        self.budget = _dots_box("budget", width="12em")
        self.per_idea = _dots_box("per_idea", width="16em")
        self.anonymous = widgets.Checkbox(
            False, description="Anonymous: show only counts after the reveal", indent=False
        )
        self.shared_screen = widgets.Checkbox(
            False,
            description="Shared screen: people take turns and pick their name",
            indent=False,
            layout=widgets.Layout(),  # its own: hidden when hosted
        )
        if self.hosted_voter is not None:
            self.shared_screen.layout.display = "none"
        self.private_ideas = widgets.Checkbox(
            False,
            description="Ideas privately first: each person sees only their own until revealed",
            indent=False,
        )
        self.start_button = styles.button(
            "Start a voting round",
            tooltip="Everyone puts their dots, hidden until revealed",
            fit=True,
        )
        on_click(self.start_button, self.start, reads_typing=True, once=True)
        self.setup = widgets.VBox(
            [
                widgets.HBox(
                    [self.budget, self.per_idea], layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.anonymous,
                self.shared_screen,
                self.private_ideas,
                self.start_button,
            ]
        )
        self.merge_from = widgets.Dropdown(
            description="Merge",
            options=[],
            value=None,
            style=number,
            layout=widgets.Layout(width="auto", max_width="320px"),
        )
        self.merge_into = widgets.Dropdown(
            description="into",
            options=[],
            value=None,
            style=number,
            layout=widgets.Layout(width="auto", max_width="320px"),
        )
        self.merge_button = styles.button(
            "Merge ideas", tooltip="Fold the first idea into the second, votes carried", fit=True
        )
        on_click(self.merge_button, self.merge_chosen, reads_typing=False, once=True)
        self.merger = widgets.HBox(
            [self.merge_from, self.merge_into, self.merge_button],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-end"),
        )
        self.abstain_button = styles.button(
            "I won't vote this round", tooltip="Counts as having voted", fit=True
        )
        on_click(self.abstain_button, self.toggle_abstain, reads_typing=False)
        self.reveal_button = styles.button(
            "Reveal the results", tooltip="Show everyone the counts now", fit=True
        )
        on_click(self.reveal_button, self.reveal, reads_typing=False, once=True)
        self.close_button = styles.button(
            "Close the round", tooltip="End the round without choosing a name", fit=True
        )
        on_click(self.close_button, self.close_round, reads_typing=False, once=True)
        for shown_or_hidden in (self.abstain_button, self.reveal_button, self.close_button):
            # Their own layouts: hiding one must not hide every button sharing the fitted one.
            shown_or_hidden.layout = widgets.Layout(width="auto", min_width="max-content")
        self.reveal_ideas_button = styles.button(
            "Reveal the ideas and vote", tooltip="Show everyone's ideas and open the vote", fit=True
        )
        on_click(self.reveal_ideas_button, self.reveal_ideas, reads_typing=False, once=True)
        self.voting_actions = widgets.HBox(
            [self.abstain_button, self.reveal_button, self.close_button],
            layout=widgets.Layout(flex_flow="row wrap"),
        )

    # --- who votes ------------------------------------------------------------------------

    @property
    def hosted_voter(self) -> str | None:
        """The logged-in hub user, when hosted: the only person this page votes for."""
        user = self.session.workspace.user
        return user.name if user is not None else None

    @property
    def voter(self) -> str | None:
        """Who ideas and dots are from: the hub user when hosted (whatever the page sends);
        else in a shared-screen round whoever picked their name in 'Voting as', and otherwise
        the name this page was opened with."""
        if self.hosted_voter:
            return self.hosted_voter
        if self._shared_screen():
            return " ".join(str(self.vote_as.value or "").split()) or None
        return " ".join(str(self.session.author or "").split()) or None

    def _shared_screen(self) -> bool:
        current = self._round()
        return bool(
            self.hosted_voter is None
            and voting.is_open(current)
            and current is not None
            and current.get("shared_screen")
        )

    def _core_group(self) -> list[str]:
        people = self.session.value("core_group.people") or []
        return [str(p.get("name") or "") for p in people]

    def _people(self) -> tuple[str, ...]:
        """This visitor and the core group's people, each once, to vote as."""
        return tuple(voting.unique_names([self.session.author or "", *self._core_group()]))

    def _present(self) -> list[str]:
        """The named people with the name page open now, this page's voter among them."""
        here = [v.participant or "" for v in self.session.here if v.step == "name"]
        mine = [] if self._shared_screen() else [self.voter or ""]
        return [*mine, *here]

    def _electorate(self) -> list[str]:
        """Who a round asks to vote besides those present: locally the core group's people;
        hosted, the SIG's members who may edit (by the hub names they vote under)."""
        if self.hosted_voter is None:
            return self._core_group()
        try:
            members = self.session.workspace.members(self.session.sig_id)
        except SigworkbookError:  # e.g. no longer allowed to read them: those present only
            return []
        return [m.user for m in members if m.role in ("owner", "editor")]

    def expected(self) -> list[str]:
        """Who the round waits for: the core group (hosted: the members who may edit), and
        the named people on this page now."""
        return voting.expected_voters(self._round(), self._electorate(), self._present())

    # --- reading --------------------------------------------------------------------------

    def _ideas(self) -> list[dict[str, Any]]:
        """The ideas this page may show (while collected privately, its voter's own)."""
        value = self.session.value(IDEAS)
        ideas = list(value) if isinstance(value, list) else []
        return voting.visible_ideas(ideas, self._round(), self.voter)

    def _round(self) -> Round | None:
        value = self.session.value(ROUND)
        return value if isinstance(value, dict) else None

    def _counts(self) -> dict[str, int] | None:
        """The counts everyone may see: a revealed or closed round's dots, else (no round yet)
        the votes given before rounds; None while a round is open."""
        current = self._round()
        if current is None:
            return None
        if voting.is_open(current) or voting.is_collecting(current):
            return {}
        return voting.counts(current, self._ideas())

    def _ranked(self, ideas: list[dict[str, Any]]) -> list[Ranked]:
        counts = self._counts()
        if counts == {}:  # an open round: the order proposed, nothing ranked
            return [Ranked(0, idea) for idea in ideas]
        return ranked(ideas, counts)

    def _latest(self) -> list[dict[str, Any]]:
        """The ideas as saved right now, including other people's latest changes."""
        self.session.flush()
        self.session.refresh()
        return self._ideas()

    def _fail(self, message: str) -> bool:
        self.message.value = error_html(message)
        return False

    def _not_the_lead(self, what: str) -> bool:
        """While a meeting goes on, only its lead runs the round and chooses the name (issue 21):
        refused here, in the kernel, whatever the page sends; True (with the message) then."""
        meeting = meeting_of(self.session)
        if meeting.live is None or meeting.leading:
            return False
        self._fail(f"{what}: {LEAD_ONLY}")
        return True

    def _change(self, what: str, change: Callable[[list[Any], Any], tuple[list[Any], Any]]) -> bool:
        """Save a change of the ideas and the round; `what` names it in an error."""
        try:
            ok = self.session.update_votes(change)
        except VotingError as error:
            self._render()
            return self._fail(f"{what}: {error}")
        self._render()
        if not ok:
            return self._fail(self.session.status.message)
        self.message.value = ""
        return True

    # --- ideas ----------------------------------------------------------------------------

    def add(self, *, anyway: bool = False) -> bool:
        """Add the typed idea, proposed by the participant; True when it was saved. An idea
        close to one on the list is first pointed out (`anyway` adds it all the same)."""
        text = self.idea_input.value
        self._clear_similar()
        label = field_spec(f"{IDEAS}.*.name").label
        try:
            ideas = self._latest()
            privately = voting.is_collecting(self._round())
            add_idea(ideas, text, self.voter, privately=privately)  # the plain checks first
            close = None if anyway else voting.similar(ideas, text)
        except VotingError as error:
            return self._fail(f"{label}: {error}")
        if close is not None:
            self._offer_similar(text, close)
            return False
        try:
            ok = self.session.update(
                IDEAS, lambda ideas: add_idea(ideas or [], text, self.voter, privately=privately)
            )
        except VotingError as error:
            return self._fail(f"{label}: {error}")
        if not ok:
            return self._fail(self.session.status.message)
        self.message.value = ""
        self.idea_input.value = ""
        self._render()
        return True

    def _offer_similar(self, text: str, idea: dict[str, Any]) -> None:
        name = str(idea.get("name", ""))
        note = styles.html(
            '<div class="swb-notice swb-notice--warning" role="alert">'
            f"“{html.escape(' '.join(text.split()))}” looks like “{html.escape(name)}”, "
            "already on the list.</div>"
        )
        keep = styles.button(f"Support “{name}” instead", fit=True)
        anyway = styles.button("Add mine anyway", fit=True)
        on_click(keep, lambda: self._support(str(idea.get("id"))), reads_typing=False, once=True)
        on_click(anyway, lambda: self.add(anyway=True), reads_typing=False, once=True)
        self.similar_box.children = (note, widgets.HBox([keep, anyway]))

    def _support(self, idea_id: str) -> None:
        """Drop the typed idea for the existing one (a dot on it, when a round is open)."""
        self._clear_similar()
        self.idea_input.value = ""
        if voting.is_open(self._round()) and self.voter:
            self.set_dots(
                idea_id, max(1, voting.my_dots(self._round(), self.voter).get(idea_id, 0))
            )

    def _clear_similar(self) -> None:
        for part in self.similar_box.children:
            styles.close_tree(part)
        self.similar_box.children = ()

    def merge_chosen(self) -> bool:
        """Merge the idea in 'Merge' into the one in 'into'."""
        drop, keep = self.merge_from.value, self.merge_into.value
        if not drop or not keep:
            return self._fail("Merge: choose the two ideas first")
        return self.merge(str(drop), str(keep))

    def merge(self, drop: str, keep: str) -> bool:
        """Fold idea `drop` into idea `keep` (its name kept): votes carried, nobody twice."""
        if self._not_the_lead("Merge"):
            return False
        if voting.running(self._round()):
            return self._fail("Merge: ideas are merged before a round, or after it is closed")
        return self._change(
            "Merge", lambda ideas, current: voting.merge(ideas, current, keep, drop)
        )

    # --- the round ------------------------------------------------------------------------

    def start(self) -> bool:
        """Start a round with the settings shown; True when saved."""
        if self._not_the_lead("Voting round"):
            return False
        try:
            new = voting.start_round(
                budget=int(self.budget.value),
                per_idea=int(self.per_idea.value),
                anonymous=bool(self.anonymous.value),
                shared_screen=bool(self.shared_screen.value) and self.hosted_voter is None,
                private_ideas=bool(self.private_ideas.value),
                today=dt.date.today(),
            )
        except VotingError as error:
            return self._fail(f"Voting round: {error}")

        def change(ideas: list[Any], current: Any) -> tuple[list[Any], Any]:
            if voting.running(current):
                raise VotingError("a round is already running")
            return ideas, new

        self._order = [str(idea.get("id")) for idea in self._ideas()]
        return self._change("Voting round", change)

    def set_dots(self, idea_id: str, dots: int) -> bool:
        """Put `dots` of the voter's dots on one idea (0 takes them back); True when saved.
        When everyone expected has then voted or abstained, the round reveals itself."""
        voter = self.voter
        expected = self.expected()

        def change(ideas: list[Any], current: Any) -> tuple[list[Any], Any]:
            return ideas, self._maybe_reveal(
                voting.cast(current, voter, idea_id, dots, ideas), expected
            )

        if not voter:
            self._render()
            return self._fail("Vote not saved: choose who is voting in 'Voting as' first")
        return self._change("Vote not saved", change) and self._hand_over(voter)

    def _hand_over(self, voter: str | None) -> bool:
        """On a shared screen, once the person at it has put all their dots (or abstained),
        'Voting as' is cleared for the next person to pick their own name."""
        if self._shared_screen() and voter and not voting.waiting_for(self._round(), [voter]):
            self.vote_as.value = None
            self.message.value = (
                f'<div class="swb-saved" role="status">Thank you, {html.escape(voter)}: '
                "next person, pick your name in 'Voting as'.</div>"
            )
        return True

    def vote(self, idea_id: str, on: bool) -> bool:
        """Give (`on`) one dot to an idea or take the voter's dots on it back."""
        return self.set_dots(idea_id, 1 if on else 0)

    def toggle_abstain(self) -> bool:
        """'I won't vote this round' (taking back any dots), or back to voting."""
        voter = self.voter
        on = not voting.abstained(self._round(), voter)
        expected = self.expected()

        def change(ideas: list[Any], current: Any) -> tuple[list[Any], Any]:
            return ideas, self._maybe_reveal(voting.abstain(current, voter, on), expected)

        return self._change("Not saved", change) and self._hand_over(voter)

    @staticmethod
    def _maybe_reveal(current: Round, expected: list[str]) -> Round:
        waiting = voting.waiting_for(current, [*expected, *voting.done(current)])
        return voting.reveal(current) if not waiting else current

    def reveal_ideas(self) -> bool:
        """Show everyone's privately collected ideas and open the vote."""
        if self._not_the_lead("Reveal"):
            return False
        self._order = []
        return self._change("Reveal", lambda ideas, current: (ideas, voting.reveal_ideas(current)))

    def reveal(self) -> bool:
        if self._not_the_lead("Reveal"):
            return False
        return self._change("Reveal", lambda ideas, current: (ideas, voting.reveal(current)))

    def close_round(self) -> bool:
        if self._not_the_lead("Close"):
            return False
        return self._change("Close", lambda ideas, current: (ideas, voting.close(current)))

    def sort(self) -> None:
        """Show the ideas with the most votes first (the list keeps that order until asked again)."""
        self._order = [str(entry.idea.get("id")) for entry in self._ranked(self._ideas())]
        self._render()

    def choose(self, idea_id: str | None, *, anyway: bool = False) -> bool:
        """Make the idea with id `idea_id` the SIG's name; True when saved. After a round
        (revealed, or closed with or without a reveal) the round is recorded with the name
        (`identity.name_decision`), and a revealed round is closed.

        When another idea has more votes, the first press asks whether to go ahead."""
        self.confirm.children = ()
        if self._not_the_lead("Choose"):
            return False
        try:
            if not idea_id:
                raise VotingError("choose an idea in 'Name to choose' first")
            ideas = self._latest()
            if voting.is_open(self._round()):
                raise VotingError("reveal the round's results before choosing")
            idea = ideas[find(ideas, idea_id)]
            ahead = ahead_of(ideas, idea_id, self._counts())
        except VotingError as error:
            return self._fail(str(error))
        name = str(idea.get("name", ""))
        if ahead is not None and not anyway:
            self._ask(idea_id, name, str(ahead.get("name", "")))
            return False
        current = self._round()
        if voting.decided_by(current) and current is not None:
            record = voting.decision(ideas, current, idea_id, self.expected(), dt.date.today())
            if not self.session.save(DECISION, record):
                return self._fail(self.session.status.message)
            if voting.is_revealed(current) and not self.close_round():
                return False
        if not self.session.save(CHOSEN, idea_id) or not self.session.save(NAME, name):
            return self._fail(self.session.status.message)
        self.message.value = ""
        self._render()
        return True

    def _ask(self, idea_id: str, name: str, ahead: str) -> None:
        question = styles.html(
            '<div class="swb-notice swb-notice--warning" role="alert">'
            f"“{html.escape(ahead)}” has more votes. Choose “{html.escape(name)}” anyway?</div>"
        )
        yes = styles.button(f"Choose “{name}” anyway", fit=True)
        no = styles.button("Cancel", tooltip="Keep the name as it is", fit=True)
        on_click(yes, lambda: self.choose(idea_id, anyway=True), reads_typing=False, once=True)
        on_click(no, self._cancel, reads_typing=False)
        self.confirm.children = (question, widgets.HBox([yes, no]))

    def _cancel(self) -> None:
        for part in self.confirm.children:
            styles.close_tree(part)
        self.confirm.children = ()

    def _plan_changed(self, loaded: Loaded) -> None:
        people = self._people()
        if self.vote_as.options != people:
            current = self.vote_as.value
            self.vote_as.options = people
            self.vote_as.value = current if current in people else None
        self._render()

    def _chosen_id(self) -> str | None:
        """The idea someone chose, while the name is still that idea's."""
        chosen = self.session.value(CHOSEN)
        name = str(self.session.value(NAME) or "")
        for idea in self._ideas():
            if idea.get("id") == chosen and idea.get("name") == name:
                return str(chosen)
        return None

    # --- showing --------------------------------------------------------------------------

    def _render(self) -> None:
        """Show the ideas in the order already shown, updating each row in place."""
        ideas = keep_order(self._order, self._ideas())
        self._order = [str(idea.get("id")) for idea in ideas]
        current = self._round()
        running = voting.is_open(current) or voting.is_collecting(current)
        self.notice.value = self._notice_html()
        self.vote_as.layout.display = None if self._shared_screen() else "none"
        self._render_round(ideas)
        if not ideas:
            self._set_rows(
                [styles.html('<p class="swb-help">No name ideas yet: add the first one.</p>')]
            )
            self.sort_button.layout.display = "none"
            self.chooser.layout.display = "none"
            return
        self.sort_button.layout.display = "none" if running or not self._any_votes() else None
        self.chooser.layout.display = "none" if running else None
        places = {str(entry.idea.get("id")): entry for entry in self._ranked(ideas)}
        leading = None if running else leader(ideas, self._counts())
        chosen = self._chosen_id()
        rows = []
        for idea in ideas:
            idea_id = str(idea.get("id"))
            row = self._rows.get(idea_id) or self._row(idea_id)
            self._rows[idea_id] = row
            self._fill(row, idea, places[idea_id], idea_id == leading, idea_id == chosen)
            rows.append(row)
        self._set_rows(rows)
        self._update_choice(ideas)

    def _render_round(self, ideas: list[dict[str, Any]]) -> None:
        current = self._round()
        if voting.is_collecting(current):
            everyone = self.session.value(IDEAS) or []
            self.round_status.value = (
                '<div class="swb-notice" role="status"><strong>Ideas are collected privately'
                "</strong>: you see only your own until they are revealed. "
                f"{html.escape(plural(len(everyone), 'idea'))} so far.</div>"
            )
            self._show_round_box(self.reveal_ideas_button)
        elif voting.is_open(current) and current is not None:
            self.round_status.value = self._open_html(current)
            mine = voting.abstained(current, self.voter)
            self.abstain_button.description = (
                "I'll vote after all" if mine else "I won't vote this round"
            )
            self.abstain_button.disabled = not self.voter
            self.close_button.layout.display = "none"
            self.reveal_button.layout.display = None
            self._show_round_box(self.voting_actions)
        elif voting.is_revealed(current) and current is not None:
            self.round_status.value = self._revealed_html(current)
            self.close_button.layout.display = None
            self.reveal_button.layout.display = "none"
            self.abstain_button.layout.display = "none"
            self._show_round_box(self.voting_actions)
        else:
            self.abstain_button.layout.display = None
            self.round_status.value = (
                '<p class="swb-help">Ideas in? Start a voting round: everyone puts their dots, '
                "and nobody sees anyone else's until the results are revealed.</p>"
                if ideas
                else ""
            )
            self._update_merge(ideas)
            self._show_round_box(self.setup, self.merger) if ideas else self._show_round_box()

    def _show_round_box(self, *parts: widgets.Widget) -> None:
        if tuple(self.round_box.children) != parts:
            self.round_box.children = parts
        self.merger.layout.display = None if len(self._ideas()) > 1 else "none"

    def _open_html(self, current: Round) -> str:
        budget, cap = int(current.get("budget", 3)), int(current.get("per_idea", 1))
        rules = f"{plural(budget, 'dot')} each, at most {plural(cap, 'dot')} on one idea"
        if current.get("anonymous"):
            rules += ", anonymous"
        mine = ""
        if self.voter and voting.abstained(current, self.voter):
            mine = " You are not voting this round."
        elif self.voter:
            mine = f" You have {plural(voting.dots_left(current, self.voter), 'dot')} left."
        progress = voting.progress_text(current, self.expected())
        return (
            '<div class="swb-notice" role="status"><strong>Voting round open</strong> '
            f"({html.escape(rules)}): choices stay hidden until the results are revealed."
            f'{html.escape(mine)}<br><span class="swb-waiting">{html.escape(progress)}.</span>'
            "</div>"
        )

    def _revealed_html(self, current: Round) -> str:
        took_part = voting.done(current)
        abstained = sum(1 for b in current.get("ballots", []) if b.get("abstained"))
        text = f"Results revealed: {plural(len(took_part), 'person')} took part"
        text = text.replace("persons", "people")
        if abstained:
            text += f" ({abstained} abstained)"
        return (
            f'<div class="swb-notice" role="status">{html.escape(text)}. Choose the name below, '
            "or close the round.</div>"
        )

    def _update_merge(self, ideas: list[dict[str, Any]]) -> None:
        options = [(str(i.get("name", "")), str(i.get("id"))) for i in ideas]
        for box in (self.merge_from, self.merge_into):
            if list(box.options) != options:
                current = box.value
                box.options = options
                box.value = current if current in [v for _, v in options] else None

    def _set_rows(self, rows: list[widgets.Widget]) -> None:
        if tuple(rows) == tuple(self.list_box.children):
            return
        old = self.list_box.children
        self.list_box.children = rows
        for gone in old:
            if gone not in rows:
                self._rows.pop(getattr(gone, "idea_id", ""), None)
                styles.close_tree(gone)

    def _update_choice(self, ideas: list[dict[str, Any]]) -> None:
        """The ideas to choose from, most votes first; the leader is offered until someone
        picks another one."""
        options = [
            (str(e.idea.get("name", "")), str(e.idea.get("id"))) for e in self._ranked(ideas)
        ]
        if list(self.choice.options) == options:
            return
        ids = [value for _, value in options]
        current = self.choice.value if self._picked in ids else ids[0]
        self._quiet = True
        try:
            self.choice.options = options
            self.choice.value = current
        finally:
            self._quiet = False

    def _picked_changed(self) -> None:
        if not self._quiet:
            self._picked = self.choice.value

    def _notice_html(self) -> str:
        if self.hosted_voter:
            return (
                f'<p class="swb-help">You vote as <strong>{html.escape(self.hosted_voter)}'
                "</strong>, the name you logged in with.</p>"
            )
        if self._shared_screen():
            return (
                "<p class=\"swb-help\">Shared screen: pick your name in 'Voting as' before you "
                "put your dots, then hand over to the next person.</p>"
            )
        if self.voter:
            return (
                f'<p class="swb-help">You vote as <strong>{html.escape(self.voter)}</strong>, '
                "the name this page was opened with.</p>"
            )
        start = html.escape(step_href(STEPS[0], self.session.sig_id, None))
        return (
            '<div class="swb-notice swb-notice--warning" role="status">To vote, give your name '
            f'<a href="{start}">on the start page</a>. You can still add ideas.</div>'
        )

    def _row(self, idea_id: str) -> widgets.VBox:
        summary = styles.html()
        toggle = widgets.Checkbox(indent=False, layout=widgets.Layout())
        toggle.observe(lambda change: self._ticked(idea_id, bool(change["new"])), names="value")
        dots = widgets.Dropdown(
            options=[0],
            value=0,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        dots.observe(lambda change: self._dots_picked(idea_id, change["new"]), names="value")
        row = widgets.VBox([summary, toggle, dots])
        row.add_class("swb-row")
        row.idea_id, row.summary, row.toggle, row.dots = idea_id, summary, toggle, dots
        return row

    def _ticked(self, idea_id: str, on: bool) -> None:
        if not self._quiet:
            self.vote(idea_id, on)

    def _dots_picked(self, idea_id: str, dots: Any) -> None:
        if not self._quiet and isinstance(dots, int):
            self.set_dots(idea_id, dots)

    def _fill(
        self, row: Any, idea: dict[str, Any], place: Ranked, leading: bool, chosen: bool
    ) -> None:
        name = str(idea.get("name", ""))
        current = self._round()
        running = voting.is_open(current)
        mine = voting.my_dots(current, self.voter).get(str(idea.get("id")), 0) if running else 0
        by = str(idea.get("proposed_by") or "") or "someone"
        badges = ' <span class="swb-badge">leading</span>' if leading else ""
        badges += ' <span class="swb-badge">✓ chosen</span>' if chosen else ""
        if running:
            result = f"Your dots: {'●' * mine}" if mine else ""
        else:
            result = self._result_text(idea, place)
        shown_place = (
            f'<span class="swb-place">{place.place_text}</span> · '
            if place.place and self._any_votes()
            else ""
        )
        summary = (
            f'<h3 class="swb-row-title">{html.escape(name)}{badges}</h3>'
            f'<p class="swb-help">{shown_place}Proposed by {html.escape(by)}. '
            f'<span class="swb-votes">{html.escape(result)}</span></p>'
        )
        if row.summary.value != summary:
            row.summary.value = summary
        cap = int((current or {}).get("per_idea", 1))
        left = voting.dots_left(current, self.voter) if running and current else 0
        usable = bool(self.voter) and running and not voting.abstained(current, self.voter)
        self._quiet = True
        try:
            description = f"Vote for “{name}”"
            if row.toggle.description != description:
                row.toggle.description = description
            row.toggle.value = bool(mine)
            row.toggle.disabled = not usable or (not mine and left <= 0)
            row.toggle.layout.display = None if running and cap == 1 else "none"
            choices = list(range(0, min(cap, mine + left) + 1))
            if list(row.dots.options) != choices:
                row.dots.options = choices
            row.dots.value = mine
            row.dots.description = f"Dots for “{name}”"
            row.dots.disabled = not usable
            row.dots.layout.display = None if running and cap > 1 else "none"
        finally:
            self._quiet = False
        (row.add_class if chosen else row.remove_class)("swb-row--chosen")

    def _any_votes(self) -> bool:
        counts = self._counts()
        if counts is None:
            return any(voting.votes_of(idea) for idea in self._ideas())
        return any(counts.values())

    def _result_text(self, idea: dict[str, Any], place: Ranked) -> str:
        """After the reveal: '4 votes: Ruth (2), Dev' (names unless anonymous); before rounds
        the votes given then."""
        current = self._round()
        if current is None:
            votes = [str(v) for v in idea.get("votes", [])]
            if not votes:
                return ""
            return f"{plural(len(votes), 'vote')}: {', '.join(votes)}"
        text = plural(place.votes, "vote")
        if current.get("anonymous") or not place.votes:
            return text
        names = [
            who if dots == 1 else f"{who} ({dots})"
            for who, dots in voting.voters_for(current, str(idea.get("id")))
        ]
        return f"{text}: {', '.join(names)}"

    def row_for(self, name: str) -> widgets.VBox:
        """The shown row of the idea called `name` (for tests and keyboard helpers)."""
        for row in self.list_box.children:
            toggle = getattr(row, "toggle", None)
            if toggle is not None and toggle.description == f"Vote for “{name}”":
                return row
        raise KeyError(name)


def _dots_box(field: str, *, width: str) -> widgets.BoundedIntText:
    """A number box for one of a round's settings, with the model's label, default and limits."""
    spec = field_spec(f"{ROUND}.{field}")
    default = VotingRound.model_fields[field].default
    return widgets.BoundedIntText(
        default,
        min=BUDGETS[0],
        max=BUDGETS[-1],
        description=spec.label,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


def build(page: Page) -> widgets.Widget:
    """The name page's form: ideas and votes, the name, and the listing texts."""
    session = page.session
    ideas = NameIdeas(session)
    content = widgets.VBox(
        [
            card("Name ideas and votes", ideas),
            card("The name", FieldControl(session, NAME)),
            card(
                "How the group is listed and welcomes people",
                form(
                    session, ["identity.description", "identity.theme", "identity.welcome_message"]
                ),
            ),
        ],
        layout=styles.layout(width="100%"),
    )
    content.ideas = ideas
    return content
