"""The list of name ideas: a row each, with its place, votes, and the voter's box or dots."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from sigworkbook.plan import voting
from sigworkbook.plan.voting import Ranked, leader, plural
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name_ballot import Ballot
from sigworkbook.ui.pages.name_state import NameState


class IdeaRows:
    """The ideas, each row updated in place: it keeps its order while people vote (nothing
    moves under the pointer, the focus stays on the box that was ticked); "Sort by votes" or
    a reload sorts it."""

    def __init__(self, state: NameState, ballot: Ballot) -> None:
        self.state = state
        self.ballot = ballot
        self.sort_button = styles.button(
            "Sort by votes", tooltip="Put the ideas with the most votes first", fit=True
        )
        self.sort_button.layout = widgets.Layout(width="auto", min_width="max-content")
        on_click(self.sort_button, self.sort, reads_typing=False)
        self.box = widgets.VBox()
        self.box.add_class("swb-ideas")
        self._rows: dict[str, widgets.VBox] = {}
        self._quiet = False

    def sort(self) -> None:
        """Show the ideas with the most votes first (the list keeps that order until asked again)."""
        self.state.sort()
        self.state.render()

    def render(self, ideas: list[dict[str, Any]]) -> None:
        """Show `ideas` in this order, each row updated in place."""
        state = self.state
        running = state.running()
        if not ideas:
            self._set_rows([styles.html(name_texts.NO_IDEAS)])
            self.sort_button.layout.display = "none"
            return
        self.sort_button.layout.display = "none" if running or not state.any_votes() else None
        places = {str(entry.idea.get("id")): entry for entry in state.ranked(ideas)}
        leading = None if running else leader(ideas, state.counts())
        chosen = state.chosen_id()
        rows = []
        for idea in ideas:
            idea_id = str(idea.get("id"))
            row = self._rows.get(idea_id) or self._row(idea_id)
            self._rows[idea_id] = row
            self._fill(row, idea, places[idea_id], idea_id == leading, idea_id == chosen)
            rows.append(row)
        self._set_rows(rows)

    def row_for(self, name: str) -> widgets.VBox:
        """The shown row of the idea called `name` (for tests and keyboard helpers)."""
        for row in self.box.children:
            toggle = getattr(row, "toggle", None)
            if toggle is not None and toggle.description == f"Vote for “{name}”":
                return row
        raise KeyError(name)

    def _set_rows(self, rows: list[widgets.Widget]) -> None:
        if tuple(rows) == tuple(self.box.children):
            return
        old = self.box.children
        self.box.children = rows
        for gone in old:
            if gone not in rows:
                self._rows.pop(getattr(gone, "idea_id", ""), None)
                styles.close_tree(gone)

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
            self.ballot.vote(idea_id, on)

    def _dots_picked(self, idea_id: str, dots: Any) -> None:
        if not self._quiet and isinstance(dots, int):
            self.ballot.set_dots(idea_id, dots)

    def _fill(
        self, row: Any, idea: dict[str, Any], place: Ranked, leading: bool, chosen: bool
    ) -> None:
        state = self.state
        name = str(idea.get("name", ""))
        current, voter = state.round(), state.voter
        running = voting.is_open(current)
        mine = voting.my_dots(current, voter).get(str(idea.get("id")), 0) if running else 0
        if running:
            result = f"Your dots: {'●' * mine}" if mine else ""
        else:
            result = self._result_text(idea, place)
        summary = name_texts.row_summary(
            name,
            str(idea.get("proposed_by") or "") or "someone",
            place=place.place_text if place.place and state.any_votes() else "",
            result=result,
            leading=leading,
            chosen=chosen,
        )
        if row.summary.value != summary:
            row.summary.value = summary
        cap = int((current or {}).get("per_idea", 1))
        left = voting.dots_left(current, voter) if running and current else 0
        usable = bool(voter) and running and not voting.abstained(current, voter)
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

    def _result_text(self, idea: dict[str, Any], place: Ranked) -> str:
        """After the reveal: '4 votes: Ruth (2), Dev' (names unless anonymous); before rounds
        the votes given then."""
        current = self.state.round()
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
