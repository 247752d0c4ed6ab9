"""Dates, times, durations and repeats of activities in words: one wording for pages and exports."""

from __future__ import annotations

import datetime as dt

from sigworkbook.plan.model import FREQUENCY_LABELS, Activity
from sigworkbook.plan.recurrence import monthly_position, position_text

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_DASH = "\u2013"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZONE_WORDS = {"Europe/London": "UK time", "GB": "UK time", "Europe/Belfast": "UK time"}
_UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "GMT"})


def zone_in_words(zone: str) -> str:
    """A time zone as people say it: 'UK time' for Europe/London, else its city ('Paris time',
    'New York time'), 'UTC' for UTC; never the IANA name with its slash and underscores."""
    if zone in _ZONE_WORDS:
        return _ZONE_WORDS[zone]
    if zone in _UTC_ZONES or zone.startswith("Etc/"):
        return "UTC" if zone in _UTC_ZONES else zone.removeprefix("Etc/")
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time"


def long_date(day: dt.date) -> str:
    """A date as '12 January 2027', the same in every locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """A date with its weekday, as 'Tue 12 Jan 2027'."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def duration_text(minutes: int) -> str:
    """A duration as '45 min', '1 h' or '2 h 30 min'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def when_text(activity: Activity, start: dt.datetime) -> str:
    """When one occurrence happens, in the activity's own time zone."""
    end = start + dt.timedelta(minutes=activity.duration_minutes)
    if end.date() == start.date():
        span = f"{short_date(start.date())}, {start:%H:%M}{EN_DASH}{end:%H:%M}"
    else:
        span = f"{short_date(start.date())}, {start:%H:%M} {EN_DASH} {short_date(end.date())}, {end:%H:%M}"
    return f"{span} ({zone_in_words(activity.timezone)})"


def repeats_text(activity: Activity) -> str:
    """How an activity repeats, e.g. 'Monthly on the first Tuesday, 6 times' or 'Weekly until
    30 June 2027': the same words in the charter, the exports and the schedule table."""
    rule = activity.recurrence
    text = FREQUENCY_LABELS[rule.frequency]
    if rule.frequency == "none":
        return text
    if rule.frequency == "monthly":
        text = f"{text} {monthly_text(activity)}".rstrip()
    if rule.count is not None:
        return f"{text}, {rule.count} time{'s' if rule.count != 1 else ''}"
    if rule.until is not None:
        return f"{text} until {long_date(rule.until)}"
    return text


def day_of_month(day: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 31st."""
    suffix = "th" if day % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def monthly_text(activity: Activity) -> str:
    """Which day of each month a monthly activity falls on: 'on the 5th', 'on the first
    Tuesday', 'on the last Thursday' ('' without a first date to count from)."""
    start = activity.start
    if start is None:
        return ""
    position = monthly_position(activity)
    if position is None:
        return f"on the {day_of_month(start.day)}"
    return f"on the {position_text(*position)}"
