"""Look up a plan field by its dotted path: its label, help, limits and kind, read from the model."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sigworkbook.plan import catalogues
from sigworkbook.plan.fieldtypes import time_zone_names
from sigworkbook.plan.model import Plan
from sigworkbook.plan.paths import PathError, parse_path

Kind = Literal[
    "line", "prose", "bool", "int", "date", "datetime", "choice", "list", "map", "section"
]


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


def _catalogue(info: FieldInfo, metadata: list[Any]) -> str | None:
    for item in [info, *metadata]:
        extra = getattr(item, "json_schema_extra", None)
        if isinstance(extra, dict) and "x-catalogue" in extra:
            return str(extra["x-catalogue"])
    return None


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
    choices: tuple[str, ...] = ()
    if catalogue:
        kind = "choice"
    elif origin is Literal:
        kind, choices = "choice", tuple(str(a) for a in typing.get_args(annotation))
    elif annotation is bool:
        kind = "bool"
    elif annotation is int:
        kind = "int"
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
        # pydantic moves a field's Annotated validators into `info.metadata`: look in both.
        validators = [*metadata, *info.metadata]
        kind = "prose" if any("_normalise_newlines" in repr(m) for m in validators) else "line"
        if any("_check_time_zone" in repr(m) for m in validators):
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
        kind = _spec(path, info).kind
        if kind in ("list", "map") and index < len(segments):
            # A list takes a row index, a map a key; `*` stands for either.
            if index not in wildcards and isinstance(segments[index], int) != (kind == "list"):
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
        elif kind == "section" and index < len(segments):
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
    if spec.kind != "list":
        raise PathError(f"'{list_path}' is not a table of the plan")
    item = _item_type(_field_info(list_path))
    if not _is_model(item):
        raise PathError(f"'{list_path}' is a list of values, not a table")
    return tuple(leaves(item, ""))
