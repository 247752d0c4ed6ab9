"""What a kernel says of its widgets reaches a page only once the page has their whole state.

A page that has just connected asks for every widget's state (ipywidgets 8's control comm:
`request_states`, answered by `update_states`) and cannot draw anything before that answer.
What the kernel does meanwhile (the parts of a step built after its first screen, another
person's words arriving, a timer ticking) it broadcasts: a `comm_open` for a new widget, a
`comm_msg` for a changed one. A page that receives such an opening before the state builds the
new widget at once, finds that it refers to widgets it has not been told of yet (a shared
layout, the box it goes in), and fails it: the widget and every box holding it never draw, and
the page says "Loading widget..." for good. Everything the kernel says before it answers is
already in its answer (the state it sends is the state then), so until the answer passes, the
page is better off without those messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CONTROL_TARGET = "jupyter.widget.control"
"""The comm target of ipywidgets 8's control channel, which a page opens to ask for the state."""
STATE_REQUEST = "request_states"
"""The page's request on the control comm: every widget's state, please."""
STATE_ANSWER = "update_states"
"""The kernel's answer on the control comm: every widget's state."""
WIDGET_MESSAGES = frozenset({"comm_open", "comm_msg", "comm_close"})
"""The broadcast messages that speak of widgets."""
OLD_STATE_REQUEST = "comm_info_request"
"""How front ends before ipywidgets 7.7 ask which widgets exist (then each one's state): such a
page gets every message, as it would without the gate."""

Content = Callable[[], Mapping[str, Any]]
"""Reads a message's content (only when the gate needs it)."""


class StateGate:
    """One page connection's gate: shut from the start and while a request of the page for the
    widgets' state is not answered (a page asks again after a reconnection, or when an answer
    was late, see sigworkbook.js); open once every request is answered."""

    def __init__(self) -> None:
        self.answered = False
        """Whether the page has had an answer with the widgets' state (or asked the old way)."""
        self.waiting = 0
        """The page's requests for the state not answered yet."""
        self._control: set[str] = set()

    @property
    def open(self) -> bool:
        """Whether what the kernel says of its widgets goes to the page now."""
        return self.answered and self.waiting == 0

    def page_sent(self, msg_type: str, content: Content) -> None:
        """Note a message from the page: the control comms it opens, its requests for the
        state, or a request the old way (the gate then stays open: see OLD_STATE_REQUEST)."""
        if msg_type == OLD_STATE_REQUEST:
            self.answered, self.waiting = True, 0
            self._control.clear()
            return
        if msg_type not in ("comm_open", "comm_msg"):
            return
        body = content()
        comm_id = str(body.get("comm_id"))
        if msg_type == "comm_open":
            if body.get("target_name") == CONTROL_TARGET:
                self._control.add(comm_id)
        elif comm_id in self._control and _method(body) == STATE_REQUEST:
            self.waiting += 1

    def passes(self, msg_type: str, content: Content) -> bool:
        """Whether a broadcast message from the kernel goes to the page (`content` reads it,
        only when needed); each answer with the widgets' state counts one request answered."""
        if msg_type not in WIDGET_MESSAGES or self.open:
            return True
        if not self._control:
            return False  # the page has not asked yet: what it would get now, it cannot use
        body = content()
        if str(body.get("comm_id")) not in self._control:
            return False
        if msg_type == "comm_msg" and _method(body) == STATE_ANSWER:
            self.answered = True
            self.waiting = max(0, self.waiting - 1)
        return True


def _method(body: Mapping[str, Any]) -> object:
    data = body.get("data")
    return data.get("method") if isinstance(data, Mapping) else None
