"""The charter page (step 3): typing saves, others' edits show, bad input is refused in place."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pytest
from widget_tree import control, editor, open_rows, walk

from sigworkbook.live.session import Session
from sigworkbook.plan import catalogues
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.charter import QUESTION_PROMPTS, LifecycleChoice, build
from sigworkbook.workspace import Workspace

SIG = "home-safely"


@pytest.fixture
def session(ws: Workspace) -> Session:
    return Session(ws, SIG, author="Ada")


@pytest.fixture
def form(session: Session) -> widgets.Widget:
    return build(Page(STEP_BY_KEY["charter"], session))


def test_typing_an_answer_saves_it_with_its_author(ws: Workspace, form: widgets.Widget) -> None:
    before = ws.load(SIG).revision
    control(form, "charter.purpose").input.value = "Get older people home safely."
    stored = ws.load(SIG)
    assert stored.plan.charter.purpose == "Get older people home safely."
    assert stored.revision == before + 1
    assert ws.history(SIG, path="charter.purpose")[0].author == "Ada"


def test_every_section_of_the_charter_is_on_the_page(form: widgets.Widget) -> None:
    paths = {w.path for w in walk(form) if isinstance(w, FieldControl)}
    for name in (
        "purpose", "approach", "people", "evidence", "scope", "out_of_scope",
        "member_benefits", "membership.who_may_join", "membership.openness",
        "membership.commitment", "values", "rhythm", "channels", "learning_sharing",
        "resources", "lifecycle_stage", "review_date",
    ):  # fmt: skip
        assert f"charter.{name}" in paths, name


def test_each_question_has_its_prompts_beside_it(form: widgets.Widget) -> None:
    for path, prompts in QUESTION_PROMPTS.items():
        assert 2 <= len(prompts) <= 3
        grid = next(w for w in walk(form) if isinstance(w, widgets.GridBox) and path in _paths(w))
        shown = " ".join(c.value for c in grid.children if isinstance(c, widgets.HTML))
        for prompt in prompts:
            assert prompt.replace("'", "&#x27;") in shown


def _paths(widget: widgets.Widget) -> set[str]:
    return {w.path for w in walk(widget) if isinstance(w, FieldControl)}


def test_an_edit_by_someone_else_shows_after_refresh(
    ws: Workspace, session: Session, form: widgets.Widget
) -> None:
    other = Session(ws, SIG, author="Bo")
    other.save("charter.scope", "Only discharges from community hospitals.")
    other.save("charter.membership.openness", "closed")
    assert session.refresh()
    assert control(form, "charter.scope").input.value == "Only discharges from community hospitals."
    assert control(form, "charter.membership.openness").input.value == "closed"


def test_too_long_an_answer_is_refused_next_to_the_field(
    ws: Workspace, form: widgets.Widget
) -> None:
    before = ws.load(SIG)
    purpose = control(form, "charter.purpose")
    purpose.input.value = "x" * 3001
    after = ws.load(SIG)
    assert after.revision == before.revision
    assert after.plan.charter.purpose == before.plan.charter.purpose
    assert "What are we trying to do?" in purpose.problem.value
    assert "3000" in purpose.problem.value
    assert "swb-count--over" in purpose.notes.value
    purpose.input.value = "Short again."
    assert purpose.problem.value == ""
    assert ws.load(SIG).plan.charter.purpose == "Short again."


def test_the_chosen_lifecycle_stage_is_described(ws: Workspace, form: widgets.Widget) -> None:
    choice = next(w for w in walk(form) if isinstance(w, LifecycleChoice))
    stages = catalogues.active()["lifecycle_stages"]
    assert stages["coalescing"].description.split(",")[0] in choice.description.value
    choice.control.input.value = "maturing"
    assert ws.load(SIG).plan.charter.lifecycle_stage == "maturing"
    assert stages["maturing"].description.split(",")[0] in choice.description.value
    assert stages["coalescing"].description.split(",")[0] not in choice.description.value


def test_measures_can_be_added_filled_in_and_removed(ws: Workspace, form: widgets.Widget) -> None:
    measures = editor(form, "charter.measures")
    count = len(ws.load(SIG).plan.charter.measures)
    assert measures.add()
    assert len(ws.load(SIG).plan.charter.measures) == count + 1
    control(form, f"charter.measures.{count}.indicator").input.value = "New members a month"
    control(form, f"charter.measures.{count}.value_kind").input.value = "immediate"
    added = ws.load(SIG).plan.charter.measures[count]
    assert (added.indicator, added.value_kind) == ("New members a month", "immediate")
    assert measures.remove(added.id)
    assert [m.id for m in ws.load(SIG).plan.charter.measures].count(added.id) == 0


def test_the_kinds_of_value_are_explained(form: widgets.Widget) -> None:
    text = " ".join(w.value for w in walk(form) if isinstance(w, widgets.HTML))
    for entry in catalogues.active()["value_kinds"].values():
        assert entry.label in text


def test_a_risk_gets_its_mitigation_and_a_review_date_is_set(
    ws: Workspace, form: widgets.Widget
) -> None:
    open_rows(form)
    control(form, "charter.risks.0.mitigation").input.value = "Record every huddle."
    control(form, "charter.review_date").input.value = dt.date(2028, 1, 31)
    charter = ws.load(SIG).plan.charter
    assert charter.risks[0].mitigation == "Record every huddle."
    assert charter.review_date == dt.date(2028, 1, 31)


def test_user_text_never_becomes_markup(ws: Workspace, session: Session) -> None:
    session.save("charter.measures.0.indicator", "<img src=x onerror=alert(1)>")
    form = build(Page(STEP_BY_KEY["charter"], session))
    html_text = " ".join(w.value for w in walk(form) if isinstance(w, widgets.HTML))
    assert "<img" not in html_text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text
