"""A real JupyterHub for the hosting tests: the config `sigworkbook hub-config` prints, plus
test-only lines (dummy logins with a password, local processes, free ports)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

from e2e.e2e_harness import PAGE_TIMEOUT_MS, REPO, http_status, wait_for_widgets
from sigworkbook.app.network import free_port

CHP = REPO / ".node" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "a-test-password"
HUB_START_S = 90.0
STOP_TIMEOUT_S = 30.0

TEST_LINES = """
# --- test-only lines ---------------------------------------------------------------------
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.pid_file = "{folder}/jupyterhub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {{"ada"}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.environment["SIGWORKBOOK_CULL_IDLE_TIMEOUT"] = "120"
c.Spawner.environment["PYTHONUNBUFFERED"] = "1"
c.JupyterHub.load_groups = {{NETWORK_GROUP: {{"users": ["nina"]}}}}
"""


@dataclass
class Hub:
    """A running JupyterHub and where to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    folder: Path
    log_path: Path
    user_servers: list[int] = field(default_factory=list)
    """Pids of users' servers a stopped hub left running (the config keeps them on restart)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def hub_config_text(
    database: str, folder: Path, ports: tuple[int, int, int], extra: str = ""
) -> str:
    """What `sigworkbook hub-config --database URL` prints, plus the test-only lines."""
    printed = subprocess.run(
        [sys.executable, "-m", "sigworkbook.cli", "hub-config", "--database", database],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )
    assert printed.returncode == 0, printed.stderr
    port, hub_port, api_port = ports
    return (
        printed.stdout
        + TEST_LINES.format(
            port=port,
            hub_port=hub_port,
            api_port=api_port,
            chp=str(CHP),
            folder=folder,
            password=PASSWORD,
        )
        + extra
    )


def clean_env() -> dict[str, str]:
    """This process's environment without the workbook's or the hub's variables."""
    prefixes = ("SIGWORKBOOK_", "VOILA_", "JUPYTERHUB_", "JPY_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def start_hub(folder: Path, database: str, extra: str = "") -> Hub:
    """Start JupyterHub from the printed config (plus the test lines and `extra` lines) in
    `folder`; return once its API answers."""
    assert CHP.exists(), f"{CHP} is missing: run make setup (it installs configurable-http-proxy)"
    folder.mkdir(parents=True, exist_ok=True)
    ports = (free_port(), free_port(), free_port())
    config = folder / "jupyterhub_config.py"
    config.write_text(hub_config_text(database, folder, ports, extra), encoding="utf-8")
    config.chmod(0o600)
    hub = Hub(_launch(folder), ports[0], folder, folder / "hub.log")
    _wait_up(hub)
    return hub


def _launch(folder: Path) -> subprocess.Popen[bytes]:
    with (folder / "hub.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(folder / "jupyterhub_config.py")],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**clean_env(), "PYTHONUNBUFFERED": "1"},
        )


def _wait_up(hub: Hub) -> None:
    deadline = time.monotonic() + HUB_START_S
    while True:
        if hub.process.poll() is not None:
            raise AssertionError(f"jupyterhub exited with {hub.process.returncode}:\n{hub.log()}")
        try:
            if http_status(hub.url + "/hub/api/") == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_hub(hub)
            raise AssertionError(f"jupyterhub did not answer in {HUB_START_S} s:\n{hub.log()}")
        time.sleep(0.3)


def restart_hub(hub: Hub) -> None:
    """Stop the hub (its proxy stops with it; users' servers keep running) and start it again
    from the same config on the same ports."""
    _stop_process(hub)
    hub.process = _launch(hub.folder)
    _wait_up(hub)


def _stop_process(hub: Hub) -> None:
    import psutil

    try:
        children = psutil.Process(hub.process.pid).children()
        hub.user_servers += [c.pid for c in children if "--hub" in c.cmdline()]
    except psutil.NoSuchProcess:
        pass
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGINT)
        try:
            hub.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(timeout=STOP_TIMEOUT_S)


def stop_hub(hub: Hub) -> None:
    """Stop the hub like Ctrl-C, then every user's server it started (they outlive the hub)."""
    import psutil

    _stop_process(hub)
    servers = []
    for pid in set(hub.user_servers):
        try:
            servers.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    for server in servers:
        server.send_signal(signal.SIGINT)
    _gone, alive = psutil.wait_procs(servers, timeout=STOP_TIMEOUT_S)
    for server in alive:
        server.kill()


def landing(user: str) -> re.Pattern[str]:
    """The address a user's server's app page has, whatever its query."""
    return re.compile(rf"/user/{re.escape(user)}/(\?[^/]*)?$")


def log_in(page: Page, hub: Hub, user: str) -> None:
    """Log in as `user` and wait for the page the hub lands them on to show its widgets."""
    page.goto(hub.url + "/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    # The hub lands them on their server's root: the app page.
    page.wait_for_url(landing(user), timeout=PAGE_TIMEOUT_MS * 2)
    wait_for_widgets(page)


def user_footprint(hub: Hub) -> dict[str, dict[str, float]]:
    """Per hub user: resident memory (MB) and CPU time (s) of their server and its kernels."""
    import psutil

    found: dict[str, dict[str, float]] = {}
    hub_process = psutil.Process(hub.process.pid)
    shared = [hub_process, *(c for c in hub_process.children() if "--hub" not in c.cmdline())]
    found["(hub, proxy and culler)"] = {
        "memory_mb": round(sum(p.memory_info().rss for p in shared) / 1e6),
        "processes": len(shared),
    }
    for child in hub_process.children():
        try:
            if "--hub" not in child.cmdline():
                continue
            user = child.environ().get("JUPYTERHUB_USER", "?")
            tree = [child, *child.children(recursive=True)]
            memory = sum(p.memory_info().rss for p in tree) / 1e6
            server = child.memory_info().rss / 1e6
            cpu = sum(sum(p.cpu_times()[:2]) for p in tree)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        found[user] = {
            "memory_mb": round(memory),
            "server_mb": round(server),
            "kernels_mb": round(memory - server),
            "cpu_s": round(cpu, 1),
            "processes": len(tree),
        }
    return found
