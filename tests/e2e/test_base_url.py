"""`serve --base-url`: behind a proxy's path every link, redirect, static file and websocket
stays under that path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import (
    PAGE_TIMEOUT_MS,
    Server,
    http_status,
    redirect_target,
    start_server,
    stop_server,
    wait_for_widgets,
)
from e2e.workbook_pages import button, card, current, field, plan_value, settled, shoot

pytestmark = pytest.mark.e2e

PREFIX = "/team/sig-workbook/"


@pytest.fixture
def prefixed_server(tmp_path: Path) -> Iterator[Server]:
    server = start_server(tmp_path, notebooks=None, base_path=PREFIX)
    try:
        yield server
    finally:
        stop_server(server)


def test_everything_stays_under_the_base_url(prefixed_server: Server, page: Page) -> None:
    server = prefixed_server
    root = f"http://127.0.0.1:{server.port}"
    assert http_status(root + "/voila/render/00-start.ipynb") == 404, "nothing outside the prefix"
    assert http_status(root + "/") == 404, "nothing outside the prefix"
    assert http_status(server.base_url) == 200  # the root is the app page
    # A step's address from before the app leads to the app at that step, under the prefix.
    assert redirect_target(server.base_url + "voila/render/03-charter.ipynb?sig=x") == (
        PREFIX + "?sig=x&step=charter"
    )

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket: requested.append(socket.url))

    page.goto(server.base_url)
    wait_for_widgets(page)
    assert urlparse(page.url).path == PREFIX, page.url
    field(page, "Your name").fill("Tess Walker")
    field(page, "Name of the new SIG").fill("Ward Medicines Circle")
    button(page, "Create the SIG").click()
    created = card(page, "Start a new SIG").locator(".swb-notice--success")
    expect(created).to_contain_text("Created", timeout=PAGE_TIMEOUT_MS)
    with page.expect_navigation():
        created.get_by_role("link", name="Open it →").click()
    wait_for_widgets(page)
    sig = parse_qs(urlparse(page.url).query)["sig"][0]
    assert plan_value(server.workspace, sig, "identity.name") == "Ward Medicines Circle"
    current(page).locator(".swb-next a").click()  # switches in place
    page.wait_for_url(re.compile(r"[?&]step=core(&|$)"))
    settled(page)
    assert urlparse(page.url).path == PREFIX, page.url
    expect(current(page).locator(".swb-steps [aria-current=page]")).to_contain_text("1. Core")
    shoot_path = shoot(page, "base-url-core-group")
    assert shoot_path.exists()

    ours = [url for url in requested if url.startswith(("http://", "ws://"))]
    assert any(url.startswith("ws://") for url in ours), "the kernel's websocket was seen"
    assert any("/static/" in url for url in ours), "static files were seen"
    outside = [url for url in ours if not urlparse(url).path.startswith(PREFIX)]
    assert not outside, f"requests outside {PREFIX}: {outside}"


def test_the_token_login_is_under_the_base_url(tmp_path: Path) -> None:
    server = start_server(tmp_path, host="0.0.0.0", base_path=PREFIX)
    try:
        assert server.token, "serving on 0.0.0.0 needs the token"
        page = server.base_url + "voila/render/00-start.ipynb"
        assert http_status(page) == 302  # to the login page, under the prefix
        assert http_status(server.base_url + "login") == 200
        assert http_status(f"http://127.0.0.1:{server.port}/login") == 404
        # An authenticated resource that answers at once (a page would run its notebook first,
        # which on a loaded machine can outlast the probe's timeout).
        pool = server.base_url + "sigworkbook/api/pool"
        assert http_status(pool) == 403
        assert http_status(pool + f"?token={server.token}") == 200
    finally:
        stop_server(server)
