"""The `serve` process itself: taken ports, tokens off loopback, and stopping with its kernels."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_harness import (
    FIXTURE_NOTEBOOKS,
    http_status,
    kernel_id,
    start_server,
    stop_server,
    wait_for_widgets,
)

pytestmark = pytest.mark.e2e


def test_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "sigworkbook.app.serve",
                "--workspace",
                str(tmp_path / "ws"),
                "--notebooks",
                str(FIXTURE_NOTEBOOKS),
                "--port",
                str(port),
                "--no-browser",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(port) in lines[0] and "already in use" in lines[0]
    assert result.stdout == ""


def test_non_loopback_host_requires_the_token(tmp_path: Path, page: Page) -> None:
    server = start_server(tmp_path, host="0.0.0.0")
    try:
        log = server.log()
        assert "reachable from other machines" in log
        assert server.token and len(server.token) >= 24, "no generated token in the start URL"

        no_token = server.base_url + "voila/render/00-start.ipynb"
        status = http_status(no_token)
        assert status in (302, 403), f"page served without the token (HTTP {status})"

        page.goto(server.page_url("00-start.ipynb"))
        wait_for_widgets(page)
        page.get_by_label("Your name").fill("Remote")
        expect(page.locator("#fixture-greeting")).to_have_text("Hello, Remote!")

        kernel_api = server.base_url + f"api/kernels/{kernel_id(page)}"
        assert http_status(kernel_api) == 403
        assert http_status(kernel_api, {"Authorization": f"token {server.token}"}) == 200
        assert http_status(kernel_api, {"Authorization": "token wrong"}) == 403

        # The browser now holds a login cookie: a link without the token still works.
        page.goto(server.base_url + "voila/render/00-start.ipynb")
        wait_for_widgets(page)
    finally:
        stop_server(server)


def test_token_can_be_chosen_with_the_environment(tmp_path: Path) -> None:
    server = start_server(tmp_path, host="0.0.0.0", env={"SIGWORKBOOK_TOKEN": "chosen-token-123"})
    try:
        assert server.token == "chosen-token-123"
        api = server.base_url + "api/kernels/00000000-0000-0000-0000-000000000000"
        assert http_status(api) == 403
        assert http_status(api, {"Authorization": "token chosen-token-123"}) == 404
    finally:
        stop_server(server)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stop_signal_stops_the_server_and_every_kernel(
    tmp_path: Path, page: Page, stop_signal: signal.Signals
) -> None:
    server = start_server(tmp_path)
    try:
        page.goto(server.page_url("00-start.ipynb"))
        wait_for_widgets(page)
        kernels = server.kernel_processes()
        assert kernels, "opening a page should have started a kernel"
    except BaseException:
        stop_server(server)
        raise

    server.process.send_signal(stop_signal)
    try:
        code = server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        stop_server(server, signal.SIGKILL)
        pytest.fail(f"serve did not stop on {stop_signal.name}:\n{server.log()}")
    assert code == 0, server.log()
    _gone, alive = psutil.wait_procs(kernels, timeout=10)
    assert not alive, f"kernels survived the server: {[p.pid for p in alive]}"


def test_stopping_while_the_pool_fills_exits_cleanly_and_leaves_no_kernel(tmp_path: Path) -> None:
    """Ctrl-C as soon as the server answers, while its pool is still starting kernels: exit code
    0 and no kernel left running (the exact race is pinned down in tests/app/test_serve.py)."""
    server = start_server(tmp_path, extra_args=("--preheat", "2"))
    seen: dict[int, psutil.Process] = {}
    while not seen:
        assert server.process.poll() is None, server.log()
        seen.update((kernel.pid, kernel) for kernel in server.kernel_processes())
        time.sleep(0.02)
    server.process.send_signal(signal.SIGINT)
    while server.process.poll() is None:
        for kernel in server.kernel_processes():
            seen.setdefault(kernel.pid, kernel)
        time.sleep(0.02)
    assert server.process.returncode == 0, server.log()
    _gone, alive = psutil.wait_procs(list(seen.values()), timeout=10)
    assert not alive, f"kernels survived the server: {[p.pid for p in alive]}\n{server.log()}"


def test_kernel_of_a_vanished_page_is_culled_and_an_open_page_is_kept(
    tmp_path: Path, browser: Browser
) -> None:
    server = start_server(tmp_path, env={"SIGWORKBOOK_CULL_IDLE_TIMEOUT": "4"})
    context = browser.new_context()
    try:
        kept = context.new_page()
        kept.goto(server.page_url("00-start.ipynb"))
        wait_for_widgets(kept)
        crashed = context.new_page()
        crashed.goto(server.page_url("00-start.ipynb"))
        wait_for_widgets(crashed)
        kept_api = server.base_url + f"api/kernels/{kernel_id(kept)}"
        crashed_api = server.base_url + f"api/kernels/{kernel_id(crashed)}"

        # No unload handlers: no shutdown beacon, as when a tab crashes or the laptop dies.
        crashed.close(run_before_unload=False)
        deadline = time.monotonic() + 20
        while http_status(crashed_api) != 404:
            assert time.monotonic() < deadline, "the vanished page's kernel was never culled"
            time.sleep(0.5)
        crashed_id = crashed_api.rsplit("/", 1)[1]
        culled = [line for line in server.log().splitlines() if "Culling" in line]
        assert any(crashed_id in line for line in culled), "gone, but not by the culler"

        # The open page sat idle for longer than the timeout, but it is connected: kept.
        assert http_status(kept_api) == 200
        kept.get_by_label("Your name").fill("Still here")
        expect(kept.locator("#fixture-greeting")).to_have_text("Hello, Still here!")
    finally:
        context.close()
        stop_server(server)
