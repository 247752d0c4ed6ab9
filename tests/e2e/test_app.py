"""The app page: every step in one page and one kernel, switched in place, with addresses that
behave (Back, Forward, reload, a pasted link) and several people moving at once (issue 25)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_harness import Server, kernel_id, start_server, stop_server, wait_for_widgets
from e2e.workbook_pages import (
    current,
    go_to,
    new_sig,
    open_step,
    people_pages,
    run_cli,
    settled,
    shoot,
    wait_for_value,
)
from sigworkbook.plan.steps import STEPS

pytestmark = pytest.mark.e2e

PURPOSE = "What are we trying to do?"


def on_step(page: Page, key: str, label: str) -> None:
    """The address names step `key` and the step's input labelled `label` can be typed in."""
    expect(page).to_have_url(re.compile(f"step={key}"))
    expect(current(page).get_by_label(label, exact=True)).to_be_editable()


def click_shows_at_once(page: Page, title: str, key: str) -> bool:
    """Click `title` in the step bar on screen; whether step `key` showed in the same task."""
    return bool(
        page.evaluate(
            """([title, key]) => {
                const link = [...document.querySelectorAll(".swb-app-step .swb-steps a")]
                    .find(a => a.offsetParent !== null && a.textContent.includes(title));
                link.click();
                const area = document.querySelector(".swb-app-step--" + key);
                return getComputedStyle(area).display !== "none";
            }""",
            [title, key],
        )
    )


def test_steps_switch_in_place_in_one_kernel_and_the_address_follows(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "One Page Group")
    open_step(page, server, "name", sig=sig, who="Ada")
    kernel = kernel_id(page)
    kernels = {process.pid for process in server.kernel_processes()}
    expect(page).to_have_title("Name and description · One Page Group")
    loads = page.evaluate("performance.getEntriesByType('navigation').length")

    go_to(page, "3. Charter")
    on_step(page, "charter", PURPOSE)
    expect(page).to_have_title("Charter · One Page Group")
    for step in STEPS:  # every step, each built once, in the same page and kernel
        go_to(page, step.label)
        expect(page).to_have_url(re.compile(f"step={step.key}"))
        expect(current(page).locator(".swb-steps [aria-current='page']")).to_contain_text(
            step.title
        )
    assert kernel_id(page) == kernel
    # No kernel started meanwhile (one of another test's pages may have been shut down).
    assert {process.pid for process in server.kernel_processes()} <= kernels
    assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
    shoot(page, "app-review")

    page.go_back()  # from the review back to the promotion step, in place
    expect(page).to_have_url(re.compile("step=promotion"))
    page.go_back()
    expect(page).to_have_url(re.compile("step=schedule"))
    page.go_forward()
    expect(page).to_have_url(re.compile("step=promotion"))
    assert kernel_id(page) == kernel

    # A step built before shows within the click's own task, before the kernel could answer:
    # a kernel busy building another step ahead does not hold the move up.
    settled(page)
    assert click_shows_at_once(page, "3. Charter", "charter")
    on_step(page, "charter", PURPOSE)
    settled(page)  # the kernel's answer shows the same step
    page.reload()  # a reload opens the step in the address
    wait_for_widgets(page)
    on_step(page, "charter", PURPOSE)


@pytest.fixture(scope="module")
def ahead_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose app pages build the steps not opened yet ahead (serve's default; the
    other tests' servers build a step when it is opened)."""
    tmp = tmp_path_factory.mktemp("ahead")
    run_cli(tmp / "workspace", "init", "--demo")
    running = start_server(tmp, notebooks=None, env={"SIGWORKBOOK_BUILD_AHEAD": "0.2"})
    yield running
    stop_server(running)


def test_once_on_screen_the_page_builds_the_other_steps_ahead_and_moving_is_a_switch(
    page: Page, ahead_server: Server
) -> None:
    server = ahead_server
    sig = new_sig(server.workspace, "Built Ahead Group")
    open_step(page, server, "name", sig=sig, who="Ada")
    for step in STEPS:  # built off screen, once the page said it is on screen
        area = page.locator(f".swb-app-step--{step.key}")
        expect(area.locator(".swb-steps")).to_be_attached()
        if step.key != "name":
            expect(area).to_be_hidden()
    go_to(page, "6. Review and export")
    expect(current(page)).to_have_class(re.compile("swb-app-step--review"))
    expect(page.locator(".swb-app-step--name")).to_be_hidden()
    assert server.log().count("Ada opened") == 1, "one page load: every move was in place"


def test_typing_survives_moving_away_and_back(page: Page, workbook_server: Server) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Kept Words")
    open_step(page, server, "charter", sig=sig, who="Ada")
    purpose = current(page).get_by_label(PURPOSE, exact=True)
    purpose.fill("Fewer falls at home")
    go_to(page, "4. Schedule of activities")
    expect(current(page).locator(".swb-steps [aria-current='page']")).to_contain_text("Schedule")
    go_to(page, "3. Charter")
    expect(current(page).get_by_label(PURPOSE, exact=True)).to_have_value("Fewer falls at home")
    wait_for_value(server.workspace, sig, "charter.purpose", "Fewer falls at home")


def test_what_is_below_the_fold_follows_the_first_screen_without_a_click(
    page: Page, workbook_server: Server
) -> None:
    """A visit's step sends its first screen first; the page then says it is on screen and the
    kernel builds the rest (the review's charter and checklist, every page's history)."""
    server = workbook_server
    sig = new_sig(server.workspace, "Whole Review")
    open_step(page, server, "review", sig=sig, who="Ada")
    review = current(page)
    checklist = review.locator(".swb-card", has_text="Continuing development")
    expect(checklist.get_by_role("combobox", name="Status")).to_have_count(11)
    expect(review.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    expect(review.locator(".swb-charter-preview")).to_contain_text("Whole Review")
    expect(review.get_by_text("History: every change, restorable")).to_be_visible()
    shoot(page, "app-review-whole")


@pytest.fixture
def five(browser: Browser) -> Iterator[list[Page]]:
    """Five people, each in their own browser context."""
    with people_pages(browser, 5) as pages:
        yield pages


def test_five_people_move_to_the_charter_and_each_can_type_there(
    five: list[Page], workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Five Movers")
    people = ["Ada", "Ben", "Cai", "Dee", "Eve"]
    fields = [
        ("charter.purpose", PURPOSE),
        ("charter.approach", "How do we need to do it?"),
        ("charter.people", "Who needs to do it?"),
        ("charter.evidence", "How will we know we are doing it?"),
        ("charter.scope", "In scope"),
    ]
    for page, who in zip(five, people, strict=True):
        open_step(page, server, "name", sig=sig, who=who)
    for page in five:  # "charter, everyone"
        go_to(page, "3. Charter")
    for page, who, (_, label) in zip(five, people, fields, strict=True):
        box = current(page).get_by_label(label, exact=True)
        expect(box).to_be_editable()
        box.fill(f"{who} wrote this")
    for who, (path, _) in zip(people, fields, strict=True):
        wait_for_value(server.workspace, sig, path, f"{who} wrote this")
    # Presence says who is on which step: Ada moves on; Ben sees where she is.
    go_to(five[0], "4. Schedule of activities")
    expect(current(five[1]).locator(".swb-here")).to_contain_text(
        "Ada (Schedule of activities)", timeout=15_000
    )
    shoot(five[1], "app-five-on-the-charter")
