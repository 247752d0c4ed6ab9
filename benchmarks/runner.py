"""Runs the benchmarks from the command line: options, every figure in turn, the report."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import (
    cowriting,
    exporting,
    hub,
    meeting,
    notebooks,
    open_pages,
    pages,
    postgres,
    profiles,
    saves,
    searching,
    startup,
    writers,
)
from benchmarks.browser import CHROMIUM, chromium_version
from benchmarks.report import FIGURE_NUMBERS, Figure, Report
from benchmarks.settings import DEFAULT_OUT, Settings
from benchmarks.workspaces import demo_workspace

PACKAGES = ("voila", "ipywidgets", "jupyterlab_widgets", "ipykernel", "playwright", "pydantic")
TITLES = {
    1: "Page ready, cold kernel / empty notebook",
    2: "Page ready, pre-heated kernel / cold empty notebook",
    3: "Kernel memory (RSS) / empty notebook's kernel",
    4: "import sigworkbook / import ipywidgets",
    5: "sigworkbook serve start to first page ready / bare voila",
    6: "Save latency, p50 and p95, by history size",
    7: "Export of the full demo plan",
    8: "Concurrent writers: p95 save latency",
    **postgres.TITLES,
    12: "Member directory of 20,000 people: read and search",
    open_pages.NUMBER: open_pages.TITLE,
    hub.NUMBER: hub.TITLE,
    **meeting.TITLES,
    cowriting.NUMBER: cowriting.TITLE,
}


def _figures_list(text: str) -> frozenset[int]:
    try:
        chosen = frozenset(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list like 1,4,6") from None
    if not chosen or not chosen <= frozenset(FIGURE_NUMBERS):
        raise argparse.ArgumentTypeError(
            f"{text!r} must name figures between 1 and {FIGURE_NUMBERS[-1]}"
        )
    return chosen


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark sigworkbook against bare Voila and write "
        "benchmarks/results/latest.json and latest.md.",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="one run at the smallest sizes (about a minute)"
    )
    parser.add_argument("--runs", type=_positive, help="measured runs per figure (default 5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the report")
    parser.add_argument("--only", type=_figures_list, help="only these figures, e.g. 1,3,6")
    parser.add_argument(
        "--history", type=_positive, help="revisions in the larger history (default 10000)"
    )
    parser.add_argument(
        "--pages", type=_positive, help="pages opened at once in figure 13 (default 100)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="write profiles (pages, imports, saves) even where targets are met",
    )
    parser.add_argument(
        "--keep-work", action="store_true", help="keep the scratch folder (logs, workspaces)"
    )
    return parser


def settings_from(args: argparse.Namespace, work: Path) -> Settings:
    base = Settings.smoke_run(work, args.out) if args.smoke else Settings(work=work, out=args.out)
    changes: dict[str, Any] = {"profile": args.profile}
    if args.runs:
        changes["runs"] = args.runs
    if args.only:
        changes["only"] = args.only
    if args.history:
        changes["history"] = args.history
    if args.pages:
        changes["open_pages"] = args.pages
    return replace(base, **changes)


def environment() -> dict[str, Any]:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "browser": chromium_version(CHROMIUM),
        **versions,
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Progress:
    """Prints what is being measured, with the time since the start, to standard error."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(
            f"[{time.perf_counter() - self.started:6.1f} s] {message}", file=sys.stderr, flush=True
        )


def _failed(numbers: Sequence[int], error: BaseException) -> list[Figure]:
    reason = f"failed: {type(error).__name__}: {error}".splitlines()[0]
    return [Figure(n, f"figure_{n}", TITLES[n], "", note=reason) for n in numbers]


def _skipped(number: int) -> Figure:
    return Figure(number, f"figure_{number}", TITLES[number], "", note="not run (--only)")


def _should_profile(settings: Settings, figures: Sequence[Figure]) -> bool:
    """Profile with --profile, or in a full run when one of these figures missed its target."""
    missed = any(figure.status == "missed" for figure in figures)
    return settings.profile or (missed and not settings.smoke)


def _add_note(figures: Sequence[Figure], note: str) -> None:
    for figure in figures:
        if figure.status == "missed" or figure.status == "met":
            figure.note = f"{figure.note}; {note}" if figure.note else note


