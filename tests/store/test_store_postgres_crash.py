"""The PostgreSQL server crashes (``pg_ctl stop -m immediate``) while writers save, then returns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from postgres_server import PostgresServer
from repo_paths import SCRIPTS

from conftest import RunCli
from sigworkbook.store.postgres import PostgresStore

WRITER = SCRIPTS / "store_writer.py"
WRITERS = 3


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    return plan


class Writer:
    """A writer process that keeps saving (retrying while the database is away)."""

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(WRITER), url, "walkers", name, "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "STORE_WRITER_RETRY": "1"},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while len(self.lines) < count and time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()[1]
            time.sleep(0.02)
        assert len(self.lines) >= count, f"{self.name} saved only {len(self.lines)} times"

    def kill(self) -> list[tuple[str, str, str]]:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        acked = []
        for line in self.lines:
            parts = line.split(" ")
            if len(parts) == 3 and line.endswith("\n"):
                acked.append((parts[0], parts[1], parts[2].strip()))
        return acked


@pytest.mark.slow
def test_every_acknowledged_save_survives_a_database_crash(
    postgres_server: PostgresServer, postgres_url: str, cli_ws: RunCli
) -> None:
    assert cli_ws("--database", postgres_url, "init").code == 0
    with PostgresStore(postgres_url) as store:
        store.create("walkers", {"identity": {"name": "Walkers"}}, author=None, validate=accept)
    writers = [Writer(postgres_url, f"w{n}") for n in range(WRITERS)]
    try:
        for writer in writers:
            writer.wait_for(20)
        postgres_server.stop("immediate")  # a crash: no checkpoint, connections cut
        down = cli_ws("--database", postgres_url, "list")
        assert down.code == 2, down
        assert len(down.err_lines) == 1 and "cannot be reached" in down.err, down
        before = [len(writer.lines) for writer in writers]
        time.sleep(1.0)
        postgres_server.start()
        for writer, count in zip(writers, before, strict=True):
            writer.wait_for(count + 20)  # each writer saves again without being restarted
    finally:
        acked = {writer.name: writer.kill() for writer in writers}
        if not postgres_server.running():
            postgres_server.start()

    up = cli_ws("--database", postgres_url, "history", "walkers")
    assert up.code == 0, up
    with PostgresStore(postgres_url) as store:
        history = store.history("walkers")
        by_revision = {change.revision: change for change in history}
        saved = {(c.path, repr(c.value), c.author) for c in history if c.path}
        latest = store.revision("walkers")
        assert sorted(by_revision) == list(range(1, latest + 1)), "no gaps, nothing half-written"
        assert store.plan_at("walkers", latest) == store.current("walkers").plan
        for name, lines in acked.items():
            for revision, path, value in lines:
                if revision == "?":  # a retry found its first try committed after all
                    assert (path, repr(value), name) in saved
                    continue
                change = by_revision[int(revision)]
                assert (change.path, change.value, change.author) == (path, value, name)
