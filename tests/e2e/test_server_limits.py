"""The server's limits against a visitor without a browser who speaks the widget protocol: pages
per visitor, message size, comm targets, kernel memory, and nothing from the kernel's inside
reaching the page. One server for the module, on the limits fixture page."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from widget_protocol import Message, PageRefused, WidgetClient, open_page, shut_down

from e2e.e2e_harness import Server, start_server, stop_server
from e2e.workbook_pages import run_cli
from sigworkbook.workspace import Workspace

pytestmark = pytest.mark.e2e

LIMITS_NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "limits"
PAGE = "voila/render/00-start.ipynb"
PAGES_PER_VISITOR = 6
MEMORY_MB = 1200
"""The fixture's kernel takes about 850 MB of address space; each click holds 100 MB more."""
SIG = "home-safely"
WAIT_S = 30.0


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("limits")
    run_cli(tmp / "workspace", "init", "--demo")
    running = start_server(
        tmp,
        notebooks=LIMITS_NOTEBOOKS,
        env={
            "SIGWORKBOOK_KERNELS_PER_VISITOR": str(PAGES_PER_VISITOR),
            "SIGWORKBOOK_KERNEL_MEMORY_MB": str(MEMORY_MB),
        },
    )
    yield running
    stop_server(running)


@pytest.fixture
def client(limits_server: Server) -> Iterator[WidgetClient]:
    """One page of the fixture, its kernel shut down after the test."""
    opened = WidgetClient.open(limits_server.base_url, PAGE)
    yield opened
    _shut_down_quietly(opened)


def _shut_down_quietly(client: WidgetClient) -> None:
    try:
        client.shut_down()
    except OSError:  # already gone (the memory test's kernel)
        client.close()


def _wait_for_log(server: Server, pattern: str, timeout: float = WAIT_S) -> str:
    deadline = time.monotonic() + timeout
    while not (found := re.search(pattern, server.log())):
        assert time.monotonic() < deadline, f"the server log never said {pattern!r}"
        time.sleep(0.1)
    return found.group(0)


def _answers(client: WidgetClient, text: str) -> Callable[[Message], bool]:
    """Whether a message is the fixture's answer to `text` typed into its field."""
    said = f"{len(text)} characters"
    return lambda m: m.msg_type == "comm_msg" and said in m.text()


def _type(client: WidgetClient, text: str) -> None:
    [field] = client.find(_model_name="TextModel", description="Your name")
    client.update(field, {"value": text})
    client.wait_for(_answers(client, text))


def test_the_page_beyond_a_visitors_limit_is_refused_and_starts_no_kernel(
    limits_server: Server,
) -> None:
    before = len(limits_server.kernel_processes())
    assert before == 0, "every other test shuts its kernels down"
    with ThreadPoolExecutor(PAGES_PER_VISITOR + 1) as pool:
        loads = [
            pool.submit(open_page, limits_server.base_url, PAGE)
            for _ in range(PAGES_PER_VISITOR + 1)
        ]
    opened = [load.result() for load in loads if load.exception() is None]
    refused = [load.exception() for load in loads if load.exception() is not None]
    try:
        assert len(opened) == PAGES_PER_VISITOR
        [refusal] = refused
        assert isinstance(refusal, PageRefused) and refusal.status == 429
        assert "Too many open pages" in refusal.body
        assert "close the workbook pages you no longer" in " ".join(refusal.body.lower().split())
        assert "Traceback" not in refusal.body
        assert len(limits_server.kernel_processes()) == PAGES_PER_VISITOR
        assert "(kernels_per_visitor)" in limits_server.log()

        _html, first, cookies = opened.pop()
        shut_down(limits_server.base_url, first, cookies)
        opened.append(open_page(limits_server.base_url, PAGE))  # a closed page makes room
    finally:
        for _html, kernel, cookies in opened:
            shut_down(limits_server.base_url, kernel, cookies)


def test_a_message_over_the_cap_closes_only_its_own_socket(
    limits_server: Server, client: WidgetClient
) -> None:
    other = WidgetClient.open(limits_server.base_url, PAGE)
    try:
        [field] = client.find(_model_name="TextModel", description="Your name")
        client.update(field, {"value": "x" * 7_000_000})
        # Tornado closes it ("message too big", 1009) and drops the connection at once: the
        # close frame may not arrive before the connection ends.
        assert client.wait_closed() in (1009, None)
        _type(other, "still here")
        assert len(limits_server.kernel_processes()) == 2, "both kernels run on"
    finally:
        _shut_down_quietly(other)


