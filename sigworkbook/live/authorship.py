"""Who changed a field last ("Changed by"), following a table row by its id wherever it moves."""

from __future__ import annotations

from typing import Any

from sigworkbook.plan.paths import Parts, format_path, get_path, parse_path, split_row
from sigworkbook.store import Change
from sigworkbook.workspace import Workspace


class Authorship:
    """The latest change at each path of one SIG, and the row ids it needs to name them."""

    def __init__(self, workspace: Workspace, sig_id: str) -> None:
        self._workspace = workspace
        self._sig_id = sig_id
        self._last: dict[str, Change] = {}
        self._paths: list[tuple[Parts, Change]] = []
        self._row_ids: dict[tuple[str, int], list[str | None] | None] = {}
        self.reload()

    def reload(self) -> None:
        """Read the latest change at every path again (after a new revision)."""
        self._last = self._workspace.last_changes(self._sig_id)
        self._paths = [(parse_path(path), change) for path, change in self._last.items()]

    def last_change(self, path: str, document: dict[str, Any]) -> Change | None:
        """The latest change that touched `path`: to it, or to anything containing it.

        None when that was a whole-plan change (creation, import, restore of the plan): it says
        nothing about this field in particular. A change to a whole table (adding, removing or
        moving rows) is not a change to the fields of its rows. A change to a row's field
        belongs to the row (by id) that was there then, wherever that row is now in `document`.
        """
        parts = parse_path(path)
        in_row = split_row(parts)
        # The table itself is left out: adding a row is no change to its rows' fields.
        upto = len(parts) + 1 if in_row is None else len(in_row[0])
        containers = [self._last.get(format_path(parts[:n])) for n in range(upto)]
        latest = max((c for c in containers if c), key=lambda c: c.revision, default=None)
        if in_row is not None:
            table, index, inner = in_row
            row_id = _row_id_in(document, format_path(table), index)
            for row, change in self._row_changes(table, inner):
                if latest is not None and change.revision <= latest.revision:
                    break
                if row_id is not None and self.row_id_at(format_path(table), row, change) == row_id:
                    latest = change
                    break
        return latest if latest is not None and latest.path else None

    def row_id_at(self, table: str, index: int, change: Change) -> str | None:
        """The id of the row at `index` of `table` when `change` was made (None if unknown)."""
        key = (table, change.revision)
        if key not in self._row_ids:  # history never changes: no need to forget these
            self._row_ids[key] = self._workspace.row_ids_at(self._sig_id, *key)
        ids = self._row_ids[key]
        return ids[index] if ids is not None and index < len(ids) else None

    def _row_changes(self, table: Parts, inner: Parts) -> list[tuple[int, Change]]:
        """Changes to a row of `table` at `inner` in it, or inside or around that; newest first."""
        found = []
        for parts, change in self._paths:
            if len(parts) <= len(table) or parts[: len(table)] != table:
                continue
            row, within = parts[len(table)], parts[len(table) + 1 :]
            shorter = min(len(within), len(inner))
            if isinstance(row, int) and within[:shorter] == inner[:shorter]:
                found.append((row, change))
        return sorted(found, key=lambda item: item[1].revision, reverse=True)


def _row_id_in(document: dict[str, Any], table: str, index: int) -> str | None:
    rows = get_path(document, table, None)
    if not isinstance(rows, list) or index >= len(rows) or not isinstance(rows[index], dict):
        return None
    row_id = rows[index].get("id")
    return row_id if isinstance(row_id, str) else None
