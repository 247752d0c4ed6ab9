"""Every gap rule, per step: a plan that triggers it and one that does not; gaps never block a save."""

from __future__ import annotations

import json
from typing import Any

import pytest
from strategies import complete_plan

from sigworkbook.demo import DEMO_FILE
from sigworkbook.plan import catalogues
from sigworkbook.plan.gaps import Gap, StepCheck, check, clashes
from sigworkbook.plan.paths import set_path
from sigworkbook.plan.steps import STEPS
from sigworkbook.plan.validation import validate_plan
from sigworkbook.workspace import Workspace

NOT_WRITTEN = "not written yet"


def gaps_of(changes: list[tuple[str, Any]]) -> dict[str, StepCheck]:
    document = complete_plan()
    for path, value in changes:
        document = set_path(document, path, value)
    return check(validate_plan(document))


def g(step: str, changes: list[tuple[str, Any]], at: str, says: str, *, id: str) -> Any:
    """One rule: after `changes` to the complete plan, `step` has a gap at `at` saying `says`."""
    return pytest.param(step, changes, at, says, id=id)


TRIGGERED = [
    # start: the agenda must fill the meeting
    g(
        "start",
        [("meeting.length_minutes", 120)],
        "meeting.timeboxes",
        "add up to 90 minutes, not the meeting's 120",
        id="timeboxes-short",
    ),
    g(
        "start",
        [("meeting.timeboxes", {"core": 60, "charter": 35})],
        "meeting.timeboxes",
        "add up to 95 minutes, not the meeting's 90",
        id="timeboxes-long",
    ),
    # core group and statement
    g(
        "core",
        [("core_group.people", [{"name": "Solo", "role": "convener"}])],
        "core_group.people",
        "at least two people",
        id="one-person",
    ),
    g(
        "core",
        [("core_group.people.1.role", "member")],
        "core_group.people",
        "only one convener; at least two",
        id="one-convener",
    ),
    g(
        "core",
        [("core_group.people", [])],
        "core_group.people",
        "no convener yet",
        id="no-people",
    ),
    g(
        "core",
        [("statement.area_of_action", "")],
        "statement.area_of_action",
        NOT_WRITTEN,
        id="area",
    ),
    g(
        "core",
        [("statement.area_of_action", "  \n\t ")],
        "statement.area_of_action",
        NOT_WRITTEN,
        id="area-whitespace",
    ),
    g("core", [("statement.challenges", "")], "statement.challenges", NOT_WRITTEN, id="challenges"),
    g("core", [("statement.wider_help", "")], "statement.wider_help", NOT_WRITTEN, id="wider-help"),
    g(
        "core",
        [("statement.core_statement", "")],
        "statement.core_statement",
        NOT_WRITTEN,
        id="core-statement",
    ),
    g(
        "core",
        [("statement.core_statement", "x" * 601)],
        "statement.core_statement",
        "601 characters, longer than people take in at a glance (600)",
        id="core-statement-long",
    ),
    g("core", [("statement.invitation", "")], "statement.invitation", NOT_WRITTEN, id="invitation"),
    g(
        "core",
        [("statement.invitation", "x" * 1201)],
        "statement.invitation",
        "1201 characters, longer than most people read to the end (1200)",
        id="invitation-long",
    ),
    g(
        "core",
        [("identity.learning_question", "")],
        "identity.learning_question",
        NOT_WRITTEN,
        id="learning-question",
    ),
    g(
        "core",
        [("identity.key_phrases", ["one", "two"])],
        "identity.key_phrases",
        "at least three key phrases",
        id="key-phrases",
    ),
    g(
        "core",
        [("statement.existing_groups.decision", None)],
        "statement.existing_groups.decision",
        "no decision recorded",
        id="decision",
    ),
    g(
        "core",
        [("statement.existing_groups.reason", "")],
        "statement.existing_groups.reason",
        NOT_WRITTEN,
        id="decision-reason",
    ),
    # name and description
    g("name", [("identity.name", "")], "identity.name", "no name chosen yet", id="no-name"),
    g("name", [("identity.name", "   ")], "identity.name", "no name chosen yet", id="blank-name"),
    g(
        "name",
        [("identity.name", "x" * 41)],
        "identity.name",
        "41 characters, longer than the network list shows (40)",
        id="name-long",
    ),
    g(
        "name",
        [("identity.description", "")],
        "identity.description",
        NOT_WRITTEN,
        id="description",
    ),
    g(
        "name",
        [("identity.description", "x" * 501)],
        "identity.description",
        "501 characters, longer than the network's listing shows (500)",
        id="description-too-long-for-listing",
    ),
    g("name", [("identity.theme", "")], "identity.theme", NOT_WRITTEN, id="theme"),
    g(
        "name",
        [("identity.welcome_message", "")],
        "identity.welcome_message",
        NOT_WRITTEN,
        id="welcome",
    ),
    # charter
    *[
        g("charter", [(f"charter.{name}", "")], f"charter.{name}", NOT_WRITTEN, id=name)
        for name in (
            "purpose",
            "approach",
            "people",
            "evidence",
            "member_benefits",
            "values",
            "rhythm",
            "channels",
        )
    ],
    g(
        "charter",
        [("charter.membership.who_may_join", "")],
        "charter.membership.who_may_join",
        NOT_WRITTEN,
        id="who-may-join",
    ),
    g(
        "charter",
        [("charter.measures", [])],
        "charter.measures",
        "no measure of success yet",
        id="no-measures",
    ),
    g(
        "charter",
        [("charter.measures.0.target", "")],
        "charter.measures.0.target",
        "'Members who tried a new idea' has no target",
        id="measure-without-target",
    ),
    g(
        "charter",
        [("charter.measures.0.target", ""), ("charter.measures.0.indicator", "")],
        "charter.measures.0.target",
        "Measure 1 has no target",
        id="unnamed-measure-without-target",
    ),
    g(
        "charter",
        [("charter.measures.0.value_kind", None)],
        "charter.measures.0.value_kind",
        "has no kind of value",
        id="measure-without-kind",
    ),
    g("charter", [("charter.risks", [])], "charter.risks", "no risk considered yet", id="no-risks"),
    g(
        "charter",
        [("charter.risks.0.mitigation", " ")],
        "charter.risks.0.mitigation",
        "'Conveners run out of time' has no mitigation",
        id="risk-without-mitigation",
    ),
    g(
        "charter",
        [("charter.review_date", None)],
        "charter.review_date",
        "no review date set",
        id="no-review-date",
    ),
    # schedule
    g(
        "schedule",
        [("schedule.activities", [])],
        "schedule.activities",
        "no activity planned yet",
        id="no-activities",
    ),
    g(
        "schedule",
        [("schedule.activities.0.title", "")],
        "schedule.activities.0.title",
        "Activity 1 has no title",
        id="activity-without-title",
    ),
    g(
        "schedule",
        [("schedule.activities.0.start", None)],
        "schedule.activities.0.start",
        "'Launch call' has no date and time",
        id="activity-without-start",
    ),
    g(
        "schedule",
        [("schedule.activities.0.owner", "")],
        "schedule.activities.0.owner",
        "'Launch call' has no owner",
        id="activity-without-owner",
    ),
    g(
        "schedule",
        [("schedule.activities.1.hashtag", "")],
        "schedule.activities.1.hashtag",
        "'Walking chat' needs a hashtag",
        id="tweet-chat-without-hashtag",
    ),
    g(
        "schedule",
        [("schedule.activities.0.type", "tweet_chat")],
        "schedule.activities.0.hashtag",
        "'Launch call' needs a hashtag",
        id="became-tweet-chat",
    ),
    g(
        "schedule",
        [("schedule.activities.1.start", "2026-10-06T13:00:00")],
        "schedule.activities.1.start",
        "'Walking chat' clashes with 'Launch call'",
        id="clash-same-zone",
    ),
    g(
        "schedule",
        [
            ("schedule.activities.1.start", "2026-10-06T08:00:00"),
            ("schedule.activities.1.timezone", "America/New_York"),
        ],
        "schedule.activities.1.start",
        "clashes with 'Launch call'",
        id="clash-across-zones",
    ),
    g(
        "schedule",
        [
            ("schedule.activities.1.start", "2026-10-06T10:00:00"),
            ("schedule.activities.1.duration_minutes", 180),
            ("schedule.activities.1.status", "done"),
        ],
        "schedule.activities.1.start",
        "clashes with 'Launch call'",
        id="clash-long-activity-done",
    ),
    # promotion
    g(
        "promotion",
        [("promotion.actions", [])],
        "promotion.actions",
        "no promotion action planned yet",
        id="no-actions",
    ),
    g(
        "promotion",
        [("promotion.actions.0.draft", "")],
        "promotion.actions.0.draft",
        "the Network's Twitter/X account post has no draft",
        id="action-without-draft",
    ),
    g(
        "promotion",
        [("promotion.actions.0.draft", "x" * 281)],
        "promotion.actions.0.draft",
        "has 281 characters; the limit is 280",
        id="draft-over-channel-limit",
    ),
    g(
        "promotion",
        [("promotion.actions.0.owner", "")],
        "promotion.actions.0.owner",
        "post has no owner",
        id="action-without-owner",
    ),
    g(
        "promotion",
        [("promotion.actions.0.date", None)],
        "promotion.actions.0.date",
        "post has no date",
        id="action-without-date",
    ),
    g(
        "promotion",
        [("promotion.invitees", [])],
        "promotion.invitees",
        "nobody chosen to invite yet",
        id="no-invitees",
    ),
    *[
        g(
            "promotion",
            [(f"promotion.online_space.{name}", False)],
            f"promotion.online_space.{name}",
            "not ticked yet",
            id=name,
        )
        for name in ("welcome_post", "introductions", "no_post_unanswered")
    ],
]


