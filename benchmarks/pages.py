"""Figures 1-3: the app opened at each step's address, in Chromium, against an empty notebook."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil  # type: ignore[import-untyped]  # a dependency of ipykernel; no stubs here

from benchmarks.browser import Chromium
from benchmarks.notebooks import PageSet
from benchmarks.processes import (
    Server,
    ServerError,
    listening,
    rss_mb,
    serve_command,
    wait_gone,
)
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, median, ratios
from sigworkbook.app.voila_config import POOL_API
from sigworkbook.plan.steps import APP_NOTEBOOK

POOL_TIMEOUT_S = 180.0
"""Longest wait for the app page's pool to be heated."""

READY_DEFINITION = (
    "a page is ready when Voila has removed its loading indicator and shows the cells, every "
    "widget output is on screen (its view drawn, no renderer still 'Loading widget...'), no "
    "widget or cell shows an error (else the visit fails), a form control inside a "
    "widget (if the page has any) is enabled, and the page's kernel is idle: it has answered kernel_info and the widget "
    "manager's request for the widgets' state, and every message the page sent has been "
    "followed by the kernel's idle status (benchmarks/ready.js). Time is from the start of "
    "navigation, in one Chromium tab (full runs first make, and discard, one visit of every "
    "page, which warms its cache). Form controls count only where they are on screen (the app "
    "page's hidden step box does not)."
)

FIG1 = Figure(
    1,
    "page_ready_cold",
    "Page ready, cold kernel / empty notebook",
    "For each step: the app opened at the step's own address (/voila/render/NN-step.ipynb"
    "?sig=..., which redirects to the app at that step, /?sig=...&step=...), time to ready, "
    "redirect included / the same for an empty notebook on the same `sigworkbook serve "
    "--preheat 0` (no pool: every visit starts a kernel), paired run by run; " + READY_DEFINITION,
)
FIG2 = Figure(
    2,
    "page_ready_preheated",
    "Page ready, pre-heated kernel / cold empty notebook",
    "As figure 1, but on a second `sigworkbook serve` over the same folder with serve's "
    "defaults: one pre-heated kernel for the app page (the only pool), which has run the app "
    "notebook up to where it waits for the visit's request; divided by the cold empty notebook "
    "of figure 1 in the same run. Before each visit the server is left idle for a few seconds "
    "(5 in a full run) and the pool is heated (the server's pool API says so); the refill "
    "starts during the visit, as it does in real use. A visit counts only if the server log "
    "shows that it was given the pre-heated kernel.",
)
FIG3 = Figure(
    3,
    "kernel_rss",
    "Kernel memory (RSS) / empty notebook's kernel",
    "Resident memory of the page's kernel process (found by its kernel id among the server's "
    "children), read the moment the page is ready, i.e. after every cell has run; divided by "
    "the same for the empty notebook, paired run by run.",
)


@dataclass
class Visits:
    """What every visit of one notebook measured."""

    ready_s: list[float] = field(default_factory=list)
    html_s: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    widget_views: list[int] = field(default_factory=list)


@dataclass
class PageVisits:
    """Every visit of a page-figure run: on the cold server and on the pre-heated one."""

    cold: dict[str, Visits]
    preheated: dict[str, Visits] | None = None
    """None when figure 2 was not asked for."""
    pooled_mb: list[float] = field(default_factory=list)
    """Per run: the median RSS of the pooled kernels, all heated and waiting, before its first
    pre-heated visit (MiB)."""


def pool_state(server: Server) -> dict[str, Any]:
    """What the server's pool API says: {"size": N, "notebooks": {name: {pooled, ready}}}."""
    with urllib.request.urlopen(server.base_url + POOL_API, timeout=10) as response:
        state: dict[str, Any] = json.load(response)
    return state


def wait_pool_heated(server: Server, timeout: float = POOL_TIMEOUT_S) -> int:
    """Wait until the app page's pool is full of kernels waiting for a visitor (nothing is
    heating any more); return the pool's size."""
    deadline = time.perf_counter() + timeout
    state: dict[str, Any] = {}
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise ServerError(
                f"{server.name} exited with status {server.process.returncode}:\n"
                f"{server.log_tail()}"
            )
        state = pool_state(server)
        pools: dict[str, dict[str, int]] = state.get("notebooks", {})
        size = int(state.get("size", 0))
        if size < 1:
            raise ServerError(f"{server.name} has no kernel pool: {state}")
        if pools.get(APP_NOTEBOOK, {}).get("ready", 0) >= size:
            return size
        time.sleep(0.1)
    raise ServerError(
        f"{server.name}: the app page's kernel pool was not heated within {timeout:.0f} s "
        f"({state}):\n{server.log_tail()}"
    )


