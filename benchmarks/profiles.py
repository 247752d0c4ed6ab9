"""Profiles for missed targets: what each page's Python does, and what imports cost.

Each workbook page's code cells are run in a fresh interpreter (as a kernel would, but without
one: ipywidgets hands out dummy comms), once reading the process's memory (RSS) after each
cell and once under pyinstrument (where the time goes; the widgets the page creates are
counted). `python -X importtime` shows where an import spends its time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.processes import server_env

PROFILE_TIMEOUT_S = 300
PAGES_FILE = "profile-pages.txt"
APP_FILE = "profile-app-moves.txt"
MIB = 1024 * 1024


def _code_cells(notebook: str) -> list[str]:
    """The sources of a notebook's code cells (read as plain JSON: nbformat would add imports)."""
    document = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = []
    for cell in document["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"]
            cells.append(source if isinstance(source, str) else "".join(source))
    return cells


def _run_cells(
    notebook: str, cells: list[str], after_each: Callable[[int, str], None] | None = None
) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for number, source in enumerate(cells):
            exec(compile(source, notebook, "exec"), namespace)
            if after_each is not None:
                after_each(number, source)


def _rss() -> int:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def memory_notebook(notebook: str) -> None:
    """Run the notebook's code cells here; print the process's RSS after each (child side)."""
    cells = _code_cells(notebook)
    lines = [f"RSS {_rss() / MIB:6.1f} MiB before the first cell"]

    def report(number: int, source: str) -> None:
        first = next((line for line in source.splitlines() if line.strip()), "")
        lines.append(f"RSS {_rss() / MIB:6.1f} MiB after code cell {number + 1}: {first[:70]}")

    _run_cells(notebook, cells, report)
    print("\n".join(lines))


def profile_notebook(notebook: str) -> None:
    """Run the notebook's code cells here under pyinstrument; print the profile (child side)."""
    from pyinstrument import Profiler

    cells = _code_cells(notebook)
    profiler = Profiler(interval=0.001)
    profiler.start()
    _run_cells(notebook, cells)
    profiler.stop()
    from ipywidgets.widgets import widget

    print(f"widgets created: {len(widget._instances)}")
    print(profiler.output_text(unicode=False, color=False))


def profile_app_moves() -> None:
    """Open the app page here (as its kernel would, without one), go to step 2, then time the
    moves of figure 15 (to the charter, back, to the charter again) and profile the first one,
    which builds the charter from its notebook (child side)."""
    import time

    from ipywidgets.widgets import widget
    from pyinstrument import Profiler

    from sigworkbook.plan.steps import STEP_BY_KEY
    from sigworkbook.ui.app import open_app

    with contextlib.redirect_stdout(io.StringIO()):
        started = time.perf_counter()
        app = open_app()
        opened = time.perf_counter() - started
        if app is None:
            raise RuntimeError("the app page showed a notice instead of the demo SIG")
        app.go(STEP_BY_KEY["name"])
    lines = [f"open_app() (start step): {opened * 1000:.0f} ms; RSS {_rss() / MIB:.1f} MiB"]
    profiler = Profiler(interval=0.001)
    for number, key in enumerate(("charter", "name", "charter")):
        before = len(widget._instances)
        with contextlib.redirect_stdout(io.StringIO()):
            if number == 0:
                profiler.start()
            started = time.perf_counter()
            app.go(STEP_BY_KEY[key])
            took = time.perf_counter() - started
            if number == 0:
                profiler.stop()
        lines.append(
            f"go({key!r}): {took * 1000:.1f} ms, {len(widget._instances) - before} widgets "
            f"created; RSS {_rss() / MIB:.1f} MiB"
        )
    print("\n".join(lines))
    print("\nThe first move (the charter built from its notebook):")
    print(profiler.output_text(unicode=False, color=False))


def app_profile(workspace: Path, sig_id: str, out: Path) -> Path:
    """The app's moves, timed and profiled in the kernel's Python (`profile_app_moves`), into
    out/profile-app-moves.txt; return that path."""
    env = server_env()
    env["SIGWORKBOOK_WORKSPACE"] = str(workspace)
    env["SIGWORKBOOK_SIG"] = sig_id
    env["PYTHONPATH"] = _python_path()
    done = subprocess.run(
        [sys.executable, "-c", "from benchmarks.profiles import profile_app_moves as p; p()"],
        capture_output=True,
        text=True,
        env=env,
        timeout=PROFILE_TIMEOUT_S,
        check=False,
    )
    text = done.stdout if done.returncode == 0 else f"(failed: {done.stderr[-1500:]})"
    path = out / APP_FILE
    path.write_text(text, encoding="utf-8")
    return path


def page_profiles(notebooks: Sequence[Path], workspace: Path, sig_id: str, out: Path) -> Path:
    """Profile every notebook (memory, then time) into out/profile-pages.txt; return that path."""
    env = server_env()
    env["SIGWORKBOOK_WORKSPACE"] = str(workspace)
    env["SIGWORKBOOK_SIG"] = sig_id
    env["PYTHONPATH"] = _python_path()
    parts = []
    for notebook in notebooks:
        texts = []
        for function in ("memory_notebook", "profile_notebook"):
            code = (
                "import os, sys; os.chdir(sys.argv[1]); "
                f"from benchmarks.profiles import {function}; {function}(sys.argv[2])"
            )
            done = subprocess.run(
                [sys.executable, "-c", code, str(notebook.parent), notebook.name],
                capture_output=True,
                text=True,
                env=env,
                timeout=PROFILE_TIMEOUT_S,
                check=False,
            )
            ok = done.returncode == 0
            texts.append(done.stdout if ok else f"({function} failed: {done.stderr[-1500:]})")
        parts.append(f"==== {notebook.name}\n" + "\n".join(texts))
    path = out / PAGES_FILE
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def import_profile(module: str, out: Path, top: int = 25) -> Path:
    """`python -X importtime -c 'import module'`: the `top` slowest imports (cumulative), into
    out/profile-import-<module>.txt."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=PROFILE_TIMEOUT_S,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        rows.append((int(cumulative), int(own), name.strip()))
    rows.sort(reverse=True)
    lines = [f"python -X importtime -c 'import {module}': slowest {top}, cumulative", ""]
    lines += [f"{c / 1000:8.1f} ms  (own {o / 1000:6.1f} ms)  {n}" for c, o, n in rows[:top]]
    path = out / f"profile-import-{module}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _python_path() -> str:
    root = str(Path(__file__).resolve().parent.parent)
    current = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (root, current) if p)
