"""Two `serve` processes (two machines) on one PostgreSQL database: people on each see each other."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from postgres_server import PostgresServer

from e2e.e2e_harness import PAGE_TIMEOUT_MS, Server, start_server, stop_server
from e2e.workbook_pages import (
    field,
    history,
    new_sig,
    open_step,
    presence,
    run_cli,
    shoot,
    status,
    wait_saved,
)

pytestmark = pytest.mark.e2e

LIVE_S = 1.0
"""Another server's saved edit must show within this long: the database notifies the page."""
PRESENCE_MS = 8_000


@pytest.fixture
def two_servers(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Server, Server]]:
    """Servers A and B, each with its own workspace folder, keeping plans in one database."""
    monkeypatch.setenv("SIGWORKBOOK_DATABASE", postgres_url)  # for this test's own look-ups
    run_cli(tmp_path / "a" / "workspace", "init")  # sets the database up (with --database)
    env = {"SIGWORKBOOK_DATABASE": postgres_url, "SIGWORKBOOK_CULL_IDLE_TIMEOUT": "60"}
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            started.append(start_server(tmp_path / name, notebooks=None, env=env))
        yield started[0], started[1]
    finally:
        for server in started:
            stop_server(server)
    for server in started:
        assert postgres_url.split("?")[0] not in server.log(), "the database URL is not logged"


@pytest.fixture
def two_people(browser: Browser) -> Iterator[tuple[Page, Page]]:
    contexts: list[BrowserContext] = []
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        pages.append(page)
    yield pages[0], pages[1]
    for context in contexts:
        context.close()


def _watch_for(page: Page, label: str, value: str) -> None:
    """Note in the page the moment the field `label` first shows `value` (every 20 ms)."""
    field(page, label).evaluate(
        """(input, value) => {
            window.swbSeen = null;
            const timer = setInterval(() => {
                if (input.value === value) { window.swbSeen = Date.now(); clearInterval(timer); }
            }, 20);
        }""",
        value,
    )


def _shown_after_save(page: Page, server: Server, sig: str, path: str, value: str) -> float:
    """Seconds from the save of `value` (its time in the history) until `page` showed it."""
    page.wait_for_function("() => window.swbSeen !== null", timeout=15_000)
    seen_ms = page.evaluate("window.swbSeen")
    shown = dt.datetime.fromtimestamp(seen_ms / 1000, dt.UTC)
    saved = next(c.at for c in history(server.workspace, sig, path) if c.value == value)
    return (shown - saved).total_seconds()


def test_people_on_two_servers_see_each_others_edits_and_presence(
    two_servers: tuple[Server, Server], two_people: tuple[Page, Page]
) -> None:
    server_a, server_b = two_servers
    ana, ben = two_people
    sig = new_sig(server_a.workspace, "Two Servers Group")
    open_step(ana, server_a, "name", sig=sig, who="Ana")
    open_step(ben, server_b, "name", sig=sig, who="Ben")
    expect(presence(ana)).to_contain_text("Also on this step: Ben", timeout=PRESENCE_MS)
    expect(presence(ben)).to_contain_text("Also on this step: Ana", timeout=PRESENCE_MS)

    _watch_for(ben, "Theme", "Falls prevention")
    field(ana, "Theme").fill("Falls prevention")
    wait_saved(ana, server_a, sig, "identity.theme", "Falls prevention")
    took = _shown_after_save(ben, server_b, sig, "identity.theme", "Falls prevention")
    print(f"Ana's edit on server A showed on Ben's page on server B after {took:.2f} s")
    assert took <= LIVE_S, f"A's edit showed on B after {took:.2f} s"

    _watch_for(ana, "Theme", "Falls prevention at home")
    field(ben, "Theme").fill("Falls prevention at home")
    wait_saved(ben, server_b, sig, "identity.theme", "Falls prevention at home")
    took = _shown_after_save(ana, server_a, sig, "identity.theme", "Falls prevention at home")
    print(f"Ben's edit on server B showed on Ana's page on server A after {took:.2f} s")
    assert took <= LIVE_S, f"B's edit showed on A after {took:.2f} s"
    # Ben only added words: Ana's are still in the field, so both are named (issue 19).
    expect(ana.locator(".swb-changed").filter(has_text="Changed by Ana and Ben")).to_have_count(1)
    shoot(ana, "two-servers-one-database")

    changes = history(server_a.workspace, sig, "identity.theme")
    assert [(c.value, c.author) for c in changes[:2]] == [
        ("Falls prevention at home", "Ben"),
        ("Falls prevention", "Ana"),
    ]
    assert not (server_a.workspace / "sigworkbook.db").exists()
    assert not (server_b.workspace / "sigworkbook.db").exists()


def test_a_page_keeps_typing_while_the_database_is_down_and_saves_it_after(
    two_servers: tuple[Server, Server],
    two_people: tuple[Page, Page],
    postgres_server: PostgresServer,
) -> None:
    server, _ = two_servers
    ana, _ = two_people
    sig = new_sig(server.workspace, "Database Down Group")
    open_step(ana, server, "name", sig=sig, who="Ana")
    postgres_server.stop("immediate")
    try:
        field(ana, "Theme").fill("Typed while the database was down")
        expect(status(ana)).to_have_text(
            re.compile("Not saved: database unreachable, trying again"), timeout=30_000
        )
        expect(field(ana, "Theme")).to_have_value("Typed while the database was down")
        shoot(ana, "database-unreachable")
    finally:
        postgres_server.start()
    wait_saved(ana, server, sig, "identity.theme", "Typed while the database was down", timeout=60)
    assert history(server.workspace, sig, "identity.theme")[0].author == "Ana"
