"""charter.docx and listing.docx read back with python-docx, and opened by LibreOffice."""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from hostile import HOSTILE, demo_document, fill_plan, one_line, stored_twin
from markdown_it import MarkdownIt

from conftest import RunCli
from sigworkbook import exports, settings
from sigworkbook.exports import ExportError
from sigworkbook.exports.templating import template_files
from sigworkbook.plan.fields import label
from sigworkbook.plan.model import Plan
from sigworkbook.plan.people import clean_name
from sigworkbook.ui.downloads import fingerprint

EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
WORD_FORMATS = {"docx": "markdown", "listing-docx": "listing"}
"""Each Word format and the Markdown format it must say the same as."""
PARSER = MarkdownIt("commonmark").enable("table")
FOUR_QUESTIONS = ("charter.purpose", "charter.approach", "charter.people", "charter.evidence")
ALLOWED_STYLES = {
    "Normal",
    "Quote",
    "List Bullet",
    "List Number",
    "List Continue",
    *(f"Heading {n}" for n in range(1, 10)),
}
DEMO = demo_document()


def render(format: str, plan: Plan, **options: Any) -> bytes:
    options.setdefault("revision", 3)
    options.setdefault("exported_at", EXPORTED_AT)
    return exports.render(format, plan, **options)


def read(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def markdown_texts(markdown: str) -> list[str]:
    """What a reader sees of the Markdown: each inline run (heading, paragraph, cell) as text."""
    breaks = {"softbreak": " ", "hardbreak": "\n"}
    texts = [
        "".join(breaks.get(c.type, c.content) for c in token.children or [])
        for token in PARSER.parse(markdown)
        if token.type == "inline"
    ]
    return [text for text in texts if text]


def word_texts(document: Document) -> list[str]:
    """The same of the Word document: each paragraph and table cell, in order."""
    texts: list[str] = []
    for part in document.iter_inner_content():
        if isinstance(part, Paragraph):
            texts.append(part.text)
        else:
            texts.extend(cell.text for row in part.rows for cell in row.cells)
    return [text for text in texts if text]


def headings(document: Document) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]


def markdown_headings(markdown: str) -> list[tuple[str, str]]:
    tokens = PARSER.parse(markdown)
    return [
        (f"Heading {token.tag[1:]}", tokens[i + 1].content.replace("\\", ""))
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def table_rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def structure(document: Document) -> list[tuple[str, ...]]:
    """Styles and table shapes, without the text: what user text must never change."""
    shape: list[tuple[str, ...]] = []
    for part in document.iter_inner_content():
        if isinstance(part, Paragraph):
            shape.append(("p", part.style.name if part.style else ""))
        else:
            shape.append(("table", str(len(part.rows)), str(len(part.columns))))
    return shape


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )


@pytest.fixture(scope="module")
def demo() -> Plan:
    return Plan.model_validate(DEMO)


@pytest.mark.parametrize("format", WORD_FORMATS)
def test_the_word_document_says_what_the_markdown_says_in_the_same_order(
    format: str, demo: Plan
) -> None:
    markdown = render(WORD_FORMATS[format], demo).decode("utf-8")
    document = read(render(format, demo))
    assert word_texts(document) == markdown_texts(markdown)
    assert headings(document) == markdown_headings(markdown)