def run(settings: Settings, progress: Callable[[str], None]) -> tuple[list[Figure], bool]:
    """Every figure the settings ask for, in order; the second value is False if one failed."""
    made: dict[int, Figure] = {}
    ok = True

    def attempt(numbers: Sequence[int], measure: Callable[[], list[Figure]]) -> None:
        nonlocal ok
        wanted = [n for n in numbers if settings.wants(n)]
        if not wanted:
            return
        try:
            for figure in measure():
                if figure.number in wanted:
                    made[figure.number] = figure
        except Exception as error:
            ok = False
            traceback.print_exc(file=sys.stderr)
            for figure in _failed(wanted, error):
                made[figure.number] = figure

    def page_figures() -> list[Figure]:
        page_set = notebooks.page_set(settings.work / "notebooks")
        sig_id = demo_workspace(settings.work / "ws-pages")
        found = ", ".join(step.notebook for step in page_set.pages) or "none"
        progress(f"pages: workbook pages found: {found}")
        visits = pages.measure(settings, page_set, settings.work / "ws-pages", sig_id, progress)
        figures = pages.figures(page_set, visits)
        if _should_profile(settings, figures):
            progress("pages: profiling the pages' Python and imports")
            written = [
                profiles.page_profiles(
                    [page_set.folder / step.notebook for step in page_set.pages],
                    settings.work / "ws-pages",
                    sig_id,
                    settings.out,
                ),
                profiles.import_profile(startup.PAGE_MODULE, settings.out),
            ]
            _add_note(figures, f"profiles: {', '.join(path.name for path in written)}")
        return figures

    def start_figures() -> list[Figure]:
        figures = []
        if settings.wants(4):
            figures.append(startup.imports(settings, progress))
        if settings.wants(5):
            sig_id = demo_workspace(settings.work / "ws-start")
            figures.append(
                startup.server_start(
                    settings,
                    settings.work / "ws-start",
                    sig_id,
                    notebooks.workbooks_source(),
                    progress,
                )
            )
        if _should_profile(settings, figures):
            progress("imports: profiling imports")
            modules = ("sigworkbook", "sigworkbook.app.voila_app", "voila.app")
            written = [profiles.import_profile(module, settings.out) for module in modules]
            _add_note(figures, f"profiles: {', '.join(path.name for path in written)}")
        return figures

    attempt((1, 2, 3), page_figures)

    def meeting_figures() -> list[Figure]:
        figures = meeting.figures(settings, progress)
        if _should_profile(settings, figures):
            progress("meeting: profiling the app's moves in the kernel's Python")
            sig_id = demo_workspace(settings.work / "ws-app-profile")
            written = profiles.app_profile(settings.work / "ws-app-profile", sig_id, settings.out)
            _add_note(figures, f"profile: {written.name}")
        return figures

    attempt((4, 5), start_figures)
    attempt((6,), lambda: [saves.save_latency(settings, progress)])
    attempt((7,), lambda: [exporting.export_times(settings, progress)])
    attempt((8,), lambda: [writers.concurrent_writers(settings, progress)])
    attempt(postgres.NUMBERS, lambda: postgres.figures(settings, progress))
    attempt((12,), lambda: [searching.search_times(settings, progress)])
    attempt((open_pages.NUMBER,), lambda: [open_pages.measure(settings, progress)])
    attempt((hub.NUMBER,), lambda: [hub.measure(settings, progress)])
    attempt(meeting.NUMBERS, meeting_figures)
    attempt((cowriting.NUMBER,), lambda: [cowriting.measure(settings, progress)])
    figures = [made.get(n) or _skipped(n) for n in FIGURE_NUMBERS]
    return figures, ok


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sigworkbook-bench-"))
    try:
        settings = settings_from(args, work)
    except ValueError as error:
        print(f"python -m benchmarks: {error}", file=sys.stderr)
        return 2
    settings.out.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    started_at, started = _now(), time.perf_counter()
    env = environment()
    progress(f"{'smoke' if settings.smoke else 'full'} run, scratch folder {work}")
    try:
        with postgres.shared_server():  # one PostgreSQL server for figures 9-11, 13 and 14
            figures, ok = run(settings, progress)
    finally:
        if args.keep_work:
            progress(f"kept the scratch folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report = Report(
        mode="smoke" if settings.smoke else "full",
        started_at=started_at,
        finished_at=_now(),
        seconds=time.perf_counter() - started,
        settings={
            "runs": settings.runs,
            "warmup": settings.warmup,
            "history": settings.history,
            "saves": settings.saves,
            "writers": settings.writers,
            "writer_saves": settings.writer_saves,
            "think_ms": list(settings.think_ms),
            "export_repeats": settings.export_repeats,
            "open_pages": settings.open_pages,
            "server_idle_s": settings.server_idle_s,
            "meeting_sizes": list(settings.meeting_sizes),
            "meeting_rounds": settings.meeting_rounds,
            "cowriters": settings.cowriters,
            "cowriting_s": settings.cowriting_s,
            "only": sorted(settings.only),
        },
        environment={**env, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        figures=figures,
    )
    json_path, markdown_path = report.write(settings.out)
    print(report.table())
    print(f"\nWrote {json_path} and {markdown_path}")
    if not ok:
        print("python -m benchmarks: some figures failed (see above)", file=sys.stderr)
    return 0 if ok else 1
