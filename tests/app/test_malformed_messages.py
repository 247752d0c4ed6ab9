"""A page's websocket message that cannot be read is refused with a warning, whatever its bytes:
reading it raises only what the guard catches (a short binary frame raised struct.error, which
escaped as an uncaught exception in the server's log), and at once (a v1 frame announcing 2**60
offsets held the server's only thread)."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

from sigworkbook.app.kernel_guard import MALFORMED, V1_PROTOCOL, _header_and_content

HUGE_OFFSET_TABLE = (2**60).to_bytes(8, "little") + b"\x00" * 64


def read(subprotocol: str | None, message: bytes | str) -> None:
    """Read `message` as the guard does: it is read or refused, within seconds."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            _header, content = _header_and_content(subprotocol, message)
            content()
        except MALFORMED:
            pass
        except BaseException as error:  # reported in the test's own thread, below
            outcome.append(error)
            return
        outcome.append(None)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert outcome, f"reading {message[:16]!r}... did not end"
    assert outcome[0] is None, f"reading {message[:16]!r} raised {outcome[0]!r}"


@pytest.mark.parametrize("subprotocol", [V1_PROTOCOL, None])
@pytest.mark.parametrize(
    "message", [b"", b"\x01", b"\x02" + b"\x00" * 7, b"abc", "{", "[]", HUGE_OFFSET_TABLE]
)
def test_known_malformed_frames_are_refused(subprotocol: str | None, message: bytes | str) -> None:
    read(subprotocol, message)


@given(st.sampled_from([V1_PROTOCOL, None]), st.binary(max_size=64) | st.text(max_size=64))
def test_any_frame_is_read_or_refused(subprotocol: str | None, message: bytes | str) -> None:
    read(subprotocol, message)


def test_a_well_formed_v1_frame_is_read() -> None:
    message = {
        "header": {"msg_type": "comm_msg", "msg_id": "1"},
        "parent_header": {},
        "metadata": {},
        "content": {"comm_id": "c", "data": {}},
    }
    frame = serialize_msg_to_ws_v1(message, "shell", pack=lambda part: json.dumps(part).encode())
    header, content = _header_and_content(V1_PROTOCOL, frame)
    assert header["msg_type"] == "comm_msg" and content() == {"comm_id": "c", "data": {}}
