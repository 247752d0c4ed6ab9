"""Figure 14: the first page after logging in to JupyterHub, against bare Voila started cold.

The hub runs from the config `sigworkbook hub-config --database URL` prints, plus test-only
lines (dummy logins with a password, local processes, free ports, an API token for the
benchmark), on a PostgreSQL server the run starts (tests/support/postgres_server.py) and the
configurable-http-proxy that `make setup` installs. Where either is missing the figure says so.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Request

from benchmarks import postgres
from benchmarks.browser import READY_TIMEOUT_MS, BrowserError, Chromium, PageLoad
from benchmarks.notebooks import write_empty_notebook
from benchmarks.processes import HOST, Server, ServerError, listening, port, running, server_env
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, median, ratios

NUMBER = 14
TITLE = "First page after login on JupyterHub / bare Voila empty notebook, cold"
TARGET = Target("<=", 1.5)
REPO = Path(__file__).resolve().parent.parent
CHP = REPO / ".node" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "a-benchmark-password"
HUB_START_S = 120.0
SERVER_STOP_S = 60.0
PREHEAT_LINE = 'c.Spawner.cmd.append("--preheat=1")\n'
QUICK_SPAWNER = """
# Experiment (full runs only): the spawner's start() waits until the server's port accepts
# connections, polling every 25 ms, so the hub's first check of the server (made at once, before
# its randomised back-off of up to 0.2, 0.4, 0.8, 1.6 s) finds it up.
import asyncio as _asyncio
import socket as _socket

from jupyterhub.spawner import SimpleLocalProcessSpawner as _Simple


class PortWaitingSpawner(_Simple):
    async def start(self):
        ip, port = await super().start()
        deadline = _asyncio.get_running_loop().time() + self.start_timeout
        while _asyncio.get_running_loop().time() < deadline and self.proc.poll() is None:
            with _socket.socket() as probe:
                probe.settimeout(0.2)
                if probe.connect_ex((ip or "127.0.0.1", port)) == 0:
                    break
            await _asyncio.sleep(0.025)
        return ip, port


