"""Edits waiting to be saved: after a pause in typing (debounce), and again when they failed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sigworkbook import settings
from sigworkbook.live.bound import Bound

Pending = tuple[Any, Bound | None]
"""A value waiting to be saved at a path, and the control it came from."""


class SaveQueue:
    """The edits of one page not saved yet; `flush` is called after a pause in typing."""

    def __init__(self, flush: Callable[[], object]) -> None:
        self._flush = flush
        self._pending: dict[str, Pending] = {}
        self._failed: dict[str, Pending] = {}
        self._timer: asyncio.TimerHandle | None = None

    def put(self, path: str, value: Any, source: Bound | None, *, debounce: bool) -> None:
        """Queue an edit; with `debounce`, flush after the save delay unless more typing comes
        (without, the caller flushes when it wants)."""
        self._pending[path] = (value, source)
        if not debounce:
            return
        self.cancel_timer()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(settings.SAVE_DELAY.read(), self._flush)

    def take(self) -> dict[str, Pending]:
        """Every queued edit, leaving the queue empty (the timer is cancelled)."""
        self.cancel_timer()
        pending, self._pending = self._pending, {}
        return pending

    def failed(self, path: str, pending: Pending) -> None:
        """Keep an edit that could not be saved for a reason other than its value."""
        self._failed[path] = pending

    def requeue_failed(self) -> None:
        """Queue the failed edits again (Retry)."""
        self._pending.update(self._failed)
        self._failed.clear()

    def discard(self, path: str) -> None:
        """Forget an edit of `path` that is waiting (the person chose another value)."""
        self._pending.pop(path, None)
        self._failed.pop(path, None)

    def drop_pending(self, path: str) -> None:
        """Forget the waiting edit of `path` (it is in conflict: the person chooses)."""
        self._pending.pop(path, None)

    def is_pending(self, path: str) -> bool:
        return path in self._pending

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    @property
    def failed_paths(self) -> list[str]:
        return list(self._failed)

    def cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