def test_the_demo_charter_has_real_headings_and_tables(demo: Plan) -> None:
    document = read(render("docx", demo))
    found = headings(document)
    assert found[0] == ("Heading 1", demo.identity.name)
    for path in ("core_group.people", "charter.measures", "charter.risks", "charter.membership"):
        assert ("Heading 2", label(path)) in found, path
    for path in FOUR_QUESTIONS:
        assert ("Heading 3", label(path)) in found, path
    tables = document.tables
    people, measures, risks = tables[0], tables[1], tables[2]
    assert table_rows(people)[0] == [
        label("core_group.people.*.name"),
        label("core_group.people.*.organisation"),
        label("core_group.people.*.role"),
        label("core_group.people.*.network_member"),
    ]
    assert [row[0] for row in table_rows(people)[1:]] == [p.name for p in demo.core_group.people]
    assert [row[0] for row in table_rows(measures)[1:]] == [
        m.indicator for m in demo.charter.measures
    ]
    assert table_rows(risks)[1:] == [[r.risk, r.mitigation] for r in demo.charter.risks]
    upcoming = tables[3]
    assert table_rows(upcoming)[0][0] == "Next"
    for table in tables:
        assert table.style is not None and table.style.name == "Table Grid"
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        for row in table.rows:  # no row splits across pages
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    text = "\n".join(word_texts(document))
    for path in FOUR_QUESTIONS:
        section = demo.charter.model_dump()[path.split(".")[1]]
        for line in section.split("\n"):
            assert line.strip() in text, line


def test_every_empty_section_shows_the_to_be_agreed_marker_in_italics() -> None:
    empty = Plan.model_validate({"id": "empty-sig"})
    document = read(render("docx", empty))
    markdown = render("markdown", empty).decode("utf-8")
    markers = [
        run
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.text == "To be agreed"
    ]
    assert len(markers) == markdown.count("*To be agreed*") > 10
    assert all(run.italic for run in markers)


def test_the_footer_facts_end_the_document(demo: Plan) -> None:
    for format in WORD_FORMATS:
        document = read(render(format, demo, revision=42))
        last = document.paragraphs[-1]
        assert last.text.startswith(("Agreed by the core group on 5 January 2027.", "Sent by"))
        assert all(run.italic for run in last.runs)


def test_pages_are_a4_and_numbered(demo: Plan) -> None:
    document = read(render("docx", demo))
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    footer = section.footer._element
    instructions = [node.text for node in footer.iter(qn("w:instrText"))]
    assert instructions == [" PAGE "]


def test_document_properties_and_zip_dates_are_fixed(demo: Plan) -> None:
    data = render("docx", demo, revision=9)
    properties = read(data).core_properties
    assert properties.title == demo.identity.name
    assert properties.subject == "Charter"
    assert properties.revision == 9
    assert properties.created == properties.modified == EXPORTED_AT
    assert properties.author == properties.last_modified_by == "sigworkbook"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2027, 1, 5, 9, 30, 0)}
        assert not [name for name in archive.namelist() if "thumbnail" in name]
    assert render("docx", demo, revision=9) == data
    later = render("docx", demo, revision=9, exported_at=EXPORTED_AT + dt.timedelta(days=1))
    assert later != data


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_hostile_text_stays_literal_text(text: str) -> None:
    plan = fill_plan(DEMO, text)
    harmless = stored_twin(plan)
    documents: dict[str, Document] = {}
    for format, markdown_format in WORD_FORMATS.items():
        data = render(format, plan)
        document = documents[format] = read(data)
        seen = word_texts(document)
        assert seen == markdown_texts(render(markdown_format, plan).decode("utf-8"))
        joined = "\n".join(seen)
        for line in text.split("\n"):
            if line.strip():
                assert line.strip() in joined, line
        assert structure(document) == structure(read(render(format, harmless)))
        used = {p.style.name for p in document.paragraphs if p.style is not None}
        assert used <= ALLOWED_STYLES, used
        xml = document_xml(data)
        for mark in ("<w:hyperlink", "<w:fldSimple", "<w:instrText", "<w:fldChar"):
            assert mark not in xml.replace(footer_xml(data), ""), mark
        relationships = [r.reltype for r in document.part.rels.values()]
        assert not [r for r in relationships if r.endswith("/hyperlink")]
    name = clean_name(one_line(text, 80)).strip()  # a SIG's name is stored cleaned
    first = documents["docx"].paragraphs[0]  # the charter read above, not rendered again
    assert (first.style.name if first.style else "", first.text) == (
        "Heading 1",
        name or "Name to be agreed",
    )


