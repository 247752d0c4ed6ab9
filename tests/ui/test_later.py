"""A visit's first screen: the parts of its step below the fold are built once the page says it
is on screen (or a few seconds later at the latest), whole and, for a reader, read-only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import walk

from sigworkbook.demo import add_demo
from sigworkbook.live.session import Session
from sigworkbook.plan.agreement import section_title
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui import app as app_module
from sigworkbook.ui.app import App
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.history import HistoryPanel
from sigworkbook.ui.later import WAITING_CLASS, first_screen, later
from sigworkbook.ui.showing import WIDGET_VIEW, show_view
from sigworkbook.workspace import Workspace

SIG = "home-safely"


@pytest.fixture
def workspace(kernel_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("SIGWORKBOOK_BUILD_AHEAD", "0")
    opened = Workspace.open(kernel_root, create=True)
    add_demo(opened)
    yield opened
    opened.close()


@pytest.fixture
def session(workspace: Workspace) -> Iterator[Session]:
    opened = Session(workspace, SIG, author="Ada")
    yield opened
    opened.close()


def fields(box: widgets.Widget) -> set[str]:
    return {w.path for w in walk(box) if isinstance(w, FieldControl)}


def test_outside_a_first_screen_a_part_is_built_at_once() -> None:
    head = widgets.HTML("<h2>Risks</h2>")
    box = later(widgets.VBox([head]), lambda: [widgets.Text(value="a risk")])
    assert box.children[0] is head
    assert [w.value for w in box.children[1:]] == ["a risk"]


def test_on_a_first_screen_a_part_waits_with_its_box_showing_what_it_has() -> None:
    head = widgets.HTML("<h2>Risks</h2>")
    built: list[str] = []

    def risks() -> list[widgets.Widget]:
        built.append("risks")
        return [widgets.Text()]

    with first_screen() as waiting:
        box = later(widgets.VBox([head]), risks)
    assert box.children == (head,) and built == []
    assert [part.box for part in waiting] == [box]
    assert WAITING_CLASS in box._dom_classes
    waiting[0].fill()
    assert built == ["risks"] and box.children[0] is head and len(box.children) == 2
    assert WAITING_CLASS not in box._dom_classes


def test_a_visit_builds_what_is_below_the_fold_once_the_page_says_it_is_on_screen(
    session: Session,
) -> None:
    whole = App(session, STEP_BY_KEY["charter"])  # built ahead or in a test: whole at once
    everything = fields(whole.areas["charter"].box)
    assert "charter.review_date" in everything and "charter.purpose" in everything

    app = App(session, STEP_BY_KEY["charter"], visit=True)
    area = app.areas["charter"]
    first = fields(area.box)
    assert "charter.purpose" in first, "the four questions are on the first screen"
    assert "charter.review_date" not in first and first < everything
    assert not any(isinstance(w, HistoryPanel) for w in walk(area.box))
    texts = " ".join(w.value for w in walk(area.box) if isinstance(w, widgets.HTML))
    assert section_title("review") in texts, "the cards' titles show at once"

    app.nav.value = app_module.PAGE_READY  # what the page's script writes once it is shown
    assert fields(area.box) == everything
    assert any(isinstance(w, HistoryPanel) for w in walk(area.box))
    assert not area.waiting
    app.nav.value = app_module.PAGE_READY
    assert fields(area.box) == everything, "built once"


def test_moving_on_before_the_page_said_so_leaves_no_step_half_built(session: Session) -> None:
    app = App(session, STEP_BY_KEY["review"], visit=True)
    assert "development.items" not in " ".join(fields(app.areas["review"].box))
    app.nav.value = "name#1"
    assert any(p.startswith("development.items.") for p in fields(app.areas["review"].box))
    assert not fields(app.areas["review"].box) & fields(app.areas["name"].box)


def test_a_page_that_never_says_it_is_shown_gets_the_rest_a_moment_later(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.new_event_loop()
    monkeypatch.setattr(app_module, "kernel_loop", lambda: loop)
    monkeypatch.setattr(app_module, "LATER_AT_THE_LATEST", 0.01)
    try:
        app = App(session, STEP_BY_KEY["charter"], visit=True)
        assert "charter.review_date" not in fields(app.areas["charter"].box)
        loop.run_until_complete(asyncio.sleep(0.1))
        assert "charter.review_date" in fields(app.areas["charter"].box)
    finally:
        loop.close()


def test_what_is_built_later_for_a_reader_is_read_only(workspace: Workspace) -> None:
    workspace.close_sig(SIG)
    reader = Session(workspace, SIG, author="Ada")
    try:
        assert reader.read_only
        app = App(reader, STEP_BY_KEY["charter"], visit=True)
        app.nav.value = app_module.PAGE_READY
        later_controls = [
            w
            for w in walk(app.areas["charter"].box)
            if isinstance(w, FieldControl) and w.path == "charter.review_date"
        ]
        assert later_controls
        inputs = [w for c in later_controls for w in walk(c) if w.has_trait("disabled")]
        assert inputs and all(w.disabled for w in inputs)
    finally:
        reader.close()


def test_the_app_is_shown_as_a_view_without_the_repr_of_everything_inside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[dict[str, object]] = []
    monkeypatch.setattr(
        "sigworkbook.ui.showing.display",
        lambda data, raw=False: published.append(data) if raw else None,
    )

    class Loud(widgets.HTML):
        def __repr__(self) -> str:
            raise AssertionError("a widget's repr was written")

    box = widgets.VBox([Loud("inside")])
    show_view(box)
    assert published == [
        {
            "text/plain": "VBox(…)",
            WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": box.model_id},
        }
    ]
