"""Look up a plan field by its dotted path: its label, help, limits and kind, read from the model."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sigworkbook.plan import catalogues
from sigworkbook.plan.fieldtypes import YEARS_KEY, time_zone_names
from sigworkbook.plan.kinds import LINE, TRAITS, FieldKind, Input, Kind, KindTraits
from sigworkbook.plan.model import Plan
from sigworkbook.plan.paths import PathError, parse_path


@dataclass(frozen=True)
class FieldSpec:
    """What the model says about one field: everything a form, a check or a message needs."""

    path: str
    label: str
    help: str
    kind: Kind
    max_length: int | None = None
    advised_max: int | None = None
    advised_why: str = "advised"
    """Why the advised limit: the text is "longer than {advised_why} ({advised_max})"."""
    placeholder: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    catalogue: str | None = None
    optional: bool = False
    choice_labels: tuple[tuple[str, str], ...] = ()
    """The words a person reads for each of `choices` (from the model's x-choice-labels)."""
    years: tuple[int, int] | None = None
    """For a date or date-time: the first and last year it may fall in."""
    input: Input | None = None
    """How a person gives the value (the key of the forms' inputs); by default, as `kind`."""

    @property
    def way_in(self) -> Input:
        """How a person gives the value: the key of the forms' table of inputs."""
        return self.input or self.kind

    @property
    def traits(self) -> KindTraits:
        """What the field's kind is (text, dated, rows, ...)."""
        return TRAITS[self.kind]

    @property
    def is_text(self) -> bool:
        """Typed text (a line or prose): counted against its limit and merged when shared."""
        return self.traits.text

    @property
    def typed_freely(self) -> bool:
        """Text typed word by word, with no list of values to offer (a time zone has one)."""
        return self.traits.text and not self.choices

    def choice_label(self, key: str) -> str:
        """What a person reads for the choice `key` (a catalogue's label, or the model's)."""
        if self.catalogue:
            entry = catalogues.active()[self.catalogue].get(key)  # type: ignore[index]
            if entry is not None:
                return entry.label
        return dict(self.choice_labels).get(key, key.replace("_", " ").capitalize())


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _strip_annotated(annotation: Any) -> tuple[Any, list[Any]]:
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        annotation, metadata = args[0], [*metadata, *args[1:]]
    return annotation, metadata


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _schema_extra(info: FieldInfo, metadata: list[Any], key: str) -> Any:
    for item in [info, *metadata]:
        extra = getattr(item, "json_schema_extra", None)
        if isinstance(extra, dict) and key in extra:
            return extra[key]
    return None


def _catalogue(info: FieldInfo, metadata: list[Any]) -> str | None:
    found = _schema_extra(info, metadata, "x-catalogue")
    return None if found is None else str(found)


def _years(info: FieldInfo, metadata: list[Any]) -> tuple[int, int] | None:
    found = _schema_extra(info, metadata, YEARS_KEY)
    return (int(found[0]), int(found[1])) if isinstance(found, list) else None


def _constraint(info: FieldInfo, name: str) -> Any:
    for item in info.metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _spec(path: str, info: FieldInfo) -> FieldSpec:
    annotation, optional = _unwrap_optional(info.annotation)
    annotation, metadata = _strip_annotated(annotation)
    annotation, inner_optional = _unwrap_optional(annotation)
    annotation, more = _strip_annotated(annotation)
    metadata += more
    optional = optional or inner_optional
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    catalogue = _catalogue(info, metadata)
    origin = typing.get_origin(annotation)
    kind: Kind
    way_in: Input | None = None
    choices: tuple[str, ...] = ()
    if catalogue:
        kind = "choice"
    elif origin is Literal:
        kind, choices = "choice", tuple(str(a) for a in typing.get_args(annotation))
    elif annotation is bool:
        kind, way_in = "bool", "yes_no" if optional else None  # a yes_no may be unanswered
    elif annotation is int:
        kind, way_in = "int", "whole_or_blank" if optional else None
    elif annotation is dt.datetime:
        kind = "datetime"
    elif annotation is dt.date:
        kind = "date"
    elif origin is list:
        kind = "list"
    elif origin is dict:
        kind = "map"
    elif _is_model(annotation):
        kind = "section"
    else:
        # pydantic moves a field's Annotated metadata into `info.metadata`: look in both.
        declared = [m for m in [*metadata, *info.metadata] if isinstance(m, FieldKind)]
        marker = declared[-1] if declared else LINE
        kind, way_in = marker.kind, marker.input
        if marker.offers_time_zones:
            choices = time_zone_names()  # a line that offers the valid names as it is typed
    advised = extra.get("x-advised-max")
    labels = extra.get("x-choice-labels")
    return FieldSpec(
        path=path,
        label=info.title or path.rsplit(".", 1)[-1].replace("_", " ").capitalize(),
        help=info.description or "",
        kind=kind,
        max_length=_constraint(info, "max_length"),
        advised_max=int(advised) if isinstance(advised, int) else None,
        advised_why=str(extra.get("x-advised-why", "advised")),
        placeholder=str(extra.get("x-placeholder", "")),
        minimum=_constraint(info, "ge"),
        maximum=_constraint(info, "le"),
        choices=choices,
        catalogue=catalogue,
        optional=optional,
        choice_labels=tuple((str(k), str(v)) for k, v in labels.items())
        if isinstance(labels, dict)
        else (),
        years=_years(info, metadata),
        input=way_in,
    )


def _item_type(info: FieldInfo) -> Any:
    annotation, _ = _unwrap_optional(info.annotation)
    annotation, _ = _strip_annotated(annotation)
    args = typing.get_args(annotation)
    return _strip_annotated(args[-1])[0] if args else None


@lru_cache(maxsize=1024)
def field_spec(path: str) -> FieldSpec:
    """The spec of the field at a dotted path such as `identity.name` or `schedule.activities.0.title`.

    Row indexes and map keys may be any index or key; `*` stands for any of them.
    """
    raw = path.split(".") if path else []
    wildcards = {n for n, part in enumerate(raw) if part == "*"}
    segments = parse_path(".".join("0" if part == "*" else part for part in raw)) if path else ()
    model: type[BaseModel] = Plan
    info: FieldInfo | None = None
    spec_path: list[str] = []
    index = 0
    while index < len(segments):
        segment = segments[index]
        if not isinstance(segment, str) or segment not in model.model_fields:
            raise PathError(f"'{path}' is not a field of the plan")
        info = model.model_fields[segment]
        spec_path.append(segment)
        index += 1
        traits = _spec(path, info).traits
        if (traits.rows or traits.keyed) and index < len(segments):
            # A list takes a row index, a map a key; `*` stands for either.
            if index not in wildcards and isinstance(segments[index], int) != traits.rows:
                raise PathError(f"'{path}' is not a field of the plan")
            item = _item_type(info)
            index += 1
            spec_path.append("*")
            if index == len(segments):
                if _is_model(item):
                    return FieldSpec(path, info.title or segment, info.description or "", "section")
                # A list entry or map value has no title of its own: it takes its container's.
                entry = _spec(path, FieldInfo.from_annotation(item))
                return replace(entry, label=info.title or entry.label, help=info.description or "")
            if not _is_model(item):
                raise PathError(f"'{path}' is not a field of the plan")
            model = item
        elif traits.section and index < len(segments):
            annotation, _ = _unwrap_optional(info.annotation)
            model = annotation
        elif index < len(segments):
            raise PathError(f"'{path}' is not a field of the plan")
    if info is None:
        return FieldSpec("", "Plan", "", "section")
    return _spec(path, info)


def label(path: str) -> str:
    """The label of the field at `path`, or the path itself when it names no field."""
    try:
        return field_spec(path).label
    except PathError:
        return path


def _field_info(path: str) -> FieldInfo:
    """The FieldInfo at a path made of section and field names only (no row indexes)."""
    model: Any = Plan
    info: FieldInfo | None = None
    for name in path.split("."):
        if not (_is_model(model) and name in model.model_fields):
            raise PathError(f"'{path}' is not a field of the plan")
        info = model.model_fields[name]
        model, _ = _unwrap_optional(info.annotation)
    if info is None:
        raise PathError(f"'{path}' is not a field of the plan")
    return info


def row_fields(list_path: str) -> tuple[str, ...]:
    """The editable fields of one row of the table at `list_path`, in the model's order.

    Fields of nested sections are dotted (`recurrence.count`); the row's `id` is left out.
    """

    def leaves(model: type[BaseModel], prefix: str) -> list[str]:
        found: list[str] = []
        for name, info in model.model_fields.items():
            annotation, _ = _unwrap_optional(info.annotation)
            if _is_model(annotation):
                found += leaves(annotation, f"{prefix}{name}.")
            elif name != "id":
                found.append(prefix + name)
        return found

    spec = field_spec(list_path)
    if not spec.traits.rows:
        raise PathError(f"'{list_path}' is not a table of the plan")
    item = _item_type(_field_info(list_path))
    if not _is_model(item):
        raise PathError(f"'{list_path}' is a list of values, not a table")
    return tuple(leaves(item, ""))


@dataclass(frozen=True)
class RowNaming:
    """How people call one row of a table: a noun ("Activity") and the field that titles it."""

    noun: str
    title: str | None = None
    title_catalogue: str | None = None
    """The catalogue whose label the title field holds a key of (a promotion action's channel)."""


ROW_NAMES: dict[str, RowNaming] = {
    "identity.name_ideas": RowNaming("Name idea", "name"),
    "identity.key_phrases": RowNaming("Key phrase"),
    "core_group.people": RowNaming("Person", "name"),
    "statement.existing_groups.groups_considered": RowNaming("Group looked at"),
    "charter.measures": RowNaming("Measure", "indicator"),
    "charter.risks": RowNaming("Risk", "risk"),
    "schedule.activities": RowNaming("Activity", "title"),
    "promotion.actions": RowNaming("Promotion action", "channel", "channels"),
    "promotion.invitees": RowNaming("Person to invite", "name"),
}
"""The plan's tables, by path (row indexes left out), and how a row of each is named."""

MAP_KEY_CATALOGUES: dict[str, str] = {"development.items": "follow_on_actions"}
"""Maps whose keys are catalogue keys: the entry is named by the catalogue's label."""

TITLE_SHOWN = 40
"""Characters of a row's title quoted in a place's name; a longer one is cut with '…'."""


def _quoted(text: str) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return f"“{text if len(text) <= TITLE_SHOWN else text[: TITLE_SHOWN - 1] + '…'}”"


def _row_title(naming: RowNaming, row: Any) -> str:
    if naming.title is None or not isinstance(row, dict):
        return ""
    title = row.get(naming.title)
    if not isinstance(title, str) or not title.strip():
        return ""
    if naming.title_catalogue:
        from sigworkbook.plan import catalogues

        entries = catalogues.active().entries.get(naming.title_catalogue, {})  # type: ignore[call-overload]
        return str(entries[title].label) if title in entries else ""
    return title


def _map_key_name(map_path: str, key: str) -> str:
    if map_path == "meeting.timeboxes":
        from sigworkbook.plan.steps import STEP_BY_KEY

        step = STEP_BY_KEY.get(key)
        return step.title if step else key.replace("_", " ")
    if map_path == "charter.agreement":
        from sigworkbook.plan.sections import CHARTER_SECTIONS

        section = CHARTER_SECTIONS.get(key)
        if section is not None:
            return f"“{section.title or label(section.paths[0])}”"
    catalogue = MAP_KEY_CATALOGUES.get(map_path)
    if catalogue:
        from sigworkbook.plan import catalogues

        entries = catalogues.active().entries.get(catalogue, {})  # type: ignore[call-overload]
        return entries[key].label if key in entries else f"“{key}”"
    return key.replace("_", " ")


def in_words(path: str, document: Any = None) -> str:
    """Where `path` is in the plan, as people say it: the field's label, with the table row it
    is in counted from 1 and titled from `document` when given, e.g. `schedule.activities.1.
    timezone` -> 'Activity 2, “Monthly huddle”: Time zone'. Never a dotted path for a field of
    the plan; a path that names none is quoted as it is."""
    if not path:
        return "The whole plan"
    try:
        parts = parse_path(path)
        field_spec(path)
    except PathError:
        parent, _, last = path.rpartition(".")
        if parent and in_words(parent) != f"“{parent}”" and not parent.endswith("]"):
            return f"“{last}” in {in_words(parent, document)}"
        return f"“{path}”"
    named: list[str] = []
    container_path: list[str] = []
    value: Any = document
    start = 0
    for at, part in enumerate(parts):
        if isinstance(value, dict | list):
            try:
                value = value[part]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                value = None
        else:
            value = None
        if isinstance(part, int):
            table = ".".join(str(p) for p in container_path)
            naming = ROW_NAMES.get(table, RowNaming(label(table)))
            title = _row_title(naming, value)
            named.append(f"{naming.noun} {part + 1}" + (f", {_quoted(title)}" if title else ""))
            start = at + 1
            container_path.append("*")
            continue
        container_path.append(part)
        spec_path = ".".join(str(p) for p in container_path[:-1])
        if spec_path and field_spec(spec_path).traits.keyed:
            map_path = ".".join(str(p) for p in parts[:at])
            named.append(f"{label(spec_path)}, {_map_key_name(map_path, part)}")
            start = at + 1
    rest = parts[start:]
    if rest or not named:
        named.append(label(path))
    head, *tail = named
    return head + "".join(f": {piece}" for piece in tail) if len(named) > 1 else head


VALUE_SHOWN = 80
"""Characters of a value shown in a sentence about a change; a longer one is cut with '…'."""


def _choice_label(spec: FieldSpec, key: str) -> str:
    if spec.catalogue:
        from sigworkbook.plan import catalogues

        return catalogues.active().label(spec.catalogue, key)  # type: ignore[arg-type]
    return key.replace("_", " ").capitalize()


def _zone_in_words(_spec: FieldSpec, value: str) -> str:
    from sigworkbook.plan.wording import zone_in_words

    return zone_in_words(value)


def _date_in_words(_spec: FieldSpec, value: str) -> str:
    from sigworkbook.plan.wording import long_date

    return long_date(dt.date.fromisoformat(value))


def _moment_in_words(_spec: FieldSpec, value: str) -> str:
    from sigworkbook.plan.wording import long_date

    moment = dt.datetime.fromisoformat(value)
    return f"{long_date(moment.date())}, {moment:%H:%M}"


_IN_WORDS: dict[Input, Callable[[FieldSpec, str], str]] = {
    "choice": _choice_label,
    "time_zone": _zone_in_words,
    "date": _date_in_words,
    "datetime": _moment_in_words,
}
"""How a text value of each way in reads in a sentence; a value of another reads as it is.
A date that does not parse reads as it is too."""


def value_in_words(path: str, value: Any) -> str:
    """A value of the field at `path` as people read it: text as it is, a choice by its label,
    dates in words, yes or no, a list as its entries, a table row by its title; never JSON.
    Empty values give ''."""
    try:
        spec = field_spec(path)
    except PathError:
        spec = FieldSpec(path, path, "", "line")
    text: str
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, str) and spec.way_in in _IN_WORDS:
        try:
            text = _IN_WORDS[spec.way_in](spec, value)
        except ValueError:
            text = value
    elif isinstance(value, list):
        naming = ROW_NAMES.get(_table_pattern(path))
        items = [
            (_row_title(naming, item) if naming else "") if isinstance(item, dict) else str(item)
            for item in value
        ]
        shown = [item for item in items if item]
        text = (
            "; ".join(shown)
            if shown
            else f"{len(value)} {'entry' if len(value) == 1 else 'entries'}"
        )
    elif isinstance(value, dict):
        naming = ROW_NAMES.get(_table_pattern(path).rsplit(".*", 1)[0])
        text = (_row_title(naming, value) if naming else "") or "a row"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"


def _table_pattern(path: str) -> str:
    """`path` with row indexes as `*` (`schedule.activities.2` -> `schedule.activities.*`)."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def row_noun(table_path: str) -> str:
    """What one row of the table at `table_path` is called ("Activity"), row indexes ignored."""
    pattern = _table_pattern(table_path)
    naming = ROW_NAMES.get(pattern)
    return naming.noun if naming else "Entry"


def row_name(table_path: str, row: Any, index: int) -> str:
    """A row as people name it: its title when it has one, else its noun and place counted
    from 1 ("Activity 5")."""
    naming = ROW_NAMES.get(_table_pattern(table_path), RowNaming("Entry"))
    return _row_title(naming, row) or f"{naming.noun} {index + 1}"