def footer_xml(data: bytes) -> str:
    """The footers: they hold the page number, the one field the document has."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("word/footer")
        )


def _reference(path: Path, *, drop_styles: tuple[str, ...] = ()) -> Path:
    """A reference document as an organisation would make one: a header, a changed heading
    style, some body text (which the export must drop), and perhaps styles missing."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Northvale Health Network"
    heading = document.styles["Heading 1"]
    heading.font.size = docx.shared.Pt(30)
    document.add_paragraph("Delete this sample text")
    for name in drop_styles:
        element = document.styles[name].element
        element.getparent().remove(element)
    document.save(str(path))
    return path


def test_an_organisations_reference_document_gives_styles_and_header(
    demo: Plan, tmp_path: Path
) -> None:
    _reference(tmp_path / "reference.docx")
    data = render("docx", demo, templates=tmp_path)
    document = read(data)
    assert document.sections[0].header.paragraphs[0].text == "Northvale Health Network"
    assert document.styles["Heading 1"].font.size == docx.shared.Pt(30)
    assert "Delete this sample text" not in word_texts(document)
    assert word_texts(document) == word_texts(read(render("docx", demo)))
    assert render("docx", demo, templates=tmp_path) == data


def test_styles_a_reference_lacks_are_added_or_written_out(demo: Plan, tmp_path: Path) -> None:
    _reference(tmp_path / "reference.docx", drop_styles=("Heading 2", "List Bullet", "Table Grid"))
    document = read(render("docx", demo, templates=tmp_path))
    assert ("Heading 2", label("core_group.people")) in headings(document)
    bullets = [p.text for p in document.paragraphs if p.text.startswith("\u2022 ")]
    assert len(bullets) == 6  # existing-group check and membership: three each


def test_a_reference_that_is_not_a_word_document_is_named(demo: Plan, tmp_path: Path) -> None:
    (tmp_path / "reference.docx").write_text("not a zip")
    with pytest.raises(ExportError, match=r"reference\.docx: is not a Word document"):
        render("docx", demo, templates=tmp_path)


def test_the_cli_writes_the_word_charter(cli_ws: RunCli, tmp_path: Path) -> None:
    sig = DEMO["id"]
    assert cli_ws("init", "--demo").code == 0
    target = tmp_path / "charter.docx"
    result = cli_ws("export", sig, "--format", "docx", "-o", target)
    assert result.code == 0, result
    assert headings(read(target.read_bytes()))[0] == ("Heading 1", DEMO["identity"]["name"])


SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="needs LibreOffice and pdftotext: `make system` installs them",
)
def test_libreoffice_opens_the_charter_and_prints_its_questions(demo: Plan, tmp_path: Path) -> None:
    source = tmp_path / "charter.docx"
    source.write_bytes(render("docx", demo))
    profile = tmp_path / "profile"  # its own profile: no clash with another soffice running
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "charter.pdf"
    text = subprocess.run(
        [str(PDFTOTEXT), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    flat = " ".join(text.split())
    assert demo.identity.name in flat
    for path in FOUR_QUESTIONS:
        assert label(path) in flat, path


def test_copying_a_plan_keeps_the_word_bytes(demo: Plan) -> None:
    again = Plan.model_validate(copy.deepcopy(demo.model_dump()))
    assert render("docx", again) == render("docx", demo)


def test_the_review_page_notices_a_reference_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.TEMPLATES.env, str(tmp_path))
    before = fingerprint(1)
    reference = _reference(tmp_path / "reference.docx")
    assert reference in template_files()
    assert fingerprint(1) != before  # the files are written again with it


def test_a_word_file_is_not_poured_onto_a_terminal(
    cli_ws: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigworkbook import cli

    assert cli_ws("init", "--demo").code == 0
    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: True)
    result = cli_ws("export", DEMO["id"], "--format", "docx")
    assert result.code != 0 and result.out == ""
    assert "--format docx writes a file, not text: name it with -o FILE" in result.err
