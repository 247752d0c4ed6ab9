"""Figure 13: many open pages on two servers against one PostgreSQL database: connections, saves.

Each page is one person's app page, opened without a browser: with Voila 0.5 (no progressive
rendering) an HTTP GET of the server's root with `?sig=...&step=...` runs the app notebook in a
new kernel (one per person: every step is shown in that page) and answers once every cell has
run; the kernel then stays open with its session's change feed and presence running, as it does
behind a browser tab. The servers and the saving process tell PostgreSQL who they are through
`application_name` in their database URLs, so pg_stat_activity says whose each connection is.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil  # type: ignore[import-untyped]  # a dependency of ipykernel; no stubs here

from benchmarks import saves
from benchmarks.processes import HOST, Server, ServerError, listening, rss_mb
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, percentile
from benchmarks.workspaces import add_demo_copy, demo_workspace, editable_text, variant
from sigworkbook.plan.steps import APP_NOTEBOOK, STEPS
from sigworkbook.resources import workbooks_dir
from sigworkbook.workspace import Workspace

NUMBER = 13
TITLE = (
    "People with the app open on 2 servers against one PostgreSQL database: connections, save p95"
)
SERVERS = 2
APP_SERVER = "sigworkbook-bench-server-{}"
APP_SAVER = "sigworkbook-bench-saver"
DEFAULT_MAX_CONNECTIONS = 100
"""PostgreSQL's default `max_connections`, which the target is about."""
ADMIN_ROOM = 10
"""Connections the target keeps free for administration and the command line."""
OPENING_AT_ONCE = 2
"""Pages being opened at the same time (one per server; more only thrashes 2 CPUs)."""
PAGE_TIMEOUT_S = 120.0
"""Longest wait for one page's GET (its kernel started and every cell run)."""
PAGE_ATTEMPTS = 3
"""GETs of a page before the figure fails. A kernel whose port was taken between the server
choosing it and the kernel binding it (jupyter_client's port race: with 100 kernels starting on
one machine it happens) dies at start, and Voila then never finishes that page's answer."""
SETTLE_TIMEOUT_S = 120.0
"""Longest wait for every open page's connections and presence to show in the database."""
MIN_FREE_MEMORY_MB = 1500.0
"""Stop opening pages when less memory than this is left on the machine."""
PAGES_PER_SIG = 10
"""Open pages per SIG: each ten pages are one core group's meeting on a SIG of its own."""
SAVE_PAUSE_MS = (100.0, 300.0)
"""The saving process pauses a random time in this range before each save (as figure 11)."""
CULL_AFTER_S = 7200
"""The servers' idle-kernel timeout for the run: no open page is culled while measuring."""


@dataclass
class OpenPages:
    """What opening the pages found."""

    asked: int
    opened: int = 0
    seconds: float = 0.0
    note: str = ""
    kernels: int = 0
    kernels_mb: float = 0.0
    connections: dict[str, int] = field(default_factory=dict)
    present: int = 0
    retried: list[str] = field(default_factory=list)
    """Pages whose first GET failed, with why."""


def _with_app_name(url: str, name: str) -> str:
    """The database URL with `application_name` set, so pg_stat_activity names the client."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'application_name': name})}"


def _steps() -> list[str]:
    """The keys of the steps the workbooks folder holds, in order (none without the app page)."""
    folder = workbooks_dir()
    if not (folder / APP_NOTEBOOK).is_file():
        return []
    return [step.key for step in STEPS if (folder / step.notebook).is_file()]


def _raise_max_connections(server: Any, pages: int) -> int:
    """Let the throwaway server take every page's connections (3 each at most, and room)."""
    import psycopg

    wanted = max(200, 3 * pages + 50)
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET max_connections = {int(wanted)}")
    server.stop()
    server.start()
    return wanted


