"""What is still missing or weak for each step to be complete; gaps never block a save."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sigworkbook import settings
from sigworkbook.plan import catalogues, wording
from sigworkbook.plan.blank import filled, is_blank
from sigworkbook.plan.fields import field_spec, label
from sigworkbook.plan.model import CONVENER_ROLES, Activity, Plan
from sigworkbook.plan.recurrence import (
    ORDINALS,
    WEEKDAYS,
    local_starts,
    nth_weekday,
    to_utc,
    week_of_month,
)
from sigworkbook.plan.steps import STEPS


def today() -> dt.date:
    """The day from which dates count as passed: the `today` setting if set, else this day."""
    return settings.TODAY.read() or dt.date.today()


@dataclass(frozen=True)
class Gap:
    """One thing still to do: the field it concerns and what is missing."""

    step: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{label(self.path)}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class StepCheck:
    """The gaps of one step, out of how many checks it has."""

    step: str
    gaps: tuple[Gap, ...]
    total: int

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def progress(self) -> float:
        return 1.0 if self.total == 0 else (self.total - len(self.gaps)) / self.total


Rule = tuple[str, bool, str]
"""(path, passes, message when it does not)."""

StepRules = Callable[[Plan, dt.date], Iterator[Rule]]
"""A step's checks of the plan, on a given day."""

_RULES: dict[str, StepRules] = {}


class MissingRules(LookupError):
    """A step of the workbook has no gap rules: a step added without its checks."""


def rules_for(key: str) -> Callable[[StepRules], StepRules]:
    """Register the decorated function as the gap rules of the step `key` (one per step)."""

    def register(rules: StepRules) -> StepRules:
        if key in _RULES:
            raise ValueError(f"step '{key}' has two sets of gap rules")
        _RULES[key] = rules
        return rules

    return register


def step_rules(key: str) -> StepRules:
    """The gap rules of step `key`; MissingRules naming the step when it has none."""
    try:
        return _RULES[key]
    except KeyError:
        raise MissingRules(
            f"step '{key}' has no gap rules: add a function decorated @rules_for('{key}') "
            "in plan/gaps.py (it may yield nothing)"
        ) from None


def _filled(path: str, value: str) -> Rule:
    return path, bool(value.strip()), "not written yet"


def _advised(path: str, value: str) -> Rule:
    spec = field_spec(path)
    limit = spec.advised_max or 0
    return (
        path,
        len(value) <= limit,
        f"{len(value)} characters, longer than {spec.advised_why} ({limit})",
    )


@rules_for("start")
def _start(plan: Plan, today: dt.date) -> Iterator[Rule]:
    meeting = plan.meeting
    total = sum(meeting.timeboxes.values())
    yield (
        "meeting.timeboxes",
        total == meeting.length_minutes,
        f"the timeboxes add up to {total} minutes, not the meeting's {meeting.length_minutes}",
    )


def _named(title: str, noun: str, index: int) -> str:
    """A row in a message: its title in quotes, or its noun and place counted from 1."""
    return f"'{title}'" if title.strip() else f"{noun} {index + 1}"


def _conveners(count: int) -> str:
    return (
        "no convener yet"
        if count == 0
        else "only one convener"
        if count == 1
        else f"{count} conveners"
    )


@rules_for("core")
def _core(plan: Plan, today: dt.date) -> Iterator[Rule]:
    people = filled("core_group.people", plan.core_group.people)  # blank rows count for nothing
    conveners = [p for p in people if p.role in CONVENER_ROLES]
    yield "core_group.people", len(people) >= 2, "a core group needs at least two people"
    yield (
        "core_group.people",
        len(conveners) >= 2,
        f"{_conveners(len(conveners))}; at least two share the load and cover absences",
    )
    statement = plan.statement
    yield _filled("statement.area_of_action", statement.area_of_action)
    yield _filled("statement.challenges", statement.challenges)
    yield _filled("statement.wider_help", statement.wider_help)
    yield _filled("statement.core_statement", statement.core_statement)
    yield _advised("statement.core_statement", statement.core_statement)
    yield _filled("statement.invitation", statement.invitation)
    yield _advised("statement.invitation", statement.invitation)
    yield _filled("identity.learning_question", plan.identity.learning_question)
    yield (
        "identity.key_phrases",
        len(plan.identity.key_phrases) >= 3,
        "add at least three key phrases people would search for",
    )
    check = statement.existing_groups
    yield "statement.existing_groups.decision", check.decision is not None, "no decision recorded"
    yield _filled("statement.existing_groups.reason", check.reason)


@rules_for("name")
def _name(plan: Plan, today: dt.date) -> Iterator[Rule]:
    identity = plan.identity
    yield "identity.name", bool(identity.name.strip()), "no name chosen yet"
    yield _advised("identity.name", identity.name)
    yield _filled("identity.description", identity.description)
    yield _advised("identity.description", identity.description)
    yield _filled("identity.theme", identity.theme)
    yield _filled("identity.welcome_message", identity.welcome_message)


