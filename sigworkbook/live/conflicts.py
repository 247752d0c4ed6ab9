"""Showing a newer plan in a page's controls without ever overwriting what someone is typing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sigworkbook.live.bound import Bound, shown_value
from sigworkbook.live.saving import SaveQueue
from sigworkbook.store import Change


def show_latest(
    controls: Mapping[str, Sequence[Bound]],
    document: dict[str, Any],
    last_change: Callable[[str], Change | None],
    queue: SaveQueue,
) -> None:
    """Show `document`'s values in `controls`; a control being edited whose field someone else
    changed meanwhile shows both versions instead (and its waiting edit is not saved)."""
    for path, bound in list(controls.items()):
        change = last_change(path)
        for control in bound:
            found, value = shown_value(document, control)
            if not found:
                continue  # its row is gone: a save reports that; the table redraws
            control.show_changed(change)
            if queue.is_pending(path) or control.is_dirty():
                if value != control.base:
                    queue.drop_pending(path)
                    control.show_conflict(value, change)
                continue
            if value != control.base:
                control.show_value(value)
