"""`serve`'s pre-heated kernel (one by default) in a real browser: the app page, opened at any
step's address, shows the visit's SIG, never a stale plan."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Page, expect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from e2e.e2e_harness import (
    START_TIMEOUT_S,
    Server,
    kernel_id,
    start_server,
    stop_server,
    wait_for_widgets,
)
from e2e.workbook_pages import field, new_sig, option_labels, plan_value, run_cli, shown
from sigworkbook.app.network import free_port, port_in_use
from sigworkbook.app.voila_config import POOL_API
from sigworkbook.plan.steps import APP_NOTEBOOK, STEP_BY_KEY
from sigworkbook.resources import workbooks_dir
from sigworkbook.ui.request import KERNEL_KEY_HEADER

pytestmark = pytest.mark.e2e

PAGES = (APP_NOTEBOOK,)
"""The notebooks served: the app page alone (it builds each step from the packaged step
notebooks), the only notebook with a pool."""
NAME_PAGE = STEP_BY_KEY["name"].notebook
"""A step's own address, which leads to the app page at that step."""
HEAT_TIMEOUT_S = 60.0
DESCRIPTION = "Brief description"


def _workspace_with_two_sigs(folder: Path) -> dict[str, str]:
    """A workspace with SIGs "Alpha Group" and "Beta Group"; name -> id."""
    run_cli(folder, "init")
    ids = {name: new_sig(folder, name) for name in ("Alpha Group", "Beta Group")}
    for name, sig in ids.items():
        run_cli(folder, "set", sig, "identity.description", f"{name} as first described.")
    return ids


