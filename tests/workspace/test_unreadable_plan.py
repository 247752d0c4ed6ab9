"""Dates the model refuses, whatever sends them, and a stored plan that breaks the model's rules:
named by field, repaired in one step, and harmless to every other SIG (issue 18, item 1)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from store_backends import BACKENDS, Backend, make_backend
from widget_tree import open_rows, walk

from sigworkbook.demo import add_demo
from sigworkbook.exports import FORMATS, render
from sigworkbook.live.session import Session
from sigworkbook.network_team import summarise
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.fieldtypes import MAX_YEAR, MIN_YEAR, skipped_local_time
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS
from sigworkbook.plan.validation import PlanError, validate_plan
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.network import summaries_html
from sigworkbook.ui.repair import RepairNotice
from sigworkbook.workspace import UnreadablePlan, Workspace

DEMO = "home-safely"
START = "schedule.activities.1.start"
REVIEW = "charter.review_date"


def _accept_anything(document: dict[str, Any]) -> dict[str, Any]:
    """What the store's writers did before the model knew the range: no check at all."""
    return document


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return make_backend(request, request.param, tmp_path)


@pytest.fixture
def demo_ws(backend: Backend, tmp_path: Path) -> Iterator[Workspace]:
    """The demo SIG and a second, healthy SIG, on each store backend."""
    with Workspace(tmp_path, backend.open()) as workspace:
        add_demo(workspace)
        workspace.new_sig("Second Group")
        yield workspace


def _damage(workspace: Workspace) -> None:
    """Store what the page once let through: a start in the year 9999 and a review in 1899."""
    workspace.store.apply(
        DEMO,
        [(START, "9999-12-31T23:30:00"), (REVIEW, "1899-01-01")],
        author="probe",
        validate=_accept_anything,
    )


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1, 9999])
def test_every_date_field_of_the_model_refuses_a_year_out_of_range(
    demo_ws: Workspace, year: int
) -> None:
    plan = demo_ws.load(DEMO).plan.model_dump(mode="json")
    paths = [
        "meeting.date",
        "charter.review_date",
        "charter.measures.0.review_date",
        "schedule.activities.0.start",
        "schedule.activities.0.recurrence.until",
        "promotion.actions.0.date",
    ]
    assert plan["charter"]["measures"] and plan["promotion"]["actions"]
    before = demo_ws.revision(DEMO)
    for path in paths:
        spec = field_spec(path)
        assert spec.years == (MIN_YEAR, MAX_YEAR), path
        value = f"{year}-06-01T10:00:00" if spec.kind == "datetime" else f"{year}-06-01"
        with pytest.raises(PlanError) as refused:
            demo_ws.set(DEMO, path, value)
        assert f"{spec.label}: the year {year} cannot be right" in str(refused.value)
        assert f"between {MIN_YEAR} and {MAX_YEAR}" in str(refused.value)
    assert demo_ws.revision(DEMO) == before


def test_the_range_ends_are_accepted(demo_ws: Workspace) -> None:
    demo_ws.set(DEMO, "meeting.date", f"{MIN_YEAR}-01-01")
    demo_ws.set(DEMO, START, f"{MAX_YEAR}-12-31T23:30:00")
    plan = demo_ws.load(DEMO).plan
    assert plan.meeting.date == dt.date(MIN_YEAR, 1, 1)
    assert plan.schedule.activities[1].start == dt.datetime(MAX_YEAR, 12, 31, 23, 30)


def test_a_far_date_in_a_zone_with_summer_time_is_a_field_error_not_an_overflow() -> None:
    far = dt.datetime(9999, 12, 31, 23, 30)
    with pytest.raises(ValueError, match="the year 9999 cannot be right"):
        skipped_local_time(far, "America/New_York")
    activity = {"title": "Huddle", "start": far.isoformat(), "timezone": "America/New_York"}
    with pytest.raises(PlanError) as refused:
        validate_plan({"id": "probe", "schedule": {"activities": [activity]}})
    assert str(refused.value) == (
        "Activity 1, “Huddle”: Starts: the year 9999 cannot be right: use a year between "
        f"{MIN_YEAR} and {MAX_YEAR}"
    )


def _step_forms(workspace: Workspace) -> Iterator[tuple[str, widgets.Widget]]:
    for step in STEPS:
        module = importlib.import_module(f"sigworkbook.ui.pages.{step.key}")
        page = Page(STEP_BY_KEY[step.key], Session(workspace, DEMO, author="Ada"))
        form = module.build(page)
        open_rows(form)
        yield step.key, form


