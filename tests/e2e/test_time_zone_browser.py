"""An activity's time zone in the browser: known names offered, a misspelt one refused by name."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import SCREENSHOTS, Server
from e2e.workbook_pages import add_row, field, open_new_sig, wait_for_value

pytestmark = pytest.mark.e2e


def test_a_time_zone_is_chosen_from_the_known_names(page: Page, workbook_server: Server) -> None:
    sig = open_new_sig(page, workbook_server, "Zone Testers", "schedule", who="Priya")
    activity = add_row(page, "Activities", "Add an activity")
    zone = field(activity, "Time zone")
    expect(zone).to_have_value("Europe/London")
    # The box offers the known names (a list the browser filters as one types).
    offered = zone.evaluate("input => Array.from(input.list.options, o => o.value)")
    assert "Europe/Paris" in offered and "America/New_York" in offered and len(offered) > 300

    zone.fill("Europe/Londn")
    zone.press("Tab")
    problem = activity.get_by_role("alert")
    expect(problem).to_contain_text("'Europe/Londn' is not a known time zone")
    expect(problem).to_contain_text("did you mean Europe/London?")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    activity.screenshot(path=SCREENSHOTS / "schedule-time-zone-refused.png")

    zone.fill("europe/paris")
    zone.press("Tab")
    wait_for_value(workbook_server.workspace, sig, "schedule.activities.0.timezone", "Europe/Paris")
    expect(activity.get_by_role("alert")).to_have_count(0)
