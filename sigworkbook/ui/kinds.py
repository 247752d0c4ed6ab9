"""The inputs of each kind of field, in one table: the widget, value in and out, and its summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ipywidgets as widgets

from sigworkbook.plan import catalogues, wording
from sigworkbook.plan.fields import FieldSpec
from sigworkbook.plan.kinds import Input
from sigworkbook.ui.merging_box import MergingBox
from sigworkbook.ui.styles import layout, style

NO_CHOICE = "— choose —"

SUMMARY_TEXT = 60
"""Characters of a long text shown in a folded row's summary line."""

UNANSWERED_CHOICES: tuple[tuple[str, str], ...] = (
    ("Not answered yet", ""),
    ("Yes", "yes"),
    ("No", "no"),
)
"""A yes-or-no field that starts unanswered (None in the plan), as a drop-down."""


def choices(spec: FieldSpec) -> list[tuple[str, str | None]]:
    """A choice field's options as a drop-down holds them: (label, key), with 'choose' first
    when it may be left unset."""
    if spec.catalogue:
        entries = catalogues.active()[spec.catalogue]  # type: ignore[index]
        options: list[tuple[str, str | None]] = [(e.label, key) for key, e in entries.items()]
    else:
        options = [(spec.choice_label(c), c) for c in spec.choices]
    return [(NO_CHOICE, None), *options] if spec.optional else options


# --- making the widget ------------------------------------------------------------------------


def _common(spec: FieldSpec, kind: type[widgets.DOMWidget]) -> dict[str, Any]:
    return {"description": spec.label, "style": style(kind, description_width="initial")}


def _within_years(spec: FieldSpec, picker: widgets.ValueWidget) -> widgets.ValueWidget:
    """Tell the page's script the model's range of years for this date box (as a class: a
    widget has no other attribute of its own in the page). The kernel refuses the rest."""
    if spec.years is not None:
        picker.add_class(f"swb-years-{spec.years[0]}-{spec.years[1]}")
    return picker


def _prose_rows(spec: FieldSpec) -> int:
    return 6 if (spec.max_length or 0) > 1000 else 3


def _prose_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.Textarea(
        placeholder=spec.placeholder,
        rows=_prose_rows(spec),
        layout=layout(width="100%"),
        continuous_update=True,
        **_common(spec, widgets.Textarea),
    )


def _shared_box(spec: FieldSpec, rows: int) -> MergingBox:
    return MergingBox(
        description=spec.label,
        placeholder=spec.placeholder or "",
        rows=rows,
        layout=layout(width="100%"),
    )


def _shared_prose_box(spec: FieldSpec) -> widgets.ValueWidget:
    return _shared_box(spec, _prose_rows(spec))


def _shared_line_box(spec: FieldSpec) -> widgets.ValueWidget:
    return _shared_box(spec, 0)


def _zone_box(spec: FieldSpec) -> widgets.ValueWidget:
    # Offers the known values as it is typed (a time zone); anything else typed is still sent,
    # on Enter or leaving the box, so that the check can refuse it next to the field.
    return widgets.Combobox(
        options=list(spec.choices),
        ensure_option=False,
        continuous_update=False,
        placeholder=spec.placeholder or "start typing, e.g. Europe/London",
        layout=layout(width="100%"),
        **_common(spec, widgets.Combobox),
    )


def _line_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.Text(
        placeholder=spec.placeholder,
        layout=layout(width="100%"),
        continuous_update=True,
        **_common(spec, widgets.Text),
    )


def _yes_no_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.Dropdown(
        options=list(UNANSWERED_CHOICES), layout=layout(), **_common(spec, widgets.Dropdown)
    )


def _tick_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.Checkbox(indent=False, layout=layout(), **_common(spec, widgets.Checkbox))


def _whole_or_blank_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.Text(
        placeholder="a whole number, or leave blank",
        layout=layout(width="100%"),
        **_common(spec, widgets.Text),
    )


def _number_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.BoundedIntText(
        min=spec.minimum if spec.minimum is not None else 0,
        max=spec.maximum if spec.maximum is not None else 100_000,
        layout=layout(),
        **_common(spec, widgets.BoundedIntText),
    )


def _date_box(spec: FieldSpec) -> widgets.ValueWidget:
    return _within_years(
        spec, widgets.DatePicker(layout=layout(), **_common(spec, widgets.DatePicker))
    )


def _moment_box(spec: FieldSpec) -> widgets.ValueWidget:
    picker = widgets.NaiveDatetimePicker(
        layout=layout(), **_common(spec, widgets.NaiveDatetimePicker)
    )
    return _within_years(spec, picker)


def _choice_box(spec: FieldSpec) -> widgets.ValueWidget:
    return widgets.Dropdown(
        options=choices(spec), layout=layout(), **_common(spec, widgets.Dropdown)
    )


# --- values in and out ------------------------------------------------------------------------


def _as_is(_spec: FieldSpec, value: Any) -> Any:
    return value


