"""A name before editing: a nameless visitor reads freely, and their first edit waits for their
name, then is saved as theirs; nothing in the history is by nobody."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from widget_tree import control, find

from sigworkbook.live.session import NAME_NEEDED, Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.name_prompt import NamePrompt
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.charter import build
from sigworkbook.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Frailty Friends", author="setup")
        yield workspace


def test_a_nameless_edit_waits_for_the_name_and_is_then_saved_as_theirs(ws: Workspace) -> None:
    session = Session(ws, "frailty-friends")
    page = Page(STEP_BY_KEY["charter"], session)
    top, form = page.top(), build(page)
    prompt = find(top, NamePrompt)
    assert prompt.layout.display is None and "say who you are" in prompt.note.value
    purpose = control(form, "charter.purpose")
    assert purpose.input.value == ""  # reading needs no name
    purpose.input.value = "Fewer falls"
    assert ws.load("frailty-friends").plan.charter.purpose == ""  # not saved as nobody
    assert session.status.message == NAME_NEEDED and 'role="alert"' in prompt.note.value
    prompt.give()  # nothing typed
    assert "type it first" in prompt.note.value
    prompt.name.value = "  Ana   Lima "  # Enter, or leaving the box, gives it
    assert ws.load("frailty-friends").plan.charter.purpose == "Fewer falls"
    assert next(c.author for c in ws.history("frailty-friends")) == "Ana Lima"
    assert prompt.layout.display == "none"
    assert 'data-swb-who="Ana Lima"' in page.header.value and "You: Ana Lima" in page.header.value
    assert "who=Ana+Lima" in page.footer().value
    assert None not in {c.author for c in ws.history("frailty-friends")} - {"setup"}


def test_a_nameless_vote_or_new_row_waits_too(ws: Workspace) -> None:
    session = Session(ws, "frailty-friends")
    assert not session.update("charter.risks", lambda rows: [*rows, {"risk": "x"}])
    assert session.status.message == NAME_NEEDED
    assert ws.load("frailty-friends").plan.charter.risks == []


def test_a_named_visitor_is_not_asked(ws: Workspace) -> None:
    page = Page(STEP_BY_KEY["charter"], Session(ws, "frailty-friends", author="Ana"))
    with pytest.raises(StopIteration):
        find(page.top(), NamePrompt)
