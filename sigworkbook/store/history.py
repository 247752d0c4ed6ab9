"""Reading a SIG's change log, the same on every backend but for one dialect hook (`_below`):
its changes at or below a path, the latest change at each path, a table's rows at a revision."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sigworkbook.plan.paths import parse_path
from sigworkbook.store import changelog
from sigworkbook.store.interface import Change
from sigworkbook.store.transactions import Transactional

CHANGE_COLUMNS = "revision, path, value, author, at, kind, note"
"""A history row as `change` reads it."""


class HistoryReads(Transactional):
    """The change-log reads (SharedStore inherits them); a backend gives `_below`."""

    def _below(self, path: str) -> tuple[str, str]:
        """The dialect hook: a condition with one ``?`` that a history row's path lies below
        `path` (inside it, not at it), and the parameter for it."""
        raise NotImplementedError

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
            parse_path(path)
            below, pattern = self._below(path)
            where += f" AND (path = ? OR {below}"
            params += [path, pattern]
            if include_ancestors:
                ancestors = changelog.containing_paths(path)[:-1]
                where += f" OR path IN ({', '.join('?' * len(ancestors))})"
                params += ancestors
            where += ")"
        elif path is not None:
            parse_path(path)
        query = f"SELECT {CHANGE_COLUMNS} FROM history WHERE {where} ORDER BY revision DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        with self._read() as transaction:
            rows = transaction.run(query, tuple(params))
            if not rows:
                transaction.snapshot(sig_id)  # raises UnknownSig for a missing SIG
        return [change(row) for row in rows]

    def last_changes(self, sig_id: str) -> dict[str, Change]:
        """The latest change at each path that was ever changed (one indexed scan)."""
        columns = ", ".join(f"h.{column}" for column in CHANGE_COLUMNS.split(", "))
        query = (
            f"SELECT {columns} FROM history h "
            "JOIN (SELECT path, MAX(revision) AS latest FROM history WHERE sig_id = ? GROUP BY path)"
            " m ON h.sig_id = ? AND h.revision = m.latest"
        )
        with self._read() as transaction:
            rows = transaction.run(query, (sig_id, sig_id))
            if not rows:
                transaction.snapshot(sig_id)  # raises UnknownSig for a missing SIG
        return {found.path: found for found in map(change, rows)}

    def row_ids_at(self, sig_id: str, list_path: str, revision: int) -> list[str | None] | None:
        """The ids of the rows of the list at `list_path`, in order, as of `revision`.

        Rows are added, removed or moved only by a change to the whole list or to something
        containing it, so the latest such change up to `revision` gives their order (edits
        inside rows since then change no id). None if that change holds no list there.
        """
        containing = changelog.containing_paths(list_path)
        with self._read() as transaction:
            rows = transaction.run(
                "SELECT path, value FROM history WHERE sig_id = ? "
                f"AND path IN ({', '.join('?' * len(containing))}) AND revision <= ? "
                "ORDER BY revision DESC LIMIT 1",
                (sig_id, *containing, revision),
            )
        if not rows:
            return None
        return changelog.rows_in(rows[0][1], list_path, rows[0][0])


def change(row: tuple[Any, ...]) -> Change:
    """Build a Change from a history row (`CHANGE_COLUMNS`)."""
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