def test_a_message_under_the_cap_is_taken(client: WidgetClient) -> None:
    _type(client, "y" * 5_500_000)  # an uploaded list of 5 MB fits, with room to spare


def test_a_comm_open_to_any_other_target_is_refused(
    limits_server: Server, client: WidgetClient
) -> None:
    state = {
        "_model_name": "TextModel",
        "_model_module": "@jupyter-widgets/controls",
        "_model_module_version": "2.0.0",
        "value": "made by the visitor",
    }
    made = client.comm_open("jupyter.widget", {"state": state, "buffer_paths": []})
    assert made not in client.states(), "the kernel made no widget for it"
    _wait_for_log(
        limits_server, rf"Refused a comm_open to target 'jupyter.widget' .*{client.kernel_id}"
    )
    _type(client, "the page works on")


def test_nothing_the_kernel_writes_to_stderr_reaches_the_page(
    limits_server: Server, client: WidgetClient
) -> None:
    [field] = client.find(_model_name="TextModel", description="Your name")
    client.update(field, {"value": 5})  # a TraitError: the kernel logs a traceback
    client.comm_msg("no-such-comm", {"method": "update", "state": {}})  # "No such comm"
    _wait_for_log(limits_server, "No such comm: no-such-comm")
    _wait_for_log(limits_server, r"TraitError")
    client.states()  # one more round trip: anything sent before it has arrived
    leaked = [m for m in client.received if m.msg_type in {"stream", "error"}]
    assert not leaked, leaked
    for message in client.received:
        for words in ("Traceback", "No such comm", "TraitError", ".py"):
            assert words not in message.text(), f"{words!r} reached the page: {message}"
    assert re.search(r"Reference [0-9A-F]{8}: kernel \S+ wrote to stderr", limits_server.log())


def test_a_kernel_over_its_memory_limit_stops_alone_and_saved_data_is_intact(
    limits_server: Server, client: WidgetClient
) -> None:
    def saved() -> str:
        with Workspace.open(limits_server.workspace) as workspace:
            return json.dumps(workspace.load(SIG).plan.model_dump(mode="json"), sort_keys=True)

    before = saved()
    other = WidgetClient.open(limits_server.base_url, PAGE)
    try:
        [grow] = client.find(_model_name="ButtonModel", description="Hold 100 MB more")
        for _ in range(MEMORY_MB // 100):
            client.click(grow)
        stopped = client.wait_for(
            lambda m: (
                m.msg_type == "status"
                and m.content.get("execution_state") in {"restarting", "autorestarting", "dead"}
            )
        )
        assert stopped.channel == "iopub"  # what the page's script shows as "reload" banner
        _type(other, "unharmed")
        assert limits_server.process.poll() is None
        assert saved() == before
    finally:
        _shut_down_quietly(other)


def test_a_page_open_but_quiet_too_long_loses_its_kernel(tmp_path: Path) -> None:
    server = start_server(
        tmp_path, notebooks=LIMITS_NOTEBOOKS, env={"SIGWORKBOOK_QUIET_KERNEL_TIMEOUT": "3"}
    )
    quiet = busy = None
    try:
        quiet = WidgetClient.open(server.base_url, PAGE)
        busy = WidgetClient.open(server.base_url, PAGE)
        [field] = busy.find(_model_name="TextModel", description="Your name")
        typed = ""
        deadline = time.monotonic() + WAIT_S
        while len(server.kernel_processes()) > 1:  # the culler looks every second
            assert time.monotonic() < deadline, "the quiet page's kernel was never culled"
            typed += "a"
            busy.update(field, {"value": typed})
            busy.wait_for(_answers(busy, typed))
        assert quiet.kernel_id in _culled(server)
        assert busy.kernel_id not in _culled(server), "a page in use keeps its kernel"
    finally:
        for client in (quiet, busy):
            if client is not None:
                client.close()
        stop_server(server)


def _culled(server: Server) -> str:
    return " ".join(re.findall(r"Culling kernel (\S+): its page has sent nothing", server.log()))
