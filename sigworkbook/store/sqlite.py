"""The SQLite backend: one database file in the workspace folder, in WAL mode, fsync on commit."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Final

from sigworkbook import __version__
from sigworkbook.plan.paths import parse_path
from sigworkbook.store import changelog, lifecycle, membership
from sigworkbook.store.erasure import HistoryRow
from sigworkbook.store.interface import (
    Change,
    ChangeFeed,
    NewerSchema,
    NotOurDatabase,
    Presence,
    Snapshot,
    Store,
    StoreBusy,
    StoreError,
    UnknownSig,
)
from sigworkbook.store.polling import PollingFeed
from sigworkbook.store.shared import SharedStore, Transaction
from sigworkbook.store.sqlite_presence import SQLitePresence
from sigworkbook.store.urls import sqlite_path

APPLICATION_ID: Final = 0x53494757  # "SIGW": marks an SQLite file as a sigworkbook database
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"

# Primary SQLite result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26

Migration = Callable[[sqlite3.Connection], None]
_log = logging.getLogger("sigworkbook.store")


_SCHEMA_1: Final = (
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE sigs (
        sig_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        plan TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE history (
        sig_id TEXT NOT NULL REFERENCES sigs (sig_id),
        revision INTEGER NOT NULL CHECK (revision >= 1),
        path TEXT NOT NULL,
        value TEXT NOT NULL,
        author TEXT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('create', 'set', 'replace', 'restore')),
        note TEXT,
        PRIMARY KEY (sig_id, revision)
    )""",
    "CREATE INDEX history_whole_plan ON history (sig_id, revision) WHERE path = ''",
    "CREATE INDEX history_by_path ON history (sig_id, path, revision)",
    """CREATE TRIGGER history_no_update BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
    """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
    """CREATE TRIGGER history_next_revision BEFORE INSERT ON history
    WHEN NEW.revision <> 1 + COALESCE(
        (SELECT MAX(revision) FROM history WHERE sig_id = NEW.sig_id), 0)
    BEGIN SELECT RAISE(ABORT, 'history revisions must follow on without gaps'); END""",
)


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    """Version 1: the first schema (meta, sigs, append-only history)."""
    for statement in _SCHEMA_1:
        conn.execute(statement)


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """Version 2: members of each SIG with their roles, and listing submissions."""
    for statement in membership.SCHEMA_2:
        conn.execute(statement)


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """Version 3: closed SIGs and the record of erasures."""
    for statement in lifecycle.SCHEMA_3:
        conn.execute(statement)


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


_OPEN_STORES: weakref.WeakSet[SQLiteStore] = weakref.WeakSet()
"""This process's open stores (see `SQLiteStore._check_header`)."""


