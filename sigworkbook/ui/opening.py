"""Opening the widgets of a page being built all at once: one message each, with its final state."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from ipywidgets import Widget

# ipywidgets opens a widget's comm (a message to the page with its whole state) the moment the
# widget is made, and sends a message for every synced change after that: building the charter
# sent 345 openings and 261 changes (a CSS class added, a value shown), each serialised, signed
# and read by the server before the page's HTML was complete. Inside `opened_together` a new
# widget gets a stand-in comm instead (ipywidgets sends nothing through a comm without a kernel);
# at the end each one is opened with the state it has then, after the widgets it refers to
# (a page that is running reads each opening as it comes, and cannot draw a box whose child it
# has not been told of), and only then go the changes to widgets opened before.


class _Unopened:
    """The stand-in comm of a widget made inside `opened_together`: it has its id already (a
    parent made meanwhile refers to it by that id), and no kernel, so nothing is sent."""

    kernel = None

    def __init__(self) -> None:
        self.comm_id = uuid.uuid4().hex
        self.opening = False
        """Set while the widgets it refers to are opened first (a cycle stops there)."""

    def on_msg(self, callback: Callable[..., Any] | None) -> None:
        """Nothing comes from the page before the widget is opened."""

    def close(self, *args: Any, **kwargs: Any) -> None:
        """A widget closed before it was opened: the page never heard of it."""


log = logging.getLogger(__name__)

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
    made, each with its state then and after the widgets it refers to (nested: at the
    outermost end)."""
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
            try:
                _open(widget)
            except Exception:  # one widget that cannot be sent must not keep the rest back
                log.exception("opening a %s failed", type(widget).__name__)
        for widget, msg, buffers in held:
            widget._send(msg, buffers=buffers)


def _open(widget: Widget) -> None:
    """Open `widget` if it waits, after the waiting widgets its state refers to: a box made
    before its children were, then given them, must not reach the page before they do."""
    if not isinstance(widget.comm, _Unopened):
        return  # opened already, or closed meanwhile
    widget.comm.opening = True
    for name in widget.keys:
        for referred in _widgets_in(getattr(widget, name, None)):
            if isinstance(referred.comm, _Unopened) and not referred.comm.opening:
                _open(referred)
    widget.comm = None
    widget.open()  # with the id it had: the references to it hold


def _widgets_in(value: object) -> Iterator[Widget]:
    if isinstance(value, Widget):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _widgets_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _widgets_in(item)
