"""Tests for the stores (SQLite and PostgreSQL alike): opening, editing, history, replay, failures.

Tests that take `backend` run against both; those about the SQLite file itself take `db`.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from repo_paths import SCRIPTS
from store_backends import BACKENDS, Backend, make_backend

from sigworkbook.plan.paths import PathError
from sigworkbook.store import (
    NewerSchema,
    NotOurDatabase,
    SigExists,
    Snapshot,
    StoreBusy,
    StoreError,
    UnknownSig,
)
from sigworkbook.store import Store as StoreProtocol
from sigworkbook.store.sqlite import APPLICATION_ID
from sigworkbook.store.sqlite import SQLiteStore as Store

PLAN: dict[str, Any] = {
    "identity": {"name": "Home Safely", "motto": "Walk home together"},
    "schedule": {"activities": [{"title": "Kick-off"}, {"title": "Walkabout"}]},
}


class Refused(ValueError):
    """Raised by the test validator for a plan containing the value "BAD"."""


def _contains_bad(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_bad(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_bad(item) for item in value)
    return bool(value == "BAD")


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    """A tiny validator: refuse "BAD" anywhere, otherwise return the plan unchanged."""
    if _contains_bad(plan):
        raise Refused("the plan contains BAD")
    return plan


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "workspace.db"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """An empty database of each backend in turn."""
    return make_backend(request, request.param, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[StoreProtocol]:
    with backend.open() as opened:
        opened.create("home-safely", PLAN, author="ann", validate=accept)
        yield opened


def _raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)


def _folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- creating and opening


def test_new_database_is_marked_as_ours_and_uses_wal(db: Path) -> None:
    with Store(db) as opened:
        assert opened.sig_ids() == []
        assert opened._conn is not None  # the store's own connection settings
        assert opened._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert opened._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    raw = _raw(db)
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert raw.execute("PRAGMA user_version").fetchone()[0] == Store.SCHEMA_VERSION == 3
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "sigs", "history"} <= tables
    meta = dict(raw.execute("SELECT key, value FROM meta").fetchall())
    assert {"created_at", "created_by"} <= set(meta)
    raw.close()


def test_creating_leaves_only_the_database_behind(db: Path) -> None:
    Store(db).close()
    assert _folder_listing(db.parent) == ["workspace.db"]


def test_history_is_indexed_by_sig_and_revision(db: Path) -> None:
    Store(db).close()
    raw = _raw(db)
    indexed = []
    for _, name, unique, *_ in raw.execute("PRAGMA index_list('history')"):
        columns = [row[2] for row in raw.execute(f"PRAGMA index_info('{name}')")]
        indexed.append((columns, unique))
    raw.close()
    assert (["sig_id", "revision"], 1) in indexed


def test_reopening_keeps_the_data(backend: Backend) -> None:
    with backend.open() as first:
        first.create("a", PLAN, author=None, validate=accept)
        first.apply("a", [("identity.name", "New name")], author="bo", validate=accept)
    with backend.open(create=False) as second:
        assert second.sig_ids() == ["a"]
        assert second.current("a").plan["identity"]["name"] == "New name"
        assert second.revision("a") == 2


def test_create_false_does_not_create_a_missing_file(db: Path) -> None:
    with pytest.raises(StoreError, match=re.escape(str(db))):
        Store(db, create=False)
    assert not db.exists()


def test_missing_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "not-there"
    with pytest.raises(StoreError) as raised:
        Store(folder / "workspace.db")
    assert f"the folder {folder} does not exist" in str(raised.value)
    assert not folder.exists()


def _text_file(path: Path) -> None:
    path.write_text("name,email\nAnn,ann@example.org\n" * 20)


def _empty_file(path: Path) -> None:
    path.write_bytes(b"")


def _other_sqlite(path: Path) -> None:
    raw = _raw(path)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.execute("INSERT INTO contacts VALUES ('Ann')")
    raw.close()


def _other_sqlite_wal(path: Path) -> None:
    raw = _raw(path)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA application_id = 12345")
    raw.execute("CREATE TABLE sigs (x)")
    raw.close()


def _our_id_without_tables(path: Path) -> None:
    raw = _raw(path)
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.execute("PRAGMA user_version = 1")
    raw.execute("CREATE TABLE something_else (x)")
    raw.close()


def _truncated(path: Path) -> None:
    with Store(path) as opened:
        opened.create("a", PLAN, author=None, validate=accept)
        for n in range(50):
            opened.apply("a", [("notes.n", f"note {n} " * 20)], author=None, validate=accept)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged(path: Path) -> None:
    with Store(path) as opened:
        opened.create("a", PLAN, author=None, validate=accept)
        for n in range(50):
            opened.apply("a", [("notes.n", f"note {n} " * 20)], author=None, validate=accept)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) >= 4 * page
    data[2 * page : 3 * page] = b"\xa5" * page  # scribble over the third page
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "make",
    [
        _text_file,
        _empty_file,
        _other_sqlite,
        _other_sqlite_wal,
        _our_id_without_tables,
        _truncated,
        _damaged,
    ],
)
def test_a_file_that_is_not_ours_is_refused_and_left_alone(
    db: Path, make: Callable[[Path], None]
) -> None:
    make(db)
    before = db.read_bytes()
    listing = _folder_listing(db.parent)
    with pytest.raises(NotOurDatabase) as raised:
        Store(db)
    assert str(db) in str(raised.value)
    assert db.read_bytes() == before
    assert _folder_listing(db.parent) == listing


def test_a_folder_in_place_of_the_file_is_refused(db: Path) -> None:
    db.mkdir()
    with pytest.raises(NotOurDatabase, match="is a folder"):
        Store(db)


def test_a_newer_database_is_refused_and_left_alone(backend: Backend) -> None:
    with backend.open() as opened:
        opened.create("a", PLAN, author=None, validate=accept)
    backend.set_schema_version(7)
    before = backend.contents()
    for create in (True, False):
        with pytest.raises(NewerSchema) as raised:
            backend.open(create=create)
        message = str(raised.value)
        assert backend.location in message
        assert "version 7" in message
        assert f"up to version {Store.SCHEMA_VERSION}" in message
        assert "not changed" in message
        assert backend.contents() == before


# ---------------------------------------------------------------- migrations


def _add_tags(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE tags (sig_id TEXT NOT NULL, tag TEXT NOT NULL)")
    conn.execute("INSERT INTO tags SELECT sig_id, 'migrated' FROM sigs")


def _broken_migration(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    raise RuntimeError("step two failed")


NEXT = Store.SCHEMA_VERSION + 1


class StoreV2(Store):
    SCHEMA_VERSION = NEXT
    MIGRATIONS = (*Store.MIGRATIONS, _add_tags)


class BrokenV2(Store):
    SCHEMA_VERSION = NEXT
    MIGRATIONS = (*Store.MIGRATIONS, _broken_migration)


def test_an_older_database_is_upgraded_on_open(db: Path) -> None:
    with Store(db) as old:
        old.create("a", PLAN, author=None, validate=accept)
    with StoreV2(db) as new:
        assert new.current("a").plan == PLAN
        assert new.plan_at("a", 1) == PLAN
    raw = _raw(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == NEXT
    assert raw.execute("SELECT sig_id, tag FROM tags").fetchall() == [("a", "migrated")]
    raw.close()
    with pytest.raises(NewerSchema, match=f"version {NEXT}"):
        Store(db)


def test_a_new_database_gets_every_migration(db: Path) -> None:
    StoreV2(db).close()
    raw = _raw(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == NEXT
    assert raw.execute("SELECT COUNT(*) FROM tags").fetchone()[0] == 0
    raw.close()


def test_a_failed_upgrade_changes_nothing(db: Path) -> None:
    with Store(db) as old:
        old.create("a", PLAN, author=None, validate=accept)
    with pytest.raises(StoreError) as raised:
        BrokenV2(db)
    assert f"from version {Store.SCHEMA_VERSION} to {NEXT}" in str(raised.value)
    assert "step two failed" in str(raised.value)
    raw = _raw(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == Store.SCHEMA_VERSION
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    raw.close()
    with Store(db) as again:
        assert again.current("a").plan == PLAN


def test_a_store_class_needs_one_migration_per_version(db: Path) -> None:
    class Inconsistent(Store):
        SCHEMA_VERSION = NEXT + 1

    with pytest.raises(TypeError, match="one migration per schema version"):
        Inconsistent(db)
    assert not db.exists()


# ---------------------------------------------------------------- read-only workspaces


@pytest.fixture
def shared_folder(tmp_path: Path) -> Iterator[Path]:
    """A workspace folder whose permissions the test may change; they are restored after."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER, _PR_CAPBSET_DROP = 1, 2, 3, 24


