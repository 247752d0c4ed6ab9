"""Adding a name idea: the box and its button, and the hint when it looks like one on the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from sigworkbook.plan import voting
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.voting import VotingError, add_idea
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click, on_enter
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name_state import IDEAS, NAME, NameState


class IdeaAdder:
    """The idea box, "Add idea", and what is offered when the idea is close to one listed:
    support that one instead (a dot on it, when a round is open) or add it anyway."""

    def __init__(self, state: NameState, set_dots: Callable[[str, int], bool]) -> None:
        self.state = state
        self._set_dots = set_dots
        self.input = widgets.Text(
            description=field_spec(f"{IDEAS}.*.name").label,
            placeholder=field_spec(NAME).placeholder,
            # Sent whole when the field is left: a click on "Add" right after typing then
            # cannot overtake keystrokes the widgets still hold back.
            continuous_update=False,
            layout=styles.layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.button = styles.button(
            "Add idea", tooltip="Add this name to the list of ideas", fit=True, align="flex-end"
        )
        self.button.add_class("swb-add")
        on_click(
            self.button, self.add, reads_typing=True, once=True, state=lambda: self.input.value
        )
        on_enter(self.input, self.add, also=self.button)
        self.line = widgets.HBox([self.input, self.button])
        self.similar_box = widgets.VBox()

    def add(self, *, anyway: bool = False) -> bool:
        """Add the typed idea, proposed by the participant; True when it was saved. An idea
        close to one on the list is first pointed out (`anyway` adds it all the same)."""
        state, text = self.state, self.input.value
        self._clear_similar()
        label = field_spec(f"{IDEAS}.*.name").label
        try:
            ideas = state.latest()
            privately = voting.is_collecting(state.round())
            add_idea(ideas, text, state.voter, privately=privately)  # the plain checks first
            close = None if anyway else voting.similar(ideas, text)
        except VotingError as error:
            return state.fail(f"{label}: {error}")
        if close is not None:
            self._offer_similar(text, close)
            return False
        try:
            ok = state.session.update(
                IDEAS, lambda ideas: add_idea(ideas or [], text, state.voter, privately=privately)
            )
        except VotingError as error:
            return state.fail(f"{label}: {error}")
        if not ok:
            return state.fail(state.session.status.message)
        state.message.value = ""
        self.input.value = ""
        state.render()
        return True

    def _offer_similar(self, text: str, idea: dict[str, Any]) -> None:
        name = str(idea.get("name", ""))
        note = styles.html(name_texts.looks_like(text, name))
        keep = styles.button(f"Support “{name}” instead", fit=True)
        anyway = styles.button("Add mine anyway", fit=True)
        on_click(keep, lambda: self._support(str(idea.get("id"))), reads_typing=False, once=True)
        on_click(anyway, lambda: self.add(anyway=True), reads_typing=False, once=True)
        self.similar_box.children = (note, widgets.HBox([keep, anyway]))

    def _support(self, idea_id: str) -> None:
        """Drop the typed idea for the existing one (a dot on it, when a round is open)."""
        self._clear_similar()
        self.input.value = ""
        current, voter = self.state.round(), self.state.voter
        if voting.is_open(current) and voter:
            self._set_dots(idea_id, max(1, voting.my_dots(current, voter).get(idea_id, 0)))

    def _clear_similar(self) -> None:
        for part in self.similar_box.children:
            styles.close_tree(part)
        self.similar_box.children = ()
