"""Every page in plain words: no dotted paths, JSON, revision numbers, ids or "(s)" in what a page
shows, after the edits a meeting makes (rows added, a refused value, a restore).

Each page is built as the notebook builds it, without a kernel; the text is everything a person
can read: HTML (tags and addresses left out), labels, buttons, tooltips, placeholders, options
and section titles, with every table row opened and the history panel open.
"""

from __future__ import annotations

import html
import importlib
import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import pytest
from widget_tree import open_rows, walk

from sigworkbook.live.session import Session
from sigworkbook.plan.model import Plan
from sigworkbook.plan.steps import STEPS
from sigworkbook.ui.history import HistoryPanel
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.start import Start, build_start
from sigworkbook.workspace import Workspace

DEMO = "home-safely"
BLANK = "blank-group"

SECTIONS = "|".join(Plan.model_fields)
DOTTED_PATH = re.compile(
    rf"\b(?:{SECTIONS})\.(?!(?:md|json|ics|csv|html|docx|eml)\b)[a-z_0-9]+(?:\.[a-z_0-9*]+)*"
)
"""A plan path such as schedule.activities.1.timezone (a file such as charter.md is not one)."""
JSON = re.compile(r"[{}]|\[\s*[\"{\[]|\":\s")
PLURAL_S = re.compile(r"\(s\)")
REVISION = re.compile(r"#\d|\brevision \d")
"""In sentences; an exported document may carry its "Revision 7" stamp (the charter preview)."""

_TAG = re.compile(r"<[^>]*>")
_STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


def visible_text(widget: Any) -> Iterator[str]:
    """What a person can read of one widget (not its markup, classes or link addresses)."""
    if isinstance(widget, widgets.HTML | widgets.HTMLMath | widgets.Label):
        value = _STYLE_OR_SCRIPT.sub(" ", str(widget.value))
        titles = re.findall(r'\b(?:title|aria-label|placeholder)="([^"]*)"', value)
        yield html.unescape(_TAG.sub(" ", value))
        yield from (html.unescape(t) for t in titles)
    for trait in ("description", "tooltip", "placeholder", "button_style_text"):
        value = getattr(widget, trait, None)
        if isinstance(value, str):
            yield value
    if isinstance(widget, widgets.Dropdown | widgets.Select | widgets.RadioButtons):
        yield from (str(label) for label in widget._options_labels)
    if isinstance(widget, widgets.Accordion | widgets.Tab):
        yield from (str(title) for title in widget.titles if title)
    if isinstance(widget, widgets.Text | widgets.Textarea) and widget.disabled:
        yield str(widget.value)


def page_text(root: widgets.Widget) -> list[str]:
    """Every piece of text the page shows, spaces collapsed."""
    texts = (" ".join(text.split()) for widget in walk(root) for text in visible_text(widget))
    return [text for text in texts if text.strip("\u200b ")]


def offences(texts: list[str], sig_ids: list[str]) -> list[str]:
    found = []
    for text in texts:
        for name, pattern in (
            ("dotted path", DOTTED_PATH),
            ("JSON", JSON),
            ("(s)", PLURAL_S),
            ("revision number", REVISION),
        ):
            if match := pattern.search(text):
                found.append(f"{name} {match.group(0)!r} in: {text.strip()[:160]!r}")
        for sig_id in sig_ids:
            if f"({sig_id})" in text:
                found.append(f"SIG id {sig_id!r} in: {text.strip()[:160]!r}")
    return found


def a_meeting_happens(ws: Workspace, sig: str) -> Session:
    """The edits of a meeting, as the pages make them: people and activities added, a role
    chosen, a value refused (the status line then says why), a field restored."""
    session = Session(ws, sig, author="Priya")
    people = list(session.value("core_group.people") or [])
    session.save("core_group.people", [*people, {"name": "Maya Okafor"}])
    person = len(people)
    session.save(f"core_group.people.{person}.role", "sponsor")
    activities = list(session.value("schedule.activities") or [])
    session.save("schedule.activities", [*activities, {"title": "Monthly huddle"}, {}])
    session.save("charter.out_of_scope", "Clinical advice")
    session.save("charter.out_of_scope", "Clinical advice, and complaints")
    session.restore(ws.revision(sig) - 1, path="charter.out_of_scope")
    assert session.save(f"schedule.activities.{len(activities)}.timezone", "Mars/Olympus") is False
    assert not session.status.ok, "the refused value shows in the status line"
    return session


def built_page(ws: Workspace, sig: str, step_key: str, session: Session) -> widgets.Widget:
    """The page of one step as its notebook shows it: the top, the form, the footer, history."""
    step = next(s for s in STEPS if s.key == step_key)
    page = Page(step, session)
    if step_key == "start":
        form = build_start(Start(ws, page, session.author))
    else:
        form = importlib.import_module(f"sigworkbook.ui.pages.{step_key}").build(page)
    history = HistoryPanel(session)
    history.selected_index = 0
    root = widgets.VBox([page.top(), form, page.footer(), history])
    open_rows(root)
    return root


@pytest.mark.parametrize("step", [s.key for s in STEPS])
@pytest.mark.parametrize("sig", [DEMO, BLANK])
def test_every_page_speaks_plain_words(ws: Workspace, step: str, sig: str) -> None:
    session = a_meeting_happens(ws, sig)
    root = built_page(ws, sig, step, session)
    texts = page_text(root)
    shown = " ".join(texts)
    assert "Not saved: Activity" in shown and "Time zone" in shown, "the refused value is named"
    assert offences(texts, ws.sig_ids()) == []


def test_the_history_reads_as_sentences(ws: Workspace) -> None:
    session = a_meeting_happens(ws, BLANK)
    history = HistoryPanel(session)
    history.selected_index = 0
    shown = " ".join(page_text(history))
    assert "Added Maya Okafor to the core group" in shown
    assert "Changed Person 1, “Maya Okafor”: Role: Sponsor" in shown
    assert "Added Monthly huddle, Activity 2 to the activities" in shown
    assert "Started the plan" in shown
    assert "Restored Out of scope as it was at " in shown
    assert re.search(r"Restore the plan as it was at \d\d:\d\d \(Priya\)", shown)


def test_a_page_without_a_sig_names_the_sigs_not_their_ids(ws: Workspace) -> None:
    from sigworkbook.ui.page import _missing_sig_message

    shown = " ".join(page_text(_missing_sig_message(STEPS[1], ws)))
    assert "Home Safely" in shown and "Blank Group" in shown
    assert DEMO not in shown and BLANK not in shown
