"""The SQLite database file itself: created whole, checked to be ours and sound, upgraded
through its migrations, and its errors put in words (`SQLiteFile`, which SQLiteStore is)."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar, Final

from sigworkbook import __version__
from sigworkbook.store import changelog, lifecycle, membership
from sigworkbook.store.interface import NewerSchema, NotOurDatabase, StoreBusy, StoreError

APPLICATION_ID: Final = 0x53494757  # "SIGW": marks an SQLite file as a sigworkbook database
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"

# Primary SQLite result codes (the low byte of an extended code).
BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB = 5, 6, 8, 10, 11, 13, 14, 26

Migration = Callable[[sqlite3.Connection], None]


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


OPEN_STORES: weakref.WeakSet[SQLiteFile] = weakref.WeakSet()
"""This process's open stores (see `SQLiteFile._check_header`)."""


class SQLiteFile:
    """Opening the database file (SQLiteStore inherits it): ``MIGRATIONS[n]`` turns a version-n
    database into version n + 1 (n = 0 is an empty file), up to ``SCHEMA_VERSION``."""

    SCHEMA_VERSION: ClassVar[int] = 3
    MIGRATIONS: ClassVar[tuple[Migration, ...]] = (_migrate_to_1, _migrate_to_2, _migrate_to_3)

    path: Path
    busy_timeout: float
    _conn: sqlite3.Connection | None
    _read_only: bool

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
        for other in list(OPEN_STORES):
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
            if primary_code(error) not in (READONLY, CANTOPEN):
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
                if primary_code(error) in (CORRUPT, NOTADB):
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
            if isinstance(error, sqlite3.OperationalError) and primary_code(error) in (
                BUSY,
                LOCKED,
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
            if isinstance(error, sqlite3.OperationalError) and primary_code(error) == BUSY:
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

    def _read_only_error(self) -> StoreError:
        return StoreError(
            f"the workspace {self.path.parent} is read-only: changes cannot be saved to "
            f"{self.path.name}"
        )

    def _error_for(self, error: sqlite3.Error) -> StoreError:
        """Translate an sqlite3 exception into a StoreError a user can act on."""
        code = primary_code(error)
        if code in (BUSY, LOCKED):
            return StoreBusy(
                f"the workspace database {self.path} is busy: another program kept it locked "
                f"for more than {self.busy_timeout:g} s; try again in a moment"
            )
        if code == READONLY:
            return self._read_only_error()
        if code in (CORRUPT, NOTADB):
            return NotOurDatabase(f"{self.path} is damaged or is not a sigworkbook database")
        if code == FULL:
            return StoreError(f"the disk holding {self.path} is full; nothing was saved")
        if code in (IOERR, CANTOPEN):
            return StoreError(f"cannot read or write {self.path} ({error})")
        return StoreError(f"database error in {self.path}: {error}")

    @contextlib.contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn sqlite3 exceptions raised in the block into StoreErrors."""
        try:
            yield
        except sqlite3.Error as error:
            raise self._error_for(error) from error


def primary_code(error: sqlite3.Error) -> int | None:
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
