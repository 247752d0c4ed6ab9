"""Step 4, the schedule: the activity catalogue, the activities, and a dated table with clashes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues, wording
from sigworkbook.plan.fields import row_fields
from sigworkbook.plan.model import FREQUENCY_LABELS, Activity, Plan
from sigworkbook.plan.paths import get_path
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.later import later
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, catalogue_table, reference
from sigworkbook.ui.schedule_table import schedule_html
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


def catalogue_html() -> Markup:
    """The activity types as a table: what each is, what it is good for, how long it usually takes."""
    rows = []
    for entry in catalogues.active()["activity_types"].values():
        good_for = entry.get("good_for") or ""
        minutes = entry.get("default_minutes")
        length = f"{minutes} minutes" if isinstance(minutes, int) else ""
        rows.append((entry.label, entry.description, str(good_for), length))
    return catalogue_table(("Type", "What it is", "Good for", "Usual length"), rows)


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


def offer_weekday_form(
    frequency: FieldControl, start: FieldControl, monthly_by: FieldControl
) -> None:
    """When a person makes an activity monthly (or gives a monthly one its first date), choose
    the weekday form ("the first Tuesday") for them if the first date falls in the month's first
    four weeks: groups meet on the first Tuesday far more often than on the 5th. Values shown
    from someone else's edit are left alone (they are not this person's choice)."""

    def chose(control: FieldControl, change: dict[str, Any]) -> None:
        if control.showing_plan or frequency.input.value != "monthly":
            return
        if control is frequency and change["old"] == "monthly":
            return
        if control is start and change["old"] is not None:
            return  # a date moved: the choice made for the first date stands
        day = start.input.value
        if isinstance(day, dt.datetime) and day.day <= 28 and monthly_by.input.value == "date":
            monthly_by.input.value = "weekday"

    frequency.input.observe(lambda change: chose(frequency, change), names="value")
    start.input.observe(lambda change: chose(start, change), names="value")


class ActivitiesEditor(RowsEditor):
    """The activities; "Monthly on" shows only for an activity that repeats monthly."""

    def opened(self, controls: dict[str, FieldControl]) -> None:
        frequency, monthly_by = controls.get("frequency"), controls.get("monthly_by")
        if frequency is None or monthly_by is None:
            return

        monthly_by.layout = widgets.Layout(width="100%")  # its own: shown and hidden alone

        def show() -> None:
            monthly = frequency.input.value == "monthly"
            monthly_by.layout.display = None if monthly else "none"

        frequency.input.observe(lambda _: show(), names="value")
        show()
        start = controls.get("start")
        if start is not None:
            offer_weekday_form(frequency, start, monthly_by)

    def summary(self, row: dict[str, Any]) -> str:
        """The row in one line; a monthly activity says which day, as the schedule table does
        ('Monthly on the first Tuesday')."""
        recurrence = {**(row.get("recurrence") or {}), "monthly_by": None}
        parts = super().summary({**row, "recurrence": recurrence}).split(" · ")
        if get_path(row, "recurrence.frequency", None) == "monthly":
            try:
                which = wording.monthly_text(Activity.model_validate(row))
            except ValueError:
                which = ""
            label = FREQUENCY_LABELS["monthly"]
            parts = [f"{label} {which}".rstrip() if part == label else part for part in parts]
        return " · ".join(parts)


def activities_editor(session: Session) -> RowsEditor:
    """The activities as editable rows; a new row takes the chosen type and its usual length."""
    types = catalogues.active()["activity_types"]
    kind = widgets.Dropdown(
        options=[(e.label, key) for key, e in types.items()],
        value="online_meeting" if "online_meeting" in types else next(iter(types)),
        description="Type of the new activity",
        style={"description_width": "initial"},
    )
    editor = ActivitiesEditor(
        session,
        "schedule.activities",
        ACTIVITY_COLUMNS,
        add_label="Add an activity",
        new_row=lambda: {"type": kind.value, "duration_minutes": default_minutes(kind.value)},
    )
    adder = widgets.HBox([kind, editor.add_button], layout=widgets.Layout(align_items="flex-end"))
    adder.add_class("swb-adder")
    editor.children = tuple(adder if c is editor.add_button else c for c in editor.children)
    editor.follow = DurationFollowsType(session)
    editor.new_type = kind
    return editor


def build(page: Page) -> widgets.Widget:
    """The schedule form: the catalogue, the activities, and the schedule table."""
    session = page.session
    # The kinds of activity are reference: folded inside the card where they are chosen.
    activities = card(
        "What the group will do",
        reference("What each kind of activity is good for", catalogue_html()),
        activities_editor(session),
        intro="Give every activity a date, a time zone, an owner and, for tweet-chats, a hashtag. "
        "A mix of kinds keeps a group lively: something regular, something special.",
    )
    table = later(
        card(
            "The schedule by date",
            intro=(
                "Sorted by start, undated ones last; each time is in the activity's own time "
                "zone. Overlapping activities (cancelled ones aside) are flagged."
            ),
        ),
        lambda: [ScheduleTable(session)],
    )
    box = widgets.VBox([activities, table], layout=widgets.Layout(width="100%"))
    box.add_class("swb-page-schedule")
    return box
