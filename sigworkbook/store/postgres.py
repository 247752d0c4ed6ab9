"""The PostgreSQL backend: one database shared by many servers, each edit one committed transaction.

A store holds one pooled connection for its queries (psycopg-pool re-opens it when the server
dropped it) and, for each change feed a page starts, one listening connection (see
`postgres_feed`). Read-modify-write edits lock the SIG's row (``SELECT ... FOR UPDATE``) for
the length of their transaction; commits are synchronous, so an acknowledged edit is on disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import select
import threading
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Final
from urllib.parse import parse_qsl, urlsplit

import psycopg
import psycopg_pool
from psycopg import errors as pg_errors
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus

from sigworkbook.store import lifecycle
from sigworkbook.store.erasure import HistoryRow
from sigworkbook.store.interface import (
    ChangeFeed,
    Presence,
    Snapshot,
    Store,
    StoreBusy,
    StoreError,
    StoreUnreachable,
    UnknownSig,
)
from sigworkbook.store.postgres_schema import MIGRATIONS, Migration, inspect, run_migrations
from sigworkbook.store.shared import SharedStore, Transaction
from sigworkbook.store.urls import mask_password

Connection = psycopg.Connection[tuple[Any, ...]]

CONNECT_TIMEOUT: Final = 5
"""Seconds to wait for the database server to answer before calling it unreachable."""
RECONNECT_TIMEOUT: Final = 8.0
UNREACHABLE_WAIT: Final = 0.5
"""Seconds a call waits for a connection while the database is known to be away."""
KEEPALIVES: Final = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
"""TCP keepalives: a connection to a server that vanished without a word is noticed in 1 min."""
_SCHEMA_LOCK: Final = 0x53494757  # advisory lock held while creating or upgrading the schema
# The pool reports each failed reconnection as a warning. Without a handler of the program's
# own, Python would print those on stderr: into a page (a kernel's stderr) or after the CLI's
# one line. The program's own logging configuration, if any, still receives them.
logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())

_UNREACHABLE_STATES: Final = ("08", "57P01", "57P02", "57P03")


def connection_url(url: str) -> str:
    """`url` as libpq reads it: ``postgresql+psycopg://`` and ``postgres://`` become plain."""
    scheme, rest = url.split(":", 1)
    return "postgresql:" + rest if scheme.lower() != "postgresql" else url


def _password(url: str) -> str | None:
    """The password written in `url`, if any (in the user part or as ``?password=``)."""
    try:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        return parts.password or query.get("password") or None
    except ValueError:
        return None


