"""`migrate` copies the record of erasures and deletions with the SIGs, SQLite to PostgreSQL and
back, and refuses a target that already holds such a record."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_backends import SQLiteBackend, make_backend

from sigworkbook.store import Store, StoreError
from sigworkbook.store.migrate import copy_all
from sigworkbook.workspace import Workspace


def _with_erasures(store: Store, root: Path) -> None:
    """Two SIGs naming Ann Smith; she is erased, then one SIG is deleted."""
    ws = Workspace(root, store)
    for name in ("Walk Club", "Frailty Friends"):
        sig_id = ws.new_sig(name).plan.id
        ws.set(sig_id, "core_group.people", [{"name": "Ann Smith", "contact": "ann@example.org"}])
    store.erase_person("Ann Smith", by="operator")
    store.delete_sig("walk-club", by="operator")


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_migrate_copies_the_record_of_erasures(
    request: pytest.FixtureRequest, tmp_path: Path, direction: str
) -> None:
    first, second = direction.split("-to-")
    source_backend = make_backend(request, first, tmp_path / "from")
    target_backend = make_backend(request, second, tmp_path / "to")
    for folder in ("from", "to"):
        (tmp_path / folder).mkdir()
    with source_backend.open() as source, target_backend.open() as target:
        _with_erasures(source, tmp_path / "from")
        recorded = source.erasures()
        assert [(e.number, e.what) for e in recorded] == [(2, "sig"), (1, "person")]
        copied = copy_all(source, target)
        assert copied.sigs == 1
        assert target.erasures() == recorded
        assert target.sig_ids() == ["frailty-friends"]


def test_migrate_refuses_a_target_that_holds_a_record_of_erasures(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    (tmp_path / "from").mkdir()
    (tmp_path / "to").mkdir()
    source_backend = SQLiteBackend(tmp_path / "from" / "workspace.db")
    target_backend = make_backend(request, "postgresql", tmp_path / "to")
    with source_backend.open() as source, target_backend.open() as target:
        _with_erasures(source, tmp_path / "from")
        _with_erasures(target, tmp_path / "to")
        target.delete_sig("frailty-friends", by="operator")  # no SIG left, only the record
        before = target.erasures()
        with pytest.raises(StoreError, match="already holds a record of erasures"):
            copy_all(source, target)
        assert target.erasures() == before
        assert target.sig_ids() == []
