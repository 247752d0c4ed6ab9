"""Table rows: folded into a summary line until opened, opened when added, saved when folded."""

from __future__ import annotations

import html

from kernel_typing import typing
from widget_tree import walk

from sigworkbook.live.session import Session
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.tables import RowsEditor
from sigworkbook.workspace import Workspace

DEMO = "home-safely"
COLUMNS = ["type", "title", "start", "duration_minutes", "owner", "notes"]


def activities(session: Session) -> RowsEditor:
    return RowsEditor(session, "schedule.activities", COLUMNS, add_label="Add an activity")


def controls(editor: RowsEditor) -> list[FieldControl]:
    return [w for w in walk(editor) if isinstance(w, FieldControl)]


def field(editor: RowsEditor, name: str) -> FieldControl:
    """The one open input for the field `name` (of the open row)."""
    (found,) = [c for c in controls(editor) if c.path.endswith(f".{name}")]
    return found


def first_row_open(ws: Workspace) -> tuple[Session, RowsEditor, str, FieldControl]:
    """Ada's activities with the first row open: her session, the table, its id, its owner."""
    session = Session(ws, DEMO, author="Ada")
    editor = activities(session)
    row_id = editor.rows[0]["id"]
    editor.open_row(row_id)
    return session, editor, row_id, field(editor, "owner")


def test_rows_show_as_summaries_without_inputs_until_opened(ws: Workspace) -> None:
    editor = activities(Session(ws, DEMO, author="Ada"))
    plan = ws.load(DEMO).plan
    first = plan.schedule.activities[0]
    assert len(editor.rows_box.children) == len(plan.schedule.activities) > 1
    assert controls(editor) == []
    summary = editor.rows_box.children[0].summary.value
    assert first.owner in summary
    assert f"Duration (minutes): {first.duration_minutes}" in summary
    assert f"Owner: {first.owner}" in summary
    assert first.title not in summary  # it is the row's heading already

    editor.open_row(first.id)
    opened = controls(editor)
    assert [c.path for c in opened] == [f"schedule.activities.0.{c}" for c in COLUMNS]
    assert editor.rows_box.children[1].summary is not None  # the others stay folded


def test_folding_a_row_saves_what_was_typed_and_shows_it_in_the_summary(
    ws: Workspace,
) -> None:
    session = Session(ws, DEMO, author="Ada")
    editor = activities(session)
    row_id = editor.rows[1]["id"]
    editor.open_row(row_id)
    typing(field(editor, "owner"), "Priya Shah")  # waiting for a pause in typing, not saved
    assert ws.load(DEMO).plan.schedule.activities[1].owner != "Priya Shah"
    assert editor.fold_row(row_id)
    assert ws.load(DEMO).plan.schedule.activities[1].owner == "Priya Shah"
    assert controls(editor) == []
    assert "Owner: Priya Shah" in editor.rows_box.children[1].summary.value
    assert not editor.is_open(row_id)


def test_a_row_with_an_unsaved_change_stays_open_and_says_why(ws: Workspace) -> None:
    session, editor, row_id, owner = first_row_open(ws)
    owner.input.value = "x" * 81  # over the owner's limit: refused, with an error
    assert owner.has_problem
    assert not editor.fold_row(row_id)
    assert editor.is_open(row_id) and owner in controls(editor)
    assert owner.input.value == "x" * 81
    assert "stays open" in editor.message.value
    # Someone else changes a field while Ada is typing in it: she has to choose first.
    owner.input.value = "Ada Lovelace"
    assert editor.fold_row(row_id)
    editor.open_row(row_id)
    notes = field(editor, "notes")
    typing(notes, "Ada's notes")
    Session(ws, DEMO, author="Bo").save("schedule.activities.0.notes", "Bo's notes")
    session.refresh()
    assert notes.in_conflict
    assert not editor.fold_row(row_id)
    assert notes.input.value == "Ada's notes"


def test_a_folded_rows_heading_and_summary_follow_anothers_edits(ws: Workspace) -> None:
    session = Session(ws, DEMO, author="Ada")
    editor = activities(session)
    risks = RowsEditor(session, "charter.risks", ["risk", "mitigation"])
    Session(ws, DEMO, author="Bo").save("schedule.activities.0.title", "Renamed huddle")
    session.refresh()
    row = editor.rows_box.children[0]
    assert "Renamed huddle" in row.heading.value
    assert row.toggle.tooltip == "Edit Renamed huddle"
    # A risk's only other field is long text: the summary shows the start of it.
    mitigation = ws.load(DEMO).plan.charter.risks[0].mitigation
    assert mitigation
    shown = risks.rows_box.children[0].summary.value
    assert "Mitigation: " + html.escape(mitigation[:20]) in shown
    assert "Nothing filled in yet" not in shown


def test_a_start_time_from_the_plan_is_not_an_edit_and_follows_others(ws: Workspace) -> None:
    session = Session(ws, DEMO, author="Ada")
    editor = activities(session)
    editor.open_row(editor.rows[0]["id"])
    start = field(editor, "start")
    assert not start.is_dirty()  # the plan writes seconds, the input gives minutes
    Session(ws, DEMO, author="Bo").save("schedule.activities.0.start", "2027-02-01T09:00:00")
    session.refresh()
    assert not start.in_conflict
    assert start.value == "2027-02-01T09:00"


def test_a_row_just_added_opens_and_the_others_stay_folded(ws: Workspace) -> None:
    editor = activities(Session(ws, DEMO, author="Ada"))
    before = len(editor.rows)
    assert editor.add()
    assert len(editor.rows) == before + 1
    assert {c.path.rsplit(".", 2)[-2] for c in controls(editor)} == {str(before)}
    assert editor.is_open(editor.rows[-1]["id"])


def test_a_folded_summary_follows_anothers_edit_and_never_becomes_markup(
    ws: Workspace,
) -> None:
    session = Session(ws, DEMO, author="Ada")
    editor = activities(session)
    Session(ws, DEMO, author="Bo").save("schedule.activities.0.owner", "<b>Bo</b> & co")
    session.refresh()
    summary = editor.rows_box.children[0].summary.value
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; co" in summary
    assert "<b>" not in summary


def test_someone_adding_a_row_does_not_interrupt_typing_in_another(ws: Workspace) -> None:
    session, editor, _, owner = first_row_open(ws)
    typing(owner, "Ada is still typ")
    RowsEditor(Session(ws, DEMO, author="Bo"), "schedule.activities", COLUMNS).add()
    session.refresh()
    assert len(editor.rows_box.children) == len(editor.rows)
    assert field(editor, "owner") is owner  # the same input, still open, text intact
    assert owner.input.value == "Ada is still typ"
    session.flush()
    assert ws.load(DEMO).plan.schedule.activities[0].owner == "Ada is still typ"
