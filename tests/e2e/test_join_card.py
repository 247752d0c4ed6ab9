"""The start page's join card in the browser: the link others open on a reachable server."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_harness import Server, screenshot, start_server, stop_server, wait_for_widgets
from e2e.workbook_pages import DEMO_SIG, run_cli
from sigworkbook.app.settings import reachable_host
from sigworkbook.ui.join_card import QR_TITLE

pytestmark = pytest.mark.e2e

START = "voila/render/00-start.ipynb"


def test_a_reachable_server_shows_the_link_and_qr_code_that_open_the_workbook(
    tmp_path: Path, page: Page, browser: Browser
) -> None:
    run_cli(tmp_path / "workspace", "init", "--demo")
    server = start_server(tmp_path, host="0.0.0.0", notebooks=None)
    try:
        assert server.token
        page.goto(server.url(START, sig=DEMO_SIG))
        wait_for_widgets(page)
        card = page.locator(".swb-join")
        link = (
            f"http://{reachable_host('0.0.0.0')}:{server.port}/"  # no notebook's file name
            f"?token={server.token}&sig={DEMO_SIG}"
        )
        expect(card.get_by_role("link")).to_have_text(link)
        expect(card.get_by_role("link")).to_have_attribute("href", link)
        expect(card.locator("svg title")).to_have_text(QR_TITLE)
        card.scroll_into_view_if_needed()
        screenshot(page, "start-join-card")
        violations = Axe().run(page, context=".swb-join").response["violations"]
        bad = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe-core on the join card: {bad}"
        # Someone else's browser (no login cookie yet) opens the link and gets the SIG's page.
        other = browser.new_context()
        try:
            visitor = other.new_page()
            visitor.goto(link)
            wait_for_widgets(visitor)
            expect(visitor.locator(".swb-steps")).to_be_visible()
            assert "token" not in visitor.url  # logged in by cookie: the address shows no token
        finally:
            other.close()
        # The token is printed once, where serve says how to reach it; no request log has it.
        assert server.log().count(server.token) == 1, server.log()
    finally:
        stop_server(server)


def test_on_loopback_the_start_page_says_others_cannot_join(
    page: Page, workbook_server: Server
) -> None:
    page.goto(workbook_server.url(START, sig=DEMO_SIG))
    wait_for_widgets(page)
    card = page.locator(".swb-join")
    expect(card).to_contain_text("Only this computer can open the workbook")
    expect(card).to_contain_text("sigworkbook serve --host 0.0.0.0")
    expect(card.locator("svg")).to_have_count(0)
