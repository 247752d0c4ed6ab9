"""The benchmarks' servers: a port taken before the server could listen is not mistaken for it."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import processes


def _http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", processes.HOST]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port held by something that accepts connections but never speaks HTTP (as a kernel's
    socket does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((processes.HOST, 0))
        holder.listen()
        stop = threading.Event()

        def accept_and_stay_silent() -> None:
            holder.settimeout(0.1)
            while not stop.is_set():
                try:
                    connection, _ = holder.accept()
                except OSError:
                    continue
                connection.close()

        thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
        thread.start()
        yield holder.getsockname()[1]
        stop.set()
        thread.join()


def test_a_server_whose_port_was_taken_is_started_again_on_another(
    tmp_path: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = iter([taken_port, processes.free_port(processes.HOST)])
    monkeypatch.setattr(processes, "port", lambda: next(chosen))
    with processes.listening("http.server", _http_server, tmp_path / "server.log") as (
        server,
        _,
    ):
        assert server.port != taken_port
        assert server._answers_http()


def test_a_port_that_accepts_but_does_not_speak_http_is_not_a_listening_server(
    tmp_path: Path, taken_port: int
) -> None:
    command = [sys.executable, "-c", "import time; time.sleep(30)"]
    with (
        processes.running("silent", command, port=taken_port, log=tmp_path / "log") as server,
        pytest.raises(processes.ServerError, match="did not listen"),
    ):
        server.wait_listening(timeout=1.5)
