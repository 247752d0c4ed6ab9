"""The facilitator leads the meeting (issue 21), in Chromium against the app page: five people
follow the lead in place, a typist is offered the move, a wanderer gets Rejoin, ready counts,
only the lead runs the timer (refused in the kernel for anyone else), time's up and overtime,
the bar in view on a phone, and the record of the meeting."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from widget_protocol import Message, WidgetClient

from e2e.e2e_harness import (
    PAGE_TIMEOUT_MS,
    SCREENSHOTS,
    Server,
    screenshot,
    wait_for_widgets,
)
from e2e.workbook_pages import new_sig, people_pages, plan_value, run_cli, wait_for_value

pytestmark = pytest.mark.e2e

PURPOSE = "What are we trying to do?"
QUESTIONS = [
    ("charter.purpose", PURPOSE),
    ("charter.approach", "How do we need to do it?"),
    ("charter.people", "Who needs to do it?"),
    ("charter.evidence", "How will we know we are doing it?"),
]
"""Where each follower types on the charter (each their own field: no conflict notice)."""


CUT_OFF = """() => Array.from(document.querySelectorAll(".swb-app-step *, .swb-meeting *"))
    .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
    .filter(e => !e.closest(".swb-visually-hidden") && e.getBoundingClientRect().width > 0)
    .filter(e => getComputedStyle(e).clip !== "rect(0px, 0px, 0px, 0px)")  /* for readers only */
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
        || (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
            && !["TEXTAREA", "INPUT", "SELECT"].includes(e.tagName)
            && !["auto", "scroll"].includes(getComputedStyle(e).overflowX)))
    .map(e => e.tagName + "." + String(e.className).slice(0, 60) + " " + e.textContent.slice(0, 30))
    .slice(0, 8)"""
"""What sticks out past the right edge of the window, or is wider than a box that clips it."""


def app_url(server: Server, step: str, sig: str, who: str) -> str:
    return server.page_url("app.ipynb", sig=sig, step=step, who=who)


def current(page: Page) -> Locator:
    return page.locator(".swb-app-step:visible")


def bar(page: Page) -> Locator:
    return page.locator(".swb-meeting")


def open_app(page: Page, server: Server, step: str, sig: str, who: str) -> None:
    page.goto(app_url(server, step, sig, who))
    wait_for_widgets(page)
    expect(current(page).locator(".swb-steps")).to_be_visible()
    expect(bar(page)).to_be_visible()


def on_step(page: Page, key: str) -> None:
    """The page shows step `key` and its address says so (how fast: benchmarks/following.py)."""
    expect(page.locator(f".swb-app-step--{key}")).to_be_visible()
    expect(page).to_have_url(re.compile(f"step={key}"))


def go_to(page: Page, title: str) -> None:
    current(page).locator(".swb-steps a", has_text=title).first.click()


def lead(page: Page) -> None:
    bar(page).get_by_role("button", name="Lead the meeting").click()
    expect(bar(page)).to_contain_text("You lead")


@pytest.fixture
def people(browser: Browser) -> Iterator[list[Page]]:
    """Five people, each in their own browser context."""
    with people_pages(browser, 5) as pages:
        yield pages


def test_five_follow_the_lead_a_typist_is_offered_the_move_a_wanderer_rejoins(
    people: list[Page], workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Follow Me")
    names = ["Ada", "Ben", "Cai", "Dee", "Eve"]
    for page, who in zip(people, names, strict=True):
        open_app(page, server, "name", sig, who)
    ada, ben, *_, eve = people
    lead(ada)
    for page in people[1:]:
        expect(bar(page)).to_contain_text("Led by Ada · Group: 2. Name and description")
    for page in people:  # while the group talks, each app builds the next step ahead, hidden
        expect(page.locator(".swb-app-step--charter .swb-steps")).to_have_count(1)
        expect(page.locator(".swb-app-step--charter")).to_be_hidden()
    # Eve is typing on the name step when the lead moves on.
    description = current(eve).get_by_label("Brief description", exact=True)
    description.press_sequentially("A group for ")
    wait_for_value(server.workspace, sig, "identity.description", "A group for ")

    go_to(ada, "3. Charter")
    on_step(ada, "charter")
    for page, who, (_, label) in zip(people[1:4], names[1:4], QUESTIONS, strict=False):
        on_step(page, "charter")
        box = current(page).get_by_label(label, exact=True)
        expect(box).to_be_editable()
        box.fill(f"{who} wrote this")
    expect(bar(eve)).to_contain_text("The group has moved to 3. Charter")
    assert eve.locator(".swb-app-step--name").is_visible(), "a typist is not pulled away"
    expect(description).to_be_focused()
    bar(eve).get_by_role("button", name="Go", exact=True).click()
    on_step(eve, "charter")
    current(eve).get_by_label(QUESTIONS[3][1], exact=True).fill("Eve wrote this")
    for (path, _), who in zip(QUESTIONS, names[1:], strict=True):
        wait_for_value(server.workspace, sig, path, f"{who} wrote this")

    go_to(ben, "4. Schedule of activities")  # Ben wanders off
    on_step(ben, "schedule")
    rejoin = bar(ben).get_by_role("button", name="Rejoin the group")
    expect(rejoin).to_be_visible()
    expect(ada.locator(".swb-meeting-where")).to_contain_text(
        "Ben (4. Schedule of activities)", timeout=15_000
    )
    rejoin.click()
    on_step(ben, "charter")
    screenshot(ada, "meeting-lead-1024x768")


COUNT_TONES = """window.swbTones = [];
const started = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...when) {
    window.swbTones.push(this.context.state);
    return started.apply(this, when);
};"""
"""Keeps the tones a page starts (the Web Audio API's oscillators), each with its audio's state
('running': the browser let the page make sound)."""
SOUND_ON = "localStorage.setItem('swb-sound-at-zero', '1');"
"""A browser that remembers "Sound at zero" ticked."""


def _says(text: str) -> object:
    def found(message: Message) -> bool:
        return message.msg_type == "comm_msg" and text in json.dumps(message.content)

    return found


def test_ready_counts_and_only_the_leads_timer_works_time_up_and_overtime(
    people: list[Page], workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Timed Group")
    ada, ben, cai = people[:3]
    ada.add_init_script(COUNT_TONES)
    ben.add_init_script(COUNT_TONES + SOUND_ON)  # sound on, were Ben's page ever told to chime
    for page, who in ((ada, "Ada"), (ben, "Ben"), (cai, "Cai")):
        open_app(page, server, "charter", sig, who)
    lead(ada)
    ada.get_by_label("Sound at zero").check()  # the lead's click: the page may make sound
    expect(ben.get_by_label("Sound at zero")).to_have_count(0)
    expect(ada.locator(".swb-meeting-count")).to_contain_text(
        "0 of 2 ready (not yet: Ben, Cai)", timeout=15_000
    )
    bar(ben).get_by_role("button", name="I'm done with this step").click()
    expect(ada.locator(".swb-meeting-count")).to_contain_text("1 of 2 ready (not yet: Cai)")

    # The timer: Ben is offered no controls, and his kernel refuses a press sent anyway.
    expect(current(ada).get_by_role("button", name="Start timer")).to_be_visible()
    expect(current(ben).get_by_role("button", name="Start timer")).to_be_hidden()
    probe = WidgetClient.open(
        server.base_url,
        "voila/render/app.ipynb",
        token=server.token,
        sig=sig,
        step="charter",
        who="Dee",
    )
    try:
        states = probe.states()
        for description in ("Start timer", "+5 min", "Reset"):
            [button] = probe.find(states, _model_name="ButtonModel", description=description)
            probe.click(button)
        [end] = probe.find(states, _model_name="ButtonModel", description="End the meeting")
        probe.click(end)
        probe.wait_for(_says("Only the meeting"))
    finally:
        probe.shut_down()
    assert "charter" not in (plan_value(server.workspace, sig, "meeting.timers") or {})
    assert plan_value(server.workspace, sig, "meeting.live")["lead"] == "Ada"

    # Five seconds left of the charter's 30 minutes, started by the lead's screen.
    current(ada).get_by_role("button", name="Start timer").click()
    wait_for_value(
        server.workspace,
        sig,
        "meeting.timers.charter.running_since",
        lambda value: value is not None,
    )
    state = {"spent_seconds": 30 * 60 - 4, "running_since": time.time(), "added_seconds": 0}
    run_cli(server.workspace, "set", sig, "meeting.timers.charter", json.dumps(state))
    for page in (ada, ben, cai):
        expect(bar(page).locator(".swb-timer-up")).to_have_text("Time's up", timeout=15_000)
        expect(bar(page).locator(".swb-timer-clock")).to_have_text(re.compile(r"^\+00:0[1-9]$"))
    expect(current(ben).locator(".swb-timer-clock")).to_have_class(re.compile("swb-timer--over"))
    ada.wait_for_function("window.swbTones.length === 2")  # the lead's page chimed (two notes)
    assert ada.evaluate("window.swbTones") == ["running", "running"]
    assert ben.evaluate("window.swbTones") == [], "a follower's page makes no sound"
    assert ada.evaluate("localStorage.getItem('swb-sound-at-zero')") == "1"  # remembered
    screenshot(ben, "meeting-times-up-1024x768")
    ada.screenshot(path=str(SCREENSHOTS / "meeting-lead-times-up-1024x768-window.png"))
    # At 1024x768 the part that stays in view takes at most 15% of the height.
    height = bar(ben).bounding_box()
    assert height is not None and height["height"] <= 0.15 * 768

    ada.get_by_role("button", name="End the meeting").click()
    expect(ada.locator(".swb-meeting-record")).to_contain_text("Ben")
    records = plan_value(server.workspace, sig, "meeting.records")
    [record] = records  # Dee (the probe) too, when the lead's kernel saw her page
    assert {"Ada", "Ben", "Cai"} <= set(record["attendees"])
    expect(bar(ben)).to_contain_text("No meeting going on", timeout=15_000)


def test_on_a_phone_the_bar_stays_in_view_and_nothing_is_cut_off(
    browser: Browser, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Phone Group")
    run_cli(server.workspace, "set", sig, "charter.purpose", "Fewer falls")
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 900}),
        browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True),
    ]
    try:
        lead_page, phone = (context.new_page() for context in contexts)
        for page in (lead_page, phone):
            page.set_default_timeout(PAGE_TIMEOUT_MS)
        open_app(lead_page, server, "charter", sig, "Ada")
        open_app(phone, server, "charter", sig, "Ben")
        lead(lead_page)
        current(lead_page).get_by_role("button", name="Start timer").click()
        expect(bar(phone)).to_contain_text("Led by Ada", timeout=15_000)
        expect(bar(phone).locator(".swb-timer-clock")).to_be_visible()
        screenshot(lead_page, "meeting-lead-1280")
        lead_page.screenshot(path=str(SCREENSHOTS / "meeting-lead-1280-window.png"))
        phone.mouse.wheel(0, 3000)
        phone.wait_for_function("window.scrollY > 1000")
        box = bar(phone).bounding_box()
        assert box is not None and 0 <= box["y"] <= 5 and box["height"] < 200
        expect(bar(phone)).to_contain_text("Following the group")
        expect(bar(phone)).to_be_in_viewport()
        phone.screenshot(path=str(SCREENSHOTS / "meeting-follower-390-scrolled.png"))
        wide = phone.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page is {wide} px wide at 390"
        assert phone.evaluate(CUT_OFF) == [], "cut off at the right at 390"
        phone.evaluate("window.scrollTo(0, 0)")
        screenshot(phone, "meeting-follower-390")
    finally:
        for context in contexts:
            context.close()
