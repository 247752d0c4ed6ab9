"""A visitor without a browser: open a page over HTTP, then talk to its kernel the way the widgets'
front end does (or any other way), over the page's own websocket and cookies.

    client = WidgetClient.open(server.base_url, "voila/render/00-start.ipynb", token=server.token)
    states = client.states()                     # model id -> state, as the page would draw it
    [name] = client.find(_model_name="TextModel", description="Your name")
    client.update(name, {"value": "Ada"})        # as if typed
    client.click(client.find(_model_name="ButtonModel", description="Save")[0])
    client.wait_for(lambda m: m.msg_type == "comm_msg" and ...)  # a message from the kernel
    client.shut_down()                           # as the page does when it closes (or .close())

It speaks the v1 kernel websocket protocol (binary frames) that the page's JupyterLab services
use. Every message the kernel sends is kept in `received`, in order.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from sigworkbook.ui.app import NAV_CLASS, PAGE_READY

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
CONTROL_TARGET = "jupyter.widget.control"
CONTROL_VERSION = "1.0.0"
"""ipywidgets 8's control protocol version, which the kernel checks on comm_open."""
WIDGET_VERSION = "2.1.0"
"""ipywidgets 8's widget protocol version, sent with each widget message as the page does."""
WAIT_S = 30.0
PAGE_TIMEOUT_S = 90.0
_CONFIG = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)


@dataclass(frozen=True)
class Message:
    """One message from the kernel, as the page receives it."""

    channel: str
    header: dict[str, Any]
    parent_header: dict[str, Any]
    content: dict[str, Any]
    buffers: list[bytes]

    @property
    def msg_type(self) -> str:
        return str(self.header.get("msg_type", ""))

    def text(self) -> str:
        """Everything in the message as JSON text (to look for words in it)."""
        return json.dumps([self.header, self.content], default=str)


class PageRefused(Exception):
    """The server answered the page request with an error status; `status` and `body` say it."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"page refused with status {status}")
        self.status = status
        self.body = body


def _pack(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def open_page(
    base_url: str, path: str, *, token: str | None = None, **query: str
) -> tuple[str, str, http.cookiejar.CookieJar]:
    """GET a page as a browser would (Voila runs it in a new kernel and answers once it has run):
    its HTML, its kernel id and the cookies it set. Raises PageRefused on an error status."""
    if token:
        query["token"] = token
    url = base_url.rstrip("/") + "/" + path.lstrip("/") + (f"?{urlencode(query)}" if query else "")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        with opener.open(url, timeout=PAGE_TIMEOUT_S) as response:
            html = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        raise PageRefused(error.code, error.read().decode("utf-8", "replace")) from None
    found = _CONFIG.search(html)
    assert found, "the page has no jupyter-config-data"
    kernel_id = json.loads(found.group(1)).get("kernelId")
    assert kernel_id, "the page config names no kernel"
    return html, str(kernel_id), jar


def shut_down(base_url: str, kernel_id: str, cookies: http.cookiejar.CookieJar) -> None:
    """Shut a page's kernel down as the page does when it closes (Voila's shutdown request,
    with the page's XSRF cookie)."""
    xsrf = next((c.value for c in cookies if c.name == "_xsrf"), "") or ""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    url = f"{base_url.rstrip('/')}/voila/api/shutdown/{kernel_id}"
    request = urllib.request.Request(url, data=urlencode({"_xsrf": xsrf}).encode(), method="POST")
    with opener.open(request, timeout=PAGE_TIMEOUT_S) as response:
        assert response.status == 204, f"shutting down {kernel_id} answered {response.status}"


_T = TypeVar("_T")


