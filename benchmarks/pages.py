"""Figures 1-3: each workbook page in Chromium against an empty notebook on the same server."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from benchmarks.browser import Chromium
from benchmarks.notebooks import PageSet
from benchmarks.processes import Server, port, rss_mb, running, wait_gone
from benchmarks.report import Figure, Row, Target
from benchmarks.settings import Settings
from benchmarks.stats import Summary, median, ratios

READY_DEFINITION = (
    "a page is ready when Voila has removed its loading indicator and shows the cells, every "
    "widget output is on screen, the first form control inside a widget (if the page has one) "
    "is enabled, and the page's kernel is idle: it has answered kernel_info and the widget "
    "manager's request for the widgets' state, and every message the page sent has been "
    "followed by the kernel's idle status (benchmarks/ready.js). Time is from the start of "
    "navigation, in one Chromium tab (full runs first make, and discard, one visit of every "
    "page, which warms its cache)."
)

FIG1 = Figure(
    1,
    "page_ready_cold",
    "Page ready, cold kernel / empty notebook",
    "For each workbook page: time to ready / the same for an empty notebook on the same "
    "`sigworkbook serve`, paired run by run; " + READY_DEFINITION,
)
FIG2 = Figure(
    2,
    "page_ready_preheated",
    "Page ready, pre-heated kernel / cold empty notebook",
    "As figure 1, but the server keeps a pool of pre-heated kernels; divided by the cold empty "
    "notebook of figure 1.",
)
FIG3 = Figure(
    3,
    "kernel_rss",
    "Kernel memory (RSS) / empty notebook's kernel",
    "Resident memory of the page's kernel process (found by its kernel id among the server's "
    "children), read the moment the page is ready, i.e. after every cell has run; divided by "
    "the same for the empty notebook, paired run by run.",
)


def preheat_unsupported_reason() -> str | None:
    """Why `sigworkbook serve` cannot be measured with pre-heated kernels, or None if it can."""
    from sigworkbook.app.settings import ServeOptions, build_config

    options = ServeOptions(notebooks=Path("."), port=8866, host="127.0.0.1", token=None)
    if build_config(options).VoilaConfiguration.preheat_kernel:
        return None
    return (
        "not measured: `sigworkbook serve` turns Voila's pre-heated kernels off "
        "(VoilaConfiguration.preheat_kernel = False in sigworkbook/app/settings.py) and has no "
        "option to turn them on"
    )


@dataclass
class Visits:
    """What every visit of one notebook measured."""

    ready_s: list[float] = field(default_factory=list)
    html_s: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    widget_views: list[int] = field(default_factory=list)


def _serve_command(pages: PageSet, workspace: Path, listen: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sigworkbook.app.serve",
        "--workspace",
        str(workspace),
        "--notebooks",
        str(pages.folder),
        "--port",
        str(listen),
        "--no-browser",
    ]


def _visit(browser: Chromium, server: Server, url: str, into: Visits | None) -> None:
    load = browser.visit(url)
    kernel = server.kernel(load.kernel_id)
    if into is not None:
        into.ready_s.append(load.ready_ms / 1000)
        into.html_s.append(load.html_ms / 1000)
        into.rss_mb.append(rss_mb(kernel))
        into.widget_views.append(load.widget_views)
    browser.leave()
    wait_gone(kernel)


def measure(
    settings: Settings,
    pages: PageSet,
    workspace: Path,
    sig_id: str,
    progress: Callable[[str], None],
) -> dict[str, Visits]:
    """Visit the empty notebook and every page, `warmup` + `runs` times; return the visits."""
    names = [pages.empty, *(step.notebook for step in pages.pages)]
    visits = {name: Visits() for name in names}
    listen = port()
    log = settings.work / "logs" / "serve-pages.log"
    with (
        running(
            "sigworkbook serve", _serve_command(pages, workspace, listen), port=listen, log=log
        ) as server,
        Chromium() as browser,
    ):
        server.wait_listening()

        def url(name: str) -> str:
            return f"{server.base_url}/voila/render/{quote(name)}?sig={quote(sig_id)}"

        for _ in range(settings.warmup):
            for name in names:
                _visit(browser, server, url(name), None)
        for run in range(settings.runs):
            progress(f"pages: run {run + 1} of {settings.runs}")
            for name in names:
                _visit(browser, server, url(name), visits[name])
    return visits


def figures(pages: PageSet, visits: dict[str, Visits] | None, reason: str = "") -> list[Figure]:
    """Figures 1, 2 and 3 from the visits (None: not measured, for `reason`)."""
    fig1, fig2, fig3 = (Figure(f.number, f.key, f.title, f.definition) for f in (FIG1, FIG2, FIG3))
    if visits is None:
        for figure in (fig1, fig2, fig3):
            figure.note = reason
        return [fig1, fig2, fig3]
    empty = visits[pages.empty]
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
        page = visits[step.notebook]
        ready = ratios(page.ready_s, empty.ready_s)
        fig1.rows.append(
            Row(
                step.notebook,
                "ratio",
                Summary.of(ready),
                Target("<=", 1.10),
                samples=ready,
                measured=f"{median(page.ready_s):.2f} s / {median(empty.ready_s):.2f} s; "
                f"HTML complete after {median(page.html_s):.2f} s; "
                f"{max(page.widget_views)} widget views",
                extra={
                    "page_s": page.ready_s,
                    "empty_s": empty.ready_s,
                    "page_html_s": page.html_s,
                    "widget_views": page.widget_views,
                },
            )
        )
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
    for step in pages.missing:
        note = f"no notebook {step.notebook} in the workbooks folder yet"
        fig1.rows.append(Row(step.notebook, "ratio", None, Target("<=", 1.10), note=note))
        fig3.rows.append(Row(step.notebook, "ratio", None, Target("<=", 1.4), note=note))
    preheat = preheat_unsupported_reason()
    fig2.note = preheat or "pre-heated kernels are on in `sigworkbook serve`: figure 1 used them"
    fig2.rows.append(Row("every workbook page", "ratio", None, Target("<=", 0.80), note=fig2.note))
    return [fig1, fig2, fig3]