def test_the_complete_plan_has_no_gaps() -> None:
    result = check(validate_plan(complete_plan()))
    assert list(result) == [step.key for step in STEPS]
    assert {key: step.gaps for key, step in result.items()} == {step.key: () for step in STEPS}
    assert all(step.complete and step.progress == 1.0 for step in result.values())


def test_the_demo_plan_has_no_gaps() -> None:
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    result = check(validate_plan(document))
    assert [str(gap) for step in result.values() for gap in step.gaps] == []


@pytest.mark.parametrize(("step", "changes", "at", "says"), TRIGGERED)
def test_gap_rule(step: str, changes: list[tuple[str, Any]], at: str, says: str) -> None:
    result = gaps_of(changes)
    gaps = result[step].gaps
    assert [gap for gap in gaps if gap.path == at and says in gap.message], gaps
    assert all(gap.step == step for gap in gaps)
    assert not result[step].complete
    assert result[step].progress == (result[step].total - len(gaps)) / result[step].total
    assert 0 <= result[step].progress < 1
    elsewhere = {key: c.gaps for key, c in result.items() if key != step and c.gaps}
    assert elsewhere == {}


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param([("statement.core_statement", "x" * 600)], id="core-statement-at-advised"),
        pytest.param([("statement.invitation", "x" * 1200)], id="invitation-at-advised"),
        pytest.param([("identity.name", "x" * 40)], id="name-at-advised"),
        pytest.param([("identity.description", "x" * 500)], id="description-at-advised"),
        pytest.param([("promotion.actions.0.draft", "x" * 280)], id="draft-at-channel-limit"),
        pytest.param(
            [
                ("promotion.actions.0.channel", "direct_email"),
                ("promotion.actions.0.draft", "x" * 5000),
            ],
            id="channel-without-limit",
        ),
        pytest.param(
            [("core_group.people.2.role", "member"), ("core_group.people.1.role", "convener")],
            id="two-conveners-no-co-convener",
        ),
        pytest.param([("identity.key_phrases", ["a", "b", "c"])], id="three-phrases"),
        pytest.param(
            [("statement.existing_groups.decision", "signpost")], id="any-decision-counts"
        ),
        pytest.param([("schedule.activities.1.start", "2026-10-06T13:30:00")], id="back-to-back"),
        pytest.param(
            [
                ("schedule.activities.1.start", "2026-10-06T13:00:00"),
                ("schedule.activities.1.timezone", "America/New_York"),
            ],
            id="same-clock-time-other-zone",
        ),
        pytest.param(
            [
                ("schedule.activities.1.start", "2026-10-06T13:00:00"),
                ("schedule.activities.1.status", "cancelled"),
            ],
            id="cancelled-does-not-clash",
        ),
        pytest.param(
            [("schedule.activities.1.type", "expert_talk"), ("schedule.activities.1.hashtag", "")],
            id="hashtag-only-for-tweet-chats",
        ),
        pytest.param([("meeting.timeboxes", {"core": 90})], id="one-timebox-fills-meeting"),
    ],
)
def test_no_gap(changes: list[tuple[str, Any]]) -> None:
    result = gaps_of(changes)
    assert [str(gap) for step in result.values() for gap in step.gaps] == []


