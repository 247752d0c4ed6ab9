"""charter.docx and listing.docx: an exported Markdown document written as Word, with python-docx.

Headings get Word's heading styles (so the navigation pane and a table of contents work), tables
are real tables whose header row repeats and whose rows never split across pages. What users
typed is only ever a run's text: never a style name, a field code or a hyperlink. The same plan
and date give the same bytes (fixed zip dates, fixed document properties).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import OpcError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph

from sigworkbook.exports import blocks
from sigworkbook.exports.blocks import BREAK, Block, Heading, Paragraph, Rule, Run, Table
from sigworkbook.exports.errors import ExportError

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH_STYLES = {"quote": "Quote", "bullet": "List Bullet", "number": "List Number"}
_CONTINUE_STYLE = "List Continue"
_TABLE_STYLE = "Table Grid"
_MAX_HEADING = 9


@dataclass(frozen=True)
class Properties:
    """The document's properties (File > Info in Word)."""

    title: str
    subject: str
    revision: int
    exported_at: dt.datetime


def xml_text(text: str) -> str:
    """The text with characters XML cannot hold (control characters) as U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


@lru_cache(maxsize=1)
def _default_document() -> Document:
    """python-docx's own blank document: where styles missing from a reference are taken from."""
    return docx.Document()


def _open(reference: Path | None) -> Document:
    if reference is None:
        document = docx.Document()
        section = document.sections[0]  # python-docx's blank document is US Letter
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
        _page_numbers(document)
        return document
    try:
        document = docx.Document(str(reference))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ExportError(
            f"{reference}: is not a Word document (.docx) that can be read ({error})"
        ) from None
    body = document.element.body
    for child in list(body):  # keep the reference's page setup, drop its text
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def _field_mark(paragraph: WordParagraph, kind: str) -> None:
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(mark)


def _page_numbers(document: Document) -> None:
    """'Page N' in the footer: the one field in the document, written here, not by a user."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field_mark(paragraph, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    _field_mark(paragraph, "separate")
    paragraph.add_run("1")  # shown until Word or LibreOffice updates the field
    _field_mark(paragraph, "end")


def _style(document: Document, name: str) -> str | None:
    """The name of style `name` in the document, copied in from python-docx's blank document when the
    reference lacks it; None when it cannot be had (a list style needs the reference's
    numbering, so it is not copied)."""
    try:
        document.styles[name]
        return name
    except KeyError:
        pass
    try:
        source = _default_document().styles[name]
    except KeyError:
        return None
    if source.element.find(".//" + qn("w:numPr")) is not None:
        return None
    based_on = source.element.find(qn("w:basedOn"))
    if based_on is not None:
        parent = _default_document().styles.element.get_by_id(based_on.get(qn("w:val")))
        if parent is not None and parent.name_val is not None:
            _style(document, parent.name_val)
    document.styles.element.append(copy.deepcopy(source.element))
    return name


def _add_runs(paragraph: WordParagraph, runs: tuple[Run, ...], *, bold: bool = False) -> None:
    for run in runs:
        if run.text == BREAK:
            paragraph.add_run().add_break()
            continue
        added = paragraph.add_run(xml_text(run.text))
        if run.bold or bold:
            added.bold = True
        if run.italic:
            added.italic = True


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.numbered = 0

    def write(self, block: Block) -> None:
        if isinstance(block, Heading):
            level = min(block.level, _MAX_HEADING)
            style = _style(self.document, f"Heading {level}")
            paragraph = self.document.add_paragraph(style=style)
            _add_runs(paragraph, block.runs, bold=style is None)
        elif isinstance(block, Paragraph):
            self._paragraph(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Rule):
            self._rule()

    def _paragraph(self, block: Paragraph) -> None:
        runs = block.runs
        self.numbered = self.numbered + 1 if block.kind == "number" else 0
        if block.kind == "continue":
            style = _style(self.document, _CONTINUE_STYLE)
        elif block.kind in _PARAGRAPH_STYLES:
            style = _style(self.document, _PARAGRAPH_STYLES[block.kind])
            if style is None and block.kind != "quote":  # no list style: the marker as text
                marker = f"{self.numbered}. " if block.kind == "number" else "\u2022 "
                runs = (Run(marker), *runs)
        else:
            style = None
        paragraph = self.document.add_paragraph(style=style)
        if block.kind == "code":
            paragraph.add_run(xml_text(blocks.text_of(runs))).font.name = "Courier New"
        else:
            _add_runs(paragraph, runs)

    def _table(self, block: Table) -> None:
        columns = len(block.header)
        table: WordTable = self.document.add_table(rows=1 + len(block.rows), cols=columns)
        if _style(self.document, _TABLE_STYLE) is not None:
            table.style = _TABLE_STYLE
        for index, (row, cells) in enumerate(
            zip(table.rows, (block.header, *block.rows), strict=True)
        ):
            properties = row._tr.get_or_add_trPr()
            properties.append(OxmlElement("w:cantSplit"))  # a row never splits across pages
            if index == 0:
                properties.append(OxmlElement("w:tblHeader"))  # repeated on every page
            for cell, runs in zip(row.cells, cells, strict=True):
                _add_runs(cell.paragraphs[0], runs, bold=index == 0)
        self.document.add_paragraph()  # Word joins tables that touch

    def _rule(self) -> None:
        paragraph = self.document.add_paragraph()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        paragraph._p.get_or_add_pPr().append(borders)


def _set_properties(document: Document, properties: Properties, reference: bool) -> None:
    core = document.core_properties
    moment = properties.exported_at.astimezone(dt.UTC).replace(tzinfo=None)
    core.title = xml_text(properties.title)[:255]
    core.subject = properties.subject
    core.created = core.modified = moment
    core.revision = max(1, properties.revision)
    core.last_modified_by = "sigworkbook"
    if not reference:
        core.author = "sigworkbook"
        core.comments = ""
    package = document.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype.endswith("/thumbnail"):  # a picture of another document
            del package.rels[key]


def _fixed_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same zip with every entry dated `moment` and stored the same way, whenever it runs."""
    stamp = moment.astimezone(dt.UTC).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def from_markdown(markdown: str, properties: Properties, *, reference: Path | None) -> bytes:
    """The exported Markdown document as the bytes of a .docx file."""
    document = _open(reference)
    writer = _Writer(document)
    for block in blocks.read(markdown):
        writer.write(block)
    _set_properties(document, properties, reference is not None)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), properties.exported_at)
