"""schedule.ics: every dated activity as an RFC 5545 VEVENT, built with the icalendar library."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import icalendar

from sigworkbook.exports import timing
from sigworkbook.plan import catalogues
from sigworkbook.plan.model import Activity, Plan
from sigworkbook.plan.recurrence import monthly_position, until_local

PRODID = "-//sigworkbook//SIG schedule//EN"
_FREQ = {"weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1)}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def event_uid(activity: Activity, plan: Plan) -> str:
    """The event's UID: the same in every export, so calendars update rather than duplicate."""
    return f"{activity.id}@{plan.id}.sigworkbook"


def _is_utc(activity: Activity) -> bool:
    return activity.timezone in timing.UTC_NAMES


def _start(activity: Activity, start: dt.datetime) -> dt.datetime:
    if _is_utc(activity):
        return start.replace(tzinfo=dt.UTC)
    return start.replace(tzinfo=ZoneInfo(activity.timezone))


def _rrule(activity: Activity) -> icalendar.vRecur | None:
    rule = activity.recurrence
    if rule.frequency == "none":
        return None
    freq, interval = _FREQ[rule.frequency]
    recur = icalendar.vRecur()
    recur["FREQ"] = freq
    if interval != 1:
        recur["INTERVAL"] = interval
    position = monthly_position(activity)
    if position is not None:  # the first Tuesday (1TU), the last Thursday (-1TH)
        nth, weekday = position
        recur["BYDAY"] = f"{nth}{_DAYS[weekday]}"
    if rule.count is not None:
        recur["COUNT"] = rule.count
    until = until_local(activity)
    if until is not None:
        # With a TZID start, RFC 5545 wants UNTIL in UTC: the end of the last day, local time.
        recur["UNTIL"] = _start(activity, until).astimezone(dt.UTC)
    return recur


def _description(activity: Activity) -> str:
    active = catalogues.active()
    parts = [active.label("activity_types", activity.type)]
    if activity.notes.strip():
        parts.append(activity.notes.strip())
    if activity.hashtag:
        parts.append(f"Hashtag: {activity.hashtag}")
    if activity.owner.strip():
        parts.append(f"Owner: {activity.owner.strip()}")
    return "\n\n".join(parts)


def _event(
    activity: Activity, uid: str, start: dt.datetime, stamp: dt.datetime, revision: int
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", revision)
    event.add("dtstart", _start(activity, start))
    event.add("duration", dt.timedelta(minutes=activity.duration_minutes))
    recur = _rrule(activity)
    if recur is not None:
        event.add("rrule", recur)
    title = activity.title.strip() or catalogues.active().label("activity_types", activity.type)
    event.add("summary", title)
    event.add("description", _description(activity))
    if activity.location.strip():
        event.add("location", activity.location.strip())
    if activity.link:
        event.add("url", activity.link)
    event.add("categories", [catalogues.active().label("activity_types", activity.type)])
    event.add("status", "CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
    return event


def _zone_range(activities: list[Activity]) -> tuple[dt.date, dt.date]:
    """From January of the first start's year to the year after the last occurrence."""
    starts = [a.start for a in activities if a.start is not None]
    lasts = [timing.last_occurrence(a) or a.start for a in activities if a.start is not None]
    first = min(starts).year
    last = max(moment.year for moment in lasts if moment is not None)
    return dt.date(first, 1, 1), dt.date(last + 2, 1, 1)


def schedule_ics(plan: Plan, *, revision: int, exported_at: dt.datetime) -> bytes:
    """The plan's dated activities as an iCalendar file; undated ones are left out."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = plan.identity.name.strip() or plan.id
    calendar.add("x-wr-calname", name)
    dated = [(a, a.start) for a in plan.schedule.activities if a.start is not None]
    zones = sorted({a.timezone for a, _ in dated if not _is_utc(a)})
    for zone in zones:
        first, last = _zone_range([a for a, _ in dated if a.timezone == zone])
        calendar.add_component(icalendar.Timezone.from_tzid(zone, first_date=first, last_date=last))
    stamp = exported_at.astimezone(dt.UTC)
    seen: set[str] = set()
    for activity, start in dated:
        uid = event_uid(activity, plan)
        if uid in seen:  # a row id used twice (an edited import): later rows get a suffix
            uid = next(
                u
                for n in itertools.count(2)
                if (u := f"{activity.id}-{n}@{plan.id}.sigworkbook") not in seen
            )
        seen.add(uid)
        calendar.add_component(_event(activity, uid, start, stamp, revision))
    data: bytes = calendar.to_ical()
    return data
