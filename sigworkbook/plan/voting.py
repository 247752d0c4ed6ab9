"""Name ideas and votes: adding an idea, one vote per person per idea, ideas ranked by votes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sigworkbook.errors import SigworkbookError
from sigworkbook.plan.fieldtypes import new_id
from sigworkbook.plan.people import person_key, same_person

Idea = dict[str, Any]
"""One entry of `identity.name_ideas` as the plan stores it (id, name, proposed_by, votes)."""


class VotingError(SigworkbookError, ValueError):
    """An idea or vote that cannot be accepted; the message says why in plain words."""


def add_idea(ideas: Sequence[Idea], name: str, proposed_by: str | None) -> list[Idea]:
    """The ideas with a new one appended; VotingError for an empty or repeated name."""
    name = " ".join(name.split())
    if not name:
        raise VotingError("type a name idea first")
    for idea in ideas:
        if person_key(str(idea.get("name", ""))) == person_key(name):
            raise VotingError(f"'{idea.get('name')}' is on the list already")
    idea = {"id": new_id(), "name": name, "proposed_by": proposed_by or "", "votes": []}
    return [*[dict(i) for i in ideas], idea]


def has_voted(idea: Idea, voter: str) -> bool:
    return any(same_person(v, voter) for v in idea.get("votes", []))


def with_vote(votes: Sequence[str], voter: str, on: bool) -> list[str]:
    """The votes with `voter`'s vote given (`on`) or taken back; other votes keep their order."""
    voter = " ".join(voter.split())
    if not voter:
        raise VotingError("only a named participant can vote: give your name on the start page")
    kept = [v for v in votes if not same_person(v, voter)]
    return [*kept, voter] if on else kept


def check_own_ballot(before: Sequence[Idea], after: Sequence[Idea], voter: str) -> None:
    """VotingError unless going from `before` to `after` changes only `voter`'s own votes and
    adds only ideas proposed by `voter` (with no vote but theirs): what a logged-in person may
    do, whatever their page sends."""
    mine = person_key(voter)
    earlier = {str(idea.get("id")): idea for idea in before}
    for idea in after:
        old = earlier.get(str(idea.get("id")))
        votes = {person_key(str(v)) for v in idea.get("votes", [])}
        if old is None:
            if person_key(str(idea.get("proposed_by") or "")) != mine or votes - {mine}:
                raise VotingError(f"an idea you add is proposed by you ({voter}) alone")
            continue
        was = {person_key(str(v)) for v in old.get("votes", [])}
        if (votes ^ was) - {mine}:
            raise VotingError(f"you can give or take back only your own vote ({voter})")
        if person_key(str(idea.get("proposed_by") or "")) != person_key(
            str(old.get("proposed_by") or "")
        ):
            raise VotingError("who proposed an idea cannot be changed")


def find(ideas: Sequence[Idea], idea_id: str) -> int:
    """The position of the idea with id `idea_id`; VotingError when nobody has it any more."""
    for index, idea in enumerate(ideas):
        if idea.get("id") == idea_id:
            return index
    raise VotingError("that idea is no longer on the list")


@dataclass(frozen=True)
class Ranked:
    """An idea with its place in the ranking (ideas with equal votes share a place)."""

    place: int
    idea: Idea
    tied: bool = False
    """Another idea has the same number of votes (and so the same place)."""

    @property
    def votes(self) -> int:
        return votes_of(self.idea)

    @property
    def place_text(self) -> str:
        """The place in words: '1st', or 'joint 2nd' when another idea shares it."""
        return f"joint {ordinal(self.place)}" if self.tied else ordinal(self.place)


def votes_of(idea: Idea) -> int:
    return len(idea.get("votes", []))


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ..."""
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ranked(ideas: Sequence[Idea]) -> list[Ranked]:
    """The ideas with the most votes first; equal votes keep the order they were proposed in."""
    ordered = sorted(enumerate(ideas), key=lambda pair: (-votes_of(pair[1]), pair[0]))
    counts = [votes_of(idea) for _, idea in ordered]
    result: list[Ranked] = []
    for position, (_, idea) in enumerate(ordered, start=1):
        votes = votes_of(idea)
        shared = result and result[-1].votes == votes
        result.append(
            Ranked(result[-1].place if shared else position, idea, counts.count(votes) > 1)
        )
    return result


def leader(ideas: Sequence[Idea]) -> str | None:
    """The id of the idea with the most votes, when one has more than every other."""
    top = ranked(ideas)
    if not top or not top[0].votes or top[0].tied:
        return None
    return str(top[0].idea.get("id"))


def ahead_of(ideas: Sequence[Idea], idea_id: str) -> Idea | None:
    """The idea with the most votes, when it has more votes than the idea `idea_id`."""
    idea = ideas[find(ideas, idea_id)]
    top = ranked(ideas)
    return top[0].idea if top and top[0].votes > votes_of(idea) else None


def keep_order(shown: Sequence[str], ideas: Sequence[Idea]) -> list[Idea]:
    """The ideas in the order already shown (`shown`: ids), new ones after them as proposed.

    While people vote the list does not move under them; it is sorted again on request.
    """
    position = {idea_id: index for index, idea_id in enumerate(shown)}
    return [
        idea
        for _, idea in sorted(
            enumerate(ideas),
            key=lambda pair: (position.get(str(pair[1].get("id")), len(position)), pair[0]),
        )
    ]