def connections(conninfo: str, database: str) -> dict[str, int]:
    """Connections to `database` now, by application_name."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid() GROUP BY application_name",
            (database,),
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


def _server_connections(counts: dict[str, int]) -> int:
    return sum(counts.get(APP_SERVER.format(n), 0) for n in range(1, SERVERS + 1))


def _get_page(server: Server, path: str) -> None:
    """GET one page; it has run when the whole answer is in. A page whose answer is not complete
    within PAGE_TIMEOUT_S fails: its connection is shut then, so no read waits any longer (a
    socket timeout alone would not do: it counts from the last byte received)."""
    if server.process.poll() is not None:
        raise ServerError(f"{server.name} exited:\n{server.log_tail()}")
    connection = http.client.HTTPConnection(HOST, server.port, timeout=PAGE_TIMEOUT_S)
    late = threading.Event()

    def give_up() -> None:
        late.set()
        with contextlib.suppress(OSError, AttributeError):
            connection.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(PAGE_TIMEOUT_S, give_up)
    timer.start()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        why = f"no whole answer within {PAGE_TIMEOUT_S:.0f} s" if late.is_set() else str(error)
        raise ServerError(f"{path}: {why}") from error
    finally:
        timer.cancel()
        connection.close()
    if late.is_set():
        raise ServerError(f"{path}: no whole answer within {PAGE_TIMEOUT_S:.0f} s")
    if status != 200:
        raise ServerError(f"{path}: HTTP status {status}")
    if "Traceback" in body or "swb-notice--error" in body:
        raise ServerError(f"{path}: the page shows an error")


def _open_one(server: Server, url: str) -> list[str]:
    """Open one page, trying again if a GET fails; the failures before it opened."""
    failures: list[str] = []
    while True:
        try:
            _get_page(server, url)
            return failures
        except ServerError as error:
            failures.append(str(error).splitlines()[0])
            if len(failures) >= PAGE_ATTEMPTS:
                raise ServerError(
                    f"{url} did not open in {PAGE_ATTEMPTS} tries: {'; '.join(failures)}\n"
                    f"{server.log_tail()}"
                ) from error


def open_pages(
    servers: list[Server],
    steps: list[str],
    sig_ids: list[str],
    count: int,
    progress: Callable[[str], None],
) -> OpenPages:
    """Open `count` people's app pages, in turn on each server and each step, a few at a
    time."""
    found = OpenPages(count)
    urls = []
    for n in range(count):
        server = servers[n % len(servers)]
        sig_id = sig_ids[(n // PAGES_PER_SIG) % len(sig_ids)]
        query = urlencode({"sig": sig_id, "step": steps[n % len(steps)], "who": f"Visitor {n + 1}"})
        urls.append((server, f"/?{query}"))
    started = time.perf_counter()
    with ThreadPoolExecutor(OPENING_AT_ONCE) as pool:
        for first in range(0, count, OPENING_AT_ONCE):
            available = psutil.virtual_memory().available / (1024 * 1024)
            if available < MIN_FREE_MEMORY_MB:
                found.note = (
                    f"stopped opening pages after {found.opened}: only {available:.0f} MB of "
                    "memory left"
                )
                break
            batch = urls[first : first + OPENING_AT_ONCE]
            for failures in pool.map(lambda item: _open_one(*item), batch):
                found.retried += failures
            found.opened += len(batch)
            if found.opened % 10 == 0 or found.opened == count:
                progress(f"open pages: {found.opened} of {count} open")
    found.seconds = time.perf_counter() - started
    return found


def _wait_settled(
    servers: list[Server],
    workspace: Workspace,
    conninfo: str,
    database: str,
    sig_ids: list[str],
    found: OpenPages,
) -> None:
    """Wait until a kernel runs for every open page, every page holds its connections, and
    every page's presence shows in the database; fill in what was found."""
    presence = workspace.presence()
    deadline = time.perf_counter() + SETTLE_TIMEOUT_S
    while True:
        kernels = [kernel for server in servers for kernel in server.kernels()]
        found.kernels = len(kernels)
        found.connections = connections(conninfo, database)
        found.present = sum(len(presence.others(sig, "benchmarks")) for sig in sig_ids)
        in_use = _server_connections(found.connections)
        if (
            found.kernels >= found.opened
            and in_use >= 2 * found.opened
            and (found.present >= found.opened)
        ):
            break
        for server in servers:
            if server.process.poll() is not None:
                raise ServerError(f"{server.name} exited:\n{server.log_tail()}")
        if time.perf_counter() > deadline:
            raise ServerError(
                f"after {SETTLE_TIMEOUT_S:.0f} s: {found.kernels} kernels for {found.opened} "
                f"open pages, {in_use} connections of theirs (2 per page expected), "
                f"{found.present} of them seen present"
            )
        time.sleep(0.5)
    found.kernels_mb = sum(_rss(kernel) for kernel in kernels)