@rules_for("charter")
def _charter(plan: Plan, today: dt.date) -> Iterator[Rule]:
    charter = plan.charter
    for name in ("purpose", "approach", "people", "evidence", "member_benefits", "values"):
        yield _filled(f"charter.{name}", getattr(charter, name))
    yield _filled("charter.membership.who_may_join", charter.membership.who_may_join)
    yield _filled("charter.rhythm", charter.rhythm)
    yield _filled("charter.channels", charter.channels)
    yield (
        "charter.measures",
        bool(filled("charter.measures", charter.measures)),
        ("no measure of success yet"),
    )
    for i, measure in enumerate(charter.measures):
        if is_blank("charter.measures", measure):
            continue
        where = f"charter.measures.{i}"
        name = _named(measure.indicator, "Measure", i)
        yield f"{where}.target", bool(measure.target.strip()), f"{name} has no target"
        yield (
            f"{where}.value_kind",
            measure.value_kind is not None,
            f"{name} has no kind of value",
        )
        if measure.review_date is not None:
            yield (
                f"{where}.review_date",
                measure.review_date >= today,
                f"{name}: its review date, {wording.long_date(measure.review_date)}, has passed",
            )
    yield "charter.risks", bool(filled("charter.risks", charter.risks)), "no risk considered yet"
    for i, risk in enumerate(charter.risks):
        if is_blank("charter.risks", risk):
            continue
        name = _named(risk.risk, "Risk", i)
        yield (
            f"charter.risks.{i}.mitigation",
            bool(risk.mitigation.strip()),
            f"{name} has no mitigation",
        )
    yield "charter.review_date", charter.review_date is not None, "no review date set"
    if charter.review_date is not None:
        yield (
            "charter.review_date",
            charter.review_date >= today,
            f"the review date, {wording.long_date(charter.review_date)}, has passed: "
            "set the next one",
        )


CLASH_HORIZON = dt.timedelta(days=365)
"""How far an open-ended series (no count, no end date) is followed when looking for clashes."""
MAX_COMPARED = 520
"""At most this many occurrences of one activity are compared (the most a count may ask for)."""


def _compared_starts(activity: Activity) -> Iterator[dt.datetime]:
    """The local starts compared for clashes: an open-ended series for CLASH_HORIZON, any
    series at most MAX_COMPARED times."""
    starts = local_starts(activity, open_ended_for=CLASH_HORIZON - dt.timedelta(microseconds=1))
    return itertools.islice(starts, MAX_COMPARED)


def _spans(index: int, activity: Activity) -> Iterator[tuple[dt.datetime, dt.datetime, int]]:
    """(start, end, index) in UTC for each compared occurrence of one activity."""
    length = dt.timedelta(minutes=activity.duration_minutes)
    for moment in _compared_starts(activity):
        start = to_utc(activity, moment)
        yield start, start + length, index


