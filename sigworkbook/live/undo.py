"""Undo's bookkeeping: which revisions are this person's, and which Undo already took back."""

from __future__ import annotations

from collections.abc import Iterable

from sigworkbook.plan import meeting
from sigworkbook.plan.meeting import SET_ASIDE
from sigworkbook.store import Change

NOT_EDITS: tuple[str, ...] = (*meeting.STATE, SET_ASIDE)
"""Changes that are nobody's edit of the plan, whoever's kernel wrote them (hosted, every write
carries the hub user's name): the meeting's state (the lead's moves, who is ready, the timers,
the records) and the versions set aside. Undo never takes them back; the history panel does not
list them."""


def is_edit(path: str) -> bool:
    """Whether a change at `path` is someone's edit of the plan (not one of `NOT_EDITS`)."""
    set_aside = path == SET_ASIDE or path.startswith(SET_ASIDE + ".")
    return not meeting.is_state(path) and not set_aside


class UndoLog:
    """This page's saves, and the revisions Undo put back: a second Undo goes further back."""

    def __init__(self) -> None:
        self._mine: list[int] = []
        self._undone: set[int] = set()

    def saved(self, revision: int) -> None:
        """This page saved `revision`."""
        self._mine.append(revision)

    def last(self, history: Iterable[Change], author: str | None) -> Change | None:
        """The newest edit in `history` (newest first) by this page or its person, not undone
        (the meeting's state and versions set aside are nobody's edits: see `NOT_EDITS`)."""
        mine = set(self._mine)
        for change in history:
            if not is_edit(change.path or ""):
                continue
            ours = change.revision in mine or (author is not None and change.author == author)
            if ours and change.revision not in self._undone:
                return change
        return None

    def undone(self, change: Change, before: int, after: int) -> None:
        """Undo took back `change`, writing the revisions after `before` up to `after`."""
        self._undone.update({change.revision, *range(before + 1, after + 1)})