def test_every_date_control_of_every_page_refuses_what_a_forged_widget_message_sets(
    tmp_path: Path,
) -> None:
    """A widget message sets the picker's value as this does: the kernel refuses it, nothing
    is stored, and the field says why (the page's script is not the gate)."""
    with Workspace.open(tmp_path / "ws", create=True) as workspace:
        add_demo(workspace)
        tried = set()
        for key, form in _step_forms(workspace):
            for field in [w for w in walk(form) if isinstance(w, FieldControl)]:
                if field.spec.kind not in ("date", "datetime"):
                    continue
                assert f"swb-years-{MIN_YEAR}-{MAX_YEAR}" in field.input._dom_classes
                for year in (MIN_YEAR - 1, 9999):
                    before = workspace.revision(DEMO)
                    moment = dt.datetime(year, 12, 31, 23, 30)
                    field.input.value = moment if field.spec.kind == "datetime" else moment.date()
                    assert workspace.revision(DEMO) == before, (key, field.path)
                    assert f"the year {year} cannot be right" in field.problem.value
                tried.add(field.spec.path.split(".")[0] + "." + field.spec.path.split(".")[-1])
        # Every kind of date the pages offer was tried.
        assert {"schedule.start", "schedule.until", "charter.review_date"} <= tried, tried
        assert {"promotion.date", "meeting.date"} <= tried, tried


def test_an_unreadable_plan_names_its_fields_and_breaks_no_other_sig(demo_ws: Workspace) -> None:
    _damage(demo_ws)
    with pytest.raises(UnreadablePlan) as unreadable:
        demo_ws.load(DEMO)
    message = str(unreadable.value)
    assert "Starts: the year 9999 cannot be right" in message
    assert "Charter review date: the year 1899 cannot be right" in message
    assert f"sigworkbook repair {DEMO}" in message
    assert "\n" not in message
    other = "second-group"
    assert demo_ws.load(other).plan.identity.name == "Second Group"
    assert demo_ws.title(DEMO) == "Home Safely"
    for name in FORMATS:
        assert render(name, demo_ws.load(other).plan, revision=1)
    summaries = {s.sig_id: s for s in summarise(demo_ws)}
    assert summaries[other].needs_repair == ""
    assert "Starts: the year 9999" in summaries[DEMO].needs_repair
    assert summaries[DEMO].name == "Home Safely"
    table = summaries_html(list(summaries.values()))
    assert "needs repair" in table and "Second Group" in table


def test_repair_puts_back_the_last_good_values_as_a_new_revision(demo_ws: Workspace) -> None:
    good = demo_ws.load(DEMO).plan
    _damage(demo_ws)
    damaged_at = demo_ws.revision(DEMO)
    repaired = demo_ws.repair(DEMO, author="Ada")
    assert repaired.changed and repaired.revision == damaged_at + 2
    assert repaired.plan.schedule.activities[1].start == good.schedule.activities[1].start
    assert repaired.plan.charter.review_date == good.charter.review_date
    history = demo_ws.history(DEMO, limit=2)
    assert {c.path for c in history} == {START, REVIEW}
    assert all(c.kind == "restore" and c.author == "Ada" for c in history)
    for name in FORMATS:  # every document renders again
        assert render(name, repaired.plan, revision=repaired.revision)
    assert not demo_ws.repair(DEMO).changed  # nothing left to repair


def test_repair_of_a_field_with_no_good_earlier_value_empties_it(demo_ws: Workspace) -> None:
    other = "second-group"
    demo_ws.store.apply(
        other, [("meeting.date", "0999-01-01")], author=None, validate=_accept_anything
    )
    assert demo_ws.repair(other).plan.meeting.date is None


def test_the_command_line_says_one_line_and_repairs(
    demo_ws: Workspace, backend: Backend, run_cli: Any
) -> None:
    _damage(demo_ws)
    database = ["--workspace", demo_ws.root, "--database", backend.url]
    for verb in (["check", DEMO], ["export", DEMO, "--format", "markdown"], ["show", DEMO]):
        result = run_cli(*database, *verb)
        assert result.code == 2, result
        assert len(result.err_lines) == 1 and "Traceback" not in result.err
        assert "Starts: the year 9999 cannot be right" in result.err
    listed = run_cli(*database, "list")
    assert listed.code == 0 and f"needs repair: sigworkbook repair {DEMO}" in listed.out
    assert "second-group\tSecond Group" in listed.out
    repaired = run_cli(*database, "repair", DEMO)
    assert repaired.code == 0, repaired
    assert "Put back Charter review date" in repaired.out
    assert run_cli(*database, "check", DEMO).code == 0


def test_the_page_of_an_unreadable_plan_offers_the_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(tmp_path / "ws", create=True) as workspace:
        add_demo(workspace)
        _damage(workspace)
        with pytest.raises(UnreadablePlan) as unreadable:
            Session(workspace, DEMO, author="Ada")
        notice = RepairNotice(workspace, unreadable.value, STEP_BY_KEY["charter"], "Ada")
        assert "Starts: the year 9999 cannot be right" in notice.notice.value
        assert "Home Safely" in notice.notice.value
        notice.button.click()
        assert "Put back" in notice.result.value and "03-charter.ipynb" in notice.result.value
        assert workspace.load(DEMO).plan.charter.review_date is not None
        Session(workspace, DEMO, author="Ada")  # the page opens again