def _loop_in_thread() -> asyncio.AbstractEventLoop:
    """An event loop running in a thread of its own: a browser test's process already runs
    pytest-playwright's loop in the main thread, where no second loop may run."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="widget-protocol", daemon=True)
    thread.start()
    return loop


def _run(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, _T]) -> _T:
    """Run `work` on `loop` (in its thread) and wait for its result or its exception."""
    return asyncio.run_coroutine_threadsafe(work, loop).result()


def _stop(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_running():
        done = threading.Event()
        loop.call_soon_threadsafe(lambda: (loop.stop(), done.set()))
        done.wait(WAIT_S)


@dataclass
class WidgetClient:
    """One page's kernel websocket, driven by hand. Build it with `WidgetClient.open`."""

    base_url: str
    kernel_id: str
    html: str
    connection: WebSocketClientConnection
    loop: asyncio.AbstractEventLoop
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    received: list[Message] = field(default_factory=list)
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    closed: bool = False
    """Whether the server closed the websocket (`close_code` says why)."""
    close_code: int | None = None
    control_comm: str | None = None

    @classmethod
    def open(
        cls, base_url: str, path: str, *, token: str | None = None, **query: str
    ) -> WidgetClient:
        """Open the page at `path` under `base_url` and connect to its kernel's websocket."""
        html, kernel_id, jar = open_page(base_url, path, token=token, **query)
        return cls.connect(base_url, kernel_id, jar, html=html)

    @classmethod
    def connect(
        cls,
        base_url: str,
        kernel_id: str,
        cookies: http.cookiejar.CookieJar | Mapping[str, str] = {},  # noqa: B006 - read only
        *,
        html: str = "",
    ) -> WidgetClient:
        """Connect to the websocket of `kernel_id` with the page's cookies."""
        pairs = (
            {cookie.name: cookie.value or "" for cookie in cookies}
            if isinstance(cookies, http.cookiejar.CookieJar)
            else dict(cookies)
        )
        parts = urlsplit(base_url)
        session = uuid.uuid4().hex
        url = (
            f"ws://{parts.netloc}{parts.path.rstrip('/')}/api/kernels/{kernel_id}/channels"
            f"?session_id={session}"
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in pairs.items())} if pairs else {}
        loop = _loop_in_thread()
        request = HTTPRequest(url, headers=headers, request_timeout=WAIT_S)

        async def connecting() -> WebSocketClientConnection:
            return await websocket_connect(
                request, subprotocols=[V1_PROTOCOL], max_message_size=1 << 27
            )

        connection = _run(loop, connecting())
        jar = cookies if isinstance(cookies, http.cookiejar.CookieJar) else None
        return cls(
            base_url,
            kernel_id,
            html,
            connection,
            loop,
            session=session,
            cookies=jar or http.cookiejar.CookieJar(),
        )

    # -- sending -------------------------------------------------------------------------------

    def send(
        self,
        msg_type: str,
        content: Mapping[str, Any],
        *,
        channel: str = "shell",
        buffers: tuple[bytes, ...] = (),
        metadata: Mapping[str, Any] | None = None,
    ) -> str:
        """Send one message to the kernel; its msg_id."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "widget-protocol-test",
            "session": self.session,
            "date": "2026-01-01T00:00:00Z",
            "version": "5.3",
        }
        parts = [_pack(header), _pack({}), _pack(dict(metadata or {})), _pack(dict(content))]
        parts += buffers
        self.send_raw(serialize_msg_to_ws_v1(parts, channel))
        return msg_id

    def send_raw(self, frame: bytes) -> None:
        """Send one websocket frame as it is (a huge one, a malformed one)."""

        async def writing() -> None:
            await self.connection.write_message(frame, binary=True)

        try:
            _run(self.loop, writing())
        except Exception:  # the server closed the socket: reading says how
            self._read(0.5)

    def comm_open(self, target: str, data: Mapping[str, Any] | None = None) -> str:
        """Open a comm to `target`; its comm id."""
        comm_id = uuid.uuid4().hex
        content = {"comm_id": comm_id, "target_name": target, "data": dict(data or {})}
        version = CONTROL_VERSION if target == CONTROL_TARGET else WIDGET_VERSION
        self.send("comm_open", content, metadata={"version": version})
        return comm_id

    def comm_msg(
        self, comm_id: str, data: Mapping[str, Any], buffers: tuple[bytes, ...] = ()
    ) -> str:
        content = {"comm_id": comm_id, "data": dict(data)}
        return self.send("comm_msg", content, buffers=buffers, metadata={"version": WIDGET_VERSION})

    def update(self, model_id: str, state: Mapping[str, Any]) -> str:
        """Set widget state, as the front end does when a value changes (typing, choosing)."""
        return self.comm_msg(
            model_id, {"method": "update", "state": dict(state), "buffer_paths": []}
        )

    def click(self, model_id: str) -> str:
        """Click a button."""
        return self.comm_msg(model_id, {"method": "custom", "content": {"event": "click"}})

    def on_screen(self) -> None:
        """Say what the app page's script says once the page is drawn (`PAGE_READY` in its
        hidden step box): the kernel then builds the parts of the step below the fold."""
        states = self.states()
        for model_id, state in states.items():
            if NAV_CLASS in (state.get("_dom_classes") or ()):
                self.update(model_id, {"value": PAGE_READY})

    # -- receiving -----------------------------------------------------------------------------

    def states(self, timeout: float = WAIT_S) -> dict[str, dict[str, Any]]:
        """Every widget's state (model id -> its state, with `_model_name`, `description`,
        `value`...), asked for as the page does it: a comm to the control target, then
        `request_states`."""
        if self.control_comm is None:
            self.control_comm = self.comm_open(CONTROL_TARGET)
        msg_id = self.comm_msg(self.control_comm, {"method": "request_states"})
        reply = self.wait_for(
            lambda m: (
                m.msg_type == "comm_msg"
                and m.parent_header.get("msg_id") == msg_id
                and m.content.get("data", {}).get("method") == "update_states"
            ),
            timeout,
        )
        found: dict[str, dict[str, Any]] = reply.content["data"]["states"]
        return {model_id: dict(entry.get("state") or {}) for model_id, entry in found.items()}

    def find(
        self, states: Mapping[str, Mapping[str, Any]] | None = None, **match: Any
    ) -> list[str]:
        """The model ids whose state has every key and value of `match` (e.g. _model_name=
        "TextModel", description="Your name"), from `states` or freshly asked for."""
        found = self.states() if states is None else states
        return [
            model_id
            for model_id, state in found.items()
            if all(state.get(key) == value for key, value in match.items())
        ]

    def wait_for(self, predicate: Callable[[Message], bool], timeout: float = WAIT_S) -> Message:
        """The first message (already received or still to come) for which `predicate` holds;
        AssertionError if none comes in `timeout` seconds or the socket closes first."""
        seen = 0
        deadline = time.monotonic() + timeout
        while True:
            for message in self.received[seen:]:
                if predicate(message):
                    return message
            seen = len(self.received)
            left = deadline - time.monotonic()
            if self.closed or left <= 0:
                raise AssertionError(
                    f"no such message in {timeout} s (socket closed: {self.closed}, "
                    f"{len(self.received)} received)"
                )
            self._read(left)

    def wait_closed(self, timeout: float = WAIT_S) -> int | None:
        """Wait until the server closes the socket; its close code."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            assert left > 0, f"the socket is still open after {timeout} s"
            self._read(left)
        return self.close_code

    def _read(self, timeout: float) -> None:
        """Read one frame (or wait up to `timeout` for one); note a close."""

        async def reading() -> str | bytes | None:
            return await asyncio.wait_for(self.connection.read_message(), timeout)

        try:
            frame = _run(self.loop, reading())
        except TimeoutError:
            return
        if frame is None:
            self.closed = True
            self.close_code = self.connection.close_code
            return
        if isinstance(frame, str):
            raw = json.loads(frame)
            channel = raw.get("channel", "")
            self.received.append(
                Message(channel, raw["header"], raw["parent_header"], raw["content"], [])
            )
            return
        channel, parts = deserialize_msg_from_ws_v1(frame)
        header, parent, _metadata, content = (json.loads(part) for part in parts[:4])
        self.received.append(Message(channel, header, parent, content, list(parts[4:])))

    def shut_down(self) -> None:
        """Shut the page's kernel down, as the page does when it closes, then close."""
        shut_down(self.base_url, self.kernel_id, self.cookies)
        self.close()

    def close(self) -> None:
        """Close the websocket and this client's event loop."""
        if not self.closed:
            self.loop.call_soon_threadsafe(self.connection.close)
            self.closed = True
        _stop(self.loop)