def clashes(activities: list[Activity]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, each once, of activities with any two occurrences overlapping.

    Occurrences are compared in real time (UTC), so activities in different time zones and
    across clock changes clash only when they truly overlap; one ending as the other starts
    does not clash. Cancelled and undated activities never clash. Weekly, fortnightly and
    monthly series are followed to their count or end date (at most 520 occurrences each);
    an open-ended series only for one year (365 days) from its first start, so a clash
    further ahead than that is not flagged.
    """
    spans = sorted(
        span
        for i, activity in enumerate(activities)
        if activity.status != "cancelled"
        for span in _spans(i, activity)
    )
    found: set[tuple[int, int]] = set()
    running: list[tuple[dt.datetime, int]] = []  # (end, index) of occurrences not over yet
    for start, end, i in spans:
        while running and running[0][0] <= start:
            heapq.heappop(running)
        for _, j in running:
            if j != i:
                found.add((j, i) if j < i else (i, j))
        heapq.heappush(running, (end, i))
    return sorted(found)


@rules_for("schedule")
def _schedule(plan: Plan, today: dt.date) -> Iterator[Rule]:
    activities = plan.schedule.activities
    yield (
        "schedule.activities",
        bool(filled("schedule.activities", activities)),
        "no activity planned yet",
    )
    types = catalogues.active()["activity_types"]
    for i, activity in enumerate(activities):
        if is_blank("schedule.activities", activity):
            continue
        where = f"schedule.activities.{i}"
        name = _named(activity.title, "Activity", i)
        yield f"{where}.title", bool(activity.title.strip()), f"Activity {i + 1} has no title"
        yield f"{where}.start", activity.start is not None, f"{name} has no date and time"
        yield f"{where}.owner", bool(activity.owner.strip()), f"{name} has no owner"
        if types.get(activity.type) and types[activity.type].get("needs_hashtag"):
            yield f"{where}.hashtag", bool(activity.hashtag), f"{name} needs a hashtag"
        yield from _monthly(where, name, activity)
        last = _last_date(activity)
        if activity.status == "planned" and last is not None:
            yield (
                f"{where}.start",
                last >= today,
                f"{name}: this activity's date has passed ({wording.short_date(last)}); "
                "change it, or mark the activity done or cancelled",
            )
    for i, j in clashes(activities):
        first = _named(activities[i].title, "activity", i)
        second = _named(activities[j].title, "Activity", j)
        yield f"schedule.activities.{j}.start", False, f"{second} clashes with {first}"


def _last_date(activity: Activity) -> dt.date | None:
    """The date of an activity's last occurrence; None without a date or for a series with
    no end."""
    rule = activity.recurrence
    if activity.start is None or (
        rule.frequency != "none" and rule.count is None and rule.until is None
    ):
        return None
    last = None
    for moment in itertools.islice(local_starts(activity, open_ended_for=CLASH_HORIZON), 520):
        last = moment
    return last.date() if last is not None else activity.start.date()


def _monthly(where: str, name: str, activity: Activity) -> Iterator[Rule]:
    """A monthly series that does not fall where the group meant it to: on weekends, in
    only some months, or not on the weekday its first date says."""
    rule, start = activity.recurrence, activity.start
    if start is None or rule.frequency != "monthly":
        return
    path = f"{where}.recurrence.monthly_by"
    day = start.date()
    if rule.monthly_by == "date":
        if start.day > 28:
            yield (
                path,
                False,
                f"{name} repeats on the {wording.day_of_month(start.day)}: months without "
                "that date are skipped; choose the same weekday or an earlier date",
            )
        if day.weekday() < 5:
            weekends = [m for m in _compared_starts(activity) if m.weekday() >= 5]
            times = "once" if len(weekends) == 1 else f"{len(weekends)} times"
            yield (
                path,
                not weekends,
                f"{name} repeats on the {wording.day_of_month(start.day)}, which falls on a "
                f"weekend {times} (first {wording.short_date(weekends[0].date()) if weekends else ''}); "
                f"to keep it on a {WEEKDAYS[day.weekday()]}, repeat it on the same weekday",
            )
    elif rule.monthly_by == "weekday" and week_of_month(day) == 5:
        weekday = WEEKDAYS[day.weekday()]
        yield (
            path,
            False,
            f"{name} starts on the fifth {weekday} of its month, which most months do not "
            f"have; choose the last {weekday} instead",
        )
    elif rule.monthly_by == "last_weekday":
        last = nth_weekday(day.year, day.month, day.weekday(), -1)
        weekday = WEEKDAYS[day.weekday()]
        yield (
            f"{where}.start",
            day.day == last,
            f"{name} starts on {wording.short_date(day)}, which is not the last {weekday} "
            f"of its month; move its first date to the last {weekday} or repeat it on the "
            f"{ORDINALS[week_of_month(day) - 1]} {weekday}",
        )


@rules_for("promotion")
def _promotion(plan: Plan, today: dt.date) -> Iterator[Rule]:
    promotion = plan.promotion
    active = catalogues.active()
    yield (
        "promotion.actions",
        bool(filled("promotion.actions", promotion.actions)),
        "no promotion action planned yet",
    )
    for i, action in enumerate(promotion.actions):
        if is_blank("promotion.actions", action):
            continue
        where = f"promotion.actions.{i}"
        channel = active.label("channels", action.channel)
        limit = active.char_limit(action.channel)
        yield f"{where}.draft", bool(action.draft.strip()), f"the {channel} post has no draft"
        if limit is not None:
            yield (
                f"{where}.draft",
                len(action.draft) <= limit,
                f"the {channel} draft has {len(action.draft)} characters; the limit is {limit}",
            )
        yield f"{where}.owner", bool(action.owner.strip()), f"the {channel} post has no owner"
        yield f"{where}.date", action.date is not None, f"the {channel} post has no date"
        if action.date is not None and action.status == "planned":
            yield (
                f"{where}.date",
                action.date >= today,
                f"the {channel} post's date, {wording.long_date(action.date)}, has passed",
            )
    yield (
        "promotion.invitees",
        bool(filled("promotion.invitees", promotion.invitees)),
        "nobody chosen to invite yet",
    )
    habits = promotion.online_space
    for name in ("welcome_post", "introductions", "no_post_unanswered"):
        yield f"promotion.online_space.{name}", getattr(habits, name), "not ticked yet"


@rules_for("review")
def _review(plan: Plan, today: dt.date) -> Iterator[Rule]:
    return iter(())


def check(plan: Plan, *, on: dt.date | None = None) -> dict[str, StepCheck]:
    """Every step's gaps, in step order; dates before the day `on` (by default today) have
    passed."""
    day = on or today()
    result = {}
    for step in STEPS:
        rules = list(step_rules(step.key)(plan, day))
        gaps = tuple(Gap(step.key, path, message) for path, ok, message in rules if not ok)
        result[step.key] = StepCheck(step.key, gaps, len(rules))
    return result
