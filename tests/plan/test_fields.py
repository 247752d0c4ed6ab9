"""Field lookup by dotted path: every field's label, help, limits and kind come from the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel
from strategies import complete_plan

from sigworkbook.plan.fields import FieldSpec, field_spec, label
from sigworkbook.plan.paths import PathError, set_path
from sigworkbook.plan.validation import PlanError, validate_plan


def test_a_text_field() -> None:
    spec = field_spec("identity.name")
    assert (spec.kind, spec.label, spec.max_length, spec.advised_max) == ("line", "Name", 80, 40)
    assert spec.placeholder == "e.g. Frailty Friends"
    assert "catchy" in spec.help
    assert spec.path == "identity.name"


def test_a_prose_field() -> None:
    spec = field_spec("identity.description")
    assert (spec.kind, spec.max_length, spec.advised_max) == ("prose", 2000, 500)


@pytest.mark.parametrize("path", ["schedule.activities.0.title", "schedule.activities.17.title"])
def test_row_fields_by_index_or_wildcard(path: str) -> None:
    spec = field_spec(path)
    wildcard = field_spec("schedule.activities.*.title")
    assert spec.path == path
    assert (spec.kind, spec.label, spec.max_length) == ("line", "Title", 120)
    assert (wildcard.kind, wildcard.label, wildcard.max_length) == ("line", "Title", 120)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("schedule.activities.0.duration_minutes", {"kind": "int", "minimum": 5, "maximum": 1440}),
        (
            "schedule.activities.0.recurrence.count",
            {"kind": "int", "minimum": 1, "maximum": 520, "optional": True},
        ),
        ("meeting.length_minutes", {"kind": "int", "minimum": 15, "maximum": 480}),
        (
            "charter.measures.0.value_kind",
            {"kind": "choice", "catalogue": "value_kinds", "optional": True},
        ),
        ("core_group.people.0.role", {"kind": "choice", "catalogue": "roles", "optional": False}),
        ("schedule.activities.*.type", {"kind": "choice", "catalogue": "activity_types"}),
        ("promotion.actions.*.channel", {"kind": "choice", "catalogue": "channels"}),
        ("charter.lifecycle_stage", {"kind": "choice", "catalogue": "lifecycle_stages"}),
        (
            "schedule.activities.0.status",
            {"kind": "choice", "choices": ("planned", "done", "cancelled"), "catalogue": None},
        ),
        (
            "statement.existing_groups.decision",
            {"kind": "choice", "choices": ("new", "join", "signpost"), "optional": True},
        ),
        ("charter.review_date", {"kind": "date", "optional": True, "label": "Charter review date"}),
        ("schedule.activities.0.start", {"kind": "datetime", "optional": True}),
        ("core_group.people.0.network_member", {"kind": "bool"}),
        ("identity.key_phrases", {"kind": "list", "max_length": 20}),
        ("identity.key_phrases.2", {"kind": "line", "label": "Key phrases"}),
        (
            "statement.existing_groups.groups_considered.0",
            {"kind": "line", "label": "Groups looked at"},
        ),
        ("meeting.timeboxes", {"kind": "map", "label": "Agenda"}),
        ("meeting.timeboxes.core", {"kind": "int", "label": "Agenda"}),
        ("development.items", {"kind": "map"}),
        (
            "development.items.share_learning",
            {"kind": "section", "label": "Continuing development"},
        ),
        ("development.items.*.status", {"kind": "choice", "label": "Status"}),
        ("development.items.share_learning.notes", {"kind": "prose", "max_length": 1000}),
        ("core_group.people.0", {"kind": "section", "label": "Core group"}),
        ("identity", {"kind": "section", "label": "Name and description"}),
        ("schedule.activities.0.recurrence", {"kind": "section", "label": "Recurrence"}),
        ("", {"kind": "section", "label": "Plan"}),
    ],
)
def test_field_specs(path: str, expected: dict[str, Any]) -> None:
    spec = field_spec(path)
    assert {name: getattr(spec, name) for name in expected} == expected


@pytest.mark.parametrize(
    "path",
    [
        "identity.nickname",
        "nickname",
        "identity.name.first",
        "schedule.activities.title",
        "schedule.activities.0.1",
        "meeting.timeboxes.0",
        "schedule.activities.-1.title",
        "Identity.Name",
        "identity..name",
        "core_group.people.0.role.key",
    ],
)
def test_paths_that_name_no_field(path: str) -> None:
    with pytest.raises(PathError):
        field_spec(path)
    assert label(path) == path


def test_label_of_a_field() -> None:
    assert label("statement.existing_groups.reason") == "Reason"
    assert label("schedule.activities.3.hashtag") == "Hashtag"


# --- the model as a whole -------------------------------------------------------------------


def with_rows() -> dict[str, Any]:
    """The complete plan with one entry in every list and map, so every path leads somewhere."""
    document = complete_plan()
    entries = {
        "identity.name_ideas.0.votes": ["Ada"],
        "statement.existing_groups.groups_considered": ["A group"],
        "development.items": {"share_learning": {}},
    }
    for path, value in entries.items():
        document = set_path(document, path, value)
    return document


def model_paths(node: BaseModel, prefix: str = "") -> Iterator[str]:
    """Every field path below `node`, going into the first entry of each list and map."""
    for name in type(node).model_fields:
        path = f"{prefix}{name}"
        yield path
        value = getattr(node, name)
        if isinstance(value, list | dict) and value:
            key = 0 if isinstance(value, list) else next(iter(value))
            path, value = f"{path}.{key}", value[key]
            yield path
        if isinstance(value, BaseModel):
            yield from model_paths(value, path + ".")


ALL_PATHS = list(model_paths(validate_plan(with_rows())))
TEXT_PATHS = [path for path in ALL_PATHS if field_spec(path).kind in ("line", "prose")]


def test_the_walk_reaches_every_part_of_the_plan() -> None:
    assert len(ALL_PATHS) > 100
    for path in (
        "identity.name_ideas.0.votes.0",
        "schedule.activities.0.recurrence.until",
        "development.items.share_learning.owner",
        "meeting.timeboxes.core",
        "promotion.online_space.no_post_unanswered",
    ):
        assert path in ALL_PATHS


@pytest.mark.parametrize("path", ALL_PATHS)
def test_every_field_has_a_label_of_its_own(path: str) -> None:
    spec: FieldSpec = field_spec(path)
    assert spec.label.strip()
    assert spec.label != path.rsplit(".", 1)[-1], f"{path} has no title in the model"


# A hard limit on every piece of text: text far over any limit is refused wherever it goes.
@pytest.mark.parametrize("path", TEXT_PATHS)
def test_every_text_field_has_a_hard_limit(path: str) -> None:
    document = set_path(with_rows(), path, "x" * 100_001)
    with pytest.raises(PlanError) as caught:
        validate_plan(document)
    assert [p.path for p in caught.value.problems if p.path.startswith(_field_of(path))]


def _field_of(path: str) -> str:
    """A list entry's problem may be reported at the list itself."""
    parent, _, last = path.rpartition(".")
    return parent if last.isdigit() else path


def test_row_fields_follow_the_model() -> None:
    from sigworkbook.plan.fields import row_fields
    from sigworkbook.plan.model import Activity

    fields = row_fields("schedule.activities")
    assert "id" not in fields and "recurrence" not in fields
    assert {"recurrence.count", "recurrence.until", "title", "hashtag"} <= set(fields)
    top = [name for name in Activity.model_fields if name not in ("id", "recurrence")]
    assert [f for f in fields if "." not in f] == top
    with pytest.raises(PathError):
        row_fields("identity.key_phrases")
    with pytest.raises(PathError):
        row_fields("identity.name")
