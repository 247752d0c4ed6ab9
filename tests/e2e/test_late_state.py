"""A kernel that answers the page's request for its widgets' state late (a loaded machine, a
step being built) still gets its page drawn: the page asks again instead of falling back to
the way of old kernels, which never completed (the page said "Loading widget..." for good),
and a widget the kernel opens meanwhile reaches the page within the answer, not before it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Page, expect
from widget_protocol import Message, WidgetClient

from e2e.e2e_harness import Server, screenshot, start_server, stop_server, wait_for_widgets

pytestmark = pytest.mark.e2e

LATE_S = 5.0
"""Later than the 4 s the widget manager waits for the answer (ipywidgets' CONTROL_COMM_TIMEOUT)."""

LATE_KERNEL = f"""
import asyncio
import time

import ipywidgets as widgets
from ipywidgets import Widget

box = widgets.VBox([widgets.Text(description="Asked early")])
asked = []
answer = Widget._handle_control_comm_msg.__func__


def add_while_the_page_waits():
    # refers to a widget the page has not been told of yet: its layout, its box
    box.children = (*box.children, widgets.HTML("Added while the page waited", layout=box.layout))


def late_once(cls, msg):
    if msg["content"]["data"].get("method") == "request_states" and not asked:
        asked.append(msg)
        time.sleep({LATE_S})
        asyncio.get_running_loop().call_soon(add_while_the_page_waits)
    return answer(cls, msg)


Widget._handle_control_comm_msg = classmethod(late_once)
box
"""

NEWS_KERNEL = """
import ipywidgets as widgets

box = widgets.VBox([widgets.Button(description="Add")])


def add(_button):
    box.children = (*box.children, widgets.HTML("Added", layout=box.layout))


box.children[0].on_click(add)
box
"""


@pytest.fixture
def late_server(tmp_path: Path) -> Iterator[Server]:
    """A server on three notebooks: one whose kernel answers the first request for the state
    late, one that adds a widget at each click of its button, one without widgets."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name, source in {"late": LATE_KERNEL, "news": NEWS_KERNEL, "plain": "6 * 7"}.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nbformat.write(notebook, notebooks / f"{name}.ipynb")
    running = start_server(tmp_path, notebooks=notebooks)
    yield running
    stop_server(running)


def test_a_late_answer_is_asked_for_again_and_the_page_draws_everything(
    page: Page, late_server: Server
) -> None:
    server = late_server
    page.goto(server.url("voila/render/late.ipynb"))
    wait_for_widgets(page)
    expect(page.get_by_label("Asked early")).to_be_visible()
    expect(page.get_by_text("Added while the page waited")).to_be_visible()
    expect(page.get_by_text("Loading widget")).to_have_count(0)
    expect(page.get_by_text("Error displaying widget")).to_have_count(0)
    assert page.evaluate("window.sigworkbookStateRetries()") >= 1
    screenshot(page, "late-state-answer")


def test_a_kernel_without_widgets_is_asked_the_old_way_once(
    page: Page, late_server: Server
) -> None:
    """Its kernel closes the control comm at once (no ipywidgets there): that is no late
    answer, and asking again would go on for good; the widget manager is done at once."""
    page.goto(late_server.url("voila/render/plain.ipynb"))
    wait_for_widgets(page, widgets=False)
    expect(page.get_by_text("42")).to_be_visible()
    page.wait_for_function("window.jupyterapp.widgetManager.restoredStatus === true")
    assert page.evaluate("window.sigworkbookStateRetries()") == 0


def _opens_html(message: Message) -> bool:
    state = message.content.get("data", {}).get("state", {})
    return message.msg_type == "comm_open" and state.get("_model_name") == "HTMLModel"


def _widget_news(client: WidgetClient) -> list[str]:
    return [m.msg_type for m in client.received if m.msg_type.startswith("comm_")]


def test_widget_news_reaches_a_page_only_once_it_has_the_state(late_server: Server) -> None:
    """Two pages on one kernel: the one that has not asked for the state yet gets nothing of
    a widget added meanwhile (it could not draw it), then finds it in the state it asks for,
    and gets what happens after that."""
    waiting = WidgetClient.open(late_server.base_url, "voila/render/news.ipynb")
    asking = WidgetClient.connect(late_server.base_url, waiting.kernel_id, waiting.cookies)
    try:
        states = asking.states()
        [add] = asking.find(states, _model_name="ButtonModel", description="Add")
        asking.click(add)
        added = asking.wait_for(_opens_html).content["comm_id"]

        asked = waiting.send("kernel_info_request", {})
        waiting.wait_for(  # everything the kernel said before this reached the page before it
            lambda m: (
                m.msg_type == "status"
                and m.parent_header.get("msg_id") == asked
                and m.content.get("execution_state") == "idle"
            )
        )
        assert _widget_news(waiting) == []

        seen = waiting.states()
        assert seen[added]["value"] == "Added"
        referred = {
            child.removeprefix("IPY_MODEL_")
            for state in seen.values()
            for child in state.get("children") or ()
        }
        assert added in referred and referred <= seen.keys()

        asking.click(add)
        assert waiting.wait_for(_opens_html).content["comm_id"] != added
    finally:
        asking.close()
        waiting.shut_down()
