"""Step 4, the schedule: the activity catalogue, the activities, and a dated table with clashes."""

from __future__ import annotations

import html
import math
from typing import Any
from zoneinfo import ZoneInfo

import ipywidgets as widgets
import pandas as pd

from sigworkbook import catalogues
from sigworkbook.fields import row_fields
from sigworkbook.gaps import clashes
from sigworkbook.model import FREQUENCY_LABELS, STATUS_LABELS, Activity, Plan
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, table_in_card
from sigworkbook.ui.session import Session
from sigworkbook.ui.tables import RowsEditor
from sigworkbook.workspace import Loaded

ACTIVITY_COLUMNS = row_fields("schedule.activities")
FALLBACK_MINUTES = 60
"""Duration of a new activity whose type names no `default_minutes`."""


def default_minutes(activity_type: str) -> int:
    """The usual length of an activity of this type, from the catalogue."""
    entry = catalogues.active()["activity_types"].get(activity_type)
    minutes = entry.get("default_minutes") if entry else None
    return int(minutes) if isinstance(minutes, int) else FALLBACK_MINUTES


def catalogue_html() -> str:
    """The activity types as a table: what each is, what it is good for, how long it usually takes."""
    rows = []
    for entry in catalogues.active()["activity_types"].values():
        good_for = entry.get("good_for") or ""
        minutes = entry.get("default_minutes")
        length = f"{minutes} minutes" if isinstance(minutes, int) else ""
        rows.append(
            f"<tr><th scope='row'>{html.escape(entry.label)}</th>"
            f"<td>{html.escape(entry.description)}</td><td>{html.escape(str(good_for))}</td>"
            f"<td>{html.escape(length)}</td></tr>"
        )
    return (
        '<table class="swb-catalogue-table"><thead><tr><th scope="col">Type</th>'
        '<th scope="col">What it is</th><th scope="col">Good for</th>'
        f'<th scope="col">Usual length</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def repeats_text(activity: Activity) -> str:
    """'Once', 'Monthly, 6 times' or 'Weekly until 2027-05-01'."""
    recurrence = activity.recurrence
    if recurrence.frequency == "none":
        return FREQUENCY_LABELS["none"]
    text = FREQUENCY_LABELS[recurrence.frequency]
    if recurrence.count is not None:
        return f"{text}, {recurrence.count} times"
    if recurrence.until is not None:
        return f"{text} until {recurrence.until.isoformat()}"
    return text


def _instant(activity: Activity) -> float:
    if activity.start is None:
        return math.inf
    return activity.start.replace(tzinfo=ZoneInfo(activity.timezone)).timestamp()


def _name(activity: Activity) -> str:
    return activity.title.strip() or "(untitled)"


def clash_notes(activities: list[Activity]) -> dict[int, list[str]]:
    """For each activity index, the names of the activities it overlaps with."""
    notes: dict[int, list[str]] = {}
    for i, j in clashes(activities):
        notes.setdefault(i, []).append(_name(activities[j]))
        notes.setdefault(j, []).append(_name(activities[i]))
    return notes


def schedule_frame(plan: Plan) -> pd.DataFrame:
    """The activities sorted by when they start (undated last), with clashes named."""
    activities = plan.schedule.activities
    types = catalogues.active()
    notes = clash_notes(activities)
    order = sorted(range(len(activities)), key=lambda i: _instant(activities[i]))
    records: list[dict[str, Any]] = []
    for i in order:
        activity = activities[i]
        start = activity.start
        records.append(
            {
                "When": f"{start:%a %d %b %Y, %H:%M} ({activity.timezone})"
                if start
                else "No date yet",
                "Type": types.label("activity_types", activity.type),
                "Title": _name(activity),
                "Minutes": activity.duration_minutes,
                "Repeats": repeats_text(activity),
                "Owner": activity.owner,
                "Where": activity.location,
                "Status": STATUS_LABELS[activity.status],
                "Clash": "; ".join(f"Clashes with {name}" for name in notes.get(i, [])),
            }
        )
    columns = ["When", "Type", "Title", "Minutes", "Repeats", "Owner", "Where"]
    return pd.DataFrame.from_records(records, columns=[*columns, "Status", "Clash"])


def schedule_html(plan: Plan) -> str:
    """The sorted schedule as an HTML table (every cell escaped), with a note on any clashes."""
    frame = schedule_frame(plan)
    if frame.empty:
        return '<p class="swb-notice">No activities yet: add one above.</p>'
    flagged = int((frame["Clash"] != "").sum())
    notice = (
        f'<p class="swb-error" role="status">{flagged} activities overlap in time: '
        "see the Clash column.</p>"
        if flagged
        else '<p class="swb-notice" role="status">No activities overlap.</p>'
    )
    table = frame.to_html(index=False, escape=True, border=0, classes="swb-schedule", na_rep="")
    return notice + table


class ScheduleTable(widgets.HTML):
    """The schedule table, redrawn whenever the plan changes."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.add_class("swb-table")
        session.on_change(lambda _: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        # Read the session's plan, not the listener's argument: a listener that saves again
        # (duration following type) may have moved the plan on already.
        self.value = schedule_html(self.session.loaded.plan)


class DurationFollowsType:
    """When an activity's type changes and its duration was the old type's usual length,
    the duration becomes the new type's usual length."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.types = self._types(session.loaded.plan)
        session.on_change(self._changed)

    @staticmethod
    def _types(plan: Plan) -> dict[str, str]:
        return {a.id: a.type for a in plan.schedule.activities}

    def _changed(self, loaded: Loaded) -> None:
        plan = self.session.loaded.plan
        before, self.types = self.types, self._types(plan)
        for index, activity in enumerate(plan.schedule.activities):
            old = before.get(activity.id)
            if old is None or old == activity.type:
                continue
            if activity.duration_minutes == default_minutes(old):
                path = f"schedule.activities.{index}.duration_minutes"
                self.session.save(path, default_minutes(activity.type))


def activities_editor(session: Session) -> RowsEditor:
    """The activities as editable rows; a new row takes the chosen type and its usual length."""
    types = catalogues.active()["activity_types"]
    kind = widgets.Dropdown(
        options=[(e.label, key) for key, e in types.items()],
        value="online_meeting" if "online_meeting" in types else next(iter(types)),
        description="Type of the new activity",
        style={"description_width": "initial"},
    )
    editor = RowsEditor(
        session,
        "schedule.activities",
        ACTIVITY_COLUMNS,
        add_label="Add an activity",
        new_row=lambda: {"type": kind.value, "duration_minutes": default_minutes(kind.value)},
    )
    table_in_card(editor)
    adder = widgets.HBox([kind, editor.add_button], layout=widgets.Layout(align_items="flex-end"))
    adder.add_class("swb-adder")
    editor.children = tuple(adder if c is editor.add_button else c for c in editor.children)
    editor.follow = DurationFollowsType(session)
    editor.new_type = kind
    return editor


def build(page: Page) -> widgets.Widget:
    """The schedule form: the catalogue, the activities, and the schedule table."""
    session = page.session
    catalogue = card(
        "Kinds of activity",
        widgets.HTML(
            "<details open><summary>What each kind of activity is good for</summary>"
            f"{catalogue_html()}</details>"
        ),
        intro="A mix of kinds keeps a group lively: something regular, something special.",
    )
    activities = card(
        "What the group will do",
        activities_editor(session),
        intro="Give every activity a date, a time zone, an owner and, for tweet-chats, a hashtag.",
    )
    table = card(
        "The schedule by date",
        ScheduleTable(session),
        intro="Sorted by start; overlapping activities (cancelled ones aside) are flagged.",
    )
    box = widgets.VBox([catalogue, activities, table], layout=widgets.Layout(width="100%"))
    box.add_class("swb-page-schedule")
    return box
