"""The meeting as a non-programmer lives it: votes that stay put, one row per click, no false
"saved", by keyboard and mouse in Chromium."""

from __future__ import annotations

import os
import re
import signal

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server, wait_for_widgets
from e2e.workbook_pages import (
    button,
    field,
    focused_name,
    held_write_lock,
    new_sig,
    open_step,
    page_kernel,
    plan_value,
    rows,
    shoot,
    status,
    tab_to,
    table,
    wait_for_value,
)
from sigworkbook.workspace import DATABASE_NAME, Workspace

pytestmark = pytest.mark.e2e

IDEAS = ("Pill Pals", "Dose Friends", "Script Circle")


def test_keyboard_voting_on_three_ideas_leaves_three_dots(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Votes Stay Put")
    open_step(page, server, "name", sig=sig, who="Kim")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")  # the browser's language
    keys = page.keyboard

    # Enter in "Name idea" adds the idea.
    for count, idea in enumerate(IDEAS, start=1):
        tab_to(page, "Name idea")
        keys.type(idea, delay=20)
        keys.press("Enter")
        wait_for_value(
            server.workspace, sig, "identity.name_ideas", lambda ideas, n=count: len(ideas) == n
        )
        expect(page.locator(".swb-ideas")).to_contain_text(idea)
    assert [i["name"] for i in plan_value(server.workspace, sig, "identity.name_ideas")] == list(
        IDEAS
    )

    # A round with four dots each: three dots leave one, so the round waits for Kim.
    tab_to(page, "Dots each")
    keys.press("Control+A")
    keys.type("4")
    tab_to(page, "Start a voting round")
    keys.press("Enter")
    expect(page.locator(".swb-waiting")).to_contain_text("0 of 1 has voted")
    # A dot on each idea from the keyboard. Each dot is saved before the next Tab: a row that
    # takes a dot redraws its own line in place, and a Tab pressed while that redraw was on its
    # way went where the line had been (one dot of three, once, with the other core busy).
    for count, idea in enumerate(IDEAS, start=1):
        tab_to(page, f"Vote for “{idea}”")
        keys.press("Space")
        wait_for_value(
            server.workspace,
            sig,
            "identity.voting_round",
            lambda r, n=count: [len(b["dots"]) for b in r["ballots"]] == [n],
        )
    # The list did not move and the focus stayed where the last dot was put.
    assert focused_name(page) == f"Vote for “{IDEAS[2]}”"
    rows = page.locator(".swb-ideas .swb-row")
    for index, idea in enumerate(IDEAS):
        expect(rows.nth(index)).to_contain_text(idea)
        expect(rows.nth(index)).to_contain_text("Your dots: ●")
        expect(page.get_by_label(f"Vote for “{idea}”", exact=True)).to_be_checked()
    expect(page.locator(".swb-round-status")).to_contain_text("You have 1 dot left")
    shoot(page, "name-votes-stay-put")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "name-votes-stay-put-390")
    tab_to(page, "Reveal the results", backwards=True)
    keys.press("Enter")
    for index in range(len(IDEAS)):
        expect(rows.nth(index)).to_contain_text("joint 1st")


def test_a_double_click_on_add_a_person_adds_one_row(page: Page, workbook_server: Server) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Double Clickers")
    open_step(page, server, "core", sig=sig, who="Kim")
    people = table(page, "Core group")
    button(people, "Add a person").dblclick()
    expect(rows(people)).to_have_count(1)
    # Typing in the new row reaches the kernel after both clicks: once it is saved, the second
    # click has been handled too.
    field(rows(people).first, "Name").fill("Ada Lovelace")
    wait_for_value(
        server.workspace,
        sig,
        "core_group.people",
        lambda p: len(p) >= 1 and p[0]["name"] == "Ada Lovelace",
    )
    assert len(plan_value(server.workspace, sig, "core_group.people")) == 1
    expect(rows(people)).to_have_count(1)


def test_a_double_click_on_undo_undoes_one_edit(page: Page, workbook_server: Server) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Undoers")
    open_step(page, server, "name", sig=sig, who="Kim")
    field(page, "Theme").fill("Falls")
    wait_for_value(server.workspace, sig, "identity.theme", "Falls")
    field(page, "Brief description").fill("First words")
    wait_for_value(server.workspace, sig, "identity.description", "First words")
    page.get_by_text("History: every change, restorable").click()
    button(page, "Undo my last edit").dblclick()
    expect(field(page, "Brief description")).to_have_value("")
    # Saved 0.4 s after it arrives, so after the second click (acted on 0.25 s after it came).
    field(page, "Welcome message").fill("Hello")
    wait_for_value(server.workspace, sig, "identity.welcome_message", "Hello")
    assert plan_value(server.workspace, sig, "identity.theme") == "Falls"
    assert plan_value(server.workspace, sig, "identity.description") == ""
    expect(field(page, "Theme")).to_have_value("Falls")
    shoot(page, "undo-double-click")


