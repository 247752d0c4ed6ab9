"""Who has which page of a SIG open right now: a best-effort register beside the plan database.

Presence is ephemeral, so it lives in its own small SQLite file (no fsync per heartbeat) and
never slows or risks the plan database. Failures to record presence are ignored by callers.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "presence.db"
FRESH_SECONDS = 15.0
"""A visitor whose page has not checked in for this long is no longer shown."""
FORGET_SECONDS = 3600.0


@dataclass(frozen=True)
class Visitor:
    """One open page: who (if they gave a name) and which step."""

    participant: str | None
    step: str


class Presence:
    """The presence register of one workspace."""

    def __init__(self, folder: Path) -> None:
        self._conn = sqlite3.connect(folder / FILE_NAME, timeout=2.0, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS presence (sig_id TEXT NOT NULL, visitor TEXT NOT NULL, "
            "participant TEXT, step TEXT NOT NULL, seen_at REAL NOT NULL, "
            "PRIMARY KEY (sig_id, visitor))"
        )
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()

    def mark(self, sig_id: str, visitor: str, participant: str | None, step: str) -> None:
        """Record that `visitor` has `step` of `sig_id` open now."""
        now = time.time()
        with self._conn:
            self._conn.execute(
                "INSERT INTO presence VALUES (?, ?, ?, ?, ?) ON CONFLICT (sig_id, visitor) "
                "DO UPDATE SET participant = excluded.participant, step = excluded.step, "
                "seen_at = excluded.seen_at",
                (sig_id, visitor, participant, step, now),
            )
            self._conn.execute("DELETE FROM presence WHERE seen_at < ?", (now - FORGET_SECONDS,))

    def leave(self, sig_id: str, visitor: str) -> None:
        with self._conn:
            self._conn.execute(
                "DELETE FROM presence WHERE sig_id = ? AND visitor = ?", (sig_id, visitor)
            )

    def others(self, sig_id: str, visitor: str) -> list[Visitor]:
        """Everyone else with a page of `sig_id` open, most recently seen first."""
        rows = self._conn.execute(
            "SELECT participant, step FROM presence WHERE sig_id = ? AND visitor <> ? "
            "AND seen_at >= ? ORDER BY seen_at DESC",
            (sig_id, visitor, time.time() - FRESH_SECONDS),
        ).fetchall()
        return [Visitor(participant, step) for participant, step in rows]
