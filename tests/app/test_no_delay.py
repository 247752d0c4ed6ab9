"""A page's kernel websocket sends each message at once: TCP_NODELAY on the server's socket."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import ClassVar

import pytest
import tornado.web
import tornado.websocket
import websockets.sync.client
from threaded_server import threaded_server

from sigworkbook.app.kernel_guard import NoDelay


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
    """A real tornado server with both handlers; its websocket base URL."""

    def make_app() -> tornado.web.Application:
        return tornado.web.Application([("/prompt", Prompt), ("/plain", Recording)])

    with threaded_server(make_app) as port:
        yield f"ws://127.0.0.1:{port}"


def test_the_kernel_websocket_sends_each_message_at_once(served: str) -> None:
    Recording.seen.clear()
    for path in ("/prompt", "/plain"):
        with websockets.sync.client.connect(served + path, open_timeout=30) as connection:
            assert connection.recv(timeout=30) == "open"
    # Tornado's own default (Nagle's algorithm on) is what the kernel websocket changes.
    assert Recording.seen["/prompt"] != 0
    assert Recording.seen["/plain"] == 0
