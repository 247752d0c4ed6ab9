"""The app page without a browser: each step built once from its own notebook, into its own
area, with one session for all steps; the step shown and where it is said to be."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import walk

from sigworkbook.demo import add_demo
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS
from sigworkbook.ui import app as app_module
from sigworkbook.ui.app import App, prose
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.page import open_step, sharing
from sigworkbook.ui.showing import into
from sigworkbook.workspace import Workspace

SIG = "home-safely"


@pytest.fixture
def session(kernel_root: Path) -> Iterator[Session]:
    workspace = Workspace.open(kernel_root, create=True)
    add_demo(workspace)
    opened = Session(workspace, SIG, author="Ada")
    yield opened
    opened.close()
    workspace.close()


def shown(app: App) -> list[str]:
    return [key for key, area in app.areas.items() if area.box.layout.display != "none"]


def test_a_step_is_built_from_its_notebook_once_and_switched_in_place(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []
    real = app_module.run_step_notebook

    def counted(step: object) -> None:
        runs.append(getattr(step, "key", "?"))
        real(step)  # type: ignore[arg-type]

    monkeypatch.setattr(app_module, "run_step_notebook", counted)
    app = App(session, STEP_BY_KEY["name"])
    assert shown(app) == ["name"] and runs == ["name"]
    app.nav.value = "charter#1"  # what the page's script writes
    assert shown(app) == ["charter"] and session.step == "charter"
    app.nav.value = "name#2"
    app.nav.value = "charter#3"
    assert runs == ["name", "charter"]  # built once each
    assert app.asked == 3
    location = app.location.value
    assert 'data-step="charter"' in location and 'data-asked="3"' in location
    assert html.escape("sig=home-safely") in location or "sig=home-safely" in location


def test_every_step_shows_its_notebooks_prose_and_form_with_one_session(
    session: Session,
) -> None:
    app = App(session, STEP_BY_KEY["start"])
    for step in STEPS:
        app.go(step)
        area = app.areas[step.key].box
        texts = " ".join(w.value for w in walk(area) if isinstance(w, widgets.HTML))
        assert "swb-app-markdown" in texts, step.key  # the notebook's prose
        assert "swb-steps" in texts, step.key  # the page's header
    controls = [w for w in walk(app) if isinstance(w, FieldControl)]
    assert controls and {c.session for c in controls} == {session}
    charter = app.areas["charter"].box
    purpose = next(
        w for w in walk(charter) if isinstance(w, FieldControl) and w.path == "charter.purpose"
    )
    purpose.input.value = "Saved from the app page"
    assert session.workspace.load(SIG).plan.charter.purpose == "Saved from the app page"


def test_without_a_sig_only_the_start_page_is_offered(tmp_path: Path) -> None:
    app = App(None, STEP_BY_KEY["start"])
    app.nav.value = "charter#1"
    assert shown(app) == ["start"]
    assert not any(area.built for key, area in app.areas.items() if key != "start")


def test_a_failing_step_notebook_shows_a_reference_and_logs_the_details(
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import nbformat

    broken = tmp_path / "notebooks"
    broken.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("raise RuntimeError('secret detail')")]
    nbformat.write(notebook, broken / STEP_BY_KEY["charter"].notebook)
    monkeypatch.setattr(app_module, "workbooks_dir", lambda: broken)
    app_module.step_source.cache_clear()  # each kernel reads a notebook once: this one anew
    try:
        app = App(session, STEP_BY_KEY["charter"])
    finally:
        app_module.step_source.cache_clear()
    texts = " ".join(w.value for w in walk(app.areas["charter"].box) if isinstance(w, widgets.HTML))
    assert "Something went wrong" in texts and "secret detail" not in texts
    assert "secret detail" in caplog.text


def test_prose_is_rendered_and_marked_for_folding() -> None:
    shown_html = prose("# 3. Charter\n\nWhy *we* meet.", STEP_BY_KEY["charter"], "About this page")
    assert "<h1>3. Charter</h1>" in shown_html.value and "<em>we</em>" in shown_html.value
    assert 'data-swb-page="03-charter.ipynb"' in shown_html.value
    assert 'data-swb-intro="About this page"' in shown_html.value


def test_a_step_opened_inside_the_app_shares_its_session_and_alone_opens_its_own(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGWORKBOOK_SIG", SIG)
    with into(widgets.VBox()):
        with sharing(session):
            inside = open_step("charter")
        alone = open_step("charter")
    assert inside is not None and inside.session is session
    assert alone is not None and alone.session is not session
    alone.session.close()


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.AbstractEventLoop]:
    """The event loop the app's kernel would run (building ahead is scheduled on it)."""
    running = asyncio.new_event_loop()
    monkeypatch.setattr(app_module, "kernel_loop", lambda: running)
    yield running
    running.close()


def test_once_the_page_is_on_screen_the_other_steps_are_built_ahead_never_while_typing(
    session: Session, monkeypatch: pytest.MonkeyPatch, loop: asyncio.AbstractEventLoop
) -> None:
    monkeypatch.setenv("SIGWORKBOOK_BUILD_AHEAD", "0.01")
    built: list[str] = []
    real = app_module.run_step_notebook
    monkeypatch.setattr(
        app_module, "run_step_notebook", lambda step: (built.append(step.key), real(step))
    )
    app = App(session, STEP_BY_KEY["charter"])
    assert built == ["charter"], "nothing is built before the page says it is on screen"

    async def until(done: object, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:  # type: ignore[operator]
            await asyncio.sleep(0.01)

    session.typed_at = time.monotonic() + 60  # typing: nothing is built meanwhile
    app.nav.value = app_module.PAGE_READY  # what the page's script writes once shown
    loop.run_until_complete(until(lambda: False, 0.1))
    assert built == ["charter"]
    session.typed_at = float("-inf")
    loop.run_until_complete(until(lambda: len(built) == len(STEPS), 10))
    assert built[1:] == ["schedule", "promotion", "review", "start", "core", "name"]
    assert all(area.built for area in app.areas.values())
    assert shown(app) == ["charter"] and session.step == "charter", "and none shown"
    app.nav.value = "review#1"
    assert shown(app) == ["review"] and len(built) == len(STEPS), "a switch, not a build"


def test_with_building_ahead_off_only_the_steps_opened_are_built(
    session: Session, monkeypatch: pytest.MonkeyPatch, loop: asyncio.AbstractEventLoop
) -> None:
    monkeypatch.setenv("SIGWORKBOOK_BUILD_AHEAD", "0")
    app = App(session, STEP_BY_KEY["charter"])
    app.nav.value = app_module.PAGE_READY
    loop.run_until_complete(asyncio.sleep(0.05))
    assert [key for key, area in app.areas.items() if area.built] == ["charter"]


def test_the_start_step_in_the_app_uses_the_sessions_workspace(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One database connection per person, not a second one for the start step (with
    PostgreSQL each open workspace holds a connection for as long as the page is open)."""
    opened: list[object] = []
    real = Workspace.open.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Workspace], *args: object, **kwargs: object) -> Workspace:
        opened.append(args)
        return real(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Workspace, "open", classmethod(counted))
    app = App(session, STEP_BY_KEY["start"])
    assert shown(app) == ["start"]
    assert opened == []
