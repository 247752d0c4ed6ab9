"""The meeting as a non-programmer lives it: votes that stay put, one row per click, no false
"saved", by keyboard and mouse in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server
from e2e.workbook_pages import (
    button,
    field,
    focused_name,
    new_sig,
    open_step,
    plan_value,
    rows,
    shoot,
    tab_to,
    table,
    wait_for_value,
)
from sigworkbook.workspace import Workspace

pytestmark = pytest.mark.e2e

IDEAS = ("Pill Pals", "Dose Friends", "Script Circle")


def test_keyboard_voting_on_three_ideas_leaves_three_votes(
    page: Page, workbook_server: Server
) -> None:
    server = workbook_server
    sig = new_sig(server.workspace, "Votes Stay Put")
    with Workspace.open(server.workspace) as workspace:
        workspace.update(
            sig, "identity.name_ideas", lambda _: [{"name": n, "votes": []} for n in IDEAS]
        )
    open_step(page, server, "name", sig=sig, who="Kim")
    keys = page.keyboard

    tab_to(page, f"Vote for “{IDEAS[0]}”")
    keys.press("Space")
    keys.press("Tab")
    keys.press("Space")
    keys.press("Tab")
    keys.press("Space")
    wait_for_value(
        server.workspace,
        sig,
        "identity.name_ideas",
        lambda ideas: [i["votes"] for i in ideas] == [["Kim"], ["Kim"], ["Kim"]],
    )
    # The list did not move and the focus stayed where the last vote was given.
    assert focused_name(page) == f"Vote for “{IDEAS[2]}”"
    rows = page.locator(".swb-ideas .swb-row")
    for index, idea in enumerate(IDEAS):
        expect(rows.nth(index)).to_contain_text(idea)
        expect(rows.nth(index)).to_contain_text("joint 1st")
        expect(page.get_by_label(f"Vote for “{idea}”", exact=True)).to_be_checked()
    shoot(page, "name-votes-stay-put")


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
