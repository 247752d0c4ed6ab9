"""gaps.clashes: every occurrence of repeating activities is compared, in real (UTC) time."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import MONTHLY, WEEKLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sigworkbook.exports import timing
from sigworkbook.plan import gaps
from sigworkbook.plan.gaps import clashes
from sigworkbook.plan.model import Activity

MONDAY = dt.datetime(2027, 1, 4, 10, 0)
"""Monday 4 January 2027, 10:00: where most series below begin."""


def act(
    start: dt.datetime | None,
    *,
    zone: str = "Europe/London",
    minutes: int = 60,
    frequency: str = "none",
    count: int | None = None,
    until: dt.date | None = None,
    status: str = "planned",
) -> Activity:
    return Activity.model_validate(
        {
            "title": f"{frequency} {start}",
            "start": start,
            "timezone": zone,
            "duration_minutes": minutes,
            "recurrence": {"frequency": frequency, "count": count, "until": until},
            "status": status,
        }
    )


def test_a_weekly_series_clashes_with_a_one_off_in_its_second_week() -> None:
    weekly = act(MONDAY, frequency="weekly")
    one_off = act(dt.datetime(2027, 1, 11, 10, 0))
    assert clashes([weekly, one_off]) == [(0, 1)]
    assert clashes([one_off, weekly]) == [(0, 1)]


@pytest.mark.parametrize(
    ("frequency", "day", "expected"),
    [
        ("fortnightly", 11, []),  # the series skips the week of 11 January
        ("fortnightly", 18, [(0, 1)]),
        ("weekly", 11, [(0, 1)]),
    ],
)
def test_a_fortnightly_series_skips_every_other_week(
    frequency: str, day: int, expected: list[tuple[int, int]]
) -> None:
    series = act(MONDAY, frequency=frequency)
    assert clashes([series, act(dt.datetime(2027, 1, day, 10, 0))]) == expected


@pytest.mark.parametrize(
    ("one_off", "expected"),
    [
        (dt.datetime(2027, 2, 28, 10, 0), []),  # February has no 31st: skipped, not moved
        (dt.datetime(2027, 3, 31, 10, 30), [(0, 1)]),
        (dt.datetime(2027, 4, 30, 10, 0), []),
        (dt.datetime(2027, 5, 31, 10, 0), [(0, 1)]),  # the third time (skipped months not counted)
        (dt.datetime(2027, 7, 31, 10, 0), []),  # after the third time
    ],
)
def test_monthly_on_the_31st_happens_only_in_months_with_a_31st(
    one_off: dt.datetime, expected: list[tuple[int, int]]
) -> None:
    monthly = act(dt.datetime(2027, 1, 31, 10, 0), frequency="monthly", count=3)
    assert clashes([monthly, act(one_off)]) == expected


@pytest.mark.parametrize(("count", "expected"), [(2, []), (3, [(0, 1)])])
def test_a_series_ended_by_count_stops_clashing(
    count: int, expected: list[tuple[int, int]]
) -> None:
    weekly = act(MONDAY, frequency="weekly", count=count)  # 4, 11, (18) January
    assert clashes([weekly, act(dt.datetime(2027, 1, 18, 10, 0))]) == expected


@pytest.mark.parametrize(
    ("until", "expected"),
    [(dt.date(2027, 1, 17), []), (dt.date(2027, 1, 18), [(0, 1)])],
)
def test_a_series_ended_by_date_stops_clashing(
    until: dt.date, expected: list[tuple[int, int]]
) -> None:
    weekly = act(MONDAY, frequency="weekly", until=until)
    assert clashes([weekly, act(dt.datetime(2027, 1, 18, 10, 0))]) == expected


@pytest.mark.parametrize(
    ("paris", "expected"),
    [
        (dt.datetime(2027, 1, 4, 11, 0), [(0, 1)]),  # the same hour in real time
        (dt.datetime(2027, 1, 4, 10, 0), []),  # 09:00-10:00 UTC, ends as London starts
        (dt.datetime(2027, 1, 25, 11, 30), [(0, 1)]),  # a later week of the London series
    ],
)
def test_time_zones_are_compared_in_real_time(
    paris: dt.datetime, expected: list[tuple[int, int]]
) -> None:
    london = act(MONDAY, frequency="weekly")
    assert clashes([london, act(paris, zone="Europe/Paris")]) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.datetime(2027, 1, 18, 11, 0), []),  # starts as the series ends
        (dt.datetime(2027, 1, 18, 10, 59), [(0, 1)]),
        (dt.datetime(2027, 1, 18, 9, 30), []),  # ends as the series starts
        (dt.datetime(2027, 1, 18, 9, 31), [(0, 1)]),
    ],
)
def test_ending_as_the_other_starts_is_no_clash(
    start: dt.datetime, expected: list[tuple[int, int]]
) -> None:
    weekly = act(MONDAY, frequency="weekly")  # 10:00-11:00
    assert clashes([weekly, act(start, minutes=30)]) == expected


def test_cancelled_and_undated_activities_never_clash() -> None:
    weekly = act(MONDAY, frequency="weekly")
    cancelled_series = act(MONDAY, frequency="weekly", status="cancelled")
    cancelled_one_off = act(dt.datetime(2027, 1, 11, 10, 0), status="cancelled")
    undated = act(None)
    assert clashes([cancelled_series, weekly, cancelled_one_off, undated]) == []
    done = act(dt.datetime(2027, 1, 11, 10, 0), status="done")
    assert clashes([cancelled_series, weekly, done]) == [(1, 2)]


def test_a_weekly_series_across_the_clock_change_keeps_its_local_time() -> None:
    # London goes to summer time on Sunday 28 March 2027: 10:00 is then 09:00 UTC.
    weekly = act(dt.datetime(2027, 3, 1, 10, 0), frequency="weekly")
    after = dt.datetime(2027, 3, 29, 9, 0)
    assert clashes([weekly, act(after, zone="UTC")]) == [(0, 1)]
    assert clashes([weekly, act(after.replace(hour=10), zone="UTC")]) == []


@pytest.mark.parametrize(("count", "expected"), [(2, []), (3, [(0, 1)])])
def test_series_clash_only_between_the_us_and_uk_clock_changes(
    count: int, expected: list[tuple[int, int]]
) -> None:
    # New York changes on 14 March 2027, London on 28 March: for two weeks, 11:00 in New
    # York is 15:00 in London. Before that, the New York call starts as London's ends.
    london = act(dt.datetime(2027, 3, 1, 15, 0), frequency="weekly", count=count)
    new_york = act(dt.datetime(2027, 3, 1, 11, 0), zone="America/New_York", frequency="weekly")
    assert clashes([london, new_york]) == expected


def test_a_skipped_local_time_is_read_with_the_offset_before_the_change() -> None:
    # 01:30 on 28 March 2027 does not happen in London; RFC 5545 reads it as 01:30 GMT.
    weekly = act(dt.datetime(2027, 3, 21, 1, 30), frequency="weekly", count=2)
    assert clashes([weekly, act(dt.datetime(2027, 3, 28, 2, 0), zone="UTC")]) == [(0, 1)]
    assert clashes([weekly, act(dt.datetime(2027, 3, 28, 0, 30), zone="UTC")]) == []


@pytest.mark.parametrize(
    ("one_off", "expected"),
    [
        (dt.datetime(2028, 1, 3, 10, 0), [(0, 1)]),  # 364 days on: inside the horizon
        (dt.datetime(2028, 1, 10, 10, 0), []),  # 371 days on: beyond it
        (dt.datetime(2029, 1, 1, 10, 0), []),  # two years on
    ],
)
def test_an_open_ended_series_is_followed_for_one_year(
    one_off: dt.datetime, expected: list[tuple[int, int]]
) -> None:
    open_ended = act(MONDAY, frequency="weekly")
    assert clashes([open_ended, act(one_off)]) == expected
    # Given an end date, the same series is followed to it.
    ended = act(MONDAY, frequency="weekly", until=dt.date(2029, 12, 31))
    assert clashes([ended, act(one_off)]) == [(0, 1)]


def test_at_most_520_occurrences_of_a_series_are_compared() -> None:
    weekly = act(MONDAY, frequency="weekly", until=dt.date(2040, 12, 31))
    last = MONDAY + dt.timedelta(weeks=519)
    assert clashes([weekly, act(last)]) == [(0, 1)]
    assert clashes([weekly, act(last + dt.timedelta(weeks=1))]) == []


def test_each_pair_is_reported_once_in_order() -> None:
    a = act(MONDAY, frequency="weekly", count=10)
    b = act(MONDAY + dt.timedelta(minutes=30), frequency="weekly", count=10)
    c = act(dt.datetime(2027, 1, 25, 10, 45))
    d = act(dt.datetime(2027, 1, 26, 10, 0))
    assert clashes([c, d, a, b]) == [(0, 2), (0, 3), (2, 3)]


@pytest.mark.parametrize(
    "rule",
    [
        {"frequency": "monthly", "count": 9},
        {"frequency": "monthly", "until": dt.date(2029, 3, 31)},
        {"frequency": "fortnightly", "until": dt.date(2027, 12, 31)},
        {"frequency": "weekly", "count": 60},
        {"frequency": "none"},
    ],
)
def test_compared_starts_agree_with_the_exports_expansion(rule: dict[str, object]) -> None:
    activity = act(dt.datetime(2027, 1, 31, 10, 0), **rule)  # type: ignore[arg-type]
    assert list(gaps._compared_starts(activity)) == list(timing.occurrences(activity))


def test_open_ended_compared_starts_are_the_exports_expansion_cut_at_one_year() -> None:
    activity = act(dt.datetime(2028, 1, 31, 10, 0), frequency="monthly")
    expected = itertools.takewhile(
        lambda moment: moment < dt.datetime(2029, 1, 30, 10, 0), timing.occurrences(activity)
    )
    compared = list(gaps._compared_starts(activity))
    assert compared == list(expected)
    assert [moment.month for moment in compared] == [1, 3, 5, 7, 8, 10, 12]


# A reference: every occurrence expanded by dateutil, compared pairwise in UTC.

_FREQ = {"weekly": (WEEKLY, 1), "fortnightly": (WEEKLY, 2), "monthly": (MONTHLY, 1)}


def _reference_spans(activity: Activity) -> list[tuple[dt.datetime, dt.datetime]]:
    start, rule = activity.start, activity.recurrence
    assert start is not None
    if rule.frequency == "none":
        starts = [start]
    else:
        freq, interval = _FREQ[rule.frequency]
        until = (
            dt.datetime.combine(rule.until, dt.time(23, 59, 59)) if rule.until is not None else None
        )
        if rule.count is None and until is None:
            until = start + dt.timedelta(days=365) - dt.timedelta(microseconds=1)
        starts = list(rrule(freq, interval=interval, count=rule.count, until=until, dtstart=start))
    zone = ZoneInfo(activity.timezone)
    length = dt.timedelta(minutes=activity.duration_minutes)
    utc = [moment.replace(tzinfo=zone).astimezone(dt.UTC) for moment in starts]
    return [(moment, moment + length) for moment in utc]


def _reference(activities: list[Activity]) -> list[tuple[int, int]]:
    spans = [
        _reference_spans(a) if a.start is not None and a.status != "cancelled" else []
        for a in activities
    ]
    return [
        (i, j)
        for i, j in itertools.combinations(range(len(activities)), 2)
        if any(s1 < e2 and s2 < e1 for s1, e1 in spans[i] for s2, e2 in spans[j])
    ]


def _valid_or_none(start: dt.datetime, **fields: object) -> Activity | None:
    """The activity, or None when its start falls in a skipped hour (the model refuses it)."""
    try:
        return act(start, **fields)  # type: ignore[arg-type]
    except ValidationError:
        return None


_activities = st.builds(
    _valid_or_none,
    st.datetimes(min_value=dt.datetime(2027, 1, 1), max_value=dt.datetime(2027, 4, 1)).map(
        lambda moment: moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)
    ),
    zone=st.sampled_from(["Europe/London", "Europe/Paris", "America/New_York", "UTC"]),
    minutes=st.sampled_from([30, 60, 90, 24 * 60]),
    frequency=st.sampled_from(["none", "weekly", "fortnightly", "monthly"]),
    count=st.none() | st.integers(1, 8),
    status=st.sampled_from(["planned", "planned", "cancelled"]),
).filter(lambda activity: activity is not None)


@settings(max_examples=60, deadline=None)
@given(st.lists(_activities, max_size=5))
def test_clashes_match_a_pairwise_comparison_of_every_occurrence(
    activities: list[Activity],
) -> None:
    assert clashes(activities) == _reference(activities)
