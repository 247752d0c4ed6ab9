"""The voting round's controls: its settings and start, merging ideas, abstain, reveal, close."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as widgets

from sigworkbook.plan import voting
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.model import VotingRound
from sigworkbook.plan.voting import BUDGETS, VotingError
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name_ballot import Ballot
from sigworkbook.ui.pages.name_state import IDEAS, ROUND, NameState


class RoundControls:
    """What the round shows and offers as it goes: its settings and "Start" (with merging
    before it), "Reveal the ideas" while ideas are collected privately, then abstain, reveal
    and close. Starting, merging, revealing and closing are the meeting lead's (issue 21)."""

    def __init__(self, state: NameState, ballot: Ballot) -> None:
        self.state = state
        self.status = styles.html()
        self.status.add_class("swb-round-status")
        self.box = widgets.VBox()
        self.box.add_class("swb-round")
        self._build_setup()
        self._build_merger()
        self._build_actions(ballot)

    def _build_setup(self) -> None:
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
        if self.state.hosted_voter is not None:
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

    def _build_merger(self) -> None:
        self.merge_from, self.merge_into = _idea_picker("Merge"), _idea_picker("into")
        self.merge_button = styles.button(
            "Merge ideas", tooltip="Fold the first idea into the second, votes carried", fit=True
        )
        on_click(self.merge_button, self.merge_chosen, reads_typing=False, once=True)
        self.merger = widgets.HBox(
            [self.merge_from, self.merge_into, self.merge_button],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-end"),
        )

    def _build_actions(self, ballot: Ballot) -> None:
        self.abstain_button = styles.button(
            "I won't vote this round", tooltip="Counts as having voted", fit=True
        )
        on_click(self.abstain_button, ballot.toggle_abstain, reads_typing=False)
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

    # --- acting ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Start a round with the settings shown; True when saved."""
        state = self.state
        if state.not_the_lead("Voting round"):
            return False
        try:
            new = voting.start_round(
                budget=int(self.budget.value),
                per_idea=int(self.per_idea.value),
                anonymous=bool(self.anonymous.value),
                shared_screen=bool(self.shared_screen.value) and state.hosted_voter is None,
                private_ideas=bool(self.private_ideas.value),
                today=dt.date.today(),
            )
        except VotingError as error:
            return state.fail(f"Voting round: {error}")

        def change(ideas: list[Any], current: Any) -> tuple[list[Any], Any]:
            if voting.running(current):
                raise VotingError("a round is already running")
            return ideas, new

        state.order = [str(idea.get("id")) for idea in state.ideas()]
        return state.change("Voting round", change)

    def merge_chosen(self) -> bool:
        """Merge the idea in 'Merge' into the one in 'into'."""
        drop, keep = self.merge_from.value, self.merge_into.value
        if not drop or not keep:
            return self.state.fail("Merge: choose the two ideas first")
        return self.merge(str(drop), str(keep))

    def merge(self, drop: str, keep: str) -> bool:
        """Fold idea `drop` into idea `keep` (its name kept): votes carried, nobody twice."""
        if self.state.not_the_lead("Merge"):
            return False
        if voting.running(self.state.round()):
            return self.state.fail("Merge: ideas are merged before a round, or after it is closed")
        return self.state.change(
            "Merge", lambda ideas, current: voting.merge(ideas, current, keep, drop)
        )

    def reveal_ideas(self) -> bool:
        """Show everyone's privately collected ideas and open the vote."""
        if self.state.not_the_lead("Reveal"):
            return False
        self.state.order = []
        return self.state.change(
            "Reveal", lambda ideas, current: (ideas, voting.reveal_ideas(current))
        )

    def reveal(self) -> bool:
        """Show everyone the round's counts now; True when saved."""
        if self.state.not_the_lead("Reveal"):
            return False
        return self.state.change("Reveal", lambda ideas, current: (ideas, voting.reveal(current)))

    def close_round(self) -> bool:
        """End the round (revealed or not); True when saved."""
        if self.state.not_the_lead("Close"):
            return False
        return self.state.change("Close", lambda ideas, current: (ideas, voting.close(current)))

    # --- showing --------------------------------------------------------------------------

    def render(self, ideas: list[dict[str, Any]]) -> None:
        """Show the round's status line and the controls for where the round is now."""
        state = self.state
        current = state.round()
        if voting.is_collecting(current):
            self.status.value = name_texts.collecting(len(state.session.value(IDEAS) or []))
            self._show(self.reveal_ideas_button)
        elif voting.is_open(current) and current is not None:
            voter = state.voter
            self.status.value = name_texts.open_round(current, voter, state.expected())
            mine = voting.abstained(current, voter)
            self.abstain_button.description = (
                "I'll vote after all" if mine else "I won't vote this round"
            )
            self.abstain_button.disabled = not voter
            self.close_button.layout.display = "none"
            self.reveal_button.layout.display = None
            self._show(self.voting_actions)
        elif voting.is_revealed(current) and current is not None:
            self.status.value = name_texts.revealed(current)
            self.close_button.layout.display = None
            self.reveal_button.layout.display = "none"
            self.abstain_button.layout.display = "none"
            self._show(self.voting_actions)
        else:
            self.abstain_button.layout.display = None
            self.status.value = name_texts.START_HINT if ideas else ""
            self._update_merge(ideas)
            self._show(self.setup, self.merger) if ideas else self._show()

    def _show(self, *parts: widgets.Widget) -> None:
        if tuple(self.box.children) != parts:
            self.box.children = parts
        self.merger.layout.display = None if len(self.state.ideas()) > 1 else "none"

    def _update_merge(self, ideas: list[dict[str, Any]]) -> None:
        options = [(str(i.get("name", "")), str(i.get("id"))) for i in ideas]
        for box in (self.merge_from, self.merge_into):
            if list(box.options) != options:
                current = box.value
                box.options = options
                box.value = current if current in [v for _, v in options] else None


def _idea_picker(description: str) -> widgets.Dropdown:
    """A drop-down of the ideas (filled as they are shown), none picked."""
    return widgets.Dropdown(
        description=description,
        options=[],
        value=None,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto", max_width="320px"),
    )


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