class PostgresStore(SharedStore, lifecycle.Lifecycle):
    """A PostgreSQL database holding any number of SIGs, each with its full history.

    A store may be shared between threads: calls are serialised, each borrowing the one
    pooled connection for its transaction.
    """

    SCHEMA_VERSION: ClassVar[int] = 3
    MIGRATIONS: ClassVar[tuple[Migration, ...]] = MIGRATIONS

    def __init__(self, url: str, *, create: bool = True, busy_timeout: float = 30.0) -> None:
        """Open the database at `url`; with `create`, set up our tables in an empty database."""
        if len(self.MIGRATIONS) != self.SCHEMA_VERSION:
            raise TypeError(f"{type(self).__name__} needs one migration per schema version")
        self._url = connection_url(url)
        try:
            self._conninfo = make_conninfo(self._url, connect_timeout=CONNECT_TIMEOUT, **KEEPALIVES)
        except psycopg.ProgrammingError:
            raise StoreError(
                f"the database URL {mask_password(url)} cannot be read: "
                "it must look like postgresql://user@host:port/dbname"
            ) from None
        self._secret = _password(url)
        self._location = mask_password(url)
        self.busy_timeout = busy_timeout
        self._read_only = False
        self._closed = False
        self._away = False
        self._lock = threading.RLock()
        self._prepare(create)
        self._pool: psycopg_pool.ConnectionPool[Connection] = psycopg_pool.ConnectionPool(
            self._conninfo,
            kwargs={"autocommit": True},
            min_size=1,
            max_size=1,
            open=False,
            configure=self._configure,
            check=_check_connection,
            name="sigworkbook",
            timeout=CONNECT_TIMEOUT,
            # After this long without success the pool stops trying until the next call asks
            # again, so the pauses between tries stay short (1, 2, 4 s) however long it was away.
            reconnect_timeout=RECONNECT_TIMEOUT,
        )
        with self._translate():
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)

    def __repr__(self) -> str:
        return f"PostgresStore({self._location!r})"

    # ----------------------------------------------------------------- opening

    def _clean(self, text: str) -> str:
        """`text` on one line, with the URL's password (if any) blotted out."""
        line = " ".join(str(text).split())
        if self._secret:
            line = line.replace(self._secret, "***")
        return line

    def connect(self, *, autocommit: bool = False) -> Connection:
        """A new connection with our settings (for the schema check and change feeds)."""
        try:
            conn: Connection = psycopg.connect(self._conninfo, autocommit=autocommit)
        except psycopg.Error as error:
            raise self._error_for(error) from None
        if not autocommit:
            self._configure(conn)
        return conn

    def _configure(self, conn: Connection) -> None:
        """Session settings: durable commits, and lock waits bounded by the busy timeout."""
        millis = max(1, int(self.busy_timeout * 1000))
        conn.execute("SET synchronous_commit = on")
        conn.execute(f"SET lock_timeout = {millis}".encode())
        conn.execute("SET idle_in_transaction_session_timeout = 0")
        conn.commit()

    def _prepare(self, create: bool) -> None:
        """Check that the database is ours and current, creating or upgrading our tables."""
        with contextlib.closing(self.connect()) as conn, self._translate():
            version = inspect(conn, self._location, self.SCHEMA_VERSION, create)
            conn.rollback()
            (read_only,) = conn.execute(
                "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
            ).fetchone() or (False,)
            conn.rollback()
            self._read_only = bool(read_only)
            if version == self.SCHEMA_VERSION:
                return
            if self._read_only:
                raise StoreError(
                    f"the database {self._location} needs setting up (version {version} to "
                    f"{self.SCHEMA_VERSION}), but it is read-only here"
                )
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                version = inspect(
                    conn, self._location, self.SCHEMA_VERSION, create
                )  # someone may have done it while we waited
                if version < self.SCHEMA_VERSION:
                    run_migrations(conn, version, self.MIGRATIONS)
                conn.commit()
            except Exception as error:
                conn.rollback()
                if isinstance(error, StoreError):
                    raise
                if isinstance(error, psycopg.Error) and self._is_unreachable(error):
                    raise
                raise StoreError(
                    f"could not set up {self._location} from version {version} to "
                    f"{self.SCHEMA_VERSION}: {self._clean(str(error))}; the database was not changed"
                ) from None

    # ----------------------------------------------------------------- plumbing

    @property
    def location(self) -> str:
        """The database URL with any password masked."""
        return self._location

    @property
    def read_only(self) -> bool:
        """Whether the database can only be read (a standby, or read-only transactions)."""
        return self._read_only

    def presence(self) -> Presence:
        """Presence in the database itself, so people on different servers see each other."""
        from sigworkbook.store.postgres_presence import PostgresPresence

        return PostgresPresence(self)

    def change_feed(self, sig_id: str) -> ChangeFeed:
        """New revisions by LISTEN/NOTIFY on the SIG's channel (no polling)."""
        from sigworkbook.store.postgres_feed import NotifyFeed

        return NotifyFeed(self, sig_id)

    def close(self) -> None:
        """Close the pool; further calls raise StoreError. Closing twice is harmless."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def _is_unreachable(error: psycopg.Error) -> bool:
        state = error.sqlstate or ""
        return (
            isinstance(error, psycopg.OperationalError)
            and (not state or state.startswith(_UNREACHABLE_STATES))
        ) or state.startswith(_UNREACHABLE_STATES)

    def _error_for(self, error: psycopg.Error) -> StoreError:
        """Translate a psycopg exception into a StoreError a user can act on."""
        reason = self._clean(str(error).splitlines()[0] if str(error) else type(error).__name__)
        if self._is_unreachable(error):
            return StoreUnreachable(
                f"the database {self._location} cannot be reached just now ({reason})"
            )
        if isinstance(error, pg_errors.LockNotAvailable | pg_errors.QueryCanceled):
            return StoreBusy(
                f"the database {self._location} is busy: another program kept a SIG locked "
                f"for more than {self.busy_timeout:g} s; try again in a moment"
            )
        if isinstance(error, pg_errors.ReadOnlySqlTransaction):
            return StoreError(f"the database {self._location} is read-only: nothing was saved")
        if isinstance(error, pg_errors.InsufficientPrivilege):
            return StoreError(
                f"the database {self._location} refused: no permission ({reason}); nothing was saved"
            )
        if isinstance(error, pg_errors.DiskFull):
            return StoreError(f"the disk holding {self._location} is full; nothing was saved")
        return StoreError(f"database error in {self._location}: {reason}")

    @contextlib.contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn psycopg and pool exceptions raised in the block into StoreErrors."""
        try:
            yield
        except psycopg_pool.PoolTimeout:
            self._away = True
            raise StoreUnreachable(
                f"the database {self._location} cannot be reached just now"
            ) from None
        except psycopg_pool.PoolClosed:
            raise StoreError(f"the database {self._location} has been closed") from None
        except psycopg.Error as error:
            self._away = self._is_unreachable(error)
            raise self._error_for(error) from None

    @contextlib.contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """The pooled connection for one call: reads run each statement on its own (autocommit);
        a write is one transaction, committed if the block succeeds and rolled back if it raises.

        A write's statements are pipelined: BEGIN goes with its first query, and the rows it
        adds go with the COMMIT, so a save costs two round trips to the server.
        """
        if self._closed:
            raise StoreError(f"the database {self._location} has been closed")
        if write and self._read_only:
            raise StoreError(f"the database {self._location} is read-only: nothing was saved")
        wait = UNREACHABLE_WAIT if self._away else CONNECT_TIMEOUT
        # One call at a time (as SQLite's store): waiting for the pool's one connection then
        # only ever means waiting for the database, never for another thread's long lock wait.
        with self._lock, self._translate(), self._pool.connection(timeout=wait) as conn:
            self._away = False
            if not write:
                yield conn
                return
            with conn.pipeline(), conn.transaction():
                yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[Transaction]:
        with self._transaction() as conn:
            yield _Transaction(conn, self, lock=False)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Transaction]:
        with self._transaction(write=True) as conn:
            yield _Transaction(conn, self, lock=True)

    def _snapshot_row(self, conn: Connection, sig_id: str, *, lock: bool = False) -> Snapshot:
        query = "SELECT revision, plan, closed_at FROM sigs WHERE sig_id = %s" + (
            " FOR UPDATE" if lock else ""
        )
        row = conn.execute(query.encode(), (sig_id,)).fetchone()
        if row is None:
            raise UnknownSig(f"there is no SIG {sig_id!r} in {self._location}")
        return Snapshot(revision=row[0], plan=json.loads(row[1]), closed=row[2] is not None)

    # ----------------------------------------------------------------- erasure

    def _rewrite_history(
        self, transaction: Transaction, sig_id: str, rows: Sequence[HistoryRow]
    ) -> None:
        """Through the database's one audited way past the append-only guard."""
        transaction.run_many(
            "SELECT sigworkbook_rewrite_history(?, ?, ?, ?, ?)",
            [(sig_id, row.revision, row.value, row.author, row.note) for row in rows],
        )

    def _drop_history(self, transaction: Transaction, sig_id: str) -> None:
        transaction.run_many("SELECT sigworkbook_delete_history(?)", [(sig_id,)])

    # ----------------------------------------------------------------- reading

    def _below(self, path: str) -> tuple[str, str]:
        return "starts_with(path, ?)", path + "."

    # ----------------------------------------------------------------- for presence

    @contextlib.contextmanager
    def session(self) -> Iterator[Connection]:
        """The pooled connection for one short transaction of a helper (presence)."""
        with self._transaction() as conn:
            yield conn


