"""What the command line's exports hold of a vote or an agreement check: nothing of an open one
(hidden until revealed means every export), revealed rounds as the charter shows them, and an
anonymous round's voters never named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_SIG, RunCli
from sigworkbook.plan import agreement, voting
from sigworkbook.plan.agreement import AGREEMENT
from sigworkbook.workspace import NAME_IDEAS, VOTING_ROUND, Workspace

VOTERS = ("Ruthanne Okafor", "Devraj Patel")


def _vote(workspace_dir: Path, *, anonymous: bool = False, reveal: bool = False) -> None:
    """Two ideas, a round with both VOTERS' dots (revealed or not) and an open agreement
    check with both their answers, on the demo SIG."""
    with Workspace.open(workspace_dir) as ws:
        plan = ws.load(DEMO_SIG).plan.model_dump(mode="json")
        ideas = [
            {"id": "idea01", "name": "Safe at Home", "proposed_by": "", "votes": []},
            {"id": "idea02", "name": "Home Safely", "proposed_by": "", "votes": []},
        ]
        round_ = voting.start_round(anonymous=anonymous)
        for voter, idea in zip(VOTERS, ("idea01", "idea02"), strict=True):
            round_ = voting.cast(round_, voter, idea, 1, ideas)
        if reveal:
            round_ = voting.reveal(round_)
        check = agreement.start(plan, "scope")
        for voter, level in zip(VOTERS, (1, 4), strict=True):
            check = agreement.answer(check, voter, level)
        ws.set_many(
            DEMO_SIG,
            [(NAME_IDEAS, ideas), (VOTING_ROUND, round_), (f"{AGREEMENT}.scope", check)],
        )


def _exported(cli_ws: RunCli, *args: str) -> dict[str, Any]:
    done = cli_ws(*args)
    assert done.code == 0, done
    document: dict[str, Any] = json.loads(done.out)
    return document


def test_an_open_round_and_an_open_check_are_in_no_export(cli_ws: RunCli, tmp_path: Path) -> None:
    assert cli_ws("init", "--demo").code == 0
    _vote(tmp_path / "workspace")
    for args in (("export", DEMO_SIG, "--format", "json"), ("show", DEMO_SIG, "--json")):
        plan = _exported(cli_ws, *args)
        assert plan["identity"]["voting_round"]["status"] == "open"
        assert plan["identity"]["voting_round"]["ballots"] == [], args
        assert plan["charter"]["agreement"]["scope"]["answers"] == [], args
        assert not any(voter in json.dumps(plan) for voter in VOTERS), args
    folder = tmp_path / "all"
    assert cli_ws("export", DEMO_SIG, "--all", "-o", folder).code == 0
    for path in folder.iterdir():
        assert not any(voter.encode() in path.read_bytes() for voter in VOTERS), path.name


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_revealed_round_is_exported_with_its_voters_unless_anonymous(
    cli_ws: RunCli, tmp_path: Path, anonymous: bool
) -> None:
    assert cli_ws("init", "--demo").code == 0
    _vote(tmp_path / "workspace", anonymous=anonymous, reveal=True)
    plan = _exported(cli_ws, "export", DEMO_SIG)
    ballots = plan["identity"]["voting_round"]["ballots"]
    assert [b["dots"] for b in ballots] == [{"idea01": 1}, {"idea02": 1}], "the counts stay"
    if not anonymous:
        assert [b["voter"] for b in ballots] == list(VOTERS)
        return
    assert [b["voter"] for b in ballots] == ["Voter 1", "Voter 2"]
    assert not any(voter in json.dumps(plan) for voter in VOTERS)
