"""The schedule page (step 4): activities saved, durations from the type, a sorted table with clashes.

The table is drawn without pandas; its HTML is read back with the standard library's parser to
check its structure and that user text stays text.
"""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from hostile import HOSTILE_LINES, demo_document, fill_plan
from widget_tree import control, open_rows, walk

from sigworkbook.live.session import Session
from sigworkbook.plan import catalogues
from sigworkbook.plan.fields import value_in_words
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.schedule import ScheduleTable, build
from sigworkbook.ui.schedule_table import COLUMNS, schedule_html, schedule_rows
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
        ("start", dt.datetime(2027, 3, 28, 1, 30), "the clocks go forward"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(
    ws: Workspace, sig: str, form: widgets.Widget, column: str, bad: object, words: str
) -> None:
    activities_editor(form).add()
    before = ws.load(sig).revision
    field = control(form, f"schedule.activities.0.{column}")
    field.input.value = bad
    assert ws.load(sig).revision == before
    assert words in field.problem.value
    assert "swb-error" in field.problem.value


def test_the_time_zone_offers_the_known_zone_names(
    ws: Workspace, sig: str, form: widgets.Widget
) -> None:
    activities_editor(form).add()
    zone = control(form, "schedule.activities.0.timezone")
    assert isinstance(zone.input, widgets.Combobox)
    assert set(zone.input.options) == zoneinfo.available_timezones()
    assert zone.input.value == "Europe/London"
    zone.input.value = " europe/paris"  # typed in lower case: saved as the zone is spelt
    assert ws.load(sig).plan.schedule.activities[0].timezone == "Europe/Paris"
    assert not zone.has_problem


def test_a_misspelt_time_zone_is_refused_with_the_likely_one(
    ws: Workspace, sig: str, form: widgets.Widget
) -> None:
    activities_editor(form).add()
    before = ws.load(sig).revision
    zone = control(form, "schedule.activities.0.timezone")
    zone.input.value = "Europe/Londn"
    assert ws.load(sig).revision == before
    message = html.unescape(zone.problem.value)
    assert "'Europe/Londn' is not a known time zone (did you mean Europe/London?)" in message
    assert "swb-error" in zone.problem.value


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
            activity("Also undated", None),
        ],
    )
    rows = schedule_rows(ws.load(sig).plan)
    # 10:30 in Berlin is 09:30 in London: it comes before 10:00 in London. Undated ones keep
    # the plan's order, after every dated one.
    assert [row.title for row in rows] == [
        "February",
        "Berlin half ten",
        "London ten",
        "Undated",
        "Also undated",
    ]
    assert [row.index for row in rows] == [3, 2, 1, 0, 4]
    # Each time is shown in the activity's own zone, not converted.
    assert rows[0].when == "Mon 1 Feb 2027, 18:00\u201319:00 (UK time)"
    assert rows[1].when == "Mon 1 Mar 2027, 10:30\u201311:30 (Berlin time)"
    assert rows[-1].when == "No date yet"


def test_a_row_shows_type_length_repetition_owner_place_and_status(
    ws: Workspace, sig: str, session: Session
) -> None:
    session.save(
        "schedule.activities",
        [
            activity(
                "  ",
                "2027-05-04T09:15",
                type="learning_journey",
                duration_minutes=150,
                recurrence={"frequency": "weekly", "count": 1},
                owner="Omar",
                location="Ward 7",
                status="done",
            ),
            activity("Series", "2027-05-05T09:00", recurrence={"frequency": "monthly", "count": 6}),
            activity(
                "Until",
                "2027-05-06T09:00",
                recurrence={"frequency": "weekly", "until": "2027-06-30"},
            ),
        ],
    )
    first, series, until = schedule_rows(ws.load(sig).plan)
    types = catalogues.active()
    assert first.cells() == (
        "Tue 4 May 2027, 09:15\u201311:45 (UK time)",
        types.label("activity_types", "learning_journey"),
        "(untitled)",
        "150",
        "Weekly, 1 time",
        "Omar",
        "Ward 7",
        "Done",
        "",
    )
    assert series.repeats == "Monthly on the 5th, 6 times"
    assert until.repeats == "Weekly until 30 June 2027"


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
    flags = {row.title: row.clash for row in schedule_rows(session.loaded.plan)}
    assert flags == {
        "Huddle": "Clashes with Talk",
        "Talk": "Clashes with Huddle",
        "Visit": "",
        "Chat": "",
    }
    assert "2 activities overlap" in shown.value
    assert "Clashes with Talk" in shown.value
    open_rows(form)
    control(form, "schedule.activities.1.start").input.value = dt.datetime(2027, 1, 13, 13, 0)
    assert "No activities overlap" in shown.value
    assert "Clashes with" not in shown.value


