"""Blank table rows (a person, activity, measure, ... with nothing typed in): they count for
nothing in the checks and are left out of the exports."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from pydantic import BaseModel

from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.model import Plan

TABLES = (
    "core_group.people",
    "charter.measures",
    "charter.risks",
    "schedule.activities",
    "promotion.actions",
    "promotion.invitees",
)
"""The tables whose rows someone adds with a button and then fills in."""

Row = TypeVar("Row", bound=BaseModel)


def is_blank(table: str, row: BaseModel) -> bool:
    """Nothing typed in the row: every text that starts empty is still empty, and no date.
    Choices that a new row starts with (a role, a type, a time zone, a status) and ticks do not
    count: they are there before anyone types."""
    fields = type(row).model_fields
    for name, value in row:
        if name == "id":
            continue
        text = field_spec(f"{table}.*.{name}").is_text
        starts_empty = fields[name].default == ""
        if text and starts_empty and str(value).strip():
            return False
        if isinstance(value, dt.date | dt.datetime):
            return False
    return True


def filled(table: str, rows: list[Row]) -> list[Row]:
    """The rows of `table` that are not blank, in order."""
    return [row for row in rows if not is_blank(table, row)]


def without_blank_rows(plan: Plan) -> Plan:
    """A copy of the plan without its blank table rows."""
    updates: dict[str, Any] = {}
    for table in TABLES:
        section, field = table.split(".")
        rows = getattr(getattr(plan, section), field)
        kept = filled(table, rows)
        if len(kept) != len(rows):
            updates.setdefault(section, {})[field] = kept
    if not updates:
        return plan
    return plan.model_copy(
        update={
            section: getattr(plan, section).model_copy(update=fields)
            for section, fields in updates.items()
        }
    )