def _rss(kernel: psutil.Process) -> float:
    with contextlib.suppress(psutil.NoSuchProcess):
        return rss_mb(kernel)
    return 0.0


@contextlib.contextmanager
def _servers(settings: Settings, workspace: Path, url: str, script: Path) -> Iterator[list[Server]]:
    with contextlib.ExitStack() as stack:
        servers = []
        for n in range(1, SERVERS + 1):
            database = _with_app_name(url, APP_SERVER.format(n))

            def command(listen: int, database: str = database) -> list[str]:
                return [
                    str(script),
                    "--workspace",
                    str(workspace),
                    "--database",
                    database,
                    "serve",
                    "--port",
                    str(listen),
                    "--no-browser",
                    "--preheat",
                    "0",
                ]

            server, _ = stack.enter_context(
                listening(
                    f"sigworkbook serve {n} of {SERVERS}",
                    command,
                    settings.work / "logs" / f"open-pages-{n}.log",
                    env={"SIGWORKBOOK_CULL_IDLE_TIMEOUT": str(CULL_AFTER_S)},
                    own_group=True,
                )
            )
            servers.append(server)
        yield servers


def _paced_saves(
    workspace: Workspace, sig_id: str, fields: saves.Fields, count: int, tag: str
) -> list[float]:
    """`count` saves, each after a pause, one text field at a time in turn; latencies in ms."""
    rng = random.Random(tag)
    paths = list(fields)
    latencies = []
    for n in range(count):
        time.sleep(rng.uniform(*SAVE_PAUSE_MS) / 1000)  # the pause between two edits
        text, max_length = fields[paths[n % len(paths)]]
        value = variant(text, f"{tag} {n}", max_length)
        started = time.perf_counter()
        workspace.set(sig_id, paths[n % len(paths)], value, author="benchmarks")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _save_runs(
    settings: Settings, workspace: Workspace, sig_id: str, fields: saves.Fields, tag: str
) -> tuple[list[float], list[float]]:
    """p50s and p95s (ms) of `settings.runs` runs of paced saves, after the warm-up."""
    p50s: list[float] = []
    p95s: list[float] = []
    for run in range(-settings.warmup, settings.runs):
        latencies = _paced_saves(workspace, sig_id, fields, _saves(settings), f"{tag} {run}")
        if run >= 0:
            p50s.append(percentile(latencies, 50))
            p95s.append(percentile(latencies, 95))
    return p50s, p95s


