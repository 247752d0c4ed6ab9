"""The header says "saved" only when it is true: a refused edit stays named until it is fixed."""

from __future__ import annotations

import asyncio

from widget_tree import control

from sigworkbook.live.session import SAVING, Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.name import build
from sigworkbook.workspace import Workspace

SIG = "home-safely"


def test_a_refused_edit_is_still_named_after_another_field_saves(ws: Workspace) -> None:
    page = Page(STEP_BY_KEY["name"], Session(ws, SIG, author="Ada"))
    form = build(page)
    control(form, "identity.name").input.value = "x" * 81  # over the hard limit: refused
    assert page.session.status.message.startswith("Not saved: Name")
    control(form, "identity.theme").input.value = "Discharge"
    assert ws.load(SIG).plan.identity.theme == "Discharge"
    status = page.session.status
    assert not status.ok
    assert "except Name" in status.message
    assert "except Name" in page.status.value
    control(form, "identity.name").input.value = "Home Safely Again"
    assert page.session.status.ok
    assert page.session.status.message.startswith("Saved at")


def test_typing_waiting_for_its_save_is_not_called_saved(ws: Workspace) -> None:
    session = Session(ws, SIG, author="Ada")
    session.debounce = True

    async def type_and_look() -> str:
        session.edit("identity.theme", "Falls")
        shown = session.status.message
        session.flush()
        return shown

    assert asyncio.run(type_and_look()) == SAVING
    assert session.status.message.startswith("Saved at")
