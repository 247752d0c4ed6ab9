"""Name ideas and voting rounds: adding and merging ideas, dots within a budget, the ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigworkbook.errors import SigworkbookError
from sigworkbook.plan.fieldtypes import new_id
from sigworkbook.plan.model import Plan
from sigworkbook.plan.people import person_key, same_person

Idea = dict[str, Any]
"""One entry of `identity.name_ideas` as the plan stores it (id, name, proposed_by, votes)."""

Round = dict[str, Any]
"""`identity.voting_round` as the plan stores it (status, budget, per_idea, anonymous,
shared_screen, started_on, ballots: [{voter, dots: {idea id: dots}, abstained}])."""

BUDGETS = range(1, 11)
"""The dots each person may have in a round (the model's limits)."""

SIMILAR = 86
"""How alike (rapidfuzz WRatio, 0-100, of the compared forms) two ideas are to be called close."""


class VotingError(SigworkbookError, ValueError):
    """An idea or vote that cannot be accepted; the message says why in plain words."""


def add_idea(
    ideas: Sequence[Idea], name: str, proposed_by: str | None, *, privately: bool = False
) -> list[Idea]:
    """The ideas with a new one appended; VotingError for an empty or repeated name. Ideas
    collected `privately` may repeat one nobody else can see yet (saying so would show it)."""
    name = " ".join(name.split())
    if not name:
        raise VotingError("type a name idea first")
    for idea in ideas:
        mine = same_person(str(idea.get("proposed_by") or ""), proposed_by or "")
        if (mine or not privately) and person_key(str(idea.get("name", ""))) == person_key(name):
            raise VotingError(f"'{idea.get('name')}' is on the list already")
    idea = {"id": new_id(), "name": name, "proposed_by": proposed_by or "", "votes": []}
    return [*[dict(i) for i in ideas], idea]


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
    votes: int = 0
    """Its votes (dots in a round, else the votes given before rounds)."""

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


def ranked(ideas: Sequence[Idea], counts: Mapping[str, int] | None = None) -> list[Ranked]:
    """The ideas with the most votes first (`counts` by idea id, else each idea's own votes);
    equal votes keep the order they were proposed in and share a place."""

    def count(idea: Idea) -> int:
        return votes_of(idea) if counts is None else counts.get(str(idea.get("id")), 0)

    ordered = sorted(enumerate(ideas), key=lambda pair: (-count(pair[1]), pair[0]))
    numbers = [count(idea) for _, idea in ordered]
    result: list[Ranked] = []
    for position, (_, idea) in enumerate(ordered, start=1):
        votes = count(idea)
        shared = result and result[-1].votes == votes
        place = result[-1].place if shared else position
        result.append(Ranked(place, idea, numbers.count(votes) > 1, votes))
    return result


def leader(ideas: Sequence[Idea], counts: Mapping[str, int] | None = None) -> str | None:
    """The id of the idea with the most votes, when one has more than every other."""
    top = ranked(ideas, counts)
    if not top or not top[0].votes or top[0].tied:
        return None
    return str(top[0].idea.get("id"))


def ahead_of(
    ideas: Sequence[Idea], idea_id: str, counts: Mapping[str, int] | None = None
) -> Idea | None:
    """The idea with the most votes, when it has more votes than the idea `idea_id`."""
    find(ideas, idea_id)
    top = ranked(ideas, counts)
    mine = next(entry.votes for entry in top if entry.idea.get("id") == idea_id)
    return top[0].idea if top and top[0].votes > mine else None


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


# --- near-duplicate ideas and merges --------------------------------------------------------


def similar(ideas: Sequence[Idea], name: str) -> Idea | None:
    """The idea most like `name` when it is close enough to be the same idea written
    differently ("Frailty Friends Network" and "Frailty Friends")."""
    from rapidfuzz import fuzz  # here: a heavy import no page needs before someone adds an idea

    key = person_key(name)
    best: tuple[float, Idea] | None = None
    for idea in ideas:
        score = fuzz.WRatio(key, person_key(str(idea.get("name", ""))))
        if score >= SIMILAR and (best is None or score > best[0]):
            best = (score, idea)
    return best[1] if best else None


def merge(
    ideas: Sequence[Idea], round_: Round | None, keep: str, drop: str, name: str | None = None
) -> tuple[list[Idea], Round | None]:
    """Idea `drop` folded into idea `keep` (called `name` if given): each person's earlier vote
    and round dots carried over, nobody counted twice (a vote once, dots up to the cap)."""
    if keep == drop:
        raise VotingError("choose two different ideas to merge")
    merged = [dict(idea) for idea in ideas]
    kept, dropped = merged[find(merged, keep)], merged[find(merged, drop)]
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise VotingError("give the merged idea a name")
        kept["name"] = name
    votes = list(kept.get("votes", []))
    for vote in dropped.get("votes", []):
        if not any(same_person(vote, v) for v in votes):
            votes.append(vote)
    kept["votes"] = votes
    result = [idea for idea in merged if idea.get("id") != drop]
    if round_ is None:
        return result, None
    cap = int(round_.get("per_idea", 1))
    ballots = []
    for ballot in round_.get("ballots", []):
        dots = dict(ballot.get("dots", {}))
        moved = int(dots.pop(drop, 0))
        if moved:
            dots[keep] = min(cap, int(dots.get(keep, 0)) + moved)
        ballots.append({**ballot, "dots": dots})
    return result, {**round_, "ballots": ballots}


# --- voting rounds --------------------------------------------------------------------------


def plural(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def start_round(
    *,
    budget: int = 3,
    per_idea: int = 1,
    anonymous: bool = False,
    shared_screen: bool = False,
    private_ideas: bool = False,
    today: dt.date | None = None,
) -> Round:
    """A new open round (collecting ideas first when `private_ideas`); VotingError for a budget
    or cap outside 1-10 (or a cap over budget)."""
    if budget not in BUDGETS:
        raise VotingError(f"dots each must be 1 to {BUDGETS[-1]}")
    if per_idea not in BUDGETS or per_idea > budget:
        raise VotingError(f"most dots on one idea must be 1 to the dots each ({budget})")
    return {
        "status": "collecting" if private_ideas else "open",
        "budget": budget,
        "per_idea": per_idea,
        "anonymous": anonymous,
        "shared_screen": shared_screen,
        "started_on": (today or dt.date.today()).isoformat(),
        "ballots": [],
    }


def is_collecting(round_: Round | None) -> bool:
    return round_ is not None and round_.get("status") == "collecting"


def running(round_: Round | None) -> bool:
    """Whether a round is under way (collecting ideas, open or revealed, not closed)."""
    return round_ is not None and round_.get("status") in ("collecting", "open", "revealed")


def visible_ideas(ideas: Sequence[Idea], round_: Round | None, viewer: str | None) -> list[Idea]:
    """The ideas `viewer` may see: while ideas are collected privately only their own."""
    if not is_collecting(round_):
        return list(ideas)
    if not viewer:
        return []
    return [i for i in ideas if same_person(str(i.get("proposed_by") or ""), viewer)]


def reveal_ideas(round_: Round | None) -> Round:
    """The round with everyone's ideas shown and voting open."""
    if not is_collecting(round_):
        raise VotingError("the ideas are not being collected privately")
    return {**(round_ or {}), "status": "open"}


def is_open(round_: Round | None) -> bool:
    return round_ is not None and round_.get("status") == "open"


def is_revealed(round_: Round | None) -> bool:
    return round_ is not None and round_.get("status") == "revealed"


def decided_by(round_: Round | None) -> bool:
    """Whether choosing a name now is choosing it after this round: the round was revealed or
    closed (a name chosen while ideas are collected or ballots hidden is not)."""
    return round_ is not None and round_.get("status") in ("revealed", "closed")


def ballot_of(round_: Round | None, voter: str | None) -> dict[str, Any] | None:
    """`voter`'s ballot in the round, if they cast one."""
    if round_ is None or not voter:
        return None
    for ballot in round_.get("ballots", []):
        if same_person(str(ballot.get("voter", "")), voter):
            return dict(ballot)
    return None


def my_dots(round_: Round | None, voter: str | None) -> dict[str, int]:
    ballot = ballot_of(round_, voter)
    return {str(k): int(v) for k, v in (ballot or {}).get("dots", {}).items()}


def dots_left(round_: Round, voter: str | None) -> int:
    return int(round_.get("budget", 3)) - sum(my_dots(round_, voter).values())


def _with_ballot(round_: Round, voter: str, ballot: dict[str, Any] | None) -> Round:
    others = [
        b for b in round_.get("ballots", []) if not same_person(str(b.get("voter", "")), voter)
    ]
    return {**round_, "ballots": others if ballot is None else [*others, ballot]}


def _voter(voter: str | None) -> str:
    voter = " ".join(str(voter or "").split())
    if not voter:
        raise VotingError("only a named participant can vote: give your name on the start page")
    return voter


def cast(
    round_: Round | None, voter: str | None, idea_id: str, dots: int, ideas: Sequence[Idea]
) -> Round:
    """The round with `voter`'s dots on `idea_id` (one of `ideas`) set to `dots` (0 takes them
    back); an abstention is withdrawn by voting. VotingError over the cap or the budget, for an
    idea not on the list, or when the round is not open."""
    name = _voter(voter)
    if round_ is None or not is_open(round_):
        raise VotingError("voting is not open: start a round first")
    if dots:
        find(ideas, idea_id)
    cap, budget = int(round_.get("per_idea", 1)), int(round_.get("budget", 3))
    if dots < 0:
        raise VotingError("dots cannot be negative")
    if dots > cap:
        raise VotingError(f"at most {plural(cap, 'dot')} on one idea")
    mine = my_dots(round_, name)
    mine.pop(idea_id, None)
    if dots:
        mine[idea_id] = dots
    if sum(mine.values()) > budget:
        raise VotingError(f"you have only {plural(budget, 'dot')}: take one back first")
    ballot = ballot_of(round_, name)
    keep_name = str(ballot["voter"]) if ballot else name
    if not mine:
        return _with_ballot(round_, name, None)
    return _with_ballot(round_, name, {"voter": keep_name, "dots": mine, "abstained": False})


def retract(round_: Round | None, voter: str | None, idea_id: str) -> Round:
    """The round with `voter`'s dots on `idea_id` taken back."""
    return cast(round_, voter, idea_id, 0, [])


def abstain(round_: Round | None, voter: str | None, on: bool = True) -> Round:
    """The round with `voter` abstaining ("I won't vote this round": their dots taken back),
    or (`on` False) no longer abstaining."""
    name = _voter(voter)
    if round_ is None or not is_open(round_):
        raise VotingError("voting is not open: start a round first")
    if not on:
        return _with_ballot(round_, name, None) if abstained(round_, name) else dict(round_)
    return _with_ballot(round_, name, {"voter": name, "dots": {}, "abstained": True})


def abstained(round_: Round | None, voter: str | None) -> bool:
    """Whether `voter` said they won't vote this round."""
    return bool((ballot_of(round_, voter) or {}).get("abstained"))


def reveal(round_: Round | None) -> Round:
    """The round with its counts shown to everyone (no more ballots)."""
    if not is_open(round_):
        raise VotingError("only an open round can be revealed")
    return {**(round_ or {}), "status": "revealed"}


def close(round_: Round | None) -> Round:
    """The round ended (revealed or not): its ballots kept, no more votes."""
    if round_ is None or round_.get("status") == "closed":
        raise VotingError("there is no round to close")
    return {**round_, "status": "closed"}


def counts(round_: Round | None, ideas: Sequence[Idea]) -> dict[str, int]:
    """Dots per idea (by id) over every ballot, for the ideas on the list."""
    result = {str(idea.get("id")): 0 for idea in ideas}
    for ballot in (round_ or {}).get("ballots", []):
        for idea_id, dots in ballot.get("dots", {}).items():
            if idea_id in result:
                result[idea_id] += int(dots)
    return result


def voters_for(round_: Round | None, idea_id: str) -> list[tuple[str, int]]:
    """Who put dots on `idea_id`, and how many, in the order they voted."""
    return [
        (str(ballot.get("voter")), int(ballot["dots"][idea_id]))
        for ballot in (round_ or {}).get("ballots", [])
        if ballot.get("dots", {}).get(idea_id)
    ]


def done(round_: Round | None) -> list[str]:
    """Everyone who voted or abstained (a ballot with dots, or an abstention)."""
    return [
        str(b.get("voter"))
        for b in (round_ or {}).get("ballots", [])
        if b.get("dots") or b.get("abstained")
    ]


def finished(round_: Round | None) -> list[str]:
    """Everyone who has voted: put all their dots, or abstained."""
    budget = int((round_ or {}).get("budget", 3))
    return [
        str(b.get("voter"))
        for b in (round_ or {}).get("ballots", [])
        if b.get("abstained") or sum(int(d) for d in b.get("dots", {}).values()) >= budget
    ]


def unique_names(names: Iterable[str]) -> list[str]:
    """The names, each person once (by `person_key`), first spelling kept."""
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(str(name).split())
        if name and person_key(name) not in seen:
            seen[person_key(name)] = name
    return list(seen.values())


def expected_voters(
    round_: Round | None, core_group: Iterable[str], present: Iterable[str]
) -> list[str]:
    """Who a round waits for: the core group's people, the named people with the name page
    open, and anyone who has voted or abstained."""
    return unique_names([*core_group, *present, *done(round_)])


def waiting_for(round_: Round | None, expected: Iterable[str]) -> list[str]:
    """The expected people who have not put all their dots nor abstained."""
    through = {person_key(name) for name in finished(round_)}
    return [name for name in unique_names(expected) if person_key(name) not in through]


def progress_text(round_: Round | None, expected: Sequence[str]) -> str:
    """'4 of 5 have voted; waiting for: Tom'."""
    people = unique_names(expected)
    missing = waiting_for(round_, people)
    voted = len(people) - len(missing)
    text = f"{voted} of {len(people)} {'has' if len(people) == 1 else 'have'} voted"
    return f"{text}; waiting for: {', '.join(missing)}" if missing else f"{text}: everyone"


def decision(
    ideas: Sequence[Idea],
    round_: Round,
    chosen: str,
    expected: Sequence[str],
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The record of choosing idea `chosen` after `round_` (as `identity.name_decision`)."""
    totals = counts(round_, ideas)
    ballots = round_.get("ballots", [])
    took_part = done(round_)
    return {
        "decided_on": (today or dt.date.today()).isoformat(),
        "name": str(ideas[find(ideas, chosen)].get("name", "")),
        "options": [
            {"name": str(entry.idea.get("name", "")), "dots": entry.votes}
            for entry in ranked(ideas, totals)
        ],
        "voted": sum(1 for b in ballots if b.get("dots")),
        "abstained": sum(1 for b in ballots if b.get("abstained")),
        "expected": len(unique_names([*expected, *took_part])),
        "voters": [] if round_.get("anonymous") else took_part,
        "anonymous": bool(round_.get("anonymous")),
    }


def decision_text(record: Mapping[str, Any] | None) -> str:
    """'Chosen by the core group on 6 December 2026: 4 of 9 dots; 5 of 6 people took part
    (1 abstained)', or '' when the name was not chosen after a round."""
    if not record or not record.get("name"):
        return ""
    options = record.get("options", [])
    total = sum(int(o.get("dots", 0)) for o in options)
    mine = next((int(o.get("dots", 0)) for o in options if o.get("name") == record["name"]), 0)
    day = record.get("decided_on")
    when = ""
    if day:
        date = dt.date.fromisoformat(str(day))
        when = f" on {date.day} {date:%B %Y}"
    took_part = int(record.get("voted", 0)) + int(record.get("abstained", 0))
    text = f"Chosen by the core group{when}: {mine} of {plural(total, 'vote')}"
    expected = int(record.get("expected", 0))
    text += f"; {took_part} of {expected} {'person' if expected == 1 else 'people'} took part"
    if record.get("abstained"):
        text += f" ({record['abstained']} abstained)"
    if record.get("voters"):
        text += f": {', '.join(record['voters'])}"
    return text


def check_round_change(before: Round | None, after: Round | None, voter: str) -> None:
    """VotingError unless going from `before` to `after` is what `voter` may do: start a round
    when none is running, reveal or close it, or change their own ballot alone."""
    if after == before:
        return
    if after is None:
        if before is not None:
            raise VotingError("a voting round cannot be deleted")
        return
    if not running(before):
        if after.get("ballots"):
            raise VotingError("a new round starts with no ballots")
        return
    assert before is not None
    for key in ("budget", "per_idea", "anonymous", "shared_screen", "started_on"):
        if after.get(key) != before.get(key):
            raise VotingError("a round's settings are fixed once it has started")
    order = ["collecting", "open", "revealed", "closed"]
    if order.index(str(after.get("status"))) < order.index(str(before.get("status"))):
        raise VotingError("a revealed or closed round cannot be opened again")
    mine = person_key(voter)

    def others(round_: Round) -> dict[str, Any]:
        return {
            person_key(str(b.get("voter"))): b
            for b in round_.get("ballots", [])
            if person_key(str(b.get("voter"))) != mine
        }

    if others(before) != others(after):
        raise VotingError(f"you can cast or take back only your own dots ({voter})")
    if before.get("status") != "open" and ballot_of(after, voter) != ballot_of(before, voter):
        raise VotingError("voting has ended in this round")


def check_voting_change(
    before: tuple[Sequence[Idea], Round | None],
    after: tuple[Sequence[Idea], Round | None],
    voter: str,
) -> None:
    """VotingError unless going from `before` to `after` (ideas, round) is one thing `voter` may
    do: their own ideas and ballot (`check_own_ballot`, `check_round_change`), or a merge of
    two ideas outside a running round."""
    (ideas, round_), (new_ideas, new_round) = before, after
    gone = {str(i.get("id")) for i in ideas} - {str(i.get("id")) for i in new_ideas}
    if not gone:
        check_own_ballot(ideas, new_ideas, voter)
        check_round_change(round_, new_round, voter)
        return
    if len(gone) == 1 and not running(round_):
        (drop,) = gone
        for idea in new_ideas:
            keep = str(idea.get("id"))
            if keep in {str(i.get("id")) for i in ideas}:
                merged = merge(ideas, round_, keep, drop, str(idea.get("name", "")))
                if merged == (list(new_ideas), new_round):
                    return
    raise VotingError("an idea leaves the list only by a merge, outside a running round")


def round_in_words(round_: Any) -> str:
    """A voting round as the history tells it: its state and how many ballots, never whose
    dots went where (the history is open to everyone, also while a round is open)."""
    if not isinstance(round_, Mapping):
        return ""
    budget = int(round_.get("budget", 3))
    ballots = len(round_.get("ballots", []))
    state = {"open": "open", "revealed": "revealed", "closed": "closed"}.get(
        str(round_.get("status")), "changed"
    )
    return f"{state}, {plural(budget, 'dot')} each, {plural(ballots, 'ballot')}"


ANONYMOUS_VOTER = "Voter {n}"
"""Who a ballot of an anonymous round is from, in anything handed out: never their name."""


def sealed(plan: Plan) -> Plan:
    """The plan as a page may hand it out (its downloads): an open round without its ballots,
    which nobody may read before the reveal, no ideas while they are collected privately, and
    an anonymous round's ballots (kept for the counts) under "Voter 1", "Voter 2", ..."""
    current = plan.identity.voting_round
    if current is None or (current.status not in ("collecting", "open") and not current.anonymous):
        return plan
    copy = plan.model_copy(deep=True)
    round_ = copy.identity.voting_round
    assert round_ is not None
    if current.status in ("collecting", "open"):
        round_.ballots = []
    for n, ballot in enumerate(round_.ballots, start=1):
        ballot.voter = ANONYMOUS_VOTER.format(n=n)
    if current.status == "collecting":  # and ideas collected privately are nobody else's
        copy.identity.name_ideas = []
    return copy
