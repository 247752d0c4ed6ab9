"""The review page printed: only the charter, on A4, whole rows, and a button that prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import demo_document
from playwright.sync_api import Page, expect
from printed import PDFTOTEXT, assert_no_row_cut, page_texts, words

from e2e.e2e_harness import SCREENSHOTS, Server
from e2e.workbook_pages import open_step, shoot
from sigworkbook import exports
from sigworkbook.exports import blocks
from sigworkbook.exports.blocks import Heading
from sigworkbook.plan.fields import label
from sigworkbook.plan.model import Plan

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext: `make system` installs it"),
]
DEMO = demo_document()
OFF_PAPER = (
    ".swb-appbar",
    ".swb-header",
    ".swb-steps",
    ".swb-statusbar",
    ".swb-exports",
    ".swb-print-button",
    ".swb-page-review .swb-row",
)


def test_the_review_page_prints_the_charter_alone(
    page: Page, workbook_server: Server, tmp_path: Path
) -> None:
    plan = Plan.model_validate(DEMO)
    # The real dialog would block a headless browser: count the calls instead.
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    open_step(page, workbook_server, "review", sig=plan.id, who="Ada")
    preview = page.locator(".swb-charter-preview")
    expect(preview).to_contain_text(plan.identity.name)
    button = page.get_by_role("button", name="Print or save as PDF")
    button.scroll_into_view_if_needed()
    box = page.locator(".swb-print-area").bounding_box()
    assert box is not None
    clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": 400}
    page.screenshot(path=str(SCREENSHOTS / "review-print-button.png"), clip=clip)
    button.click()
    page.wait_for_function("window.__printed === 1")

    page.emulate_media(media="print")
    for selector in OFF_PAPER:
        expect(page.locator(selector).first).to_be_hidden()
    expect(preview).to_be_visible()
    shoot(page, "review-print")
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(page.pdf(prefer_css_page_size=True))
    pages = page_texts(pdf)
    every_page = words(" ".join(pages))
    markdown = exports.render("markdown", plan, revision=1).decode("utf-8")
    document = blocks.read(markdown)
    for heading in (b for b in document if isinstance(b, Heading)):
        assert words(blocks.text_of(heading.runs)) in every_page
    for path in ("charter.purpose", "charter.approach", "charter.people", "charter.evidence"):
        assert label(path) in every_page
    for chrome in ("Export again", "Print or save as PDF", "Continuing development", "Talk about"):
        assert chrome not in every_page, chrome
    assert "plan your special interest group" not in every_page  # the app bar
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in words(text)
    assert_no_row_cut(document, pages)
    assert words(pages[0]).startswith(plan.identity.name)  # no blank first page
