"""Figures 4 and 5: import time against ipywidgets, server start-up against bare Voila."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from benchmarks.browser import Chromium
from benchmarks.notebooks import write_empty_notebook
from benchmarks.processes import listening, server_env
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, median, ratios
from sigworkbook.app.voila_config import START_NOTEBOOK

IMPORT_TIMEOUT_S = 120
PAGE_MODULE = "sigworkbook.ui.page"
"""What a workbook page imports to build its form (shown for information, no target)."""


def _import_seconds(module: str | None) -> float:
    code = f"import {module}" if module else "pass"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=IMPORT_TIMEOUT_S,
        env=server_env(),
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"python -c {code!r} failed: {done.stderr.strip()[-500:]}")
    return elapsed


def imports(settings: Settings, progress: Callable[[str], None]) -> Figure:
    """Figure 4: `import sigworkbook` / `import ipywidgets`, each in a fresh interpreter."""
    figure = Figure(
        4,
        "import_time",
        "import sigworkbook / import ipywidgets",
        "Wall time of `python -c 'import sigworkbook'` / the same for `import ipywidgets`, each "
        "a fresh process (interpreter start included in both), alternating, paired run by run. "
        f"`{PAGE_MODULE}` (what a workbook page imports) and a bare interpreter are shown for "
        "information.",
    )
    modules = (None, "sigworkbook", "ipywidgets", PAGE_MODULE)
    times: dict[str | None, list[float]] = {module: [] for module in modules}
    for _ in range(settings.warmup):
        for module in modules:
            _import_seconds(module)
    for run in range(settings.runs):
        progress(f"imports: run {run + 1} of {settings.runs}")
        for module in modules:
            times[module].append(_import_seconds(module))
    widgets = times["ipywidgets"]
    for module, target in (("sigworkbook", Target("<=", 1.2)), (PAGE_MODULE, None)):
        ratio = ratios(times[module], widgets)
        figure.rows.append(
            Row(
                f"import {module}",
                "ratio",
                Summary.of(ratio),
                target,
                samples=ratio,
                measured=f"{median(times[module]) * 1000:.0f} ms / {median(widgets) * 1000:.0f} ms",
                extra={"module_s": times[module], "ipywidgets_s": widgets},
            )
        )
    figure.rows.append(
        Row(
            "python -c pass",
            "ms",
            Summary.of([t * 1000 for t in times[None]]),
            samples=[t * 1000 for t in times[None]],
            measured="interpreter start alone, for reference",
        )
    )
    return figure


def _console_script() -> Path:
    script = Path(sys.executable).parent / "sigworkbook"
    if not script.is_file():
        raise RuntimeError(
            f"figure 5 needs the `sigworkbook` console script at {script}: "
            "install the package (make setup)"
        )
    return script


def server_start(
    settings: Settings,
    workspace: Path,
    sig_id: str,
    workbooks: Path | None,
    progress: Callable[[str], None],
) -> Figure:
    """Figure 5: `sigworkbook serve` start to its start page ready / bare voila, empty notebook."""
    figure = Figure(
        5,
        "server_start",
        "sigworkbook serve start to first page ready / bare voila",
        "Wall time from launching `sigworkbook --workspace W serve --no-browser` to its start "
        f"page ({START_NOTEBOOK}?sig=...) being ready in Chromium / the same from launching "
        "`python -m voila empty.ipynb --no-browser` to that notebook being ready; alternating, "
        f"a new server each run (after {settings.warmup} discarded pair(s)), paired run by run. "
        "Ready as in figure 1 (benchmarks/ready.js).",
    )
    if workbooks is None or not (workbooks / START_NOTEBOOK).is_file():
        figure.rows.append(
            Row(
                "start page",
                "ratio",
                None,
                Target("<=", 1.0),
                note=f"no start page {START_NOTEBOOK} in the workbooks folder yet",
            )
        )
        return figure
    script = _console_script()
    empty = write_empty_notebook(settings.work / "bare-voila-empty.ipynb")
    logs = settings.work / "logs"

    def serve_command(listen: int) -> list[str]:
        serve = [str(script), "--workspace", str(workspace), "serve"]
        return [*serve, "--port", str(listen), "--no-browser"]

    def voila_command(listen: int) -> list[str]:
        voila = [sys.executable, "-m", "voila", str(empty), "--no-browser"]
        return [*voila, f"--port={listen}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]

    def sigworkbook_run() -> tuple[float, float]:
        with listening("sigworkbook serve", serve_command, logs / "serve.log") as (
            server,
            at,
        ):
            url = f"{server.base_url}/voila/render/{START_NOTEBOOK}?sig={quote(sig_id)}"
            load = browser.visit(url)
            browser.leave()
            ready = load.navigated_at - server.started + load.ready_ms / 1000
            return ready, at - server.started

    def voila_run() -> tuple[float, float]:
        with listening("voila", voila_command, logs / "voila.log") as (server, at):
            load = browser.visit(f"{server.base_url}/")
            browser.leave()
            ready = load.navigated_at - server.started + load.ready_ms / 1000
            return ready, at - server.started

    ours: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    with Chromium() as browser:
        for _ in range(settings.warmup):
            voila_run()
            sigworkbook_run()
        for run in range(settings.runs):
            progress(f"server start: run {run + 1} of {settings.runs}")
            bare.append(voila_run())
            ours.append(sigworkbook_run())
    ratio = ratios([r for r, _ in ours], [r for r, _ in bare])
    figure.rows.append(
        Row(
            START_NOTEBOOK,
            "ratio",
            Summary.of(ratio),
            Target("<=", 1.0),
            samples=ratio,
            measured=f"{median([r for r, _ in ours]):.2f} s / {median([r for r, _ in bare]):.2f} s"
            f" (listening after {median([s for _, s in ours]):.2f} s / "
            f"{median([s for _, s in bare]):.2f} s)",
            extra={
                "sigworkbook_ready_s": [r for r, _ in ours],
                "sigworkbook_listening_s": [s for _, s in ours],
                "voila_ready_s": [r for r, _ in bare],
                "voila_listening_s": [s for _, s in bare],
            },
        )
    )
    return figure
