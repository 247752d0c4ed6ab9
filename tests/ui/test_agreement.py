"""Quick agreement checks on the charter (issue 20): a fist of five per section, each answer
hidden from everyone else until they are revealed together, as counts, never names; kept with
the section as it was checked; the review page names the sections the group is not yet sure of."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_backends import BACKENDS, TOM, hosted_sig
from widget_tree import control, find, walk

from sigworkbook.live.session import Session
from sigworkbook.plan import agreement
from sigworkbook.plan.agreement import AGREEMENT, AgreementError
from sigworkbook.plan.model import AgreementCheck, Plan
from sigworkbook.plan.sections import CHARTER_SECTIONS
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.agreement import AgreementBox
from sigworkbook.ui.downloads import export_all
from sigworkbook.ui.history import HistoryPanel
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import charter, review
from sigworkbook.workspace import Workspace, WorkspaceError

SIG = "blank-group"
DOC: dict[str, Any] = {"charter": {"scope": "Frailty at home", "out_of_scope": ""}}


# --- the rules ------------------------------------------------------------------------------


def test_answers_are_counted_without_names_when_revealed() -> None:
    check = agreement.start(DOC, "scope")
    check = agreement.answer(check, "Ada", 4)
    check = agreement.answer(check, "Bo", 1)
    check = agreement.answer(check, "ada", 5)  # the same person changing their answer
    assert agreement.answered(check) == ["Bo", "Ada"]
    assert agreement.answer_of(check, "Ada") == 5 and agreement.answer_of(check, "Cy") is None
    assert agreement.progress_text(check, ["Ada", "Bo", "Cy"]) == (
        "2 of 3 have answered; waiting for: Cy"
    )
    shown = agreement.reveal(check)
    AgreementCheck.model_validate(shown)
    assert shown["answers"] == [] and shown["tally"] == [0, 1, 0, 0, 0, 1]
    assert "Ada" not in json.dumps(shown) and "Bo" not in json.dumps(shown)
    assert agreement.unsure(shown)
    assert agreement.result_text(shown) == (
        "2 answers: 5, 1; not everyone is sure yet (the lowest is 1)"
    )
    assert agreement.result_text(agreement.reveal(agreement.answer(check, "Bo", 3))) == (
        "2 answers: 5, 3; ready to agree"
    )
    with pytest.raises(AgreementError, match="not open"):
        agreement.answer(shown, "Cy", 3)
    with pytest.raises(AgreementError, match="0 to 5"):
        agreement.answer(check, "Cy", 6)
    with pytest.raises(AgreementError, match="give your name"):
        agreement.answer(check, " ", 3)


def test_a_check_reveals_itself_when_everyone_waited_for_has_answered() -> None:
    check = agreement.answer(agreement.start(DOC, "scope"), "Ada", 4)
    assert agreement.is_open(agreement.maybe_reveal(check, ["Ada", "Bo"]))
    assert agreement.is_revealed(agreement.maybe_reveal(check, ["Ada"]))


def test_a_change_to_the_section_after_the_check_makes_it_stale() -> None:
    check = agreement.reveal(agreement.answer(agreement.start(DOC, "scope"), "Ada", 4))
    assert not agreement.stale(check, DOC, "scope")
    other = {"charter": {**DOC["charter"], "purpose": "changed elsewhere"}}
    assert not agreement.stale(check, other, "scope"), "another section's change is not this one"
    changed = {"charter": {**DOC["charter"], "out_of_scope": "Hospital care"}}
    assert agreement.stale(check, changed, "scope")


def test_the_model_keeps_one_answer_each_and_no_names_after_the_reveal() -> None:
    open_ = {"status": "open", "checked": "ab", "answers": [{"voter": "Ada", "level": 1}]}
    AgreementCheck.model_validate(open_)
    for bad in (
        {**open_, "answers": [{"voter": "Ada", "level": 1}, {"voter": "ada", "level": 2}]},
        {**open_, "answers": [{"voter": "Ada", "level": 6}]},
        {**open_, "status": "revealed"},  # names kept after the reveal
        {**open_, "tally": [1, 0, 0, 0, 0, 0]},  # counts while still hidden
    ):
        with pytest.raises(ValueError):
            AgreementCheck.model_validate(bad)
    with pytest.raises(ValueError, match="not a section of the charter"):
        Plan.model_validate({"id": "x", "charter": {"agreement": {"preamble": open_}}})


_voters = st.sampled_from(["Ada", "ada ", "Bo", "Cy", "Dev"])
_steps = st.lists(st.tuples(_voters, st.one_of(st.none(), st.integers(-1, 7))), max_size=25)


@given(_steps)
def test_no_sequence_of_answers_gives_anyone_two_or_a_level_outside_the_fist(
    steps: list[tuple[str, int | None]],
) -> None:
    check = agreement.start(DOC, "scope")
    latest: dict[str, int | None] = {}
    for voter, level in steps:
        try:
            check = agreement.answer(check, voter, level)
        except AgreementError:
            assert level is not None and level not in range(6)
            continue
        latest[voter.strip().lower()] = level
        AgreementCheck.model_validate(check)
    given_now = {k: v for k, v in latest.items() if v is not None}
    assert len(agreement.answered(check)) == len(given_now)
    shown = agreement.reveal(check)
    AgreementCheck.model_validate(shown)
    assert shown["tally"] == [list(given_now.values()).count(n) for n in range(6)]
    assert shown["answers"] == []


@given(
    before=st.dictionaries(_voters, st.integers(0, 5), max_size=4),
    after=st.dictionaries(_voters, st.integers(0, 5), max_size=4),
)
def test_a_change_is_accepted_exactly_when_only_the_voters_own_answer_changed(
    before: dict[str, int], after: dict[str, int]
) -> None:
    def checks(answers: dict[str, int]) -> dict[str, Any]:
        check = agreement.start(DOC, "scope", None)
        for voter, level in answers.items():
            check = agreement.answer(check, voter, level)
        return {"scope": {**check, "started_on": "2026-12-06"}}

    def norm(answers: dict[str, int]) -> dict[str, int]:
        return {k.strip().lower(): v for k, v in answers.items()}

    old, new = norm(before), norm(after)
    others_same = {k: v for k, v in old.items() if k != "bo"} == {
        k: v for k, v in new.items() if k != "bo"
    }
    if others_same:
        agreement.check_change(checks(before), checks(after), "Bo")
    else:
        with pytest.raises(AgreementError):
            agreement.check_change(checks(before), checks(after), "Bo")


def test_check_change_allows_a_start_and_a_true_reveal_only() -> None:
    started = {"scope": agreement.start(DOC, "scope")}
    agreement.check_change({}, started, "Bo")
    answered = {"scope": agreement.answer(started["scope"], "Ada", 2)}
    agreement.check_change(answered, {"scope": agreement.reveal(answered["scope"])}, "Bo")
    forged = {**agreement.reveal(answered["scope"]), "tally": [0, 0, 0, 0, 0, 1]}
    with pytest.raises(AgreementError, match="as it stands"):
        agreement.check_change(answered, {"scope": forged}, "Bo")
    with pytest.raises(AgreementError, match="cannot be deleted"):
        agreement.check_change(answered, {}, "Bo")
    with pytest.raises(AgreementError, match="no answers"):
        agreement.check_change({}, answered, "Bo")


# --- the charter and review pages -----------------------------------------------------------


def charter_page(ws: Workspace, author: str | None) -> widgets.Widget:
    return charter.build(Page(STEP_BY_KEY["charter"], Session(ws, SIG, author=author)))


def box(form: widgets.Widget, key: str) -> AgreementBox:
    return next(w for w in walk(form) if isinstance(w, AgreementBox) and w.key == key)


def states(root: widgets.Widget) -> str:
    """Everything the page's widgets would send to the browser."""
    return json.dumps([w.get_state() for w in walk(root)], default=str)


