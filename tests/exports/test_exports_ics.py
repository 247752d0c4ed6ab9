"""schedule.ics read back with the icalendar library, recurrences expanded with dateutil."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import strategies
from dateutil.rrule import rrulestr
from hostile import HOSTILE, one_line
from hypothesis import HealthCheck, given, settings

from sigworkbook import exports
from sigworkbook.exports import timing
from sigworkbook.plan import catalogues
from sigworkbook.plan.model import Plan

EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
SIG = "walkers"


def activity(row_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": row_id, "title": f"Activity {row_id}", **fields}


ACTIVITIES = [
    # weekly across the change to summer time in London
    activity(
        "weekly1",
        start="2027-03-16T18:00:00",
        timezone="Europe/London",
        duration_minutes=90,
        recurrence={"frequency": "weekly", "count": 4},
        location="online",
        link="https://example.org/call",
    ),
    # fortnightly until a date, which is itself an occurrence
    activity(
        "fortnight1",
        start="2027-01-04T09:00:00",
        timezone="America/New_York",
        recurrence={"frequency": "fortnightly", "until": "2027-02-15"},
    ),
    # monthly on the 31st: months without one are skipped (RFC 5545)
    activity(
        "monthly31",
        start="2027-01-31T12:00:00",
        timezone="Australia/Sydney",
        duration_minutes=45,
        recurrence={"frequency": "monthly", "count": 4},
    ),
    activity("utc00001", start="2027-05-01T08:00:00", timezone="UTC", duration_minutes=30),
    activity("cancel01", start="2027-06-01T10:00:00", status="cancelled"),
    activity(
        "forever1",
        start="2027-02-10T19:00:00",
        timezone="Europe/Paris",
        recurrence={"frequency": "monthly"},
    ),
    activity("nodate01"),
]

EXPECTED_STARTS = {
    "weekly1": [dt.datetime(2027, 3, d, 18, 0) for d in (16, 23, 30)]
    + [dt.datetime(2027, 4, 6, 18)],
    "fortnight1": [dt.datetime(2027, m, d, 9, 0) for m, d in ((1, 4), (1, 18), (2, 1), (2, 15))],
    "monthly31": [dt.datetime(2027, m, 31, 12, 0) for m in (1, 3, 5, 7)],
    "utc00001": [dt.datetime(2027, 5, 1, 8, 0)],
    "cancel01": [dt.datetime(2027, 6, 1, 10, 0)],
}


def plan_with(activities: list[dict[str, Any]], name: str = "Walkers") -> Plan:
    return Plan.model_validate(
        {"id": SIG, "identity": {"name": name}, "schedule": {"activities": activities}}
    )


def export(plan: Plan, **options: Any) -> bytes:
    options.setdefault("revision", 3)
    options.setdefault("exported_at", EXPORTED_AT)
    return exports.render("ics", plan, **options)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in parse(data).walk("VEVENT")}


def expand(event: icalendar.Event, limit: int = 50) -> list[dt.datetime]:
    """The event's starts as calendar software computes them (dateutil), local wall times."""
    start = event.decoded("DTSTART")
    if "RRULE" not in event:
        return [start.replace(tzinfo=None)]
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    return [moment.replace(tzinfo=None) for moment in itertools.islice(rule, limit)]


def test_every_dated_activity_is_an_event_with_its_time_zone_duration_and_recurrence() -> None:
    plan = plan_with(ACTIVITIES)
    found = events(export(plan))
    dated = [a for a in plan.schedule.activities if a.start is not None]
    assert sorted(found) == sorted(f"{a.id}@{SIG}.sigworkbook" for a in dated)
    for a in dated:
        event = found[f"{a.id}@{SIG}.sigworkbook"]
        start = event.decoded("DTSTART")
        if a.timezone == "UTC":
            assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)
            assert "TZID" not in event["DTSTART"].params
            assert event["DTSTART"].to_ical().endswith(b"Z")
        else:
            assert event["DTSTART"].params["TZID"] == a.timezone
            assert start.tzinfo == ZoneInfo(a.timezone)
        assert start.replace(tzinfo=None) == a.start
        assert event.decoded("DURATION") == dt.timedelta(minutes=a.duration_minutes)
        assert "DTEND" not in event
        assert str(event["SUMMARY"]) == a.title
        assert event.decoded("DTSTAMP") == EXPORTED_AT
        status = "CANCELLED" if a.status == "cancelled" else "CONFIRMED"
        assert str(event["STATUS"]) == status
        label = catalogues.active().label("activity_types", a.type)
        assert str(event["DESCRIPTION"]).startswith(label)
        if a.link:
            assert str(event["URL"]) == a.link
        if a.location:
            assert str(event["LOCATION"]) == a.location
        if a.id in EXPECTED_STARTS:
            assert expand(event) == EXPECTED_STARTS[a.id]


