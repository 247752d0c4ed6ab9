"""The two store backends as tests see them: open a store, look into its database directly."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import psycopg
import pytest

from sigworkbook.hosting.identity import User
from sigworkbook.store import Store, database_url
from sigworkbook.store.postgres import PostgresStore
from sigworkbook.store.sqlite import SQLiteStore
from sigworkbook.workspace import Workspace

BACKENDS = ("sqlite", "postgresql")


@dataclass
class SQLiteBackend:
    """A workspace database file."""

    file: Path
    name: ClassVar[str] = "sqlite"
    IntegrityError: ClassVar[type[Exception]] = sqlite3.IntegrityError

    @property
    def url(self) -> str:
        return database_url(self.file)

    @property
    def location(self) -> str:
        """How the store names its database in messages."""
        return str(self.file)

    def open(self, *, create: bool = True, busy_timeout: float = 30.0) -> Store:
        return SQLiteStore(self.file, create=create, busy_timeout=busy_timeout)

    def raw(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement on the database directly (``?`` placeholders)."""
        conn = sqlite3.connect(self.file, isolation_level=None)
        try:
            return conn.execute(statement, params).fetchall()
        finally:
            conn.close()

    def set_schema_version(self, version: int) -> None:
        self.raw(f"PRAGMA user_version = {version}")

    def contents(self) -> object:
        """Everything in the database, to show that nothing was written."""
        return self.file.read_bytes()


@dataclass
class PostgresBackend:
    """A database on the test session's PostgreSQL server."""

    url: str
    name: ClassVar[str] = "postgresql"
    IntegrityError: ClassVar[type[Exception]] = psycopg.IntegrityError

    @property
    def location(self) -> str:
        return self.url

    def open(self, *, create: bool = True, busy_timeout: float = 30.0) -> Store:
        return PostgresStore(self.url, create=create, busy_timeout=busy_timeout)

    def raw(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement on the database directly (``?`` placeholders)."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(statement.replace("?", "%s").encode(), params or None)
            return cursor.fetchall() if cursor.description else []

    def set_schema_version(self, version: int) -> None:
        self.raw("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))

    def contents(self) -> object:
        """Every table, function and trigger of the database with every row, sorted."""
        tables = [
            row[0]
            for row in self.raw(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() ORDER BY table_name"
            )
        ]
        rows = {table: sorted(map(repr, self.raw(f'SELECT * FROM "{table}"'))) for table in tables}
        routines = self.raw(
            "SELECT routine_name FROM information_schema.routines "
            "WHERE routine_schema = current_schema() ORDER BY routine_name"
        )
        return tables, rows, routines


Backend = SQLiteBackend | PostgresBackend


def make_backend(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> Backend:
    """The backend `name`, with a new empty database (PostgreSQL only when the server runs)."""
    if name == "sqlite":
        return SQLiteBackend(tmp_path / "workspace.db")
    url: str = request.getfixturevalue("postgres_url")
    return PostgresBackend(url)


ALICE, TOM = User("alice"), User("tom")


def hosted_sig(
    request: pytest.FixtureRequest,
    name: str,
    tmp_path: Path,
    prepare: Callable[[Workspace, str], object],
) -> tuple[Backend, str]:
    """A hosted SIG "Frailty Friends" of alice's with tom as an editor on the backend `name`,
    then `prepare(alice's workspace, sig_id)`; the backend and the SIG's id."""
    backend = make_backend(request, name, tmp_path)
    with Workspace(tmp_path, backend.open(), user=ALICE) as alice:
        sig_id = alice.new_sig("Frailty Friends").plan.id
        alice.set_member(sig_id, "tom", "editor")
        prepare(alice, sig_id)
    return backend, sig_id


def raw_text(backend: Backend) -> str:
    """Everything the database holds, as one lower-case text: the SQLite file and its
    write-ahead log byte by byte, or every row of every PostgreSQL table."""
    if isinstance(backend, SQLiteBackend):
        folder = backend.file.parent
        data = b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())
        return data.decode("utf-8", "replace").lower()
    assert isinstance(backend, PostgresBackend)
    tables = backend.raw(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return "\n".join(
        str(row[0])
        for (table,) in tables
        for row in backend.raw(f'SELECT t::text FROM "{table}" t')
    ).lower()
