"""docs/hosting.md's single-machine recipe, run as written (its marked shell blocks) in a
temporary folder with the test's own PostgreSQL database; it ends with a login in Chromium."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Page

from e2e.e2e_harness import PAGE_TIMEOUT_MS, REPO, http_status, wait_for_widgets
from e2e.hub_harness import clean_env, landing
from sigworkbook.app.network import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOC = REPO / "docs" / "hosting.md"
INSTALL_TIMEOUT_S = 900
HUB_START_S = 120.0
TRIAL_PASSWORD = "trial-password"

_FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>\w*)\s*$")
_MARK = re.compile(r"^\s*<!-- recipe(?P<tag>[^>]*)-->")


def recipe_blocks(text: str) -> tuple[list[str], str]:
    """The marked shell blocks of the recipe, in order: those to run, and the one that starts
    the hub (marked `recipe: start`). A block is marked by a `<!-- recipe ... -->` line right
    after its closing fence (blank lines aside)."""
    lines = text.splitlines()
    run: list[str] = []
    start = ""
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening or not opening["lang"]:
            index += 1
            continue
        body_end = index + 1
        while not lines[body_end].strip().startswith("```"):
            body_end += 1
        body = textwrap.dedent("\n".join(lines[index + 1 : body_end])) + "\n"
        after = body_end + 1
        while after < len(lines) and not lines[after].strip():
            after += 1
        mark = _MARK.match(lines[after]) if after < len(lines) else None
        if mark and opening["lang"] == "sh":
            if mark["tag"].strip().startswith(": start"):
                start = body
            else:
                run.append(body)
        index = body_end + 1
    return run, start


def test_recipe_has_the_steps_it_promises() -> None:
    run, start = recipe_blocks(DOC.read_text(encoding="utf-8"))
    script = "\n".join(run)
    for step in ("python3 -m venv", "configurable-http-proxy@4", "hub-config", "init"):
        assert step in script, step
    assert 'bin/jupyterhub" -f' in start
    assert "createdb" not in script, "the database administration is the operator's, not run"


def test_single_machine_recipe_as_written(tmp_path: Path, postgres_url: str, page: Page) -> None:
    run, start = recipe_blocks(DOC.read_text(encoding="utf-8"))
    root = tmp_path / "sigworkbook"
    port = free_port()
    env = {
        **clean_env(),
        "SWB_ROOT": str(root),
        "SWB_SOURCE": str(REPO),
        "SWB_PORT": str(port),
        "SWB_HUB_PORT": str(free_port()),
        "SWB_PROXY_API_PORT": str(free_port()),
        "SIGWORKBOOK_DATABASE": postgres_url,
        "SWB_TRIAL_PASSWORD": TRIAL_PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }
    script = "set -euo pipefail\n" + "\n".join(run)
    done = subprocess.run(
        ["bash", "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    config = root / "jupyterhub_config.py"
    assert oct(config.stat().st_mode & 0o777) == "0o600"

    log_path = tmp_path / "hub.log"
    with log_path.open("wb") as log:
        hub = subprocess.Popen(
            ["bash", "-c", "set -euo pipefail\n" + start],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + HUB_START_S
        while True:
            assert hub.poll() is None, log_path.read_text(errors="replace")
            try:
                if http_status(url + "/hub/api/") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.3)
        page.goto(url + "/hub/login")
        page.fill("#username_input", "alice")
        page.fill("#password_input", TRIAL_PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(landing("alice"), timeout=PAGE_TIMEOUT_MS * 2)  # the app page
        wait_for_widgets(page)
        assert page.get_by_text("Start a new SIG").count() >= 1
    finally:
        # The recipe's config keeps users' servers running when the hub stops: note them first.
        try:
            servers = [
                child
                for child in psutil.Process(hub.pid).children(recursive=True)
                if "--hub" in child.cmdline()
            ]
        except psutil.NoSuchProcess:
            servers = []
        if hub.poll() is None:
            os.kill(hub.pid, signal.SIGINT)  # exec'd: this is the hub itself
            try:
                hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait(timeout=30)
        for server in servers:
            with contextlib.suppress(psutil.NoSuchProcess):
                server.send_signal(signal.SIGINT)
        _gone, alive = psutil.wait_procs(servers, timeout=30)
        for server in alive:
            server.kill()
    assert postgres_url.split("@")[0] not in log_path.read_text(errors="replace")
