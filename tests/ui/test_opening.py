"""Widgets built together are opened together: one message each, with their final state, and
never a message about a widget the page has not been told of."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import comm
import ipywidgets as widgets
import pytest
from comm.base_comm import BaseComm
from ipywidgets.widgets.widget import _instances

from sigworkbook.demo import add_demo
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEPS
from sigworkbook.ui import styles
from sigworkbook.ui.app import App
from sigworkbook.ui.opening import opened_together
from sigworkbook.workspace import Workspace

REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]+)")


@dataclass
class Wire:
    """Every message the kernel side sent, in order: (kind, comm id, data)."""

    sent: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def unknown_references(self) -> list[tuple[str, str]]:
        """(message kind, model id) of each reference to a widget the page was not told of
        before it (ipywidgets' page cannot find such a model: the widget does not show)."""
        told: set[str] = set()
        unknown = []
        for kind, comm_id, data in self.sent:
            refs = REFERENCE.findall(json.dumps(data, default=str))
            unknown += [(kind, ref) for ref in refs if ref not in told]
            if kind == "open":
                told.add(comm_id)
        return unknown

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.sent]

    def opened(self) -> dict[str, dict[str, Any]]:
        return {comm_id: data["state"] for kind, comm_id, data in self.sent if kind == "open"}


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    """Widgets' comms record what they send (comm's own hook for a kernel's comms)."""
    recorded = Wire()

    class Recording(BaseComm):  # type: ignore[misc]
        kernel = object()

        def publish_msg(self, msg_type: str, data: Any = None, **_: Any) -> None:
            kind = {"comm_open": "open", "comm_close": "close"}.get(msg_type)
            kind = kind or str((data or {}).get("method", msg_type))
            recorded.sent.append((kind, self.comm_id, dict(data or {})))

    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: Recording(**kwargs))
    # Layouts and styles shared by a kernel's widgets: made anew, so this wire sees them open.
    monkeypatch.setattr(styles, "_shared", {})
    yield recorded


def test_a_widget_changed_while_being_built_is_opened_once_with_its_final_state(
    wire: Wire,
) -> None:
    with opened_together():
        note = widgets.HTML("first")
        note.add_class("swb-note")
        note.value = "second"
        assert wire.sent == []  # nothing before the build is done
    assert wire.kinds() == ["open", "open", "open"]  # its layout, its style, itself
    state = wire.opened()[note.model_id]
    assert (state["value"], list(state["_dom_classes"])) == ("second", ["swb-note"])
    note.value = "third"  # opened: a change is sent as usual
    assert wire.sent[-1] == ("update", note.model_id, wire.sent[-1][2])
    assert wire.sent[-1][2]["state"] == {"value": "third"}


def test_a_box_opened_before_hears_of_new_children_only_once_they_are_opened(
    wire: Wire,
) -> None:
    area = widgets.VBox()
    wire.sent.clear()
    with opened_together():
        child = widgets.Button(description="Go")
        area.children = (child,)
        area.layout.display = "none"
    kinds = wire.kinds()
    assert kinds == ["open", "open", "open", "update", "update"]
    updates = [data["state"] for kind, _, data in wire.sent if kind == "update"]
    assert updates == [{"children": [f"IPY_MODEL_{child.model_id}"]}, {"display": "none"}]


def test_parents_refer_to_children_by_the_ids_they_are_opened_with(wire: Wire) -> None:
    with opened_together():
        inner = widgets.Label("inside")
        outer = widgets.VBox([inner])
    opened = wire.opened()
    assert opened[outer.model_id]["children"] == [f"IPY_MODEL_{inner.model_id}"]
    assert list(opened).index(inner.model_id) < list(opened).index(outer.model_id)
    assert _instances[inner.model_id] is inner


def test_a_widget_closed_while_being_built_is_never_opened(wire: Wire) -> None:
    with opened_together():
        gone = widgets.Label("never shown")
        gone_id = gone.model_id
        gone.close()
        kept = widgets.Label("shown")
    assert gone_id not in wire.opened() and kept.model_id in wire.opened()
    assert "close" not in wire.kinds()


def test_nested_builds_open_at_the_outermost_end_and_a_failing_build_still_opens(
    wire: Wire,
) -> None:
    with pytest.raises(RuntimeError), opened_together():
        with opened_together():
            made = widgets.Label("made")
        assert wire.sent == []
        raise RuntimeError("a cell failed")
    assert made.model_id in wire.opened()
    after = widgets.Label("after")  # outside: opened at once again
    assert wire.sent[-1] == ("open", after.model_id, wire.sent[-1][2])


def test_messages_from_the_page_reach_a_widget_built_together(wire: Wire) -> None:
    with opened_together():
        name = widgets.Text()
    name.comm.handle_msg(
        {
            "content": {
                "data": {"method": "update", "state": {"value": "Ana"}, "buffer_paths": []}
            },
            "buffers": [],
        }
    )
    assert name.value == "Ana"


def test_the_construction_callback_set_before_is_still_told(wire: Wire) -> None:
    made: list[widgets.Widget] = []
    widgets.Widget.on_widget_constructed(made.append)
    try:
        with opened_together():
            label = widgets.Label("told")
        assert label in made
        widgets.Label("after")
        assert len([w for w in made if isinstance(w, widgets.Label)]) == 2
    finally:
        widgets.Widget.on_widget_constructed(None)


def test_a_box_made_before_its_children_is_opened_after_them(wire: Wire) -> None:
    with opened_together():
        rows = widgets.VBox()
        row = widgets.HBox([widgets.Label("later")])
        rows.children = (row,)
    opened = list(wire.opened())
    assert opened.index(row.model_id) < opened.index(rows.model_id)
    assert wire.unknown_references() == []


@pytest.mark.parametrize("sig", ["home-safely", "new-group"])
def test_no_message_of_the_app_page_refers_to_a_widget_before_its_opening(
    wire: Wire, sig: str, kernel_root: Path
) -> None:
    """Every step built into the app page, as on the first visit and as the person moves on,
    for the demo SIG and a new one (empty lists are drawn differently), tells the page of
    each widget before any message refers to it."""
    with Workspace.open(kernel_root, create=True) as workspace:
        add_demo(workspace)
        workspace.new_sig("New Group")
        session = Session(workspace, sig, author="Ada")
        try:
            with opened_together():
                app = App(session, STEPS[2])
            for step in STEPS:
                app.go(step)
        finally:
            session.close()
    assert len(wire.opened()) > 500
    assert wire.unknown_references() == []
