"""Step 2 page: name ideas with votes, the chosen name, the brief description and the welcome."""

from __future__ import annotations

import html
import json
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.voting import (
    VotingError,
    add_idea,
    find,
    has_voted,
    ranked,
    with_vote,
)
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.controls import FieldControl, form
from sigworkbook.ui.layout import step_href
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, error_html
from sigworkbook.workspace import Loaded

IDEAS = "identity.name_ideas"
NAME = "identity.name"


class NameIdeas(widgets.VBox):
    """Everyone's name ideas: add one, vote for any (one vote each), choose the winner."""

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
        on_click(self.add_button, self.add, reads_typing=True)
        self.vote_as = widgets.Combobox(
            description="Voting as",
            value=session.author or "",
            options=self._people(),
            placeholder="Who is voting?",
            ensure_option=False,
            continuous_update=False,  # a name half typed is nobody's vote
            layout=styles.layout(width="100%", max_width="480px"),
            style={"description_width": "initial"},
        )
        self.vote_as.observe(lambda _: self._render(force=True), names="value")
        self.message = styles.html()
        self.notice = styles.html()
        self.list_box = widgets.VBox()
        self.list_box.add_class("swb-ideas")
        self._shown: str | None = None
        session.on_change(self._plan_changed)
        super().__init__(
            [
                self.notice,
                self.vote_as,
                widgets.HBox([self.idea_input, self.add_button]),
                self.message,
                self.list_box,
            ],
            layout=styles.layout(width="100%"),
        )
        self._render()

    @property
    def voter(self) -> str | None:
        """Who ideas and votes are from: this visitor, or whoever a shared screen is set to."""
        return " ".join(self.vote_as.value.split()) or None

    def _people(self) -> tuple[str, ...]:
        """This visitor and the core group's people, each once, to vote as."""
        people = self.session.value("core_group.people") or []
        names = [self.session.author or "", *(str(p.get("name") or "") for p in people)]
        seen: dict[str, str] = {}
        for name in names:
            name = " ".join(name.split())
            if name and name.casefold() not in seen:
                seen[name.casefold()] = name
        return tuple(seen.values())

    def _ideas(self) -> list[dict[str, Any]]:
        value = self.session.value(IDEAS)
        return list(value) if isinstance(value, list) else []

    def _latest(self) -> list[dict[str, Any]]:
        """The ideas as saved right now, including other people's latest changes."""
        self.session.flush()
        self.session.refresh()
        return self._ideas()

    def _fail(self, message: str) -> bool:
        self.message.value = error_html(message)
        return False

    def add(self) -> bool:
        """Add the typed idea, proposed by the participant; True when it was saved."""
        text = self.idea_input.value
        try:
            ok = self.session.update(IDEAS, lambda ideas: add_idea(ideas or [], text, self.voter))
        except VotingError as error:
            return self._fail(f"{field_spec(f'{IDEAS}.*.name').label}: {error}")
        if not ok:
            return self._fail(self.session.status.message)
        self.message.value = ""
        self.idea_input.value = ""
        self._render()
        return True

    def vote(self, idea_id: str, on: bool) -> bool:
        """Give (`on`) or take back the participant's vote for one idea; True when saved."""

        voter = self.voter

        def change(current: Any) -> list[dict[str, Any]]:
            ideas = [dict(idea) for idea in current or []]
            idea = ideas[find(ideas, idea_id)]
            idea["votes"] = with_vote(idea.get("votes", []), str(voter), on)
            return ideas

        try:
            if not voter:
                raise VotingError(
                    "give your name in 'Voting as' or on the start page before you vote"
                )
            ok = self.session.update(IDEAS, change)
        except VotingError as error:
            self._render(force=True)
            return self._fail(f"Vote not saved: {error}")
        self._render(force=True)
        if not ok:
            return self._fail(self.session.status.message)
        self.message.value = ""
        return True

    def choose(self, idea_id: str) -> bool:
        """Make the idea with id `idea_id` the SIG's name; True when saved."""
        try:
            ideas = self._latest()
            name = str(ideas[find(ideas, idea_id)].get("name", ""))
        except VotingError as error:
            return self._fail(str(error))
        if not self.session.save(NAME, name):
            return self._fail(self.session.status.message)
        self.message.value = ""
        self._render()
        return True

    def _plan_changed(self, loaded: Loaded) -> None:
        self.vote_as.options = self._people()
        self._render()

    def _render(self, force: bool = False) -> None:
        ideas, chosen = self._ideas(), str(self.session.value(NAME) or "")
        signature = json.dumps([ideas, chosen, self.voter])
        if signature == self._shown and not force:
            return
        self._shown = signature
        self.notice.value = self._notice_html()
        if not ideas:
            self.list_box.children = [
                styles.html('<p class="swb-help">No name ideas yet: add the first one.</p>')
            ]
            return
        self.list_box.children = [
            self._row(entry.place, entry.idea, chosen) for entry in ranked(ideas)
        ]

    def _notice_html(self) -> str:
        if self.voter:
            return (
                f'<p class="swb-help">Voting as <strong>{html.escape(self.voter)}</strong>: '
                "tick every idea you like; you can change your mind. On a shared screen, set "
                "'Voting as' to the next person before they tick.</p>"
            )
        start = html.escape(step_href(STEPS[0], self.session.sig_id, None))
        return (
            '<div class="swb-notice swb-notice--warning" role="status">To vote, the workbook '
            "needs your name: choose or type it in 'Voting as', or "
            f'<a href="{start}">give it on the start page</a> and come back through the link '
            "there. You can still add ideas.</div>"
        )

    def _row(self, place: int, idea: dict[str, Any], chosen: str) -> widgets.VBox:
        name = str(idea.get("name", ""))
        idea_id = str(idea.get("id", ""))
        votes = [str(v) for v in idea.get("votes", [])]
        count = f"{len(votes)} vote" + ("" if len(votes) == 1 else "s")
        voters = f": {', '.join(votes)}" if votes else ""
        by = str(idea.get("proposed_by") or "") or "someone"
        is_chosen = bool(chosen) and name == chosen
        badge = ' <span class="swb-badge">✓ chosen</span>' if is_chosen else ""
        summary = styles.html(
            f'<h3 class="swb-row-title">{place}. {html.escape(name)}{badge}</h3>'
            f'<p class="swb-help">Proposed by {html.escape(by)}. '
            f'<span class="swb-votes">{count}{html.escape(voters)}</span></p>'
        )
        toggle = widgets.Checkbox(
            value=bool(self.voter) and has_voted(idea, self.voter or ""),
            description=f"Vote for “{name}”",
            disabled=not self.voter,
            indent=False,
        )
        toggle.observe(lambda change: self.vote(idea_id, bool(change["new"])), names="value")
        choose = styles.button(
            "Chosen" if is_chosen else f"Choose “{name}”",
            tooltip=f"Make “{name}” the group's name",
            disabled=is_chosen,
            fit=True,
        )
        on_click(choose, lambda: self.choose(idea_id), reads_typing=False)
        row = widgets.VBox([summary, widgets.HBox([toggle, choose])])
        row.add_class("swb-row")
        if is_chosen:
            row.add_class("swb-row--chosen")
        row.idea_id = idea_id
        row.toggle = toggle
        row.choose_button = choose
        return row

    def row_for(self, name: str) -> widgets.VBox:
        """The shown row of the idea called `name` (for tests and keyboard helpers)."""
        for row in self.list_box.children:
            toggle = getattr(row, "toggle", None)
            if toggle is not None and toggle.description == f"Vote for “{name}”":
                return row
        raise KeyError(name)


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