def _notebooks(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in PAGES:
        shutil.copy(workbooks_dir() / name, folder / name)
    return folder


def wait_pool_heated(base_url: str, token: str | None = None) -> dict[str, dict[str, int]]:
    """Wait until every page's pre-heated kernel has run its page up to the wait for a visit."""
    headers = {"Authorization": f"token {token}"} if token else {}
    deadline = time.monotonic() + HEAT_TIMEOUT_S
    state: dict[str, dict[str, int]] = {}
    while time.monotonic() < deadline:
        request = urllib.request.Request(base_url + POOL_API.lstrip("/"), headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            state = json.load(response)["notebooks"]
        if set(PAGES) <= set(state) and all(pool["ready"] >= 1 for pool in state.values()):
            return state
        time.sleep(0.1)
    raise AssertionError(f"the kernel pools were not heated within {HEAT_TIMEOUT_S} s: {state}")


def assert_preheated(page: Page, log: str) -> None:
    """The page was given a kernel from the pool (Voila logs which), not a newly started one."""
    kid = kernel_id(page)
    assert f"Using pre-heated kernel: {kid}" in log, f"kernel {kid} was not a pre-heated one"


@pytest.fixture(scope="module")
def preheated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    """`serve` with its default pool (one kernel for the app page) on loopback, two SIGs."""
    tmp = tmp_path_factory.mktemp("preheat")
    sigs = _workspace_with_two_sigs(tmp / "workspace")
    server = start_server(tmp, notebooks=_notebooks(tmp / "notebooks"), preheat=None)
    yield server, sigs
    stop_server(server)


def open_page(page: Page, server: Server, notebook: str, **query: str) -> None:
    """Open `notebook` once its pool is heated, and check that it got a pre-heated kernel."""
    wait_pool_heated(server.base_url, server.token)
    page.goto(server.page_url(notebook, **query))
    wait_for_widgets(page)
    assert_preheated(page, server.log())


def test_pool_api_reports_every_page_heated(preheated: tuple[Server, dict[str, str]]) -> None:
    server, _ = preheated
    state = wait_pool_heated(server.base_url)
    assert state == {name: {"pooled": 1, "ready": 1} for name in PAGES}
    log = server.log()
    for name in PAGES:
        assert re.search(rf"Pre-heated kernel \S+ for {re.escape(name)} is ready", log), name


def test_page_shows_the_sig_and_participant_of_the_visit(
    page: Page, preheated: tuple[Server, dict[str, str]]
) -> None:
    server, sigs = preheated
    open_page(page, server, NAME_PAGE, sig=sigs["Alpha Group"], who="Xavier")
    expect(page.locator(".swb-header .swb-sig")).to_have_text("Alpha Group")
    expect(page.locator(".swb-header .swb-who")).to_have_text("You: Xavier")
    expect(field(page, DESCRIPTION)).to_have_value("Alpha Group as first described.")


def test_what_was_saved_after_heating_shows_on_the_next_visit(
    page: Page, preheated: tuple[Server, dict[str, str]]
) -> None:
    """Read at once, as the page first shows them (the pages also refresh every second, which
    would hide a stale first view from a check that retries)."""
    server, sigs = preheated
    wait_pool_heated(server.base_url)  # the kernels that serve the visits below are waiting
    alpha = sigs["Alpha Group"]
    saved = f"Saved after the pool was heated ({secrets.token_hex(3)})."
    run_cli(server.workspace, "set", alpha, "identity.description", saved)
    run_cli(server.workspace, "set", alpha, "identity.name", "Alpha Renamed")
    # The step's timer is set once, as the page opens: nothing refreshes it later.
    run_cli(server.workspace, "set", alpha, "meeting.timeboxes.name", "7")
    gamma = new_sig(server.workspace, "Gamma Group")

    page.goto(server.page_url(NAME_PAGE, sig=alpha, who="Yara"))
    wait_for_widgets(page)
    assert_preheated(page, server.log())
    assert shown(page).locator(".swb-top .swb-timer-clock").inner_text() == "07:00"
    assert page.locator(".swb-header .swb-sig").inner_text() == "Alpha Renamed"
    assert field(page, DESCRIPTION).input_value() == saved

    # The start page lists the workspace's SIGs (never refreshed): the new one is there.
    page.goto(server.page_url(PAGES[0], who="Yara"))
    wait_for_widgets(page)
    assert_preheated(page, server.log())
    assert "Gamma Group" in option_labels(field(page, "SIG")), gamma


def test_two_sigs_one_after_the_other_each_show_their_own_plan(
    page: Page, preheated: tuple[Server, dict[str, str]]
) -> None:
    server, sigs = preheated
    alpha, beta = sigs["Alpha Group"], sigs["Beta Group"]
    run_cli(server.workspace, "set", beta, "identity.description", "Beta's own words.")
    for sig in (beta, alpha, beta):
        open_page(page, server, NAME_PAGE, sig=sig, who="Zoe")
        name = plan_value(server.workspace, sig, "identity.name")
        description = plan_value(server.workspace, sig, "identity.description")
        expect(page.locator(".swb-header .swb-sig")).to_have_text(name)
        expect(field(page, DESCRIPTION)).to_have_value(description)
    assert plan_value(server.workspace, beta, "identity.description") == "Beta's own words."


def test_only_the_servers_own_kernels_get_a_page_request(
    page: Page, preheated: tuple[Server, dict[str, str]]
) -> None:
    """Someone who names a pooled kernel's id at the request endpoint is refused: they read
    nothing and cannot take the kernel's place; the kernel still serves the next visit."""
    server, sigs = preheated
    wait_pool_heated(server.base_url)
    ready = re.findall(
        rf"Pre-heated kernel (\S+) for {re.escape(APP_NOTEBOOK)} is ready", server.log()
    )
    pooled = ready[-1]
    endpoint = f"ws://127.0.0.1:{server.port}/voila/query/{pooled}"
    for headers in ({}, {KERNEL_KEY_HEADER: "a-guess"}):
        with pytest.raises(InvalidStatus) as refused:
            connect(endpoint, additional_headers=headers, proxy=None, open_timeout=10).close()
        assert refused.value.response.status_code == 403
    assert "Refused a request for a page request" in server.log()

    page.goto(server.page_url(NAME_PAGE, sig=sigs["Beta Group"], who="Quinn"))
    wait_for_widgets(page)
    assert kernel_id(page) == pooled
    assert_preheated(page, server.log())
    expect(page.locator(".swb-header .swb-sig")).to_have_text("Beta Group")


# ---- serving on one specific address -----------------------------------------------------------

SPECIFIC_ADDRESS = "127.0.0.2"
"""An address of this machine other than 127.0.0.1 (the tests reach loopback only)."""


def test_preheat_works_on_one_specific_address(tmp_path: Path, page: Page) -> None:
    """Listening on one address other than 127.0.0.1 only, the pooled kernel still gets its
    request (it is told the address); stopping the server stops it."""
    sigs = _workspace_with_two_sigs(tmp_path / "workspace")
    port = free_port(SPECIFIC_ADDRESS)
    log_path = tmp_path / "serve.log"
    command = [
        *(
            sys.executable,
            "-m",
            "sigworkbook.app.serve",
            "--workspace",
            str(tmp_path / "workspace"),
        ),
        *("--notebooks", str(_notebooks(tmp_path / "notebooks")), "--port", str(port)),
        *("--host", SPECIFIC_ADDRESS, "--no-browser", "--preheat", "1"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGWORKBOOK_", "VOILA_"))}
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    server = Server(process, port, SPECIFIC_ADDRESS, tmp_path / "workspace", log_path)
    kernels: list[psutil.Process] = []
    try:
        base = f"http://{SPECIFIC_ADDRESS}:{port}/"
        deadline = time.monotonic() + START_TIMEOUT_S
        while "sigworkbook is running at" not in server.log():
            assert process.poll() is None, f"serve exited:\n{server.log()}"
            assert time.monotonic() < deadline, f"serve did not start:\n{server.log()}"
            time.sleep(0.2)
        assert port_in_use("127.0.0.1", port) is False, "listening on 127.0.0.1 too"
        wait_pool_heated(base)

        alpha = sigs["Alpha Group"]
        page.goto(f"{base}voila/render/{NAME_PAGE}?sig={alpha}&who=Remote")
        wait_for_widgets(page)
        assert_preheated(page, server.log())
        expect(page.locator(".swb-header .swb-sig")).to_have_text("Alpha Group")
        expect(page.locator(".swb-header .swb-who")).to_have_text("You: Remote")
        assert "Reference " not in server.log(), server.log()
        kernels = server.kernel_processes()
        assert kernels, "no kernel processes while serving"
    finally:
        page.goto("about:blank")
        code = stop_server(server)
    assert code == 0, server.log()
    _gone, alive = psutil.wait_procs(kernels, timeout=10)
    assert not alive, f"kernels left running after the server stopped: {alive}"
