"""Hostile input typed in the browser: saved as literal text, shown as text, never run as markup."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server
from e2e.workbook_pages import field, new_sig, open_step, reload, status, wait_saved

pytestmark = pytest.mark.e2e

HOSTILE = {
    "Theme": '<img src=x onerror="window.pwned=1"> {{ 7*7 }} =SUM(A1)',
    "Learning question": "مجموعة؟ e\u0301\u0301 👩🏽‍⚕️ **bold** [link](https://evil.example)",
}


def test_hostile_text_is_saved_and_shown_exactly_as_typed(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "<b>Bold</b> & {{ name }}")
    page.add_init_script("window.pwned = 0")
    open_step(page, server, "name", sig=sig, who="<i>Eve</i>")
    # The SIG's name and the participant's name are shown as text, not as markup.
    expect(page.locator(".swb-sig")).to_have_text("<b>Bold</b> & {{ name }}")
    expect(page.locator(".swb-who")).to_contain_text("<i>Eve</i>")
    field(page, "Theme").fill(HOSTILE["Theme"])
    wait_saved(page, server, sig, "identity.theme", HOSTILE["Theme"])

    open_step(page, server, "core", sig=sig, who="<i>Eve</i>")
    field(page, "Learning question").fill(HOSTILE["Learning question"])
    wait_saved(page, server, sig, "identity.learning_question", HOSTILE["Learning question"])

    reload(page)
    expect(field(page, "Learning question")).to_have_value(HOSTILE["Learning question"])
    open_step(page, server, "name", sig=sig, who="<i>Eve</i>")
    expect(field(page, "Theme")).to_have_value(HOSTILE["Theme"])
    assert page.evaluate("window.pwned") == 0, "typed markup never runs"
    assert page.locator("img[src='x']").count() == 0


def test_a_control_character_is_refused_next_to_the_field(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Control Check")
    open_step(page, server, "name", sig=sig, who="Ada")
    field(page, "Theme").fill("bell \x07 here")
    expect(page.locator(".swb-error").first).to_contain_text("Theme: must be a single line")
    expect(status(page)).to_contain_text("Not saved")
