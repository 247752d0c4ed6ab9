"""Presence for the PostgreSQL backend: an unlogged table every server reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Final, Protocol

import psycopg

from sigworkbook.store.interface import Visitor


class _Sessions(Protocol):
    """What presence needs of the store: its pooled connection for one short transaction."""

    def session(self) -> AbstractContextManager[psycopg.Connection[tuple[Any, ...]]]: ...


FRESH_SECONDS: Final = 15.0
"""A visitor whose page has not checked in for this long is no longer shown."""
FORGET_SECONDS: Final = 3600.0


class PostgresPresence:
    """The presence register of one database (implements `interface.Presence`).

    It borrows the store's connection for each short statement and times visits by the
    database's clock, so servers whose clocks differ still agree on who is there.
    """

    def __init__(self, store: _Sessions) -> None:
        self._store = store

    def close(self) -> None:
        """Nothing to release: the store owns the connection."""

    def mark(self, sig_id: str, visitor: str, participant: str | None, step: str) -> None:
        """Record that `visitor` has `step` of `sig_id` open now."""
        with self._store.session() as conn:
            conn.execute(
                "INSERT INTO presence (sig_id, visitor, participant, step, seen_at) "
                "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (sig_id, visitor) DO UPDATE "
                "SET participant = excluded.participant, step = excluded.step, seen_at = now()",
                (sig_id, visitor, participant, step),
            )
            conn.execute(
                "DELETE FROM presence WHERE seen_at < now() - make_interval(secs => %s)",
                (FORGET_SECONDS,),
            )

    def leave(self, sig_id: str, visitor: str) -> None:
        """Forget `visitor` (their page closed)."""
        with self._store.session() as conn:
            conn.execute(
                "DELETE FROM presence WHERE sig_id = %s AND visitor = %s", (sig_id, visitor)
            )

    def others(self, sig_id: str, visitor: str) -> list[Visitor]:
        """Everyone else with a page of `sig_id` open, most recently seen first."""
        with self._store.session() as conn:
            rows = conn.execute(
                "SELECT participant, step FROM presence WHERE sig_id = %s AND visitor <> %s "
                "AND seen_at >= now() - make_interval(secs => %s) ORDER BY seen_at DESC",
                (sig_id, visitor, FRESH_SECONDS),
            ).fetchall()
        return [Visitor(participant, step) for participant, step in rows]

    def everyone(self) -> list[tuple[str, str, str | None]]:
        """(SIG id, visitor, participant) of every page in the register."""
        with self._store.session() as conn:
            rows = conn.execute("SELECT sig_id, visitor, participant FROM presence").fetchall()
        return [(sig_id, visitor, participant) for sig_id, visitor, participant in rows]

    def forget(self, pages: Sequence[tuple[str, str]]) -> None:
        """Remove these pages from the register."""
        with self._store.session() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "DELETE FROM presence WHERE sig_id = %s AND visitor = %s", list(pages)
            )
