"""Page objects for the packaged workbooks: open a step, find fields by label, wait for saves."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.e2e_harness import PAGE_TIMEOUT_MS, Server, kernel_id, screenshot, wait_for_widgets
from sigworkbook.demo import DEMO_FILE
from sigworkbook.plan.paths import PathError, get_path
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.store import Change
from sigworkbook.workspace import Workspace

DEMO_SIG: str = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["id"]
"""The id of the SIG that `sigworkbook init --demo` adds."""

SAVE_TIMEOUT_S = 15.0
"""How long a typed value may take to reach the database (a 0.4 s pause, then the save)."""

_MISSING = object()


# --- workspaces and the database, read the way the app reads them ---------------------------


def run_cli(workspace: Path, *args: str) -> str:
    """Run `sigworkbook --workspace W ARGS` and return what it printed."""
    command = [sys.executable, "-m", "sigworkbook.cli", "--workspace", str(workspace)]
    result = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"sigworkbook {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def new_sig(workspace: Path, name: str, author: str = "setup") -> str:
    """Create a SIG named `name` in the workspace (as `sigworkbook new` would); its id."""
    with Workspace.open(workspace) as opened:
        return opened.new_sig(name, author=author).plan.id


def plan_value(workspace: Path, sig: str, path: str) -> Any:
    """The value saved at `path` of the SIG's plan (the plan as the model fills it in)."""
    with Workspace.open(workspace) as opened:
        return get_path(opened.load(sig).plan.model_dump(mode="json"), path)


def history(workspace: Path, sig: str, path: str | None = None) -> list[Change]:
    """The SIG's revisions (of `path` only, when given), newest first."""
    with Workspace.open(workspace) as opened:
        return opened.history(sig, path=path)


def wait_for_value(
    workspace: Path,
    sig: str,
    path: str,
    expected: Any,
    *,
    timeout: float = SAVE_TIMEOUT_S,
) -> None:
    """Wait until the database holds `expected` at `path` (a callable: until it returns True)."""
    check: Callable[[Any], bool] = expected if callable(expected) else (lambda v: v == expected)
    deadline = time.monotonic() + timeout
    seen: Any = _MISSING
    with Workspace.open(workspace) as opened:
        while True:
            try:
                seen = get_path(opened.load(sig).plan.model_dump(mode="json"), path)
            except (PathError, KeyError, IndexError):
                seen = _MISSING
            if seen is not _MISSING and check(seen):
                return
            if time.monotonic() > deadline:
                shown = "nothing" if seen is _MISSING else repr(seen)
                raise AssertionError(
                    f"{sig}: {path} was never saved as {expected!r} within {timeout} s "
                    f"(the database has {shown})"
                )
            time.sleep(0.1)


# --- pages -----------------------------------------------------------------------------------


def step_url(server: Server, step: str, *, sig: str | None = None, who: str | None = None) -> str:
    """The app page's address at step `step` (a key such as "name") with ?sig= and ?who=."""
    query = {key: value for key, value in (("sig", sig), ("who", who)) if value}
    return server.url("", **query, step=STEP_BY_KEY[step].key)


def old_step_url(
    server: Server, step: str, *, sig: str | None = None, who: str | None = None
) -> str:
    """The address step `step` had before the app page (it leads to the app at that step)."""
    query = {key: value for key, value in (("sig", sig), ("who", who)) if value}
    return server.page_url(STEP_BY_KEY[step].notebook, **query)


SHOWN = ".swb-app-step:visible, body:not(:has(.swb-app-step))"
"""What a person sees of a page: on the app page the step on screen (the steps built earlier
are in the page, hidden), elsewhere the whole page."""


def shown(scope: Page | Locator) -> Locator:
    """`scope`, or for a whole page what of it is on screen (see SHOWN)."""
    return scope.locator(SHOWN) if isinstance(scope, Page) else scope


def current(page: Page) -> Locator:
    """The app page's step area on screen."""
    return page.locator(".swb-app-step:visible")


