"""Monthly repeats by weekday ("the first Tuesday", "the last Thursday") and by date: expanded as
dateutil's rrule expands the same RFC 5545 rule, exported with BYDAY, worded once, gaps named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
from dateutil.rrule import MONTHLY, rrule, rrulestr, weekday
from hypothesis import given, settings
from hypothesis import strategies as st

from sigworkbook.exports import context
from sigworkbook.exports.ics import schedule_ics
from sigworkbook.plan import wording
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import Activity, Plan
from sigworkbook.plan.recurrence import local_starts, nth_weekday
from sigworkbook.ui.schedule_table import schedule_rows

YEARS = dt.timedelta(days=3 * 366)


def monthly(start: str, by: str, **rule: Any) -> Activity:
    return Activity.model_validate(
        {
            "id": "huddle1",
            "title": "Huddle",
            "start": start,
            "recurrence": {"frequency": "monthly", "monthly_by": by, **rule},
        }
    )


def starts(activity: Activity) -> list[dt.datetime]:
    return list(local_starts(activity, open_ended_for=YEARS))


def test_the_first_tuesday_from_tuesday_5_january_2027() -> None:
    huddle = monthly("2027-01-05T18:00", "weekday", count=6)
    assert [d.date() for d in starts(huddle)] == [
        dt.date(2027, 1, 5),
        dt.date(2027, 2, 2),
        dt.date(2027, 3, 2),
        dt.date(2027, 4, 6),
        dt.date(2027, 5, 4),
        dt.date(2027, 6, 1),
    ]
    assert all(d.weekday() == 1 and d.hour == 18 for d in starts(huddle))
    assert wording.repeats_text(huddle) == "Monthly on the first Tuesday, 6 times"


def test_the_last_thursday_and_by_date() -> None:
    late = monthly("2027-01-28T12:30", "last_weekday", until="2027-05-31")
    assert [d.day for d in starts(late)] == [28, 25, 25, 29, 27]
    assert wording.repeats_text(late) == "Monthly on the last Thursday until 31 May 2027"
    by_date = monthly("2027-01-05T18:00", "date", count=3)
    assert [d.date() for d in starts(by_date)] == [
        dt.date(2027, 1, 5),
        dt.date(2027, 2, 5),
        dt.date(2027, 3, 5),
    ]
    assert wording.repeats_text(by_date) == "Monthly on the 5th, 3 times"


@settings(max_examples=150, deadline=None)
@given(
    day=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2032, 12, 31)),
    by=st.sampled_from(["date", "weekday", "last_weekday"]),
    count=st.integers(min_value=1, max_value=40),
)
def test_expansion_matches_dateutils_rrule(day: dt.date, by: str, count: int) -> None:
    if by == "last_weekday":  # the first date is the last such weekday of its month
        day = day.replace(day=nth_weekday(day.year, day.month, day.weekday(), -1) or 1)
    first = dt.datetime.combine(day, dt.time(18, 0))
    ours = starts(monthly(first.isoformat(), by, count=count))
    if by == "date":
        theirs = list(rrule(MONTHLY, dtstart=first, count=count, bymonthday=day.day))
    else:
        nth = -1 if by == "last_weekday" else (day.day - 1) // 7 + 1
        theirs = list(
            rrule(MONTHLY, dtstart=first, count=count, byweekday=weekday(day.weekday(), nth))
        )
    assert ours == theirs


@pytest.mark.parametrize(
    ("start", "by", "byday", "words"),
    [
        ("2027-01-05T18:00", "weekday", "1TU", "first Tuesday"),
        ("2027-01-28T18:00", "last_weekday", "-1TH", "last Thursday"),
        ("2027-01-21T18:00", "weekday", "3TH", "third Thursday"),
    ],
)
def test_ics_carries_byday_and_calendars_expand_it_the_same(
    start: str, by: str, byday: str, words: str
) -> None:
    activity = monthly(start, by, count=8)
    plan = Plan.model_validate(
        {"id": "walkers", "schedule": {"activities": [activity.model_dump(mode="json")]}}
    )
    data = schedule_ics(plan, revision=3, exported_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    event = next(c for c in icalendar.Calendar.from_ical(data).walk("VEVENT"))
    rule = event["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYDAY"] == [byday]
    first = event["DTSTART"].dt.replace(tzinfo=None)
    expanded = list(rrulestr(rule.to_ical().decode(), dtstart=first))
    assert expanded == starts(activity)
    # The charter (export context) and the schedule table say it in the same words.
    row = context.build(plan, revision=3, exported_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))[
        "activities"
    ][0]
    assert row.repeats == f"Monthly on the {words}, 8 times"
    assert schedule_rows(plan)[0].repeats == row.repeats


def test_by_date_says_so_when_it_falls_on_a_weekend_and_by_weekday_does_not() -> None:
    def gaps(activity: Activity) -> list[str]:
        plan = Plan.model_validate(
            {"id": "walkers", "schedule": {"activities": [activity.model_dump(mode="json")]}}
        )
        return [g.message for g in check(plan)["schedule"].gaps]

    by_date = gaps(monthly("2027-01-05T18:00", "date", count=12))
    weekend = [m for m in by_date if "weekend" in m]
    assert weekend == [
        "'Huddle' repeats on the 5th, which falls on a weekend 3 times (first Sat 5 Jun 2027); "
        "to keep it on a Tuesday, repeat it on the same weekday"
    ]
    assert not [m for m in gaps(monthly("2027-01-05T18:00", "weekday", count=12)) if "weekend" in m]
    fifth = gaps(monthly("2027-03-30T18:00", "weekday", count=3))
    assert any("fifth Tuesday" in m and "last Tuesday" in m for m in fifth)
    not_last = gaps(monthly("2027-01-21T18:00", "last_weekday", count=3))
    assert any("not the last Thursday" in m for m in not_last)
    thirty_first = gaps(monthly("2027-03-31T18:00", "date", count=3))
    assert any("months without that date are skipped" in m for m in thirty_first)
