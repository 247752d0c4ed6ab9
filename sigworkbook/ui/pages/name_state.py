"""What the name page reads and how it saves: who votes, the ideas it may show, the round."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.leading import meeting_of
from sigworkbook.live.session import Session
from sigworkbook.plan import voting
from sigworkbook.plan.voting import Ranked, Round, VotingError, ranked
from sigworkbook.ui import styles
from sigworkbook.ui.parts import error_html

IDEAS = "identity.name_ideas"
NAME = "identity.name"
CHOSEN = "identity.chosen_idea"
ROUND = "identity.voting_round"

LEAD_ONLY = "only the meeting's lead can do this while the meeting goes on"

Change = Callable[[list[Any], Any], tuple[list[Any], Any]]
"""A change of the ideas and the round together: (ideas, round) -> (ideas, round)."""


class NameState:
    """The name page's view of the plan for its voter, shared by its parts.

    While a round is open this holds only its own voter's dots and who has not voted yet:
    nobody's choices reach another page before the reveal. `order` is the order the ideas
    are shown in (kept while people vote, so nothing moves under the pointer).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.render: Callable[[], None] = lambda: None  # the page's, set once it is built
        self.order: list[str] = []
        self.message = styles.html()
        self.vote_as = widgets.Dropdown(
            description="Voting as",
            options=self.people(),
            value=None,
            layout=widgets.Layout(width="100%", max_width="480px"),  # its own: shown or hidden
            style={"description_width": "initial"},
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
        if self.shared_screen():
            return " ".join(str(self.vote_as.value or "").split()) or None
        return " ".join(str(self.session.author or "").split()) or None

    def shared_screen(self) -> bool:
        """Whether an open round is one people take turns at on this screen (never hosted)."""
        current = self.round()
        return bool(
            self.hosted_voter is None
            and voting.is_open(current)
            and current is not None
            and current.get("shared_screen")
        )

    def _core_group(self) -> list[str]:
        people = self.session.value("core_group.people") or []
        return [str(p.get("name") or "") for p in people]

    def people(self) -> tuple[str, ...]:
        """This visitor and the core group's people, each once, to vote as."""
        return tuple(voting.unique_names([self.session.author or "", *self._core_group()]))

    def _present(self) -> list[str]:
        """The named people with the name page open now, this page's voter among them."""
        here = [v.participant or "" for v in self.session.here if v.step == "name"]
        mine = [] if self.shared_screen() else [self.voter or ""]
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
        return voting.expected_voters(self.round(), self._electorate(), self._present())

    def people_changed(self) -> None:
        """Offer the core group as it is now in 'Voting as' (the pick kept while still there)."""
        people = self.people()
        if self.vote_as.options != people:
            current = self.vote_as.value
            self.vote_as.options = people
            self.vote_as.value = current if current in people else None

    # --- reading --------------------------------------------------------------------------

    def ideas(self) -> list[dict[str, Any]]:
        """The ideas this page may show (while collected privately, its voter's own)."""
        value = self.session.value(IDEAS)
        ideas = list(value) if isinstance(value, list) else []
        return voting.visible_ideas(ideas, self.round(), self.voter)

    def round(self) -> Round | None:
        """The voting round as saved, None before the first."""
        value = self.session.value(ROUND)
        return value if isinstance(value, dict) else None

    def running(self) -> bool:
        """Whether a round is open or collecting ideas (nothing ranked, nothing chosen)."""
        current = self.round()
        return voting.is_open(current) or voting.is_collecting(current)

    def counts(self) -> dict[str, int] | None:
        """The counts everyone may see: a revealed or closed round's dots, else (no round yet)
        the votes given before rounds; None while a round is open."""
        current = self.round()
        if current is None:
            return None
        if voting.is_open(current) or voting.is_collecting(current):
            return {}
        return voting.counts(current, self.ideas())

    def ranked(self, ideas: list[dict[str, Any]]) -> list[Ranked]:
        """The ideas with their places (while a round runs: in the order proposed, unranked)."""
        counts = self.counts()
        if counts == {}:  # an open round: the order proposed, nothing ranked
            return [Ranked(0, idea) for idea in ideas]
        return ranked(ideas, counts)

    def any_votes(self) -> bool:
        """Whether any idea has a vote anyone may see."""
        counts = self.counts()
        if counts is None:
            return any(voting.votes_of(idea) for idea in self.ideas())
        return any(counts.values())

    def chosen_id(self) -> str | None:
        """The idea someone chose, while the name is still that idea's."""
        chosen = self.session.value(CHOSEN)
        name = str(self.session.value(NAME) or "")
        for idea in self.ideas():
            if idea.get("id") == chosen and idea.get("name") == name:
                return str(chosen)
        return None

    def latest(self) -> list[dict[str, Any]]:
        """The ideas as saved right now, including other people's latest changes."""
        self.session.flush()
        self.session.refresh()
        return self.ideas()

    def sort(self) -> None:
        """Show the ideas with the most votes first (kept until asked again)."""
        self.order = [str(entry.idea.get("id")) for entry in self.ranked(self.ideas())]

    # --- saving ---------------------------------------------------------------------------

    def fail(self, message: str) -> bool:
        """Show `message` (plain text) as the page's error; False."""
        self.message.value = error_html(message)
        return False

    def not_the_lead(self, what: str) -> bool:
        """While a meeting goes on, only its lead runs the round and chooses the name (issue 21):
        refused here, in the kernel, whatever the page sends; True (with the message) then."""
        meeting = meeting_of(self.session)
        if meeting.live is None or meeting.leading:
            return False
        self.fail(f"{what}: {LEAD_ONLY}")
        return True

    def change(self, what: str, change: Change) -> bool:
        """Save a change of the ideas and the round; `what` names it in an error."""
        try:
            ok = self.session.update_votes(change)
        except VotingError as error:
            self.render()
            return self.fail(f"{what}: {error}")
        self.render()
        if not ok:
            return self.fail(self.session.status.message)
        self.message.value = ""
        return True