def test_recurrence_rules_are_written_as_rfc_5545_wants() -> None:
    found = events(export(plan_with(ACTIVITIES)))
    weekly = found[f"weekly1@{SIG}.sigworkbook"]["RRULE"]
    assert weekly["FREQ"] == ["WEEKLY"] and weekly["COUNT"] == [4] and "INTERVAL" not in weekly
    fortnightly = found[f"fortnight1@{SIG}.sigworkbook"]["RRULE"]
    assert fortnightly["FREQ"] == ["WEEKLY"] and fortnightly["INTERVAL"] == [2]
    # with a TZID start, UNTIL is UTC: the end of the last day in New York
    until = fortnightly["UNTIL"][0]
    end_of_day = dt.datetime(2027, 2, 15, 23, 59, 59, tzinfo=ZoneInfo("America/New_York"))
    assert until == end_of_day.astimezone(dt.UTC)
    forever = found[f"forever1@{SIG}.sigworkbook"]
    assert forever["RRULE"]["FREQ"] == ["MONTHLY"]
    assert "COUNT" not in forever["RRULE"] and "UNTIL" not in forever["RRULE"]
    assert expand(forever, 3) == [dt.datetime(2027, m, 10, 19, 0) for m in (2, 3, 4)]
    assert "RRULE" not in found[f"utc00001@{SIG}.sigworkbook"]


def test_summer_time_moves_the_utc_instant_not_the_local_time() -> None:
    event = events(export(plan_with(ACTIVITIES)))[f"weekly1@{SIG}.sigworkbook"]
    start = event.decoded("DTSTART")
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    instants = [moment.astimezone(dt.UTC).hour for moment in rule]
    assert instants == [18, 18, 17, 17]


def test_a_vtimezone_for_each_zone_used_and_none_for_utc() -> None:
    calendar = parse(export(plan_with(ACTIVITIES)))
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    used = {
        str(e["DTSTART"].params["TZID"])
        for e in calendar.walk("VEVENT")
        if "TZID" in e["DTSTART"].params
    }
    assert (
        zones == used == {"Europe/London", "America/New_York", "Australia/Sydney", "Europe/Paris"}
    )
    london = next(tz for tz in calendar.walk("VTIMEZONE") if tz["TZID"] == "Europe/London")
    # the VTIMEZONE alone (not the local tz database) maps a summer date to UTC+1
    zone = london.to_tz()
    assert dt.datetime(2027, 7, 1, 12, tzinfo=zone).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2027, 1, 1, 12, tzinfo=zone).utcoffset() == dt.timedelta(0)


def test_uids_stay_the_same_across_exports() -> None:
    plan = plan_with(ACTIVITIES)
    first = events(export(plan, revision=3, exported_at=EXPORTED_AT))
    later = dt.datetime(2027, 9, 1, 12, tzinfo=dt.UTC)
    second = events(export(plan, revision=9, exported_at=later))
    assert sorted(first) == sorted(second)
    assert all(e.decoded("DTSTAMP") == later for e in second.values())
    assert all(int(e["SEQUENCE"]) == 9 for e in second.values())


def test_activities_without_a_start_are_left_out() -> None:
    plan = plan_with([activity("nodate01"), activity("nodate02")])
    calendar = parse(export(plan))
    assert calendar.walk("VEVENT") == [] and calendar.walk("VTIMEZONE") == []
    assert str(calendar["X-WR-CALNAME"]) == "Walkers"


def test_a_row_id_used_twice_still_gives_distinct_stable_uids() -> None:
    twice = [
        activity("same01", start="2027-03-01T10:00:00"),
        activity("same01", start="2027-04-01T10:00:00"),
    ]
    plan = plan_with(twice)
    uids = [str(e["UID"]) for e in parse(export(plan)).walk("VEVENT")]
    assert uids == [f"same01@{SIG}.sigworkbook", f"same01-2@{SIG}.sigworkbook"]
    assert uids == [str(e["UID"]) for e in parse(export(plan, revision=4)).walk("VEVENT")]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_text_is_escaped_and_folded_and_reads_back_unchanged(text: str) -> None:
    row = activity(
        "hostile1",
        title=one_line(text, 120),
        location=one_line(text, 300),
        owner=one_line(text, 80),
        notes=text,
        start="2027-03-16T18:00:00",
    )
    plan = plan_with([row], name=one_line(text, 80))
    data = export(plan)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert all(len(line) <= 75 for line in lines)
    assert lines.count(b"BEGIN:VEVENT") == 1 and lines.count(b"END:VEVENT") == 1
    assert len([line for line in lines if line.startswith(b"UID:")]) == 1
    event = events(data)[f"hostile1@{SIG}.sigworkbook"]
    a = plan.schedule.activities[0]
    label = catalogues.active().label("activity_types", a.type)
    assert str(event["SUMMARY"]) == (a.title.strip() or label)
    assert str(event.get("LOCATION", "")) == a.location.strip()
    description = str(event["DESCRIPTION"])
    assert a.notes.strip() in description
    if a.owner.strip():
        assert f"Owner: {a.owner.strip()}" in description


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.plan_documents())
def test_generated_plans_give_calendars_whose_rules_expand_like_the_schedule(
    document: dict[str, Any],
) -> None:
    plan = Plan.model_validate(document)
    data = export(plan)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    found = parse(data).walk("VEVENT")
    dated = [a for a in plan.schedule.activities if a.start is not None]
    assert len(found) == len(dated) == len({str(e["UID"]) for e in found})
    for a, event in zip(dated, found, strict=True):
        assert str(event["UID"]).startswith(a.id)
        ours = list(itertools.islice(timing.occurrences(a), 12))
        assert expand(event, 12) == ours
