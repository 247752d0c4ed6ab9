"""Dates: a date that has passed is a gap in plain words; pages say their language (en-GB by
default) and show every date in words under its box."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from widget_tree import control, open_rows

from sigworkbook.app.voila_config import ServeOptions, build_config
from sigworkbook.live.session import Session
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import Plan
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.controls import date_words
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.schedule import build as schedule_page
from sigworkbook.workspace import Workspace

ON = dt.date(2027, 3, 1)


def messages(plan: dict[str, object], step: str) -> list[str]:
    return [str(g) for g in check(Plan.model_validate({"id": "x", **plan}), on=ON)[step].gaps]


def activity(**fields: object) -> dict[str, object]:
    return {"title": "Huddle", "owner": "Kim", **fields}


def test_a_planned_activity_whose_date_has_passed_is_a_gap() -> None:
    past = messages({"schedule": {"activities": [activity(start="2025-01-15T18:00")]}}, "schedule")
    assert past == [
        "Starts: 'Huddle': this activity's date has passed (Wed 15 Jan 2025); change it, or "
        "mark the activity done or cancelled"
    ]
    done = activity(start="2025-01-15T18:00", status="done")
    assert messages({"schedule": {"activities": [done]}}, "schedule") == []
    coming = activity(start="2027-03-01T18:00")
    assert messages({"schedule": {"activities": [coming]}}, "schedule") == []


def test_a_series_has_passed_only_when_its_last_date_has() -> None:
    ongoing = activity(start="2026-01-06T18:00", recurrence={"frequency": "weekly", "count": 100})
    assert messages({"schedule": {"activities": [ongoing]}}, "schedule") == []
    open_ended = activity(start="2020-01-06T18:00", recurrence={"frequency": "weekly"})
    assert messages({"schedule": {"activities": [open_ended]}}, "schedule") == []
    over = activity(start="2026-01-06T18:00", recurrence={"frequency": "weekly", "count": 4})
    assert (
        "has passed (Tue 27 Jan 2026)"
        in messages({"schedule": {"activities": [over]}}, "schedule")[0]
    )


def test_a_review_date_already_gone_is_a_gap() -> None:
    gaps = messages({"charter": {"review_date": "2025-01-15"}}, "charter")
    assert (
        "Charter review date: the review date, 15 January 2025, has passed: set the next one"
        in gaps
    )
    assert not [
        g for g in messages({"charter": {"review_date": "2027-03-01"}}, "charter") if "passed" in g
    ]


def test_the_day_can_be_pinned_for_rehearsals(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = Plan.model_validate({"id": "x", "charter": {"review_date": "2026-06-01"}})
    monkeypatch.setenv("SIGWORKBOOK_TODAY", "2026-07-01")
    assert any("has passed" in str(g) for g in check(plan)["charter"].gaps)
    monkeypatch.setenv("SIGWORKBOOK_TODAY", "2026-05-01")
    assert not any("has passed" in str(g) for g in check(plan)["charter"].gaps)


def test_pages_are_british_english_unless_configured(tmp_path: Path) -> None:
    options = ServeOptions(notebooks=tmp_path, port=8866, host="127.0.0.1", token=None)
    assert build_config(options).VoilaConfiguration.resources["sigworkbook"]["language"] == "en-GB"
    welsh = ServeOptions(notebooks=tmp_path, port=8866, host="127.0.0.1", token=None, language="cy")
    assert build_config(welsh).VoilaConfiguration.resources["sigworkbook"]["language"] == "cy"
    with pytest.raises(ValueError, match="language"):
        ServeOptions(
            notebooks=tmp_path, port=8866, host="127.0.0.1", token=None, language='en"><script>'
        )


def test_a_date_is_shown_in_words_under_its_box(ws: Workspace) -> None:
    assert "Tuesday 5 January 2027, 18:00" in date_words(dt.datetime(2027, 1, 5, 18, 0))
    assert date_words(None) == ""
    sig = ws.new_sig("Dated", author="Kim").plan.id
    ws.update(
        sig, "schedule.activities", lambda _: [{"title": "Huddle", "start": "2027-01-05T18:00"}]
    )
    form = schedule_page(Page(STEP_BY_KEY["schedule"], Session(ws, sig, author="Kim")))
    open_rows(form)
    starts = control(form, "schedule.activities.0.start")
    assert "Tuesday 5 January 2027, 18:00" in starts.notes.value
    starts.input.value = dt.datetime(2027, 5, 1, 9, 30)
    assert "Saturday 1 May 2027, 09:30" in starts.notes.value
