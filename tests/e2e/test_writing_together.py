"""Three people writing in one field at once, each in their own browser (issue 19): every
sentence kept, caret kept, a real collision asks, nothing typed is lost, the status tells the
truth."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, WebSocketRoute, expect

from e2e.e2e_harness import PAGE_TIMEOUT_MS, Server
from e2e.workbook_pages import (
    button,
    new_sig,
    open_step,
    people_pages,
    plan_value,
    run_cli,
    shoot,
    status,
    wait_for_value,
)
from sigworkbook.workspace import Workspace

pytestmark = pytest.mark.e2e

PURPOSE = "What are we trying to do?"
CORE = "Core statement"
SEEN_MS = 5_000
"""Merged text reaches every box within a second of its save; this is the wait's ceiling."""


@pytest.fixture
def three(browser: Browser) -> Iterator[list[Page]]:
    """Three pages in three browser contexts (three people, three laptops)."""
    with people_pages(browser, 3, {"width": 1200, "height": 900}) as pages:
        yield pages


def open_app(page: Page, server: Server, step: str, sig: str, who: str) -> Locator:
    """The app page on `step` as `who`; the step's area."""
    open_step(page, server, step, sig=sig, who=who)
    area = page.locator(f".swb-app-step--{step}")
    expect(area.locator(".swb-steps")).to_be_visible()
    return area


def box(area: Locator, label: str) -> Locator:
    return area.get_by_label(label, exact=True)


