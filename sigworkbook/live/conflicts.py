"""Showing a newer plan in a page's controls without ever overwriting what someone is typing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sigworkbook.live.bound import Bound, Merging, merges, shown_value
from sigworkbook.live.merging import Merged, merge, replayed
from sigworkbook.live.saving import SaveQueue
from sigworkbook.store import Change

Collided = Callable[[Merging, Any, Merged, Change | None], None]
"""Told when someone changed the same words as the person typing in a text field."""


def show_latest(
    controls: Mapping[str, Sequence[Bound]],
    document: dict[str, Any],
    last_change: Callable[[str], Change | None],
    queue: SaveQueue,
    collided: Collided | None = None,
) -> None:
    """Show `document`'s values in `controls`; a control being edited whose field someone else
    changed meanwhile merges their words into the typing (a text field), or, where the same
    words were changed differently or the field is not text, shows both versions instead (and
    its waiting edit is not saved)."""
    for path, bound in list(controls.items()):
        change = last_change(path)
        for control in bound:
            found, value = shown_value(document, control)
            if not found:
                continue  # its row is gone: a save reports that; the table redraws
            control.show_changed(change)
            if queue.is_pending(path) or control.is_dirty():
                if merges(control) and control.in_conflict and control.colliding_with == value:
                    continue  # the person is choosing already
                if value != control.base and merges(control) and collided is not None:
                    base, mine = control.base or "", control.value or ""
                    result = merge(base, mine, value or "")
                    if not result.collisions:
                        # Their words go into the box at once: its protocol keeps the keys
                        # typed meanwhile (ui/merging_box.py); saved merged at the pause.
                        # The typing is made again on their text key by key, so a space just
                        # typed stays where the caret is (over words it would go with the
                        # next word, after theirs, and the next keys would glue onto theirs).
                        control.show_merged(value, replayed(base, mine, value or ""), change)
                        continue
                    queue.drop_pending(path)
                    collided(control, value, result, change)
                elif value != control.base:
                    queue.drop_pending(path)
                    control.show_conflict(value, change)
                continue
            if value != control.base:
                control.show_value(value)
                control.show_changed(change)  # after: the value may name its writers anew