def _visit(
    browser: Chromium,
    server: Server,
    url: str,
    into: Visits | None,
    *,
    preheated: bool = False,
    leaving: list[psutil.Process] | None = None,
) -> None:
    """Visit `url`, record it in `into`, leave, and wait for the page's kernel to exit (or, with
    `leaving`, add the kernel to it, to be waited for later)."""
    load = browser.visit(url)
    kernel = server.kernel(load.kernel_id)
    if preheated and f"Using pre-heated kernel: {load.kernel_id}" not in server.log.read_text(
        encoding="utf-8", errors="replace"
    ):
        raise ServerError(f"{url} was not given a pre-heated kernel (kernel {load.kernel_id})")
    if into is not None:
        into.ready_s.append(load.ready_ms / 1000)
        into.html_s.append(load.html_ms / 1000)
        into.rss_mb.append(rss_mb(kernel))
        into.widget_views.append(load.widget_views)
    browser.leave()
    if leaving is None:
        wait_gone(kernel)
    else:
        leaving.append(kernel)


@contextlib.contextmanager
def _server(
    settings: Settings, pages: PageSet, workspace: Path, preheat: int | None
) -> Iterator[Server]:
    name = "serve-preheated" if preheat is None else "serve-pages"
    log = settings.work / "logs" / f"{name}.log"
    command = partial(serve_command, workspace, notebooks=pages.folder, preheat=preheat)
    with listening(f"sigworkbook serve ({name})", command, log) as (server, _):
        yield server


def measure(
    settings: Settings,
    pages: PageSet,
    workspace: Path,
    sig_id: str,
    progress: Callable[[str], None],
) -> PageVisits:
    """Visit the empty notebook and every page, `warmup` + `runs` times; return the visits.

    Cold pages are visited for figures 1 and 3, pre-heated ones for figure 2 (on a second
    server, started first so that its pools heat while nothing is measured); the cold empty
    notebook is every figure's baseline. Visits are interleaved run by run.
    """
    steps = [step.notebook for step in pages.pages]
    cold_names = [pages.empty] + (steps if settings.wants(1) or settings.wants(3) else [])
    warm_names = steps if settings.wants(2) else []
    visits = PageVisits({name: Visits() for name in cold_names})
    if warm_names:
        visits.preheated = {name: Visits() for name in warm_names}
    with contextlib.ExitStack() as stack:
        warm = None
        if warm_names:
            warm = stack.enter_context(_server(settings, pages, workspace, None))
        cold = stack.enter_context(_server(settings, pages, workspace, 0))
        browser = stack.enter_context(Chromium())
        if warm is not None:
            progress("pages: waiting for the pre-heated kernel")
            wait_pool_heated(warm)

        def url(server: Server, name: str) -> str:
            return f"{server.base_url}/voila/render/{quote(name)}?sig={quote(sig_id)}"

        def one_run(into: PageVisits | None) -> None:
            for name in cold_names:
                _visit(browser, cold, url(cold, name), into.cold[name] if into else None)
            if warm is None:
                return
            wait_pool_heated(warm)
            if into is not None:
                into.pooled_mb.append(median([rss_mb(kernel) for kernel in warm.kernels()]))
            for name in warm_names:
                time.sleep(settings.server_idle_s)  # the server idle, as between two visitors
                wait_pool_heated(warm)
                target = into.preheated[name] if into and into.preheated else None
                _visit(browser, warm, url(warm, name), target, preheated=True)
            wait_pool_heated(warm)  # the last refill must not overlap cold visits

        def smoke_run(into: PageVisits) -> None:
            """One run with no idle wait: the pool refills while the next cold page is visited,
            and the kernels left behind are waited for at the end (measurements of a smoke
            run prove that the benchmark works, not how fast the pages are)."""
            leaving: list[psutil.Process] = []
            cold_left = list(cold_names)
            if warm is not None:
                wait_pool_heated(warm)
                into.pooled_mb.append(median([rss_mb(kernel) for kernel in warm.kernels()]))
                for name in warm_names:
                    wait_pool_heated(warm)
                    target = into.preheated[name] if into.preheated else None
                    _visit(browser, warm, url(warm, name), target, preheated=True, leaving=leaving)
                    if cold_left:
                        first = cold_left.pop(0)
                        _visit(browser, cold, url(cold, first), into.cold[first], leaving=leaving)
            for name in cold_left:
                _visit(browser, cold, url(cold, name), into.cold[name], leaving=leaving)
            for kernel in leaving:
                wait_gone(kernel)
            if warm is not None:
                wait_pool_heated(warm)

        if settings.smoke:
            progress(f"pages: run 1 of {settings.runs} (smoke: the pool refills meanwhile)")
            for _ in range(settings.runs):
                smoke_run(visits)
            return visits
        for _ in range(settings.warmup):
            one_run(None)
        for run in range(settings.runs):
            progress(f"pages: run {run + 1} of {settings.runs}")
            one_run(visits)
    return visits


