"""Two people on one SIG, each in their own browser: edits saved, shown live, never clobbered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.e2e_harness import PAGE_TIMEOUT_MS, Server
from e2e.workbook_pages import (
    field,
    history,
    open_new_sig,
    open_step,
    plan_value,
    presence,
    run_cli,
    shoot,
    status,
    wait_for_value,
    wait_saved,
)

pytestmark = pytest.mark.e2e

LIVE_S = 2.0
"""Another person's saved edit must show within this long without a reload, as the issue asks
(the pages poll every half second; the rest is drawing it, and this test noticing it)."""
PRESENCE_MS = 8_000
"""A page checks in when it opens and every 2 polls; a newcomer shows within about 3 s."""


@pytest.fixture
def two(browser: Browser) -> Iterator[tuple[Page, Page]]:
    """Two pages in two separate browser contexts (two people, two laptops)."""
    contexts: list[BrowserContext] = []
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        pages.append(page)
    yield pages[0], pages[1]
    for context in contexts:
        context.close()


def shows_within(page: Page, label: str, server: Server, sig: str, path: str, value: str) -> float:
    """Wait until the field `label` on `page` shows the saved `value` at `path`; return the
    seconds from the save (its time in the history) until it showed, and check it was soon."""
    expect(field(page, label)).to_have_value(value, timeout=10_000)
    shown = dt.datetime.now(dt.UTC)
    saved = next(c.at for c in history(server.workspace, sig, path) if c.value == value)
    took = (shown - saved).total_seconds()
    assert took <= LIVE_S, f"{label}: {value!r} showed {took:.2f} s after it was saved"
    return took


def test_edits_on_different_steps_are_both_saved(
    two: tuple[Page, Page], workbook_server: Server
) -> None:
    ana, ben = two
    server = workbook_server
    sig = open_new_sig(ana, server, "Two Steps Group", "name", "Ana")
    open_step(ben, server, "charter", sig=sig, who="Ben")

    field(ana, "Theme").fill("Hospital discharge")
    field(ben, "What are we trying to do?").fill("Make going home from hospital calmer.")
    wait_saved(ana, server, sig, "identity.theme", "Hospital discharge")
    wait_saved(ben, server, sig, "charter.purpose", "Make going home from hospital calmer.")

    # Neither save undid the other's.
    assert plan_value(server.workspace, sig, "identity.theme") == "Hospital discharge"
    authors = {c.path: c.author for c in history(server.workspace, sig)}
    assert authors["identity.theme"] == "Ana"
    assert authors["charter.purpose"] == "Ben"
    # Each sees where the other is.
    expect(presence(ana)).to_contain_text("Ben (Charter)", timeout=PRESENCE_MS)
    expect(presence(ben)).to_contain_text("Ana (Name and description)", timeout=PRESENCE_MS)


def test_same_field_shows_the_later_value_live_and_keeps_the_earlier(
    two: tuple[Page, Page], workbook_server: Server
) -> None:
    ana, ben = two
    server = workbook_server
    sig = open_new_sig(ana, server, "Same Step Group", "name", "Ana")
    open_step(ben, server, "name", sig=sig, who="Ben")
    expect(presence(ana)).to_contain_text("Also on this step: Ben", timeout=PRESENCE_MS)
    expect(presence(ben)).to_contain_text("Also on this step: Ana", timeout=PRESENCE_MS)

    field(ana, "Theme").fill("Falls prevention")
    wait_saved(ana, server, sig, "identity.theme", "Falls prevention")
    took = shows_within(ben, "Theme", server, sig, "identity.theme", "Falls prevention")
    print(f"Ana's edit showed on Ben's page after {took:.2f} s")

    field(ben, "Theme").fill("Falls prevention at home")
    wait_saved(ben, server, sig, "identity.theme", "Falls prevention at home")
    took = shows_within(ana, "Theme", server, sig, "identity.theme", "Falls prevention at home")
    print(f"Ben's edit showed on Ana's page after {took:.2f} s")
    # Ben only added words: Ana's are still in the field, so both are named (issue 19).
    expect(ana.locator(".swb-changed").filter(has_text="Changed by Ana and Ben")).to_have_count(1)
    shoot(ana, "two-people-same-field")

    changes = history(server.workspace, sig, "identity.theme")
    assert [(c.value, c.author) for c in changes[:2]] == [
        ("Falls prevention at home", "Ben"),
        ("Falls prevention", "Ana"),
    ]
    listed = run_cli(server.workspace, "history", "--field", "identity.theme", sig)
    assert '"Falls prevention"' in listed and "Ana" in listed


def test_typing_is_merged_with_anothers_edit_never_replaced(
    two: tuple[Page, Page], workbook_server: Server
) -> None:
    ana, ben = two
    server = workbook_server
    sig = open_new_sig(ana, server, "Typing Group", "name", "Ana")
    open_step(ben, server, "name", sig=sig, who="Ben")
    label = "Brief description"
    theirs = "Ben wrote this first."
    mine = "Ana is typing a longer description, one key at a time."

    # Ana starts typing; Ben saves the same field; Ana goes on typing. Nobody is asked to
    # choose: both texts end up in the field, on both screens, and Ana's caret stayed in hers.
    mine_field = field(ana, label)
    # Her first word in one input event: keys typed one by one could stall past the save
    # delay under load, so that "A" alone was saved and reached Ben's box before he wrote, and
    # his sentence glued onto it ("ABen ...") changed her word: a collision, not this case.
    mine_field.click()
    mine_field.evaluate(
        "(box, text) => { box.value += text;"
        " box.dispatchEvent(new Event('input', { bubbles: true })); }",
        mine[:4],
    )
    # Ben adds his sentence to what his box shows, in one input event. (Playwright's fill
    # would replace Ana's first word, had it reached his box already: under load it had, and
    # Ben deleting the words Ana was extending is a collision, not this test's case.)
    field(ben, label).evaluate(
        "(box, text) => { box.value += text;"
        " box.dispatchEvent(new Event('input', { bubbles: true })); }",
        theirs,
    )
    mine_field.press_sequentially(mine[4:], delay=60)
    wait_for_value(
        server.workspace, sig, "identity.description", lambda v: mine in v and theirs in v
    )
    saved = plan_value(server.workspace, sig, "identity.description")
    expect(mine_field).to_have_value(saved)
    expect(field(ben, label)).to_have_value(saved, timeout=int(LIVE_S * 1000))
    expect(ana.locator(".swb-conflict")).to_have_count(0)
    expect(ben.locator(".swb-conflict")).to_have_count(0)
    for page in (ana, ben):
        expect(status(page)).to_contain_text("Saved at")
    shoot(ana, "two-people-merged")
