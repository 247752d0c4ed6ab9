"""Step 2 page: name ideas with votes, the chosen name, the brief description and the welcome."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.voting import (
    Ranked,
    VotingError,
    add_idea,
    ahead_of,
    find,
    has_voted,
    keep_order,
    leader,
    ranked,
    with_vote,
)
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click, on_enter
from sigworkbook.ui.controls import FieldControl, form
from sigworkbook.ui.layout import step_href
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, error_html
from sigworkbook.workspace import Loaded

IDEAS = "identity.name_ideas"
NAME = "identity.name"
CHOSEN = "identity.chosen_idea"


class NameIdeas(widgets.VBox):
    """Everyone's name ideas: add one, vote for any (one vote each), choose the winner.

    The list keeps its order while people vote (nothing moves under the pointer, and the
    keyboard focus stays on the box that was ticked); "Sort by votes" or a reload sorts it.
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
        self.vote_as = widgets.Dropdown(
            description="Voting as",
            options=self._people(),
            value=session.author if session.author in self._people() else None,
            layout=styles.layout(width="100%", max_width="480px"),
            style={"description_width": "initial"},
        )
        self.vote_as.observe(lambda _: self._render(), names="value")
        if self.hosted_voter is not None:  # logged in: everyone votes as themselves
            self.vote_as.layout = widgets.Layout(display="none")  # not the shared layout
        self.sort_button = styles.button(
            "Sort by votes", tooltip="Put the ideas with the most votes first", fit=True
        )
        self.sort_button.layout = widgets.Layout(width="auto", min_width="max-content")
        on_click(self.sort_button, self.sort, reads_typing=False)
        self.message = styles.html()
        self.notice = styles.html()
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
        super().__init__(
            [
                self.notice,
                self.vote_as,
                widgets.HBox([self.idea_input, self.add_button]),
                self.message,
                self.sort_button,
                self.list_box,
                self.chooser,
                self.confirm,
            ],
            layout=styles.layout(width="100%"),
        )
        self._order = [str(entry.idea.get("id")) for entry in ranked(self._ideas())]
        self._render()

    @property
    def hosted_voter(self) -> str | None:
        """The logged-in hub user, when hosted: the only person this page votes for."""
        user = self.session.workspace.user
        return user.name if user is not None else None

    @property
    def voter(self) -> str | None:
        """Who ideas and votes are from: the hub user when hosted (whatever the page sends),
        else this visitor, or whoever a shared screen is set to."""
        return self.hosted_voter or " ".join(str(self.vote_as.value or "").split()) or None

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
                raise VotingError("choose who is voting in 'Voting as' first")
            ok = self.session.update(IDEAS, change)
        except VotingError as error:
            self._render()
            return self._fail(f"Vote not saved: {error}")
        self._render()
        if not ok:
            return self._fail(self.session.status.message)
        self.message.value = ""
        return True

    def sort(self) -> None:
        """Show the ideas with the most votes first (the list keeps that order until asked again)."""
        self._order = [str(entry.idea.get("id")) for entry in ranked(self._ideas())]
        self._render()

    def choose(self, idea_id: str | None, *, anyway: bool = False) -> bool:
        """Make the idea with id `idea_id` the SIG's name; True when saved.

        When another idea has more votes, the first press asks whether to go ahead."""
        self.confirm.children = ()
        try:
            if not idea_id:
                raise VotingError("choose an idea in 'Name to choose' first")
            ideas = self._latest()
            idea = ideas[find(ideas, idea_id)]
            ahead = ahead_of(ideas, idea_id)
        except VotingError as error:
            return self._fail(str(error))
        name = str(idea.get("name", ""))
        if ahead is not None and not anyway:
            self._ask(idea_id, name, str(ahead.get("name", "")))
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

    def _render(self) -> None:
        """Show the ideas in the order already shown, updating each row in place."""
        ideas = keep_order(self._order, self._ideas())
        self._order = [str(idea.get("id")) for idea in ideas]
        self.notice.value = self._notice_html()
        if not ideas:
            self._set_rows(
                [styles.html('<p class="swb-help">No name ideas yet: add the first one.</p>')]
            )
            self.sort_button.layout.display = "none"
            self.chooser.layout.display = "none"
            return
        self.sort_button.layout.display = None
        self.chooser.layout.display = None
        places = {str(entry.idea.get("id")): entry for entry in ranked(ideas)}
        leading = leader(ideas)
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
        options = [(str(e.idea.get("name", "")), str(e.idea.get("id"))) for e in ranked(ideas)]
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
                "</strong>, the name you logged in with: tick every idea you like; you can "
                "change your mind.</p>"
            )
        if self.voter:
            return (
                f'<p class="swb-help">Voting as <strong>{html.escape(self.voter)}</strong>: '
                "tick every idea you like; you can change your mind. On a shared screen, set "
                "'Voting as' to the next person before they tick.</p>"
            )
        start = html.escape(step_href(STEPS[0], self.session.sig_id, None))
        return (
            '<div class="swb-notice swb-notice--warning" role="status">To vote, choose who is '
            "voting in 'Voting as': the list has the core group's people and the name given "
            f'<a href="{start}">on the start page</a>. You can still add ideas.</div>'
        )

    def _row(self, idea_id: str) -> widgets.VBox:
        summary = styles.html()
        toggle = widgets.Checkbox(indent=False)
        toggle.observe(lambda change: self._ticked(idea_id, bool(change["new"])), names="value")
        row = widgets.VBox([summary, toggle])
        row.add_class("swb-row")
        row.idea_id, row.summary, row.toggle = idea_id, summary, toggle
        return row

    def _ticked(self, idea_id: str, on: bool) -> None:
        if not self._quiet:
            self.vote(idea_id, on)

    def _fill(
        self, row: Any, idea: dict[str, Any], place: Ranked, leading: bool, chosen: bool
    ) -> None:
        name = str(idea.get("name", ""))
        votes = [str(v) for v in idea.get("votes", [])]
        count = f"{len(votes)} vote" + ("" if len(votes) == 1 else "s")
        voters = f": {', '.join(votes)}" if votes else ""
        by = str(idea.get("proposed_by") or "") or "someone"
        badges = ' <span class="swb-badge">leading</span>' if leading else ""
        badges += ' <span class="swb-badge">✓ chosen</span>' if chosen else ""
        summary = (
            f'<h3 class="swb-row-title">{html.escape(name)}{badges}</h3>'
            f'<p class="swb-help"><span class="swb-place">{place.place_text}</span> · '
            f"Proposed by {html.escape(by)}. "
            f'<span class="swb-votes">{count}{html.escape(voters)}</span></p>'
        )
        if row.summary.value != summary:
            row.summary.value = summary
        description = f"Vote for “{name}”"
        ticked = bool(self.voter) and has_voted(idea, self.voter or "")
        self._quiet = True
        try:
            if row.toggle.description != description:
                row.toggle.description = description
            row.toggle.value = ticked
            row.toggle.disabled = not self.voter
        finally:
            self._quiet = False
        (row.add_class if chosen else row.remove_class)("swb-row--chosen")

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