def settled(page: Page) -> None:
    """Wait until the step on screen is the step in the address (after Back or Forward the
    address changes at once, the step when the kernel has switched to it)."""
    page.wait_for_function(
        """() => {
            const step = new URL(window.location.href).searchParams.get("step") || "start";
            const shown = Array.from(document.querySelectorAll(".swb-app-step"))
                .filter(area => getComputedStyle(area).display !== "none");
            return shown.length === 1 && shown[0].classList.contains("swb-app-step--" + step);
        }"""
    )


def go_to(page: Page, title: str) -> None:
    """Click a step in the step bar of the step on screen (it switches in place)."""
    settled(page)
    current(page).locator(".swb-steps a", has_text=title).first.click()


def switch_to(page: Page, step: str) -> None:
    """Go to step `step` (a key) with the step bar and wait until it is on screen."""
    go_to(page, STEP_BY_KEY[step].label)
    page.wait_for_url(re.compile(rf"[?&]step={re.escape(step)}(&|$)"))
    settled(page)


def open_step(
    page: Page, server: Server, step: str, *, sig: str | None = None, who: str | None = None
) -> None:
    """Go to step `step` of `sig` as participant `who` and wait until its widgets show."""
    page.goto(step_url(server, step, sig=sig, who=who))
    wait_for_widgets(page)
    if sig is not None:
        expect(current(page).locator(".swb-steps")).to_be_visible()


def open_new_sig(page: Page, server: Server, name: str, step: str, who: str) -> str:
    """Create a SIG called `name`, go to its step `step` as `who`; the SIG's id."""
    sig = new_sig(server.workspace, name)
    open_step(page, server, step, sig=sig, who=who)
    return sig


LAPTOP = {"width": 1024, "height": 768}


def device(width: int, height: int, *, mobile: bool = False) -> dict[str, Any]:
    """A browser context's options for a screen of this size (`mobile`: a phone's browser)."""
    return {"viewport": {"width": width, "height": height}, "is_mobile": mobile}


@contextmanager
def people_pages(
    browser: Browser,
    count: int = 0,
    viewport: dict[str, int] | None = None,
    *,
    devices: Sequence[Mapping[str, Any]] = (),
) -> Iterator[list[Page]]:
    """`count` people, each in their own browser context (their own laptop), closed after; or
    one person for each of `devices`, each the options of their context (see `device`)."""
    options = list(devices) or [{"viewport": viewport or LAPTOP}] * count
    contexts = [browser.new_context(**dict(device)) for device in options]
    pages = []
    try:
        for context in contexts:
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            pages.append(page)
        yield pages
    finally:
        for context in contexts:
            context.close()


def reload(page: Page) -> None:
    """Reload the page (a new kernel reads everything from the database again)."""
    page.reload()
    wait_for_widgets(page)


def field(scope: Page | Locator, label: str) -> Locator:
    """The input, text area or drop-down whose label is exactly `label` (on screen)."""
    return shown(scope).get_by_label(label, exact=True)


def button(scope: Page | Locator, name: str) -> Locator:
    """The button whose text is `name` (after its icon, if any: the icon font's glyph is part
    of a button's accessible name in Chromium), on screen."""
    return shown(scope).get_by_role("button", name=re.compile(rf"^\W*{re.escape(name)}$"))


def card(page: Page, title: str) -> Locator:
    """The section box whose heading is `title` (on screen)."""
    return (
        shown(page)
        .locator(".swb-card")
        .filter(has=page.get_by_role("heading", name=title, exact=True))
    )


def table(page: Page, label: str) -> Locator:
    """The editable table (rows editor) whose own heading is `label` (on screen)."""
    return (
        shown(page)
        .locator(".swb-table")
        .filter(has=page.locator("h3.swb-table-title", has_text=label))
    )


def rows(scope: Locator) -> Locator:
    return scope.locator(".swb-row")


