"""Restoring a whole earlier version brings back the group's text and lists, and never undoes
what people did since: their ideas and votes, ballots, agreement answers and the meeting's
timers (on both store backends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_backends import BACKENDS, make_backend

from sigworkbook.plan import agreement, voting
from sigworkbook.plan.agreement import AGREEMENT
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.paths import get_path
from sigworkbook.restoring import KEPT_CURRENT
from sigworkbook.workspace import NAME_IDEAS, VOTING_ROUND, Workspace


@pytest.fixture(params=BACKENDS)
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    backend = make_backend(request, request.param, tmp_path)
    with Workspace(tmp_path, backend.open()) as opened:
        yield opened


def _votes_since(ws: Workspace, sig_id: str) -> dict[str, Any]:
    """Ideas, a round with Ruth's and Dev's dots, an agreement check they answered and a
    timer: what people did after the version that is restored; the plan as it is then."""
    plan = ws.load(sig_id).plan.model_dump(mode="json")
    ideas = [
        {"id": "idea01", "name": "Safe at Home", "proposed_by": "Ruth", "votes": []},
        {"id": "idea02", "name": "Home Safely", "proposed_by": "Dev", "votes": []},
    ]
    round_ = voting.start_round()
    for voter, idea in (("Ruth", "idea01"), ("Dev", "idea02")):
        round_ = voting.cast(round_, voter, idea, 1, ideas)
    check = agreement.start(plan, "scope")
    for voter, level in (("Ruth", 2), ("Dev", 5)):
        check = agreement.answer(check, voter, level)
    ws.set_many(
        sig_id,
        [
            (NAME_IDEAS, ideas),
            (VOTING_ROUND, round_),
            (f"{AGREEMENT}.scope", check),
            ("meeting.timers", {"charter": {"spent_seconds": 300.0}}),
        ],
        author="Ruth",
    )
    return ws.load(sig_id).plan.model_dump(mode="json")


def test_restoring_a_version_keeps_the_votes_answers_and_timers_cast_since(
    ws: Workspace,
) -> None:
    sig_id = ws.new_sig("Frailty Friends").plan.id
    old = ws.set(sig_id, "charter.purpose", "The old purpose").revision
    ws.set(sig_id, "charter.purpose", "The new purpose")
    ws.set(sig_id, "identity.theme", "Frailty")
    since = _votes_since(ws, sig_id)

    restored = ws.restore(sig_id, old, author="Ana").plan.model_dump(mode="json")

    assert restored["charter"]["purpose"] == "The old purpose"
    assert restored["identity"]["theme"] == ""
    for path in KEPT_CURRENT:
        assert get_path(restored, path, None) == get_path(since, path, None), path
    assert [b["voter"] for b in restored["identity"]["voting_round"]["ballots"]] == ["Ruth", "Dev"]
    assert ws.history(sig_id)[0].note == f"restored revision {old}"


def test_restoring_a_version_from_before_any_vote_keeps_the_round(ws: Workspace) -> None:
    sig_id = ws.new_sig("Frailty Friends").plan.id
    since = _votes_since(ws, sig_id)
    restored = ws.restore(sig_id, 1).plan.model_dump(mode="json")
    assert restored["identity"]["voting_round"] == since["identity"]["voting_round"]
    assert restored["charter"]["agreement"] == since["charter"]["agreement"]


def test_what_a_restore_keeps_are_fields_of_the_plan() -> None:
    for path in KEPT_CURRENT:
        field_spec(path)  # PathError if the model has no such field
