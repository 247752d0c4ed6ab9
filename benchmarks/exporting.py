"""Figure 7: how long exporting the full demo plan takes, format by format and all at once."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

from benchmarks.report import Figure, Row
from benchmarks.settings import Settings
from benchmarks.stats import Summary, median
from benchmarks.workspaces import demo_workspace
from sigworkbook.workspace import Workspace


def export_times(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 7: `exports.render` per format and `exports.write_all`, in milliseconds."""
    figure = Figure(
        7,
        "export",
        "Export of the full demo plan",
        "Wall time of `sigworkbook.exports.render(format, plan, revision=...)` for each format "
        f"(per run: the median of {settings.export_repeats} renders, after one discarded render "
        "per format), and of `write_all` writing every format into a folder. No target.",
    )
    try:
        from sigworkbook import exports
    except ImportError as error:
        figure.note = f"not measured: sigworkbook.exports cannot be imported ({error})"
        return figure
    folder = settings.work / "exports"
    sig_id = demo_workspace(folder)
    with Workspace.open(folder) as workspace:
        loaded = workspace.load(sig_id)
    plan, revision = loaded.plan, loaded.revision
    formats = list(exports.FORMATS)
    times: dict[str, list[float]] = {name: [] for name in formats}
    all_times: list[float] = []
    for name in formats:
        exports.render(name, plan, revision=revision)
    for run in range(-settings.warmup, settings.runs):
        if run >= 0:
            progress(f"exports: run {run + 1} of {settings.runs}")
        for name in formats:
            repeats = []
            for _ in range(settings.export_repeats):
                started = time.perf_counter()
                exports.render(name, plan, revision=revision)
                repeats.append((time.perf_counter() - started) * 1000)
            if run >= 0:
                times[name].append(median(repeats))
        target = settings.work / "exports-out" / str(run)
        started = time.perf_counter()
        written = exports.write_all(plan, target, revision=revision)
        elapsed = (time.perf_counter() - started) * 1000
        if run >= 0:
            all_times.append(elapsed)
        shutil.rmtree(target)
    for name in formats:
        figure.rows.append(
            Row(
                name,
                "ms",
                Summary.of(times[name]),
                samples=times[name],
                measured=f"render to {exports.FORMATS[name].file_name}",
            )
        )
    figure.rows.append(
        Row(
            "all formats (write_all)",
            "ms",
            Summary.of(all_times),
            samples=all_times,
            measured=f"{len(written)} files written, each atomically",
        )
    )
    return figure
