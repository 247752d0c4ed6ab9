"""The schedule by date: activities sorted by start, clashes flagged, drawn as an escaped table."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues, wording
from sigworkbook.plan.gaps import clashes
from sigworkbook.plan.model import STATUS_LABELS, Activity, Plan
from sigworkbook.plan.recurrence import to_utc

COLUMNS = ("When", "Type", "Title", "Minutes", "Repeats", "Owner", "Where", "Status", "Clash")
"""The table's column headings, in order."""
ROW_HEADER = COLUMNS.index("Title")
"""The column that names each row (a row header for screen readers)."""
CAPTION = "Activities in date order"
NO_DATE = "No date yet"
UNTITLED = "(untitled)"


@dataclass(frozen=True)
class ScheduleRow:
    """One activity as the table shows it, with the names of the activities it overlaps."""

    index: int
    """Where the activity is in the plan's list."""
    when: str
    type: str
    title: str
    minutes: int
    repeats: str
    owner: str
    where: str
    status: str
    clashes_with: tuple[str, ...]

    @property
    def clash(self) -> str:
        """'Clashes with Talk; Clashes with Visit', or '' when it overlaps nothing."""
        return "; ".join(f"Clashes with {name}" for name in self.clashes_with)

    def cells(self) -> tuple[str, ...]:
        """The row's texts in the order of COLUMNS."""
        return (
            self.when,
            self.type,
            self.title,
            str(self.minutes),
            self.repeats,
            self.owner,
            self.where,
            self.status,
            self.clash,
        )


def when_text(activity: Activity) -> str:
    """When the first occurrence happens, in the activity's own time zone, or 'No date yet'."""
    return NO_DATE if activity.start is None else wording.when_text(activity, activity.start)


def _instant(activity: Activity) -> float:
    """Seconds since 1970 at the start, so that starts in different zones compare; undated last."""
    if activity.start is None:
        return math.inf
    return to_utc(activity, activity.start).timestamp()


def _name(activity: Activity) -> str:
    return activity.title.strip() or UNTITLED


def clash_names(activities: list[Activity]) -> dict[int, list[str]]:
    """For each activity's index, the names of the activities it overlaps (as gaps.py finds them)."""
    names: dict[int, list[str]] = {}
    for i, j in clashes(activities):
        names.setdefault(i, []).append(_name(activities[j]))
        names.setdefault(j, []).append(_name(activities[i]))
    return names


def _row(index: int, activity: Activity, clashing: list[str]) -> ScheduleRow:
    return ScheduleRow(
        index=index,
        when=when_text(activity),
        type=catalogues.active().label("activity_types", activity.type),
        title=_name(activity),
        minutes=activity.duration_minutes,
        repeats=wording.repeats_text(activity),
        owner=activity.owner,
        where=activity.location,
        status=STATUS_LABELS[activity.status],
        clashes_with=tuple(clashing),
    )


def schedule_rows(plan: Plan) -> list[ScheduleRow]:
    """The activities sorted by the moment they start (undated last, ties in plan order)."""
    activities = plan.schedule.activities
    names = clash_names(activities)
    order = sorted(range(len(activities)), key=lambda i: (_instant(activities[i]), i))
    return [_row(i, activities[i], names.get(i, [])) for i in order]


def _cell(column: int, text: str) -> Markup:
    if column == ROW_HEADER:
        return Markup('<th scope="row">{}</th>').format(text)
    return Markup("<td>{}</td>").format(text)


def _row_html(row: ScheduleRow) -> Markup:
    return Markup("<tr>{}</tr>").format(
        Markup("").join(_cell(n, text) for n, text in enumerate(row.cells()))
    )


def rows_html(rows: list[ScheduleRow]) -> Markup:
    """The rows as an accessible table (caption, column and row headers); every text escaped."""
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(c) for c in COLUMNS)
    body = Markup("").join(_row_html(row) for row in rows)
    return Markup(
        '<table class="swb-schedule"><caption>{}</caption>'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
    ).format(CAPTION, head, body)


def schedule_html(plan: Plan) -> Markup:
    """The sorted schedule with a note saying whether any activities overlap."""
    rows = schedule_rows(plan)
    if not rows:
        return Markup('<p class="swb-notice">No activities yet: add one above.</p>')
    flagged = sum(1 for row in rows if row.clashes_with)
    notice = (
        Markup(
            '<p class="swb-error" role="status">{} activities overlap in time: '
            "see the Clash column.</p>"
        ).format(flagged)
        if flagged
        else Markup('<p class="swb-notice" role="status">No activities overlap.</p>')
    )
    return notice + rows_html(rows)
