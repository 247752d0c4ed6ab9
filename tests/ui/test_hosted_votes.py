"""Hosted, every vote and idea is the logged-in voter's own: "Voting as" is not offered, and
nothing the page sends (a forged drop-down value, a whole new list of ideas) votes for anyone
else (issue 18, item 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_backends import BACKENDS, TOM, hosted_sig
from widget_tree import find

from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.plan.voting import VotingError, check_own_ballot
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.name import NameIdeas, build
from sigworkbook.workspace import NAME_IDEAS, Workspace, WorkspaceError


@pytest.fixture(params=BACKENDS)
def sig(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, str]:
    """A SIG of alice's with tom as an editor and Maya Okafor in its core group."""

    def prepare(alice: Workspace, sig_id: str) -> None:
        alice.set(sig_id, "core_group.people", [{"name": "Maya Okafor"}, {"name": "Sam Jones"}])
        alice.update(sig_id, NAME_IDEAS, lambda _: [_idea("idea01", "Frail Friends", "alice")])

    return hosted_sig(request, request.param, tmp_path, prepare)


def _idea(idea_id: str, name: str, by: str, votes: list[str] | None = None) -> dict[str, Any]:
    return {"id": idea_id, "name": name, "proposed_by": by, "votes": votes or []}


def _ideas_page(workspace: Workspace, sig_id: str, author: str | None) -> NameIdeas:
    form = build(Page(STEP_BY_KEY["name"], Session(workspace, sig_id, author=author)))
    return find(form, NameIdeas)  # type: ignore[no-any-return]


def test_hosted_voting_as_is_not_offered_and_a_forged_choice_votes_as_the_login(
    sig: tuple[Any, str], tmp_path: Path
) -> None:
    backend, sig_id = sig
    with Workspace(tmp_path, backend.open(), user=TOM) as tom:
        ideas = _ideas_page(tom, sig_id, author="Maya Okafor")  # a ?who= of someone else
        assert ideas.vote_as.layout.display == "none"
        assert "You vote as <strong>tom</strong>" in ideas.notice.value
        ideas.shared_screen.value = True  # not offered when hosted: ignored
        assert ideas.start()
        assert ideas.vote_as.layout.display == "none"
        ideas.vote_as.value = "Sam Jones"  # what a forged widget message sets
        assert ideas.vote("idea01", True)
        ideas.idea_input.value = "Home Safely"
        assert ideas.add()
        stored = tom.load(sig_id).plan.identity
    assert "0 of 2 have voted; waiting for: alice, tom" in ideas.round_status.value  # hub names
    assert stored.voting_round is not None and not stored.voting_round.shared_screen
    assert [(b.voter, b.dots) for b in stored.voting_round.ballots] == [("tom", {"idea01": 1})]
    assert stored.name_ideas[1].proposed_by == "tom"


def test_the_workspace_refuses_ballots_for_others_when_hosted(
    sig: tuple[Any, str], tmp_path: Path
) -> None:
    backend, sig_id = sig
    with Workspace(tmp_path, backend.open(), user=TOM) as tom:
        before = tom.revision(sig_id)
        stuffed = [_idea("idea01", "Frail Friends", "alice", ["Maya Okafor", "Sam Jones"])]
        with pytest.raises(VotingError, match="only your own vote"):
            tom.update(sig_id, NAME_IDEAS, lambda _: stuffed)
        as_maya = [_idea("idea01", "Frail Friends", "alice"), _idea("idea02", "X", "Maya")]
        with pytest.raises(VotingError, match="proposed by you"):
            tom.update(sig_id, NAME_IDEAS, lambda _: as_maya)
        with pytest.raises(WorkspaceError, match="with the page's buttons"):
            tom.set(sig_id, f"{NAME_IDEAS}.0.votes", ["Maya Okafor"])
        assert tom.revision(sig_id) == before


def test_hosted_every_way_to_the_ideas_goes_through_one_guard(
    sig: tuple[Any, str], tmp_path: Path
) -> None:
    """An idea removed other than by a merge, a part of the list or the section holding it
    written whole: each refused, whichever method the page calls (`Workspace._check_own`)."""
    backend, sig_id = sig
    with Workspace(tmp_path, backend.open(), user=TOM) as tom:
        before = tom.revision(sig_id)
        with pytest.raises(VotingError, match="only by a merge"):
            tom.update(sig_id, NAME_IDEAS, lambda _: [])
        with pytest.raises(WorkspaceError, match="with the page's buttons"):
            tom.update(sig_id, f"{NAME_IDEAS}.0.votes", lambda _: ["Maya Okafor"])
        with pytest.raises(WorkspaceError, match="with the page's buttons"):
            tom.update(sig_id, "identity", lambda identity: {**identity, "name_ideas": []})
        assert tom.revision(sig_id) == before


def test_locally_a_shared_screen_round_votes_as_the_chosen_person(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as local:
        sig_id = local.new_sig("Frailty Friends").plan.id
        local.set(sig_id, "core_group.people", [{"name": "Maya Okafor"}])
        local.update(sig_id, NAME_IDEAS, lambda _: [_idea("idea01", "Frail Friends", "Ada")])
        ideas = _ideas_page(local, sig_id, author="Ada")
        ideas.shared_screen.value = True
        assert ideas.start()
        assert ideas.vote_as.layout.display != "none"
        ideas.vote_as.value = "Maya Okafor"
        assert ideas.vote("idea01", True)
        voting_round = local.load(sig_id).plan.identity.voting_round
        assert voting_round is not None
        assert [(b.voter, b.dots) for b in voting_round.ballots] == [("Maya Okafor", {"idea01": 1})]


_people = st.sampled_from(["tom", "Maya", "Sam", "alice"])


@given(
    before=st.lists(st.sets(_people), min_size=1, max_size=3),
    after=st.lists(st.sets(_people), min_size=1, max_size=3),
)
def test_a_ballot_is_accepted_exactly_when_only_the_voters_own_votes_changed(
    before: list[set[str]], after: list[set[str]]
) -> None:
    old = [_idea(f"idea{n:02}", f"Idea {n}", "alice", sorted(v)) for n, v in enumerate(before)]
    new = [_idea(f"idea{n:02}", f"Idea {n}", "alice", sorted(v)) for n, v in enumerate(after)]
    added = new[len(old) :]
    own = all((a ^ b) <= {"tom"} for a, b in zip(before, after, strict=False)) and not added
    if own:
        check_own_ballot(old, new, "tom")
    else:
        with pytest.raises(VotingError):
            check_own_ballot(old, new, "tom")
