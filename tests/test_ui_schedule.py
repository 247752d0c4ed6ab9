"""The schedule page (step 4): activities saved, durations from the type, a sorted table with clashes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from widget_tree import control, walk

from sigworkbook import catalogues
from sigworkbook.steps import STEP_BY_KEY
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.schedule import ScheduleTable, build, schedule_frame
from sigworkbook.ui.session import Session
from sigworkbook.ui.tables import RowsEditor
from sigworkbook.workspace import Workspace


def activity(title: str, start: str | None, **more: Any) -> dict[str, Any]:
    return {"title": title, "start": start, **more}


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "ws", create=True) as workspace:
        yield workspace


@pytest.fixture
def sig(ws: Workspace) -> str:
    return ws.new_sig("Falls Friends").plan.id


@pytest.fixture
def session(ws: Workspace, sig: str) -> Session:
    return Session(ws, sig, author="Ada")


@pytest.fixture
def form(session: Session) -> widgets.Widget:
    return build(Page(STEP_BY_KEY["schedule"], session))


def activities_editor(form: widgets.Widget) -> RowsEditor:
    return next(w for w in walk(form) if isinstance(w, RowsEditor))


def table(form: widgets.Widget) -> ScheduleTable:
    return next(w for w in walk(form) if isinstance(w, ScheduleTable))


def test_a_new_activity_takes_the_chosen_type_and_its_usual_length(
    ws: Workspace, sig: str, form: widgets.Widget
) -> None:
    editor = activities_editor(form)
    editor.new_type.value = "learning_journey"
    assert editor.add()
    added = ws.load(sig).plan.schedule.activities[0]
    expected = catalogues.active()["activity_types"]["learning_journey"].get("default_minutes")
    assert added.type == "learning_journey"
    assert added.duration_minutes == expected == 180


def test_changing_the_type_moves_an_untouched_duration_only(
    ws: Workspace, sig: str, form: widgets.Widget
) -> None:
    editor = activities_editor(form)
    editor.add()  # an online meeting of 60 minutes
    editor.add()
    control(form, "schedule.activities.1.duration_minutes").input.value = 45
    control(form, "schedule.activities.0.type").input.value = "face_to_face"
    control(form, "schedule.activities.1.type").input.value = "face_to_face"
    first, second = ws.load(sig).plan.schedule.activities
    assert (first.type, first.duration_minutes) == ("face_to_face", 120)
    assert (second.type, second.duration_minutes) == ("face_to_face", 45)
    assert control(form, "schedule.activities.0.duration_minutes").input.value == 120


def test_typing_activity_details_saves_them(ws: Workspace, sig: str, form: widgets.Widget) -> None:
    activities_editor(form).add()
    control(form, "schedule.activities.0.title").input.value = "Monthly huddle"
    control(form, "schedule.activities.0.hashtag").input.value = "#FallsChat"
    control(form, "schedule.activities.0.recurrence.frequency").input.value = "monthly"
    control(form, "schedule.activities.0.recurrence.count").input.value = "6"
    saved = ws.load(sig).plan.schedule.activities[0]
    assert (saved.title, saved.hashtag) == ("Monthly huddle", "#FallsChat")
    assert (saved.recurrence.frequency, saved.recurrence.count) == ("monthly", 6)
    control(form, "schedule.activities.0.recurrence.count").input.value = ""
    assert ws.load(sig).plan.schedule.activities[0].recurrence.count is None


@pytest.mark.parametrize(
    ("column", "bad", "words"),
    [
        ("hashtag", "no hash", "#"),
        ("timezone", "Mars/Olympus", "time zone"),
        ("recurrence.count", "six", "Number of times"),
        ("link", "example.org/x", "https://"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(
    ws: Workspace, sig: str, form: widgets.Widget, column: str, bad: str, words: str
) -> None:
    activities_editor(form).add()
    before = ws.load(sig).revision
    field = control(form, f"schedule.activities.0.{column}")
    field.input.value = bad
    assert ws.load(sig).revision == before
    assert words in field.problem.value
    assert "swb-error" in field.problem.value


def test_the_table_is_sorted_by_the_moment_activities_start(
    ws: Workspace, sig: str, session: Session
) -> None:
    session.save(
        "schedule.activities",
        [
            activity("Undated", None),
            activity("London ten", "2027-03-01T10:00", timezone="Europe/London"),
            activity("Berlin half ten", "2027-03-01T10:30", timezone="Europe/Berlin"),
            activity("February", "2027-02-01T18:00"),
        ],
    )
    frame = schedule_frame(ws.load(sig).plan)
    # 10:30 in Berlin is 09:30 in London: it comes before 10:00 in London.
    assert list(frame["Title"]) == ["February", "Berlin half ten", "London ten", "Undated"]
    assert frame["When"].iloc[0] == "Mon 01 Feb 2027, 18:00 (Europe/London)"
    assert frame["When"].iloc[-1] == "No date yet"


def test_clashes_are_flagged_and_the_table_follows_every_change(
    ws: Workspace, sig: str, session: Session, form: widgets.Widget
) -> None:
    shown = table(form)
    assert "No activities yet" in shown.value
    other = Session(ws, sig, author="Bo")
    other.save(
        "schedule.activities",
        [
            activity("Huddle", "2027-01-12T12:30", duration_minutes=60),
            activity("Talk", "2027-01-12T13:00", duration_minutes=60),
            activity("Visit", "2027-01-12T12:45", status="cancelled"),
            activity("Chat", "2027-01-12T20:00"),
        ],
    )
    session.refresh()
    frame = schedule_frame(session.loaded.plan).set_index("Title")
    assert frame.loc["Huddle", "Clash"] == "Clashes with Talk"
    assert frame.loc["Talk", "Clash"] == "Clashes with Huddle"
    assert frame.loc["Visit", "Clash"] == frame.loc["Chat", "Clash"] == ""
    assert "2 activities overlap" in shown.value
    assert "Clashes with Talk" in shown.value
    control(form, "schedule.activities.1.start").input.value = dt.datetime(2027, 1, 13, 13, 0)
    assert "No activities overlap" in shown.value
    assert "Clashes with" not in shown.value


def test_every_cell_of_the_table_is_escaped(session: Session, form: widgets.Widget) -> None:
    session.save(
        "schedule.activities",
        [activity("<script>alert(1)</script>", "2027-01-12T12:30", owner="A & B")],
    )
    shown = table(form).value
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "A &amp; B" in shown


def test_the_catalogue_says_what_each_type_is_good_for(form: widgets.Widget) -> None:
    text = " ".join(w.value for w in walk(form) if isinstance(w, widgets.HTML))
    for entry in catalogues.active()["activity_types"].values():
        assert entry.label in text
        assert str(entry.get("good_for")).replace("'", "&#x27;") in text
