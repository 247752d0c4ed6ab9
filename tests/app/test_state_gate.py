"""What the kernel says of its widgets reaches a page only once the page has their state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sigworkbook.app.state_gate import CONTROL_TARGET, StateGate

CONTROL = "control-1"


def _content(**body: Any) -> Any:
    return lambda: body


def _passes(gate: StateGate, msg_type: str, **body: Any) -> bool:
    return gate.passes(msg_type, _content(**body))


def _ask(gate: StateGate, comm_id: str = CONTROL) -> None:
    gate.page_sent("comm_open", _content(comm_id=comm_id, target_name=CONTROL_TARGET))
    gate.page_sent("comm_msg", _content(comm_id=comm_id, data={"method": "request_states"}))


def _answer(gate: StateGate, comm_id: str = CONTROL) -> bool:
    return _passes(gate, "comm_msg", comm_id=comm_id, data={"method": "update_states"})


def _widget_news(gate: StateGate) -> list[bool]:
    return [
        _passes(gate, "comm_open", comm_id="w1", target_name="jupyter.widget", data={}),
        _passes(gate, "comm_msg", comm_id="w0", data={"method": "update", "state": {}}),
        _passes(gate, "comm_close", comm_id="w0", data={}),
    ]


def test_widget_news_before_the_page_asked_is_kept_from_it() -> None:
    gate = StateGate()
    assert _widget_news(gate) == [False, False, False]
    assert not gate.open


def test_widget_news_while_the_request_is_unanswered_is_kept_and_the_answer_opens() -> None:
    gate = StateGate()
    _ask(gate)
    assert _widget_news(gate) == [False, False, False]
    assert _answer(gate)
    assert gate.open
    assert _widget_news(gate) == [True, True, True]


def test_a_request_asked_again_before_the_late_answer_keeps_it_shut_until_the_last_answer() -> None:
    gate = StateGate()
    _ask(gate)
    _ask(gate, "control-2")  # the page gave up waiting and asked again on a new control comm
    assert _answer(gate)
    assert not gate.open
    assert _widget_news(gate) == [False, False, False]
    assert _answer(gate, "control-2")
    assert gate.open


def test_a_reconnected_page_asking_again_shuts_the_gate_until_answered() -> None:
    gate = StateGate()
    _ask(gate)
    _answer(gate)
    _ask(gate, "control-2")
    assert _widget_news(gate) == [False, False, False]
    _answer(gate, "control-2")
    assert _widget_news(gate) == [True, True, True]


def test_messages_that_are_not_of_widgets_always_pass() -> None:
    gate = StateGate()
    for msg_type in ("status", "display_data", "clear_output", "shutdown_reply"):
        assert gate.passes(msg_type, _content())


def test_a_page_asking_the_old_way_gets_everything() -> None:
    gate = StateGate()
    gate.page_sent("comm_info_request", _content(target_name="jupyter.widget"))
    assert gate.open
    assert _widget_news(gate) == [True, True, True]


def test_only_the_control_comm_counts_requests_and_answers() -> None:
    gate = StateGate()
    _ask(gate)
    gate.page_sent("comm_msg", _content(comm_id="w0", data={"method": "request_states"}))
    assert not _passes(gate, "comm_msg", comm_id="w0", data={"method": "update_states"})
    assert _answer(gate)
    assert gate.open


def test_content_is_read_only_while_the_gate_decides() -> None:
    read: list[str] = []

    def reading(body: Mapping[str, Any]) -> Any:
        def content() -> Mapping[str, Any]:
            read.append("read")
            return body

        return content

    gate = StateGate()
    assert not gate.passes("comm_msg", reading({"comm_id": "w0"}))  # nobody asked: no reading
    assert read == []
    _ask(gate)
    _answer(gate)
    assert gate.passes("comm_msg", reading({"comm_id": "w0"}))
    assert read == []
