"""The local starts of a repeating activity, as its RRULE in schedule.ics expands them."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from sigworkbook.plan.model import Activity

ORDINALS = ("first", "second", "third", "fourth", "fifth")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def add_months(start: dt.datetime, months: int) -> dt.datetime | None:
    """The same day and time `months` later, or None when that month has no such day (RFC 5545)."""
    year, month = _month_after(start, months)
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return start.replace(year=year, month=month)


def _month_after(start: dt.datetime, months: int) -> tuple[int, int]:
    index = start.month - 1 + months
    return start.year + index // 12, index % 12 + 1


def week_of_month(day: dt.date) -> int:
    """Which of its month's weekdays of that kind `day` is: 1 for the first Tuesday, ... 5."""
    return (day.day - 1) // 7 + 1


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> int | None:
    """The day of the month of its `nth` `weekday` (0 = Monday; -1 = the last), or None."""
    first_weekday, days = calendar.monthrange(year, month)
    if nth == -1:
        last_weekday = (first_weekday + days - 1) % 7
        return days - (last_weekday - weekday) % 7
    day = 1 + (weekday - first_weekday) % 7 + 7 * (nth - 1)
    return day if day <= days else None


def monthly_position(activity: Activity) -> tuple[int, int] | None:
    """(nth, weekday) of a monthly-by-weekday series, from its first date (nth -1 = the last);
    None for any other series or without a date."""
    rule, start = activity.recurrence, activity.start
    if start is None or rule.frequency != "monthly" or rule.monthly_by == "date":
        return None
    nth = -1 if rule.monthly_by == "last_weekday" else week_of_month(start.date())
    return nth, start.weekday()


def position_text(nth: int, weekday: int) -> str:
    """'first Tuesday', 'last Thursday'."""
    return f"{'last' if nth == -1 else ORDINALS[nth - 1]} {WEEKDAYS[weekday]}"


def _monthly(
    start: dt.datetime, months: int, position: tuple[int, int] | None
) -> dt.datetime | None:
    if position is None:
        return add_months(start, months)
    year, month = _month_after(start, months)
    day = nth_weekday(year, month, position[1], position[0])
    return None if day is None else start.replace(year=year, month=month, day=day)


def until_local(activity: Activity) -> dt.datetime | None:
    """The last moment (local time) an occurrence may start: the end of the recurrence's date."""
    until = activity.recurrence.until
    return dt.datetime.combine(until, dt.time(23, 59, 59)) if until is not None else None


def local_starts(
    activity: Activity, *, open_ended_for: dt.timedelta, never_after: dt.timedelta | None = None
) -> Iterator[dt.datetime]:
    """Every start (local, naive) of a dated activity, in order: to its count or end date, and
    for an open-ended series up to `open_ended_for` after its first start; with `never_after`,
    no start later than that after the first, whatever the rule says.

    A monthly series repeats on the same date (a month without that date is skipped), or on
    the same weekday: the nth (a month without a fifth one is skipped) or the last."""
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
    position = monthly_position(activity)
    produced, step, missed = 0, 0, 0
    while rule.count is None or produced < rule.count:
        if rule.frequency == "monthly":
            moment = _monthly(start, step, position)
        else:
            moment = start + every * step
        step += 1
        if moment is None:
            missed += 1
            if missed > 48:  # e.g. 31 February can never happen: stop rather than loop
                return
            continue
        missed = 0
        if moment < start:
            continue  # the last Thursday of the first month may come before the first date
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
