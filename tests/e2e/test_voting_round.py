"""A voting round on the name ideas with three people, each in their own browser (issue 20):
dots within a budget, counts hidden and "waiting for" until everyone has voted or abstained,
the reveal, keyboard-only voting, a phone-width ballot, and the decision in the charter."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_harness import Server
from e2e.workbook_pages import (
    button,
    card,
    device,
    field,
    focused_name,
    open_new_sig,
    open_step,
    people_pages,
    plan_value,
    run_cli,
    set_number,
    shoot,
    tab_to,
    wait_for_value,
)

pytestmark = pytest.mark.e2e

SIZES = {"Ana": (1280, 900), "Ben": (1024, 768), "Cy": (390, 844)}
IDEAS = ("Frailty Friends", "Home Safely")
COUNT = re.compile(r"\d votes?\b")


@pytest.fixture
def three(browser: Browser) -> Iterator[dict[str, Page]]:
    """Three people on three devices: a laptop, a small laptop and a phone."""
    with people_pages(browser, devices=[device(*size) for size in SIZES.values()]) as pages:
        yield dict(zip(SIZES, pages, strict=True))


def ballots(server: Server, sig: str) -> dict[str, dict[str, int]]:
    round_ = plan_value(server.workspace, sig, "identity.voting_round") or {}
    return {b["voter"]: b["dots"] for b in round_.get("ballots", [])}


def test_a_round_hidden_until_everyone_has_voted_then_the_decision_on_record(
    three: dict[str, Page], workbook_server: Server
) -> None:
    server, ana, ben, cy = workbook_server, three["Ana"], three["Ben"], three["Cy"]
    sig = open_new_sig(ana, server, "Round Group", "name", "Ana")
    ideas = card(ana, "Name ideas and votes")
    for idea in IDEAS:
        field(ideas, "Name idea").fill(idea)
        button(ideas, "Add idea").click()
        expect(ideas.locator(".swb-ideas")).to_contain_text(idea)
    # A near-duplicate is pointed out before it splits the vote.
    field(ideas, "Name idea").fill("Frailty Friends Network")
    button(ideas, "Add idea").click()
    expect(ideas).to_contain_text("looks like “Frailty Friends”")
    button(ideas, "Add mine anyway").click()
    expect(ideas.locator(".swb-ideas")).to_contain_text("Frailty Friends Network")
    expect(ideas).not_to_contain_text(COUNT)  # no "joint 1st · 0 votes" before any vote
    expect(ideas).not_to_contain_text("joint 1st")

    shoot(ana, "voting-round-setup-1280")
    set_number(field(ideas, "Dots each"), 2)
    button(ideas, "Start a voting round").click()
    expect(ideas).to_contain_text("Voting round open (2 dots each, at most 1 dot on one idea)")
    for who, page in (("Ben", ben), ("Cy", cy)):
        open_step(page, server, "name", sig=sig, who=who)
    for page in (ana, ben, cy):  # everyone with the page open is waited for
        expect(page.locator(".swb-waiting")).to_contain_text("0 of 3 have voted", timeout=10_000)
    expect(ana.get_by_label("Voting as", exact=True)).to_be_hidden()

    # Ana votes with the keyboard alone: two dots, then the third box is out of dots.
    tab_to(ana, f"Vote for “{IDEAS[0]}”")
    ana.keyboard.press("Space")
    ana.keyboard.press("Tab")
    ana.keyboard.press("Space")
    wait_for_value(
        server.workspace,
        sig,
        "identity.voting_round",
        lambda r: len(r["ballots"]) == 1 and len(r["ballots"][0]["dots"]) == 2,
    )
    assert focused_name(ana) == f"Vote for “{IDEAS[1]}”"
    expect(ideas).to_contain_text("You have 0 dots left")
    expect(ana.get_by_label("Vote for “Frailty Friends Network”", exact=True)).to_be_disabled()

    # Ben sees that Ana has voted, never what for.
    ben_ideas = card(ben, "Name ideas and votes")
    expect(ben.locator(".swb-waiting")).to_contain_text("1 of 3 have voted; waiting for:")
    expect(ben.locator(".swb-waiting")).not_to_contain_text("Ana")
    expect(ben_ideas).not_to_contain_text(COUNT)
    expect(ben_ideas).not_to_contain_text("●")
    expect(ben.get_by_label(f"Vote for “{IDEAS[0]}”", exact=True)).not_to_be_checked()
    shoot(ana, "voting-round-open-1280")
    shoot(ben, "voting-round-open-1024")
    ben.get_by_label(f"Vote for “{IDEAS[0]}”", exact=True).check()
    ben.get_by_label("Vote for “Frailty Friends Network”", exact=True).check()

    # Cy, on a phone, abstains: everyone present has now voted and the round reveals itself.
    expect(cy.locator(".swb-waiting")).to_contain_text("2 of 3 have voted; waiting for: Cy")
    assert cy.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    shoot(cy, "voting-round-open-390")
    button(cy, "I won't vote this round").click()
    for page in (ana, ben, cy):
        expect(
            page.locator(".swb-round, .swb-notice").filter(has_text="Results revealed").first
        ).to_be_visible()
    first = ideas.locator(".swb-row").filter(has_text=IDEAS[0]).first
    expect(first).to_contain_text("1st")
    expect(first).to_contain_text("2 votes: Ana, Ben")
    expect(ideas.locator(".swb-row").filter(has_text=IDEAS[1])).to_contain_text("joint 2nd")
    dots = {who: sum(mine.values()) for who, mine in ballots(server, sig).items()}
    assert dots == {"Ana": 2, "Ben": 2, "Cy": 0}
    shoot(ana, "voting-round-revealed-1280")
    shoot(cy, "voting-round-revealed-390")

    # Choosing the name records the round; the charter says how the name was chosen.
    button(ideas, "Choose this name").click()
    wait_for_value(server.workspace, sig, "identity.name", IDEAS[0])
    charter = run_cli(server.workspace, "export", sig, "--format", "markdown")
    assert re.search(
        r"Chosen by the core group on \d+ \w+ \d{4}: 2 of 4 votes; 3 of 3 people took part "
        r"\(1 abstained\): Ana, Ben, Cy",
        charter,
    ), charter[:600]
