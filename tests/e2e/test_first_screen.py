"""Pages that start with the work: the introduction folded after a first visit, a form control in
the first screen at 1024x768, a step bar that stays in view, nothing cut off, one shared timer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_harness import SCREENSHOTS, Server, screenshot, wait_for_widgets
from e2e.workbook_pages import DEMO_SIG, button, field, new_sig, open_step, shown, step_url
from sigworkbook.plan.steps import STEPS

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1024, "height": 768}
WIDTHS = {
    "1280": {"width": 1280, "height": 900},
    "1024x768": PROJECTOR,
    "390": {"width": 390, "height": 844},
}
_CONTROL = ":is(input, textarea, select, button, a.swb-download):not([type=hidden])"
FORM_CONTROL = (
    f"#rendered_cells .jp-Cell:not(:has(.swb-top)) {_CONTROL}, "
    f".swb-app-step > :not(.swb-top) {_CONTROL}"
)
"""A control of the page's form (not of the step bar above it; on the app page, of the step on
screen: the others' controls take no room); on the review page, where the work is saving the
documents, a download counts."""


def first_control_box(page: Page) -> dict[str, Any]:
    """Where the page's first visible form control is, and the window's height."""
    found = page.evaluate(
        """(selector) => {
            const visible = Array.from(document.querySelectorAll(selector)).filter(el => {
                const box = el.getBoundingClientRect();
                return box.width > 0 && box.height > 0;
            });
            if (!visible.length) return null;
            const box = visible[0].getBoundingClientRect();
            return {top: box.top, bottom: box.bottom, height: window.innerHeight,
                    what: visible[0].outerHTML.slice(0, 120)};
        }""",
        FORM_CONTROL,
    )
    assert found is not None, "the page has no form control at all"
    return dict(found)


@pytest.mark.parametrize("step", [s.key for s in STEPS])
def test_at_1024x768_the_first_screen_holds_a_form_control(
    browser: Browser, workbook_server: Server, step: str
) -> None:
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(45_000)
    try:
        open_step(page, workbook_server, step, sig=DEMO_SIG, who="Priya")
        intro = page.locator("details.swb-intro").first
        expect(intro).to_have_attribute("open", "")  # the first visit shows the introduction
        open_step(page, workbook_server, step, sig=DEMO_SIG, who="Priya")  # a later visit
        expect(intro).not_to_have_attribute("open", re.compile(".*"))
        expect(page.locator(".swb-intro__summary").first).to_have_text(
            "About this step, and what to talk about"
        )
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"first-screen-{step}-1024x768.png"))
        box = first_control_box(page)
        assert box["top"] >= 0 and box["bottom"] <= box["height"], box
        # The introduction opens on demand.
        page.locator(".swb-intro__summary").first.click()
        expect(intro).to_have_attribute("open", "")
        expect(page.locator(".swb-intro__body").first).to_be_visible()
    finally:
        context.close()


def test_the_step_bar_and_timer_stay_in_view_while_scrolling(
    browser: Browser, workbook_server: Server
) -> None:
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(45_000)
    try:
        open_step(page, workbook_server, "charter", sig=DEMO_SIG, who="Priya")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        # On the app page the meeting bar (the group's step, the clock) is what stays in view.
        bar = page.locator(".swb-meeting")
        expect(bar).to_be_in_viewport()
        box = bar.bounding_box()
        assert box is not None and 0 <= box["y"] < PROJECTOR["height"] / 2, box
        assert box["height"] <= 0.15 * PROJECTOR["height"], box
        expect(bar.locator(".swb-meeting-clock")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", ["1024x768", "390"])
def test_the_start_pages_button_is_whole(
    browser: Browser, workbook_server: Server, width: str
) -> None:
    """One box, inside its frame: not cut at the bottom, not broken across lines."""
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(45_000)
    try:
        page.goto(workbook_server.page_url("00-start.ipynb", sig=DEMO_SIG))
        wait_for_widgets(page)
        field(page, "Your name").fill("Priya Raman-Oduya")
        link = page.get_by_role("link", name=re.compile("^Open the workbook for .* as Priya"))
        expect(link).to_be_visible()
        link.scroll_into_view_if_needed()
        clipped = link.evaluate(
            """(el) => {
                const box = el.getBoundingClientRect();
                for (let up = el.parentElement; up; up = up.parentElement) {
                    const style = getComputedStyle(up);
                    if (style.overflow === "visible" && style.overflowY === "visible") continue;
                    const frame = up.getBoundingClientRect();
                    if (box.bottom > frame.bottom + 0.5 || box.top < frame.top - 0.5)
                        return up.className || up.tagName;
                }
                return null;
            }"""
        )
        assert clipped is None, f"the button is cut off by {clipped}"
        assert link.evaluate("el => el.getClientRects().length") == 1, "broken across lines"
        screenshot(page, f"start-open-button-{width}")
    finally:
        context.close()


def test_the_timer_started_on_one_page_runs_on_another_persons_page(
    browser: Browser, workbook_server: Server
) -> None:
    sig = new_sig(workbook_server.workspace, "Timer Friends")
    screens = []
    try:
        for who in ("Priya", "Ben"):
            context = browser.new_context(viewport=PROJECTOR)
            page = context.new_page()
            page.set_default_timeout(45_000)
            open_step(page, workbook_server, "charter", sig=sig, who=who)
            screens.append((context, page))
        (_, priya), (_, ben) = screens
        clock = shown(ben).locator(".swb-top .swb-timer-clock")  # the step's own timer
        expect(clock).to_have_text("30:00")
        button(priya, "Start timer").click()
        expect(button(ben, "Pause")).to_be_visible()
        expect(clock).not_to_have_text("30:00")  # counting down on Ben's page too
        button(ben, "Pause").click()
        expect(button(ben, "Start timer")).to_be_visible()  # paused on Ben's page: it stays
        expect(button(priya, "Start timer")).to_be_visible()
        stopped = clock.inner_text()
        expect(shown(priya).locator(".swb-top .swb-timer-clock")).to_have_text(stopped)
        button(priya, "Reset").click()
        expect(clock).to_have_text("30:00")
    finally:
        for context, _ in screens:
            context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_of_every_page(browser: Browser, workbook_server: Server, width: str) -> None:
    """Every page at 1280 wide, on a 1024x768 projector and at phone width (390), for people to
    look at (artifacts/screenshots/page-<step>-<width>.png); nothing wider than the window."""
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(45_000)
    try:
        for step in STEPS:
            page.goto(step_url(workbook_server, step.key, sig=DEMO_SIG, who="Priya"))
            wait_for_widgets(page)
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 1, f"{step.key} at {width}: {wide} px wider than the window"
            page.evaluate("window.scrollTo(0, 0)")
            screenshot(page, f"page-{step.key}-{width}")
    finally:
        context.close()
