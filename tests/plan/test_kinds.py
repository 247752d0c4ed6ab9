"""Field kinds are declared in the model, and every way in has one entry in the forms' table."""

from __future__ import annotations

import typing
from typing import Annotated

import pytest
from pydantic import AfterValidator, BaseModel, BeforeValidator

from sigworkbook.plan import fields
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.fieldtypes import Prose, TimeZone
from sigworkbook.plan.kinds import LINE, PROSE, TIME_ZONE, TRAITS, Input, Kind
from sigworkbook.ui.kinds import ADAPTERS, adapter


def _newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


def _check_time_zone(value: str) -> str:
    return value


class Probe(BaseModel):
    declared_prose: Annotated[str, PROSE] = ""
    declared_zone: Annotated[str, TIME_ZONE] = "UTC"
    renamed_validators: Prose = ""
    look_alike: Annotated[str, BeforeValidator(_newlines), AfterValidator(_check_time_zone)] = ""
    declared_twice: Annotated[Annotated[str, PROSE], LINE] = ""


def _spec(name: str) -> fields.FieldSpec:
    return fields._spec(name, Probe.model_fields[name])


def test_a_text_fields_kind_is_the_marker_it_declares() -> None:
    assert (_spec("declared_prose").kind, _spec("declared_prose").way_in) == ("prose", "prose")
    zone = _spec("declared_zone")
    assert (zone.kind, zone.way_in, len(zone.choices) > 100) == ("line", "time_zone", True)
    assert _spec("renamed_validators").kind == "prose"
    assert _spec("declared_twice").kind == "line"  # the outermost declaration wins


def test_validator_names_say_nothing_about_the_kind() -> None:
    # The old guess read "_normalise_newlines" and "_check_time_zone" in the metadata's repr().
    look_alike = _spec("look_alike")
    assert (look_alike.kind, look_alike.way_in, look_alike.choices) == ("line", "line", ())


def test_the_plans_text_types_declare_their_kind() -> None:
    for text_type, marker in ((Prose, PROSE), (TimeZone, TIME_ZONE)):
        assert marker in typing.get_args(text_type)
    assert field_spec("schedule.activities.*.timezone").way_in == "time_zone"
    assert field_spec("schedule.activities.*.notes").way_in == "prose"
    assert field_spec("core_group.people.*.network_member").way_in == "yes_no"
    assert field_spec("schedule.activities.*.recurrence.count").way_in == "whole_or_blank"


def test_every_kind_has_its_traits_and_every_single_input_its_adapter() -> None:
    assert set(TRAITS) == set(typing.get_args(Kind))
    containers = {"list", "map", "section"}
    assert set(ADAPTERS) == set(typing.get_args(Input)) - containers


@pytest.mark.parametrize("path", ["schedule.activities", "identity", "meeting.timeboxes"])
def test_a_container_has_no_single_input(path: str) -> None:
    with pytest.raises(TypeError, match="no single input"):
        adapter(field_spec(path))
