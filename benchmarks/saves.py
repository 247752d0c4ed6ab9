"""Figure 6: latency of one save through `Workspace.set` (what a form does) by history size."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, percentile
from benchmarks.workspaces import add_demo_copy, demo_workspace, editable_text, variant
from sigworkbook.workspace import Workspace

Fields = dict[str, tuple[str, int | None]]


def timed_saves(
    workspace: Workspace, sig_id: str, fields: Fields, count: int, tag: str
) -> list[float]:
    """Make `count` saves, one text field at a time in turn; each save's latency in ms."""
    paths = list(fields)
    latencies = []
    for n in range(count):
        path = paths[n % len(paths)]
        text, max_length = fields[path]
        value = variant(text, f"{tag} {n}", max_length)
        started = time.perf_counter()
        workspace.set(sig_id, path, value, author="benchmarks")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def fill_history(workspace: Workspace, sig_id: str, fields: Fields, revisions: int) -> int:
    """Add real edits (one revision per changed field) until the SIG has `revisions`."""
    paths = list(fields)
    batch = 0
    while (current := workspace.revision(sig_id)) < revisions:
        chosen = paths[: revisions - current]
        changes = [
            (path, variant(fields[path][0], f"history {batch}", fields[path][1])) for path in chosen
        ]
        workspace.set_many(sig_id, changes, author="benchmarks")
        batch += 1
    return workspace.revision(sig_id)


def _profile(workspace: Workspace, sig_id: str, fields: Fields, count: int, out: Path) -> Path:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    timed_saves(workspace, sig_id, fields, count, "profile")
    profiler.stop()
    path = out / "profile-fig6-saves.txt"
    path.write_text(profiler.output_text(unicode=False, color=False), encoding="utf-8")
    return path


def save_latency(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 6: p50 and p95 of a save with an empty history and with `settings.history`."""
    figure = Figure(
        6,
        "save_latency",
        "Save latency, p50 and p95, by history size",
        f"Wall time of `Workspace.set(sig, path, value)` (the call a form's debounced save makes) "
        f"on the demo plan, {settings.saves} saves per run, each to the next of up to 32 text "
        "fields spread over the plan, each a real change. History 0: a freshly imported plan "
        "per run. The larger history is filled first with real edits (one revision each); the "
        "runs then add to it. The figure is the median over runs of each run's percentile.",
    )
    target = Target("<=", 20.0)
    for size in (0, settings.history):
        folder = settings.work / f"saves-{size}"
        sig_id = demo_workspace(folder)
        with Workspace.open(folder) as workspace:
            fields = editable_text(workspace, sig_id)
            if size:
                progress(f"saves: filling a history of {size} revisions")
                fill_history(workspace, sig_id, fields, size)
            p50s: list[float] = []
            p95s: list[float] = []
            revisions: list[int] = []
            for run in range(-settings.warmup, settings.runs):
                if run >= 0:
                    progress(f"saves: history {size}, run {run + 1} of {settings.runs}")
                target_sig = sig_id if size else add_demo_copy(workspace, f"fresh-{run + 10}")
                revisions.append(workspace.revision(target_sig))
                latencies = timed_saves(workspace, target_sig, fields, settings.saves, f"r{run}")
                if run >= 0:
                    p50s.append(percentile(latencies, 50))
                    p95s.append(percentile(latencies, 95))
            last = workspace.revision(sig_id) if size else revisions[-1] + settings.saves
            history = f"{revisions[0]:,} to {last:,} revisions in the history during the runs"
            note = ""
            p95_target = target if size else None
            if size and (settings.profile or not target.met_by(percentile(p95s, 50))):
                path = _profile(workspace, sig_id, fields, settings.saves, settings.out)
                note = f"profile of {settings.saves} more saves: {path.name}"
        figure.rows.append(
            Row(f"p50, history {size:,}", "ms", Summary.of(p50s), samples=p50s, measured=history)
        )
        figure.rows.append(
            Row(
                f"p95, history {size:,}",
                "ms",
                Summary.of(p95s),
                p95_target,
                samples=p95s,
                measured=history,
                note=note,
            )
        )
    return figure
