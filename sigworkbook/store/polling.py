"""A change feed for any store: look at the SIG's revision every so often (one indexed read)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from sigworkbook import settings
from sigworkbook.store.interface import StoreError

_log = logging.getLogger(__name__)


class _HasRevision(Protocol):
    def revision(self, sig_id: str) -> int: ...


class PollingFeed:
    """Calls back when the revision read every `interval` seconds differs from the last one."""

    def __init__(self, store: _HasRevision, sig_id: str, interval: float | None = None) -> None:
        self._store = store
        self._sig_id = sig_id
        self._interval = settings.POLL_INTERVAL.read() if interval is None else interval
        self._timer: asyncio.TimerHandle | None = None
        self._seen: int | None = None

    def start(self, loop: asyncio.AbstractEventLoop, on_revision: Callable[[int], None]) -> None:
        """Start looking; the first look only notes the revision."""
        if self._timer is not None:
            return

        def tick() -> None:
            try:
                latest = self._store.revision(self._sig_id)
            except StoreError:
                latest = None  # shown when the person next saves; keep looking
            except Exception:  # a feed that dies leaves the page silently stale
                _log.exception("checking for others' edits failed")
                latest = None
            if latest is not None and latest != self._seen:
                first = self._seen is None
                self._seen = latest
                if not first:
                    on_revision(latest)
            self._timer = loop.call_later(self._interval, tick)

        self._timer = loop.call_later(self._interval, tick)

    def stop(self) -> None:
        """Stop looking."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
