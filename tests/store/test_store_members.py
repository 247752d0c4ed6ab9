"""Members of each SIG and listing submissions in the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from store_backends import BACKENDS, Backend, SQLiteBackend, make_backend

from sigworkbook.store import LastOwner, Store, StoreError, UnknownSig
from sigworkbook.store.migrate import copy_all
from sigworkbook.store.postgres import PostgresStore
from sigworkbook.store.sqlite import SQLiteStore

PLAN: dict[str, Any] = {"id": "home-safely", "identity": {"name": "Home safely"}}


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    return plan


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return make_backend(request, request.param, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    with backend.open() as opened:
        opened.create("home-safely", PLAN, author="alice", validate=accept)
        yield opened


def test_members_are_kept_with_their_roles_owners_first(store: Store) -> None:
    assert store.members("home-safely") == []
    store.set_member("home-safely", "carol", "viewer", by="alice")
    store.set_member("home-safely", "bob", "editor", by="alice")
    store.set_member("home-safely", "alice", "owner", by=None)
    members = store.members("home-safely")
    assert [(m.user, m.role) for m in members] == [
        ("alice", "owner"),
        ("bob", "editor"),
        ("carol", "viewer"),
    ]
    assert members[1].added_by == "alice"
    assert store.memberships("bob") == {"home-safely": "editor"}
    assert store.memberships("dave") == {}


def test_a_role_can_be_changed_and_a_member_removed(store: Store) -> None:
    store.set_member("home-safely", "alice", "owner", by=None)
    store.set_member("home-safely", "bob", "viewer", by="alice")
    store.set_member("home-safely", "bob", "editor", by="alice")
    assert store.memberships("bob") == {"home-safely": "editor"}
    store.set_member("home-safely", "bob", None, by="alice")
    assert store.memberships("bob") == {}
    assert [m.user for m in store.members("home-safely")] == ["alice"]


def test_a_sig_keeps_at_least_one_owner(store: Store, backend: Backend) -> None:
    store.set_member("home-safely", "alice", "owner", by=None)
    store.set_member("home-safely", "bob", "editor", by="alice")
    before = backend.raw("SELECT * FROM members ORDER BY user_name")
    for role in (None, "editor", "viewer"):
        with pytest.raises(LastOwner, match="at least one owner"):
            store.set_member("home-safely", "alice", role, by="alice")
    assert backend.raw("SELECT * FROM members ORDER BY user_name") == before
    store.set_member("home-safely", "bob", "owner", by="alice")
    store.set_member("home-safely", "alice", None, by="bob")
    assert [(m.user, m.role) for m in store.members("home-safely")] == [("bob", "owner")]


def test_bad_roles_users_and_sigs_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="'admin' is not a role"):
        store.set_member("home-safely", "bob", "admin", by=None)
    for user in ("", " bob", "bob\n"):
        with pytest.raises(StoreError, match="not a hub user name"):
            store.set_member("home-safely", user, "editor", by=None)
    with pytest.raises(UnknownSig):
        store.set_member("no-such-sig", "bob", "editor", by=None)
    assert store.members("home-safely") == []


def test_listing_submissions_newest_first(store: Store) -> None:
    store.create("other", {**PLAN, "id": "other"}, author="x", validate=accept)
    first = store.submit_listing("home-safely", 1, user="alice")
    second = store.submit_listing("other", 1, user="olga")
    sent = store.submissions()
    assert [(s.sig_id, s.user, s.revision) for s in sent] == [
        ("other", "olga", 1),
        ("home-safely", "alice", 1),
    ]
    assert sent == [second, first]
    assert first.at.tzinfo is not None


def _version_1(backend: Backend) -> Store:
    """A store of schema version 1, as sigworkbook wrote it before members existed."""
    if backend.name == "sqlite":

        class SQLiteV1(SQLiteStore):
            SCHEMA_VERSION = 1
            MIGRATIONS = SQLiteStore.MIGRATIONS[:1]

        assert isinstance(backend, SQLiteBackend)
        return SQLiteV1(backend.file)

    class PostgresV1(PostgresStore):
        SCHEMA_VERSION = 1
        MIGRATIONS = PostgresStore.MIGRATIONS[:1]

    return PostgresV1(backend.url)


def test_a_version_1_database_is_upgraded_with_empty_member_tables(backend: Backend) -> None:
    with _version_1(backend) as old:
        old.create("home-safely", PLAN, author="alice", validate=accept)
    tables = _tables(backend)
    assert "members" not in tables
    with backend.open(create=False) as new:
        assert new.current("home-safely").plan == PLAN
        assert new.members("home-safely") == []
        assert new.submissions() == []
        new.set_member("home-safely", "alice", "owner", by=None)
        assert new.memberships("alice") == {"home-safely": "owner"}
    assert {"members", "listing_submissions"} <= _tables(backend)


def _tables(backend: Backend) -> set[str]:
    if backend.name == "sqlite":
        rows = backend.raw("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = backend.raw(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    return {row[0] for row in rows}


def test_migrate_copies_members_and_submissions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    source = make_backend(request, "sqlite", tmp_path)
    target = make_backend(request, "postgresql", tmp_path)
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with source.open() as old:
        old.create("home-safely", PLAN, author="alice", validate=accept)
        old.set_member("home-safely", "alice", "owner", by=None, at=at)
        old.set_member("home-safely", "bob", "viewer", by="alice", at=at)
        old.submit_listing("home-safely", 1, user="alice", at=at)
        with target.open() as new:
            copy_all(old, new)
            assert new.members("home-safely") == old.members("home-safely")
            assert new.submissions() == old.submissions()
            assert new.memberships("bob") == {"home-safely": "viewer"}