def test_every_section_of_the_charter_has_its_check(ws: Workspace) -> None:
    form = charter_page(ws, "Ada")
    keys = [w.key for w in walk(form) if isinstance(w, AgreementBox)]
    assert keys == list(CHARTER_SECTIONS)
    assert box(form, "purpose").start_button.description == "Check agreement"


def test_answers_stay_on_their_own_page_until_revealed_then_the_review_says_so(
    ws: Workspace,
) -> None:
    ws.set(SIG, "core_group.people", [{"name": "Ada Lovelace"}, {"name": "Bo Brummell"}])
    ada, bo = charter_page(ws, "Ada Lovelace"), charter_page(ws, "Bo Brummell")
    control(ada, "charter.scope").input.value = "Frailty at home"
    assert box(ada, "scope").start()
    assert box(ada, "scope").give(4)
    bo_box = box(bo, "scope")
    bo_box.session.refresh()
    assert bo_box.answer_buttons is not None and bo_box.answer_buttons.value is None
    assert "Ada Lovelace" not in states(bo_box)  # ("Changed by" on the scope field names her)
    assert '"level"' not in states(bo) and "You answered" not in states(bo)
    assert "1 of 2 have answered; waiting for: Bo Brummell" in bo_box.status.value
    assert "You answered 4: I agree" in box(ada, "scope").status.value
    downloads = export_all(bo_box.session).downloads
    plan = json.loads(next(f for f in downloads if f.file_name.endswith(".json")).data)
    assert plan["charter"]["agreement"]["scope"]["answers"] == [], "nobody's to download"

    bo_box.answer_buttons.value = 2  # as the browser sends a click: the last answer reveals
    checks = ws.load(SIG).plan.charter.agreement
    assert checks["scope"].status == "revealed" and checks["scope"].tally == [0, 0, 1, 0, 1, 0]
    assert "2 answers: 4, 2; not everyone is sure yet" in bo_box.status.value
    assert "Ada Lovelace" not in states(bo_box) and "Bo Brummell" not in states(bo_box)
    assert box(bo, "scope").start_button.description == "Check agreement again"

    page = review.build(Page(STEP_BY_KEY["review"], Session(ws, SIG, author="Cy")))
    note = find(page, review.AgreementNote)
    assert "Scope</strong>: 2 answers: 4, 2; not everyone is sure yet" in note.value
    control(ada, "charter.out_of_scope").input.value = "Hospital care"
    note.session.refresh()
    assert "Scope</strong>: changed since the group checked it" in note.value
    box(ada, "scope").session.refresh()
    assert "The section has changed since" in box(ada, "scope").status.value