def test_clashes_across_time_zones_name_every_other_activity(
    ws: Workspace, sig: str, session: Session
) -> None:
    session.save(
        "schedule.activities",
        [
            # In London: 12:00-14:00; 13:30-14:30 in Paris is 12:30-13:30; 12:00-12:20, over
            # before Paris starts; and 14:00-15:00, which starts as the first ends: no overlap.
            activity("Long", "2027-01-12T12:00", duration_minutes=120),
            activity("Paris", "2027-01-12T13:30", timezone="Europe/Paris"),
            activity("After", "2027-01-12T14:00"),
            activity("", "2027-01-12T12:00", duration_minutes=20),
        ],
    )
    rows = {row.title: row.clashes_with for row in schedule_rows(ws.load(sig).plan)}
    assert rows == {
        "Long": ("Paris", "(untitled)"),
        "(untitled)": ("Long",),
        "Paris": ("Long",),
        "After": (),
    }
    html_text = schedule_html(ws.load(sig).plan)
    assert "3 activities overlap in time" in html_text
    assert "Clashes with Paris; Clashes with (untitled)" in html_text


@dataclass
class Cell:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


class ParsedTable(HTMLParser):
    """Every tag of a piece of HTML, and the table's caption and cells as text (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.caption = ""
        self.rows: list[list[Cell]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.rows[-1].append(Cell(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "caption" in self.open:
            self.caption += data
        elif self.open and self.open[-1] in ("th", "td"):
            self.rows[-1][-1].text += data


def parse(html_text: str) -> ParsedTable:
    parsed = ParsedTable()
    parsed.feed(html_text)
    parsed.close()
    assert not parsed.open, f"unclosed tags: {parsed.open}"
    return parsed


def test_the_table_is_a_real_table_with_a_caption_and_headers(
    ws: Workspace, sig: str, session: Session
) -> None:
    session.save(
        "schedule.activities",
        [activity("Huddle", "2027-01-12T12:30"), activity("Talk", "2027-01-12T13:00")],
    )
    parsed = parse(schedule_html(ws.load(sig).plan))
    assert [tag for tag, _ in parsed.tags].count("table") == 1
    assert parsed.caption.strip()
    head, *body = parsed.rows
    assert [(c.tag, c.attrs, c.text) for c in head] == [
        ("th", {"scope": "col"}, column) for column in COLUMNS
    ]
    assert len(body) == 2
    for row in body:
        assert len(row) == len(COLUMNS)
        headers = [c for c in row if c.tag == "th"]
        assert [(c.attrs, c.text) for c in headers] == [({"scope": "row"}, row[2].text)]
    assert [row[2].text for row in body] == ["Huddle", "Talk"]
    assert body[0][-1].text == "Clashes with Talk"


ALLOWED_TAGS = {"p", "table", "caption", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize("text", [*HOSTILE_LINES, "**b**"])
def test_user_text_in_the_table_is_shown_as_typed_never_as_markup(text: str) -> None:
    plan = fill_plan(demo_document(), text)
    parsed = parse(schedule_html(plan))
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, f"user text became a <{tag}> tag"
        assert set(attrs) <= {"class", "role", "scope"}, f"<{tag}> has attributes {attrs}"
    by_index = {row.index: row for row in schedule_rows(plan)}
    body = parsed.rows[1:]
    assert len(body) == len(plan.schedule.activities)
    for cells, row in zip(body, schedule_rows(plan), strict=True):
        activity_ = plan.schedule.activities[row.index]
        shown = dict(zip(COLUMNS, (c.text for c in cells), strict=True))
        assert shown["Title"] == (activity_.title.strip() or "(untitled)")
        assert shown["Owner"] == activity_.owner
        assert shown["Where"] == activity_.location
        assert shown == dict(zip(COLUMNS, by_index[row.index].cells(), strict=True))
    assert text.strip() == "" or any(text.strip()[:20] in c.text for r in body for c in r)


@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "**b**", "{{ 7*7 }}"])
def test_hostile_titles_reach_the_page_as_escaped_text(
    session: Session, form: widgets.Widget, text: str
) -> None:
    session.save(
        "schedule.activities",
        [
            activity(text, "2027-01-12T12:30", owner=text, location=text),
            activity("Talk", "2027-01-12T13:00"),
        ],
    )
    shown = table(form).value
    assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown or "<" not in text
    parsed = parse(shown)
    titles = [row[2].text for row in parsed.rows[1:]]
    assert titles == [text, "Talk"]
    assert parsed.rows[1][5].text == parsed.rows[1][6].text == text
    assert parsed.rows[2][-1].text == f"Clashes with {text}"


def test_the_catalogue_says_what_each_type_is_good_for(form: widgets.Widget) -> None:
    text = " ".join(w.value for w in walk(form) if isinstance(w, widgets.HTML))
    for entry in catalogues.active()["activity_types"].values():
        assert entry.label in text
        assert str(entry.get("good_for")).replace("'", "&#x27;") in text


def test_monthly_on_shows_for_a_monthly_activity_and_saves_the_weekday(
    ws: Workspace, sig: str, form: widgets.Widget
) -> None:
    activities_editor(form).add()
    by = control(form, "schedule.activities.0.recurrence.monthly_by")
    frequency = control(form, "schedule.activities.0.recurrence.frequency")
    assert by.layout.display == "none", "only asked when the activity is monthly"
    assert by.input.description == "Monthly on"
    frequency.input.value = "monthly"
    assert by.layout.display is None
    labels = [label for label, _ in by.input.options]
    assert "On the same weekday (e.g. the first Tuesday)" in labels
    by.input.value = "weekday"
    assert ws.load(sig).plan.schedule.activities[0].recurrence.monthly_by == "weekday"
    frequency.input.value = "weekly"
    assert by.layout.display == "none"


def test_a_folded_monthly_row_says_which_day(ws: Workspace, sig: str, form: widgets.Widget) -> None:
    editor = activities_editor(form)
    editor.add()
    control(form, "schedule.activities.0.start").input.value = dt.datetime(2027, 1, 5, 18, 0)
    control(form, "schedule.activities.0.recurrence.frequency").input.value = "monthly"
    control(form, "schedule.activities.0.recurrence.monthly_by").input.value = "weekday"
    row = ws.load(sig).plan.schedule.activities[0].model_dump(mode="json")
    assert "Monthly on the first Tuesday" in editor.summary(row)
    assert "On the same weekday" not in editor.summary(row)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(5, "weekday"), (28, "weekday"), (29, "date")],  # 29th: no 'fifth Tuesday' every month
)
def test_making_an_activity_monthly_offers_and_chooses_the_weekday_form(
    ws: Workspace, sig: str, form: widgets.Widget, day: int, expected: str
) -> None:
    activities_editor(form).add()
    control(form, "schedule.activities.0.start").input.value = dt.datetime(2027, 1, day, 18, 0)
    by = control(form, "schedule.activities.0.recurrence.monthly_by")
    assert by.input.options[0][1] == "weekday", "the weekday form is offered first"
    control(form, "schedule.activities.0.recurrence.frequency").input.value = "monthly"
    assert ws.load(sig).plan.schedule.activities[0].recurrence.monthly_by == expected
    assert by.input.value == expected


def test_a_monthly_activity_given_its_first_date_takes_the_weekday_form(
    ws: Workspace, sig: str, form: widgets.Widget
) -> None:
    activities_editor(form).add()
    control(form, "schedule.activities.0.recurrence.frequency").input.value = "monthly"
    control(form, "schedule.activities.0.start").input.value = dt.datetime(2027, 1, 5, 18, 0)
    assert ws.load(sig).plan.schedule.activities[0].recurrence.monthly_by == "weekday"
    control(form, "schedule.activities.0.recurrence.monthly_by").input.value = "date"
    control(form, "schedule.activities.0.start").input.value = dt.datetime(2027, 1, 12, 18, 0)
    assert ws.load(sig).plan.schedule.activities[0].recurrence.monthly_by == "date"  # it stands


def test_a_folded_row_says_the_time_zone_as_people_do(form: widgets.Widget) -> None:
    editor = activities_editor(form)
    row = {"title": "Huddle", "start": "2027-04-14T12:30", "timezone": "Europe/London"}
    assert "Time zone: UK time" in editor.summary(row)
    assert "Time zone: Dublin time" in editor.summary({**row, "timezone": "Europe/Dublin"})
    assert "Europe/" not in editor.summary(row)


def test_the_history_says_a_time_zone_in_words() -> None:
    assert value_in_words("schedule.activities.0.timezone", "Europe/London") == "UK time"
    assert value_in_words("schedule.activities.0.timezone", "America/New_York") == "New York time"
    assert value_in_words("schedule.activities.0.timezone", "UTC") == "UTC"
