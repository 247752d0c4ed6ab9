"""Headless Chromium (Playwright) that opens a Voila page and reports when it was ready."""

from __future__ import annotations

import subprocess
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
READY_SCRIPT = Path(__file__).with_name("ready.js")
READY_TIMEOUT_MS = 90_000
ERRORS_KEPT = 5
"""The page's latest console errors an error message quotes (a page that never became ready)."""

_console_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


class BrowserError(RuntimeError):
    """Chromium is missing, or a page never became ready."""


@dataclass(frozen=True)
class PageLoad:
    """One page visit: when it was ready (ms after navigation started) and its kernel."""

    url: str
    ready_ms: float
    html_ms: float
    """When the last byte of the page's HTML arrived (Voila sends it once every cell has run)."""
    widget_views: int
    """Widget views on the page when it was ready."""
    kernel_id: str
    navigated_at: float
    """time.perf_counter() just before the navigation was asked for."""
    ready_wall: float = 0.0
    """time.time() (the wall clock, which the browser shares) at the moment the page was ready."""
    html_wall: float = 0.0
    """time.time() at the moment the last byte of the page's HTML arrived."""


def chromium_version(executable: Path = CHROMIUM) -> str:
    """`Chromium 156...` as the browser reports itself, or a note that it is missing."""
    try:
        done = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return f"no browser at {executable}"
    return done.stdout.strip() or f"{executable} (version unknown)"


def wait_ready(page: Page, url: str, navigated_at: float) -> PageLoad:
    """Wait until `page` (being navigated to `url`) is ready, by ready.js."""
    try:
        page.wait_for_function(
            "window.__benchReady !== null", timeout=READY_TIMEOUT_MS, polling=100
        )
        state: dict[str, Any] = page.evaluate(
            """() => ({
                ready: window.__benchReady,
                html: performance.getEntriesByType('navigation')[0].responseEnd,
                views: document.querySelectorAll('.jupyter-widgets').length,
                errors: window.__benchErrors(),
                kernel: JSON.parse(
                    document.getElementById('jupyter-config-data').textContent).kernelId,
                wall: Date.now(),
                now: performance.now(),
            })"""
        )
    except PlaywrightError as error:
        errors = _console_errors.get(page, [])[-ERRORS_KEPT:]
        said = f"; its console's latest errors: {' | '.join(errors)}" if errors else ""
        raise BrowserError(
            f"page {url} did not become ready ({_state(page)}): {error.message}{said}"
        ) from None
    if state["errors"]:
        raise BrowserError(f"page {url} shows errors: {'; '.join(state['errors'])[:500]}")
    # Date.now() is the wall clock Python's time.time() reads; performance.now() counts from
    # the navigation's start. Their difference places the page's moments on the wall clock.
    origin_wall = (float(state["wall"]) - float(state["now"])) / 1000
    return PageLoad(
        url,
        float(state["ready"]),
        float(state["html"]),
        int(state["views"]),
        str(state["kernel"]),
        navigated_at,
        ready_wall=origin_wall + float(state["ready"]) / 1000,
        html_wall=origin_wall + float(state["html"]) / 1000,
    )


def _state(page: Page) -> str:
    """Which of ready.js's conditions do not hold yet, for an error message."""
    try:
        state = page.evaluate("window.__benchState ? window.__benchState() : null")
    except PlaywrightError:
        return "state unknown"
    if not isinstance(state, dict):
        return "the probe did not run"
    failing = [name for name, value in state.items() if value is False]
    return f"not yet: {', '.join(failing) or 'none'}; {state}"


class Chromium:
    """One headless Chromium with one browsing context that probes page readiness."""

    def __init__(self, executable: Path = CHROMIUM) -> None:
        if not executable.is_file():
            raise BrowserError(
                f"Chromium: {executable} does not exist; install Debian's package "
                "('make system' or apt-get install chromium)"
            )
        self._playwright: Playwright = sync_playwright().start()
        try:
            self._browser: Browser = self._playwright.chromium.launch(
                executable_path=str(executable), args=list(CHROMIUM_FLAGS)
            )
            self._context, self._page = self._open_context()
        except BaseException:
            self._playwright.stop()
            raise

    def _open_context(self) -> tuple[BrowserContext, Page]:
        context = self._browser.new_context()
        context.add_init_script(path=str(READY_SCRIPT))
        page = context.new_page()
        errors = _console_errors.setdefault(page, [])

        def heard(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors[:] = [*errors[-ERRORS_KEPT + 1 :], message.text[:300]]

        page.on("console", heard)
        return context, page

    @property
    def page(self) -> Page:
        """The tab the visits happen in (for steps before a visit, such as logging in)."""
        return self._page

    def fresh_context(self) -> None:
        """Start again in a new browsing context: no cookies, no cache, nothing stored."""
        self._context.close()
        self._context, self._page = self._open_context()

    def visit(self, url: str) -> PageLoad:
        """Open `url` and wait until ready.js says the page is ready (see its header)."""
        navigated_at = time.perf_counter()
        try:
            self._page.goto(url, wait_until="commit", timeout=READY_TIMEOUT_MS)
        except PlaywrightError as error:
            raise BrowserError(f"page {url} did not open: {error.message}") from None
        return self.wait_ready(url, navigated_at)

    def wait_ready(self, url: str, navigated_at: float) -> PageLoad:
        """Wait until the page now open (being navigated to `url`) is ready, by ready.js."""
        return wait_ready(self._page, url, navigated_at)

    def person(self) -> tuple[BrowserContext, Page]:
        """A browsing context of its own (one person's browser) with the probe, and its tab."""
        return self._open_context()

    def leave(self) -> None:
        """Navigate away, so the page's unload handler asks the server to stop its kernel."""
        self._page.goto("about:blank")

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
