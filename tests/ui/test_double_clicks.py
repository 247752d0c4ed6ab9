"""Buttons that add or create are safe to double-click, Enter in an "add" box adds, and blank
rows count for nothing: not in the checks, not in the exports."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from sigworkbook import exports
from sigworkbook.live.session import Session
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import Plan
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import core, start
from sigworkbook.ui.tables import RowsEditor
from sigworkbook.workspace import Workspace

BLANK = "blank-group"


def people_editor(ws: Workspace) -> RowsEditor:
    form = core.build(Page(STEP_BY_KEY["core"], Session(ws, BLANK, author="Ada")))
    editor: RowsEditor = form.people
    return editor


def start_page(ws: Workspace) -> widgets.Widget:
    return start.build(Page(STEP_BY_KEY["start"], Session(ws, BLANK, author="Ada")))


def test_add_a_person_clicked_twice_adds_one_row(ws: Workspace) -> None:
    editor = people_editor(ws)
    editor.add_button.click()
    editor.add_button.click()  # the second click of a double-click
    assert len(ws.load(BLANK).plan.core_group.people) == 1
    assert len(editor.rows_box.children) == 1


def test_a_second_press_a_moment_later_adds_another_row(ws: Workspace) -> None:
    editor = people_editor(ws)
    editor.add_button.click()
    editor.add_button.presses.done_at -= 5  # as if five seconds had passed
    editor.add_button.click()
    assert len(ws.load(BLANK).plan.core_group.people) == 2


def test_create_the_sig_clicked_twice_creates_one_and_says_so_once(
    ws: Workspace,
) -> None:
    form = start_page(ws)
    before = set(ws.sig_ids())
    form.creator.name_input.value = "Frailty Friends"
    form.creator.create_button.click()
    form.creator.create_button.click()
    assert set(ws.sig_ids()) - before == {"frailty-friends"}
    assert "Created “Frailty Friends”" in form.creator.message.value
    assert "first" not in form.creator.message.value


def test_enter_in_the_new_sig_name_creates_it(ws: Workspace) -> None:
    form = start_page(ws)
    form.creator.name_input.value = "Pill Pals"
    form.creator.name_input._handle_custom_msg({"event": "submit"}, [])
    assert "pill-pals" in ws.sig_ids()


def test_two_blank_people_do_not_make_a_core_group() -> None:
    plan = Plan.model_validate({"id": "x", "core_group": {"people": [{}, {}]}})
    gaps = [g.message for g in check(plan)["core"].gaps]
    assert "a core group needs at least two people" in gaps
    named = Plan.model_validate(
        {"id": "x", "core_group": {"people": [{"name": "Ada"}, {}, {"name": "Bo"}]}}
    )
    assert "a core group needs at least two people" not in [
        g.message for g in check(named)["core"].gaps
    ]


def test_blank_rows_raise_no_gap_of_their_own_and_do_not_count() -> None:
    plan = Plan.model_validate(
        {
            "id": "x",
            "charter": {"measures": [{}], "risks": [{}]},
            "schedule": {"activities": [{"type": "online_meeting"}]},
        }
    )
    checks = check(plan)
    assert "no measure of success yet" in [g.message for g in checks["charter"].gaps]
    assert "no risk considered yet" in [g.message for g in checks["charter"].gaps]
    assert [g.message for g in checks["schedule"].gaps] == ["no activity planned yet"]


def test_blank_rows_are_not_exported() -> None:
    plan = Plan.model_validate(
        {
            "id": "x",
            "identity": {"name": "Frailty Friends"},
            "core_group": {"people": [{"name": "Ada Lovelace"}, {}, {}]},
            "charter": {"measures": [{}, {"indicator": "Members"}]},
        }
    )
    charter = exports.render(
        "markdown", plan, revision=3, exported_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    ).decode()
    people_lines = [line for line in charter.splitlines() if line.startswith("|")]
    assert any("Ada Lovelace" in line for line in people_lines)
    assert not any(line.replace("|", "").replace(" ", "") == "" for line in people_lines), (
        "no empty table rows"
    )


def test_a_quick_second_press_after_typing_in_the_new_row_is_meant(ws: Workspace) -> None:
    editor = people_editor(ws)
    editor.add_button.click()
    name = editor.rows_box.children[0].controls[0]
    name.input.value = "Ada Lovelace"  # typed in the new row: the next press is a new one
    editor.add_button.click()
    people = ws.load(BLANK).plan.core_group.people
    assert [p.name for p in people] == ["Ada Lovelace", ""]
