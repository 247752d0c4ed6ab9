"""Voting rounds (issue 20): dots within a budget and a cap per idea, abstaining, merges that
count nobody twice, the kernel refusing what the page would, and the decision on record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigworkbook.hosting.identity import User
from sigworkbook.plan.model import Identity
from sigworkbook.plan.people import person_key
from sigworkbook.plan.validation import PlanError
from sigworkbook.plan.voting import (
    VotingError,
    abstain,
    add_idea,
    cast,
    check_voting_change,
    close,
    counts,
    decision,
    decision_text,
    done,
    dots_left,
    merge,
    progress_text,
    ranked,
    retract,
    reveal,
    reveal_ideas,
    similar,
    start_round,
    visible_ideas,
    waiting_for,
)
from sigworkbook.workspace import NAME_IDEAS, VOTING_ROUND, Workspace

IDS = ["idea01", "idea02", "idea03", "idea04"]
IDEAS = [{"id": i, "name": f"Idea {i}"} for i in IDS]
PEOPLE = ["Ruth", "ruth ", "Dev", "Tom", "Ana"]


def _ideas(n: int = 4, by: str = "Ruth") -> list[dict[str, Any]]:
    return [{"id": i, "name": f"Idea {i}", "proposed_by": by, "votes": []} for i in IDS[:n]]


def test_dots_within_budget_and_cap_and_the_page_words() -> None:
    round_ = start_round(budget=3, per_idea=2, today=dt.date(2026, 12, 6))
    round_ = cast(round_, "Ruth", "idea01", 2, IDEAS)
    assert dots_left(round_, "ruth") == 1
    with pytest.raises(VotingError, match="at most 2 dots on one idea"):
        cast(round_, "Ruth", "idea02", 3, IDEAS)
    with pytest.raises(VotingError, match="only 3 dots"):
        cast(round_, "Ruth", "idea02", 2, IDEAS)
    round_ = retract(round_, "RUTH", "idea01")
    assert round_["ballots"] == []
    with pytest.raises(VotingError, match="1 to 10"):
        start_round(budget=11)
    with pytest.raises(VotingError, match="most dots on one idea"):
        start_round(budget=2, per_idea=3)
    with pytest.raises(VotingError, match="not open"):
        cast(reveal(round_), "Ruth", "idea01", 1, IDEAS)


def test_abstaining_counts_as_voted_and_voting_withdraws_it() -> None:
    round_ = cast(start_round(budget=2), "Ruth", "idea01", 1, IDEAS)
    assert waiting_for(round_, ["Ruth"]) == ["Ruth"], "voted when all dots are put"
    round_ = cast(round_, "Ruth", "idea02", 1, IDEAS)
    round_ = abstain(round_, "Dev")
    expected = ["Ruth", "Dev", "Tom"]
    assert waiting_for(round_, expected) == ["Tom"]
    assert progress_text(round_, expected) == "2 of 3 have voted; waiting for: Tom"
    assert counts(round_, _ideas()) == {"idea01": 1, "idea02": 1, "idea03": 0, "idea04": 0}
    round_ = cast(round_, "dev", "idea02", 1, IDEAS)  # voting after all
    assert not any(b.get("abstained") for b in round_["ballots"])
    assert abstain(cast(round_, "Tom", "idea01", 1, IDEAS), "Tom")["ballots"][-1]["dots"] == {}


def test_no_place_before_any_vote_and_ties_read_as_ties() -> None:
    ideas = _ideas(3)
    round_ = start_round()
    for voter, idea in (("Ruth", "idea01"), ("Dev", "idea02"), ("Tom", "idea01")):
        round_ = cast(round_, voter, idea, 1, IDEAS)
    top = ranked(ideas, counts(round_, ideas))
    assert [(r.place_text, r.votes) for r in top] == [("1st", 2), ("2nd", 1), ("3rd", 0)]
    round_ = cast(round_, "Ana", "idea02", 1, IDEAS)
    top = ranked(ideas, counts(round_, ideas))
    assert [r.place_text for r in top[:2]] == ["joint 1st", "joint 1st"]


def test_a_near_duplicate_idea_is_found() -> None:
    ideas = [{"id": "idea01", "name": "Frailty Friends"}, {"id": "idea02", "name": "Home Safely"}]
    assert similar(ideas, "Frailty Friends Network") == ideas[0]
    assert similar(ideas, "frailty  friend") == ideas[0]
    assert similar(ideas, "Safe at Home") is None
    assert similar(ideas, "Pill Pals") is None


def test_the_decision_on_record_reads_as_a_decision() -> None:
    ideas = _ideas(2)
    round_ = start_round(budget=1)
    for voter, idea in (("Ruth", "idea01"), ("Dev", "idea01"), ("Tom", "idea02")):
        round_ = cast(round_, voter, idea, 1, IDEAS)
    round_ = abstain(round_, "Ana")
    record = decision(
        ideas,
        reveal(round_),
        "idea01",
        ["Ruth", "Dev", "Tom", "Ana", "Sam"],
        today=dt.date(2026, 12, 6),
    )
    Identity.model_validate({"name_decision": record})  # the model holds it as recorded
    assert decision_text(record) == (
        "Chosen by the core group on 6 December 2026: 2 of 3 votes; 4 of 5 people took part "
        "(1 abstained): Ruth, Dev, Tom, Ana"
    )
    anonymous = decision(ideas, {**round_, "anonymous": True}, "idea01", [])
    assert anonymous["voters"] == [] and "Ruth" not in decision_text(anonymous)


# --- properties -----------------------------------------------------------------------------

_action = st.one_of(
    st.tuples(st.just("cast"), st.sampled_from(PEOPLE), st.sampled_from(IDS), st.integers(0, 4)),
    st.tuples(st.just("abstain"), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("merge"), st.sampled_from(IDS), st.sampled_from(IDS)),
)


@settings(max_examples=150, deadline=None)
@given(
    budget=st.integers(1, 4),
    per_idea=st.integers(1, 3),
    actions=st.lists(_action, max_size=25),
)
def test_no_sequence_of_ballots_and_merges_breaks_the_rules(
    budget: int, per_idea: int, actions: list[tuple[Any, ...]]
) -> None:
    per_idea = min(per_idea, budget)
    ideas = _ideas()
    round_: dict[str, Any] = start_round(budget=budget, per_idea=per_idea)
    cast_total = 0
    for action in actions:
        try:
            if action[0] == "cast":
                _, who, idea, dots = action
                before = sum(
                    b["dots"].get(idea, 0)
                    for b in round_["ballots"]
                    if person_key(b["voter"]) == person_key(who)
                )
                round_ = cast(round_, who, idea, dots, ideas)
                cast_total += dots - before
            elif action[0] == "abstain":
                _, who, on = action
                before_total = sum(sum(b["dots"].values()) for b in round_["ballots"])
                round_ = abstain(round_, who, on)
                cast_total -= before_total - sum(sum(b["dots"].values()) for b in round_["ballots"])
            else:
                _, keep, drop = action
                people_before = {
                    person_key(b["voter"])
                    for b in round_["ballots"]
                    if b["dots"].get(keep) or b["dots"].get(drop)
                }
                ideas, merged = merge(ideas, round_, keep, drop)
                assert merged is not None
                round_ = merged
                cast_total = sum(sum(b["dots"].values()) for b in round_["ballots"])
                on_kept = [person_key(b["voter"]) for b in round_["ballots"] if b["dots"].get(keep)]
                assert sorted(set(on_kept)) == sorted(on_kept)  # nobody counted twice
                assert set(on_kept) == people_before
        except VotingError:
            continue
        keys = [person_key(b["voter"]) for b in round_["ballots"]]
        assert len(keys) == len(set(keys))
        for ballot in round_["ballots"]:
            assert sum(ballot["dots"].values()) <= budget
            assert all(0 < d <= per_idea for d in ballot["dots"].values())
            assert not (ballot["abstained"] and ballot["dots"])
        assert sum(counts(round_, ideas).values()) == cast_total
        assert {person_key(v) for v in done(round_)} == set(keys)  # abstention counts as voted
        Identity.model_validate({"name_ideas": ideas, "voting_round": round_})


@given(votes_a=st.sets(st.sampled_from(PEOPLE[1:])), votes_b=st.sets(st.sampled_from(PEOPLE[1:])))
def test_a_merge_carries_earlier_votes_once_each(votes_a: set[str], votes_b: set[str]) -> None:
    ideas = [
        {"id": "idea01", "name": "A", "proposed_by": "", "votes": sorted(votes_a)},
        {"id": "idea02", "name": "B", "proposed_by": "", "votes": sorted(votes_b)},
    ]
    merged, _ = merge(ideas, None, "idea01", "idea02", "A or B")
    assert [i["name"] for i in merged] == ["A or B"]
    assert sorted(merged[0]["votes"]) == sorted(votes_a | votes_b)


# --- the kernel refuses what the page would ---------------------------------------------------


def test_the_model_refuses_a_ballot_over_budget_or_cap_from_any_writer(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as local:
        sig = local.new_sig("Frailty Friends").plan.id
        local.set(sig, NAME_IDEAS, _ideas(2))
        local.set(sig, VOTING_ROUND, start_round(budget=2))
        before = local.revision(sig)
        over = {
            **start_round(budget=2),
            "ballots": [{"voter": "Ruth", "dots": {"idea01": 1, "idea02": 1, "idea03": 1}}],
        }
        capped = {**start_round(budget=2), "ballots": [{"voter": "Ruth", "dots": {"idea01": 2}}]}
        twice = {
            **start_round(),
            "ballots": [
                {"voter": "Ruth", "dots": {"idea01": 1}},
                {"voter": " RUTH", "dots": {"idea02": 1}},
            ],
        }
        nowhere = {**start_round(), "ballots": [{"voter": "Ruth", "dots": {"idea09": 1}}]}
        for bad in (over, capped, twice, nowhere):
            with pytest.raises(PlanError):
                local.set(sig, VOTING_ROUND, bad)
            with pytest.raises(PlanError):
                local.update_votes(sig, lambda ideas, _r, bad=bad: (ideas, bad))
        assert local.revision(sig) == before


def test_hosted_a_user_changes_only_their_own_ballot(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True, user=User("alice")) as alice:
        sig = alice.new_sig("Frailty Friends").plan.id
        alice.set_member(sig, "tom", "editor")
        alice.update_votes(sig, lambda _i, _r: (_ideas(2, "alice"), start_round()))
        alice.update_votes(sig, lambda i, r: (i, cast(r, "alice", "idea01", 1, i)))
    with Workspace.open(tmp_path, user=User("tom")) as tom:
        before = tom.revision(sig)
        refused = [
            lambda i, r: (i, cast(r, "Maya", "idea01", 1, i)),  # a vote for someone else
            lambda i, r: (i, retract(r, "alice", "idea01")),  # taking back alice's dot
            lambda i, r: (i, abstain(r, "alice")),
            lambda i, r: (i, {**r, "budget": 5}),
            lambda i, r: merge(i, r, "idea01", "idea02"),  # a merge while the round runs
        ]
        for change in refused:
            with pytest.raises(VotingError):
                tom.update_votes(sig, change)
        with pytest.raises(Exception, match="page's buttons"):
            tom.set(sig, VOTING_ROUND, None)
        assert tom.revision(sig) == before
        tom.update_votes(sig, lambda i, r: (i, cast(r, "tom", "idea02", 1, i)))
        tom.update_votes(sig, lambda i, r: (i, reveal(r)))  # anyone may reveal, for now
        with pytest.raises(VotingError, match="voting has ended"):
            tom.update_votes(sig, lambda i, r: (i, {**r, "ballots": r["ballots"][:1]}))
        tom.update_votes(sig, lambda i, r: (i, close(r)))
        tom.update_votes(sig, lambda i, r: merge(i, r, "idea01", "idea02", "Frailty"))
        plan = tom.load(sig).plan.identity
    assert [i.name for i in plan.name_ideas] == ["Frailty"]
    assert plan.voting_round is not None and plan.voting_round.status == "closed"


def test_check_voting_change_accepts_only_a_true_merge() -> None:
    ideas = _ideas(2)
    merged = merge(ideas, None, "idea01", "idea02")
    check_voting_change((ideas, None), merged, "tom")
    stuffed = ([{**merged[0][0], "votes": ["Maya"]}], None)
    with pytest.raises(VotingError, match="only by a merge"):
        check_voting_change((ideas, None), stuffed, "tom")


def test_ideas_collected_privately_then_revealed_for_the_vote() -> None:
    round_ = start_round(private_ideas=True)
    ideas = add_idea([], "Pill Pals", "Ada", privately=True)
    ideas = add_idea(ideas, "pill pals", "Bo", privately=True)  # Ada's is not Bo's to see
    with pytest.raises(VotingError, match="on the list already"):
        add_idea(ideas, "Pill  Pals", "ada", privately=True)  # but Ada's own is
    assert [i["proposed_by"] for i in visible_ideas(ideas, round_, "bo")] == ["Bo"]
    assert visible_ideas(ideas, round_, None) == []
    with pytest.raises(VotingError, match="not open"):
        cast(round_, "Ada", ideas[0]["id"], 1, ideas)
    opened = reveal_ideas(round_)
    assert visible_ideas(ideas, opened, "bo") == ideas
    check_voting_change((ideas, round_), (ideas, opened), "tom")  # anyone may reveal, for now
    with pytest.raises(VotingError, match="cannot be opened again"):
        check_voting_change((ideas, opened), (ideas, round_), "tom")
    with pytest.raises(VotingError, match="only by a merge"):
        check_voting_change(
            (ideas, round_), merge(ideas, round_, ideas[0]["id"], ideas[1]["id"]), "tom"
        )