def _drop_file_permission_overrides() -> None:
    """In the child before exec: give up root's power to ignore file permissions.

    Removing these capabilities from the bounding set means the executed program runs as root
    but is held to the permission bits like any other user (Linux only).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _run_as_unprivileged(*args: str) -> dict[str, Any]:
    """Run the read-only helper in a process that file permissions apply to."""
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "store_readonly.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
        preexec_fn=_drop_file_permission_overrides if os.geteuid() == 0 else None,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    ("folder_mode", "file_mode"),
    [(0o555, 0o444), (0o777, 0o444), (0o555, 0o644)],
    ids=["folder-and-file-read-only", "file-read-only", "folder-read-only"],
)
def test_a_read_only_workspace_can_be_read_but_not_written(
    shared_folder: Path, folder_mode: int, file_mode: int
) -> None:
    db = shared_folder / "workspace.db"
    with Store(db) as opened:
        opened.create("a", PLAN, author=None, validate=accept)
        opened.apply("a", [("identity.name", "Second")], author=None, validate=accept)
    db.chmod(file_mode)
    shared_folder.chmod(folder_mode)
    before = db.read_bytes()

    report = _run_as_unprivileged(str(db), "a")

    assert "open_error" not in report, report
    assert report["read_only"] is True
    assert report["revision"] == 2
    assert report["plan"]["identity"]["name"] == "Second"
    assert report["history"] == 2
    assert report["plan_at_1"] == PLAN
    kind, message = report["write_error"]
    assert kind == "StoreError"
    assert "read-only" in message
    assert report["revision_after"] == 2
    assert db.read_bytes() == before


def test_creating_in_a_read_only_folder_says_so(shared_folder: Path) -> None:
    shared_folder.chmod(0o555)
    report = _run_as_unprivileged(str(shared_folder / "workspace.db"), "a")
    kind, message = report["open_error"]
    assert kind == "StoreError"
    assert "read-only" in message
    assert str(shared_folder) in message
    assert list(shared_folder.iterdir()) == []


# ---------------------------------------------------------------- SIGs


def test_create_and_read_back(backend: Backend) -> None:
    with backend.open() as opened:
        snapshot = opened.create("home-safely", PLAN, author="ann", validate=accept)
        assert snapshot == Snapshot(revision=1, plan=PLAN)
        assert opened.current("home-safely") == snapshot
        assert opened.revision("home-safely") == 1
        assert opened.exists("home-safely")
        assert not opened.exists("other")
        (change,) = opened.history("home-safely")
        assert (change.revision, change.path, change.value) == (1, "", PLAN)
        assert (change.author, change.kind, change.note) == ("ann", "create", None)


def test_sig_ids_are_sorted(backend: Backend) -> None:
    with backend.open() as opened:
        for sig_id in ["walkers", "allotments", "m3-readers"]:
            opened.create(sig_id, {}, author=None, validate=accept)
        assert opened.sig_ids() == ["allotments", "m3-readers", "walkers"]


def test_create_twice_is_refused(store: StoreProtocol) -> None:
    with pytest.raises(SigExists, match="'home-safely'"):
        store.create("home-safely", {"other": 1}, author=None, validate=accept)
    assert store.current("home-safely").plan == PLAN
    assert store.revision("home-safely") == 1


@pytest.mark.parametrize("sig_id", ["", "Home", "home safely", "-x", "x" * 65, "a/b", "ü"])
def test_bad_sig_ids_are_refused(backend: Backend, sig_id: str) -> None:
    with backend.open() as opened:
        with pytest.raises(StoreError, match="SIG id"):
            opened.create(sig_id, {}, author=None, validate=accept)
        assert opened.sig_ids() == []


def test_create_validates_and_stores_the_normalised_plan(backend: Backend) -> None:
    with backend.open() as opened:
        with pytest.raises(Refused):
            opened.create("a", {"name": "BAD"}, author=None, validate=accept)
        assert not opened.exists("a")
        snapshot = opened.create("a", {"name": " X "}, author=None, validate=_with_defaults)
        expected = {"name": "X", "slug": "x", "status": "draft"}
        assert snapshot.plan == expected
        assert opened.current("a").plan == expected
        assert opened.history("a")[0].value == expected


def test_unknown_sigs_are_named(store: StoreProtocol) -> None:
    calls: list[Callable[[], object]] = [
        lambda: store.current("nope"),
        lambda: store.revision("nope"),
        lambda: store.history("nope"),
        lambda: store.plan_at("nope", 1),
        lambda: store.apply("nope", [("a", 1)], author=None, validate=accept),
        lambda: store.replace("nope", {}, author=None, validate=accept),
    ]
    for call in calls:
        with pytest.raises(UnknownSig, match="'nope'"):
            call()


# ---------------------------------------------------------------- editing


def test_each_change_is_its_own_revision(store: StoreProtocol) -> None:
    snapshot = store.apply(
        "home-safely",
        [("identity.name", "Walk Home"), ("notes.w1", "first"), ("schedule.activities.1.day", 3)],
        author="bo",
        validate=accept,
        note="from the kick-off",
    )
    assert snapshot.revision == 4
    assert snapshot.plan["identity"]["name"] == "Walk Home"
    assert snapshot.plan["notes"] == {"w1": "first"}
    assert snapshot.plan["schedule"]["activities"][1] == {"title": "Walkabout", "day": 3}
    assert store.current("home-safely") == snapshot
    newest = store.history("home-safely", limit=3)
    assert [(c.revision, c.path, c.value) for c in newest] == [
        (4, "schedule.activities.1.day", 3),
        (3, "notes.w1", "first"),
        (2, "identity.name", "Walk Home"),
    ]
    assert {(c.author, c.kind, c.note, c.at) for c in newest} == {
        ("bo", "set", "from the kick-off", newest[0].at)
    }


def test_a_change_to_the_same_value_is_skipped(store: StoreProtocol) -> None:
    calls: list[dict[str, Any]] = []

    def counting(plan: dict[str, Any]) -> dict[str, Any]:
        calls.append(plan)
        return plan

    same = store.apply(
        "home-safely", [("identity.name", "Home Safely")], author="bo", validate=counting
    )
    assert same == store.current("home-safely")
    assert same.revision == 1
    assert calls == []
    mixed = store.apply(
        "home-safely",
        [("identity.name", "Home Safely"), ("identity.motto", "Never alone")],
        author="bo",
        validate=counting,
    )
    assert mixed.revision == 2
    assert [c.path for c in store.history("home-safely")] == ["identity.motto", ""]
    assert len(calls) == 1


def test_one_and_true_are_different_values(store: StoreProtocol) -> None:
    store.apply("home-safely", [("flags.x", 1)], author=None, validate=accept)
    snapshot = store.apply("home-safely", [("flags.x", True)], author=None, validate=accept)
    assert snapshot.revision == 3
    assert snapshot.plan["flags"]["x"] is True


def test_a_refused_plan_writes_nothing_and_the_exception_passes_through(
    store: StoreProtocol, backend: Backend
) -> None:
    raised: list[BaseException] = []

    def refuse(plan: dict[str, Any]) -> dict[str, Any]:
        error = Refused("name: must not be BAD")
        raised.append(error)
        raise error

    before = (store.current("home-safely"), store.history("home-safely"))
    with pytest.raises(Refused) as caught:
        store.apply(
            "home-safely",
            [("identity.motto", "fine"), ("identity.name", "BAD")],
            author="bo",
            validate=refuse,
        )
    assert caught.value is raised[0]
    assert (store.current("home-safely"), store.history("home-safely")) == before
    assert backend.raw("SELECT COUNT(*) FROM history") == [(1,)]
    # the store is still usable: the transaction was rolled back, not left open
    assert store.apply("home-safely", [("x", 1)], author=None, validate=accept).revision == 2


def _with_defaults(plan: dict[str, Any]) -> dict[str, Any]:
    """A normalising validator: trims the name, adds a status and a derived slug."""
    new = dict(plan)
    if isinstance(new.get("name"), str):
        new["name"] = new["name"].strip()
        new["slug"] = new["name"].lower().replace(" ", "-")
    new.setdefault("status", "draft")
    return new


def test_the_normalised_value_is_recorded_and_replay_matches(backend: Backend) -> None:
    with backend.open() as opened:
        opened.create("a", {}, author=None, validate=_with_defaults)
        snapshot = opened.apply(
            "a", [("name", "  Walk Home  ")], author="cy", validate=_with_defaults, note="typed"
        )
        assert snapshot.plan == {"name": "Walk Home", "slug": "walk-home", "status": "draft"}
        history = opened.history("a")
        assert [(c.path, c.value, c.note) for c in history[:2]] == [
            ("slug", "walk-home", "typed (changed by validation)"),
            ("name", "Walk Home", "typed"),
        ]
        assert opened.plan_at("a", snapshot.revision) == snapshot.plan
        assert opened.current("a") == snapshot


def test_overlapping_changes_in_one_call_each_get_a_revision(backend: Backend) -> None:
    with backend.open() as opened:
        opened.create("a", {}, author=None, validate=_with_defaults)
        snapshot = opened.apply(
            "a",
            [
                ("name", " First "),
                ("name", " Second "),
                ("notes", {"x": 1, "y": 2}),
                ("notes.x", 5),
                ("notes.x", 5),  # the same as the change before it: skipped
            ],
            author=None,
            validate=_with_defaults,
        )
        assert snapshot.plan == {
            "name": "Second",
            "slug": "second",
            "status": "draft",
            "notes": {"x": 5, "y": 2},
        }
        rows = [(c.path, c.value, c.note) for c in reversed(opened.history("a"))][1:]
        assert rows == [
            ("name", " First ", None),
            ("name", "Second", None),
            ("notes", {"x": 1, "y": 2}, None),
            ("notes.x", 5, None),
            ("slug", "second", "changed by validation"),
        ]
        assert opened.plan_at("a", snapshot.revision) == snapshot.plan


def test_validation_that_removes_keys_is_recorded_as_a_whole_value(backend: Backend) -> None:
    def drop_scratch(plan: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in plan.items() if key != "scratch"}

    with backend.open() as opened:
        opened.create("a", {"keep": 1}, author=None, validate=accept)
        opened.apply("a", [("other", 2)], author=None, validate=accept)
        opened.apply("a", [("scratch", 3)], author=None, validate=accept)
        snapshot = opened.apply("a", [("keep", 5)], author=None, validate=drop_scratch)
        assert snapshot.plan == {"keep": 5, "other": 2}
        assert opened.plan_at("a", snapshot.revision) == snapshot.plan
        assert opened.history("a", limit=1)[0].path == ""


def test_validate_must_return_a_dict(store: StoreProtocol) -> None:
    with pytest.raises(StoreError, match="must be a dict, not list"):
        store.apply("home-safely", [("x", 1)], author=None, validate=lambda plan: [plan])  # type: ignore[arg-type,return-value]
    assert store.revision("home-safely") == 1


@pytest.mark.parametrize("value", [float("nan"), {1, 2}, object(), datetime.now(UTC)])
def test_values_that_are_not_json_are_refused(store: StoreProtocol, value: Any) -> None:
    with pytest.raises(
        StoreError, match=re.escape("the value for 'notes.when' cannot be stored as JSON")
    ):
        store.apply("home-safely", [("notes.when", value)], author=None, validate=accept)
    assert store.revision("home-safely") == 1


def test_tuples_are_stored_as_lists(store: StoreProtocol) -> None:
    snapshot = store.apply("home-safely", [("tags", ("a", "b"))], author=None, validate=accept)
    assert snapshot.plan["tags"] == ["a", "b"]
    assert store.current("home-safely").plan["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    ("path", "complaint"),
    [("Identity.name", "may only contain"), ("identity.name.first", "used on a string")],
)
def test_bad_paths_raise_path_error_and_write_nothing(
    store: StoreProtocol, path: str, complaint: str
) -> None:
    with pytest.raises(PathError, match=complaint):
        store.apply("home-safely", [("notes.ok", 1), (path, "x")], author=None, validate=accept)
    assert store.revision("home-safely") == 1
    assert "notes" not in store.current("home-safely").plan


def test_unknown_kinds_are_refused(store: StoreProtocol) -> None:
    for kind in ("create", "delete"):
        with pytest.raises(ValueError, match=f"kind '{kind}'"):
            store.apply("home-safely", [("x", 1)], author=None, validate=accept, kind=kind)


def test_replace_and_restore_record_whole_plans(store: StoreProtocol) -> None:
    store.apply("home-safely", [("identity.name", "Second")], author="bo", validate=accept)
    replaced = store.replace("home-safely", {"imported": True}, author="cy", validate=accept)
    assert replaced == Snapshot(revision=3, plan={"imported": True})
    restored = store.replace(
        "home-safely",
        store.plan_at("home-safely", 1),
        author="dee",
        validate=accept,
        kind="restore",
        note="restored revision 1",
    )
    assert restored == Snapshot(revision=4, plan=PLAN)
    newest = store.history("home-safely", limit=2)
    assert [(c.path, c.kind, c.note, c.author) for c in newest] == [
        ("", "restore", "restored revision 1", "dee"),
        ("", "replace", None, "cy"),
    ]
    same = store.replace("home-safely", PLAN, author="dee", validate=accept)
    assert same.revision == 4


def test_a_restore_of_one_field_is_an_ordinary_change_of_kind_restore(store: StoreProtocol) -> None:
    store.apply("home-safely", [("identity.name", "Second")], author=None, validate=accept)
    old_name = store.plan_at("home-safely", 1)["identity"]["name"]
    snapshot = store.apply(
        "home-safely",
        [("identity.name", old_name)],
        author=None,
        validate=accept,
        kind="restore",
        note="restored revision 1",
    )
    assert snapshot.plan == PLAN
    change = store.history("home-safely", limit=1)[0]
    assert (change.path, change.kind, change.note) == (
        "identity.name",
        "restore",
        "restored revision 1",
    )


def test_history_can_be_filtered_by_path(store: StoreProtocol) -> None:
    edits: list[tuple[str, Any]] = [
        ("notes.w1", "a"),
        ("notes.w10", "b"),
        ("notes.w1", {"text": "c"}),
        ("notes.w1.text", "d"),
        ("notes", {"w1": "e"}),
        ("identity.name", "f"),
    ]
    for path, value in edits:
        store.apply("home-safely", [(path, value)], author=None, validate=accept)
    store.replace("home-safely", {"notes": {"w1": "g"}}, author=None, validate=accept)

    def paths(**kwargs: Any) -> list[tuple[int, str]]:
        return [(c.revision, c.path) for c in store.history("home-safely", **kwargs)]

    assert paths(path="notes.w1") == [(5, "notes.w1.text"), (4, "notes.w1"), (2, "notes.w1")]
    assert paths(path="notes.w1", include_ancestors=True) == [
        (8, ""),
        (6, "notes"),
        (5, "notes.w1.text"),
        (4, "notes.w1"),
        (2, "notes.w1"),
        (1, ""),
    ]
    assert paths(path="notes.w1", limit=2) == [(5, "notes.w1.text"), (4, "notes.w1")]
    assert len(paths(path="")) == len(paths()) == 8
    assert paths(limit=0) == []
    assert paths(path="schedule") == []
    with pytest.raises(PathError):
        store.history("home-safely", path="Notes")
    with pytest.raises(ValueError, match="limit"):
        store.history("home-safely", limit=-1)


def test_plan_at_replays_history_and_matches_every_snapshot(backend: Backend) -> None:
    rng = random.Random(20240611)
    with backend.open() as opened:
        first = opened.create("a", {"items": [], "notes": {}}, author=None, validate=accept)
        snapshots: dict[int, dict[str, Any]] = {first.revision: first.plan}
        for step in range(400):
            plan = opened.current("a").plan
            choice = rng.random()
            if choice < 0.1:
                new = {"items": [step], "notes": {"restart": step}, "title": f"t{step}"}
                snapshot = opened.replace("a", new, author=None, validate=accept)
            elif choice < 0.15:
                target = rng.randint(1, opened.revision("a"))
                snapshot = opened.replace(
                    "a",
                    opened.plan_at("a", target),
                    author=None,
                    validate=accept,
                    kind="restore",
                    note=f"restored revision {target}",
                )
            elif choice < 0.3:
                snapshot = opened.apply(
                    "a", [("items", [*plan.get("items", []), step])], author=None, validate=accept
                )
            elif choice < 0.45 and plan.get("items"):
                index = rng.randrange(len(plan["items"]))
                snapshot = opened.apply(
                    "a", [(f"items.{index}", {"n": step})], author=None, validate=accept
                )
            else:
                changes = [
                    (f"notes.k{rng.randint(0, 9)}", rng.choice([step, str(step), None, [step]])),
                    (f"deep.d{rng.randint(0, 3)}.v", step),
                ]
                snapshot = opened.apply("a", changes, author=None, validate=accept)
            snapshots[snapshot.revision] = snapshot.plan
        latest = opened.revision("a")
        assert latest > 400
        for revision, plan in snapshots.items():
            assert opened.plan_at("a", revision) == plan, revision
        assert opened.plan_at("a", latest) == opened.current("a").plan
        revisions = [c.revision for c in opened.history("a")]
        assert revisions == list(range(latest, 0, -1))


def test_row_ids_at_agree_with_the_replayed_plan_at_every_revision(backend: Backend) -> None:
    """Rows added, removed and moved (by the list, its section or the whole plan) and edited."""
    rng = random.Random(20261126)
    table = "schedule.activities"
    with backend.open() as opened:
        opened.create("a", {"schedule": {"activities": []}}, author=None, validate=accept)
        for step in range(300):
            rows = opened.current("a").plan["schedule"]["activities"]
            choice = rng.random()
            if choice < 0.3 or not rows:
                changes: list[tuple[str, Any]] = [(table, [*rows, {"id": f"r{step}"}])]
            elif choice < 0.4:
                changes = [(table, [r for r in rows if r is not rng.choice(rows)])]
            elif choice < 0.5:
                changes = [("schedule", {"activities": rng.sample(rows, len(rows))})]
            elif choice < 0.55:
                changes = [("", {"schedule": {"activities": rng.sample(rows, len(rows))}})]
            else:
                changes = [(f"{table}.{rng.randrange(len(rows))}.title", f"t{step}")]
            opened.apply("a", changes, author=None, validate=accept)
        for revision in range(1, opened.revision("a") + 1):
            expected = [
                row["id"] for row in opened.plan_at("a", revision)["schedule"]["activities"]
            ]
            assert opened.row_ids_at("a", table, revision) == expected, f"revision {revision}"
        assert opened.row_ids_at("a", "schedule", 5) is None, "not a list"
        assert opened.row_ids_at("a", "charter.risks", 5) is None, "no such list"


def test_plan_at_reads_the_log_not_the_snapshot(store: StoreProtocol, backend: Backend) -> None:
    store.apply("home-safely", [("identity.name", "Second")], author=None, validate=accept)
    backend.raw("UPDATE sigs SET plan = '{\"tampered\": true}'")
    assert store.current("home-safely").plan == {"tampered": True}
    assert store.plan_at("home-safely", 2)["identity"]["name"] == "Second"


def test_plan_at_refuses_revisions_that_do_not_exist(store: StoreProtocol) -> None:
    for revision in (0, 2, -1):
        with pytest.raises(StoreError, match=f"no revision {revision}: its revisions are 1 to 1"):
            store.plan_at("home-safely", revision)


def test_values_and_plans_are_stored_as_sorted_json_text(
    store: StoreProtocol, backend: Backend
) -> None:
    value = {"zebra": "Ünïcödé ✓", "alpha": [1, 2.5, None, True]}
    store.apply("home-safely", [("notes.mixed", value)], author=None, validate=accept)
    ((stored,),) = backend.raw("SELECT value FROM history WHERE revision = 2")
    ((plan_text,),) = backend.raw("SELECT plan FROM sigs")
    assert stored == json.dumps(value, ensure_ascii=False, sort_keys=True)
    assert plan_text == json.dumps(
        store.current("home-safely").plan, ensure_ascii=False, sort_keys=True
    )


def test_timestamps_are_utc_iso_with_microseconds(store: StoreProtocol, backend: Backend) -> None:
    start = datetime.now(UTC)
    store.apply("home-safely", [("x", 1)], author=None, validate=accept)
    end = datetime.now(UTC)
    change = store.history("home-safely", limit=1)[0]
    assert change.at.tzinfo is not None
    assert change.at.utcoffset() is not None and change.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert start <= change.at <= end
    ((text,),) = backend.raw("SELECT at FROM history WHERE revision = 2")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", text)


# ---------------------------------------------------------------- integrity and locking


def test_the_database_refuses_to_rewrite_history(store: StoreProtocol, backend: Backend) -> None:
    with pytest.raises(backend.IntegrityError, match="append-only"):
        backend.raw("UPDATE history SET value = '\"x\"'")
    with pytest.raises(backend.IntegrityError, match="append-only"):
        backend.raw("DELETE FROM history")
    with pytest.raises(backend.IntegrityError, match="without gaps"):
        backend.raw(
            "INSERT INTO history (sig_id, revision, path, value, at, kind) "
            "VALUES ('home-safely', 5, 'x', '1', '2024-01-01T00:00:00.000000+00:00', 'set')"
        )
    if backend.name == "postgresql":
        with pytest.raises(backend.IntegrityError, match="append-only"):
            backend.raw("TRUNCATE history")
    assert len(store.history("home-safely")) == 1


def test_a_held_write_lock_makes_writes_fail_with_store_busy(db: Path) -> None:
    with Store(db, busy_timeout=0.3) as opened:
        opened.create("a", PLAN, author=None, validate=accept)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            with pytest.raises(StoreBusy) as raised:
                opened.apply("a", [("x", 1)], author=None, validate=accept)
            waited = time.monotonic() - started
            assert 0.25 <= waited < 5
            assert "busy" in str(raised.value)
            assert "0.3 s" in str(raised.value)
            # readers are not blocked by a writer in WAL mode
            assert opened.current("a").plan == PLAN
            assert opened.revision("a") == 1
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert opened.apply("a", [("x", 1)], author=None, validate=accept).revision == 2


def test_a_closed_store_says_so(backend: Backend) -> None:
    opened = backend.open()
    opened.close()
    opened.close()  # harmless
    with pytest.raises(StoreError, match="has been closed"):
        opened.sig_ids()
    with backend.open() as again:
        pass
    with pytest.raises(StoreError, match="has been closed"):
        again.exists("a")


def test_one_store_can_be_used_from_several_threads(store: StoreProtocol) -> None:
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for n in range(25):
                store.apply("home-safely", [(f"notes.{name}", n + 1)], author=name, validate=accept)
                store.current("home-safely")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.revision("home-safely") == 1 + 4 * 25
    assert store.current("home-safely").plan["notes"] == {f"t{i}": 25 for i in range(4)}
    assert [c.revision for c in store.history("home-safely")] == list(range(101, 0, -1))


@pytest.mark.slow
def test_a_history_of_ten_thousand_revisions_replays_to_the_plan(backend: Backend) -> None:
    # How fast saves stay at this size is benchmark figure 6 (make bench), not a timed test.
    with backend.open() as opened:
        opened.create("a", PLAN, author=None, validate=accept)
        for batch in range(10):
            changes = [(f"notes.k{n % 40}", f"{batch}-{n}") for n in range(1000)]
            opened.apply("a", changes, author="bulk", validate=accept)
        assert opened.revision("a") == 10_001
        for n in range(20):
            opened.apply("a", [("identity.name", f"Name {n}")], author=None, validate=accept)
        assert opened.revision("a") == 10_021
        assert opened.plan_at("a", opened.revision("a")) == opened.current("a").plan
        assert opened.plan_at("a", 5_001)["notes"]["k39"] == "4-999"


def test_without_a_validator_given_every_edit_passes_the_plan_models(backend: Backend) -> None:
    """The store is given its validator once (the model's rules): an edit that names none is
    checked all the same, and one the model refuses saves nothing."""
    from sigworkbook.plan.validation import PlanError, normalise

    with backend.open() as opened:
        assert opened.validator is normalise
        created = opened.create("walk", {"id": "walk"}, author=None)
        assert created.plan == normalise({"id": "walk"})
        with pytest.raises(PlanError, match="Schema version"):
            opened.apply("walk", [("schema_version", "two")], author=None)
        with pytest.raises(PlanError):
            opened.update("walk", lambda _plan: [("identity.name", 7)], author=None)
        with pytest.raises(PlanError):
            opened.replace("walk", {"id": "walk", "schema_version": "two"}, author=None)
        assert opened.revision("walk") == 1
