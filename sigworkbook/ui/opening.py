"""Opening the widgets of a page being built all at once: one message each, with its final state."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from ipywidgets import Widget

# ipywidgets opens a widget's comm (a message to the page with its whole state) the moment the
# widget is made, and sends a message for every synced change after that: building the charter
# sent 345 openings and 261 changes (a CSS class added, a value shown), each serialised, signed
# and read by the server before the page's HTML was complete. Inside `opened_together` a new
# widget gets a stand-in comm instead (ipywidgets sends nothing through a comm without a kernel);
# at the end each one is opened with the state it has then, and only then go the changes to
# widgets opened before, so that the page never hears of a widget before it is opened.


class _Unopened:
    """The stand-in comm of a widget made inside `opened_together`: it has its id already (a
    parent made meanwhile refers to it by that id), and no kernel, so nothing is sent."""

    kernel = None

    def __init__(self) -> None:
        self.comm_id = uuid.uuid4().hex

    def on_msg(self, callback: Callable[..., Any] | None) -> None:
        """Nothing comes from the page before the widget is opened."""

    def close(self, *args: Any, **kwargs: Any) -> None:
        """A widget closed before it was opened: the page never heard of it."""


_made: list[Widget] | None = None
"""The widgets made inside the outermost `opened_together`, in order; None outside one."""
_held: list[tuple[Widget, dict[str, Any], Any]] = []
"""Messages to widgets opened before, held until the new widgets are opened."""
_told: Callable[[Widget], None] | None = None
"""The construction callback set before the outermost `opened_together` (told first)."""


def _defer_opening(widget: Widget) -> None:
    if _told is not None:
        _told(widget)
    if _made is not None and widget.comm is None:
        widget.comm = _Unopened()  # open() then leaves it: the comm is not None
        _made.append(widget)


def _hold(widget: Widget, msg: dict[str, Any], buffers: Any = None) -> None:
    if not isinstance(widget.comm, _Unopened):
        _held.append((widget, msg, buffers))


@contextlib.contextmanager
def opened_together() -> Iterator[None]:
    """Inside, widgets are made without a message; they are opened at the end, in the order
    made, each with its state then (nested: at the outermost end)."""
    global _made, _told
    if _made is not None:
        yield
        return
    made: list[Widget] = []
    _told = Widget._widget_construction_callback
    send = Widget._send
    _made = made
    Widget.on_widget_constructed(_defer_opening)
    Widget._send = _hold
    try:
        yield
    finally:
        _made = None
        Widget._send = send
        Widget._widget_construction_callback = _told
        _told = None
        held = list(_held)
        _held.clear()
        for widget in made:
            if isinstance(widget.comm, _Unopened):  # not closed meanwhile
                widget.comm = None
                widget.open()  # the same id: its parents' references hold
        for widget, msg, buffers in held:
            widget._send(msg, buffers=buffers)
