"""A real tornado server in a thread of the test process, on a free port, for tests of handlers."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator

import tornado.httpserver
import tornado.web

from sigworkbook.app.network import free_port


@contextlib.contextmanager
def threaded_server(
    make_app: Callable[[], tornado.web.Application], host: str = "127.0.0.1"
) -> Iterator[int]:
    """Serve `make_app()` (made in the server's own thread and event loop) on a free port of
    `host` until the block ends; the port."""
    port = free_port()
    ready = threading.Event()
    loops: list[asyncio.AbstractEventLoop] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        server = tornado.httpserver.HTTPServer(make_app())
        server.listen(port, host)
        loops.append(loop)
        loop.call_soon(ready.set)
        loop.run_forever()
        server.stop()
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10), "the test's tornado server did not start"
    try:
        yield port
    finally:
        loops[0].call_soon_threadsafe(loops[0].stop)
        thread.join(10)
