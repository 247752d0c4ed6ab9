"""Golden files: the charter, listing and invitation as a sponsor receives them (Markdown, and the
Word documents' text read back with python-docx), for the demo plan and after a rename.

A change to a template or the demo plan shows here as a diff to read. When the change is meant,
write the files again with
`SIGWORKBOOK_WRITE_GOLDEN=1 .venv/bin/pytest tests/exports/test_golden_documents.py` and read
the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from sigworkbook.demo import DEMO_FILE
from sigworkbook.exports import FORMATS, download_name, render
from sigworkbook.plan.model import Plan

GOLDEN = Path(__file__).parent / "golden"
EXPORTED_AT = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC)
RENAMED = "Northshire Frailty Network"
DOCUMENTS = {
    "charter.md": "markdown",
    "listing.md": "listing",
    "invitation.md": "invitation",
    "charter.docx.txt": "docx",
    "listing.docx.txt": "listing-docx",
}
INTERNAL = (
    ".md",
    ".docx",
    "promotion-plan",
    "Revision",
    "revision",
    "sigworkbook",
    "exported",
    "Europe/",
    "UTC",
    "The drafts are in",
)
"""Strings of the trial's complaints: file names, revision numbers, tool names, zone names."""
LENGTH_CHECK = re.compile(r"\b\d+ of \d+\b|\b\d+ over\b|characters")
"""'314 of 280: 34 over': a promotion draft's length check."""


def demo_plan(name: str | None = None) -> Plan:
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    if name is not None:
        document["identity"]["name"] = name
    return Plan.model_validate(document)


def word_text(data: bytes) -> str:
    """A Word document's body as text, in order: each paragraph a line, each table row a line
    of its cells between bars."""
    document = docx.Document(io.BytesIO(data))
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend("| " + " | ".join(c.text for c in row.cells) + " |" for row in block.rows)
    return "\n".join(lines).rstrip() + "\n"


def document_text(plan: Plan, file: str) -> str:
    data = render(DOCUMENTS[file], plan, revision=92, exported_at=EXPORTED_AT)
    return word_text(data) if file.endswith(".docx.txt") else data.decode("utf-8")


CASES = [(case, file) for case in ("demo", "renamed") for file in DOCUMENTS]


@pytest.mark.parametrize(("case", "file"), CASES, ids=[f"{c}-{f}" for c, f in CASES])
def test_documents_match_their_golden_files(case: str, file: str) -> None:
    plan = demo_plan(RENAMED if case == "renamed" else None)
    text = document_text(plan, file)
    golden = GOLDEN / case / file
    if os.environ.get("SIGWORKBOOK_WRITE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{golden} differs (see the docstring)"


@pytest.mark.parametrize(("case", "file"), CASES, ids=[f"{c}-{f}" for c, f in CASES])
def test_a_sponsor_reads_no_internal_notes(case: str, file: str) -> None:
    text = (GOLDEN / case / file).read_text(encoding="utf-8")
    for internal in INTERNAL:
        assert internal not in text, f"{case}/{file}: {internal!r}"
    assert not LENGTH_CHECK.search(text), f"{case}/{file}: {LENGTH_CHECK.search(text)}"
    if "charter" in file:
        assert "Agreed by the core group on 6 December 2026." in text
        assert "(UK time)" in text and "(Dublin time)" in text
    if "invitation" in file:
        assert "(UK time)" in text
    if case == "renamed":
        assert RENAMED in text and "Home Safely" not in text.splitlines()[0]


def test_unanswered_network_membership_is_blank_in_both_charters() -> None:
    plan = demo_plan()
    (unanswered,) = [p for p in plan.core_group.people if p.network_member is None]
    markdown = (GOLDEN / "demo" / "charter.md").read_text(encoding="utf-8")
    word = (GOLDEN / "demo" / "charter.docx.txt").read_text(encoding="utf-8")
    row = f"| {unanswered.name} | Northvale Patients & Carers Forum | Member |  |"
    assert row in markdown and row in word
    assert (
        "| Colm O'Rourke | Riverside Borough Council Adult Social Care | Facilitator | No |" in word
    )


def test_downloads_are_named_after_the_current_name() -> None:
    for case, name in (("demo", "home-safely"), ("renamed", "northshire-frailty-network")):
        plan = demo_plan(RENAMED if case == "renamed" else None)
        saved = {download_name(plan.id, f.file_name, plan.identity.name) for f in FORMATS.values()}
        assert f"{name}-charter.docx" in saved and all(s.startswith(f"{name}-") for s in saved)
    assert download_name("frailty-friends", "charter.md", "  ") == "frailty-friends-charter.md"
    assert download_name("frailty-friends", "charter.md", "★") == "frailty-friends-charter.md"