def test_the_history_tells_of_a_check_without_anyones_answer(ws: Workspace) -> None:
    ws.set(SIG, "core_group.people", [{"name": "Ada Lovelace"}, {"name": "Bo Brummell"}])
    ada = charter_page(ws, "Ada Lovelace")
    assert box(ada, "purpose").start() and box(ada, "purpose").give(0)
    panel = HistoryPanel(box(ada, "purpose").session)
    panel.selected_index = 0
    lines = " ".join(w.value for w in walk(panel) if isinstance(w, widgets.HTML))
    assert "Changed Agreement checks: <q>What are we trying to do?: open, 1 answer</q>" in lines
    assert "Ada Lovelace</q>" not in lines
    with pytest.raises(WorkspaceError, match="with the page's buttons"):
        box(ada, "purpose").session.undo()


@pytest.fixture(params=BACKENDS)
def hosted(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, str]:
    """A SIG of alice's with tom as an editor, an agreement check on its scope open."""

    def prepare(alice: Workspace, sig_id: str) -> None:
        alice.update(sig_id, AGREEMENT, lambda _: {"scope": agreement.start({}, "scope")})

    return hosted_sig(request, request.param, tmp_path, prepare)


def test_hosted_the_kernel_refuses_an_answer_for_someone_else(
    hosted: tuple[Any, str], tmp_path: Path
) -> None:
    backend, sig_id = hosted
    with Workspace(tmp_path, backend.open(), user=TOM) as tom:
        before = tom.revision(sig_id)

        def as_alice(checks: Any) -> Any:
            return {"scope": agreement.answer(checks["scope"], "alice", 0)}

        with pytest.raises(AgreementError, match="only your own answer"):
            tom.update(sig_id, AGREEMENT, as_alice)
        with pytest.raises(WorkspaceError, match="with the page's buttons"):
            tom.set(sig_id, f"{AGREEMENT}.scope.answers", [{"voter": "alice", "level": 0}])
        with pytest.raises(WorkspaceError, match="with the page's buttons"):
            tom.set(sig_id, "charter", {"agreement": {}})
        assert tom.revision(sig_id) == before
        # A page sends only a level: the answer is the login's, whatever name the page has.
        form = charter.build(Page(STEP_BY_KEY["charter"], Session(tom, sig_id, author="alice")))
        assert box(form, "scope").give(5)
        check = tom.load(sig_id).plan.charter.agreement["scope"]
    assert [(a.voter, a.level) for a in check.answers] == [("tom", 5)]
