"""What live editing needs from a control bound to one plan field, and the value it shows."""

from __future__ import annotations

from typing import Any, Protocol, TypeGuard

from sigworkbook.live.merging import Merged
from sigworkbook.plan.paths import PathError, get_path, row_by_id
from sigworkbook.store import Change

RowAddress = tuple[str, str, str]
"""(table path, row id, field within the row): where a table row's field is saved."""


class Bound(Protocol):
    """A control bound to one plan field."""

    path: str
    row: RowAddress | None
    """For a field of a table row: saved to the row with that id, wherever it is by then."""
    base: Any
    """The plan's value the control last agreed with; it is dirty while its input differs."""

    @property
    def in_conflict(self) -> bool:
        """Someone else changed the field while this person typed; they have not chosen yet."""

    @property
    def has_problem(self) -> bool:
        """An error is showing next to the control (its last edit was refused)."""

    def is_dirty(self) -> bool: ...
    def show_value(self, value: Any) -> None: ...
    def saved(self, value: Any) -> None: ...
    def show_problem(self, message: str | None) -> None: ...
    def show_conflict(self, theirs: Any, change: Change | None) -> None: ...
    def show_changed(self, change: Change | None) -> None: ...


class Merging(Bound, Protocol):
    """A text control whose typing is merged with other people's saves of its field."""

    merges: bool
    set_aside_id: str | None
    colliding_with: Any
    """Their version of the field while the person chooses (None otherwise)."""
    """The version this person typed, set aside on the server while they choose."""

    @property
    def value(self) -> Any: ...
    def show_merged(self, theirs: Any, text: str, change: Change | None) -> None:
        """Others saved `theirs`; the box now shows `text`, their words merged into the typing
        (saved next, unless it is `theirs`)."""

    def show_collision(
        self, theirs: Any, merged: Merged, change: Change | None, set_aside: str | None
    ) -> None:
        """Someone changed the same words differently: both versions, and the choice."""

    def show_replaced(self, entry: dict[str, Any]) -> None:
        """Someone's "Keep mine" replaced this person's words (`entry`, set aside): Undo."""


def merges(control: Bound) -> TypeGuard[Merging]:
    """Whether `control`'s typing is merged with others' saves (a text field), not chosen."""
    return bool(getattr(control, "merges", False))


def shown_value(document: dict[str, Any], control: Bound) -> tuple[bool, Any]:
    """(found, value) of the plan's value that `control` shows, a table row found by its id;
    found is False when that row is gone."""
    if control.row is not None:
        list_path, row_id, column = control.row
        found = row_by_id(get_path(document, list_path, None), row_id)
        if found is None:
            return False, None
        return True, get_path(found[1], column, None)
    try:
        return True, get_path(document, control.path)
    except (PathError, KeyError, IndexError):
        return True, None
