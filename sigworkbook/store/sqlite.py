"""The SQLite backend: one database file in the workspace folder, in WAL mode, fsync on commit."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from sigworkbook.store import lifecycle
from sigworkbook.store.erasure import HistoryRow
from sigworkbook.store.interface import (
    ChangeFeed,
    Presence,
    Snapshot,
    Store,
    StoreError,
    UnknownSig,
)
from sigworkbook.store.polling import PollingFeed
from sigworkbook.store.shared import SharedStore, Transaction
from sigworkbook.store.sqlite_file import (
    APPLICATION_ID,
    BUSY,
    LOCKED,
    OPEN_STORES,
    SQLiteFile,
    primary_code,
)
from sigworkbook.store.sqlite_presence import SQLitePresence
from sigworkbook.store.urls import sqlite_path

__all__ = ["APPLICATION_ID", "SQLiteStore", "open_url"]

_log = logging.getLogger("sigworkbook.store")

_GUARDS: Final = ("history_no_update", "history_no_delete")
"""The triggers that keep history append-only."""


@contextlib.contextmanager
def _unguarded(transaction: Transaction) -> Iterator[None]:
    """History without its append-only triggers, inside one write transaction only: the
    triggers are dropped and created again, word for word, before it commits, so no other
    connection ever sees them missing (and a failure rolls the drop back with the rest)."""
    saved = transaction.run(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'history' "
        f"AND name IN ({', '.join('?' * len(_GUARDS))}) ORDER BY name",
        _GUARDS,
    )
    if sorted(name for name, _ in saved) != sorted(_GUARDS):
        raise StoreError("the history's append-only triggers are missing: nothing was erased")
    for name, _ in saved:
        transaction.run(f"DROP TRIGGER {name}", ())
    yield
    for _, sql in saved:
        transaction.run(sql, ())


class SQLiteStore(SQLiteFile, SharedStore, lifecycle.Lifecycle):
    """One SQLite workspace database holding any number of SIGs, each with its full history.

    A Store may be shared between threads (calls are serialised by a lock); separate processes
    each open their own. Every write is one ``BEGIN IMMEDIATE`` transaction that waits up to
    ``busy_timeout`` seconds for other writers and is on disk when the call returns.
    """

    def __init__(
        self, path: Path | str, *, create: bool = True, busy_timeout: float = 30.0
    ) -> None:
        """Open the database at ``path``, creating it first if it is missing and ``create``."""
        if len(self.MIGRATIONS) != self.SCHEMA_VERSION:
            raise TypeError(f"{type(self).__name__} needs one migration per schema version")
        self.path = Path(path).absolute()
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._read_only = False
        folder = self.path.parent
        if not folder.is_dir():
            raise StoreError(f"cannot open {self.path}: the folder {folder} does not exist")
        if not os.path.lexists(self.path):
            if not create:
                raise StoreError(f"there is no workspace database at {self.path}")
            self._create_file()
        self._conn = self._open_existing()
        OPEN_STORES.add(self)

    # ----------------------------------------------------------------- opening

    # ----------------------------------------------------------------- plumbing

    @property
    def location(self) -> str:
        """The database file's path."""
        return str(self.path)

    def presence(self) -> Presence:
        """The presence register: a small file beside the database, no fsync per heartbeat."""
        return SQLitePresence(self.path.parent)

    def change_feed(self, sig_id: str) -> ChangeFeed:
        """New revisions, found by reading the revision every half second."""
        return PollingFeed(self, sig_id)

    @property
    def read_only(self) -> bool:
        """Whether the database was opened for reading only (the file or folder is read-only)."""
        return self._read_only

    def close(self) -> None:
        """Close the database; further calls raise StoreError. Closing twice is harmless."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        """The open connection, or a StoreError if the store was closed."""
        if self._conn is None:
            raise StoreError(f"the workspace database {self.path} has been closed")
        return self._conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, held under the lock, with sqlite3 errors translated."""
        with self._lock, self._translate():
            yield self._connection()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed if the block succeeds, rolled back if it raises."""
        with self._lock, self._translate():
            conn = self._connection()
            if self._read_only:
                raise self._read_only_error()
            self._begin_immediate(conn)
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[Transaction]:
        with self._reading() as conn:
            yield _Transaction(conn, self)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Transaction]:
        with self._writing() as conn:
            yield _Transaction(conn, self)

    def _begin_immediate(self, conn: sqlite3.Connection) -> None:
        """Take the write lock, retrying with short randomised pauses up to the busy timeout.

        SQLite's own busy handler sleeps up to 100 ms between attempts, which makes many
        writers queue far longer than the few milliseconds each of them holds the lock.
        """
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.0005
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    left = deadline - time.monotonic()
                    if primary_code(error) not in (BUSY, LOCKED) or left <= 0:
                        raise
                    time.sleep(min(left, pause * random.uniform(0.5, 1.5)))
                    pause = min(pause * 1.5, 0.01)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def _snapshot_row(self, conn: sqlite3.Connection, sig_id: str) -> Snapshot:
        row = conn.execute(
            "SELECT revision, plan, closed_at FROM sigs WHERE sig_id = ?", (sig_id,)
        ).fetchone()
        if row is None:
            raise UnknownSig(f"there is no SIG {sig_id!r} in {self.path}")
        return Snapshot(revision=row[0], plan=json.loads(row[1]), closed=row[2] is not None)

    # ----------------------------------------------------------------- erasure

    def _rewrite_history(
        self, transaction: Transaction, sig_id: str, rows: Sequence[HistoryRow]
    ) -> None:
        """Replace value, author and note of these rows, past the triggers for this only."""
        with _unguarded(transaction):
            transaction.run_many(
                "UPDATE history SET value = ?, author = ?, note = ? "
                "WHERE sig_id = ? AND revision = ?",
                [(row.value, row.author, row.note, sig_id, row.revision) for row in rows],
            )

    def _drop_history(self, transaction: Transaction, sig_id: str) -> None:
        """Remove the SIG's history, past the triggers for this only."""
        with _unguarded(transaction):
            transaction.run("DELETE FROM history WHERE sig_id = ?", (sig_id,))

    def _after_forgetting(self) -> None:
        """Rebuild the file without free pages (a database written before secure_delete was on
        may hold old copies of plans there), then copy the write-ahead log into the file and
        empty it: its old pages held what was erased. Best effort after the erasure committed:
        if other programs keep the database busy, the server log says so."""
        try:
            with self._reading() as conn:
                conn.execute("VACUUM")
                (busy, _, _) = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except StoreError as error:
            _log.warning("after an erasure, %s could not be compacted: %s", self.path, error)
            return
        if busy:
            _log.warning(
                "after an erasure, %s-wal could not be emptied while others read the database: "
                "it is emptied by the next checkpoint",
                self.path,
            )

    # ----------------------------------------------------------------- reading

    def _below(self, path: str) -> tuple[str, str]:
        return "path GLOB ?", path + ".*"  # a path holds no GLOB wildcards (see parse_path)


class _Transaction:
    """A transaction on the database file (shared.Transaction); a write transaction holds the
    write lock from its start, so the snapshot it reads stays the latest."""

    def __init__(self, conn: sqlite3.Connection, store: SQLiteStore) -> None:
        self.conn = conn
        self.store = store

    def run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self.conn.execute(statement, params).fetchall()

    def run_many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        self.conn.executemany(statement, rows)

    def snapshot(self, sig_id: str) -> Snapshot:
        return self.store._snapshot_row(self.conn, sig_id)


def open_url(url: str, create: bool, busy_timeout: float) -> Store:
    """Open the SQLite database of an ``sqlite:///path`` URL (the store's backend opener)."""
    return SQLiteStore(sqlite_path(url), create=create, busy_timeout=busy_timeout)
