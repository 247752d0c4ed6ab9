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

    @property
    def votes(self) -> int:
        return len(self.idea.get("votes", []))


def ranked(ideas: Sequence[Idea]) -> list[Ranked]:
    """The ideas with the most votes first; equal votes keep the order they were proposed in."""
    ordered = sorted(enumerate(ideas), key=lambda pair: (-len(pair[1].get("votes", [])), pair[0]))
    result: list[Ranked] = []
    for position, (_, idea) in enumerate(ordered, start=1):
        votes = len(idea.get("votes", []))
        tied = result and result[-1].votes == votes
        result.append(Ranked(result[-1].place if tied else position, idea))
    return result
