"""schedule.csv and promotion-plan.csv: UTF-8 tables no spreadsheet can run as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from sigworkbook.plan import catalogues
from sigworkbook.plan.fields import label
from sigworkbook.plan.model import FREQUENCY_LABELS, STATUS_LABELS, Plan
from sigworkbook.plan.wording import repeats_text

# A cell starting with one of these could be read as a formula (or, for tab and line breaks,
# turn into one once a spreadsheet strips them); full-width forms are read as formulas by some.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BOM = "\ufeff"
"""Written first so that spreadsheets open the file as UTF-8 rather than guessing."""


def neutralise(cell: str) -> str:
    """The cell text, prefixed with an apostrophe if a spreadsheet could run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _local(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def schedule_csv(plan: Plan) -> bytes:
    """Every activity, dated or not, one row each, in the plan's order."""
    active = catalogues.active()
    fields = (
        "title",
        "type",
        "start",
        "timezone",
        "duration_minutes",
        "recurrence.frequency",
        "recurrence.count",
        "recurrence.until",
        "location",
        "link",
        "owner",
        "hashtag",
        "status",
        "notes",
    )
    header = [label(f"schedule.activities.*.{name}") for name in fields]
    header.insert(8, "Repeats (in words)")
    rows = [
        [
            a.title,
            active.label("activity_types", a.type),
            _local(a.start),
            a.timezone,
            a.duration_minutes,
            FREQUENCY_LABELS[a.recurrence.frequency],
            a.recurrence.count if a.recurrence.count is not None else "",
            _day(a.recurrence.until),
            repeats_text(a),
            a.location,
            a.link,
            a.owner,
            a.hashtag,
            STATUS_LABELS[a.status],
            a.notes,
        ]
        for a in plan.schedule.activities
    ]
    return _csv(header, rows)


def promotion_csv(plan: Plan) -> bytes:
    """Every promotion action by date (as in promotion-plan.md), with its draft's length against
    the channel's limit."""
    active = catalogues.active()
    fields = ("date", "channel", "owner", "status", "draft")
    header = [label(f"promotion.actions.*.{name}") for name in fields]
    header += ["Length (characters)", "Channel limit (characters)", "Over the limit by"]
    rows = []
    for action in plan.promotion.actions_by_date():
        limit = active.char_limit(action.channel)
        length = len(action.draft)
        rows.append(
            [
                _day(action.date),
                active.label("channels", action.channel),
                action.owner,
                STATUS_LABELS[action.status],
                action.draft,
                length,
                limit if limit is not None else "",
                max(0, length - limit) if limit is not None else "",
            ]
        )
    return _csv(header, rows)
