"""Dates and times in exports: the export date, readable date formats and activity occurrences."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sigworkbook.exports.errors import ExportError
from sigworkbook.plan.model import Activity
from sigworkbook.plan.recurrence import local_starts
from sigworkbook.plan.wording import long_date

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu"})
FAR_FUTURE_YEARS = 20
"""How far ahead an open-ended recurrence is followed (for the next date and VTIMEZONE range)."""


def export_time(exported_at: dt.datetime | None) -> dt.datetime:
    """The export date in UTC: the one given, else $SOURCE_DATE_EPOCH, else now."""
    if exported_at is not None:
        if exported_at.tzinfo is None:
            raise ExportError("exported_at: give a time zone-aware date and time")
        return exported_at.astimezone(dt.UTC).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ExportError(
                f"SOURCE_DATE_EPOCH: '{epoch[:40]}' is not a number of seconds since 1970"
            ) from None
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def stamp(moment: dt.datetime) -> str:
    """The export date and time, as '12 January 2027, 09:30 UTC'."""
    utc = moment.astimezone(dt.UTC)
    return f"{long_date(utc.date())}, {utc:%H:%M} UTC"


def occurrences(activity: Activity) -> Iterator[dt.datetime]:
    """Every start (local, naive) of a dated activity, as its RRULE in schedule.ics expands."""
    far = dt.timedelta(days=366 * FAR_FUTURE_YEARS)
    return local_starts(activity, open_ended_for=far, never_after=far)


def next_occurrence(activity: Activity, after: dt.datetime) -> dt.datetime | None:
    """The first start (local) at or after the UTC moment `after`, or None when none is left."""
    local_after = after.astimezone(ZoneInfo(activity.timezone)).replace(tzinfo=None)
    for moment in occurrences(activity):
        if moment >= local_after:
            return moment
    return None


def last_occurrence(activity: Activity) -> dt.datetime | None:
    """The last start (local) of a dated activity; open-ended rules stop at the far horizon."""
    last = None
    for moment in occurrences(activity):
        last = moment
    return last
