"""Figures 9-11: the PostgreSQL store beside SQLite (saves, concurrent writers, live notices).

The run starts its own PostgreSQL server with the tests' helper (tests/support/postgres_server.py);
where PostgreSQL is not installed the figures say so instead of failing the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import multiprocessing
import queue
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks import saves, writers
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, percentile, ratios
from benchmarks.workspaces import demo_workspace, editable_text, variant
from sigworkbook.workspace import Workspace

SERVER_HELPER = Path(__file__).resolve().parent.parent / "tests" / "support" / "postgres_server.py"
NUMBERS = (9, 10, 11)
TITLES = {
    9: "PostgreSQL save latency at the larger history / SQLite's",
    10: "PostgreSQL: concurrent writers, p95 save latency",
    11: "Another page learns of a save: PostgreSQL notification / SQLite polling",
}
NOTICE_PAUSE_MS = (100.0, 300.0)
"""Figure 11: the saving process pauses a random time in this range between saves."""


@functools.cache
def _server_helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("postgres_server", SERVER_HELPER)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {SERVER_HELPER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _RunServer:
    """The PostgreSQL server the figures of a run share, while `shared_server` allows one."""

    shared = False
    server: Any = None


_RUN = _RunServer()


@contextlib.contextmanager
def shared_server() -> Iterator[None]:
    """Within the block, the figures that need a PostgreSQL server share one (each in databases
    of its own): started when the first asks (`start_server`), stopped when the block ends."""
    _RUN.shared = True
    try:
        yield
    finally:
        server, _RUN.server, _RUN.shared = _RUN.server, None, False
        if server is not None:
            server.close()


def start_server() -> Any:
    """A PostgreSQL server for a figure (PostgresMissing where it is not installed): the run's
    shared one inside `shared_server`, else a new one; give it back with `release`."""
    if not _RUN.shared:
        return _server_helper().PostgresServer()
    if _RUN.server is None:
        _RUN.server = _server_helper().PostgresServer()
    return _RUN.server


def release(server: Any) -> None:
    """Stop a server from `start_server`, unless it is the run's shared one."""
    if server is not _RUN.server:
        server.close()


def figures(settings: Settings, progress: Callable[[str], None]) -> list[Figure]:
    """Figures 9-11 as the settings ask, on a PostgreSQL server started for the run."""
    wanted = [n for n in NUMBERS if settings.wants(n)]
    helper = _server_helper()
    try:
        server = start_server()
    except helper.PostgresMissing as missing:
        return [Figure(n, f"figure_{n}", TITLES[n], "", note=f"not run: {missing}") for n in wanted]
    try:
        made = []
        if settings.wants(9):
            made.append(
                save_latency(settings, server.url(server.create_database("bench")), progress)
            )
        if settings.wants(10):
            url = server.url(server.create_database("bench"))
            made.append(
                writers.concurrent_writers(
                    settings, progress, number=10, database=url, label="PostgreSQL"
                )
            )
        if settings.wants(11):
            made.append(notice_latency(settings, server.url(server.create_database("bench"))))
        return made
    finally:
        release(server)


def save_latency(settings: Settings, url: str, progress: Callable[[str], None]) -> Figure:
    """Figure 9: p50 and p95 of a save at `settings.history` revisions, PostgreSQL and SQLite."""
    size = settings.history
    figure = Figure(
        9,
        "postgres_save_latency",
        TITLES[9],
        f"As figure 6's larger history ({size:,} revisions, {settings.saves} saves per run, "
        "the same fields), once on a PostgreSQL database on a Unix socket of this machine and "
        "once on the SQLite file, in the same run; the ratio is PostgreSQL's p95 over "
        "SQLite's, run by run.",
    )
    p95: dict[str, list[float]] = {}
    for label, database in (("PostgreSQL", url), ("SQLite", None)):
        folder = settings.work / f"pg-saves-{label.lower()}"
        sig_id = demo_workspace(folder, database)
        with Workspace.open(folder, database=database) as workspace:
            fields = editable_text(workspace, sig_id)
            progress(f"postgres: {label}, filling a history of {size} revisions")
            saves.fill_history(workspace, sig_id, fields, size)
            p50s: list[float] = []
            p95s: list[float] = []
            for run in range(-settings.warmup, settings.runs):
                latencies = saves.timed_saves(workspace, sig_id, fields, settings.saves, f"r{run}")
                if run >= 0:
                    p50s.append(percentile(latencies, 50))
                    p95s.append(percentile(latencies, 95))
        p95[label] = p95s
        target = Target("<=", 20.0) if label == "PostgreSQL" else None
        figure.rows.append(Row(f"{label} p50", "ms", Summary.of(p50s), samples=p50s))
        figure.rows.append(Row(f"{label} p95", "ms", Summary.of(p95s), target, samples=p95s))
    ratio = ratios(p95["PostgreSQL"], p95["SQLite"])
    figure.rows.append(Row("p95 PostgreSQL / SQLite", "ratio", Summary.of(ratio), samples=ratio))
    return figure


