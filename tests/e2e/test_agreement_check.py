"""The quick agreement check on the charter, two people in their own browsers (issue 20): a fist
of five on one section, each answer hidden from the other until both have answered, then the
counts revealed together (never names), on a laptop and a phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.e2e_harness import SCREENSHOTS, Server, wait_for_widgets
from e2e.workbook_pages import (
    button,
    device,
    new_sig,
    people_pages,
    plan_value,
    step_url,
    wait_for_value,
)

pytestmark = pytest.mark.e2e

SIZES = {"Ana": (1280, 900), "Cy": (390, 844)}


@pytest.fixture
def two(browser: Browser) -> Iterator[dict[str, Page]]:
    """Two people on two devices: a laptop and a phone."""
    with people_pages(browser, devices=[device(*size) for size in SIZES.values()]) as pages:
        yield dict(zip(SIZES, pages, strict=True))


def scope_card(page: Page) -> Locator:
    """The charter's "Scope" card, in the charter's area of the app page."""
    area = page.locator(".swb-app-step--charter")
    return area.locator(".swb-card").filter(
        has=page.get_by_role("heading", name="Scope", exact=True)
    )


def test_answers_hidden_until_everyone_has_answered_then_counts_without_names(
    two: dict[str, Page], workbook_server: Server
) -> None:
    server, ana, cy = workbook_server, two["Ana"], two["Cy"]
    sig = new_sig(server.workspace, "Agreement Group")
    for who, page in two.items():  # both pages start their kernels at once
        page.goto(step_url(server, "charter", sig=sig, who=who))
    for page in two.values():
        wait_for_widgets(page)
    button(scope_card(ana), "Check agreement").click()
    for page in (ana, cy):  # both have the charter open: the check waits for both
        expect(scope_card(page).locator(".swb-waiting")).to_contain_text(
            "0 of 2 have answered", timeout=10_000
        )

    button(scope_card(ana), "4").click()
    wait_for_value(server.workspace, sig, "charter.agreement.scope.answers", lambda a: len(a) == 1)
    expect(scope_card(ana)).to_contain_text("You answered 4: I agree")
    expect(scope_card(ana).locator(".swb-fist button.mod-active")).to_have_text("4")
    scope_card(ana).screenshot(path=str(SCREENSHOTS / "agreement-check-answered-1280.png"))
    violations = Axe().run(ana, context=".swb-agreement").response["violations"]
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    # Cy sees that Ana has answered, never what.
    cy_card = scope_card(cy)
    expect(cy_card.locator(".swb-waiting")).to_contain_text("1 of 2 have answered; waiting for: Cy")
    expect(cy_card).not_to_contain_text("You answered")
    expect(cy_card.locator(".swb-fist button.mod-active")).to_have_count(0)
    assert cy.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    cy_card.screenshot(path=str(SCREENSHOTS / "agreement-check-open-390.png"))

    button(cy_card, "2").click()  # the last answer: revealed together
    for page in (ana, cy):
        expect(scope_card(page).locator(".swb-agreement-result")).to_contain_text(
            "2 answers: 4, 2; not everyone is sure yet (the lowest is 2)"
        )
        expect(scope_card(page)).not_to_contain_text("Ana")
    wait_for_value(server.workspace, sig, "charter.agreement.scope.status", "revealed")
    check = plan_value(server.workspace, sig, "charter.agreement.scope")
    assert check["answers"] == [] and check["tally"] == [0, 0, 1, 0, 1, 0]
    scope_card(ana).screenshot(path=str(SCREENSHOTS / "agreement-check-revealed-1280.png"))
