"""Presence for the SQLite backend: a best-effort register in a small file beside the database.

Presence is ephemeral, so it lives in its own small SQLite file (no fsync per heartbeat) and
never slows or risks the plan database. Failures to record presence are ignored by callers.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from sigworkbook.store.interface import StoreError, Visitor

FILE_NAME = "presence.db"
FRESH_SECONDS = 15.0
"""A visitor whose page has not checked in for this long is no longer shown."""
FORGET_SECONDS = 3600.0


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Report the register's failures as StoreError, which callers ignore for presence."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreError(f"presence could not be recorded: {error}") from error


class SQLitePresence:
    """The presence register of one workspace folder (implements `interface.Presence`)."""

    def __init__(self, folder: Path) -> None:
        with _translated():
            self._conn = sqlite3.connect(folder / FILE_NAME, timeout=2.0, check_same_thread=False)
            self._open()

    def _open(self) -> None:
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS presence (sig_id TEXT NOT NULL, visitor TEXT NOT NULL, "
            "participant TEXT, step TEXT NOT NULL, seen_at REAL NOT NULL, "
            "PRIMARY KEY (sig_id, visitor))"
        )
        self._conn.commit()

    def close(self) -> None:
        with _translated():
            self._conn.close()

    def mark(self, sig_id: str, visitor: str, participant: str | None, step: str) -> None:
        """Record that `visitor` has `step` of `sig_id` open now."""
        now = time.time()
        with _translated(), self._conn:
            self._conn.execute(
                "INSERT INTO presence VALUES (?, ?, ?, ?, ?) ON CONFLICT (sig_id, visitor) "
                "DO UPDATE SET participant = excluded.participant, step = excluded.step, "
                "seen_at = excluded.seen_at",
                (sig_id, visitor, participant, step, now),
            )
            self._conn.execute("DELETE FROM presence WHERE seen_at < ?", (now - FORGET_SECONDS,))

    def leave(self, sig_id: str, visitor: str) -> None:
        """Forget `visitor` (their page closed)."""
        with _translated(), self._conn:
            self._conn.execute(
                "DELETE FROM presence WHERE sig_id = ? AND visitor = ?", (sig_id, visitor)
            )

    def others(self, sig_id: str, visitor: str) -> list[Visitor]:
        """Everyone else with a page of `sig_id` open, most recently seen first."""
        with _translated():
            rows = self._conn.execute(
                "SELECT participant, step FROM presence WHERE sig_id = ? AND visitor <> ? "
                "AND seen_at >= ? ORDER BY seen_at DESC",
                (sig_id, visitor, time.time() - FRESH_SECONDS),
            ).fetchall()
        return [Visitor(participant, step) for participant, step in rows]

    def everyone(self) -> list[tuple[str, str, str | None]]:
        """(SIG id, visitor, participant) of every page in the register."""
        with _translated():
            rows = self._conn.execute("SELECT sig_id, visitor, participant FROM presence")
            return [(sig_id, visitor, participant) for sig_id, visitor, participant in rows]

    def forget(self, pages: Sequence[tuple[str, str]]) -> None:
        """Remove these pages, and the old copies of their rows from the file."""
        with _translated():
            with self._conn:
                self._conn.executemany(
                    "DELETE FROM presence WHERE sig_id = ? AND visitor = ?", list(pages)
                )
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