def _saver(
    folder: str, database: str | None, sig_id: str, fields: Any, count: int, out: Any
) -> None:
    """Runs in its own process: save `count` times with pauses, sending (revision, when the
    save began)."""
    rng = random.Random(count)
    with Workspace.open(folder, database=database) as workspace:
        out.put(("ready", 0.0))
        for n in range(count):
            time.sleep(rng.uniform(*NOTICE_PAUSE_MS) / 1000)
            path, text, max_length = fields[n % len(fields)]
            started = time.time()
            loaded = workspace.set(sig_id, path, variant(text, f"notice {n}", max_length))
            out.put((loaded.revision, started))
    out.put(("done", 0.0))


def _one_run(
    folder: Path, database: str | None, sig_id: str, fields: Any, count: int
) -> list[float]:
    """Latencies (ms) from each save's start in another process to this page's feed."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    heard: list[tuple[int, float]] = []
    saved: list[tuple[int, float]] = []
    loop = asyncio.new_event_loop()
    with Workspace.open(folder, database=database) as workspace:
        feed = workspace.change_feed(sig_id)
        feed.start(loop, lambda revision: heard.append((revision, time.time())))
        process = context.Process(
            target=_saver, args=(str(folder), database, sig_id, fields, count, out)
        )
        process.start()

        async def follow() -> None:
            finished = False
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    while True:
                        kind, when = out.get_nowait()
                        if kind == "done":
                            finished = True
                        elif kind != "ready":
                            saved.append((int(kind), when))
                except queue.Empty:
                    pass
                if finished and heard and saved and heard[-1][0] >= saved[-1][0]:
                    return
                await asyncio.sleep(0.005)
            raise RuntimeError("figure 11: the page never heard of the last save")

        try:
            loop.run_until_complete(follow())
        finally:
            feed.stop()
            loop.close()
            process.join(30)
    latencies = []
    for revision, when in saved:
        first = next((at for seen, at in heard if seen >= revision), None)
        if first is not None:
            latencies.append((first - when) * 1000)
    return latencies


def notice_latency(settings: Settings, url: str) -> Figure:
    """Figure 11: from a save in one process to another page's change feed calling back."""
    count = max(10, settings.saves // 2)
    figure = Figure(
        11,
        "notice_latency",
        TITLES[11],
        f"One process saves {count} times per run, pausing {NOTICE_PAUSE_MS[0]:.0f}-"
        f"{NOTICE_PAUSE_MS[1]:.0f} ms between saves; this process, like a page's kernel, runs "
        "the store's change feed on an event loop. Latency: from the start of the save (wall "
        "clock; the save itself included) to the feed's call-back for that revision or a later "
        "one. PostgreSQL "
        "notifies (LISTEN/NOTIFY); SQLite's feed reads the revision every 0.5 s.",
    )
    p95: dict[str, list[float]] = {}
    for label, database in (("PostgreSQL", url), ("SQLite", None)):
        folder = (Path(str(settings.work)) / f"pg-notice-{label.lower()}").resolve()
        sig_id = demo_workspace(folder, database)
        with Workspace.open(folder, database=database) as workspace:
            fields = tuple((p, t, m) for p, (t, m) in editable_text(workspace, sig_id).items())
        p95s: list[float] = []
        for run in range(-settings.warmup, settings.runs):
            latencies = _one_run(folder, database, sig_id, fields, count)
            if run >= 0:
                p95s.append(percentile(latencies, 95))
        p95[label] = p95s
        target = Target("<=", 250.0) if label == "PostgreSQL" else None
        figure.rows.append(Row(f"{label} p95", "ms", Summary.of(p95s), target, samples=p95s))
    ratio = ratios(p95["PostgreSQL"], p95["SQLite"])
    figure.rows.append(Row("p95 PostgreSQL / SQLite", "ratio", Summary.of(ratio), samples=ratio))
    return figure