def _text_in(_spec: FieldSpec, value: Any) -> Any:
    return value or ""


def _date_in(_spec: FieldSpec, value: Any) -> Any:
    return dt.date.fromisoformat(value) if value else None


def _moment_in(_spec: FieldSpec, value: Any) -> Any:
    return dt.datetime.fromisoformat(value) if value else None


def _whole_or_blank_in(_spec: FieldSpec, value: Any) -> Any:
    return "" if value is None else str(value)


def _yes_no_in(_spec: FieldSpec, value: Any) -> Any:
    return "" if value is None else ("yes" if value else "no")


def _plain_out(_spec: FieldSpec, value: Any) -> Any:
    """A widget's value as JSON holds it: a date or date and time as ISO text."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@lru_cache(maxsize=8)
def _by_casefold(names: tuple[str, ...]) -> dict[str, str]:
    return {name.casefold(): name for name in names}


def _zone_out(spec: FieldSpec, value: Any) -> Any:
    if not isinstance(value, str):
        return _plain_out(spec, value)
    # 'europe/london ' is Europe/London: the known spelling of what was typed.
    text = value.strip()
    return _by_casefold(spec.choices).get(text.casefold(), text)


def _whole_or_blank_out(spec: FieldSpec, value: Any) -> Any:
    if not isinstance(value, str):
        return _plain_out(spec, value)
    # Blank means none; anything else that is not a whole number goes on to validation,
    # which refuses it with a message next to the field.
    text = value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _yes_no_out(spec: FieldSpec, value: Any) -> Any:
    if not isinstance(value, str):
        return _plain_out(spec, value)
    return {"yes": True, "no": False}.get(value)


# --- summaries (a folded table row) -----------------------------------------------------------


def _shortened(spec: FieldSpec, value: Any) -> str:
    text = " ".join(str(value).split())
    if len(text) > SUMMARY_TEXT:
        text = text[: SUMMARY_TEXT - 1].rstrip() + "…"
    return f"{spec.label}: {text}"


def _choice_summary(spec: FieldSpec, value: Any) -> str:
    return next((label for label, key in choices(spec) if key == value), str(value))


def _yes_no_summary(spec: FieldSpec, value: Any) -> str:
    return f"{spec.label}: {'yes' if value else 'no'}"


def _tick_summary(spec: FieldSpec, value: Any) -> str:
    return spec.label if value else ""


def _moment_summary(spec: FieldSpec, value: Any) -> str:
    moment = dt.datetime.fromisoformat(str(value))
    return f"{spec.label}: {wording.short_date(moment.date())}, {moment:%H:%M}"


def _date_summary(spec: FieldSpec, value: Any) -> str:
    return f"{spec.label}: {wording.long_date(dt.date.fromisoformat(str(value)))}"


def _zone_summary(spec: FieldSpec, value: Any) -> str:
    return f"{spec.label}: {wording.zone_in_words(str(value))}"  # as people say it: 'UK time'


@dataclass(frozen=True)
class KindAdapter:
    """How a form handles one way in (`FieldSpec.way_in`): the input it makes, a plan (JSON)
    value as the input holds it and back, and the value in a few words for a folded row."""

    make: Callable[[FieldSpec], widgets.ValueWidget]
    to_widget: Callable[[FieldSpec, Any], Any] = _as_is
    from_widget: Callable[[FieldSpec, Any], Any] = _plain_out
    summary: Callable[[FieldSpec, Any], str] = _shortened
    shared: Callable[[FieldSpec], widgets.ValueWidget] | None = None
    """The input made where several people type at once, merged (text typed freely)."""


ADAPTERS: dict[Input, KindAdapter] = {
    "line": KindAdapter(_line_box, _text_in, shared=_shared_line_box),
    "time_zone": KindAdapter(_zone_box, _text_in, _zone_out, _zone_summary),
    "prose": KindAdapter(_prose_box, _text_in, shared=_shared_prose_box),
    "bool": KindAdapter(_tick_box, summary=_tick_summary),
    "yes_no": KindAdapter(_yes_no_box, _yes_no_in, _yes_no_out, _yes_no_summary),
    "int": KindAdapter(_number_box),
    "whole_or_blank": KindAdapter(_whole_or_blank_box, _whole_or_blank_in, _whole_or_blank_out),
    "date": KindAdapter(_date_box, _date_in, summary=_date_summary),
    "datetime": KindAdapter(_moment_box, _moment_in, summary=_moment_summary),
    "choice": KindAdapter(_choice_box, summary=_choice_summary),
}
"""Every single input a field can have; a list, a map or a section has none of its own."""


def adapter(spec: FieldSpec) -> KindAdapter:
    """The adapter of the field's way in; TypeError for a field that has no single input."""
    found = ADAPTERS.get(spec.way_in)
    if found is None:
        raise TypeError(f"{spec.path}: no single input for a field of kind {spec.kind}")
    return found
