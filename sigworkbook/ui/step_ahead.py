"""Building the step after the group's ahead, off screen, so that following the lead is a switch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sigworkbook.live.kernel import kernel_loop, log
from sigworkbook.live.leading import Meeting
from sigworkbook.plan.steps import STEP_BY_KEY, next_step

PREPARE_AFTER = 2.0
"""Seconds after the group reaches a step before each kernel builds the next one ahead."""


class StepAhead:
    """Builds the step after the group's a moment after the group arrives (each kernel at its
    own pace), never while this page's person types."""

    def __init__(self, meeting: Meeting, prepare: Callable[[str], None] | None) -> None:
        self.meeting = meeting
        self.prepare = prepare
        """Builds a step ahead, off screen (the app's)."""
        self._prepared_for: str | None = None
        self._handle: asyncio.TimerHandle | None = None

    def after_the_group(self) -> None:
        """While a meeting goes on, build the step after the group's (once per group step)."""
        live = self.meeting.live
        loop = kernel_loop()
        if live is None or self.prepare is None or loop is None or live.step == self._prepared_for:
            return
        self._prepared_for = live.step
        following = next_step(STEP_BY_KEY[live.step])
        if following is None:
            return
        if self._handle is not None:
            self._handle.cancel()
        prepare = self.prepare

        def build() -> None:
            self._handle = None
            if self.meeting.typing:  # not while someone types: later
                self._handle = loop.call_later(PREPARE_AFTER, build)
                return
            try:
                prepare(following.key)
            except Exception:
                log.exception("building the next step ahead failed")

        self._handle = loop.call_later(PREPARE_AFTER, build)
