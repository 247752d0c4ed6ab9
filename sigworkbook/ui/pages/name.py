"""Step 2 page: name ideas, voting rounds, the chosen name, the brief description and welcome.

The ideas and votes are built of parts, one job each: what the page reads and saves
(name_state), adding an idea (name_adding), a voter's ballot (name_ballot), the round's
controls (name_round), the list of ideas (name_rows), choosing the name (name_choice) and
their markup (name_texts).
"""

from __future__ import annotations

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.voting import keep_order
from sigworkbook.ui import styles
from sigworkbook.ui.controls import FieldControl, form
from sigworkbook.ui.later import later
from sigworkbook.ui.layout import step_href
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name_adding import IdeaAdder
from sigworkbook.ui.pages.name_ballot import Ballot
from sigworkbook.ui.pages.name_choice import NameChooser
from sigworkbook.ui.pages.name_round import RoundControls
from sigworkbook.ui.pages.name_rows import IdeaRows
from sigworkbook.ui.pages.name_state import CHOSEN, IDEAS, LEAD_ONLY, NAME, ROUND, NameState
from sigworkbook.ui.parts import card
from sigworkbook.workspace import Loaded

__all__ = ["CHOSEN", "IDEAS", "LEAD_ONLY", "NAME", "ROUND", "NameIdeas", "build"]


class NameIdeas(widgets.VBox):
    """Everyone's name ideas and the voting round on them: add an idea (a near-duplicate is
    pointed out), merge two, start a round, put your dots, abstain, reveal, choose the name.

    The parts share one `NameState`; this box lays them out, shows them again when the plan
    or who is here changes, and names their widgets and actions for tests and helpers.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.state = state = NameState(session)
        self.ballot = Ballot(state)
        self.adder = IdeaAdder(state, self.ballot.set_dots)
        self.round = RoundControls(state, self.ballot)
        self.rows = IdeaRows(state, self.ballot)
        self.choosing = NameChooser(state, self.round.close_round)
        self.notice = styles.html()
        # The parts' widgets and actions, by the names tests and keyboard helpers use.
        self.message, self.vote_as = state.message, state.vote_as
        self.idea_input, self.add_button = self.adder.input, self.adder.button
        self.similar_box, self.add = self.adder.similar_box, self.adder.add
        self.set_dots, self.vote = self.ballot.set_dots, self.ballot.vote
        self.toggle_abstain = self.ballot.toggle_abstain
        self.round_status, self.round_box = self.round.status, self.round.box
        self.budget, self.per_idea = self.round.budget, self.round.per_idea
        self.anonymous, self.shared_screen = self.round.anonymous, self.round.shared_screen
        self.private_ideas, self.start_button = self.round.private_ideas, self.round.start_button
        self.merge_from, self.merge_into = self.round.merge_from, self.round.merge_into
        self.merge_button, self.abstain_button = self.round.merge_button, self.round.abstain_button
        self.reveal_button, self.close_button = self.round.reveal_button, self.round.close_button
        self.reveal_ideas_button = self.round.reveal_ideas_button
        self.start, self.merge, self.merge_chosen = (
            self.round.start,
            self.round.merge,
            self.round.merge_chosen,
        )
        self.reveal, self.reveal_ideas = self.round.reveal, self.round.reveal_ideas
        self.close_round, self.expected = self.round.close_round, state.expected
        self.sort_button, self.list_box = self.rows.sort_button, self.rows.box
        self.sort, self.row_for = self.rows.sort, self.rows.row_for
        self.choice, self.choose_button = self.choosing.choice, self.choosing.button
        self.chooser, self.confirm = self.choosing.chooser, self.choosing.confirm
        self.choose = self.choosing.choose
        state.render = self._render
        state.vote_as.observe(lambda _: self._render(), names="value")
        session.on_change(self._plan_changed)
        session.on_presence(lambda _: self._render())
        super().__init__(
            [
                self.notice,
                self.adder.line,
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
        state.sort()
        self._render()

    @property
    def voter(self) -> str | None:
        """Who this page's ideas and dots are from (see NameState.voter)."""
        return self.state.voter

    def _plan_changed(self, loaded: Loaded) -> None:
        self.state.people_changed()
        self._render()

    def _render(self) -> None:
        """Show the ideas in the order already shown, updating each row in place."""
        state = self.state
        ideas = keep_order(state.order, state.ideas())
        state.order = [str(idea.get("id")) for idea in ideas]
        self.notice.value = self._notice()
        self.vote_as.layout.display = None if state.shared_screen() else "none"
        self.round.render(ideas)
        self.rows.render(ideas)
        self.choosing.render(ideas)

    def _notice(self) -> str:
        state = self.state
        if state.hosted_voter:
            return name_texts.hosted_notice(state.hosted_voter)
        if state.shared_screen():
            return name_texts.SHARED_NOTICE
        if state.voter:
            return name_texts.named_notice(state.voter)
        return name_texts.nameless_notice(step_href(STEPS[0], self.session.sig_id, None))


LISTING = ("identity.description", "identity.theme", "identity.welcome_message")
"""The fields of "How the group is listed and welcomes people"."""


def build(page: Page) -> widgets.Widget:
    """The name page's form: ideas and votes, the name, and the listing texts."""
    session = page.session
    ideas = NameIdeas(session)
    content = widgets.VBox(
        [
            card("Name ideas and votes", ideas),
            card("The name", FieldControl(session, NAME)),
            later(
                card("How the group is listed and welcomes people"),
                lambda: [form(session, list(LISTING))],
            ),
        ],
        layout=styles.layout(width="100%"),
    )
    content.ideas = ideas
    return content
