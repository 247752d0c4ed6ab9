"""Servers the benchmarks start: launch, wait for the port, find their kernels, stop them whole."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # a dependency of ipykernel; no stubs here

from sigworkbook.app.network import free_port

HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
KERNEL_EXIT_TIMEOUT_S = 10.0
PORT_ATTEMPTS = 3


class ServerError(RuntimeError):
    """A server the benchmarks started did not come up or misbehaved."""


@dataclass
class Server:
    """A server process we started, its port and where its output goes."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float
    """time.perf_counter() just before the process was launched."""
    _known: dict[int, float] = field(default_factory=dict)
    """Every descendant seen so far: pid -> creation time (so a reused pid is never touched)."""
    own_group: bool = False
    """The server leads a process group of its own, killed whole when it stops."""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def wait_listening(self, timeout: float = START_TIMEOUT_S) -> float:
        """Wait until the port accepts connections and answers HTTP; return perf_counter() at
        the moment it accepted. (Another program can hold the port meanwhile: a kernel's
        socket accepts connections too, but does not answer HTTP.)"""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with status {self.process.returncode} before it "
                    f"listened on port {self.port}:\n{self.log_tail()}"
                )
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.settimeout(0.2)
                accepted = probe.connect_ex((HOST, self.port)) == 0
            if accepted:
                at = time.perf_counter()
                if self._answers_http():
                    return at
            time.sleep(0.02)
        raise ServerError(
            f"{self.name} did not listen on port {self.port} within {timeout:.0f} s:\n"
            f"{self.log_tail()}"
        )

    def _answers_http(self) -> bool:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            connection.request("HEAD", "/")
            connection.getresponse()
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()
        return True

    def descendants(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.NoSuchProcess):
            found: list[psutil.Process] = psutil.Process(self.process.pid).children(recursive=True)
            for child in found:
                with contextlib.suppress(psutil.NoSuchProcess):
                    self._known.setdefault(child.pid, child.create_time())
            return found
        return []

    def kernel(self, kernel_id: str) -> psutil.Process:
        """The kernel process with this id among the server's children."""
        marker = f"kernel-{kernel_id}.json"
        for child in self.descendants():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                if any(marker in part for part in child.cmdline()):
                    return child
        raise ServerError(f"{self.name}: no kernel process with id {kernel_id} among its children")

    def kernels(self) -> list[psutil.Process]:
        """The kernel processes the server is running now."""
        found = []
        for child in self.descendants():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    found.append(child)
        return found

    def stop(self) -> None:
        """SIGTERM the server, wait, then kill whatever of its process tree is left, by id."""
        self.descendants()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        for pid, created in sorted(self._known.items()):
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                child = psutil.Process(pid)
                if child.create_time() == created and child.status() != psutil.STATUS_ZOMBIE:
                    child.kill()
        if self.own_group:
            # The group's id is the server's pid, which is ours until we reap it (done above):
            # whatever of the group is left (a kernel started as the server stopped) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


def wait_gone(process: psutil.Process, timeout: float = KERNEL_EXIT_TIMEOUT_S) -> bool:
    """Wait for a process to exit; True if it did within `timeout`."""
    try:
        process.wait(timeout)
    except psutil.TimeoutExpired:
        return False
    return True


def rss_mb(process: psutil.Process) -> float:
    """Resident memory of a process in MiB."""
    return float(process.memory_info().rss) / (1024 * 1024)


UNLIMITED = {
    "SIGWORKBOOK_KERNELS_PER_VISITOR": "10000",
    "SIGWORKBOOK_KERNELS_PER_SERVER": "10000",
    "SIGWORKBOOK_PAGE_LOADS_PER_MINUTE": "100000",
}
"""The limits on one visitor, raised: a benchmark opens pages from one address far faster and
in greater number than people do, and measures the pages, not the limits."""


def serve_command(
    workspace: Path,
    port: int,
    *,
    notebooks: Path | None = None,
    preheat: int | None = None,
    host: str = "",
    extra: Sequence[str] = (),
) -> list[str]:
    """`python -m sigworkbook.app.serve` over `workspace` on `port`, opening no browser.

    `notebooks` None serves the packaged workbooks; `preheat` None keeps serve's default pool
    (one kernel for the app page); `host` "" keeps serve's default address; `extra` goes last.
    """
    command = [sys.executable, "-m", "sigworkbook.app.serve", "--workspace", str(workspace)]
    command += ["--port", str(port), *(["--host", host] if host else []), "--no-browser"]
    if notebooks is not None:
        command += ["--notebooks", str(notebooks)]
    if preheat is not None:
        command += ["--preheat", str(preheat)]
    return [*command, *extra]


def server_env() -> dict[str, str]:
    """The environment for a server: ours, minus anything that would point it at user data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGWORKBOOK_")}
    env.update(UNLIMITED)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_PATH", None)
    return env


@contextlib.contextmanager
def running(
    name: str,
    command: Sequence[str],
    *,
    port: int,
    log: Path,
    env: Mapping[str, str] | None = None,
    own_group: bool = False,
) -> Iterator[Server]:
    """Start `command` (which must listen on `port`) and stop it, whole, when the block ends.
    `env` adds to the server's environment; with `own_group` the server leads a process group
    of its own, which is killed whole at the end."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**server_env(), **(env or {})},
            start_new_session=own_group,
        )
    server = Server(name, process, port, log, started, own_group=own_group)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def listening(
    name: str,
    command_for: Callable[[int], Sequence[str]],
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    own_group: bool = False,
) -> Iterator[tuple[Server, float]]:
    """Start `command_for(port)` on a free port and wait until it answers HTTP: (the server,
    perf_counter() when it listened). If it exits first because the port was taken after it
    was chosen (kernels of another server bind ports all the time), try another port."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        listen = port()
        with running(
            name, command_for(listen), port=listen, log=log, env=env, own_group=own_group
        ) as server:
            try:
                at = server.wait_listening()
            except ServerError:
                if attempt == PORT_ATTEMPTS or server.process.poll() is None:
                    raise
                continue
            yield server, at
            return


def port() -> int:
    """A free port on the loopback address."""
    return free_port(HOST)
