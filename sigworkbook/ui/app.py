"""The app page: every step in one page and one kernel, each built from its own notebook the
first time it is opened and switched in place after that."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import json
import logging
import pkgutil
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import CodeType
from urllib.parse import urlencode

import ipywidgets as widgets
from markdown_it import MarkdownIt

from sigworkbook import exports, settings
from sigworkbook.live.kernel import kernel_loop
from sigworkbook.live.leading import meeting_of
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS, Step
from sigworkbook.resources import workbooks_dir
from sigworkbook.ui import pages
from sigworkbook.ui.later import Waiting, first_screen
from sigworkbook.ui.meeting_bar import MeetingBar
from sigworkbook.ui.opening import opened_together
from sigworkbook.ui.page import open_session, sharing
from sigworkbook.ui.readonly import disable_inputs
from sigworkbook.ui.request import query_param, wait_for_request
from sigworkbook.ui.showing import into, show, show_view
from sigworkbook.workspace import warm_up

log = logging.getLogger("sigworkbook.app")

NAV_CLASS = "swb-app-nav"
"""The hidden box the page's script writes a step's key into (``key#n``) to switch to it."""
LOCATION_CLASS = "swb-app-location"
"""The element that tells the page's script which step shows (for the address and title)."""
PAGE_READY = "ready"
"""What the page's script writes into the hidden box once the page is on screen: the kernel
then builds the parts of the first step that waited (`later`), and the other steps ahead, one
at a time, while the person is not typing."""
LATER_AT_THE_LATEST = 3.0
"""Seconds after the first screen's build when the parts that wait for the page's `ready`
are built anyway (a page that never says it, such as a script's, still gets them)."""
GROUP_NEXT_AFTER = 2.0
"""Seconds after a meeting's hint before the group's next step is built, when the app builds no
other step ahead (setting `build_ahead` 0): the move that gave the hint goes first."""

_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass
class StepArea:
    """Where one step's page is built, shown only while it is the current step."""

    step: Step
    box: widgets.VBox
    built: bool = False
    build_seconds: float = field(default=0.0, compare=False)
    waiting: list[Waiting] = field(default_factory=list, compare=False)
    """The parts below the fold of a visit's first screen, built once the page is shown."""


class App(widgets.VBox):
    """The whole workbook for one person: one session, one step area per step."""

    def __init__(self, session: Session | None, first: Step, *, visit: bool = False) -> None:
        """`visit`: this is the page a person opened, so the first step's parts below the
        fold (`later`) wait until the page says it is on screen."""
        self.session = session
        self.nav = widgets.Text(layout=widgets.Layout(display="none"), continuous_update=True)
        self.nav.add_class(NAV_CLASS)
        self.nav.observe(lambda change: self._asked(str(change["new"])), names="value")
        self.location = widgets.HTML()
        self.areas = {
            step.key: StepArea(step, widgets.VBox(layout=widgets.Layout(display="none")))
            for step in STEPS
        }
        for area in self.areas.values():
            area.box.add_class("swb-app-step")
            area.box.add_class(f"swb-app-step--{area.step.key}")
        self.current: Step | None = None
        self._ahead: asyncio.TimerHandle | None = None
        self._every_step = False
        """Whether the page is on screen: every step not built yet is then built ahead."""
        self._wanted: str | None = None
        """The step the meeting's group goes to next: built ahead first (`build_soon`)."""
        self.asked = 0
        """The number of the page script's latest request served (it ignores older answers)."""
        self.bar = (
            MeetingBar(
                session, lambda key: self.go(STEP_BY_KEY[key]), first.key, ahead=self.build_soon
            )
            if session is not None
            else None
        )
        meeting = [self.bar.bar, self.bar.panel] if self.bar is not None else []
        super().__init__(
            [self.nav, self.location, *meeting, *(area.box for area in self.areas.values())],
            layout=widgets.Layout(width="100%"),
        )
        self.add_class("swb-app")
        self._visit = visit
        self.go(first)
        self._visit = False
        if any(area.waiting for area in self.areas.values()):
            loop = kernel_loop()
            if loop is not None:
                loop.call_later(LATER_AT_THE_LATEST, self.build_waiting)

    def _asked(self, value: str) -> None:
        if value == PAGE_READY:
            self.build_waiting()
            self.build_ahead()
            return
        key, _, number = value.partition("#")
        step = STEP_BY_KEY.get(key)
        if step is not None:
            self.asked = int(number) if number.isdigit() else 0
            self.go(step)

    def go(self, step: Step) -> None:
        """Show `step`: built from its notebook the first time, switched in place after."""
        if self.session is None and step.key != "start":
            step = STEP_BY_KEY["start"]  # no SIG yet: the start page chooses or creates one
        area = self.areas[step.key]
        self.build_waiting()  # the step shown before is whole before the person leaves it
        if not area.built:
            self._build(area)
        for other in self.areas.values():
            other.box.layout.display = None if other is area else "none"
        self.current = step
        self.location.value = self._location_html(step)
        if self.session is not None:
            self.session.step = step.key
            self.session.check_in()
        if self.bar is not None:
            self.bar.went(step.key)

    def build_ahead(self) -> None:
        """The page is on screen: build the steps not opened yet, one at a time in the kernel's
        idle moments (the steps after this one first), so that moving to any of them later is
        only a switch: a meeting moving on waits for no kernel and no new widgets."""
        self._every_step = True
        self._schedule()

    def build_soon(self, key: str) -> None:
        """The meeting's hint: the group goes to step `key` next, so build it ahead before any
        other, even when the app builds no other step ahead (setting `build_ahead` 0: then
        only this one, `GROUP_NEXT_AFTER` s later), so that following the lead is a switch."""
        self._wanted = key
        self._schedule()

    def not_built(self) -> list[StepArea]:
        """The steps to build ahead, in order: the group's next step (`build_soon`), then,
        once the page is on screen and `build_ahead` is on, the others, the ones after the
        step on screen first."""
        keys = [step.key for step in STEPS]
        at = keys.index(self.current.key) if self.current is not None else 0
        order = [self._wanted] if self._wanted is not None else []
        if self._every_step and settings.BUILD_AHEAD.read():
            order += keys[at + 1 :] + keys[:at]
        return [self.areas[key] for key in dict.fromkeys(order) if not self.areas[key].built]

    def _schedule(self) -> None:
        """Build the next step of `not_built` in a moment (every `build_ahead` s, else after
        `GROUP_NEXT_AFTER`), never while the person types: one timer for every step ahead."""
        loop = kernel_loop()
        if loop is None or self.session is None or self._ahead is not None:
            return
        if not self.not_built():
            return
        meeting = meeting_of(self.session)

        def build_next() -> None:
            self._ahead = None
            waiting = self.not_built()
            if waiting and not meeting.typing:  # never while the person types: a moment later
                area = waiting[0]
                try:
                    self._build(area)
                except Exception:
                    log.exception("building %s ahead failed", area.step.key)
                    return
            self._schedule()

        every = settings.BUILD_AHEAD.read() or GROUP_NEXT_AFTER
        self._ahead = loop.call_later(every, build_next)

    def _location_html(self, step: Step) -> Markup:
        query = {"step": step.key}
        if self.session is not None:
            query["sig"] = self.session.sig_id
        steps = ",".join(f"{s.notebook}={s.key}" for s in STEPS)
        return Markup(
            '<span class="{}" hidden data-step="{}" data-asked="{}" data-sig="{}" '
            'data-steps="{}" data-query="{}"></span>'
        ).format(
            LOCATION_CLASS, step.key, self.asked, query.get("sig", ""), steps, urlencode(query)
        )

    def build_waiting(self) -> None:
        """Build the parts of the first screen's step that waited for the page (`later`)."""
        for area in self.areas.values():
            waiting, area.waiting = area.waiting, []
            if not waiting:
                continue
            with self._building(area):
                for part in waiting:
                    try:
                        part.fill()
                    except Exception:
                        log.exception("building part of %s failed", area.step.key)
            if self.session is not None and self.session.read_only:
                for part in waiting:
                    disable_inputs(part.box)

    def _build(self, area: StepArea) -> None:
        started = time.perf_counter()
        with self._building(area):
            if self._visit:
                with first_screen() as waiting:
                    run_step_notebook(area.step)
                area.waiting = waiting
            else:
                run_step_notebook(area.step)
        area.built = True
        area.build_seconds = time.perf_counter() - started

    @contextlib.contextmanager
    def _building(self, area: StepArea) -> Iterator[None]:
        """What a step's build runs in: its widgets opened together, shown in its area, with
        the app's session (a step's page says it is here: built off screen, it is not)."""
        with opened_together(), into(area.box):
            if self.session is None:
                yield
                return
            here = self.session.step
            try:
                with sharing(self.session):
                    yield
            finally:
                self.session.step = here


@dataclass(frozen=True)
class StepSource:
    """A step notebook as the app runs it: its cells' Markdown and compiled code, in order."""

    intro: str
    cells: tuple[str | CodeType, ...]


@functools.cache
def step_source(step: Step) -> StepSource:
    """The step's notebook, read and compiled once per kernel (ahead of the visit, when the
    kernel is pre-heated: see `preload`)."""
    # Plain JSON, not nbformat: importing nbformat loads jsonschema's format checkers, about
    # 1.4 s of CPU and 30 MiB in every kernel, to read our own notebooks (nbformat 4 files).
    path = workbooks_dir() / step.notebook
    notebook = json.loads(path.read_text(encoding="utf-8"))
    metadata = notebook.get("metadata") or {}
    intro = str((metadata.get("sigworkbook") or {}).get("intro") or "")
    cells: list[str | CodeType] = []
    for cell in notebook.get("cells") or []:
        source = cell.get("source") or ""
        text = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown":
            cells.append(text)
        elif cell.get("cell_type") == "code":
            cells.append(compile(text, f"<{step.notebook}>", "exec"))
    return StepSource(intro, tuple(cells))


def preload() -> None:
    """Read every step notebook and import every page's module, before the visit: a pre-heated
    kernel does this while it waits, so that a step's first opening only builds its widgets."""
    for step in STEPS:
        step_source(step)
    for module in pkgutil.iter_modules(pages.__path__, f"{pages.__name__}."):
        importlib.import_module(module.name)
    warm_up()
    exports.warm_up()


def run_step_notebook(step: Step) -> None:
    """Show a step's notebook where the app builds it: its prose as HTML, its code run (the
    step notebooks are the package's own: one or two calls into it). A failing cell shows a
    reference; its details go to the server log."""
    source = step_source(step)
    namespace: dict[str, object] = {"__name__": f"sigworkbook_step_{step.key}"}
    for cell in source.cells:
        if isinstance(cell, str):
            show(prose(cell, step, source.intro))
        else:
            try:
                exec(cell, namespace)
            except Exception:
                reference = secrets.token_hex(4).upper()
                log.exception("Reference %s: %s failed in the app page", reference, step.notebook)
                show(
                    widgets.HTML(
                        '<div class="swb-notice swb-notice--error" role="alert">Something went '
                        f"wrong on this page (reference {reference}). Reload the page to try "
                        "again.</div>"
                    )
                )
                return


def prose(source: str, step: Step, intro: str = "") -> widgets.HTML:
    """A step notebook's Markdown cell as the app shows it (the page's script folds the
    introduction after a browser's first visit, as on the step's own page)."""
    data = Markup(' data-swb-page="{}"').format(step.notebook)
    if intro:
        data += Markup(' data-swb-intro="{}"').format(intro)
    # The step notebooks are the package's own: their Markdown is trusted markup.
    body = Markup(_markdown.render(source))
    return widgets.HTML(
        Markup('<div class="jp-RenderedMarkdown swb-app-markdown"{}>{}</div>').format(data, body)
    )


def open_app() -> App | None:
    """The app page for this visit: the step in its address (`?step=`), else the start page.

    A step's address without a SIG it can show (none chosen, none such, not the user's, a plan
    to repair) shows only the notice that says so, as the step's own page did; None then.
    """
    preload()
    wait_for_request()
    first = STEP_BY_KEY.get(query_param("step") or "start", STEP_BY_KEY["start"])
    notice = widgets.VBox()
    with into(notice):
        session = open_session(first)
    if session is None and first.key != "start" and notice.children:
        show(notice)
        return None
    if session is not None:
        session.start_live_updates()
    with opened_together():
        app = App(session, first, visit=True)
    show_view(app)
    return app
