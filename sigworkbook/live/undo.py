"""Undo's bookkeeping: which revisions are this person's, and which Undo already took back."""

from __future__ import annotations

from collections.abc import Iterable

from sigworkbook.store import Change


class UndoLog:
    """This page's saves, and the revisions Undo put back: a second Undo goes further back."""

    def __init__(self) -> None:
        self._mine: list[int] = []
        self._undone: set[int] = set()

    def saved(self, revision: int) -> None:
        """This page saved `revision`."""
        self._mine.append(revision)

    def last(self, history: Iterable[Change], author: str | None) -> Change | None:
        """The newest change in `history` (newest first) by this page or its person, not undone."""
        mine = set(self._mine)
        for change in history:
            ours = change.revision in mine or (author is not None and change.author == author)
            if ours and change.revision not in self._undone:
                return change
        return None

    def undone(self, change: Change, before: int, after: int) -> None:
        """Undo took back `change`, writing the revisions after `before` up to `after`."""
        self._undone.update({change.revision, *range(before + 1, after + 1)})
