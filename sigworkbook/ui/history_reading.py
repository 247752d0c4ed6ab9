"""What a change in the history means against the plan now: its field, its table row now, the
value it replaced, the point a restore went back to."""

from __future__ import annotations

import re
from typing import Any

from sigworkbook.live.session import Session
from sigworkbook.plan.fields import in_words
from sigworkbook.plan.paths import (
    canonical_json,
    format_path,
    get_path,
    parse_path,
    row_by_id,
    split_row,
)
from sigworkbook.plan.voting import is_collecting
from sigworkbook.store import Change
from sigworkbook.workspace import NAME_IDEAS, VOTING_ROUND

MISSING = object()
"""A value not known (a row whose id is unknown, a change that replaced no list)."""

RESTORED_NOTE = re.compile(r"restored revision (\d+)")
"""The note the workspace writes on a restore; the panel says when and by whom instead."""


def row_split(path: str) -> tuple[str, int, str] | None:
    """(table path, row index, path within the row) for a path inside a table row, as
    `Workspace.restore` puts it back by the row's id; None for any other path."""
    row = split_row(parse_path(path))
    if row is None or not row[2]:
        return None
    table, index, inner = row
    return format_path(table), index, format_path(inner)


class ChangeReading:
    """Reads the history's changes against the session's plan, remembering what it looked up
    in the store (the value a list change replaced, the change a restore went back to)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._before_cache: dict[int, Any] = {}
        self._points: dict[int, Change | None] = {}

    def row_now(self, change: Change) -> tuple[str, int, str, Any] | None:
        """For a change inside a table row: (table, index then, path inside the row, the row
        as it is now, found by its id: None when it has gone, MISSING when its id is unknown)."""
        split = row_split(change.path)
        if split is None:
            return None
        table, index, inner = split
        row_id = self._session.authorship.row_id_at(table, index, change)
        if row_id is None:
            return table, index, inner, MISSING
        found = row_by_id(get_path(self._session.document, table, None), row_id)
        return table, index, inner, found[1] if found else None

    def current(self, change: Change) -> Any:
        """The value now in the field that `change` set (by row id inside tables); MISSING when
        its row has gone."""
        found = self.row_now(change)
        if found is None or found[3] is MISSING:
            return get_path(self._session.document, change.path, None)
        _, _, inner, row = found
        return MISSING if row is None else get_path(row, inner, None)

    def place(self, change: Change) -> str:
        """The field `change` set, in words; a table row is titled as it is now."""
        found = self.row_now(change)
        if found is None:
            return in_words(change.path, self._session.document)
        table, index, _, row = found
        titled: dict[str, Any] = {}
        if isinstance(row, dict):
            at: Any = titled
            parts = table.split(".")
            for part in parts[:-1]:
                at = at.setdefault(part, {})
            at[parts[-1]] = [None] * index + [row]
        return in_words(change.path, titled)

    def before(self, change: Change) -> Any:
        """The value a change to a whole list replaced (to say which rows it added or removed);
        MISSING for other changes."""
        if not change.path or not isinstance(change.value, list) or change.revision <= 1:
            return MISSING
        if change.revision not in self._before_cache:
            old = self._session.workspace.plan_at(self._session.sig_id, change.revision - 1)
            self._before_cache[change.revision] = get_path(old, change.path, None)
        return self._before_cache[change.revision]

    def restored_from(self, change: Change, loaded: list[Change]) -> Change | None:
        """The change a restore went back to (its note names its revision), when still known."""
        match = RESTORED_NOTE.fullmatch(change.note or "")
        if change.kind != "restore" or match is None:
            return None
        revision = int(match[1])
        if revision not in self._points:
            known = [c for c in loaded if c.revision == revision]
            if not known:
                store, sig_id = self._session.workspace, self._session.sig_id
                back = store.history(sig_id, limit=store.revision(sig_id) - revision + 1)
                known = [c for c in back if c.revision == revision]
            self._points[revision] = known[0] if known else None
        return self._points[revision]

    def offers_field_restore(self, change: Change) -> bool:
        """Whether restoring the field to its value after `change` would alter it now."""
        if not change.path:
            return False
        current = self.current(change)
        return current is not MISSING and canonical_json(current) != canonical_json(change.value)

    def hidden(self, change: Change) -> bool:
        """Whether `change` touched the name ideas while they are collected privately."""
        path = change.path
        return (path == NAME_IDEAS or path.startswith(NAME_IDEAS + ".")) and is_collecting(
            self._session.value(VOTING_ROUND)
        )
