"""End-to-end fixtures: Debian's Chromium driven by Playwright, and one real `serve` per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from benchmarks.browser import CHROMIUM, CHROMIUM_FLAGS
from e2e.e2e_harness import (
    EXPECT_TIMEOUT_MS,
    PAGE_TIMEOUT_MS,
    Server,
    start_server,
    stop_server,
)

# The fixture notebooks are pages for the browser tests, not notebooks for nbval to check.
collect_ignore = ["fixtures"]

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


# pytest-playwright provides browser, context and page; we point it at Debian's Chromium.
SERVER_LOG_TAIL = 12_000
"""Characters of the server log shown with a failing test (kernel errors end up there)."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Show the tail of the server's log beside any failing browser test."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for name in ("workbook_server", "server"):
            running = getattr(item, "funcargs", {}).get(name)
            if isinstance(running, Server):
                report.sections.append((f"{name} log (tail)", running.log()[-SERVER_LOG_TAIL:]))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": list(CHROMIUM_FLAGS),
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1200, "height": 900}}


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page, with timeouts that allow for a kernel starting on 2 cores."""
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The session's server: loopback, fixture notebooks, a temporary workspace."""
    running = start_server(tmp_path_factory.mktemp("serve"))
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def workbook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on the packaged workbooks (serve's default) over a workspace with the demo SIG.

    Idle kernels of vanished pages (a killed kernel's replacement, say) are culled after 60 s.
    Tests that change a SIG create their own, so that they do not depend on each other.
    """
    from e2e.workbook_pages import run_cli

    tmp = tmp_path_factory.mktemp("workbooks")
    run_cli(tmp / "workspace", "init", "--demo")
    running = start_server(
        tmp,
        notebooks=None,
        env={"SIGWORKBOOK_CULL_IDLE_TIMEOUT": "60", "SIGWORKBOOK_BUSY_TIMEOUT": "3"},
    )
    yield running
    stop_server(running)