def test_each_clash_reported_once_per_pair() -> None:
    document = complete_plan()
    third = dict(document["schedule"]["activities"][0], id="act003", title="Third")
    document["schedule"]["activities"].append(third)
    document["schedule"]["activities"][1]["start"] = "2026-10-06T12:00:00"
    plan = validate_plan(document)
    assert clashes(plan.schedule.activities) == [(0, 1), (0, 2), (1, 2)]
    messages = [gap.message for gap in check(plan)["schedule"].gaps]
    assert messages == [
        "'Walking chat' clashes with 'Launch call'",
        "'Third' clashes with 'Launch call'",
        "'Third' clashes with 'Walking chat'",
    ]


def test_review_step_has_no_checks() -> None:
    review = check(validate_plan({"id": "empty"}))["review"]
    assert review.total == 0
    assert review.complete
    assert review.progress == 1.0


def test_a_new_plan_is_mostly_gaps() -> None:
    result = check(validate_plan({"id": "empty"}))
    for key in ("core", "name", "charter", "schedule", "promotion"):
        assert not result[key].complete, key
        assert 0 <= result[key].progress < 1
    assert "Name: no name chosen yet" in [str(gap) for gap in result["name"].gaps]


def test_gap_text_names_the_field() -> None:
    assert str(Gap("name", "identity.theme", NOT_WRITTEN)) == "Theme: not written yet"
    assert str(Gap("core", "", "overall")) == "overall"


def test_channel_limit_comes_from_the_catalogue() -> None:
    document = set_path(complete_plan(), "promotion.actions.0.draft", "x" * 281)
    assert catalogues.active().char_limit("network_twitter") == 280
    assert catalogues.active().char_limit("direct_email") is None
    gaps = check(validate_plan(document))["promotion"].gaps
    assert [gap.path for gap in gaps] == ["promotion.actions.0.draft"]


@pytest.mark.parametrize(
    ("path", "value", "step"),
    [
        ("identity.name", "", "name"),
        ("identity.description", "x" * 1500, "name"),
        ("core_group.people", [], "core"),
        ("charter.review_date", None, "charter"),
        ("schedule.activities.1.start", "2026-10-06T13:00:00", "schedule"),
        ("promotion.actions.0.draft", "x" * 400, "promotion"),
    ],
)
def test_gaps_never_block_a_save(workspace: Workspace, path: str, value: Any, step: str) -> None:
    before = workspace.import_plan(complete_plan())
    assert workspace.check(before.plan.id)[step].complete
    after = workspace.set(before.plan.id, path, value)
    assert after.revision == before.revision + 1
    assert workspace.load(before.plan.id).revision == after.revision
    assert not workspace.check(before.plan.id)[step].complete
