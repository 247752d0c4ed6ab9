"""Figure 8: many writer processes saving to one SIG at once; the p95 latency of their saves."""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from typing import Any

from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, percentile
from benchmarks.workspaces import demo_workspace, editable_text, variant
from sigworkbook.store import StoreError
from sigworkbook.workspace import Workspace

BARRIER_TIMEOUT_S = 120.0
RESULT_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Job:
    """What one writer process does: which SIG, which fields, how many saves and pauses."""

    folder: str
    sig_id: str
    fields: tuple[tuple[str, str, int | None], ...]
    index: int
    rounds: int
    saves: int
    think_ms: tuple[float, float]
    database: str | None = None


def writer(job: Job, barrier: Barrier, results: Any) -> None:
    """One writer (runs in its own process): per round, wait for all, then save `saves` times."""
    rng = random.Random(job.index)
    try:
        with Workspace.open(job.folder, database=job.database) as workspace:
            for round_ in range(job.rounds):
                barrier.wait(BARRIER_TIMEOUT_S)
                latencies: list[float] = []
                errors: list[str] = []
                for n in range(job.saves):
                    time.sleep(rng.uniform(*job.think_ms) / 1000)
                    path, text, max_length = job.fields[(job.index + n) % len(job.fields)]
                    value = variant(text, f"writer {job.index} round {round_} save {n}", max_length)
                    started = time.perf_counter()
                    try:
                        workspace.set(job.sig_id, path, value, author=f"writer {job.index}")
                    except StoreError as error:
                        errors.append(str(error))
                        continue
                    latencies.append((time.perf_counter() - started) * 1000)
                results.put((job.index, round_, latencies, errors))
    except Exception as error:
        results.put((job.index, -1, [], [f"{type(error).__name__}: {error}"]))
        raise


def _next_result(results: Any, processes: list[Any]) -> tuple[int, int, list[float], list[str]]:
    """The next writer's result; an error if none comes or a writer died without sending one."""
    deadline = time.monotonic() + RESULT_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            result: tuple[int, int, list[float], list[str]] = results.get(timeout=1.0)
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(
                    f"concurrent writers: writer process {dead[0].name} exited with status "
                    f"{dead[0].exitcode} before sending its results"
                ) from None
            continue
        return result
    raise RuntimeError(
        f"concurrent writers: the writers sent no result for {RESULT_TIMEOUT_S:.0f} s"
    )


def concurrent_writers(
    settings: Settings,
    progress: Callable[[str], None],
    *,
    number: int = 8,
    database: str | None = None,
    label: str = "",
) -> Figure:
    """Figure 8 (or `number`): the p95 save latency while `settings.writers` processes save at
    once, to the workspace's SQLite file or to `database`."""
    low, high = settings.think_ms
    figure = Figure(
        number,
        "concurrent_writers" + (f"_{label.lower()}" if label else ""),
        f"{label + ': ' if label else ''}{settings.writers} concurrent writers: p95 save latency",
        f"{settings.writers} separate processes, each with its own `Workspace`, save to the same "
        f"demo SIG at the same time (a barrier starts each run): {settings.writer_saves} saves "
        f"each per run, each to a text field of its own, pausing a random {low:.0f}-{high:.0f} ms "
        "before each save (on average the forms' save delay: everyone typing non-stop). "
        "Latency is the wall time of `Workspace.set`, waiting for the "
        "database lock included. The figure is the median over runs of each run's p95 over all "
        "writers' saves.",
    )
    folder = settings.work / ("writers" + (f"-{label.lower()}" if label else ""))
    sig_id = demo_workspace(folder, database)
    with Workspace.open(folder, database=database) as workspace:
        fields = tuple((p, t, m) for p, (t, m) in editable_text(workspace, sig_id).items())
    rounds = settings.warmup + settings.runs
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(settings.writers)
    results = context.Queue()
    jobs = [
        Job(
            str(folder),
            sig_id,
            fields,
            n,
            rounds,
            settings.writer_saves,
            settings.think_ms,
            database,
        )
        for n in range(settings.writers)
    ]
    processes = [
        context.Process(target=writer, args=(job, barrier, results), name=f"writer-{job.index}")
        for job in jobs
    ]
    progress(f"writers: starting {settings.writers} processes")
    for process in processes:
        process.start()
    by_round: dict[int, list[float]] = {}
    errors: list[str] = []
    try:
        for _ in range(settings.writers * rounds):
            index, round_, latencies, failed = _next_result(results, processes)
            if round_ < 0:
                raise RuntimeError(f"concurrent writers: writer {index} failed: {failed[0]}")
            by_round.setdefault(round_, []).extend(latencies)
            errors.extend(failed)
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
    measured = [by_round[r] for r in range(settings.warmup, rounds)]
    p95s = [percentile(latencies, 95) for latencies in measured]
    p50s = [percentile(latencies, 50) for latencies in measured]
    saves = sum(len(latencies) for latencies in measured)
    failures = f"; {len(errors)} saves failed: {errors[0]}" if errors else ""
    figure.rows.append(
        Row(
            "p95",
            "ms",
            Summary.of(p95s),
            Target("<", 100.0),
            samples=p95s,
            measured=f"{saves} saves over {settings.runs} runs{failures}",
            extra={"failed_saves": len(errors)},
        )
    )
    figure.rows.append(Row("p50", "ms", Summary.of(p50s), samples=p50s, measured="for reference"))
    progress("writers: done")
    return figure
