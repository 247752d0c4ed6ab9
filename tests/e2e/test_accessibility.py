"""Accessibility of every workbook page: axe-core, a label on every input, a step by keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server
from e2e.workbook_pages import (
    DEMO_SIG,
    current,
    field,
    focused_name,
    open_new_sig,
    open_step,
    reload,
    tab_to,
    wait_for_value,
)
from sigworkbook.plan.steps import STEPS

pytestmark = pytest.mark.e2e

STEP_KEYS = [step.key for step in STEPS]

# Every visible form control with what labels it for assistive technology.
CONTROLS_JS = """() => {
    const text = (node) => (node ? node.innerText || node.textContent || "" : "").trim();
    const visible = (el) => {
        const style = getComputedStyle(el);
        return el.getClientRects().length > 0 && style.visibility !== "hidden";
    };
    return Array.from(document.querySelectorAll("input, select, textarea"))
        .filter((el) => el.type !== "hidden" && visible(el))
        .map((el, index) => {
            el.setAttribute("data-swb-control", String(index));
            const labelledBy = (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
                .filter(Boolean).map((id) => text(document.getElementById(id))).join(" ");
            return {
                tag: el.tagName.toLowerCase(),
                type: el.type || "",
                index: String(index),
                labels: Array.from(el.labels || [], text).filter(Boolean),
                labelledBy: labelledBy,
                ariaLabel: (el.getAttribute("aria-label") || "").trim(),
                html: el.outerHTML.slice(0, 160),
            };
        });
}"""


def _label_of(control: dict[str, Any]) -> str:
    """The programmatic label of a control: <label for>/wrapping label, aria-labelledby, aria-label."""
    return str(
        (control["labels"] or [""])[0] or control["labelledBy"] or control["ariaLabel"] or ""
    )


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("step", STEP_KEYS)
def test_every_page_passes_axe_and_labels_every_input(
    page: Page, workbook_server: Server, step: str
) -> None:
    open_step(page, workbook_server, step, sig=DEMO_SIG, who="Ana")

    results = Axe().run(page)
    violations = results.response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe-core: serious or critical violations on {step}:\n{_report(bad)}"
    unlabelled = [v for v in violations if v["id"] in ("label", "select-name")]
    assert not unlabelled, f"axe-core: unlabelled inputs on {step}:\n{_report(unlabelled)}"

    controls = page.evaluate(CONTROLS_JS)
    assert controls, f"{step}: no form controls found"
    missing = [c["html"] for c in controls if not _label_of(c)]
    assert not missing, f"{step}: inputs without a programmatic label: {missing}"
    # The browser's own accessible name agrees: each text box and drop-down can be found by
    # its label, as a screen reader user would hear it.
    for control in controls:
        if control["tag"] == "input" and control["type"] in ("checkbox", "file"):
            continue
        label = _label_of(control)
        found = page.get_by_label(label, exact=True)
        marks = found.evaluate_all("(els) => els.map((el) => el.dataset.swbControl)")
        assert control["index"] in marks, (
            f"{step}: {control['html']} is not found by its label {label!r}"
        )


def test_name_step_by_keyboard_alone(page: Page, workbook_server: Server) -> None:
    server = workbook_server
    sig = open_new_sig(page, server, "Keyboard Group", "name", "Kim")
    keys = page.keyboard

    # Two ideas, a vote and a choice, with Tab, typing, Enter and Space only.
    for idea in ("Pill Pals", "Dose Friends"):
        tab_to(page, "Name idea")
        # No pause before the button: its click may reach the kernel before the last keystrokes
        # (the widgets hold a text update back while the kernel is busy); the page waits for them.
        keys.type(idea, delay=20)
        tab_to(page, "Add idea")
        keys.press("Enter")
        wait_for_value(
            server.workspace,
            sig,
            "identity.name_ideas",
            lambda ideas, idea=idea: idea in [i["name"] for i in ideas],
        )
    tab_to(page, "Start a voting round")
    keys.press("Enter")
    tab_to(page, "Vote for “Dose Friends”")
    keys.press("Space")
    wait_for_value(
        server.workspace,
        sig,
        "identity.voting_round",
        lambda r: [(b["voter"], len(b["dots"])) for b in r["ballots"]] == [("Kim", 1)],
    )
    tab_to(page, "Reveal the results", backwards=True)
    keys.press("Enter")
    # The idea with the most votes is the one offered in "Name to choose".
    tab_to(page, "Choose this name")
    keys.press("Enter")
    wait_for_value(server.workspace, sig, "identity.name", "Dose Friends")

    texts = {
        "Brief description": "Nurses and pharmacists who check medicines together.",
        "Theme": "Medicines safety",
        "Welcome message": "Welcome! Tell us which ward you work on.",
    }
    for label, text in texts.items():
        tab_to(page, label)
        keys.press("Control+A")
        keys.type(text)
    assert focused_name(page) == "Welcome message"
    for path, text in zip(
        ("identity.description", "identity.theme", "identity.welcome_message"),
        texts.values(),
        strict=True,
    ):
        wait_for_value(server.workspace, sig, path, text)
    expect(current(page).locator(".swb-statusbar .swb-saved")).to_contain_text("Saved at")

    reload(page)
    expect(field(page, "Name")).to_have_value("Dose Friends")
    for label, text in texts.items():
        expect(field(page, label)).to_have_value(text)
    chosen = page.locator(".swb-row--chosen")
    expect(chosen).to_contain_text("Dose Friends")
    expect(chosen).to_contain_text("1 vote: Kim")
