"""Between the pages and their kernels: who may start one, how much memory it gets, what a page
may send it and what reaches the page (imports jupyter_server: load it only to serve).

* `GuardedKernelManager` counts each visitor's page kernels (the page handler admits a page
  load first, see `limits.Admission`), gives every kernel an address-space limit as it starts,
  and shuts down a kernel whose open page has sent nothing for `quiet_kernel_timeout`.
* `NoDelay` makes the kernel websocket send each message the moment it is written.
* `GuardedConnection` (the kernel websocket) passes a `comm_open` from a page only for the
  widgets' control channel, and passes to the page only what the widgets draw with: a kernel's
  stdout, stderr and error messages go to the server log under a reference instead; what the
  kernel says of its widgets only once the page has their state (`state_gate`).
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
import secrets
import struct
import time
from typing import Any

from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
)
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import (
    AsyncMappingKernelManager,
    ServerKernelManager,
)
from traitlets import DottedObjectName, Instance

from sigworkbook.app.limits import Admission, Claim, Limits
from sigworkbook.app.state_gate import StateGate
from sigworkbook.app.voila_config import LIMITS_SETTING

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"

PAGE_COMM_TARGETS = frozenset({"jupyter.widget.control"})
"""The comm targets a page may open: ipywidgets 8's front end opens only the control comm (to
ask for every widget's state); widgets themselves are opened by the kernel."""

IOPUB_TO_PAGE = frozenset(
    {
        "status",
        "comm_open",
        "comm_msg",
        "comm_close",
        "display_data",
        "update_display_data",
        "clear_output",
        "shutdown_reply",
    }
)
"""The broadcast messages a page needs: widgets, what is displayed, and the kernel's state."""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

LOGGED_TYPES = frozenset({"stream", "error"})
"""Messages whose text goes to the server log when kept from the page."""

current_claim: contextvars.ContextVar[Claim | None] = contextvars.ContextVar(
    "current_claim", default=None
)
"""The page load being served, so that the kernel started for it is counted as its visitor's."""


_CLOSING_NOTE = re.compile(r"^No such comm: [0-9a-f-]+$")
"""What ipykernel writes when a widget message arrives for a comm already closed: a page that
is closing or reloading sends one now and then. Not a problem: logged for debugging only."""


def new_reference() -> str:
    """A short id that links what a visitor sees to the details in the server log."""
    return secrets.token_hex(4).upper()


def _limits_of(app: Any) -> Limits:
    found = (getattr(app, "tornado_settings", None) or {}).get(LIMITS_SETTING)
    return found if isinstance(found, Limits) else Limits()


def limit_memory(pid: int, limit: int) -> bool:
    """Give process `pid` an address-space limit of `limit` bytes; False where the platform
    cannot (only Linux can set another process's limits)."""
    import resource

    prlimit = getattr(resource, "prlimit", None)
    if prlimit is None:
        return False
    prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    return True


OUT_OF_MEMORY_EXTENSION = "sigworkbook.live.out_of_memory"
"""Loaded into every kernel: a MemoryError stops the kernel (and its page says so)."""


class LimitedKernel(ServerKernelManager):
    """One kernel, with the server's address-space limit from the moment it starts (restarts
    included), which stops when it runs out of memory."""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command: list[str] = super().format_kernel_cmd(extra_arguments)
        if any("ipykernel" in part for part in command):
            command.append(f"--IPKernelApp.extensions={OUT_OF_MEMORY_EXTENSION}")
        return command

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        limits = getattr(self.parent, "limits", None)
        limit = (limits if isinstance(limits, Limits) else Limits()).kernel_memory_bytes
        pid = getattr(self.provisioner, "pid", None)
        if pid is None:
            return
        try:
            limited = limit_memory(pid, limit)
        except OSError as error:  # the kernel is already gone: its start fails on its own
            self.log.warning("Kernel memory limit not set for process %s: %s", pid, error)
            return
        if not limited:
            self.log.warning("Kernel memory limit not set: this platform cannot (Linux only)")


class GuardedKernelManager(AsyncMappingKernelManager):
    """The server's kernels: counted per visitor, memory-limited, culled when quiet too long."""

    kernel_manager_class = DottedObjectName(
        f"{LimitedKernel.__module__}.{LimitedKernel.__qualname__}", config=True
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self.limits = _limits_of(self.parent)
        self.admission = Admission(self.limits)
        self.last_heard: dict[str, float] = {}
        """kernel id -> when (time.monotonic) its page last sent a message"""

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        kernel_id: str = await super().start_kernel(*args, **kwargs)
        claim = current_claim.get()
        if claim is not None:
            claim.started(kernel_id)
        return kernel_id

    def heard(self, kernel_id: str) -> None:
        """Note that the page of `kernel_id` sent a message (or connected) now."""
        self.last_heard[kernel_id] = time.monotonic()

    def remove_kernel(self, kernel_id: str) -> Any:
        self.last_heard.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        if kernel_id not in self._kernels:
            return  # shut down since the culler listed it (its page closed): nothing to cull
        heard = self.last_heard.get(kernel_id)
        quiet = time.monotonic() - heard if heard is not None else 0.0
        if (
            self._kernel_connections.get(kernel_id, 0)
            and quiet > self.limits.quiet_kernel_timeout_s
        ):
            self.log.warning(
                "Culling kernel %s: its page has sent nothing for %d s (quiet_kernel_timeout)",
                kernel_id,
                quiet,
            )
            await self.shutdown_kernel(kernel_id)  # type: ignore[no-untyped-call]
            return
        await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]


MALFORMED = (ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error)
"""What reading a malformed message from a page raises (a short binary frame: struct.error)."""


