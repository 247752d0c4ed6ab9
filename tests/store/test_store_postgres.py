"""Tests for what only the PostgreSQL store has: its schema, refusals, locks, secrets, notices."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from postgres_server import PostgresServer
from store_backends import PostgresBackend

from sigworkbook.store import (
    NewerSchema,
    NotOurDatabase,
    StoreBusy,
    StoreError,
    StoreUnreachable,
    open_store,
)
from sigworkbook.store.postgres import PostgresStore
from sigworkbook.store.postgres_feed import NotifyFeed

PLAN: dict[str, Any] = {"identity": {"name": "Home Safely"}}


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    return plan


@pytest.fixture
def backend(postgres_url: str) -> PostgresBackend:
    return PostgresBackend(postgres_url)


def test_a_new_database_is_marked_as_ours(backend: PostgresBackend) -> None:
    with open_store(backend.url, create=True) as store:
        assert isinstance(store, PostgresStore)
        assert store.sig_ids() == []
    meta = dict(backend.raw("SELECT key, value FROM meta"))
    assert meta["application"] == "sigworkbook"
    assert meta["schema_version"] == str(PostgresStore.SCHEMA_VERSION) == "3"
    assert {"created_at", "created_by", "schema_changed_at"} <= set(meta)
    tables = {
        row[0] for row in backend.raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    assert {"meta", "sigs", "history", "presence"} <= tables
    (persistence,) = backend.raw("SELECT relpersistence FROM pg_class WHERE relname = 'presence'")
    assert persistence == ("u",), "presence is an unlogged table"


def test_saves_are_committed_synchronously(backend: PostgresBackend) -> None:
    backend.raw(
        "ALTER DATABASE "
        + backend.url.split("/")[3].split("?")[0]
        + " SET synchronous_commit = off"
    )
    with PostgresStore(backend.url) as store, store.session() as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)


def test_an_empty_database_is_only_set_up_when_asked(backend: PostgresBackend) -> None:
    with pytest.raises(StoreError, match=r"no sigworkbook database at .* \(it is empty\)"):
        PostgresStore(backend.url, create=False)
    assert backend.contents() == ([], {}, [])


def _foreign(backend: PostgresBackend) -> None:
    backend.raw("CREATE TABLE contacts (name text)")
    backend.raw("INSERT INTO contacts VALUES ('Ann')")


def _foreign_meta(backend: PostgresBackend) -> None:
    backend.raw("CREATE TABLE meta (key text PRIMARY KEY, value text)")
    backend.raw("INSERT INTO meta VALUES ('application', 'other')")


def _ours_without_tables(backend: PostgresBackend) -> None:
    backend.raw("CREATE TABLE meta (key text PRIMARY KEY, value text)")
    backend.raw("INSERT INTO meta VALUES ('application', 'sigworkbook'), ('schema_version', '1')")


@pytest.mark.parametrize("make", [_foreign, _foreign_meta, _ours_without_tables])
def test_a_database_that_is_not_ours_is_refused_and_left_alone(
    backend: PostgresBackend, make: Any
) -> None:
    make(backend)
    before = backend.contents()
    for create in (True, False):
        with pytest.raises(NotOurDatabase) as raised:
            PostgresStore(backend.url, create=create)
        assert backend.url in str(raised.value)
        assert "nothing was written" in str(raised.value)
        assert backend.contents() == before


def _add_tags(conn: psycopg.Connection[Any]) -> None:
    conn.execute("CREATE TABLE tags (sig_id text NOT NULL, tag text NOT NULL)")
    conn.execute("INSERT INTO tags SELECT sig_id, 'migrated' FROM sigs")


def _broken(conn: psycopg.Connection[Any]) -> None:
    conn.execute("CREATE TABLE half_done (x int)")
    raise RuntimeError("step two failed")


NEXT = PostgresStore.SCHEMA_VERSION + 1


class StoreV2(PostgresStore):
    SCHEMA_VERSION = NEXT
    MIGRATIONS = (*PostgresStore.MIGRATIONS, _add_tags)


class BrokenV2(PostgresStore):
    SCHEMA_VERSION = NEXT
    MIGRATIONS = (*PostgresStore.MIGRATIONS, _broken)


def test_an_older_database_is_upgraded_and_a_failed_upgrade_changes_nothing(
    backend: PostgresBackend,
) -> None:
    with PostgresStore(backend.url) as old:
        old.create("a", PLAN, author=None, validate=accept)
    before = backend.contents()
    with pytest.raises(StoreError) as raised:
        BrokenV2(backend.url)
    assert f"from version {PostgresStore.SCHEMA_VERSION} to {NEXT}" in str(raised.value)
    assert "step two failed" in str(raised.value)
    assert backend.contents() == before
    with StoreV2(backend.url) as new:
        assert new.current("a").plan == PLAN
    assert backend.raw("SELECT sig_id, tag FROM tags") == [("a", "migrated")]
    with pytest.raises(NewerSchema, match=f"version {NEXT}"):
        PostgresStore(backend.url)


def test_two_processes_setting_up_one_database_at_once(backend: PostgresBackend) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            PostgresStore(backend.url).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert backend.raw("SELECT value FROM meta WHERE key = 'schema_version'") == [("3",)]


def test_a_locked_sig_makes_writes_wait_then_fail_with_store_busy(
    backend: PostgresBackend,
) -> None:
    with PostgresStore(backend.url, busy_timeout=0.3) as store:
        store.create("a", PLAN, author=None, validate=accept)
        with psycopg.connect(backend.url) as holder:
            holder.execute("SELECT 1 FROM sigs WHERE sig_id = 'a' FOR UPDATE")
            started = time.monotonic()
            with pytest.raises(StoreBusy) as raised:
                store.apply("a", [("x", 1)], author=None, validate=accept)
            assert 0.25 <= time.monotonic() - started < 5
            assert "0.3 s" in str(raised.value)
            assert store.current("a").plan == PLAN  # readers are not blocked
            holder.rollback()
        assert store.apply("a", [("x", 1)], author=None, validate=accept).revision == 2


def test_a_password_never_appears_in_messages_logs_or_reprs(
    postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    secret = "s3cr3t-Pa55"
    caplog.set_level(logging.DEBUG)
    name = postgres_server.create_database()
    url = postgres_server.url(name, password=secret)
    seen: list[str] = []
    with PostgresStore(url) as store:
        seen += [repr(store), store.location, str(store.presence())]
        store.create("a", PLAN, author=None, validate=accept)
        with pytest.raises(StoreError) as raised:
            store.plan_at("a", 9)
        seen.append(str(raised.value))
    dead = url.replace(f"port={postgres_server.port}", "port=1")
    query_form = (
        f"postgresql://sig@/{name}?host={postgres_server.socket_dir}&port=1&password={secret}"
    )
    for broken in (dead, query_form):
        with pytest.raises(StoreUnreachable) as unreachable:
            PostgresStore(broken)
        message = str(unreachable.value)
        assert "\n" not in message
        assert "cannot be reached" in message
        seen += [message, repr(unreachable.value)]
    seen += [record.getMessage() for record in caplog.records]
    assert seen and not [text for text in seen if secret in text]
    postgres_server.drop_database(name)


def test_the_feed_hears_of_another_servers_save_without_polling(backend: PostgresBackend) -> None:
    with PostgresStore(backend.url) as mine, PostgresStore(backend.url) as theirs:
        mine.create("a", PLAN, author=None, validate=accept)
        mine.create("b", PLAN, author=None, validate=accept)
        loop = asyncio.new_event_loop()
        heard: list[tuple[int, float]] = []
        feed = mine.change_feed("a")
        assert isinstance(feed, NotifyFeed)
        feed.start(loop, lambda revision: heard.append((revision, time.monotonic())))
        try:
            theirs.apply("b", [("x", 1)], author=None, validate=accept)  # another SIG: silent
            saved = time.monotonic()
            theirs.apply("a", [("x", 1)], author=None, validate=accept)

            async def until_heard() -> None:
                deadline = time.monotonic() + 10
                while not heard and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)

            loop.run_until_complete(until_heard())
            assert [revision for revision, _ in heard] == [2]
            assert heard[0][1] - saved < 1.0
        finally:
            feed.stop()
            feed.stop()  # harmless
            loop.close()


def test_the_feed_listens_again_after_the_database_restarts(
    postgres_server: PostgresServer, backend: PostgresBackend
) -> None:
    with PostgresStore(backend.url) as store:
        store.create("a", PLAN, author=None, validate=accept)
        loop = asyncio.new_event_loop()
        heard: list[int] = []
        feed = NotifyFeed(store, "a")
        feed.start(loop, heard.append)

        async def wait_for(condition: Any, seconds: float = 30) -> None:
            deadline = time.monotonic() + seconds
            while not condition() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)

        try:
            assert feed.listening
            postgres_server.stop("immediate")
            loop.run_until_complete(wait_for(lambda: not feed.listening))
            assert not feed.listening
            postgres_server.start()
            with PostgresStore(backend.url) as other:
                other.apply("a", [("x", 1)], author=None, validate=accept)  # while not listening
                loop.run_until_complete(wait_for(lambda: heard == [2]))
                assert heard == [2], "the revision saved while away is caught up on"
                loop.run_until_complete(wait_for(lambda: feed.listening))
                other.apply("a", [("x", 2)], author=None, validate=accept)
                loop.run_until_complete(wait_for(lambda: heard == [2, 3]))
                assert heard == [2, 3]
        finally:
            feed.stop()
            loop.close()
            if not postgres_server.running():
                postgres_server.start()


def test_presence_is_shared_between_servers(backend: PostgresBackend) -> None:
    with PostgresStore(backend.url) as server_a, PostgresStore(backend.url) as server_b:
        on_a, on_b = server_a.presence(), server_b.presence()
        on_a.mark("a", "visitor-1", "Ann", "charter")
        on_b.mark("a", "visitor-2", "Bo", "schedule")
        assert [v.participant for v in on_a.others("a", "visitor-1")] == ["Bo"]
        assert [v.participant for v in on_b.others("a", "visitor-2")] == ["Ann"]
        on_b.leave("a", "visitor-2")
        assert on_a.others("a", "visitor-1") == []
        backend.raw("UPDATE presence SET seen_at = now() - interval '1 minute'")
        assert on_b.others("a", "visitor-2") == [], "a page that stopped checking in is gone"
        on_a.close()
        on_b.close()


def test_a_dump_restored_into_a_fresh_database_has_every_revision(
    postgres_server: PostgresServer, backend: PostgresBackend, tmp_path: Path
) -> None:
    """The backup docs/hosting.md describes: pg_dump -Fc, then pg_restore into a new database."""
    with PostgresStore(backend.url) as store:
        for sig_id in ("walkers", "readers"):
            store.create(sig_id, PLAN, author="ann", validate=accept)
            for n in range(30):
                store.apply(sig_id, [(f"notes.n{n % 4}", n)], author=f"p{n % 3}", validate=accept)
        store.replace("walkers", {"identity": {"name": "Walkers"}}, author="bo", validate=accept)
        before = {sig_id: store.history(sig_id) for sig_id in store.sig_ids()}
    dump = tmp_path / "sigworkbook.dump"
    source = backend.url.split("/")[3].split("?")[0]
    server = ["-h", str(postgres_server.socket_dir), "-p", str(postgres_server.port), "-U", "sig"]
    subprocess.run(
        [str(postgres_server.bin / "pg_dump"), *server, "-Fc", "-f", str(dump), source],
        check=True,
        capture_output=True,
    )
    fresh = postgres_server.create_database("restored")
    subprocess.run(
        [str(postgres_server.bin / "pg_restore"), *server, "--no-owner", "-d", fresh, str(dump)],
        check=True,
        capture_output=True,
    )
    with (
        PostgresStore(postgres_server.url(fresh), create=False) as restored,
        PostgresStore(backend.url, create=False) as original,
    ):
        assert {sig_id: restored.history(sig_id) for sig_id in restored.sig_ids()} == before
        for sig_id, changes in before.items():
            for change in changes:
                revision = change.revision
                assert restored.plan_at(sig_id, revision) == original.plan_at(sig_id, revision)
            assert restored.current(sig_id) == original.current(sig_id)
        # the restored database keeps its guarantees: history still append-only, saves go on
        saved = restored.apply("walkers", [("x", 1)], author=None, validate=accept)
        assert saved.revision == before["walkers"][0].revision + 1
    with pytest.raises(psycopg.IntegrityError, match="append-only"):
        PostgresBackend(postgres_server.url(fresh)).raw("DELETE FROM history")
    postgres_server.drop_database(fresh)
