"""The local starts of a repeating activity, as its RRULE in schedule.ics expands them."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from sigworkbook.plan.model import Activity


def add_months(start: dt.datetime, months: int) -> dt.datetime | None:
    """The same day and time `months` later, or None when that month has no such day (RFC 5545)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return start.replace(year=year, month=month)


def until_local(activity: Activity) -> dt.datetime | None:
    """The last moment (local time) an occurrence may start: the end of the recurrence's date."""
    until = activity.recurrence.until
    return dt.datetime.combine(until, dt.time(23, 59, 59)) if until is not None else None


def local_starts(
    activity: Activity, *, open_ended_for: dt.timedelta, never_after: dt.timedelta | None = None
) -> Iterator[dt.datetime]:
    """Every start (local, naive) of a dated activity, in order: to its count or end date, and
    for an open-ended series up to `open_ended_for` after its first start; with `never_after`,
    no start later than that after the first, whatever the rule says."""
    start = activity.start
    if start is None:
        return
    rule = activity.recurrence
    if rule.frequency == "none":
        yield start
        return
    limits = [until_local(activity)]
    if rule.until is None and rule.count is None:
        limits.append(start + open_ended_for)
    if never_after is not None:
        limits.append(start + never_after)
    limit = min((moment for moment in limits if moment is not None), default=None)
    every = dt.timedelta(weeks=2 if rule.frequency == "fortnightly" else 1)
    produced, step = 0, 0
    while rule.count is None or produced < rule.count:
        moment = add_months(start, step) if rule.frequency == "monthly" else start + every * step
        step += 1
        if moment is None:
            continue
        if limit is not None and moment > limit:
            return
        produced += 1
        yield moment


def to_utc(activity: Activity, local: dt.datetime) -> dt.datetime:
    """A local start of `activity` as a UTC moment, read in the activity's own time zone.

    fold=0: a repeated local hour means its first pass, a skipped one is read with the offset
    from before the change, as RFC 5545 calendars do.
    """
    from zoneinfo import ZoneInfo

    return local.replace(tzinfo=ZoneInfo(activity.timezone)).astimezone(dt.UTC)