def _check_v1_frame(ws_message: Any) -> None:
    """Refuse a v1 frame whose table of offsets does not fit it: jupyter_server reads as many
    offsets as the frame's first 8 bytes say, so one short frame saying 2**60 would hold the
    server's one thread (every page of every person) for ever."""
    if not isinstance(ws_message, bytes) or len(ws_message) < 8:
        raise ValueError("not a binary frame")
    count = int.from_bytes(ws_message[:8], "little")
    if not 6 <= count <= len(ws_message) // 8 - 1:  # channel, header, parent, metadata, content
        raise ValueError("the frame's offsets do not fit it")
    offsets = [
        int.from_bytes(ws_message[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)
    ]
    if offsets != sorted(offsets) or offsets[0] < 8 * (count + 1) or offsets[-1] > len(ws_message):
        raise ValueError("the frame's offsets point outside it")


def _check_legacy_frame(ws_message: bytes) -> None:
    """Refuse a binary frame of the older protocol whose count of parts does not fit it (a
    count of 2**31 made jupyter_server build a 2 GB format string before failing)."""
    count = int.from_bytes(ws_message[:4], "big", signed=True) if len(ws_message) >= 4 else 0
    if not 1 <= count <= len(ws_message) // 4 - 1:
        raise ValueError("the frame's count of parts does not fit it")


def _header_and_content(subprotocol: str | None, ws_message: Any) -> tuple[dict[str, Any], Any]:
    """The header of a message a page sent, and a function that reads its content."""
    if subprotocol == V1_PROTOCOL:
        _check_v1_frame(ws_message)
        _channel, parts = deserialize_msg_from_ws_v1(ws_message)  # type: ignore[no-untyped-call]
        return json.loads(parts[0]), lambda: json.loads(parts[3])
    if isinstance(ws_message, bytes):
        _check_legacy_frame(ws_message)
        message = deserialize_binary_message(ws_message)  # type: ignore[no-untyped-call]
    else:
        message = json.loads(ws_message)
    return dict(message.get("header") or {}), lambda: message.get("content") or {}


class NoDelay:
    """A websocket handler that sends each message at once (TCP_NODELAY).

    Tornado leaves Nagle's algorithm on, so a message written while the one before it was not
    yet acknowledged waited for the browser's delayed acknowledgement: 40 ms, twice on the way
    to a page's first widgets (the kernel's answer to kernel_info, then the widgets' state),
    and again whenever the kernel sends two messages in a row (a box's merged text)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        self.set_nodelay(True)  # type: ignore[attr-defined]
        return super().open(*args, **kwargs)  # type: ignore[misc]


class GuardedConnection(ZMQChannelsWebsocketConnection):
    """A page's websocket to its kernel, passing only what the widgets need, both ways."""

    _gate = Instance(StateGate, args=())
    """Keeps what the kernel says of its widgets from the page until it has their state."""

    def _manager(self) -> GuardedKernelManager | None:
        manager = self.multi_kernel_manager
        return manager if isinstance(manager, GuardedKernelManager) else None

    async def prepare(self) -> None:
        manager = self._manager()
        if manager is not None:  # a page connecting counts as its first message
            manager.heard(self.kernel_id)
        await super().prepare()  # type: ignore[no-untyped-call]

    def handle_incoming_message(self, incoming_msg: Any) -> None:
        manager = self._manager()
        if manager is not None:
            manager.heard(self.kernel_id)
        try:
            header, read = _header_and_content(self.subprotocol, incoming_msg)
            msg_type = str(header.get("msg_type"))
            content = functools.cache(read)
            if msg_type == "comm_open":
                target = content().get("target_name")
                if target not in PAGE_COMM_TARGETS:
                    self.log.warning(
                        "Refused a comm_open to target %.80r for kernel %s", target, self.kernel_id
                    )
                    return
            self._gate.page_sent(msg_type, content)
        except MALFORMED:
            self.log.warning("Refused a malformed message for kernel %s", self.kernel_id)
            return
        super().handle_incoming_message(incoming_msg)

    def handle_outgoing_message(self, stream: Any, outgoing_msg: list[Any]) -> None:
        channel = stream if isinstance(stream, str) else getattr(stream, "channel", None)
        if channel == "iopub":
            _idents, parts = self.session.feed_identities(outgoing_msg)
            header = self.session.unpack(parts[1])
            msg_type = header.get("msg_type")
            if msg_type not in IOPUB_TO_PAGE:
                if msg_type in LOGGED_TYPES:
                    self._log_kept(msg_type, self.session.unpack(parts[4]))
                return
            if not self._gate.passes(msg_type, lambda: self.session.unpack(parts[4])):
                return
        super().handle_outgoing_message(stream, outgoing_msg)

    def _log_kept(self, msg_type: str, content: dict[str, Any]) -> None:
        if msg_type == "stream":
            what, text = content.get("name", "stream"), str(content.get("text", ""))
            lines = [line for line in text.splitlines() if line.strip()]
            if lines and all(_CLOSING_NOTE.match(line) for line in lines):
                self.log.debug("Kernel %s: %s", self.kernel_id, text.rstrip("\n"))
                return
        else:
            what = "its error output"
            text = "\n".join(content.get("traceback") or []) or (
                f"{content.get('ename')}: {content.get('evalue')}"
            )
        self.log.warning(
            "Reference %s: kernel %s wrote to %s (kept from the page):\n%s",
            new_reference(),
            self.kernel_id,
            what,
            _ANSI.sub("", text).rstrip("\n"),
        )

    def write_stderr(self, error_message: str, parent_header: Any) -> None:
        """The server's own notes to a page (rate limits): to the log only."""
        self.log.warning("Kernel %s: %s", self.kernel_id, error_message)
