"""schedule.csv and promotion-plan.csv read back with the csv module: text intact, no formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import strategies
from hostile import HOSTILE, demo_document, fill_plan
from hypothesis import HealthCheck, given, settings

from sigworkbook import exports
from sigworkbook.plan import catalogues
from sigworkbook.plan.fields import label
from sigworkbook.plan.model import Plan

EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_FORMATS = ("schedule-csv", "promotion-csv")


def rows(format: str, plan: Plan) -> list[list[str]]:
    data = exports.render(format, plan, revision=1, exported_at=EXPORTED_AT)
    assert data.startswith("\ufeff".encode())  # so spreadsheets read it as UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline="")))


def neutral(value: str) -> str:
    """How a cell holding `value` must read back: with an apostrophe before a formula start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def assert_no_formula(table: list[list[str]]) -> None:
    for row in table:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


def test_header_rows_are_the_models_labels() -> None:
    plan = Plan.model_validate(demo_document())
    schedule = rows("schedule-csv", plan)
    for name in ("title", "type", "start", "timezone", "owner", "status", "notes"):
        assert label(f"schedule.activities.*.{name}") in schedule[0]
    assert len(schedule) == 1 + len(plan.schedule.activities)
    assert all(len(row) == len(schedule[0]) for row in schedule)
    promotion = rows("promotion-csv", plan)
    for name in ("date", "channel", "owner", "status", "draft"):
        assert label(f"promotion.actions.*.{name}") in promotion[0]
    assert len(promotion) == 1 + len(plan.promotion.actions)


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_hostile_text_reads_back_intact_and_never_as_a_formula(text: str) -> None:
    plan = fill_plan(demo_document(), text)
    schedule = rows("schedule-csv", plan)
    promotion = rows("promotion-csv", plan)
    for table in (schedule, promotion):
        assert_no_formula(table)
    header = schedule[0]
    for a, row in zip(plan.schedule.activities, schedule[1:], strict=True):
        cells = dict(zip(header, row, strict=True))
        for name in ("title", "owner", "location", "notes"):
            value = getattr(a, name)
            shown = cells[label(f"schedule.activities.*.{name}")]
            assert shown == neutral(value)
    draft = label("promotion.actions.*.draft")
    for action, row in zip(plan.promotion.actions, promotion[1:], strict=True):
        cell = dict(zip(promotion[0], row, strict=True))[draft]
        assert cell == neutral(action.draft)


def test_actions_by_date_with_draft_length_against_the_channel_limit() -> None:
    limit = catalogues.active().char_limit("own_twitter")
    assert limit is not None
    document = demo_document()
    document["promotion"]["actions"] = [
        {
            "id": "over01",
            "channel": "own_twitter",
            "draft": "é" * (limit + 3),
            "date": "2027-01-02",
        },
        {"id": "fits01", "channel": "own_twitter", "draft": "ok", "date": "2027-01-01"},
        {"id": "free01", "channel": "direct_email", "draft": "no limit here"},
    ]
    table = rows("promotion-csv", Plan.model_validate(document))
    header = table[0]
    found = [dict(zip(header, row, strict=True)) for row in table[1:]]
    length, limit_col, over = header[-3:]
    # By date, undated last, as in promotion-plan.md (the plan has them in another order).
    assert [r[label("promotion.actions.*.date")] for r in found] == [
        "2027-01-01",
        "2027-01-02",
        "",
    ]
    assert [(r[length], r[limit_col], r[over]) for r in found] == [
        ("2", str(limit), "0"),
        (str(limit + 3), str(limit), "3"),
        (str(len("no limit here")), "", ""),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.plan_documents())
def test_generated_plans_never_give_a_formula_cell(document: dict[str, Any]) -> None:
    plan = Plan.model_validate(document)
    for format in CSV_FORMATS:
        table = rows(format, plan)
        assert_no_formula(table)
        assert len({len(row) for row in table}) == 1
    notes = [row[-1] for row in rows("schedule-csv", plan)[1:]]
    assert notes == [neutral(a.notes) for a in plan.schedule.activities]


@pytest.mark.parametrize("format", CSV_FORMATS)
def test_pandas_reads_the_demo_exports_column_by_column(format: str) -> None:
    import pandas as pd

    plan = Plan.model_validate(demo_document())
    data = exports.render(format, plan, revision=1, exported_at=EXPORTED_AT)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    table = rows(format, plan)
    assert list(frame.columns) == table[0]
    assert frame.to_numpy().tolist() == table[1:]
    expected = plan.schedule.activities if format == "schedule-csv" else plan.promotion.actions
    assert len(frame) == len(expected) > 0