def first_asked(pages: list[Page]) -> Page:
    """The page that shows a notice asking to choose, once one does."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for page in pages:
            if page.locator(".swb-conflict").count():
                return page
        pages[0].wait_for_timeout(100)
    raise AssertionError("nobody was asked to choose between two versions")


def test_three_people_typing_one_field_at_once_keep_every_sentence(
    three: list[Page], workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Writing Together Group")
    run_cli(server.workspace, "set", sig, "charter.purpose", "We help people get home.")
    names = ["Ana", "Ben", "Cai"]
    areas = [
        open_app(page, server, "charter", sig, who) for page, who in zip(three, names, strict=True)
    ]
    boxes = [box(area, PURPOSE) for area in areas]
    halves = {
        "Ana": (" Ana wants", " calmer discharge."),
        "Ben": (" Ben wants", " fewer falls at home."),
        "Cai": (" Cai wants", " carers to be heard."),
    }
    for field in boxes:
        field.click()
        field.press("Control+End")
    # Everyone types the first half within a second of each other, a key at a time; pauses
    # (the saves go out, the others' words come into every box, around the caret); then
    # everyone types on where their caret is.
    for first, field in zip([halves[n][0] for n in names], boxes, strict=True):
        field.press_sequentially(first, delay=15)
    wait_for_value(
        server.workspace,
        sig,
        "charter.purpose",
        lambda text: all(halves[n][0] in text for n in names),
    )
    for page, field in zip(three, boxes, strict=True):
        expect(field).to_have_value(plan_value(server.workspace, sig, "charter.purpose"))
        expect(status(page)).to_contain_text("Saved at", timeout=SEEN_MS)
    for second, field in zip([halves[n][1] for n in names], boxes, strict=True):
        field.press_sequentially(second, delay=15)

    sentences = [halves[n][0].strip() + halves[n][1] for n in names]
    wait_for_value(
        server.workspace, sig, "charter.purpose", lambda text: all(s in text for s in sentences)
    )
    saved = plan_value(server.workspace, sig, "charter.purpose")
    assert saved.startswith("We help people get home.") and saved.count("wants") == 3, saved
    for page, field in zip(three, boxes, strict=True):
        # Each writer's sentence is whole: their caret stayed where they were typing.
        expect(field).to_have_value(saved, timeout=SEEN_MS)
        expect(status(page)).to_contain_text("Saved at")
        expect(page.locator(".swb-conflict")).to_have_count(0)
    shoot(three[0], "writing-together-three")
    changed = areas[0].locator(".swb-changed").first
    expect(changed).to_contain_text(re.compile(r"Changed by .*(Ana|Ben|Cai).* and "))


def test_a_real_collision_asks_leaving_it_asks_and_the_words_are_kept_for_anyone(
    three: list[Page], workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Colliding Words Group")
    run_cli(server.workspace, "set", sig, "statement.core_statement", "We meet monthly in Leeds.")
    ana, ben, cai = three
    areas = [
        open_app(page, server, "core", sig, who)
        for page, who in zip(three, ["Ana", "Ben", "Cai"], strict=True)
    ]
    boxes = {page: box(area, CORE) for page, area in zip(three, areas, strict=True)}
    names = {ana: "Ana", ben: "Ben", cai: "Cai"}
    words = {ana: "weekly", ben: "fortnightly"}

    # Ana and Ben change the same word within a second of each other: whoever saves first
    # keeps the field, the other is asked.
    boxes[ana].fill("We meet weekly in Leeds.")
    boxes[ben].fill("We meet fortnightly in Leeds.")
    asked = first_asked([ana, ben])
    saver = ben if asked is ana else ana
    theirs, mine = f"We meet {words[saver]} in Leeds.", f"We meet {words[asked]} in Leeds."
    wait_for_value(server.workspace, sig, "statement.core_statement", theirs)
    notice = asked.locator(".swb-conflict")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"{names[saver]} changed the same words")
    expect(notice.locator(".swb-version")).to_have_text(
        [
            re.compile(f"Their version.*{words[saver]}"),
            re.compile(f"Your version.*{words[asked]}"),
        ]
    )
    for name in ("Keep both", "Keep mine", "Keep theirs"):
        expect(button(notice, name)).to_be_visible()
    expect(boxes[asked]).to_have_value(mine)
    expect(status(asked)).to_contain_text("Not saved")
    expect(status(saver)).to_contain_text("Saved at")
    shoot(asked, "writing-together-collision")

    # The one asked leaves without choosing: the browser asks first; their words are on the
    # server.
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    asked.on("dialog", answer)
    asked.close(run_before_unload=True)
    asked.wait_for_event("close")
    assert dialogs == ["beforeunload"]
    cai.get_by_text("History: every change, restorable").click()
    kept = cai.locator(".swb-set-aside-row").filter(has_text=mine)
    expect(kept).to_contain_text(names[asked])

    # Cai changes the same words as the one who saved, again; whoever is asked keeps both.
    expect(boxes[cai]).to_have_value(theirs)
    boxes[saver].fill("We meet each Monday in Leeds.")
    boxes[cai].fill("We meet every Tuesday in Leeds.")
    keep_both = button(first_asked([saver, cai]).locator(".swb-conflict"), "Keep both")
    keep_both.click()
    wait_for_value(
        server.workspace,
        sig,
        "statement.core_statement",
        lambda text: "each Monday" in text and "every Tuesday" in text,
    )
    saved = plan_value(server.workspace, sig, "statement.core_statement")
    for page in (saver, cai):
        expect(boxes[page]).to_have_value(saved, timeout=SEEN_MS)
        expect(status(page)).to_contain_text("Saved at")


def test_others_words_come_into_a_box_while_its_person_types_on(
    browser: Browser, workbook_server: Server
) -> None:
    """Ben's save reaches Ana's box while she is still typing, with no pause: her keys typed
    meanwhile all stay, in order, where she typed them."""
    server = workbook_server
    sig = new_sig(server.workspace, "Typing On Group")
    run_cli(server.workspace, "set", sig, "charter.purpose", "We help people get home.")
    with people_pages(browser, 1) as (page,):
        field = box(open_app(page, server, "charter", sig, "Ana"), PURPOSE)
        field.click()
        field.press("Control+End")
        field.press_sequentially(" Ana", delay=15)
        typed = " Ana"
        more = " wants calmer discharge, fewer falls, more time with carers and families at home"
        seen_after: int | None = None
        with Workspace.open(server.workspace) as workspace:
            for n, key in enumerate(more * 3):  # keys 60 ms apart: shorter than any pause
                field.press(key)
                typed += key
                if n == 3:  # Ben's sentence, saved in front of whatever the field holds
                    workspace.update(sig, "charter.purpose", "Ben first. {}".format, author="Ben")
                page.wait_for_timeout(60)
                if field.input_value().startswith("Ben first."):
                    seen_after = n
                    break
        assert seen_after is not None, "Ben's words did not come in while Ana typed"
        field.press_sequentially(" now", delay=15)
        expected = f"Ben first. We help people get home.{typed} now"
        expect(field).to_have_value(expected)
        wait_for_value(server.workspace, sig, "charter.purpose", lambda text: text == expected)
        expect(status(page)).to_contain_text("Saved at")


def test_a_text_lost_on_the_way_to_the_kernel_is_sent_again(
    browser: Browser, workbook_server: Server
) -> None:
    """A connection that breaks can lose what a box sent last (figure 18 lost a page's words
    so, and its header said "Saving…" for good): the box sends its text again until the kernel
    has it, and the field is saved and shown to the others."""
    server = workbook_server
    sig = new_sig(server.workspace, "Lost Message Group")
    typed = "We help people get home sooner."
    lost: list[bytes] = []

    def relay(page_side: WebSocketRoute) -> None:
        """Ana's kernel connection, losing the first message that carries the whole text."""
        kernel_side = page_side.connect_to_server()

        def from_page(message: str | bytes) -> None:
            data = message.encode() if isinstance(message, str) else message
            if not lost and b"comm_msg" in data and typed.encode() in data:
                lost.append(data)
                return
            kernel_side.send(message)

        page_side.on_message(from_page)

    # The relay runs in this test's Playwright calls: the waits below are Playwright's.
    with people_pages(browser, 2) as (ana, ben):
        ana.route_web_socket(re.compile(r"/api/kernels/[^/?]+/channels"), relay)
        field = box(open_app(ana, server, "charter", sig, "Ana"), PURPOSE)
        seen = box(open_app(ben, server, "charter", sig, "Ben"), PURPOSE)
        field.click()
        field.press_sequentially(typed, delay=15)
        expect(seen).to_have_value(typed, timeout=SEEN_MS * 2)
        assert lost, "no message carrying the whole text was sent"
        assert plan_value(server.workspace, sig, "charter.purpose") == typed
        expect(status(ana)).to_contain_text("Saved at")
