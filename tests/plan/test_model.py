"""Every validation rule of the plan model: what it refuses, what it accepts, and what it says.

Each refusal is checked twice: on a whole document (`validate_plan`, as an import does) and
through `Workspace.set` (as the forms and the CLI do), where nothing may be saved.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from strategies import complete_plan

from sigworkbook import settings
from sigworkbook.plan import catalogues
from sigworkbook.plan.catalogues import CatalogueError
from sigworkbook.plan.fields import in_words
from sigworkbook.plan.model import Plan
from sigworkbook.plan.paths import get_path, set_path
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.validation import PlanError, Problem, normalise, validate_plan
from sigworkbook.workspace import Workspace

NO_TIMEBOXES = {step.key: 0 for step in STEPS if step.minutes}
START = "2026-10-06T12:30:00"  # complete_plan()'s first activity starts here


def p(path: str, value: Any, where: str, label: str, says: str, *, id: str) -> Any:
    """One refused case: set `value` at `path`; a problem at `where` named `label` says `says`."""
    return pytest.param(path, value, where, label, says, id=id)


REFUSED = [
    # control characters: one-line text refuses line breaks, tabs and every other control
    p("identity.name", "Two\nlines", "identity.name", "Name", "U+000A", id="line-newline"),
    p("identity.name", "Cr\rhere", "identity.name", "Name", "U+000D", id="line-cr"),
    p("identity.name", "tab\there", "identity.name", "Name", "U+0009", id="line-tab"),
    p("identity.name", "nul\x00", "identity.name", "Name", "U+0000", id="line-nul"),
    p("identity.name", "bell\x07", "identity.name", "Name", "single line", id="line-bell"),
    p("identity.name", "del\x7f", "identity.name", "Name", "U+007F", id="line-del"),
    p("identity.name", "nel\x85", "identity.name", "Name", "U+0085", id="line-c1"),
    p(
        "schedule.activities.0.title",
        "esc\x1b[31m",
        "schedule.activities.0.title",
        "Title",
        "U+001B",
        id="line-in-row",
    ),
    p(
        "identity.key_phrases",
        ["fine", "bad\nphrase"],
        "identity.key_phrases.1",
        "Key phrases",
        "U+000A",
        id="line-in-list",
    ),
    p(
        "statement.existing_groups.groups_considered",
        ["nul\x00"],
        "statement.existing_groups.groups_considered.0",
        "Groups looked at",
        "U+0000",
        id="line-in-list-nested",
    ),
    # multi-line text keeps line breaks and tabs but refuses other controls
    p(
        "identity.description",
        "nul\x00",
        "identity.description",
        "Brief description",
        "control characters",
        id="prose-nul",
    ),
    p(
        "statement.invitation",
        "vertical\x0btab",
        "statement.invitation",
        "Invitation",
        "U+000B",
        id="prose-vt",
    ),
    p(
        "charter.purpose",
        "form\x0cfeed",
        "charter.purpose",
        "What are we trying to do?",
        "U+000C",
        id="prose-ff",
    ),
    p(
        "promotion.actions.0.draft",
        "escape \x1b",
        "promotion.actions.0.draft",
        "Draft text",
        "U+001B",
        id="prose-in-row",
    ),
    # hard length limits
    p("identity.name", "x" * 81, "identity.name", "Name", "at most 80 characters", id="len-name"),
    p(
        "identity.description",
        "x" * 2001,
        "identity.description",
        "Brief description",
        "at most 2000 characters",
        id="len-description",
    ),
    p(
        "promotion.actions.0.draft",
        "x" * 70_001,
        "promotion.actions.0.draft",
        "Draft text",
        "at most 70000 characters",
        id="len-draft",
    ),
    p(
        "schedule.activities.0.hashtag",
        "#" + "a" * 100,
        "schedule.activities.0.hashtag",
        "Hashtag",
        "at most 100 characters",
        id="len-hashtag",
    ),
    p(
        "identity.key_phrases",
        ["x" * 61],
        "identity.key_phrases.0",
        "Key phrases",
        "at most 60 characters",
        id="len-key-phrase",
    ),
    p(
        "identity.key_phrases",
        ["k"] * 21,
        "identity.key_phrases",
        "Key phrases",
        "at most 20 entries",
        id="len-key-phrases-list",
    ),
    p(
        "identity.name_ideas",
        [{"name": f"idea {n}"} for n in range(51)],
        "identity.name_ideas",
        "Name ideas",
        "at most 50 entries",
        id="len-name-ideas",
    ),
    # catalogue keys
    p(
        "core_group.people.0.role",
        "wizard",
        "core_group.people.0.role",
        "Role",
        "'wizard' is not in the roles list (convener, co_convener",
        id="cat-role",
    ),
    p(
        "schedule.activities.0.type",
        "picnic",
        "schedule.activities.0.type",
        "Type",
        "'picnic' is not in the activity types list",
        id="cat-activity-type",
    ),
    p(
        "promotion.actions.0.channel",
        "carrier_pigeon",
        "promotion.actions.0.channel",
        "Channel",
        "not in the channels list",
        id="cat-channel",
    ),
    p(
        "charter.measures.0.value_kind",
        "vibes",
        "charter.measures.0.value_kind",
        "Kind of value",
        "not in the value kinds list",
        id="cat-value-kind",
    ),
    p(
        "charter.lifecycle_stage",
        "zombie",
        "charter.lifecycle_stage",
        "Lifecycle stage",
        "not in the lifecycle stages list",
        id="cat-lifecycle",
    ),
    p(
        "development.items",
        {"world_domination": {}},
        "development.items.world_domination",
        "Continuing development",
        "'world_domination' is not in the follow on actions list",
        id="cat-follow-on-key",
    ),
    p(
        "core_group.people.0.role",
        "Convener",
        "core_group.people.0.role",
        "Role",
        "not in the roles list",
        id="cat-key-not-label",
    ),
    # impossible dates and datetimes
    p(
        "charter.review_date",
        "2026-02-30",
        "charter.review_date",
        "Charter review date",
        "day value is outside expected range",
        id="date-feb-30",
    ),
    p(
        "meeting.date",
        "2025-02-29",
        "meeting.date",
        "Meeting date",
        "valid date",
        id="date-not-leap-year",
    ),
    p(
        "charter.measures.0.review_date",
        "2026-13-01",
        "charter.measures.0.review_date",
        "Review date",
        "valid date",
        id="date-month-13",
    ),
    p(
        "promotion.actions.0.date",
        "next week",
        "promotion.actions.0.date",
        "Date",
        "valid date",
        id="date-words",
    ),
    p(
        "schedule.activities.0.start",
        "2026-02-30T10:00:00",
        "schedule.activities.0.start",
        "Starts",
        "valid datetime",
        id="datetime-feb-30",
    ),
    p(
        "schedule.activities.0.start",
        "2026-03-01T25:00:00",
        "schedule.activities.0.start",
        "Starts",
        "valid datetime",
        id="datetime-hour-25",
    ),
    # aware datetimes: the time zone is a separate field
    p(
        "schedule.activities.0.start",
        "2026-03-01T10:00:00+01:00",
        "schedule.activities.0.start",
        "Starts",
        "without a UTC offset",
        id="aware-offset",
    ),
    p(
        "schedule.activities.0.start",
        "2026-03-01T10:00:00Z",
        "schedule.activities.0.start",
        "Starts",
        "without a UTC offset",
        id="aware-z",
    ),
    p(
        "schedule.activities.0.start",
        "2027-03-28T01:00:00",
        "schedule.activities.0.start",
        "Starts",
        "does not happen in Europe/London: the clocks go forward",
        id="skipped-by-clock-change",
    ),
    p(
        "schedule.activities.0",
        {"title": "Evening call", "start": "2027-03-14T02:30:00", "timezone": "America/New_York"},
        "schedule.activities.0.start",
        "Starts",
        "02:30 on 14 March 2027 does not happen in America/New_York",
        id="skipped-in-its-own-zone",
    ),
    # recurrence
    p(
        "schedule.activities.0.recurrence",
        {"frequency": "weekly", "count": 4, "until": "2026-12-01"},
        "schedule.activities.0.recurrence",
        "Recurrence",
        "not both",
        id="recurrence-count-and-until",
    ),
    p(
        "schedule.activities.0.recurrence",
        {"frequency": "weekly", "until": "2026-10-05"},
        "schedule.activities.0",
        "Activities",
        "end date is before the first date",
        id="recurrence-until-before-start",
    ),
    p(
        "schedule.activities.0.recurrence.count",
        0,
        "schedule.activities.0.recurrence.count",
        "Number of times",
        "greater than or equal to 1",
        id="recurrence-count-0",
    ),
    p(
        "schedule.activities.0.recurrence.count",
        521,
        "schedule.activities.0.recurrence.count",
        "Number of times",
        "less than or equal to 520",
        id="recurrence-count-521",
    ),
    p(
        "schedule.activities.0.recurrence.frequency",
        "daily",
        "schedule.activities.0.recurrence.frequency",
        "Repeats",
        "must be one of",
        id="recurrence-daily",
    ),
    # time zones, including names that try to walk the file system
    p(
        "schedule.activities.0.timezone",
        "../../etc/passwd",
        "schedule.activities.0.timezone",
        "Time zone",
        "not a known time zone",
        id="tz-path-trick",
    ),
    p(
        "schedule.activities.0.timezone",
        "Europe/../UTC",
        "schedule.activities.0.timezone",
        "Time zone",
        "not a known time zone",
        id="tz-dotdot",
    ),
    p(
        "schedule.activities.0.timezone",
        "/usr/share/zoneinfo/UTC",
        "schedule.activities.0.timezone",
        "Time zone",
        "not a known time zone",
        id="tz-absolute-path",
    ),
    p(
        "schedule.activities.0.timezone",
        "Mars/Olympus_Mons",
        "schedule.activities.0.timezone",
        "Time zone",
        "not a known time zone",
        id="tz-unknown",
    ),
    p(
        "schedule.activities.0.timezone",
        "europe/london",
        "schedule.activities.0.timezone",
        "Time zone",
        "not a known time zone",
        id="tz-wrong-case",
    ),
    p(
        "schedule.activities.0.timezone",
        "",
        "schedule.activities.0.timezone",
        "Time zone",
        "not a known time zone",
        id="tz-empty",
    ),
    # hashtags
    p(
        "schedule.activities.0.hashtag",
        "SIGchat",
        "schedule.activities.0.hashtag",
        "Hashtag",
        "one # followed by",
        id="hashtag-no-hash",
    ),
    p(
        "schedule.activities.0.hashtag",
        "#",
        "schedule.activities.0.hashtag",
        "Hashtag",
        "one # followed by",
        id="hashtag-bare",
    ),
    p(
        "schedule.activities.0.hashtag",
        "#two words",
        "schedule.activities.0.hashtag",
        "Hashtag",
        "one # followed by",
        id="hashtag-space",
    ),
    p(
        "schedule.activities.0.hashtag",
        "##double",
        "schedule.activities.0.hashtag",
        "Hashtag",
        "one # followed by",
        id="hashtag-double",
    ),
    p(
        "schedule.activities.0.hashtag",
        "#sig-chat",
        "schedule.activities.0.hashtag",
        "Hashtag",
        "one # followed by",
        id="hashtag-hyphen",
    ),
    # links
    p(
        "schedule.activities.0.link",
        "javascript:alert(1)",
        "schedule.activities.0.link",
        "Link",
        "web address starting with https://",
        id="link-javascript",
    ),
    p(
        "schedule.activities.0.link",
        "ftp://example.org/file",
        "schedule.activities.0.link",
        "Link",
        "web address",
        id="link-ftp",
    ),
    p(
        "schedule.activities.0.link",
        "example.org",
        "schedule.activities.0.link",
        "Link",
        "web address",
        id="link-no-scheme",
    ),
    p(
        "schedule.activities.0.link",
        "https://",
        "schedule.activities.0.link",
        "Link",
        "web address",
        id="link-no-host",
    ),
    p(
        "schedule.activities.0.link",
        "https://exa mple.org",
        "schedule.activities.0.link",
        "Link",
        "web address",
        id="link-space",
    ),
    p(
        "schedule.activities.0.link",
        "https://example.org/\nx",
        "schedule.activities.0.link",
        "Link",
        "U+000A",
        id="link-newline",
    ),
    # one vote each, whatever the case
    p(
        "identity.name_ideas.0.votes",
        ["Ada", "ben", "ADA"],
        "identity.name_ideas.0.votes",
        "Votes",
        "only once",
        id="votes-twice",
    ),
    # the meeting's timeboxes: only steps of the meeting, 0 to 480 minutes
    p(
        "meeting.timeboxes",
        {"start": 5},
        "meeting.timeboxes",
        "Agenda",
        "'start' is not a step of the meeting",
        id="timebox-not-on-agenda",
    ),
    p(
        "meeting.timeboxes",
        {"core": 20, "lunch": 30},
        "meeting.timeboxes",
        "Agenda",
        "'lunch' is not a step of the meeting",
        id="timebox-unknown-step",
    ),
    p(
        "meeting.timeboxes",
        {"core": 481},
        "meeting.timeboxes",
        "Agenda",
        "between 0 and 480",
        id="timebox-too-long",
    ),
    p(
        "meeting.timeboxes",
        {"core": -1},
        "meeting.timeboxes",
        "Agenda",
        "between 0 and 480",
        id="timebox-negative",
    ),
    p(
        "meeting.timeboxes.core",
        "twenty",
        "meeting.timeboxes.core",
        "Agenda",
        "must be a whole number",
        id="timebox-not-a-number",
    ),
    # numbers and their bounds
    p(
        "schedule.activities.0.duration_minutes",
        4,
        "schedule.activities.0.duration_minutes",
        "Duration (minutes)",
        "greater than or equal to 5",
        id="duration-short",
    ),
    p(
        "schedule.activities.0.duration_minutes",
        24 * 60 + 1,
        "schedule.activities.0.duration_minutes",
        "Duration (minutes)",
        "less than or equal to 1440",
        id="duration-long",
    ),
    p(
        "schedule.activities.0.duration_minutes",
        1.5,
        "schedule.activities.0.duration_minutes",
        "Duration (minutes)",
        "must be a whole number",
        id="duration-fraction",
    ),
    p(
        "schedule.activities.0.duration_minutes",
        "60",
        "schedule.activities.0.duration_minutes",
        "Duration (minutes)",
        "must be a whole number",
        id="duration-text",
    ),
    p(
        "meeting.length_minutes",
        True,
        "meeting.length_minutes",
        "Meeting length (minutes)",
        "must be a whole number",
        id="meeting-length-true",
    ),
    p(
        "meeting.timeboxes.charter",
        "20",
        "meeting.timeboxes.charter",
        "Agenda",
        "must be a whole number",
        id="timebox-text",
    ),
    p(
        "promotion.online_space.welcome_post",
        1,
        "promotion.online_space.welcome_post",
        "A welcome post is up",
        "must be true or false",
        id="type-number-for-bool",
    ),
    p(
        "meeting.length_minutes",
        481,
        "meeting.length_minutes",
        "Meeting length (minutes)",
        "less than or equal to 480",
        id="meeting-too-long",
    ),
    # wrong types and choices
    p("identity.name", 42, "identity.name", "Name", "valid string", id="type-number-for-text"),
    p("identity.name", None, "identity.name", "Name", "valid string", id="type-null-for-text"),
    p(
        "identity.key_phrases",
        "one phrase",
        "identity.key_phrases",
        "Key phrases",
        "valid list",
        id="type-text-for-list",
    ),
    p(
        "core_group.people.0.network_member",
        "maybe",
        "core_group.people.0.network_member",
        "Network member",
        "must be true or false",
        id="type-bool",
    ),
    p(
        "statement.existing_groups.decision",
        "ignore",
        "statement.existing_groups.decision",
        "Decision",
        "must be one of 'new', 'join' or 'signpost'",
        id="choice-decision",
    ),
    p(
        "charter.membership.openness",
        "ajar",
        "charter.membership.openness",
        "Open or closed",
        "must be one of",
        id="choice-openness",
    ),
    p(
        "schedule.activities.0.status",
        "postponed",
        "schedule.activities.0.status",
        "Status",
        "must be one of 'planned', 'done' or 'cancelled'",
        id="choice-status",
    ),
    # unknown fields inside a row
    p(
        "schedule.activities.0",
        {"title": "Walk", "colour": "red"},
        "schedule.activities.0.colour",
        "schedule.activities.0.colour",
        "is not a field of the plan",
        id="unknown-in-row",
    ),
    p(
        "development.items",
        {"share_learning": {"status": "done", "due": "soon"}},
        "development.items.share_learning.due",
        "development.items.share_learning.due",
        "is not a field of the plan",
        id="unknown-in-map-item",
    ),
]


def problem_at(error: PlanError, path: str) -> Problem:
    found = [problem for problem in error.problems if problem.path == path]
    assert found, f"no problem at {path!r}; problems: {error.problems}"
    return found[0]


def assert_named_in_words(problem: Problem, message: str) -> None:
    """The message names the field in words (its label, rows counted from 1), with no dotted
    path, unless the path names no field of the plan (then it is quoted as it is)."""
    assert f"{problem.place}: " in message
    if problem.label != problem.path:
        assert problem.path not in message
        assert problem.place == in_words(problem.path) or "“" in problem.place
        last = problem.path.rsplit(".", 1)[-1]
        if not last.isdigit():
            assert problem.label in problem.place


@pytest.mark.parametrize(("path", "value", "at", "label", "says"), REFUSED)
def test_refused_in_a_whole_plan(path: str, value: Any, at: str, label: str, says: str) -> None:
    document = set_path(complete_plan(), path, value)
    with pytest.raises(PlanError) as caught:
        validate_plan(document)
    problem = problem_at(caught.value, at)
    assert problem.label == label
    assert says in problem.message
    assert_named_in_words(problem, str(caught.value))


@pytest.mark.parametrize(("path", "value", "at", "label", "says"), REFUSED)
def test_refused_through_the_workspace_saves_nothing(
    workspace: Workspace, path: str, value: Any, at: str, label: str, says: str
) -> None:
    before = workspace.import_plan(complete_plan())
    history = workspace.history(before.plan.id)
    with pytest.raises(PlanError) as caught:
        workspace.set(before.plan.id, path, value)
    problem = problem_at(caught.value, at)
    assert problem.label == label
    assert says in problem.message
    assert_named_in_words(problem, str(caught.value))
    after = workspace.load(before.plan.id)
    assert after.revision == before.revision
    assert after.plan == before.plan
    assert workspace.history(before.plan.id) == history


@pytest.mark.parametrize(
    ("path", "value", "stored"),
    [
        pytest.param("identity.name", "x" * 80, "x" * 80, id="name-at-limit"),
        pytest.param("identity.name", "Café ☕ 東京", "Café ☕ 東京", id="name-unicode"),
        pytest.param("identity.description", "a\nb\tc", "a\nb\tc", id="prose-newline-tab"),
        pytest.param("identity.description", "a\r\nb\rc", "a\nb\nc", id="prose-crlf-normalised"),
        pytest.param("identity.description", "x" * 2000, "x" * 2000, id="prose-at-limit"),
        pytest.param("promotion.actions.0.draft", "x" * 70_000, "x" * 70_000, id="draft-at-limit"),
        pytest.param("identity.key_phrases", ["x" * 60], ["x" * 60], id="key-phrase-at-limit"),
        pytest.param("meeting.date", "2028-02-29", "2028-02-29", id="leap-day"),
        pytest.param("charter.review_date", None, None, id="date-cleared"),
        pytest.param("schedule.activities.0.timezone", "UTC", "UTC", id="tz-utc"),
        pytest.param(
            "schedule.activities.0.start",
            "2027-03-28T02:00:00",
            "2027-03-28T02:00:00",
            id="first-minute-after-clocks-go-forward",
        ),
        pytest.param(
            "schedule.activities.0.start",
            "2027-10-31T01:30:00",
            "2027-10-31T01:30:00",
            id="hour-that-happens-twice",
        ),
        pytest.param(
            "schedule.activities.0.timezone",
            "America/Argentina/Buenos_Aires",
            "America/Argentina/Buenos_Aires",
            id="tz-three-parts",
        ),
        pytest.param(
            "schedule.activities.0.recurrence",
            {"frequency": "weekly", "until": "2026-10-06"},
            {"frequency": "weekly", "monthly_by": "date", "count": None, "until": "2026-10-06"},
            id="until-on-start-day",
        ),
        pytest.param(
            "schedule.activities.0.recurrence",
            {"frequency": "monthly", "count": 520},
            {"frequency": "monthly", "monthly_by": "date", "count": 520, "until": None},
            id="count-at-limit",
        ),
        pytest.param("schedule.activities.1.hashtag", "", "", id="hashtag-empty"),
        pytest.param("schedule.activities.0.hashtag", "#日本_2", "#日本_2", id="hashtag-unicode"),
        pytest.param(
            "schedule.activities.0.hashtag", "#" + "a" * 99, "#" + "a" * 99, id="hashtag-limit"
        ),
        pytest.param("schedule.activities.0.link", "", "", id="link-empty"),
        pytest.param(
            "schedule.activities.0.link",
            "http://example.org/join?id=1",
            "http://example.org/join?id=1",
            id="link-http",
        ),
        pytest.param(
            "identity.name_ideas.0.votes", ["Ada", "Ben"], ["Ada", "Ben"], id="votes-distinct"
        ),
        pytest.param("meeting.timeboxes", {}, NO_TIMEBOXES, id="timeboxes-empty-means-0-each"),
        pytest.param(
            "meeting.timeboxes",
            {"name": 15},
            {**NO_TIMEBOXES, "name": 15},
            id="a-step-left-out-has-0-minutes",
        ),
        pytest.param("schedule.activities.0.duration_minutes", 5, 5, id="duration-min"),
        pytest.param("schedule.activities.0.duration_minutes", 1440, 1440, id="duration-max"),
    ],
)
def test_accepted_and_stored_as(workspace: Workspace, path: str, value: Any, stored: Any) -> None:
    assert get_path(normalise(set_path(complete_plan(), path, value)), path) == stored
    before = workspace.import_plan(complete_plan())
    changed = get_path(before.plan.model_dump(mode="json"), path) != stored
    after = workspace.set(before.plan.id, path, value)
    assert after.revision == before.revision + changed  # setting the same value is no change
    assert get_path(after.plan.model_dump(mode="json"), path) == stored


@pytest.mark.parametrize(
    "sig_id",
    ["Home Safely", "-home", "home-", "a" * 65, "home\n", "hôme", "home_safely", "", "home/x"],
)
def test_sig_id_must_be_a_slug(sig_id: str) -> None:
    with pytest.raises(PlanError) as caught:
        validate_plan({"id": sig_id})
    assert problem_at(caught.value, "id").label == "SIG id"
    assert "SIG id: " in str(caught.value)


@pytest.mark.parametrize("sig_id", ["a", "0", "home-safely", "a" * 64, "sig-2"])
def test_sig_id_slugs_accepted(sig_id: str) -> None:
    assert validate_plan({"id": sig_id}).id == sig_id


def test_sig_id_is_required() -> None:
    with pytest.raises(PlanError) as caught:
        validate_plan({"identity": {"name": "No id"}})
    assert problem_at(caught.value, "id").message == "is required"


@pytest.mark.parametrize(
    ("document", "at"),
    [
        pytest.param({"id": "a", "colour": "red"}, "colour", id="top-level"),
        pytest.param({"id": "a", "identity": {"nickname": "x"}}, "identity.nickname", id="section"),
        pytest.param(
            {"id": "a", "charter": {"membership": {"fee": 5}}},
            "charter.membership.fee",
            id="nested-section",
        ),
        pytest.param(
            {"id": "a", "schedule": {"activities": [{"recurrence": {"every": 2}}]}},
            "schedule.activities.0.recurrence.every",
            id="row-section",
        ),
    ],
)
def test_unknown_fields_refused(document: dict[str, Any], at: str) -> None:
    with pytest.raises(PlanError) as caught:
        validate_plan(document)
    assert problem_at(caught.value, at).message == "is not a field of the plan"
    assert f"“{at.rsplit('.', 1)[-1]}”" in str(caught.value)
    assert ": is not a field of the plan" in str(caught.value)
    assert at not in str(caught.value) or "." not in at


@pytest.mark.parametrize("path", ["identity.nickname", "schedule.activities.0.colour", "nope"])
def test_unknown_field_refused_through_the_workspace(workspace: Workspace, path: str) -> None:
    before = workspace.import_plan(complete_plan())
    with pytest.raises(PlanError) as caught:
        workspace.set(before.plan.id, path, "x")
    assert f"“{path.rsplit('.', 1)[-1]}”" in str(caught.value)
    assert "not a field of the plan" in str(caught.value)
    assert workspace.load(before.plan.id).revision == before.revision


def test_every_problem_is_reported_at_once() -> None:
    document = complete_plan()
    document["identity"]["name"] = "x" * 81
    document["charter"]["review_date"] = "2026-02-30"
    document["schedule"]["activities"][1]["timezone"] = "Nowhere/Town"
    with pytest.raises(PlanError) as caught:
        validate_plan(document)
    assert {p.path for p in caught.value.problems} == {
        "identity.name",
        "charter.review_date",
        "schedule.activities.1.timezone",
    }
    assert [p.path for p in caught.value.for_path("schedule")] == ["schedule.activities.1.timezone"]


def test_schema_version_only_1() -> None:
    with pytest.raises(PlanError) as caught:
        validate_plan({"id": "a", "schema_version": 2})
    assert "Schema version: " in str(caught.value)


def test_defaults_fill_a_minimal_plan() -> None:
    plan = validate_plan({"id": "minimal"})
    assert plan.schema_version == 1
    assert plan.identity.name == ""
    assert plan.charter.lifecycle_stage == "potential"
    assert sum(plan.meeting.timeboxes.values()) == plan.meeting.length_minutes
    row = validate_plan({"id": "a", "schedule": {"activities": [{}]}}).schedule.activities[0]
    assert row.type in catalogues.active()["activity_types"]
    assert row.timezone == "Europe/London"
    assert row.recurrence.frequency == "none"


def test_rows_get_distinct_ids_that_survive_a_dump() -> None:
    document = {"id": "a", "charter": {"risks": [{"risk": "one"}, {"risk": "two"}]}}
    plan = validate_plan(document)
    ids = [risk.id for risk in plan.charter.risks]
    assert len(set(ids)) == 2
    again = validate_plan(plan.model_dump(mode="json"))
    assert [risk.id for risk in again.charter.risks] == ids


def test_dump_is_json_and_validates_back_unchanged() -> None:
    plan = validate_plan(complete_plan())
    dumped = plan.model_dump(mode="json")
    assert dumped["schedule"]["activities"][0]["start"] == START
    assert Plan.model_validate(dumped) == plan
    assert normalise(dumped) == dumped


# --- an organisation's own catalogue file ---------------------------------------------------


def write_catalogues(path: Path, changes: dict[str, dict[str, dict[str, Any] | None]]) -> Path:
    """Write a catalogue file: the packaged entries with `changes` (None removes an entry)."""
    raw = tomllib.loads(catalogues.DEFAULT_FILE.read_text(encoding="utf-8"))
    for name, entries in changes.items():
        for key, entry in entries.items():
            if entry is None:
                raw[name].pop(key)
            else:
                raw[name][key] = entry
    out = []
    for name, table in raw.items():
        for key, entry in table.items():
            out.append(f"[{name}.{key}]")
            out += [f"{field} = {json.dumps(value)}" for field, value in entry.items()]
            out.append("")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


STEWARD = {"label": "Steward", "description": "Looks after the group's shared resources."}


def test_replacement_catalogue_changes_what_is_accepted(tmp_path: Path) -> None:
    org = write_catalogues(
        tmp_path / "org.toml", {"roles": {"steward": STEWARD, "librarian": None}}
    )
    document = set_path(complete_plan(), "core_group.people.2.role", "steward")
    with pytest.raises(PlanError):
        validate_plan(document)
    catalogues.use(org)
    assert validate_plan(document).core_group.people[2].role == "steward"
    librarian = set_path(complete_plan(), "core_group.people.2.role", "librarian")
    with pytest.raises(PlanError) as caught:
        validate_plan(librarian)
    message = problem_at(caught.value, "core_group.people.2.role").message
    assert "steward" in message
    assert "librarian" not in message.split("(", 1)[1]
    catalogues.use(None)
    with pytest.raises(PlanError):
        validate_plan(document)
    assert validate_plan(librarian).core_group.people[2].role == "librarian"


def test_catalogue_from_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = write_catalogues(tmp_path / "org.toml", {"roles": {"steward": STEWARD}})
    monkeypatch.setenv(settings.CATALOGUES.env, str(org))
    catalogues.use(None)
    document = set_path(complete_plan(), "core_group.people.2.role", "steward")
    assert validate_plan(document).core_group.people[2].role == "steward"
    monkeypatch.delenv(settings.CATALOGUES.env)
    catalogues.use(None)
    with pytest.raises(PlanError):
        validate_plan(document)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("lifecycle_stages", "potential"),
        ("roles", "member"),
        ("activity_types", "online_meeting"),
        ("channels", "direct_email"),
    ],
)
def test_replacement_catalogue_without_a_default_key(
    tmp_path: Path, workspace: Workspace, name: str, key: str
) -> None:
    """Either the file is refused with a message naming the key, or new plans still work."""
    org = write_catalogues(tmp_path / "org.toml", {name: {key: None}})
    try:
        catalogues.use(org)
    except CatalogueError as error:
        assert key in str(error)
        return
    loaded = workspace.new_sig("Org SIG")
    workspace.set(loaded.plan.id, "core_group.people", [{}])
    workspace.set(loaded.plan.id, "schedule.activities", [{}])
    workspace.set(loaded.plan.id, "promotion.actions", [{}])


def test_dates_are_dates() -> None:
    plan = validate_plan(complete_plan())
    assert plan.charter.review_date == dt.date(2027, 3, 1)
    assert plan.schedule.activities[0].start == dt.datetime(2026, 10, 6, 12, 30)
    assert plan.schedule.activities[0].start.tzinfo is None