class _Transaction:
    """A transaction (shared.Transaction); in a write transaction statements are pipelined and
    a snapshot locks the SIG's row (FOR UPDATE) until the transaction ends."""

    def __init__(self, conn: Connection, store: PostgresStore, *, lock: bool) -> None:
        self.conn = conn
        self.store = store
        self.lock = lock

    def run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cursor = self.conn.execute(_dialect(statement), params or None)
        # A write's statements are pipelined: a result (and its description) only arrives when
        # it is fetched, so ask for rows by what the statement is, not by the cursor.
        words = statement.upper().split()
        return cursor.fetchall() if words[0] == "SELECT" or "RETURNING" in words else []

    def run_many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(_dialect(statement), rows)

    def snapshot(self, sig_id: str) -> Snapshot:
        return self.store._snapshot_row(self.conn, sig_id, lock=self.lock)


def _dialect(statement: str) -> bytes:
    """A statement with ``?`` placeholders as psycopg takes it."""
    return statement.replace("?", "%s").encode()


def _check_connection(conn: Connection) -> None:
    """Before the pool lends its connection: a full check (a round trip) only if the idle
    connection's socket has something to read, which for an idle connection means the server
    said goodbye (it restarted, or an administrator ended the session)."""
    if conn.broken or conn.info.transaction_status != TransactionStatus.IDLE:
        raise psycopg.OperationalError("the connection is not idle")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        psycopg_pool.ConnectionPool.check_connection(conn)


def open_url(url: str, create: bool, busy_timeout: float) -> Store:
    """Open the PostgreSQL database of a ``postgresql://`` URL (the store's backend opener)."""
    return PostgresStore(url, create=create, busy_timeout=busy_timeout)
