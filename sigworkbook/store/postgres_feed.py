"""A change feed by LISTEN/NOTIFY: the page's event loop wakes when the database sends a notice.

The feed holds one connection of its own, in autocommit mode, listening on the SIG's channel;
its socket is watched with ``loop.add_reader``, so nothing is polled. When the connection
drops (the database restarted), the feed connects again with growing pauses and, once back,
reads the revision once, since notices sent while it was away are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Final, Protocol

import psycopg
from psycopg import sql

from sigworkbook.store.interface import StoreError
from sigworkbook.store.postgres_schema import channel


class _Connects(Protocol):
    """What the feed needs of the store: a connection of its own, with the store's settings."""

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[tuple[Any, ...]]: ...


RETRY_FIRST: Final = 0.5
RETRY_MOST: Final = 5.0
"""Seconds between attempts to listen again after the connection dropped."""

_log = logging.getLogger(__name__)


class NotifyFeed:
    """Calls back with the SIG's new revision whenever the database notifies one."""

    def __init__(self, store: _Connects, sig_id: str) -> None:
        self._store = store
        self._sig_id = sig_id
        self._channel = channel(sig_id)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_revision: Callable[[int], None] | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self._fd: int | None = None
        self._retry: asyncio.TimerHandle | None = None
        self._pause = RETRY_FIRST
        self._seen: int | None = None

    @property
    def listening(self) -> bool:
        """Whether the feed has a live listening connection just now."""
        return self._conn is not None

    def start(self, loop: asyncio.AbstractEventLoop, on_revision: Callable[[int], None]) -> None:
        """Start listening; the revision when it starts is only noted."""
        if self._loop is not None:
            return
        self._loop, self._on_revision = loop, on_revision
        self._listen()

    def stop(self) -> None:
        """Stop listening and close the connection; calling it twice is harmless."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        self._drop()
        self._loop = self._on_revision = None

    def _listen(self) -> None:
        """Connect, LISTEN, and catch up with the revision; on failure try again later."""
        self._retry = None
        if self._loop is None:
            return
        conn: psycopg.Connection[Any] | None = None
        try:
            conn = self._store.connect(autocommit=True)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            row = conn.execute("SELECT revision FROM sigs WHERE sig_id = %s", (self._sig_id,))
            found = row.fetchone()
            fd = conn.fileno()
            self._loop.add_reader(fd, self._readable)
        except (StoreError, psycopg.Error, OSError) as error:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
            _log.info("listening for changes failed, trying again: %s", type(error).__name__)
            self._retry = self._loop.call_later(self._pause, self._listen)
            self._pause = min(self._pause * 2, RETRY_MOST)
            return
        self._conn, self._fd, self._pause = conn, fd, RETRY_FIRST
        if found is not None:
            self._note(int(found[0]))

    def _readable(self) -> None:
        """The socket has data: hand on each notice; a dropped connection is re-opened."""
        conn = self._conn
        if conn is None:
            return
        latest: int | None = None
        try:
            for notice in conn.notifies(timeout=0):
                if notice.channel == self._channel and notice.payload.isdigit():
                    latest = max(latest or 0, int(notice.payload))
        except psycopg.Error:
            self._drop()
            if self._loop is not None:
                self._retry = self._loop.call_later(RETRY_FIRST, self._listen)
        if latest is not None:
            self._note(latest)

    def _note(self, latest: int) -> None:
        first = self._seen is None
        changed = latest != self._seen and (self._seen is None or latest > self._seen)
        if changed:
            self._seen = latest
        if changed and not first and self._on_revision is not None:
            try:
                self._on_revision(latest)
            except Exception:  # a feed that dies leaves the page silently stale
                _log.exception("telling the page about a new revision failed")

    def _drop(self) -> None:
        conn, fd, self._conn, self._fd = self._conn, self._fd, None, None
        if self._loop is not None and fd is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(fd)  # the number it was registered with
        if conn is None:
            return
        with contextlib.suppress(Exception):
            conn.close()
