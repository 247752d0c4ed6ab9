"""Tests that an acknowledged save survives the saving process being killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from repo_paths import SCRIPTS
from store_backends import BACKENDS, Backend, make_backend

WRITER = SCRIPTS / "store_writer.py"


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    return plan


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """An empty database of each backend in turn."""
    return make_backend(request, request.param, tmp_path)


def _save_until_killed(url: str, name: str, seconds: float) -> list[tuple[int, str, str]]:
    """Run a writer that saves in a loop, SIGKILL it after ``seconds`` of saving, return its
    acknowledged ``(revision, path, value)`` lines."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), url, "walkers", name, "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # wait for the first acknowledged save
    assert first, process.communicate()[1]
    time.sleep(seconds)
    os.kill(process.pid, signal.SIGKILL)
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    acked = []
    for line in (first + rest).splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[0].isdigit():  # the last line may have been cut short
            acked.append((int(parts[0]), parts[1], parts[2]))
    return acked


def test_acknowledged_saves_survive_sigkill(backend: Backend) -> None:
    with backend.open() as store:
        store.create("walkers", {"identity": {"name": "Walkers"}}, author=None, validate=accept)

    acked = _save_until_killed(backend.url, "w1", 1.0)
    assert len(acked) > 20, "the writer should have saved many times in a second"

    if backend.name == "sqlite":
        assert backend.raw("PRAGMA integrity_check") == [("ok",)]
    with backend.open() as store:
        history = {change.revision: change for change in store.history("walkers")}
        for revision, path, value in acked:
            assert revision in history, f"acknowledged revision {revision} was lost"
            assert (history[revision].path, history[revision].value) == (path, value)
        latest = store.revision("walkers")
        assert latest >= acked[-1][0]
        assert sorted(history) == list(range(1, latest + 1))
        assert store.plan_at("walkers", latest) == store.current("walkers").plan
        # the store is fully usable after the crash
        after = store.apply("walkers", [("notes.after", "yes")], author=None, validate=accept)
        assert after.revision == latest + 1

    # a second crash on top of the first one's leftovers is just as safe
    more = _save_until_killed(backend.url, "w2", 0.3)
    with backend.open() as store:
        history = {change.revision: change for change in store.history("walkers")}
        for revision, path, value in more:
            assert (history[revision].path, history[revision].value) == (path, value)