def test_a_six_figure_year_is_refused_next_to_the_field_and_not_called_saved(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Impossible Years")
    first = "2027-01-05T18:00:00"
    with Workspace.open(server.workspace) as workspace:
        workspace.update(
            sig,
            "schedule.activities",
            lambda _: [{"title": "Monthly huddle", "start": first, "owner": "Kim"}],
        )
    open_step(page, server, "schedule", sig=sig, who="Kim")
    activities = table(page, "Activities")
    button(activities, "Edit").click()
    starts = field(activities, "Starts")
    expect(starts).to_have_value("2027-01-05T18:00")
    expect(rows(activities).first).to_contain_text("Tuesday 5 January 2027, 18:00")
    # Make a change that saves, so that the header has said "Saved at" before.
    field(activities, "Owner").fill("Kim Lee")
    wait_for_value(server.workspace, sig, "schedule.activities.0.owner", "Kim Lee")
    expect(status(page)).to_contain_text("Saved at")

    starts.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # day, month, then the year
    page.keyboard.type("202512")
    assert str(starts.input_value()).startswith("202512-"), starts.input_value()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # out of the box: its value is final
    row = rows(activities).first
    expect(row.locator(".swb-date-error")).to_contain_text(
        "Starts: the year 202512 cannot be right"
    )
    expect(status(page)).to_contain_text("Not saved")
    expect(status(page)).not_to_contain_text("Saved")
    shoot(page, "schedule-six-figure-year")
    # Typing elsewhere saves, but the header still does not say saved while the date is wrong.
    field(activities, "Owner").fill("Kim Lee-Smith")
    wait_for_value(server.workspace, sig, "schedule.activities.0.owner", "Kim Lee-Smith")
    expect(status(page)).to_contain_text("Not saved: Starts")
    assert plan_value(server.workspace, sig, "schedule.activities.0.start") == first
    # Four figures, but outside the model's years: the script reads the range from the box.
    starts.fill("2500-01-05T18:00")
    starts.blur()
    expect(row.locator(".swb-date-error")).to_contain_text(
        "Starts: the year 2500 cannot be right: type a year of four figures between 1900 and 2199"
    )
    assert plan_value(server.workspace, sig, "schedule.activities.0.start") == first


def test_text_kept_after_a_lost_page_is_put_back_with_one_button(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Put It Back")
    open_step(page, server, "name", sig=sig, who="Ana")
    kernel = page_kernel(page, server)
    os.kill(kernel.pid, signal.SIGKILL)
    kernel.wait(timeout=10)
    banner = page.locator("#swb-connection")
    expect(banner).to_be_visible(timeout=20_000)
    field(page, "Theme").fill("Typed with no connection")  # certainly not saved

    button(banner, "Reload").click()
    wait_for_widgets(page)
    kept = page.locator(".swb-kept")
    expect(kept.get_by_label("Theme")).to_have_value("Typed with no connection")
    shoot(page, "kept-text-put-it-back")
    button(kept, "Put it back").click()
    expect(field(page, "Theme")).to_have_value("Typed with no connection")
    wait_for_value(server.workspace, sig, "identity.theme", "Typed with no connection")
    expect(kept).to_have_count(0)


def test_typing_is_not_called_saved_before_it_is(page: Page, workbook_server: Server) -> None:
    """While the database is locked nothing can be saved: from the first keystroke the header
    says "Saving…", then "Not saved", never "Saved at"."""
    server = workbook_server
    sig = new_sig(server.workspace, "Honest Header")
    open_step(page, server, "name", sig=sig, who="Ana")
    expect(status(page)).to_have_text("All changes saved")
    with held_write_lock(server.workspace / DATABASE_NAME):
        field(page, "Theme").press_sequentially("Falls", delay=20)
        expect(status(page)).not_to_have_text(re.compile(r"Saved at|All changes saved"))
        expect(status(page)).to_contain_text("Not saved", timeout=30_000)
    assert plan_value(server.workspace, sig, "identity.theme") == ""
