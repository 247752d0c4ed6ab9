"""A page's session on PostgreSQL: what is typed while the database is away is saved when it is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from postgres_server import PostgresServer

from conftest import DEMO_SIG
from sigworkbook.demo import add_demo
from sigworkbook.live import writing
from sigworkbook.live.session import UNREACHABLE, Session
from sigworkbook.workspace import Workspace


def _run_until(loop: asyncio.AbstractEventLoop, done: Callable[[], bool], seconds: float) -> None:
    async def wait() -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    loop.run_until_complete(wait())


@pytest.mark.slow
def test_typing_while_the_database_is_away_is_kept_and_saved_when_it_returns(
    postgres_server: PostgresServer,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Workspace.open(tmp_path / "ws", create=True, database=postgres_url) as workspace:
        add_demo(workspace)
        session = Session(workspace, DEMO_SIG, author="ann")
        loop = asyncio.new_event_loop()
        monkeypatch.setattr(writing, "kernel_loop", lambda: loop)  # the retry timer
        statuses: list[str] = []
        session.on_status(lambda status: statuses.append(status.message))
        try:
            postgres_server.stop("immediate")
            assert not session.save("identity.name", "Typed while away")
            assert session.status.message == UNREACHABLE
            assert UNREACHABLE == "Not saved: database unreachable, trying again"
            assert session.failed_paths == ["identity.name"]
            _run_until(loop, lambda: statuses.count(UNREACHABLE) >= 2, 30)
            assert statuses.count(UNREACHABLE) >= 2, "it keeps trying on its own"
            assert session.failed_paths == ["identity.name"], "what was typed is kept"
            postgres_server.start()
            _run_until(loop, lambda: session.status.ok, 60)
            assert session.status.ok, statuses
            assert session.failed_paths == []
        finally:
            if not postgres_server.running():
                postgres_server.start()
            session.close()
            loop.close()
        assert workspace.load(DEMO_SIG).plan.identity.name == "Typed while away"
        assert workspace.history(DEMO_SIG, limit=1)[0].author == "ann"
