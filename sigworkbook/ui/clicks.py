"""Button clicks that act once typed text has reached the kernel; failures go to the server log."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from sigworkbook.live.kernel import kernel_loop, log_failure

SETTLE_S = 0.25
"""How long a click that reads typed text waits, inside a kernel, before it acts.

The widgets front end holds back a text box's newest value while the kernel is still busy with
the previous one, but sends a click at once: the click can overtake the last few keystrokes.
The held-back value is sent as soon as the kernel is idle, well within this time."""


def on_click(button: widgets.Button, action: Callable[[], object], *, reads_typing: bool) -> None:
    """Run `action` when `button` is clicked; with `reads_typing`, once text typed just before
    the click has arrived. An error is logged for the server, never shown as a traceback."""

    def act() -> None:
        try:
            action()
        except Exception:
            log_failure(f"the button {button.description!r} failed")

    def clicked(_: widgets.Button) -> None:
        loop = kernel_loop()
        if reads_typing and loop is not None:
            loop.call_later(SETTLE_S, act)
        else:
            act()

    button.on_click(clicked)
