"""The start page's join card in the browser: the room others join by its short address (another
computer played by 127.0.0.2), and the token link of a server on an address given with --host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_harness import Server, screenshot, start_server, stop_server, wait_for_widgets
from e2e.workbook_pages import DEMO_SIG, button, current, field, run_cli, switch_to
from sigworkbook.app.room_gate import CLOSED_TITLE, INVALID_TITLE
from sigworkbook.app.voila_config import reachable_host
from sigworkbook.ui.join_card import CLOSE_LABEL, NEW_CODE_LABEL, OPEN_LABEL, QR_TITLE

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
    expect(card).to_contain_text("start it again without --host")
    expect(card.locator("svg")).to_have_count(0)


SHORT = re.compile(r"^[^/\s]+:(\d+)/j/([A-Z0-9]{6})$")


def _short_code(card_text: str, port: int) -> str:
    match = SHORT.match(card_text.strip())
    assert match and int(match.group(1)) == port, card_text
    assert len(card_text.strip()) <= 30 and "token" not in card_text
    return match.group(2)


def test_the_facilitator_opens_the_room_and_another_computer_joins_by_the_short_address(
    tmp_path: Path, page: Page, browser: Browser
) -> None:
    run_cli(tmp_path / "workspace", "init", "--demo")
    server = start_server(tmp_path, host="", notebooks=None)  # serve's default: the room gate
    other = browser.new_context()
    try:
        assert server.token is None
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(server.url("", sig=DEMO_SIG))
        wait_for_widgets(page)
        card = page.locator(".swb-join-card")
        expect(card).to_contain_text("Only this computer can open the workbook")
        # Another computer: nothing but a plain page before the room is opened.
        elsewhere = f"http://127.0.0.2:{server.port}"
        visitor = other.new_page()
        seen: list[str] = []
        visitor.on("framenavigated", lambda frame: seen.append(frame.url))
        visitor.goto(f"{elsewhere}/?sig={DEMO_SIG}")
        expect(visitor.get_by_role("heading", name=CLOSED_TITLE)).to_be_visible()
        assert DEMO_SIG not in visitor.locator("body").inner_text()

        card.get_by_role("button", name=OPEN_LABEL).click()
        link = card.locator(".swb-join-link a")
        expect(link).to_have_text(SHORT)
        code = _short_code(link.inner_text(), server.port)
        expect(card.locator("svg title")).to_have_text(QR_TITLE)
        card.scroll_into_view_if_needed()
        screenshot(page, "start-join-card-room-1280")
        page.set_viewport_size({"width": 1024, "height": 768})
        card.scroll_into_view_if_needed()
        screenshot(page, "start-join-card-room-1024x768")
        violations = Axe().run(page, context=".swb-join-card").response["violations"]
        bad = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe-core on the join card: {bad}"

        # The short address (as typed: the card's host is this machine's network address,
        # which tests never send to; 127.0.0.2 plays another computer).
        visitor.goto(f"{elsewhere}/j/{code}")
        wait_for_widgets(visitor)
        expect(visitor.locator(".swb-steps")).to_be_visible()
        assert f"sig={DEMO_SIG}" in visitor.url
        # Another computer's page shows the room but cannot change it.
        visitor_card = visitor.locator(".swb-join-card")
        expect(visitor_card.locator(".swb-join-link")).to_have_text(link.inner_text())
        expect(visitor_card.get_by_role("button")).to_have_count(0)
        # A joiner gives their name once, before their first edit.
        switch_to(visitor, "charter")
        prompt = current(visitor).locator(".swb-name-prompt")
        field(prompt, "Your name").fill("Dev Patel")
        button(prompt, "That's me").click()
        expect(current(visitor).locator(".swb-header .swb-who")).to_have_text("You: Dev Patel")

        # A new code shuts the old one out, also for the browser that joined with it.
        card.get_by_role("button", name=NEW_CODE_LABEL).click()
        expect(link).not_to_have_text(re.compile(re.escape(code)))
        new_code = _short_code(link.inner_text(), server.port)
        # The page it has open stops at once (the gate closes its connection to the kernel).
        expect(visitor.locator("#swb-connection")).to_be_visible()
        visitor.reload()
        expect(visitor.get_by_role("heading", name=CLOSED_TITLE)).to_be_visible()
        visitor.goto(f"{elsewhere}/j/{code}")
        expect(visitor.get_by_role("heading", name=INVALID_TITLE)).to_be_visible()
        visitor.goto(f"{elsewhere}/j/{new_code}")
        wait_for_widgets(visitor)
        switch_to(visitor, "charter")  # the browser remembered the name: no prompt again
        expect(current(visitor).locator(".swb-header .swb-who")).to_have_text("You: Dev Patel")

        # Closing the room shuts the other computer out again; this machine stays in.
        card.get_by_role("button", name=CLOSE_LABEL).click()
        expect(card).to_contain_text("Only this computer can open the workbook")
        visitor.reload()
        expect(visitor.get_by_role("heading", name=CLOSED_TITLE)).to_be_visible()
        assert seen and not [url for url in seen if "token" in url], seen
    finally:
        other.close()
        stop_server(server)
