"""Button clicks and Enter that act once typed text has reached the kernel, once per double-click;
failures go to the server log."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.kernel import kernel_loop, log_failure

SETTLE_S = 0.25
"""How long a click that reads typed text waits, inside a kernel, before it acts.

The widgets front end holds back a text box's newest value while the kernel is still busy with
the previous one, but sends a click at once: the click can overtake the last few keystrokes.
The held-back value is sent as soon as the kernel is idle, well within this time."""

DOUBLE_CLICK_S = 0.6
"""A second press that arrives while the first is still being acted on, or less than this long
after it was done with nothing else changed on the page meanwhile (see `Once`), is the rest of a
double-click (or an impatient second press): it is ignored, so that "Add a person" clicked
twice adds one row, not two."""


class Once:
    """Runs an action for a press of a button (or Enter in a box), never twice for one double-click."""

    def __init__(
        self,
        what: str,
        action: Callable[[], object],
        *,
        reads_typing: bool,
        once: bool = True,
        state: Callable[[], Hashable] | None = None,
    ) -> None:
        """`state` tells whether anything happened between two presses (the person typed in
        the new row, or a new name): a second press after that is meant, however quick."""
        self.what = what
        self.once = once
        self.state = state or (lambda: None)
        self.state_after: Hashable = None
        self.action = action
        self.reads_typing = reads_typing
        self.busy = False
        self.done_at = float("-inf")

    def _repeats(self) -> bool:
        """This press is the rest of the last one: soon after it, with nothing changed since."""
        recent = time.monotonic() - self.done_at < DOUBLE_CLICK_S
        return self.once and recent and self.state() == self.state_after

    def _act(self) -> None:
        try:
            if not self._repeats():  # judged once typed text has arrived, not before
                self.action()
        except Exception:
            log_failure(f"{self.what} failed")
        finally:
            self.busy = False
            self.done_at = time.monotonic()
            self.state_after = self.state()

    def press(self) -> None:
        """A press arrived: act (after the typing settles), unless it repeats the last press."""
        if self.once and self.busy:
            return
        self.busy = True
        loop = kernel_loop()
        if self.reads_typing and loop is not None:
            loop.call_later(SETTLE_S, self._act)
        else:
            self._act()


def on_click(
    button: widgets.Button,
    action: Callable[[], object],
    *,
    reads_typing: bool,
    once: bool = False,
    state: Callable[[], Hashable] | None = None,
) -> None:
    """Run `action` when `button` is clicked; with `reads_typing`, once text typed just before
    the click has arrived. With `once` (every button that adds or creates), a double-click acts
    once. An error is logged for the server, never shown as a traceback."""
    presses = Once(
        f"the button {button.description!r}",
        action,
        reads_typing=reads_typing,
        once=once,
        state=state,
    )
    button.on_click(lambda _: presses.press())
    button.presses = presses


def on_enter(
    box: widgets.Text, action: Callable[[], object], *, also: widgets.Button | None = None
) -> None:
    """Run `action` when Enter is pressed in the one-line `box`, once its text has arrived (the
    front end sends Enter before the text of a box that is not continuously updated).

    With `also`, Enter and that button share one guard: pressing both at once acts once."""
    shared = getattr(also, "presses", None) if also is not None else None
    once = (
        shared
        if isinstance(shared, Once)
        else Once(f"Enter in {box.description!r}", action, reads_typing=True)
    )

    def message(_: Any, content: dict[str, Any], buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            once.press()

    box.on_msg(message)
