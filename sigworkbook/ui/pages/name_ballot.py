"""A voter's ballot in the open round: dots put or taken back, abstaining, the screen handed on."""

from __future__ import annotations

from typing import Any

from sigworkbook.plan import voting
from sigworkbook.plan.voting import Round
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name_state import NameState


class Ballot:
    """The page's voter's dots, saved in the kernel with the round's rules (budget, cap)."""

    def __init__(self, state: NameState) -> None:
        self.state = state

    def set_dots(self, idea_id: str, dots: int) -> bool:
        """Put `dots` of the voter's dots on one idea (0 takes them back); True when saved.
        When everyone expected has then voted or abstained, the round reveals itself."""
        voter = self.state.voter
        expected = self.state.expected()

        def change(ideas: list[Any], current: Any) -> tuple[list[Any], Any]:
            return ideas, _maybe_reveal(voting.cast(current, voter, idea_id, dots, ideas), expected)

        if not voter:
            self.state.render()
            return self.state.fail("Vote not saved: choose who is voting in 'Voting as' first")
        return self.state.change("Vote not saved", change) and self._hand_over(voter)

    def vote(self, idea_id: str, on: bool) -> bool:
        """Give (`on`) one dot to an idea or take the voter's dots on it back."""
        return self.set_dots(idea_id, 1 if on else 0)

    def toggle_abstain(self) -> bool:
        """'I won't vote this round' (taking back any dots), or back to voting."""
        voter = self.state.voter
        on = not voting.abstained(self.state.round(), voter)
        expected = self.state.expected()

        def change(ideas: list[Any], current: Any) -> tuple[list[Any], Any]:
            return ideas, _maybe_reveal(voting.abstain(current, voter, on), expected)

        return self.state.change("Not saved", change) and self._hand_over(voter)

    def _hand_over(self, voter: str | None) -> bool:
        """On a shared screen, once the person at it has put all their dots (or abstained),
        'Voting as' is cleared for the next person to pick their own name."""
        state = self.state
        if state.shared_screen() and voter and not voting.waiting_for(state.round(), [voter]):
            state.vote_as.value = None
            state.message.value = name_texts.thanks(voter)
        return True


def _maybe_reveal(current: Round, expected: list[str]) -> Round:
    """The round revealed when nobody expected (or who took part) is still to vote."""
    waiting = voting.waiting_for(current, [*expected, *voting.done(current)])
    return voting.reveal(current) if not waiting else current