def open_rows(scope: Locator) -> Locator:
    """Open every folded row of the table `scope` with its "Edit" button; return the rows.

    Screen readers hear each Edit button as collapsed and each Close button as expanded."""
    folded = scope.locator(".swb-row--folded")
    for remaining in range(folded.count(), 0, -1):
        folded.first.get_by_role("button", name="Edit", exact=True, expanded=False).click()
        expect(folded).to_have_count(remaining - 1)
    closers = scope.get_by_role("button", name="Close", exact=True, expanded=True)
    expect(closers).to_have_count(rows(scope).count())
    return rows(scope)


def add_row(page: Page, label: str, add_button: str) -> Locator:
    """Press the table's add button and return the new (last) row once it shows."""
    editor = table(page, label)
    before = rows(editor).count()
    button(editor, add_button).click()
    expect(rows(editor)).to_have_count(before + 1)
    return rows(editor).nth(before)


def status(page: Page) -> Locator:
    """The page's save status line ("All changes saved", "Saved at 14:03", "Not saved: ...")."""
    return shown(page).locator(".swb-statusbar .swb-saved")


def presence(page: Page) -> Locator:
    """The line that says who else has this SIG open."""
    return shown(page).locator(".swb-statusbar .swb-here")


def option_labels(select: Locator) -> list[str]:
    """The options of a drop-down as shown (the widgets draw spaces as no-break spaces)."""
    labels = select.evaluate("s => Array.from(s.options, o => o.text)")
    return [str(label).replace("\xa0", " ") for label in labels]


def choose(scope: Page | Locator, label: str, option: str) -> None:
    """Pick the option shown as `option` in the drop-down labelled `label`."""
    select = field(scope, label)
    labels = option_labels(select)
    assert option in labels, f"{label}: no option {option!r} in {labels}"
    select.select_option(index=labels.index(option))


def selected_label(select: Locator) -> str:
    """The option a drop-down shows as chosen."""
    index = int(select.evaluate("s => s.selectedIndex"))
    return option_labels(select)[index] if index >= 0 else ""


def set_number(locator: Locator, value: int) -> None:
    """Type a whole number into a number input; it is sent when focus leaves the input."""
    locator.fill(str(value))
    locator.press("Tab")


def wait_saved(
    page: Page, server: Server, sig: str, path: str, expected: Any, *, timeout: float = 15.0
) -> None:
    """Wait until `expected` is in the database at `path` and the page says "Saved at"."""
    wait_for_value(server.workspace, sig, path, expected, timeout=timeout)
    expect(status(page)).to_contain_text("Saved at")


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot in artifacts/screenshots/, taken from the top of the page."""
    page.evaluate("window.scrollTo(0, 0)")
    return screenshot(page, name)


# --- kernels -----------------------------------------------------------------------------------


def page_kernel(page: Page, server: Server) -> psutil.Process:
    """The ipykernel process that Voila started for this page."""
    kid = kernel_id(page)
    found = [p for p in server.kernel_processes() if kid in " ".join(p.cmdline())]
    assert len(found) == 1, f"expected one kernel process for kernel {kid}, found {len(found)}"
    return found[0]


# --- the keyboard ----------------------------------------------------------------------------


def focused_name(page: Page) -> str:
    """The accessible name of the focused element: its label, aria-label or text."""
    name = page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "";
            if (el.labels && el.labels.length) return el.labels[0].innerText.trim();
            const by = el.getAttribute("aria-labelledby");
            if (by) return by.split(/\\s+/).map(id => document.getElementById(id))
                .filter(Boolean).map(n => n.innerText.trim()).join(" ");
            return (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
        }"""
    )
    return str(name)


def tab_to(page: Page, name: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element named `name` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        current = focused_name(page)
        if current == name:
            return
        seen.append(current)
    raise AssertionError(f"{name!r} never took the focus in {limit} presses of {key}: {seen}")


@contextmanager
def held_write_lock(database: Path) -> Iterator[None]:
    """Hold SQLite's write lock on `database` from another connection, as another program might."""
    conn = sqlite3.connect(database, isolation_level=None, timeout=10)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
