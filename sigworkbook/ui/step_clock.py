"""The meeting bar's clock: the time left in the step on screen, ticking each second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import ipywidgets as widgets

from sigworkbook.live.kernel import kernel_loop
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.layout import clock_html


class StepClock:
    """The clock of one step's timebox (empty for a step without one); `at_zero` is called
    when, running, it reaches zero before this kernel's eyes (once: not on a page opened after)."""

    def __init__(self, session: Session, at_zero: Callable[[], None] | None = None) -> None:
        self.session = session
        self.at_zero = at_zero
        self.widget = widgets.HTML()
        self.widget.add_class("swb-meeting-clock")
        self._step = ""
        self._left: int | None = None
        """The time left last shown of the step's running clock (None: stopped, or none)."""
        self._handle: asyncio.TimerHandle | None = None

    def show(self, step: str) -> None:
        """Show the clock of `step`, ticking each second while it runs."""
        if step != self._step:
            self._step, self._left = step, None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        meeting = self.session.loaded.plan.meeting
        box = meeting.timeboxes.get(step, 0) if step in STEP_BY_KEY else 0
        if not box:
            self.widget.value, self._left = "", None
            return
        timer = meeting.timers.get(step)
        spent = timer.spent_seconds if timer else 0.0
        since = timer.running_since if timer else None
        added = timer.added_seconds if timer else 0.0
        total = box * 60 + int(added)
        running = since is not None
        if since is not None:
            spent += max(0.0, time.time() - since)
        left = total - int(spent)
        self.widget.value = clock_html(left, total, running=running)
        if running and self._left is not None and self._left > 0 >= left and self.at_zero:
            self.at_zero()
        self._left = left if running else None
        loop = kernel_loop()
        if running and loop is not None:
            self._handle = loop.call_later(1, self._tick)

    def _tick(self) -> None:
        self._handle = None
        self.show(self._step)
