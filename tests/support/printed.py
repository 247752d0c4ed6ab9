"""Reading printed PDFs in tests: each page's text (pdftotext -f N -l N) and whole table rows."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from sigworkbook.exports import blocks
from sigworkbook.exports.blocks import Table

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")


def words(text: str) -> str:
    """The text with every run of white space as one space."""
    return " ".join(text.split())


def chunks(text: str) -> list[str]:
    """The text's words, split at any punctuation too (pdftotext wraps a cell's lines at
    hyphens, and may drop a hyphen: 'Rhys-Morgan' can come out as 'RhysMorgan')."""
    return [chunk for chunk in re.split(r"[\W_]+", text) if chunk]


def in_order(cell: str, found: list[str]) -> bool:
    """Whether the cell's words come out of `found` (a page's words) in order, other words
    between them, as a table cell's wrapped lines come out of pdftotext between its neighbours'
    lines; a word of the page may stand for several of the cell's run together."""
    wanted = chunks(cell)
    at = 0
    for chunk in found:
        if at == len(wanted):
            break
        for end in range(at + 1, len(wanted) + 1):
            joined = "".join(wanted[at:end])
            if joined == chunk:
                at = end
                break
            if len(joined) >= len(chunk):
                break
    return at == len(wanted)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of an A4 PDF, read page by page with pdftotext."""
    assert PDFTOTEXT is not None and PDFINFO is not None, "install poppler-utils (make system)"
    info = subprocess.run(
        [PDFINFO, str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert re.search(r"Page size:.* pts \(A4\)", info), info
    pages = re.search(r"Pages:\s+(\d+)", info)
    assert pages is not None, info
    return [
        subprocess.run(
            [PDFTOTEXT, "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for n in range(1, int(pages[1]) + 1)
    ]


def table_rows(document: list[blocks.Block]) -> list[list[str]]:
    """Every body row of every table in the document, as its cells' texts."""
    return [
        [words(blocks.text_of(cell)) for cell in row]
        for table in document
        if isinstance(table, Table)
        for row in table.rows
    ]


def assert_no_row_cut(document: list[blocks.Block], pages: list[str]) -> None:
    """Every table row's cells, each with its words in order, on one page."""
    page_chunks = [chunks(text) for text in pages]
    cut = [
        row
        for row in table_rows(document)
        if not any(all(in_order(cell, found) for cell in row) for found in page_chunks)
    ]
    assert not cut, f"rows not whole on any one page: {cut}"
