"""A visitor who speaks the widget protocol to the real workbook pages (issue 18, items 1 and 2):
dates out of the model's range and choices outside their lists are refused in the kernel with
the field's message and nothing stored; hosted, a vote sent for someone else is the voter's."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from widget_protocol import Message, WidgetClient

from e2e.e2e_harness import Server, start_server, stop_server
from e2e.workbook_pages import new_sig, plan_value, run_cli
from sigworkbook.hosting.identity import User
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.plan.voting import start_round
from sigworkbook.workspace import VOTING_ROUND, Workspace

pytestmark = pytest.mark.e2e

WAIT_S = 30.0


def _page(server: Server, step: str, **query: str) -> WidgetClient:
    return WidgetClient.open(
        server.base_url, f"voila/render/{STEP_BY_KEY[step].notebook}", token=server.token, **query
    )


def _says(text: str) -> object:
    def found(message: Message) -> bool:
        return message.msg_type == "comm_msg" and text in json.dumps(message.content)

    return found


def _moment(year: int, with_time: bool) -> dict[str, int]:
    """A date as the widgets send it (months counted from 0, as JavaScript does)."""
    moment = {"year": year, "month": 11, "date": 31}
    if with_time:
        moment |= {"hours": 23, "minutes": 30, "seconds": 0, "milliseconds": 0}
    return moment


def _send_far_dates_and_unknown_choices(client: WidgetClient) -> int:
    """Send 1899 and 9999 to every date box of the page, and a choice that does not exist to
    every drop-down; each date must be refused next to its field. The date boxes tried."""
    states = client.states()
    pickers = client.find(states, _model_name="NaiveDatetimePickerModel") + client.find(
        states, _model_name="DatePickerModel"
    )
    for model_id in pickers:
        with_time = states[model_id]["_model_name"] == "NaiveDatetimePickerModel"
        for year in (1899, 9999):
            client.update(model_id, {"value": _moment(year, with_time)})
            client.wait_for(_says(f"the year {year} cannot be right"), WAIT_S)
    for model_id in client.find(states, _model_name="DropdownModel"):
        client.update(model_id, {"index": 10_000})
    return len(pickers)


def _revision(server: Server, sig: str) -> int:
    with Workspace.open(server.workspace) as workspace:
        return workspace.revision(sig)


def test_far_dates_and_unknown_choices_sent_as_widget_messages_are_refused(
    workbook_server: Server, tmp_path: Path
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Probed Dates")
    with Workspace.open(server.workspace) as workspace:
        workspace.update(
            sig,
            "schedule.activities",
            lambda _: [{"title": "Huddle", "start": "2027-01-05T18:00:00", "owner": "Kim"}],
        )
        workspace.set(sig, "charter.review_date", "2027-06-30")
    before = _revision(server, sig)
    tried = 0
    for step in ("schedule", "charter", "promotion", "start"):
        client = _page(server, step, sig=sig, who="Probe")
        try:
            client.on_screen()  # as a browser does: the dates below the fold are then built
            for edit in client.find(_model_name="ButtonModel", description="Edit"):
                client.click(edit)  # open every row, as a person would
                client.wait_for(_says("swb-open"), WAIT_S)
            tried += _send_far_dates_and_unknown_choices(client)
            client.states()  # the kernel still answers
        finally:
            client.shut_down()
    assert tried >= 3, "the activity's start, the charter's review date, the meeting date"
    assert _revision(server, sig) == before  # nothing of it reached the plan
    assert plan_value(server.workspace, sig, "schedule.activities.0.start") == (
        "2027-01-05T18:00:00"
    )
    assert plan_value(server.workspace, sig, "charter.review_date") == "2027-06-30"
    run_cli(server.workspace, "export", sig, "--all", "-o", str(tmp_path / "out"))  # every one
    assert len(list((tmp_path / "out").iterdir())) >= 10


@pytest.fixture(scope="module")
def toms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """Tom's server (hosted): an editor of alice's SIG, whose core group has Maya and Sam."""
    tmp = tmp_path_factory.mktemp("hosted-votes")
    workspace = tmp / "workspace"
    run_cli(workspace, "init")
    with Workspace.open(workspace, user=User("alice")) as alice:
        sig = alice.new_sig("Frailty Friends").plan.id
        alice.set_member(sig, "tom", "editor")
        alice.set(sig, "core_group.people", [{"name": "Maya Okafor"}, {"name": "Sam Jones"}])
        idea = {"id": "idea01", "name": "Frail Friends", "proposed_by": "alice", "votes": []}
        alice.update_votes(sig, lambda _ideas, _round: ([idea], start_round()))
    running = start_server(tmp, notebooks=None, env={"JUPYTERHUB_USER": "tom"})
    yield running, sig
    stop_server(running)


def test_hosted_a_vote_sent_for_someone_else_is_the_logged_in_voters(
    toms_server: tuple[Server, str],
) -> None:
    server, sig = toms_server
    client = _page(server, "name", sig=sig, who="Maya Okafor")
    try:
        states = client.states()
        [voting_as] = client.find(states, _model_name="DropdownModel", description="Voting as")
        options = list(states[voting_as]["_options_labels"])
        if "Sam Jones" in options:  # the hidden drop-down, set as a forged message would
            client.update(voting_as, {"index": options.index("Sam Jones")})
        settings = ("Anonymous", "Shared screen", "Ideas privately", "Let people roam")
        [tick] = [
            model_id
            for model_id in client.find(states, _model_name="CheckboxModel")
            if not str(states[model_id].get("description", "")).startswith(settings)
        ]
        client.update(tick, {"value": True})  # a dot for the idea
        ballots = _wait_for_ballots(server, sig)
    finally:
        client.shut_down()
    assert [(b["voter"], b["dots"]) for b in ballots] == [("tom", {"idea01": 1})]


def _wait_for_ballots(server: Server, sig: str) -> list[dict[str, object]]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        ballots = list(plan_value(server.workspace, sig, VOTING_ROUND)["ballots"])
        if ballots:
            return ballots
        time.sleep(0.2)
    raise AssertionError(f"no ballot was saved in {WAIT_S} s")
