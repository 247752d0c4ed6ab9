"""A page's kernel websocket sends each message at once: TCP_NODELAY on the server's socket."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
import tornado.httpserver
import tornado.web
import tornado.websocket
import websockets.sync.client

from sigworkbook.app.kernel_guard import NoDelay
from sigworkbook.app.network import free_port


class Recording(tornado.websocket.WebSocketHandler):
    """Notes, as the socket opens, whether its server side sends at once."""

    seen: ClassVar[dict[str, int]] = {}

    def open(self) -> None:
        sock = self.ws_connection.stream.socket  # type: ignore[union-attr]
        self.seen[self.request.path] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        self.write_message("open")


class Prompt(NoDelay, Recording):
    """The kernel websocket's way (`voila_app.KernelSocket`), on a handler of the test's own."""


@pytest.fixture
def served() -> Iterator[str]:
    """A real tornado server on a free loopback port, in a thread; its websocket base URL."""
    port = free_port("127.0.0.1")
    ready = threading.Event()
    state: dict[str, asyncio.AbstractEventLoop | tornado.httpserver.HTTPServer] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = tornado.web.Application([("/prompt", Prompt), ("/plain", Recording)])
        server = tornado.httpserver.HTTPServer(app)
        server.listen(port, "127.0.0.1")
        state.update(loop=loop, server=server)
        loop.call_soon(ready.set)
        loop.run_forever()
        server.stop()
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30), "the test server did not start"
    yield f"ws://127.0.0.1:{port}"
    loop = state["loop"]
    assert isinstance(loop, asyncio.AbstractEventLoop)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)


def test_the_kernel_websocket_sends_each_message_at_once(served: str) -> None:
    Recording.seen.clear()
    for path in ("/prompt", "/plain"):
        with websockets.sync.client.connect(served + path, open_timeout=30) as connection:
            assert connection.recv(timeout=30) == "open"
    # Tornado's own default (Nagle's algorithm on) is what the kernel websocket changes.
    assert Recording.seen["/prompt"] != 0
    assert Recording.seen["/plain"] == 0
