"""Live updates: others' saves as the change feed reports them, and who else is here, typing."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from sigworkbook import settings
from sigworkbook.live.kernel import kernel_loop, log, log_to_server
from sigworkbook.live.presence import TYPING_FOR, PresenceBoard
from sigworkbook.store import ChangeFeed, StoreError, Visitor

if TYPE_CHECKING:
    from sigworkbook.live.session import Session


class LiveUpdates:
    """Keeps a page's session current inside a kernel: refreshes when the store reports a new
    revision, checks in every few seconds, and says who is typing in which field."""

    def __init__(self, session: Session, visitor: str) -> None:
        self._session = session
        self.presence = PresenceBoard(session.workspace, session.sig_id, visitor)
        self._feed: ChangeFeed | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._typing: tuple[str, float] | None = None
        """The field this person last typed in, and when (monotonic seconds)."""

    def start(self) -> None:
        """Inside a kernel, show other people's edits as the store's change feed reports them,
        and check in every few seconds."""
        session = self._session
        loop = kernel_loop()
        if loop is None or self._feed is not None:
            return
        log_to_server()

        def new_revision(latest: int) -> None:
            if latest == session.loaded.revision:
                return
            try:
                session.refresh()
            except StoreError:
                pass  # shown when the person next saves; the feed goes on
            except Exception:  # a page that stops refreshing is silently stale
                log.exception("showing others' edits failed")

        every = settings.PRESENCE_INTERVAL.read()

        def presence_tick() -> None:
            try:
                self.check_in()
            except Exception:
                log.exception("updating who else is here failed")
            self._timer = loop.call_later(every, presence_tick)

        self._feed = session.workspace.change_feed(session.sig_id)
        self._feed.start(loop, new_revision)
        self.check_in()
        self._timer = loop.call_later(every, presence_tick)

    def check_in(self) -> None:
        """Record that this page is open and read who else is here (best effort)."""
        session = self._session
        if self._typing is not None and time.monotonic() - self._typing[1] > TYPING_FOR:
            self._typing = None
        typing = self._typing[0] if self._typing is not None else None
        self.presence.check_in(session.author, session.step, typing)
        session.here = self.presence.others()
        self._show_typing()

    def typed_in(self, path: str) -> None:
        """This person typed in `path`: other pages say so (at once when it is news)."""
        news = self._typing is None or self._typing[0] != path
        self._typing = (path, time.monotonic())
        if news and kernel_loop() is not None:
            self.check_in()

    def _show_typing(self) -> None:
        """'Dev is typing…' under each field someone else is typing in."""
        here: list[Visitor] = self._session.here
        for path, controls in self._session.controls.items():
            names = list(
                dict.fromkeys(v.participant or "Someone" for v in here if v.typing == path)
            )
            for control in controls:
                show = getattr(control, "show_typing", None)
                if show is not None:
                    show(names)

    def stop(self) -> None:
        """Stop listening and checking in, and take this page off the register."""
        if self._feed is not None:
            self._feed.stop()
        if self._timer is not None:
            self._timer.cancel()
        self.presence.leave()