class SQLiteStore(SharedStore, lifecycle.Lifecycle):
    """One SQLite workspace database holding any number of SIGs, each with its full history.

    A Store may be shared between threads (calls are serialised by a lock); separate processes
    each open their own. Every write is one ``BEGIN IMMEDIATE`` transaction that waits up to
    ``busy_timeout`` seconds for other writers and is on disk when the call returns.
    """

    SCHEMA_VERSION: ClassVar[int] = 3
    # MIGRATIONS[n] turns a version-n database into version n + 1 (n = 0 is an empty file).
    MIGRATIONS: ClassVar[tuple[Migration, ...]] = (_migrate_to_1, _migrate_to_2, _migrate_to_3)

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
        _OPEN_STORES.add(self)

    # ----------------------------------------------------------------- opening

    def _create_file(self) -> None:
        """Build a new, empty database beside the target and move it into place whole."""
        folder = self.path.parent
        if not os.access(folder, os.W_OK):
            raise StoreError(
                f"cannot create {self.path}: the workspace folder {folder} is read-only"
            )
        temp = folder / f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.creating"
        try:
            conn = sqlite3.connect(temp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._run_migrations(conn, 0)
                conn.execute("COMMIT")
            finally:
                conn.close()
            try:
                os.link(temp, self.path)  # fails if someone else created it meanwhile: keep theirs
            except FileExistsError:
                pass
            except OSError:  # no hard links on this file system
                if not os.path.lexists(self.path):
                    os.rename(temp, self.path)
            _fsync_folder(folder)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot create {self.path}: {error}") from error
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{temp}{suffix}")

    def _check_header(self) -> None:
        """Refuse, without letting SQLite near it, a file that is not one of our databases.

        Not when another store of this process has the file open: closing any descriptor of a
        file drops every POSIX lock the process holds on it, SQLite's included, and another
        program closing the database would then take the write-ahead log away from under that
        store (its later commits would go to a deleted file). That store checked the file.
        """
        if self._open_elsewhere_in_this_process():
            return
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(100)
        except IsADirectoryError as error:
            raise NotOurDatabase(f"{self.path} is a folder, not a sigworkbook database") from error
        except OSError as error:
            raise StoreError(f"cannot read {self.path}: {error.strerror}") from error
        if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
            raise NotOurDatabase(
                f"{self.path} is not a sigworkbook database (it is not an SQLite database file)"
            )
        if int.from_bytes(header[68:72], "big", signed=True) != APPLICATION_ID:
            raise NotOurDatabase(
                f"{self.path} is not a sigworkbook database "
                "(it is an SQLite file of another program)"
            )

    def _open_elsewhere_in_this_process(self) -> bool:
        try:
            here = os.stat(self.path)
        except OSError:
            return False
        for other in list(_OPEN_STORES):
            if other is self or other._conn is None:
                continue
            with contextlib.suppress(OSError):
                there = os.stat(other.path)
                if (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino):
                    return True
        return False

    def _connect(self, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
        """Open a connection with the settings every connection of ours uses."""
        uri = self.path.as_uri() + ("?mode=ro" if read_only else "?mode=rw")
        if immutable:
            uri += "&immutable=1"
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                conn.execute("PRAGMA synchronous = FULL")
                # What is deleted or overwritten is zeroed in the file, not left in free space.
                conn.execute("PRAGMA secure_delete = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """Open for reading; in a folder we may not write to, treat the file as immutable."""
        conn = self._connect(read_only=True)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError as error:
            conn.close()
            if _primary_code(error) not in (_READONLY, _CANTOPEN):
                raise
            conn = self._connect(read_only=True, immutable=True)
        return conn

    def _open_existing(self) -> sqlite3.Connection:
        """Check the file is ours and current (upgrading it if older) and return a connection."""
        self._check_header()
        writable = os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        companions = [Path(f"{self.path}{suffix}") for suffix in ("-wal", "-shm")]
        absent = [path for path in companions if not os.path.lexists(path)]
        with self._translate():
            try:
                probe = self._connect_read_only()
            except sqlite3.DatabaseError as error:
                if _primary_code(error) in (_CORRUPT, _NOTADB):
                    _remove_empty_wal(*absent)
                raise
            try:
                version = self._inspect(probe)
            except NotOurDatabase:
                probe.close()
                _remove_empty_wal(*absent)
                raise
            except BaseException:
                probe.close()
                raise
            if not writable:
                if version < self.SCHEMA_VERSION:
                    probe.close()
                    raise StoreError(
                        f"{self.path} needs upgrading from version {version} to "
                        f"{self.SCHEMA_VERSION}, but the workspace is read-only"
                    )
                self._read_only = True
                return probe
            probe.close()
            conn = self._connect(read_only=False)
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                if version < self.SCHEMA_VERSION:
                    self._upgrade(conn)
            except BaseException:
                conn.close()
                raise
            return conn

    def _inspect(self, conn: sqlite3.Connection) -> int:
        """Return the schema version of an open database after checking it is ours and sound."""
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                raise NotOurDatabase(f"{self.path} is not a sigworkbook database")
            version: int = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > self.SCHEMA_VERSION:
                raise NewerSchema(
                    f"{self.path} was written by a newer sigworkbook (database version {version}; "
                    f"this sigworkbook supports up to version {self.SCHEMA_VERSION}); "
                    "the file was not changed: please upgrade sigworkbook to open it"
                )
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if version < 1 or not {"meta", "sigs", "history"} <= tables:
                raise NotOurDatabase(
                    f"{self.path} is not a sigworkbook database "
                    "(its sigworkbook tables are missing)"
                )
            problems = conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and _primary_code(error) in (
                _BUSY,
                _LOCKED,
            ):
                raise
            raise NotOurDatabase(
                f"{self.path} is damaged or is not a sigworkbook database ({error})"
            ) from error
        if problems != [("ok",)]:
            raise NotOurDatabase(f"{self.path} is damaged: {problems[0][0]}")
        return version

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring an older database up to SCHEMA_VERSION in one transaction."""
        conn.execute("BEGIN IMMEDIATE")
        version = -1
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may
            if version < self.SCHEMA_VERSION:  # have upgraded it while we waited
                self._run_migrations(conn, version)
        except Exception as error:
            conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError) and _primary_code(error) == _BUSY:
                raise
            raise StoreError(
                f"could not upgrade {self.path} from version {version} to {self.SCHEMA_VERSION}: "
                f"{error}; the file was not changed"
            ) from error
        conn.execute("COMMIT")

    def _run_migrations(self, conn: sqlite3.Connection, version: int) -> None:
        """Run the migrations after ``version`` inside the caller's transaction."""
        for step in range(version, self.SCHEMA_VERSION):
            self.MIGRATIONS[step](conn)
        conn.execute(f"PRAGMA user_version = {int(self.SCHEMA_VERSION)}")
        now = changelog.now()
        if version == 0:
            conn.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (now,))
            conn.execute("INSERT INTO meta (key, value) VALUES ('created_by', ?)", (__version__,))
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_changed_at', ?)", (now,)
        )

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

    def _read_only_error(self) -> StoreError:
        return StoreError(
            f"the workspace {self.path.parent} is read-only: changes cannot be saved to "
            f"{self.path.name}"
        )

    def _error_for(self, error: sqlite3.Error) -> StoreError:
        """Translate an sqlite3 exception into a StoreError a user can act on."""
        code = _primary_code(error)
        if code in (_BUSY, _LOCKED):
            return StoreBusy(
                f"the workspace database {self.path} is busy: another program kept it locked "
                f"for more than {self.busy_timeout:g} s; try again in a moment"
            )
        if code == _READONLY:
            return self._read_only_error()
        if code in (_CORRUPT, _NOTADB):
            return NotOurDatabase(f"{self.path} is damaged or is not a sigworkbook database")
        if code == _FULL:
            return StoreError(f"the disk holding {self.path} is full; nothing was saved")
        if code in (_IOERR, _CANTOPEN):
            return StoreError(f"cannot read or write {self.path} ({error})")
        return StoreError(f"database error in {self.path}: {error}")

    @contextlib.contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn sqlite3 exceptions raised in the block into StoreErrors."""
        try:
            yield
        except sqlite3.Error as error:
            raise self._error_for(error) from error

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
                    if _primary_code(error) not in (_BUSY, _LOCKED) or left <= 0:
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

    def history(
        self,
        sig_id: str,
        *,
        path: str | None = None,
        limit: int | None = None,
        include_ancestors: bool = False,
    ) -> list[Change]:
        """The SIG's changes, newest first.

        With ``path``, only changes at that path or below it; with ``include_ancestors`` also
        changes to anything containing it (including whole-plan changes, path ``""``), i.e.
        every change that may have altered the value at ``path``. ``limit`` caps the count.
        """
        changelog.check_limit(limit)
        where = "sig_id = ?"
        params: list[Any] = [sig_id]
        if path is not None and path != "":
            parts = parse_path(path)
            where += " AND (path = ? OR path GLOB ?"
            params += [path, path + ".*"]
            if include_ancestors:
                ancestors = [".".join(str(p) for p in parts[:n]) for n in range(len(parts))]
                where += f" OR path IN ({', '.join('?' * len(ancestors))})"
                params += ancestors
            where += ")"
        elif path is not None:
            parse_path(path)
        query = (
            "SELECT revision, path, value, author, at, kind, note FROM history "
            f"WHERE {where} ORDER BY revision DESC"
        )
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        with self._reading() as conn:
            rows = conn.execute(query, params).fetchall()
            if not rows:
                self._snapshot_row(conn, sig_id)  # raises UnknownSig for a missing SIG
        return [_change(row) for row in rows]

    def last_changes(self, sig_id: str) -> dict[str, Change]:
        """The latest change at each path that was ever changed (one indexed scan)."""
        query = (
            "SELECT h.revision, h.path, h.value, h.author, h.at, h.kind, h.note FROM history h "
            "JOIN (SELECT path, MAX(revision) AS latest FROM history WHERE sig_id = ? GROUP BY path)"
            " m ON h.sig_id = ? AND h.revision = m.latest"
        )
        with self._reading() as conn:
            rows = conn.execute(query, (sig_id, sig_id)).fetchall()
            if not rows:
                self._snapshot_row(conn, sig_id)  # raises UnknownSig for a missing SIG
        return {change.path: change for change in map(_change, rows)}

    def row_ids_at(self, sig_id: str, list_path: str, revision: int) -> list[str | None] | None:
        """The ids of the rows of the list at `list_path`, in order, as of `revision`.

        Rows are added, removed or moved only by a change to the whole list or to something
        containing it, so the latest such change up to `revision` gives their order (edits
        inside rows since then change no id). None if that change holds no list there.
        """
        containing = changelog.containing_paths(list_path)
        with self._reading() as conn:
            latest = max(
                (
                    (found, path)
                    for path in containing
                    for (found,) in conn.execute(
                        "SELECT MAX(revision) FROM history"
                        " WHERE sig_id = ? AND path = ? AND revision <= ?",
                        (sig_id, path, revision),
                    )
                    if found is not None
                ),
                default=None,
            )
            if latest is None:
                return None
            (value,) = conn.execute(
                "SELECT value FROM history WHERE sig_id = ? AND revision = ?", (sig_id, latest[0])
            ).fetchone()
        return changelog.rows_in(value, list_path, latest[1])


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


def _change(row: tuple[Any, ...]) -> Change:
    """Build a Change from a history row."""
    revision, path, value, author, at, kind, note = row
    return Change(
        revision=revision,
        path=path,
        value=json.loads(value),
        author=author,
        at=datetime.fromisoformat(at),
        kind=kind,
        note=note,
    )


def _primary_code(error: sqlite3.Error) -> int | None:
    """The primary SQLite result code of an exception, if it carries one."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _remove_empty_wal(*created: Path) -> None:
    """Remove the -wal/-shm files that looking into a refused file left behind, if empty.

    ``created`` are the companions that did not exist before; they are removed only while the
    write-ahead log holds nothing, so no one's data can be lost.
    """
    wal = [path for path in created if path.name.endswith("-wal")]
    with contextlib.suppress(OSError):
        if wal and wal[0].exists() and wal[0].stat().st_size > 0:
            return
        for path in created:
            path.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make a new directory entry in ``folder`` durable."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def open_url(url: str, create: bool, busy_timeout: float) -> Store:
    """Open the SQLite database of an ``sqlite:///path`` URL (the store's backend opener)."""
    return SQLiteStore(sqlite_path(url), create=create, busy_timeout=busy_timeout)
