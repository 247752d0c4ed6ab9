"""Hostile input typed in the browser: saved as literal text, shown as text, never run as markup."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server, wait_for_widgets
from e2e.workbook_pages import (
    field,
    new_sig,
    open_new_sig,
    open_step,
    reload,
    status,
    step_url,
    wait_saved,
)

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
    open_new_sig(page, server, "Control Check", "name", "Ada")
    field(page, "Theme").fill("bell \x07 here")
    expect(page.locator(".swb-error").first).to_contain_text("Theme: must be a single line")
    expect(status(page)).to_contain_text("Not saved")


@pytest.mark.parametrize(
    "sig", ["../../etc/passwd", "/etc/passwd", "home-safely\x00x", "..%2F..%2Fdemo"]
)
def test_a_path_trick_in_the_address_finds_no_sig_and_touches_no_file(
    page: Page, workbook_server: Server, sig: str
) -> None:
    server = workbook_server
    workspace_before = sorted(p.name for p in server.workspace.parent.iterdir())
    files_before = sorted(str(p) for p in server.workspace.rglob("*") if "exports" not in p.parts)
    page.goto(step_url(server, "review", sig=sig, who="Eve"))
    wait_for_widgets(page)
    notice = page.locator(".swb-notice")
    expect(notice).to_contain_text("No SIG is chosen for this page.")
    expect(page.locator("body")).not_to_contain_text("Reference ")
    assert sorted(p.name for p in server.workspace.parent.iterdir()) == workspace_before
    files_after = sorted(str(p) for p in server.workspace.rglob("*") if "exports" not in p.parts)
    assert set(files_after) - set(files_before) <= {
        str(server.workspace / name) for name in ("presence.db-wal", "presence.db-shm")
    }


def test_a_one_megabyte_paste_is_refused_next_to_the_field_and_saves_nothing(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = open_new_sig(page, server, "Big Paste Check", "name", "Ada")
    field(page, "Theme").fill("x" * 1_000_000)
    expect(page.locator(".swb-error").first).to_contain_text(
        "Theme: is too long: at most 120 characters"
    )
    expect(status(page)).to_contain_text("Not saved")
    field(page, "Theme").fill("Short again")
    wait_saved(page, server, sig, "identity.theme", "Short again")
    expect(page.locator(".swb-error")).to_have_count(0)
