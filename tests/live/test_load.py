"""Load: 20 writer processes x 500 edits typed into the forms' controls; nothing is lost.

Prints p50 and p95 save latency (reported, never asserted: timings belong in benchmarks).
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import time
from pathlib import Path

import pytest

from sigworkbook.live.session import Session
from sigworkbook.ui.tables import RowsEditor
from sigworkbook.workspace import Workspace

WRITERS = 20
EDITS = 500
SIG = "load"
PRELOAD = ["pytest", "sigworkbook.live.session", "sigworkbook.ui.tables", "sigworkbook.workspace"]
"""What each writer imports (besides this file), imported once by the fork server."""


def _writer(folder: str, writer: int, out: str) -> None:
    with Workspace.open(folder) as workspace:
        session = Session(workspace, SIG, author=f"writer {writer}")
        # The forms' own controls: a table row's field saves by the row's id (set_in_row).
        activities = RowsEditor(session, "schedule.activities", ["title"])
        activities.open_row(activities.rows[writer]["id"])
        own = activities.rows_box.children[writer].controls[0]
        latencies = []
        for n in range(EDITS):
            started = time.perf_counter()
            if n % 2:  # this writer's own row, typed into its form control
                own.input.value = f"w{writer} e{n}"
                ok = session.status.ok
            else:  # one field everybody writes: saved directly, as a form would without the
                # conflict notice (which stops a person overwriting an edit they have not seen)
                ok = session.save("identity.theme", f"w{writer} e{n}")
            latencies.append(time.perf_counter() - started)
            if not ok:
                raise SystemExit(f"save {n} of writer {writer} failed: {session.status.message}")
    Path(out).write_text(json.dumps(latencies), encoding="utf-8")


@pytest.mark.slow
def test_twenty_writers_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "workspace"
    with Workspace.open(folder, create=True) as workspace:
        workspace.new_sig("Load")
        workspace.set(SIG, "schedule.activities", [{"title": f"a{i}"} for i in range(WRITERS)])
        start_revision = workspace.load(SIG).revision
    # Twenty fresh processes, each with its own connection to the file. A fork server (a
    # process that imported these modules once) starts them: twenty interpreters importing
    # the forms afresh cost ~15 s of the 2 cores.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    outputs = [tmp_path / f"latency-{w}.json" for w in range(WRITERS)]
    processes = [
        context.Process(target=_writer, args=(str(folder), w, str(outputs[w])))
        for w in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(600)
    assert [p.exitcode for p in processes] == [0] * WRITERS

    with Workspace.open(folder) as workspace:
        plan = workspace.load(SIG).plan
        history = workspace.history(SIG)
    # Every edit is unique, so each is one revision: none lost, none merged.
    assert len(history) == start_revision + WRITERS * EDITS
    assert [c.revision for c in history] == list(range(len(history), 0, -1))
    for writer in range(WRITERS):
        assert plan.schedule.activities[writer].title == f"w{writer} e{EDITS - 1}"
    last_shared = next(c for c in history if c.path == "identity.theme")
    assert plan.identity.theme == last_shared.value

    latencies = sorted(x for out in outputs for x in json.loads(out.read_text(encoding="utf-8")))
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    print(f"\n{WRITERS} writers x {EDITS} saves: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