c.JupyterHub.spawner_class = PortWaitingSpawner
"""
SPAWN_LOG = re.compile(r"User (\S+) took ([0-9.]+) seconds to start")

TEST_LINES = """
# --- benchmark-only lines (figure 14) -------------------------------------------------------
c.JupyterHub.bind_url = "http://{host}:{port}"
c.JupyterHub.hub_bind_url = "http://{host}:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://{host}:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.pid_file = "{folder}/jupyterhub.pid"
c.ConfigurableHTTPProxy.pid_file = "{folder}/jupyterhub-proxy.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.environment["PYTHONUNBUFFERED"] = "1"
c.JupyterHub.services.append({{"name": "benchmark", "api_token": {token!r}}})
c.JupyterHub.load_roles.append(
    {{
        "name": "benchmark",
        "scopes": ["list:users", "read:users", "read:servers", "servers"],
        "services": ["benchmark"],
    }}
)
"""


def missing_parts() -> str | None:
    """Why the figure cannot run here (JupyterHub or the proxy missing), or None."""
    if importlib.util.find_spec("jupyterhub") is None:
        return "JupyterHub is not installed in this environment (make setup)"
    if not CHP.is_file():
        return f"configurable-http-proxy is not installed ({CHP} is missing: run make setup)"
    return None


@dataclass
class Hub:
    """A running JupyterHub (the server is its proxy's public port) and its API token."""

    label: str
    server: Server
    token: str
    folder: Path

    @property
    def url(self) -> str:
        return self.server.base_url

    def log(self) -> str:
        return self.server.log.read_text(encoding="utf-8", errors="replace")

    def api(self, method: str, path: str) -> tuple[int, Any]:
        """Call the hub's REST API with the benchmark's token: (status, JSON body or None)."""
        request = urllib.request.Request(
            f"{self.url}/hub/api{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as error:
            return error.code, None

    def stop_user_server(self, user: str, *, wait: bool = True) -> None:
        """Stop `user`'s server through the hub's API and (with `wait`) wait until the hub says
        it is gone; without, whatever is left of it stops with the hub."""
        status, _ = self.api("DELETE", f"/users/{user}/server")
        if status not in (202, 204, 400):  # 400: the server was not running
            raise ServerError(f"{self.label}: stopping {user}'s server answered {status}")
        if not wait:
            return
        deadline = time.monotonic() + SERVER_STOP_S
        while time.monotonic() < deadline:
            status, model = self.api("GET", f"/users/{user}")
            if status == 200 and not (model or {}).get("servers"):
                return
            time.sleep(0.2)
        raise ServerError(f"{self.label}: {user}'s server did not stop in {SERVER_STOP_S:.0f} s")

    def spawn_seconds(self, user: str) -> float | None:
        """What the hub's log says the spawn of `user`'s server took."""
        found = [float(s) for name, s in SPAWN_LOG.findall(self.log()) if name == user]
        return found[-1] if found else None


def hub_config(database: str, folder: Path, ports: tuple[int, int, int], token: str) -> str:
    """What `sigworkbook hub-config --database URL` prints, plus the benchmark-only lines."""
    printed = subprocess.run(
        [sys.executable, "-m", "sigworkbook.cli", "hub-config", "--database", database],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=server_env(),
    )
    if printed.returncode != 0:
        raise RuntimeError(f"sigworkbook hub-config failed: {printed.stderr.strip()[-500:]}")
    public, hub_port, api_port = ports
    return printed.stdout + TEST_LINES.format(
        host=HOST,
        port=public,
        hub_port=hub_port,
        api_port=api_port,
        chp=str(CHP),
        folder=folder,
        password=PASSWORD,
        token=token,
    )


@contextlib.contextmanager
def running_hub(label: str, folder: Path, database: str, extra: str = "") -> Iterator[Hub]:
    """Start JupyterHub in `folder` from the printed config (+ test lines + `extra`); on the
    way out stop it and whatever it started (its proxy, users' servers and their kernels)."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = (port(), port(), port())
    token = secrets.token_hex(24)
    config = folder / "jupyterhub_config.py"
    config.write_text(hub_config(database, folder, ports, token) + extra, encoding="utf-8")
    config.chmod(0o600)
    command = [sys.executable, "-m", "jupyterhub", "-f", str(config)]
    with running(
        f"jupyterhub ({label})", command, port=ports[0], log=folder / "hub.log", own_group=True
    ) as server:
        yield Hub(label, server, token, folder)


def wait_hub_up(hub: Hub) -> None:
    """Wait until the hub's API answers through its proxy."""
    deadline = time.monotonic() + HUB_START_S
    while time.monotonic() < deadline:
        if hub.server.process.poll() is not None:
            raise ServerError(
                f"{hub.server.name} exited with status {hub.server.process.returncode}:\n"
                f"{hub.server.log_tail()}"
            )
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=5) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise ServerError(f"{hub.server.name} did not answer in {HUB_START_S:.0f} s")


@dataclass
class Login:
    """One login: from submitting the form to the start page being ready, and the steps."""

    user: str
    seconds: float
    """Submitting the login form to the start page ready (ready.js)."""
    spawn: float
    """Submitting the form to the first request reaching the user's server (/user/NAME/)."""
    redirects: float
    """From there to the request for the start page (the hub's OAuth and the server's redirects)."""
    html: float
    """From there to the last byte of the start page's HTML (kernel start, notebook run)."""
    front_end: float
    """From there to ready (Voila's front end, the widgets)."""
    load: PageLoad
    hub_spawn: float | None = None
    """What the hub's log says the spawn took."""
    pooled: bool = False
    """The start page got a pre-heated kernel (the server's log says so)."""


def _is_start_page(url: str, user: str) -> bool:
    """Whether `url` (or a path) is the user's start page: the app page at the server's root
    (a folder without it: a page under voila/render/)."""
    path = urlsplit(url).path
    return path == f"/user/{user}/" or path.startswith(f"/user/{user}/voila/render/")


def log_in(browser: Chromium, hub: Hub, user: str) -> Login:
    """In a fresh browsing context, log in as `user` (who has no server running) and time it."""
    browser.fresh_context()
    page = browser.page
    requests: list[tuple[float, str]] = []

    def seen(request: Request) -> None:
        requests.append((time.time(), urlsplit(request.url).path))

    try:
        page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
        page.fill("#username_input", user)
        page.fill("#password_input", PASSWORD)
        page.on("request", seen)
        navigated_at, submitted = time.perf_counter(), time.time()
        page.click("#login_submit", no_wait_after=True)
        page.wait_for_url(
            lambda url: _is_start_page(url, user), wait_until="commit", timeout=READY_TIMEOUT_MS
        )
    except PlaywrightError as error:
        raise BrowserError(
            f"{hub.label}: logging in as {user} did not reach the start page "
            f"(at {page.url}): {error.message}\n{hub.server.log_tail()}"
        ) from None
    load = browser.wait_ready(page.url, navigated_at)
    page.remove_listener("request", seen)
    prefix, callback = f"/user/{user}/", f"/user/{user}/oauth_callback"
    first_server = next((at for at, path in requests if path.startswith(prefix)), None)
    called_back = next((at for at, path in requests if path == callback), None)
    first_render = next(
        (
            at
            for at, path in requests
            if called_back is not None and at >= called_back and _is_start_page(path, user)
        ),
        None,
    )
    if first_server is None or first_render is None:
        raise BrowserError(f"{hub.label}: no request for {prefix} seen while logging in")
    return Login(
        user,
        seconds=load.ready_wall - submitted,
        spawn=first_server - submitted,
        redirects=first_render - first_server,
        html=load.html_wall - first_render,
        front_end=load.ready_wall - load.html_wall,
        load=load,
        hub_spawn=hub.spawn_seconds(user),
        pooled=f"Using pre-heated kernel: {load.kernel_id}" in hub.log(),
    )


@dataclass
class Side:
    """One hub configuration and its logins, run by run."""

    key: str
    row: str
    extra_config: str
    target: Target | None
    logins: list[Login] = field(default_factory=list)

    def steps(self) -> str:
        parts = (
            ("spawn", [x.spawn for x in self.logins]),
            ("OAuth and redirects", [x.redirects for x in self.logins]),
            ("page HTML", [x.html for x in self.logins]),
            ("front end", [x.front_end for x in self.logins]),
        )
        return ", ".join(f"{name} {median(values):.2f} s" for name, values in parts)


def sides(settings: Settings) -> list[Side]:
    """The hub configurations measured: as printed (the target is for it), with pre-heated
    kernels, and (full runs only, to keep the smoke run short) the experiment of a spawner
    that waits for its server's port itself."""
    made = [
        Side("cold", "login to start page, hub config as printed", "", TARGET),
        Side(
            "pool",
            "login to start page, hub config with --preheat=1 (information)",
            PREHEAT_LINE,
            None,
        ),
    ]
    if not settings.smoke:
        made.append(
            Side(
                "quick",
                "login to start page, spawner waiting for the port itself (experiment)",
                QUICK_SPAWNER,
                None,
            )
        )
    return made


def _bare_voila(browser: Chromium, empty: Path, log: Path) -> tuple[float, float]:
    """Launch bare Voila on the empty notebook: (seconds to the page ready, to listening)."""

    def command(listen: int) -> list[str]:
        voila = [sys.executable, "-m", "voila", str(empty), "--no-browser"]
        return [*voila, f"--port={listen}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]

    browser.fresh_context()
    with listening("voila", command, log) as (server, at):
        load = browser.visit(f"{server.base_url}/")
        browser.leave()
        return load.navigated_at - server.started + load.ready_ms / 1000, at - server.started


def _definition() -> str:
    return (
        "Per run, interleaved: (a) bare Voila launched on an empty notebook (`python -m voila "
        "empty.ipynb`, a new server and a new kernel, as figure 5's baseline), timed from the "
        "launch to the page being ready in Chromium; (b) on a JupyterHub already running "
        "(started once per figure from the config `sigworkbook hub-config --database URL` "
        "prints, plus benchmark-only lines: dummy logins, local processes, a PostgreSQL "
        "database the run starts, configurable-http-proxy), a user who has never logged in "
        "(a new name each run) submits the login form, and the time runs until the start page "
        "(the app page at the user's server's root, on its start step) the hub lands them on is "
        "ready by the same definition "
        "(benchmarks/ready.js). The ratio is (b)/(a), run by run. (c) is (b) on a second hub "
        f"whose config adds `{PREHEAT_LINE.strip()}` (each user's server keeps one pre-heated "
        "kernel, for the app page). (d), in full runs only, is an experiment: (b) with a spawner whose "
        "start waits until the server's port accepts connections, so the hub's first check of "
        "the server finds it up instead of retrying after a randomised back-off. "
        "Every visit is in a fresh browsing context (no cookies, no cache). "
        "After each login the user's server is stopped through the hub's API. The steps of (b) "
        "come from the browser's requests: spawn (form submitted to the first request reaching "
        "/user/NAME/, i.e. the hub started the server, waited for it to answer and routed it), "
        "OAuth and redirects (to the request for the start page after the OAuth callback), "
        "page HTML (its kernel "
        "started and its cells run) and front end (to ready)."
    )


def measure(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 14, on hubs and a PostgreSQL server started for it, stopped at the end."""
    figure = Figure(NUMBER, "hub_first_page", TITLE, _definition())
    missing = missing_parts()
    helper = postgres._server_helper()
    if missing is None:
        try:
            database_server = postgres.start_server()
        except helper.PostgresMissing as error:
            missing = str(error)
    if missing is not None:
        figure.note = f"not run: {missing}"
        figure.rows.append(Row("login to start page", "ratio", None, TARGET, note=figure.note))
        return figure
    try:
        _measure(settings, progress, figure, database_server)
    finally:
        postgres.release(database_server)
    return figure


def _measure(
    settings: Settings, progress: Callable[[str], None], figure: Figure, database_server: Any
) -> None:
    empty = write_empty_notebook(settings.work / "hub-bare-empty.ipynb")
    measured = sides(settings)
    bare: list[tuple[float, float]] = []
    with contextlib.ExitStack() as stack:
        hubs = [
            stack.enter_context(
                running_hub(
                    side.key,
                    settings.work / "hub" / side.key,
                    database_server.url(database_server.create_database("hub")),
                    side.extra_config,
                )
            )
            for side in measured
        ]
        browser = stack.enter_context(Chromium())
        progress(f"hub: starting {len(hubs)} hubs ({', '.join(s.key for s in measured)})")
        for hub in hubs:
            wait_hub_up(hub)
        for run in range(-settings.warmup, settings.runs):
            progress(f"hub: run {run + 1} of {settings.runs}" if run >= 0 else "hub: warm-up")
            baseline = _bare_voila(browser, empty, settings.work / "logs" / "hub-voila.log")
            logins = []
            for side, hub in zip(measured, hubs, strict=True):
                user = f"bench-{side.key}-r{run + settings.warmup}"
                logins.append(log_in(browser, hub, user))
                browser.leave()
                # A smoke run measures nothing after its one run: no wait for the stop.
                hub.stop_user_server(user, wait=not settings.smoke)
            if run >= 0:
                bare.append(baseline)
                for side, login in zip(measured, logins, strict=True):
                    side.logins.append(login)
    ready = [seconds for seconds, _ in bare]
    figure.rows.append(
        Row(
            "bare Voila, empty notebook, cold (baseline)",
            "s",
            Summary.of(ready),
            samples=ready,
            measured=f"listening after {median([s for _, s in bare]):.2f} s",
        )
    )
    for side in measured:
        times = [login.seconds for login in side.logins]
        ratio = ratios(times, ready)
        got_pool = sum(login.pooled for login in side.logins)
        hub_spawn = [x.hub_spawn for x in side.logins if x.hub_spawn is not None]
        notes = [f"{median(times):.2f} s / {median(ready):.2f} s", side.steps()]
        if hub_spawn:
            notes.append(f"the hub's log: spawn took {median(hub_spawn):.2f} s")
        if side.extra_config == PREHEAT_LINE:
            notes.append(f"a pre-heated kernel in {got_pool} of {len(side.logins)} runs")
        figure.rows.append(
            Row(
                side.row,
                "ratio",
                Summary.of(ratio),
                side.target,
                samples=ratio,
                measured="; ".join(notes),
                extra={
                    "login_s": times,
                    "bare_voila_s": ready,
                    "spawn_s": [x.spawn for x in side.logins],
                    "redirects_s": [x.redirects for x in side.logins],
                    "page_html_s": [x.html for x in side.logins],
                    "front_end_s": [x.front_end for x in side.logins],
                    "hub_log_spawn_s": hub_spawn,
                    "pre_heated_kernel": [x.pooled for x in side.logins],
                    "widget_views": [x.load.widget_views for x in side.logins],
                },
            )
        )