def _saves(settings: Settings) -> int:
    return max(10, settings.saves // 2)


def _definition(settings: Settings, steps: list[str]) -> str:
    meetings = -(-settings.open_pages // PAGES_PER_SIG)
    return (
        "One PostgreSQL database (a server the run starts, on a Unix socket, "
        "`tests/support/postgres_server.py`) holding "
        f"{meetings} copies of the demo SIG; {SERVERS} "
        "`sigworkbook --database URL serve` processes on it; "
        "(`--preheat 0`, as under a hub: no kernel waits unvisited); "
        f"{settings.open_pages} people's app pages opened in turn on each server and at each "
        f"of the {len(steps)} steps, {PAGES_PER_SIG} people per SIG (each ten one core group's "
        f"meeting), {OPENING_AT_ONCE} at a time, by an HTTP GET of the app's address "
        "/?sig=...&step=...&who=... (one kernel per person, whichever steps they then open; "
        "Voila 0.5 answers once every cell has run; the kernel then stays open with its change "
        "feed and presence running, as behind a browser tab). Once a kernel runs for every "
        "page and every page is seen present in the database: the connections to the database "
        "in pg_stat_activity whose application_name (set in each server's URL) is one of the "
        "servers', and per person. Target: they fit "
        f"PostgreSQL's default max_connections = {DEFAULT_MAX_CONNECTIONS} with {ADMIN_ROOM} to "
        "spare. Then a process of its own saves to the first SIG through `Workspace.set` "
        f"({_saves(settings)} saves per run, each after a pause of {SAVE_PAUSE_MS[0]:.0f}-"
        f"{SAVE_PAUSE_MS[1]:.0f} ms, as in figure 11; that SIG's open pages hear of each save "
        "and reload it) while every page's presence keeps checking in; the same saves before "
        "the servers start, with no page open, are the baseline."
    )


def measure(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 13 on a PostgreSQL server started for the run, which is stopped at the end."""
    from benchmarks.postgres import _server_helper, release, start_server
    from benchmarks.startup import _console_script

    steps = _steps()
    figure = Figure(NUMBER, "open_pages", TITLE, _definition(settings, steps))
    if not steps:
        figure.note = "not run: no app page in the workbooks folder"
        return figure
    helper = _server_helper()
    try:
        server = start_server()
    except helper.PostgresMissing as missing:
        figure.note = f"not run: {missing}"
        return figure
    try:
        limit = _raise_max_connections(server, settings.open_pages)
        database = server.create_database("bench")
        url = server.url(database)
        folder = settings.work / "ws-open-pages"
        saver = _with_app_name(url, APP_SAVER)
        sig_id = demo_workspace(folder, saver)
        with Workspace.open(folder, database=saver) as workspace:
            fields = editable_text(workspace, sig_id)
            progress("open pages: saves with no page open")
            idle = _save_runs(settings, workspace, sig_id, fields, "idle")
            meetings = -(-settings.open_pages // PAGES_PER_SIG)
            sig_ids = [sig_id] + [
                add_demo_copy(workspace, f"meeting-{n}") for n in range(2, meetings + 1)
            ]
            with _servers(settings, folder, url, _console_script()) as servers:
                progress(f"open pages: opening {settings.open_pages} pages on {SERVERS} servers")
                found = open_pages(servers, steps, sig_ids, settings.open_pages, progress)
                _wait_settled(servers, workspace, server.conninfo(), database, sig_ids, found)
                progress(f"open pages: saves with {found.opened} pages open")
                busy = _save_runs(settings, workspace, sig_id, fields, "busy")
                after = sum(len(s.kernels()) for s in servers)
        _rows(figure, found, idle, busy, after, limit)
        return figure
    finally:
        release(server)


def _rows(
    figure: Figure,
    found: OpenPages,
    idle: tuple[list[float], list[float]],
    busy: tuple[list[float], list[float]],
    kernels_after: int,
    limit: int,
) -> None:
    in_use = float(_server_connections(found.connections))
    per_page = in_use / found.opened
    others = {k: v for k, v in found.connections.items() if not k.startswith(APP_SERVER[:-2])}
    pages = found.opened
    figure.rows += [
        Row(
            f"connections, {pages} people's pages open",
            "count",
            Summary.of([in_use]),
            Target("<=", float(DEFAULT_MAX_CONNECTIONS - ADMIN_ROOM)),
            samples=[in_use],
            measured=f"{per_page:.2f} per person; {found.kernels} kernels on {SERVERS} servers, "
            f"{found.present} pages seen present; besides them: "
            + (", ".join(f"{n or 'unnamed'} {c}" for n, c in sorted(others.items())) or "none")
            + f" (the run's server allowed {limit})",
            extra={"by_application": found.connections, "kernels": found.kernels},
        ),
        Row(
            "connections per person (information)",
            "ratio",
            Summary.of([per_page]),
            samples=[per_page],
            measured=f"{in_use:.0f} / {pages} people (one app page each)",
        ),
        Row(
            f"save p95, {pages} pages open (information)",
            "ms",
            Summary.of(busy[1]),
            samples=busy[1],
            measured=f"p50 {Summary.of(busy[0]).median:.1f} ms; {kernels_after} kernels still "
            "running after the saves",
            extra={"p50_ms": busy[0]},
        ),
        Row(
            "save p95, no page open (baseline, information)",
            "ms",
            Summary.of(idle[1]),
            samples=idle[1],
            measured=f"p50 {Summary.of(idle[0]).median:.1f} ms",
            extra={"p50_ms": idle[0]},
        ),
        Row(
            f"memory of the {pages} kernels (information)",
            "MB",
            Summary.of([found.kernels_mb]),
            samples=[found.kernels_mb],
            measured=f"RSS summed, MiB; {found.kernels_mb / max(1, found.kernels):.0f} MiB per "
            f"kernel; {pages} pages opened in {found.seconds:.0f} s",
        ),
    ]
    notes = [found.note] if found.note else []
    if found.retried:
        notes.append(
            f"{len(found.retried)} page visits failed and were made again; the first: {found.retried[0]}"
        )
    figure.note = "; ".join(notes)
