"""What a facilitator and a sponsor read: tab titles and download names that follow a rename, a
server terminal without trust or transport warnings, and a name asked for before the first edit."""

from __future__ import annotations

import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server, wait_for_widgets
from e2e.workbook_pages import (
    DEMO_SIG,
    button,
    field,
    history,
    new_sig,
    open_step,
    plan_value,
    reload,
    run_cli,
    status,
    step_url,
    wait_for_value,
)
from sigworkbook.plan.steps import STEPS

pytestmark = pytest.mark.e2e

WARNINGS = (
    "is not trusted",
    "without encryption",
    "eavesdropping",
    "Kernel started",
    "websocket_ping_timeout",
    "Connecting to kernel",
)


def test_the_tab_title_and_download_names_follow_a_rename(
    page: Page, workbook_server: Server
) -> None:
    sig = new_sig(workbook_server.workspace, "Frailty Friends")
    open_step(page, workbook_server, "review", sig=sig, who="Ana")
    expect(page).to_have_title("Review and export · Frailty Friends")
    expect(page.locator('a.swb-download[download="frailty-friends-charter.docx"]')).to_have_count(1)

    run_cli(workbook_server.workspace, "set", sig, "identity.name", "Northshire Frailty Network")
    expect(page).to_have_title("Review and export · Northshire Frailty Network")
    renamed = page.locator('a.swb-download[download="northshire-frailty-network-charter.docx"]')
    expect(renamed).to_have_count(1)
    names = page.locator("a.swb-download").evaluate_all("links => links.map(a => a.download)")
    assert all(name.startswith("northshire-frailty-network-") for name in names), names
    status_line = page.locator(".swb-exports [role=status]").inner_text()
    assert "exports/" not in status_line and sig not in status_line

    open_step(page, workbook_server, "charter", sig=sig, who="Ana")
    expect(page).to_have_title("Charter · Northshire Frailty Network")


def test_opening_every_step_prints_no_trust_or_transport_warning(workbook_server: Server) -> None:
    """The session's server was started like a facilitator's; open every page on it."""
    pages = [step_url(workbook_server, s.key, sig=DEMO_SIG, who="Quiet Check") for s in STEPS]

    def fetch(url: str) -> int:
        with urllib.request.urlopen(url, timeout=90) as response:  # the page runs its notebook
            return int(response.status)

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(fetch, pages)) == [200] * len(pages)
    log = workbook_server.log()
    for warning in WARNINGS:
        assert warning not in log, f"{warning!r} reached the terminal:\n{log}"
    for step in STEPS:
        assert f"Quiet Check opened {step.title} ({DEMO_SIG})" in log, log
    address = re.search(r"running at (\S+)", log)
    assert address is not None and ".ipynb" not in address.group(1), log


def test_a_nameless_visitor_is_asked_for_a_name_before_the_first_edit_is_saved(
    page: Page, workbook_server: Server
) -> None:
    workspace = workbook_server.workspace
    sig = new_sig(workspace, "Nameless Falls Group")
    open_step(page, workbook_server, "charter", sig=sig)
    prompt = page.locator(".swb-name-prompt")
    expect(prompt).to_contain_text("Before you change anything, say who you are")
    purpose = field(page, "What are we trying to do?")
    purpose.fill("Fewer falls at home")
    expect(prompt.get_by_role("alert")).to_contain_text("type your name at the top of the page")
    expect(status(page)).to_contain_text("Not saved yet")
    assert plan_value(workspace, sig, "charter.purpose") == ""  # nothing saved as nobody

    field(prompt, "Your name").fill("Ana Lima")
    button(prompt, "That's me").click()
    wait_for_value(workspace, sig, "charter.purpose", "Fewer falls at home")
    expect(prompt).to_be_hidden()
    expect(page.locator(".swb-header .swb-who")).to_have_text("You: Ana Lima")
    assert {c.author for c in history(workspace, sig, "charter.purpose")} == {"Ana Lima"}

    reload(page)  # the address now carries the name
    expect(page.locator(".swb-header .swb-who")).to_have_text("You: Ana Lima")
    expect(page.locator(".swb-name-prompt")).to_be_hidden()

    # A link without a name (another step, a bookmark): this browser gives the one it kept.
    page.goto(step_url(workbook_server, "schedule", sig=sig))
    wait_for_widgets(page)
    expect(page.locator(".swb-header .swb-who")).to_have_text("You: Ana Lima")
    edits = [c for c in history(workspace, sig) if not c.path.startswith("meeting.timers")]
    assert {c.author for c in edits} == {"setup", "Ana Lima"}  # nobody's edit is by "-"
