"""Exports: the charter and every document a new SIG sends out, rendered from one plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from sigworkbook.exports import context, tables, timing
from sigworkbook.exports.errors import ExportError
from sigworkbook.exports.html import to_html
from sigworkbook.exports.templating import compile_ahead, reference_document, render_template
from sigworkbook.files import write_atomic
from sigworkbook.plan import agreement, voting
from sigworkbook.plan.fieldtypes import slugify
from sigworkbook.plan.model import Plan

__all__ = [
    "FORMATS",
    "ExportError",
    "ExportFormat",
    "Job",
    "charter_html",
    "charter_page",
    "download_name",
    "plan_json",
    "render",
    "shareable",
    "warm_up",
    "write_all",
]


def plan_json(document: dict[str, Any]) -> str:
    """The plan as exported JSON text: stable key order and layout, so it diffs well in git."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Job:
    """One export run: the plan, its revision, the export date (UTC) and the template folder."""

    plan: Plan
    revision: int
    exported_at: dt.datetime
    templates: Path | None

    def variables(self) -> dict[str, Any]:
        return context.build(self.plan, revision=self.revision, exported_at=self.exported_at)

    def markdown(self, template: str) -> str:
        return render_template(
            template, self.variables(), templates=self.templates, kind="markdown"
        )


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, the fixed file name `write_all` uses, and how it is made."""

    name: str
    file_name: str
    media_type: str
    description: str
    build: Callable[[Job], bytes]
    binary: bool = False
    """Bytes that are not text (a Word file): never written onto a terminal."""


def _template(name: str) -> Callable[[Job], bytes]:
    def build(job: Job) -> bytes:
        return job.markdown(name).encode("utf-8")

    return build


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _word(template: str, subject: str) -> Callable[[Job], bytes]:
    def build(job: Job) -> bytes:
        # python-docx (and lxml) are imported here, not with the package, as icalendar is.
        from sigworkbook.exports import word

        properties = word.Properties(
            title=job.plan.identity.name.strip() or job.plan.id,
            subject=subject,
            revision=job.revision,
            exported_at=job.exported_at,
        )
        reference = reference_document(job.templates)
        return word.from_markdown(job.markdown(template), properties, reference=reference)

    return build


def _invitation_eml(job: Job) -> bytes:
    from sigworkbook.exports import mail

    markdown = job.markdown("invitation.md.j2")
    return mail.invitation(markdown, name=job.plan.identity.name, exported_at=job.exported_at)


def _json(job: Job) -> bytes:
    return plan_json(job.plan.model_dump(mode="json")).encode("utf-8")


def _ics(job: Job) -> bytes:
    # icalendar is imported here, not with the package: the review page usually reuses the
    # files already written and needs neither it nor its 5 MiB.
    from sigworkbook.exports import ics

    return ics.schedule_ics(job.plan, revision=job.revision, exported_at=job.exported_at)


def _formats(*formats: ExportFormat) -> Mapping[str, ExportFormat]:
    return MappingProxyType({f.name: f for f in formats})


FORMATS: Mapping[str, ExportFormat] = _formats(
    ExportFormat("json", "plan.json", "application/json", "the whole plan, for import", _json),
    ExportFormat(
        "markdown", "charter.md", "text/markdown", "the charter", _template("charter.md.j2")
    ),
    ExportFormat(
        "docx",
        "charter.docx",
        WORD,
        "the charter as a Word document",
        _word("charter.md.j2", "Charter"),
        binary=True,
    ),
    ExportFormat(
        "listing",
        "listing.md",
        "text/markdown",
        "what the network team needs to create the group",
        _template("listing.md.j2"),
    ),
    ExportFormat(
        "listing-docx",
        "listing.docx",
        WORD,
        "what the network team needs, as a Word document",
        _word("listing.md.j2", "New group listing"),
        binary=True,
    ),
    ExportFormat(
        "invitation",
        "invitation.md",
        "text/markdown",
        "the invitation to join",
        _template("invitation.md.j2"),
    ),
    ExportFormat(
        "invitation-eml",
        "invitation.eml",
        "message/rfc822",
        "the invitation as an e-mail to send",
        _invitation_eml,
    ),
    ExportFormat("ics", "schedule.ics", "text/calendar", "the activities as a calendar", _ics),
    ExportFormat(
        "schedule-csv",
        "schedule.csv",
        "text/csv",
        "the activities as a table",
        lambda job: tables.schedule_csv(job.plan),
    ),
    ExportFormat(
        "promotion",
        "promotion-plan.md",
        "text/markdown",
        "the promotion plan with its drafts",
        _template("promotion-plan.md.j2"),
    ),
    ExportFormat(
        "promotion-csv",
        "promotion-plan.csv",
        "text/csv",
        "the promotion plan as a table",
        lambda job: tables.promotion_csv(job.plan),
    ),
)


def download_name(sig_id: str, file_name: str, name: str = "") -> str:
    """The name a downloaded document is saved under: the SIG's current name spelt as a slug
    (lower-case letters, digits and hyphens) before the fixed file name, e.g.
    'northshire-frailty-network-charter.docx', so that several SIGs' charters can sit in one
    Downloads folder and a renamed SIG's files carry its new name. The SIG's id stands in while
    it has no name that can be spelt."""
    slug = slugify(name) if name.strip() else ""
    return f"{slug if slug and slug != 'sig' else sig_id}-{file_name}"


def shareable(plan: Plan) -> Plan:
    """The plan as every document shows it: an open voting round's ballots and an open
    agreement check's answers are hidden until revealed, and an anonymous round never names
    its voters."""
    return agreement.sealed(voting.sealed(plan))


def _job(plan: Plan, revision: int, exported_at: dt.datetime | None, templates: Path | None) -> Job:
    return Job(shareable(plan), revision, timing.export_time(exported_at), templates)


def render(
    format: str,
    plan: Plan,
    *,
    revision: int,
    exported_at: dt.datetime | None = None,
    templates: Path | None = None,
) -> bytes:
    """The document `format` (a key of FORMATS) for `plan`, as the bytes of its file."""
    chosen = FORMATS.get(format)
    if chosen is None:
        raise ExportError(f"format '{format}' is not one of: {', '.join(FORMATS)}")
    return chosen.build(_job(plan, revision, exported_at, templates))


def write_all(
    plan: Plan,
    directory: Path,
    *,
    revision: int,
    exported_at: dt.datetime | None = None,
    templates: Path | None = None,
) -> list[Path]:
    """Write every format into `directory` under its fixed file name; nothing is written if any
    document fails to render. Returns the paths written, in FORMATS order."""
    job = _job(plan, revision, exported_at, templates)
    documents = [(directory / f.file_name, f.build(job)) for f in FORMATS.values()]
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"output folder {directory}: exists and is not a folder")
    for path, data in documents:
        try:
            write_atomic(path, data)
        except OSError as error:
            raise ExportError(f"{path}: cannot be written ({error.strerror or error})") from None
    return [path for path, _ in documents]


def charter_html(
    plan: Plan,
    *,
    revision: int,
    exported_at: dt.datetime | None = None,
    templates: Path | None = None,
) -> str:
    """The charter (as exported to Markdown) rendered as an HTML fragment, for the review page."""
    markdown = _job(plan, revision, exported_at, templates).markdown("charter.md.j2")
    return str(to_html(markdown))


def warm_up() -> None:
    """Compile the charter's template ahead of the review page's first preview of it."""
    compile_ahead("charter.md.j2", kind="markdown")


def charter_page(
    plan: Plan,
    *,
    revision: int,
    exported_at: dt.datetime | None = None,
    templates: Path | None = None,
) -> str:
    """The charter as a complete, printable HTML page (template charter.html.j2)."""
    job = _job(plan, revision, exported_at, templates)
    variables = job.variables()
    variables["charter"] = Markup(to_html(job.markdown("charter.md.j2")))
    return render_template("charter.html.j2", variables, templates=templates, kind="html")
