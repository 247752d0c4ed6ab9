"""Faults in a real browser: a killed kernel, a database locked by another program, a corrupt one."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.e2e_harness import Server, start_server, stop_server, wait_for_widgets
from e2e.workbook_pages import (
    DEMO_SIG,
    button,
    field,
    held_write_lock,
    history,
    open_new_sig,
    open_step,
    page_kernel,
    plan_value,
    reload,
    run_cli,
    shoot,
    status,
    step_url,
    wait_saved,
)
from sigworkbook.workspace import DATABASE_NAME

pytestmark = pytest.mark.e2e

BUSY_TIMEOUT_S = 3.0
"""How long the app waits for another program's lock: $SIGWORKBOOK_BUSY_TIMEOUT in conftest."""
BUSY_WAIT_MS = int((BUSY_TIMEOUT_S + 20) * 1000)


def test_killed_kernel_loses_nothing_acknowledged(page: Page, workbook_server: Server) -> None:
    server = workbook_server
    sig = open_new_sig(page, server, "Kernel Kill Check", "name", "Ana")
    theme = field(page, "Theme")
    theme.fill("Safer discharge")
    wait_saved(page, server, sig, "identity.theme", "Safer discharge")

    kernel = page_kernel(page, server)
    os.kill(kernel.pid, signal.SIGKILL)
    kernel.wait(timeout=10)

    banner = page.locator("#swb-connection")
    expect(banner).to_be_visible(timeout=20_000)
    expect(banner).to_contain_text("Connection lost")
    expect(button(banner, "Reload")).to_be_visible()
    shoot(page, "fault-kernel-killed")

    button(banner, "Reload").click()
    wait_for_widgets(page)
    expect(banner).to_be_hidden()
    expect(field(page, "Theme")).to_have_value("Safer discharge")
    assert plan_value(server.workspace, sig, "identity.theme") == "Safer discharge"


def test_closing_the_tab_right_after_typing_loses_nothing(
    context: BrowserContext, workbook_server: Server
) -> None:
    """The tab closes before the pause after which typing is saved: the kernel, shut down by the
    page's goodbye, saves what reached it; what the widgets still held back is kept by the
    browser and offered when the page is opened again. Either way nothing typed is lost."""
    server = workbook_server
    page = context.new_page()
    sig = open_new_sig(page, server, "Closed Tab Check", "name", "Ana")
    typed = "Closing straight after typing"
    field(page, "Welcome message").press_sequentially(typed, delay=5)
    kernel = page_kernel(page, server)
    page.close(run_before_unload=True)
    kernel.wait(timeout=20)  # the page's kernel is shut down with it
    saved = plan_value(server.workspace, sig, "identity.welcome_message")
    assert typed.startswith(saved), "what was saved is what was typed, maybe not all of it"
    changes = history(server.workspace, sig, "identity.welcome_message")
    assert {change.author for change in changes} <= {"Ana"}

    again = context.new_page()
    open_step(again, server, "name", sig=sig, who="Ana")
    kept = again.locator(".swb-kept")
    again.wait_for_function("window.sigworkbookKeptLooked()")
    if saved == typed:
        expect(kept).to_have_count(0)
    else:
        expect(kept.get_by_label("Welcome message")).to_have_value(typed)
        shoot(again, "fault-closed-tab-kept")


def test_text_not_saved_when_the_kernel_dies_is_shown_again_after_the_reload(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = open_new_sig(page, server, "Kept Text Check", "name", "Ana")
    welcome = field(page, "Welcome message")
    before = "Welcome to the group"
    welcome.press_sequentially(before, delay=10)
    kernel = page_kernel(page, server)
    os.kill(kernel.pid, signal.SIGKILL)  # maybe before the pause after which typing is saved
    kernel.wait(timeout=10)
    banner = page.locator("#swb-connection")
    expect(banner).to_be_visible(timeout=20_000)
    theme = field(page, "Theme")
    theme.fill("Typed with no connection")  # certainly not saved

    button(banner, "Reload").click()
    wait_for_widgets(page)
    kept = page.locator(".swb-kept")
    expect(kept).to_be_visible()
    expect(kept.get_by_label("Theme")).to_have_value("Typed with no connection")
    # What was typed before the kernel died is either saved or kept: never lost.
    if plan_value(server.workspace, sig, "identity.welcome_message") != before:
        expect(kept.get_by_label("Welcome message")).to_have_value(before)
    shoot(page, "fault-kept-text")
    button(kept, "Dismiss").click()
    expect(kept).to_have_count(0)
    reload(page)
    expect(page.locator(".swb-kept")).to_have_count(0)


def test_locked_database_keeps_the_text_and_retry_saves_it(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = open_new_sig(page, server, "Lock Check", "name", "Ana")
    theme = field(page, "Theme")

    with held_write_lock(server.workspace / DATABASE_NAME):
        theme.fill("Typed while locked")
        expect(status(page)).to_contain_text("Not saved", timeout=BUSY_WAIT_MS)
        expect(status(page)).to_contain_text("busy")
        retry = button(page, "Retry saving")
        expect(retry).to_be_visible()
        expect(theme).to_have_value("Typed while locked")
        shoot(page, "fault-database-locked")
        assert plan_value(server.workspace, sig, "identity.theme") == ""

    retry.click()
    wait_saved(page, server, sig, "identity.theme", "Typed while locked")
    expect(retry).to_be_hidden()
    reload(page)
    expect(field(page, "Theme")).to_have_value("Typed while locked")


def _damage(database: Path) -> bytes:
    """Overwrite the middle of the database file with junk, keeping its header; the new bytes."""
    data = bytearray(database.read_bytes())
    assert len(data) > 8192, "the demo database is smaller than expected"
    data[4096:8192] = b"\xde\xad\xbe\xef" * 1024
    database.write_bytes(bytes(data))
    return bytes(data)


@dataclass
class Damaged:
    """A server over a workspace whose database file is damaged, and the file's bytes."""

    server: Server
    database: Path
    data: bytes
    mtime_ns: int


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Damaged]:
    tmp = tmp_path_factory.mktemp("corrupt")
    run_cli(tmp / "workspace", "init", "--demo")
    database = tmp / "workspace" / DATABASE_NAME
    for companion in ("-wal", "-shm"):
        assert not Path(f"{database}{companion}").exists(), f"{companion} left by init"
    data = _damage(database)
    server = start_server(tmp, notebooks=None)
    yield Damaged(server, database, data, os.stat(database).st_mtime_ns)
    stop_server(server)


@pytest.mark.parametrize("step", ["start", "name"])
def test_corrupt_database_is_reported_and_never_written(
    page: Page, damaged: Damaged, step: str
) -> None:
    page.goto(step_url(damaged.server, step, sig=DEMO_SIG, who="Ana"))
    wait_for_widgets(page, widgets=False)
    notice = page.locator("#rendered_cells [role=alert]").first
    expect(notice).to_contain_text("The workbook cannot open its workspace")
    expect(notice).to_contain_text(f"{damaged.database} is damaged")
    assert "Traceback" not in page.content()
    shoot(page, f"fault-corrupt-database-{step}")
    page.close()
    time.sleep(0.5)  # the page's kernel ends when the page closes: any last write lands by now
    assert damaged.database.read_bytes() == damaged.data, "the damaged database was changed"
    assert os.stat(damaged.database).st_mtime_ns == damaged.mtime_ns
