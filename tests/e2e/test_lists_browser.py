"""Lists people keep, uploaded in the browser: a 20,000-row directory, an Excel file, a bad file,
a file too large to send."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from benchmarks.searching import directory_csv
from e2e.e2e_harness import Server, screenshot
from e2e.workbook_pages import DEMO_SIG, button, card, field, open_step

pytestmark = pytest.mark.e2e

ROWS = 20_000
UPLOAD_TIMEOUT_MS = 90_000
"""A 2.7 MB file goes over the websocket, is read by pandas and indexed, then searched."""


def upload(page: Page, name: str, data: bytes, mime: str) -> None:
    """Choose a file with the directory's upload button, as a person does (the widget's file
    input is not in the page: the button opens the browser's file chooser)."""
    people = card(page, "Find people to invite")
    with page.expect_file_chooser() as chooser:
        people.get_by_role("button", name=re.compile(r"Upload a directory")).click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_a_directory_of_20000_people_is_loaded_and_searched(
    page: Page, workbook_server: Server
) -> None:
    open_step(page, workbook_server, "promotion", sig=DEMO_SIG, who="Priya")
    people = card(page, "Find people to invite")
    data = directory_csv(ROWS)
    upload(page, "members.csv", data, "text/csv")
    expect(people).to_contain_text(
        f"{ROWS:,} people loaded from members.csv", timeout=UPLOAD_TIMEOUT_MS
    )
    # Loading searches for the SIG's theme and key phrases at once; then search for one term.
    expect(people).to_contain_text(re.compile(r"[\d,]+ people match; showing the best 25"))
    query = field(people, "Search for (one term per line or separated by ;)")
    query.fill("frailty")
    button(people, "Search the directory").click()
    expected = sum("frailty" in line.rsplit(",", 1)[-1] for line in data.decode().splitlines()[1:])
    expect(people).to_contain_text(f"{expected:,} people match; showing the best 25.")
    results = people.locator(".swb-result")
    expect(results).to_have_count(25)
    for number in (0, 24):
        expect(results.nth(number)).to_contain_text("Found “frailty” in interests")
    screenshot(page, "promotion-20000-people")


def test_an_excel_directory_with_a_missing_column_is_refused_by_name(
    page: Page, workbook_server: Server
) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Organisation", "Topics"])
    book.active.append(["Zoë Müller", "Café Carers", "frailty"])
    data = io.BytesIO()
    book.save(data)
    open_step(page, workbook_server, "promotion", sig=DEMO_SIG, who="Priya")
    people = card(page, "Find people to invite")
    upload(
        page,
        "members.xlsx",
        data.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    expect(people.get_by_role("alert")).to_contain_text(
        "members.xlsx: missing column 'interests': the first row has 'Name', 'Organisation', "
        "'Topics'",
        timeout=UPLOAD_TIMEOUT_MS,
    )


def test_a_file_too_large_to_send_is_refused_by_the_page_and_the_page_keeps_working(
    page: Page, workbook_server: Server
) -> None:
    """Over the server's message limit (6 MB) the page's connection would close without a
    word: the page refuses the file under the button, sends nothing, and goes on working."""
    open_step(page, workbook_server, "promotion", sig=DEMO_SIG, who="Priya")
    people = card(page, "Find people to invite")
    upload(page, "huge.csv", b"name,organisation,interests\n" + b"x" * 7_000_000, "text/csv")
    expect(people.locator(".swb-upload-error")).to_have_text(
        "Upload a directory (Excel or CSV): huge.csv is 7 MB; at most 5 MB. Nothing was sent: "
        "choose a smaller file."
    )
    upload(page, "members.csv", directory_csv(10), "text/csv")
    expect(people).to_contain_text("10 people loaded from members.csv")
    expect(people.locator(".swb-upload-error")).to_have_count(0)
