"""Limits that explain themselves: a hard limit refuses, keeps the text and says by how much it
is over; an advised limit says why ("longer than the network list shows (40)") and saves."""

from __future__ import annotations

import html

from widget_tree import control

from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import charter, name
from sigworkbook.workspace import Workspace

SIG = "home-safely"


def test_over_a_hard_limit_the_text_stays_and_the_message_says_by_how_much(ws: Workspace) -> None:
    form = charter.build(Page(STEP_BY_KEY["charter"], Session(ws, SIG, author="Ada")))
    before = ws.load(SIG).plan.charter.out_of_scope
    field = control(form, "charter.out_of_scope")
    typed = "x" * 2043
    field.input.value = typed
    assert field.input.value == typed, "the typed text is kept in the field"
    assert ws.load(SIG).plan.charter.out_of_scope == before, "and not saved"
    problem = html.unescape(field.problem.value)
    assert "Out of scope: is too long: at most 2000 characters, and this has 2043 (43 over)" in (
        problem
    )
    assert "43 over the limit, not saved until it is shorter" in field.notes.value
    field.input.value = "x" * 2000
    assert ws.load(SIG).plan.charter.out_of_scope == "x" * 2000
    assert not field.has_problem


def test_over_an_advised_limit_the_text_is_saved_and_the_count_says_why(ws: Workspace) -> None:
    form = name.build(Page(STEP_BY_KEY["name"], Session(ws, SIG, author="Ada")))
    title = "The Home Safely Discharge and Recovery Group for North Wales Hospitals"[:66]
    field = control(form, "identity.name")
    field.input.value = title
    assert ws.load(SIG).plan.identity.name == title
    notes = html.unescape(field.notes.value)
    assert "66 / 40 characters: longer than the network list shows (40); it is saved" in notes
    assert not field.has_problem
