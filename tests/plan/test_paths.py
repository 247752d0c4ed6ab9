"""Tests for dotted paths into JSON documents."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigworkbook.plan.paths import (
    PathError,
    canonical_json,
    differences,
    format_path,
    get_path,
    parse_path,
    set_path,
    set_path_in_place,
)

DOC: dict[str, Any] = {
    "identity": {"name": "Home Safely", "tags": ["a", "b"]},
    "schedule": {"activities": [{"title": "Kick-off"}, {"title": "Walkabout"}]},
    "count": 3,
}


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("", ()),
        ("identity", ("identity",)),
        ("identity.name", ("identity", "name")),
        ("schedule.activities.2.title", ("schedule", "activities", 2, "title")),
        ("notes.w3", ("notes", "w3")),
        ("a_b.0", ("a_b", 0)),
        ("x.10", ("x", 10)),
    ],
)
def test_parse_path_splits_segments_and_reads_indexes(path: str, parts: tuple[Any, ...]) -> None:
    assert parse_path(path) == parts
    assert format_path(parts) == path


@pytest.mark.parametrize(
    ("path", "complaint"),
    [
        ("identity..name", "empty segment"),
        (".identity", "empty segment"),
        ("identity.", "empty segment"),
        ("Identity.name", "'Identity'"),
        ("identity.na-me", "'na-me'"),
        ("identity.name ", "'name '"),
        ("a.01", "leading zero"),
        ("a.-1", "'-1'"),
        ("a[0]", "'a[0]'"),
        ("schedule/activities", "'schedule/activities'"),
    ],
)
def test_parse_path_refuses_malformed_paths_naming_them(path: str, complaint: str) -> None:
    with pytest.raises(PathError) as raised:
        parse_path(path)
    assert repr(path) in str(raised.value)
    assert complaint in str(raised.value)


def test_path_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="segment"):
        parse_path("A")


def test_get_path_reads_keys_and_indexes() -> None:
    assert get_path(DOC, "identity.name") == "Home Safely"
    assert get_path(DOC, "identity.tags.1") == "b"
    assert get_path(DOC, "schedule.activities.1.title") == "Walkabout"
    assert get_path(DOC, "") is DOC


def test_get_path_missing_raises_or_returns_default() -> None:
    with pytest.raises(PathError, match=r"'identity.motto'.*no 'motto'"):
        get_path(DOC, "identity.motto")
    with pytest.raises(PathError, match=r"'identity.tags.2'.*out of range"):
        get_path(DOC, "identity.tags.2")
    assert get_path(DOC, "identity.motto", None) is None
    assert get_path(DOC, "nothing.here.at.all", "fallback") == "fallback"
    assert get_path(DOC, "identity.tags.5", 0) == 0


@pytest.mark.parametrize(
    ("path", "complaint"),
    [
        ("count.x", "key 'x' used on a number"),
        ("identity.name.0", "index 0 used on a string"),
        ("identity.0", "index 0 used on an object"),
        ("identity.tags.first", "key 'first' used on a list"),
    ],
)
def test_stepping_into_the_wrong_kind_of_value_raises(path: str, complaint: str) -> None:
    defaults: list[tuple[Any, ...]] = [(), (None,)]  # with and without a default
    for default in defaults:
        with pytest.raises(PathError) as raised:
            get_path(DOC, path, *default)
        assert repr(path) in str(raised.value)
        assert complaint in str(raised.value)


def test_set_path_returns_a_new_document_and_leaves_the_input_alone() -> None:
    before = copy.deepcopy(DOC)
    new = set_path(DOC, "schedule.activities.1.title", "Street walk")
    assert before == DOC
    assert new["schedule"]["activities"][1]["title"] == "Street walk"
    assert new["identity"] == DOC["identity"]
    assert new["identity"] is not DOC["identity"]  # deep copy, not shared structure


def test_set_path_copies_the_value() -> None:
    value = {"items": [1, 2]}
    new = set_path({}, "a", value)
    value["items"].append(3)
    assert new == {"a": {"items": [1, 2]}}


def test_set_path_creates_missing_intermediate_objects() -> None:
    assert set_path({}, "notes.w3.text", "hi") == {"notes": {"w3": {"text": "hi"}}}
    assert set_path({"notes": {"w1": 1}}, "notes.w2", 2) == {"notes": {"w1": 1, "w2": 2}}


def test_set_path_whole_document() -> None:
    assert set_path(DOC, "", {"fresh": True}) == {"fresh": True}
    with pytest.raises(PathError, match="whole document must be an object"):
        set_path(DOC, "", ["not", "an", "object"])


@pytest.mark.parametrize(
    ("path", "complaint"),
    [
        ("identity.tags.2", "out of range"),
        ("schedule.activities.5.title", "out of range"),
        ("count.x", "used on a number"),
        ("identity.name.first", "used on a string"),
        ("missing.0", "'missing' does not exist"),
        ("identity.tags.x", "used on a list"),
    ],
)
def test_set_path_refuses_impossible_steps(path: str, complaint: str) -> None:
    before = copy.deepcopy(DOC)
    with pytest.raises(PathError) as raised:
        set_path(DOC, path, "v")
    assert repr(path) in str(raised.value)
    assert complaint in str(raised.value)
    assert before == DOC


def test_set_path_in_place_changes_the_document_itself() -> None:
    doc: dict[str, Any] = {"a": [0, 1]}
    result = set_path_in_place(doc, "a.1", "one")
    assert result is doc
    assert doc == {"a": [0, "one"]}


def _apply_all(doc: Any, settings_: list[tuple[str, Any]]) -> Any:
    for path, value in settings_:
        doc = set_path(doc, path, value)
    return doc


def test_differences_are_minimal_where_possible() -> None:
    old = {"a": {"b": 1, "c": [1, 2]}, "d": "x"}
    assert differences(old, copy.deepcopy(old)) == []
    new = {"a": {"b": 2, "c": [1, 3]}, "d": "x", "e": {"f": 1}}
    assert differences(old, new) == [("a.b", 2), ("a.c.1", 3), ("e", {"f": 1})]


def test_differences_fall_back_to_the_enclosing_value() -> None:
    # a removed key cannot be expressed as a setting below its parent
    assert differences({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}) == [("a", {"b": 1})]
    # list length changed
    assert differences({"a": [1, 2]}, {"a": [1]}) == [("a", [1])]
    # a key that is not a valid path segment
    assert differences({"a": {}}, {"a": {"Bad Key": 1}}) == [("a", {"Bad Key": 1})]
    # removal at the top means the whole document
    assert differences({"a": 1, "b": 2}, {"a": 1}) == [("", {"a": 1})]


def test_differences_distinguish_one_from_true() -> None:
    assert differences({"a": 1}, {"a": True}) == [("a", True)]
    assert differences({"a": 1}, {"a": 1.0}) == [("a", 1.0)]


json_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x", "é"])
json_keys = st.sampled_from(["a", "b", "c", "d_1", "Bad", "7"])
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_keys, inner, max_size=3),
    max_leaves=12,
)
json_docs = st.dictionaries(json_keys, json_values, max_size=4)


@settings(max_examples=200, deadline=None)
@given(old=json_docs, new=json_docs)
def test_applying_differences_turns_old_into_new(old: dict[str, Any], new: dict[str, Any]) -> None:
    before = copy.deepcopy(old)
    settings_ = differences(old, new)
    assert old == before
    assert canonical_json(_apply_all(old, settings_)) == canonical_json(new)
    if canonical_json(old) == canonical_json(new):
        assert settings_ == []
    else:
        assert settings_ != []


@pytest.mark.parametrize(
    ("path", "split"),
    [
        ("schedule.activities.2.title", (("schedule", "activities"), 2, ("title",))),
        ("schedule.activities.2", (("schedule", "activities"), 2, ())),
        ("identity.name_ideas.0.votes.1", (("identity", "name_ideas"), 0, ("votes", 1))),
        ("identity.name", None),
        ("", None),
    ],
)
def test_split_row_finds_the_first_row_index(path: str, split: object) -> None:
    from sigworkbook.plan.paths import parse_path, split_row

    assert split_row(parse_path(path)) == split
