"""End-to-end harness: start and stop real `serve` processes, wait for pages, take screenshots."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil
from playwright.sync_api import Page
from repo_paths import REPO

from benchmarks.processes import serve_command
from sigworkbook.app.network import free_port
from sigworkbook.ui.later import WAITING_CLASS

FIXTURE_NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "notebooks"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
START_TIMEOUT_S = 60.0
PAGE_TIMEOUT_MS = 45_000
EXPECT_TIMEOUT_MS = 15_000
STOP_TIMEOUT_S = 20.0
PORT_ATTEMPTS = 3
STEPS_WHEN_OPENED = {"SIGWORKBOOK_BUILD_AHEAD": "0"}
"""The app pages of the tests build a step when it is opened, not ahead: a page then holds
only the steps the test opened, whatever the machine's speed (tests of building ahead pass
`env={"SIGWORKBOOK_BUILD_AHEAD": ...}`, which comes after this)."""
TEST_LIMITS = {
    "SIGWORKBOOK_KERNELS_PER_VISITOR": "200",
    "SIGWORKBOOK_KERNELS_PER_SERVER": "200",
    "SIGWORKBOOK_PAGE_LOADS_PER_MINUTE": "10000",
}
"""The limits on one visitor, raised for every test server unless a test sets them: the tests
open pages from one address, many a minute (tests/e2e/test_server_limits.py tests the limits)."""


@dataclass
class Server:
    """One running `python -m sigworkbook.app.serve` process and where to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    host: str
    workspace: Path
    log_path: Path
    token: str | None = None
    path: str = "/"
    """The base URL's path everything is served under (`serve --base-url`)."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def url(self, path: str, **query: str) -> str:
        """The URL of `path` on this server, with the token (if any) and `query` added."""
        params = dict(query)
        if self.token:
            params["token"] = self.token
        return self.base_url + path.lstrip("/") + (f"?{urlencode(params)}" if params else "")

    def page_url(self, notebook: str, **query: str) -> str:
        return self.url(f"voila/render/{notebook}", **query)

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kernel_processes(self) -> list[psutil.Process]:
        """The kernel processes this server started and that are still running."""
        found = []
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        for child in children:
            try:
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    found.append(child)
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
        return found


def http_status(url: str, headers: Mapping[str, str] | None = None) -> int:
    """The HTTP status of a GET on `url`, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def redirect_target(url: str) -> str:
    """Where a GET of `url` is redirected to (its Location header); fails without a redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            raise AssertionError(f"{url}: {response.status}, not a redirect")
    except urllib.error.HTTPError as error:
        assert error.code in (301, 302), f"{url}: {error.code}, not a redirect"
        return str(error.headers["Location"])


def start_server(
    tmp: Path,
    *,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    notebooks: Path | None = FIXTURE_NOTEBOOKS,
    extra_args: Sequence[str] = (),
    base_path: str = "/",
    preheat: int | None = 0,
) -> Server:
    """Start `serve` on a free port with a fresh workspace; return once it answers.

    `notebooks=None` serves what `serve` serves by default: the packaged workbooks. A workspace
    folder already at `tmp/workspace` (e.g. made by `sigworkbook init --demo`) is used as it is.
    `extra_args` go at the end of serve's command line; `base_path` other than / is served
    with `--base-url`. No kernel is pre-heated unless `preheat` says so (None: serve's default,
    one for the app page): a pool refilling in the background would start kernels while tests
    count them.
    """
    if base_path != "/":
        extra_args = [*extra_args, "--base-url", base_path]
    for attempt in range(1, PORT_ATTEMPTS + 1):
        try:
            return _start_server(tmp, host, env, notebooks, extra_args, base_path, preheat)
        except PortTaken:
            if attempt == PORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


class PortTaken(AssertionError):
    """The free port chosen for serve was taken (by another server's kernel, say) before it
    could listen; another port will do."""


def _start_server(
    tmp: Path,
    host: str,
    env: Mapping[str, str] | None,
    notebooks: Path | None,
    extra_args: Sequence[str],
    base_path: str,
    preheat: int | None,
) -> Server:
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    workspace = tmp / "workspace"
    log_path = tmp / "serve.log"
    command = serve_command(
        workspace,
        port,
        notebooks=notebooks,
        preheat=preheat,
        host=host,  # "": serve's default, every address behind the gate
        extra=extra_args,
    )
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGWORKBOOK_", "VOILA_"))}
    full_env.update(TEST_LIMITS)
    full_env.update(STEPS_WHEN_OPENED)
    full_env.update(env or {})
    full_env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=tmp
        )
    server = Server(process, port, host, workspace, log_path, path=base_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    probe = server.base_url + "voila/templates/sigworkbook/static/sigworkbook.css"
    while True:
        if process.poll() is not None:
            if any(said in server.log() for said in ("already in use", "could not listen on port")):
                raise PortTaken(server.log())
            raise AssertionError(f"serve exited with {process.returncode}:\n{server.log()}")
        try:
            if http_status(probe) == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(server)
            raise AssertionError(f"serve did not answer in {START_TIMEOUT_S} s:\n{server.log()}")
        time.sleep(0.2)
    match = re.search(r"[?&]token=([A-Za-z0-9_\-]+)", server.log())
    server.token = match.group(1) if match else None
    return server


def stop_server(server: Server, sig: int = signal.SIGINT) -> int:
    """Stop the server like Ctrl-C does (kill it if it does not stop); its exit code."""
    if server.process.poll() is None:
        server.process.send_signal(sig)
        try:
            server.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=STOP_TIMEOUT_S)
    return server.process.returncode


def wait_for_widgets(page: Page, *, widgets: bool = True, timeout: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until Voila has shown the page's cells and (with `widgets`) rendered its widgets,
    those below the fold too (the kernel builds them once the page says it is on screen)."""
    page.wait_for_function(
        """([widgets, waiting]) => {
            const cells = document.getElementById("rendered_cells");
            if (!cells || document.getElementById("loading")) return false;
            if (getComputedStyle(cells).display === "none") return false;
            if (!widgets) return true;
            return document.querySelector(".jupyter-widgets") !== null
                && !cells.innerText.includes("Loading widget")
                && document.querySelector("." + waiting) === null;
        }""",
        arg=[widgets, WAITING_CLASS],
        timeout=timeout,
    )


def kernel_id(page: Page) -> str:
    """The id of the kernel Voila started for this page."""
    value = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    assert isinstance(value, str) and value, "the page config has no kernelId"
    return value


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as artifacts/screenshots/<name>.png; its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
