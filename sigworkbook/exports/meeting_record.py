"""A meeting's record as documents: Markdown (meeting-record.md.j2), Word and a draft e-mail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sigworkbook.exports.templating import reference_document, render_template
from sigworkbook.plan import wording
from sigworkbook.plan.meeting import minutes_text, step_label
from sigworkbook.plan.model import MeetingRecord, Plan

TEMPLATE = "meeting-record.md.j2"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class StepRow:
    """One step of the record as the table shows it."""

    step: str
    planned: str
    spent: str
    against: str


def _against(spent: float, planned_minutes: int) -> str:
    if not planned_minutes:
        return ""
    over = spent - planned_minutes * 60
    if abs(over) < 60:
        return "on time"
    return f"{minutes_text(abs(over))} {'over' if over > 0 else 'under'}"


def _clock(moment: float) -> str:
    return f"{dt.datetime.fromtimestamp(moment):%H:%M}"


def variables(plan: Plan, record: MeetingRecord) -> dict[str, Any]:
    """What meeting-record.md.j2 can use."""
    rows = [
        StepRow(
            step_label(row.step),
            f"{row.planned_minutes} min" if row.planned_minutes else "",
            minutes_text(row.spent_seconds),
            _against(row.spent_seconds, row.planned_minutes),
        )
        for row in record.steps
    ]
    return {
        "plan": plan,
        "name": " ".join(plan.identity.name.split()),
        "record": record,
        "steps": rows,
        "started": _clock(record.started_at),
        "ended": _clock(record.ended_at),
        "duration": minutes_text(record.ended_at - record.started_at),
        "exported_day": wording.long_date(record.date),
    }


def title(plan: Plan, record: MeetingRecord) -> str:
    """'Meeting of Home Safely, 6 December 2026'."""
    name = " ".join(plan.identity.name.split()) or "the new group"
    return f"Meeting of {name}, {wording.long_date(record.date)}"


def markdown(plan: Plan, record: MeetingRecord, *, templates: Path | None = None) -> str:
    return render_template(TEMPLATE, variables(plan, record), templates=templates, kind="markdown")


def docx(plan: Plan, record: MeetingRecord, *, templates: Path | None = None) -> bytes:
    from sigworkbook.exports import word

    properties = word.Properties(
        title=title(plan, record),
        subject="Meeting record",
        revision=0,
        exported_at=dt.datetime.fromtimestamp(record.ended_at, dt.UTC),
    )
    text = markdown(plan, record, templates=templates)
    return word.from_markdown(text, properties, reference=reference_document(templates))


def eml(plan: Plan, record: MeetingRecord, *, templates: Path | None = None) -> bytes:
    from sigworkbook.exports import mail

    return mail.draft(
        markdown(plan, record, templates=templates),
        title=title(plan, record),
        exported_at=dt.datetime.fromtimestamp(record.ended_at, dt.UTC),
    )


def file_names(record: MeetingRecord) -> dict[str, str]:
    """The file name of each document, by kind: 'meeting-2026-12-06.md' and so on."""
    stem = f"meeting-{record.date.isoformat()}"
    return {"markdown": f"{stem}.md", "docx": f"{stem}.docx", "eml": f"{stem}.eml"}
