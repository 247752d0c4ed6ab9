"""The network team's list of SIGs as CSV and Markdown: user text never becomes a formula or markup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sigworkbook.exports.markdown import inline
from sigworkbook.exports.tables import _csv
from sigworkbook.plan.steps import Step


@dataclass(frozen=True)
class SigSummary:
    """One SIG as the network team sees it."""

    sig_id: str
    name: str
    description: str
    conveners: tuple[str, ...]
    """The conveners named in the plan's core group."""
    owners: tuple[str, ...]
    """The hub users who manage the SIG's members."""
    progress: tuple[tuple[Step, int, int], ...]
    """Each step with checks: the step, checks done, checks in all."""
    revision: int
    last_edit: dt.datetime | None
    last_editor: str | None
    submitted_at: dt.datetime | None
    submitted_by: str | None
    submitted_revision: int | None
    needs_repair: str = ""
    """Why the stored plan cannot be read (empty when it can): the SIG is still listed."""

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def changed_since_submitted(self) -> bool:
        return self.submitted_revision is not None and self.submitted_revision < self.revision


def when(moment: dt.datetime | None) -> str:
    """A time in UTC as people read it, e.g. 4 Dec 2026, 15:04 UTC."""
    if moment is None:
        return ""
    utc = moment.astimezone(dt.UTC)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def spreadsheet_time(moment: dt.datetime | None) -> str:
    """A time in UTC as spreadsheets read and sort it, e.g. 2026-12-04 15:04."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if moment else ""


def step_progress(summary: SigSummary) -> str:
    if summary.needs_repair:
        return f"needs repair: {summary.needs_repair}"
    return "; ".join(f"{step.title}: {done} of {total}" for step, done, total in summary.progress)


def listing_state(summary: SigSummary) -> str:
    """Whether the group sent its listing, in words."""
    if not summary.submitted:
        return "not sent yet"
    text = f"sent {when(summary.submitted_at)} by {summary.submitted_by or 'someone'}"
    if summary.changed_since_submitted:
        text += ", changed since"
    return text


HEADER = (
    "SIG id",
    "Name",
    "Description",
    "Conveners",
    "Progress",
    "Last edit (UTC)",
    "Last edited by",
    "Sent for listing (UTC)",
    "Sent by",
    "Sent at revision",
    "Latest revision",
)


def network_csv(summaries: Sequence[SigSummary]) -> bytes:
    """Every SIG as one row of a UTF-8 CSV table (cells that could run as formulas neutralised)."""
    rows = [
        (
            s.sig_id,
            s.name,
            s.description,
            ", ".join(s.conveners),
            step_progress(s),
            spreadsheet_time(s.last_edit),
            s.last_editor,
            spreadsheet_time(s.submitted_at),
            s.submitted_by,
            s.submitted_revision,
            s.revision,
        )
        for s in summaries
    ]
    return _csv(HEADER, rows)


def network_markdown(summaries: Sequence[SigSummary], *, at: dt.datetime) -> str:
    """Every SIG as a Markdown section; everything a user typed is escaped."""
    lines = ["# SIGs in the network", "", f"As of {when(at)}: {len(summaries)} SIGs.", ""]
    for s in summaries:
        lines += [f"## {inline(s.name or s.sig_id)}", ""]
        if s.description:
            lines += [inline(s.description), ""]
        conveners = ", ".join(inline(c) for c in s.conveners) or "none named yet"
        lines += [
            f"- Conveners: {conveners}",
            f"- Sent for listing: {inline(listing_state(s))}",
            f"- Last edit: {inline(when(s.last_edit) or 'none')}"
            + (f" by {inline(s.last_editor)}" if s.last_editor else ""),
            f"- Progress: {inline(step_progress(s))}",
            "",
        ]
    return "\n".join(lines)
