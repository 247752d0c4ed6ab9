"""Hosted mode in a real browser: the server runs for one hub user (JUPYTERHUB_USER in its
environment, which its kernels inherit); a link to a SIG they are not a member of shows only the
access message, a viewer's page is read-only and says why, and ?who= cannot change who edits."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import SCREENSHOTS, Server, start_server, stop_server, wait_for_widgets
from e2e.workbook_pages import run_cli, shoot, step_url
from sigworkbook.hosting.identity import User
from sigworkbook.workspace import Workspace

pytestmark = pytest.mark.e2e

NO_ACCESS = "You don't have access to this SIG"


@pytest.fixture(scope="module")
def carols_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Carol's server: she may read the demo SIG; alice's "Secret group" is not hers."""
    tmp = tmp_path_factory.mktemp("hosted")
    workspace = tmp / "workspace"
    run_cli(workspace, "init", "--demo")
    run_cli(workspace, "members", "home-safely", "add", "alice", "--role", "owner")
    run_cli(workspace, "members", "home-safely", "add", "carol", "--role", "viewer")
    with Workspace.open(workspace, user=User("alice")) as alice:
        secret = alice.new_sig("Secret group").plan.id
        alice.set(secret, "charter.purpose", "Nobody else may read this purpose")
    running = start_server(
        tmp,
        notebooks=None,
        env={"JUPYTERHUB_USER": "carol", "SIGWORKBOOK_CULL_IDLE_TIMEOUT": "60"},
    )
    yield running
    stop_server(running)


@pytest.mark.parametrize("step", ["charter", "name", "review"])
def test_a_direct_link_to_another_sig_shows_only_the_access_message(
    page: Page, carols_server: Server, step: str
) -> None:
    page.goto(step_url(carols_server, step, sig="secret-group", who="alice"))
    wait_for_widgets(page)
    expect(page.get_by_role("alert")).to_contain_text(NO_ACCESS)
    text = page.locator("body").inner_text()
    assert "Secret group" not in text and "Nobody else" not in text
    assert page.locator(".swb-steps").count() == 0
    assert page.locator("textarea, input, select").count() == 0
    shoot(page, f"hosted-no-access-{step}")
    assert "refused: carol may not open a page of SIG 'secret-group'" in carols_server.log()


def test_the_start_page_lists_only_carols_sig(page: Page, carols_server: Server) -> None:
    page.goto(step_url(carols_server, "start", who="alice"))
    wait_for_widgets(page)
    expect(page.get_by_label("Your name", exact=True)).to_have_value("carol")
    expect(page.get_by_label("Your name", exact=True)).to_be_disabled()
    options = [
        " ".join(o.split())  # the drop-down spaces its options with no-break spaces
        for o in page.get_by_label("SIG", exact=True).locator("option").all_inner_texts()
    ]
    assert "Home Safely" in options  # SIGs are listed by their names
    assert not any("secret" in o.casefold() for o in options)


def test_a_viewers_page_is_read_only_and_says_why(page: Page, carols_server: Server) -> None:
    page.goto(step_url(carols_server, "charter", sig="home-safely", who="alice"))
    wait_for_widgets(page)
    expect(page.locator(".swb-read-only")).to_contain_text(
        "You can read this SIG but not change it"
    )
    purpose = page.get_by_label("What are we trying to do?", exact=True)
    expect(purpose).to_be_disabled()
    expect(purpose).not_to_have_value("")
    assert page.locator("textarea:enabled").count() == 0
    expect(page.locator(".swb-who")).to_contain_text("carol")
    shoot(page, "hosted-viewer-charter")


def test_the_network_page_is_only_for_the_network_team(page: Page, carols_server: Server) -> None:
    page.goto(carols_server.page_url("07-network.ipynb"))
    wait_for_widgets(page)
    expect(page.get_by_role("alert")).to_contain_text("You don't have access to this page")
    assert "Home Safely" not in page.locator("body").inner_text()


def test_the_network_team_sees_every_sig_submissions_first(
    page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("network")
    workspace = tmp / "workspace"
    run_cli(workspace, "init", "--demo")
    with Workspace.open(workspace, user=User("alice")) as alice:
        secret = alice.new_sig("Secret group").plan.id
        alice.set(secret, "identity.description", "Listed first")
        alice.submit_listing(secret)
    running = start_server(
        tmp,
        notebooks=None,
        env={"JUPYTERHUB_USER": "nina", "SIGWORKBOOK_USER_GROUPS": "staff,sigworkbook-network"},
    )
    try:
        page.goto(running.page_url("07-network.ipynb"))
        wait_for_widgets(page)
        rows = page.locator("table.swb-network tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Secret group")
        expect(rows.nth(0)).to_contain_text("sent")
        expect(rows.nth(0)).to_contain_text("by alice")
        expect(rows.nth(1)).to_contain_text("not sent yet")
        expect(page.locator("a[download='network-sigs.csv']")).to_be_visible()
        assert page.locator(".swb-steps").count() == 0
        expect(page.locator("summary.swb-intro__summary")).to_have_text("About this page")
        expect(rows.nth(0)).to_contain_text(
            re.compile(r"sent \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC")
        )
        shoot(page, "hosted-network-page")
    finally:
        stop_server(running)


def test_an_owner_adds_a_member_on_the_start_page(
    page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("owner")
    workspace = tmp / "workspace"
    run_cli(workspace, "init", "--demo")
    run_cli(workspace, "members", "home-safely", "add", "alice", "--role", "owner")
    running = start_server(tmp, notebooks=None, env={"JUPYTERHUB_USER": "alice"})
    try:
        page.goto(step_url(running, "start", sig="home-safely"))
        wait_for_widgets(page)
        panel = page.locator(".swb-members-panel")
        expect(panel).to_contain_text("alice")
        panel.get_by_label("Hub user name", exact=True).fill(" Bob")  # the hub says `bob`
        panel.get_by_label("Role", exact=True).select_option(label="Reader (reads only)")
        panel.get_by_role("button", name="Add or change").click()
        expect(panel.get_by_role("status")).to_contain_text("bob is now: Reader")
        expect(panel.locator("table")).to_contain_text("bob")
        panel.get_by_label("Hub user name", exact=True).fill("alice")
        panel.get_by_role("button", name="Remove").click()
        expect(panel.get_by_role("alert")).to_contain_text("at least one owner")
        shoot(page, "hosted-members-panel")
        panel.screenshot(path=str(SCREENSHOTS / "hosted-members-panel-card.png"))
    finally:
        stop_server(running)
    assert run_cli(workspace, "members", "home-safely") == "alice\towner\nbob\tviewer\n"
