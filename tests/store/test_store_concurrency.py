"""Tests for several processes writing to one store at once."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from repo_paths import SCRIPTS
from store_backends import BACKENDS, Backend, make_backend

from sigworkbook.store import SigExists

WRITER = SCRIPTS / "store_writer.py"
WRITERS = 8
EDITS = 200


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    return plan


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """An empty database of each backend in turn."""
    return make_backend(request, request.param, tmp_path)


def _start_writer(
    url: str, sig_id: str, name: str, count: int, go_file: Path
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), url, sig_id, name, str(count), str(go_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _acknowledged(output: str) -> list[tuple[int, str, str]]:
    """Parse the writer's ``REVISION PATH VALUE`` lines."""
    lines = [line.split(" ") for line in output.splitlines()]
    return [(int(revision), path, value) for revision, path, value in lines]


@pytest.mark.slow
def test_eight_processes_writing_at_once_lose_nothing(tmp_path: Path, backend: Backend) -> None:
    with backend.open() as store:
        store.create("walkers", {"identity": {"name": "Walkers"}}, author=None, validate=accept)

    go_file = tmp_path / "go"
    names = [f"w{n}" for n in range(WRITERS)]
    processes = {
        name: _start_writer(backend.url, "walkers", name, EDITS, go_file) for name in names
    }
    for process in processes.values():  # every writer has opened the store...
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    started = time.monotonic()
    go_file.touch()  # ...and all start editing at the same moment
    acked: dict[str, list[tuple[int, str, str]]] = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        acked[name] = _acknowledged(out)
    elapsed = time.monotonic() - started

    with backend.open() as store:
        history = store.history("walkers")
        plan = store.current("walkers").plan
        total = 1 + WRITERS * EDITS
        # every edit was a real change, so every one is a revision: 1..N, no gaps, no repeats
        assert sorted(change.revision for change in history) == list(range(1, total + 1))
        assert store.revision("walkers") == total
        by_revision = {change.revision: change for change in history}
        for name in names:
            assert len(acked[name]) == EDITS
            revisions = [revision for revision, _, _ in acked[name]]
            assert revisions == sorted(revisions), f"{name} saw revisions go backwards"
            for revision, path, value in acked[name]:
                change = by_revision[revision]
                assert (change.path, change.value, change.author) == (path, value, name)
            # different fields: each writer's own field holds its last value
            own = [value for _, path, value in acked[name] if path == f"notes.{name}"]
            assert plan["notes"][name] == own[-1]
        # the same field: the later commit wins, and every earlier value stays in history
        shared = [change for change in history if change.path == "shared.last"]
        assert len(shared) == WRITERS * EDITS // 2
        assert plan["shared"]["last"] == shared[0].value  # history is newest first
        assert plan["identity"] == {"name": "Walkers"}
        # the writers really ran at the same time: their commits interleave
        writers_in_order = [by_revision[revision].author for revision in range(2, total + 1)]
        switches = sum(a != b for a, b in itertools.pairwise(writers_in_order))
        assert switches > 2 * WRITERS
        assert store.plan_at("walkers", total) == plan
    assert elapsed < 60, f"{WRITERS} writers took {elapsed:.1f} s"


def test_two_processes_creating_the_same_database_and_sig(tmp_path: Path, backend: Backend) -> None:
    """Both open (one creates) the database; exactly one may create the SIG."""
    script = (
        "import sys\n"
        "from sigworkbook.store import SigExists, open_store\n"
        "with open_store(sys.argv[1], create=True) as store:\n"
        "    try:\n"
        "        store.create('walkers', {'by': sys.argv[2]}, author=sys.argv[2],\n"
        "                     validate=lambda plan: plan)\n"
        "        print('created')\n"
        "    except SigExists:\n"
        "        print('exists')\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, backend.url, f"p{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(out.strip())
    assert sorted(results) == ["created", "exists", "exists", "exists"]
    with backend.open() as store:
        assert store.sig_ids() == ["walkers"]
        (change,) = store.history("walkers")
        assert change.value == {"by": change.author}
        with pytest.raises(SigExists):
            store.create("walkers", {}, author=None, validate=accept)
    if backend.name == "sqlite":
        assert sorted(p.name for p in tmp_path.iterdir()) == ["workspace.db"]


INCREMENTER = """
import sys
from sigworkbook.store import open_store
with open_store(sys.argv[1]) as store:
    for _ in range(int(sys.argv[2])):
        store.update(
            "walkers",
            lambda plan: [("count", plan.get("count", 0) + 1)],
            author=sys.argv[3],
            validate=lambda plan: plan,
        )
"""


def test_read_modify_write_edits_from_many_processes_lose_no_increment(backend: Backend) -> None:
    """Each process reads the count and writes count + 1: only a lock held from the read to
    the write keeps every increment (a vote, a tick, a new row work the same way)."""
    processes, each = 4, 50
    with backend.open() as store:
        store.create("walkers", {"count": 0}, author=None, validate=accept)
    running = [
        subprocess.Popen(
            [sys.executable, "-c", INCREMENTER, backend.url, str(each), f"p{n}"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    for process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    with backend.open() as store:
        assert store.current("walkers").plan["count"] == processes * each
        values = [c.value for c in reversed(store.history("walkers")) if c.path == "count"]
        assert values == list(range(1, processes * each + 1))
