"""Choosing the name among the ideas, asking first when another has more votes, on record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from sigworkbook.plan import voting
from sigworkbook.plan.voting import VotingError, ahead_of, find
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name_state import CHOSEN, NAME, NameState
from sigworkbook.workspace import NAME_DECISION as DECISION


class NameChooser:
    """ "Name to choose" (the leader offered until someone picks another), "Choose this name",
    and the question when another idea has more votes. Choosing is the meeting lead's."""

    def __init__(self, state: NameState, close_round: Callable[[], bool]) -> None:
        self.state = state
        self._close_round = close_round
        self.choice = widgets.Dropdown(
            description="Name to choose",
            options=[],
            layout=styles.layout(width="100%", max_width="480px"),
            style={"description_width": "initial"},
        )
        self.button = styles.button(
            "Choose this name", tooltip="Make this idea the group's name", fit=True
        )
        on_click(self.button, lambda: self.choose(self.choice.value), reads_typing=False, once=True)
        self._picked: str | None = None
        self._quiet = False
        self.choice.observe(lambda _: self._picked_changed(), names="value")
        self.confirm = widgets.VBox()
        self.chooser = widgets.HBox(  # its own layout: hidden while there is no idea
            [self.choice, self.button], layout=widgets.Layout(align_items="flex-end")
        )
        self.chooser.add_class("swb-adder")

    def choose(self, idea_id: str | None, *, anyway: bool = False) -> bool:
        """Make the idea with id `idea_id` the SIG's name; True when saved. After a round
        (revealed, or closed with or without a reveal) the round is recorded with the name
        (`identity.name_decision`), and a revealed round is closed.

        When another idea has more votes, the first press asks whether to go ahead."""
        state = self.state
        self.confirm.children = ()
        if state.not_the_lead("Choose"):
            return False
        try:
            if not idea_id:
                raise VotingError("choose an idea in 'Name to choose' first")
            ideas = state.latest()
            if voting.is_open(state.round()):
                raise VotingError("reveal the round's results before choosing")
            idea = ideas[find(ideas, idea_id)]
            ahead = ahead_of(ideas, idea_id, state.counts())
        except VotingError as error:
            return state.fail(str(error))
        name = str(idea.get("name", ""))
        if ahead is not None and not anyway:
            self._ask(idea_id, name, str(ahead.get("name", "")))
            return False
        current = state.round()
        if voting.decided_by(current) and current is not None:
            record = voting.decision(ideas, current, idea_id, state.expected(), dt.date.today())
            if not state.session.save(DECISION, record):
                return state.fail(state.session.status.message)
            if voting.is_revealed(current) and not self._close_round():
                return False
        if not state.session.save(CHOSEN, idea_id) or not state.session.save(NAME, name):
            return state.fail(state.session.status.message)
        state.message.value = ""
        state.render()
        return True

    def render(self, ideas: list[dict[str, Any]]) -> None:
        """The ideas to choose from, most votes first (the leader offered until someone picks
        another one); hidden while a round runs or there is no idea."""
        if not ideas:
            self.chooser.layout.display = "none"
            return
        self.chooser.layout.display = "none" if self.state.running() else None
        options = [
            (str(e.idea.get("name", "")), str(e.idea.get("id"))) for e in self.state.ranked(ideas)
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

    def _ask(self, idea_id: str, name: str, ahead: str) -> None:
        question = styles.html(name_texts.more_votes(ahead, name))
        yes = styles.button(f"Choose “{name}” anyway", fit=True)
        no = styles.button("Cancel", tooltip="Keep the name as it is", fit=True)
        on_click(yes, lambda: self.choose(idea_id, anyway=True), reads_typing=False, once=True)
        on_click(no, self._cancel, reads_typing=False)
        self.confirm.children = (question, widgets.HBox([yes, no]))

    def _cancel(self) -> None:
        for part in self.confirm.children:
            styles.close_tree(part)
        self.confirm.children = ()
