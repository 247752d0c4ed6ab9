"""The printable charter page printed by Chromium (Playwright's page.pdf), read with pdftotext."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import demo_document
from playwright.sync_api import Page, sync_playwright
from printed import PDFTOTEXT, assert_no_row_cut, page_texts, table_rows, words

from benchmarks.browser import CHROMIUM, CHROMIUM_FLAGS
from sigworkbook import exports
from sigworkbook.exports import blocks
from sigworkbook.exports.blocks import Heading
from sigworkbook.plan.model import Plan

EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        PDFTOTEXT is None or not CHROMIUM.is_file(),
        reason="needs Chromium and pdftotext: `make system` installs them",
    ),
]


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS)
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def printed_pages(page: Page, plan: Plan, folder: Path) -> list[str]:
    """The charter page printed to PDF as the browser's print dialog would, one text a sheet."""
    source = folder / "charter.html"
    source.write_text(
        exports.charter_page(plan, revision=5, exported_at=EXPORTED_AT), encoding="utf-8"
    )
    page.goto(source.as_uri())
    pdf = folder / "charter.pdf"
    pdf.write_bytes(page.pdf(prefer_css_page_size=True))
    return page_texts(pdf)


def charter_blocks(plan: Plan) -> list[blocks.Block]:
    markdown = exports.render("markdown", plan, revision=5, exported_at=EXPORTED_AT)
    return blocks.read(markdown.decode("utf-8"))


def test_the_printed_charter_has_every_section_and_no_cut_row(
    browser_page: Page, tmp_path: Path
) -> None:
    plan = Plan.model_validate(demo_document())
    pages = printed_pages(browser_page, plan, tmp_path)
    assert len(pages) > 2
    document = charter_blocks(plan)
    every_page = words(" ".join(pages))
    headings = [words(blocks.text_of(b.runs)) for b in document if isinstance(b, Heading)]
    assert "The four questions" in headings and len(headings) > 20
    for heading in headings:
        assert heading in every_page, heading
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in words(text)  # the page number, from @page
    assert len(table_rows(document)) > 20
    assert_no_row_cut(document, pages)
    ending = f"Agreed by the core group on 5 January 2027. Page {len(pages)} of {len(pages)}"
    assert words(pages[-1]).endswith(ending)


def test_long_rows_move_to_the_next_page_whole(browser_page: Page, tmp_path: Path) -> None:
    document = demo_document()
    document["charter"]["risks"] = [
        {
            "risk": f"Risk number {n} with a name of several words",
            "mitigation": " ".join(f"step{n}x{k} of the plan for risk {n}." for k in range(25)),
        }
        for n in range(1, 25)
    ]
    plan = Plan.model_validate(document)
    pages = printed_pages(browser_page, plan, tmp_path)
    assert_no_row_cut(charter_blocks(plan), pages)