def _ratio_row(
    name: str, page: Visits, empty: Visits, target: Target | None, note: str = ""
) -> Row:
    """A page's time to ready ÷ the cold empty notebook's, paired run by run."""
    ready = ratios(page.ready_s, empty.ready_s)
    return Row(
        name,
        "ratio",
        Summary.of(ready),
        target,
        samples=ready,
        measured=f"{median(page.ready_s):.2f} s / {median(empty.ready_s):.2f} s; "
        f"HTML complete after {median(page.html_s):.2f} s; "
        f"{max(page.widget_views)} widget views{note}",
        extra={
            "page_s": page.ready_s,
            "empty_s": empty.ready_s,
            "page_html_s": page.html_s,
            "widget_views": page.widget_views,
        },
    )


def _preheated_rows(pages: PageSet, visits: PageVisits) -> list[Row]:
    """Figure 2's rows: the pooled kernel's memory (information), then each step."""
    warm = visits.preheated or {}
    empty = visits.cold[pages.empty]
    rows = [
        Row(
            "pooled kernel, waiting (information)",
            "MB",
            Summary.of(visits.pooled_mb),
            samples=visits.pooled_mb,
            measured="RSS of the app page's pooled kernel, heated and waiting for a visitor "
            "(MiB); serve keeps one by default",
            extra={"pooled_mb": visits.pooled_mb},
        ),
    ]
    for step in pages.pages:
        page = warm[step.notebook]
        memory = f"; kernel {median(page.rss_mb):.0f} MiB when ready"
        rows.append(_ratio_row(step.notebook, page, empty, Target("<=", 0.60), memory))
    return rows


def figures(pages: PageSet, visits: PageVisits | None, reason: str = "") -> list[Figure]:
    """Figures 1, 2 and 3 from the visits (None: not measured, for `reason`); a figure whose
    visits were not made (see `measure`) is left without rows."""
    fig1, fig2, fig3 = (Figure(f.number, f.key, f.title, f.definition) for f in (FIG1, FIG2, FIG3))
    if visits is None:
        for figure in (fig1, fig2, fig3):
            figure.note = reason
        return [fig1, fig2, fig3]
    empty = visits.cold[pages.empty]
    fig1.rows.append(
        Row(
            "empty notebook (baseline)",
            "s",
            Summary.of(empty.ready_s),
            samples=empty.ready_s,
            measured=f"time to ready; HTML complete after {median(empty.html_s):.2f} s",
            extra={"html_s": empty.html_s},
        )
    )
    fig3.rows.append(
        Row(
            "empty notebook (baseline)",
            "MB",
            Summary.of(empty.rss_mb),
            samples=empty.rss_mb,
            measured="kernel RSS, MiB",
        )
    )
    for step in pages.pages:
        page = visits.cold.get(step.notebook)
        if page is None:
            continue
        fig1.rows.append(_ratio_row(step.notebook, page, empty, Target("<=", 1.10)))
        memory = ratios(page.rss_mb, empty.rss_mb)
        fig3.rows.append(
            Row(
                step.notebook,
                "ratio",
                Summary.of(memory),
                Target("<=", 1.4),
                samples=memory,
                measured=f"{median(page.rss_mb):.0f} MiB / {median(empty.rss_mb):.0f} MiB",
                extra={"page_mb": page.rss_mb, "empty_mb": empty.rss_mb},
            )
        )
    if visits.preheated is not None:
        fig2.rows += _preheated_rows(pages, visits)
    for step in pages.missing:
        note = f"no notebook {step.notebook} in the workbooks folder yet"
        fig1.rows.append(Row(step.notebook, "ratio", None, Target("<=", 1.10), note=note))
        fig2.rows.append(Row(step.notebook, "ratio", None, Target("<=", 0.60), note=note))
        fig3.rows.append(Row(step.notebook, "ratio", None, Target("<=", 1.4), note=note))
    return [fig1, fig2, fig3]
