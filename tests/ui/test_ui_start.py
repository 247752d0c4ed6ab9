"""The start page (step 0): choose or create a SIG, who is here, progress, and the agenda."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import walk

from sigworkbook.hosting.identity import User
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS
from sigworkbook.ui.agenda import AgendaEditor, balance_text, clock, plan_agenda
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.start import build, build_start, open_start, show_start
from sigworkbook.workspace import Workspace

SIG = "home-safely"
AGENDA_KEYS = [s.key for s in STEPS if s.minutes]


def agenda_of(root: widgets.Widget) -> AgendaEditor:
    return next(w for w in walk(root) if isinstance(w, AgendaEditor))


def text_of(root: widgets.Widget) -> str:
    return html.unescape(" ".join(w.value for w in walk(root) if isinstance(w, widgets.HTML)))


def page_for(ws: Workspace, sig: str = SIG, author: str | None = "Ada") -> widgets.Widget:
    return build(Page(STEP_BY_KEY["start"], Session(ws, sig, author=author)))


# --- the agenda, without widgets ------------------------------------------------------------


def test_the_agenda_runs_step_after_step() -> None:
    agenda = plan_agenda(90, {"core": 20, "name": 15, "charter": 30, "schedule": 10})
    assert [(s.step.key, s.start, s.end) for s in agenda.slots] == [
        ("core", 0, 20),
        ("name", 20, 35),
        ("charter", 35, 65),
        ("schedule", 65, 75),
        ("promotion", 75, 75),
        ("review", 75, 75),
    ]
    assert (agenda.total, agenda.difference, agenda.balanced) == (75, -15, False)
    assert clock(75) == "1:15" and clock(5) == "0:05"


def test_the_balance_says_whether_the_timeboxes_fill_the_meeting() -> None:
    exact = dict.fromkeys(AGENDA_KEYS, 15)
    assert "exactly" in balance_text(plan_agenda(90, exact))
    assert "15 fewer than the meeting's 90" in balance_text(plan_agenda(90, {"core": 75}))
    assert "10 more than the meeting's 80" in balance_text(plan_agenda(80, exact))


# --- the agenda on the page -----------------------------------------------------------------


def test_a_timebox_typed_saves_and_the_total_updates(ws: Workspace) -> None:
    agenda = agenda_of(page_for(ws))
    assert "exactly" in agenda.summary.value
    agenda.timeboxes["core"].input.value = 25
    assert ws.load(SIG).plan.meeting.timeboxes["core"] == 25
    assert "95 minutes, 5 more than the meeting's 90" in html.unescape(agenda.summary.value)
    agenda.length.input.value = 95
    assert ws.load(SIG).plan.meeting.length_minutes == 95
    assert "exactly" in agenda.summary.value


def test_the_agenda_table_shows_running_times(ws: Workspace) -> None:
    agenda = agenda_of(page_for(ws))
    shown = agenda.summary.value
    assert "0:20&ndash;0:35</td><td>2. Name and description</td><td>15 min" in shown
    assert "1:25&ndash;1:30</td><td>6. Review and export" in shown


def test_a_timebox_over_the_limit_shows_an_error_and_saves_nothing(ws: Workspace) -> None:
    agenda = agenda_of(page_for(ws))
    before = ws.load(SIG).revision
    agenda.timeboxes["charter"].input.value = 500
    assert "between 0 and 480 minutes" in agenda.timeboxes["charter"].problem.value
    assert ws.load(SIG).revision == before


def test_a_plan_stored_with_steps_left_out_of_the_agenda_opens_without_saving(
    ws: Workspace,
) -> None:
    """A plan saved before every step had a timebox (or imported without some) shows 0 minutes
    for those steps and writes nothing just because someone opened the page."""
    plan = ws.load(SIG).plan.model_dump(mode="json")
    plan["meeting"]["timeboxes"] = {"core": 30}
    ws.store.replace(SIG, plan, author=None, validate=lambda document: document)
    revision = ws.load(SIG).revision
    agenda = AgendaEditor(Session(ws, SIG, author="Ada"))
    assert ws.load(SIG).revision == revision
    assert agenda.timeboxes["core"].input.value == 30
    assert agenda.timeboxes["name"].input.value == 0
    agenda.timeboxes["name"].input.value = 10
    assert ws.load(SIG).plan.meeting.timeboxes["name"] == 10


def test_the_suggested_timeboxes_can_be_restored(ws: Workspace) -> None:
    agenda = agenda_of(page_for(ws))
    agenda.timeboxes["core"].input.value = 40
    agenda.reset_button.click()
    assert ws.load(SIG).plan.meeting.timeboxes == {s.key: s.minutes for s in STEPS if s.minutes}
    assert agenda.timeboxes["core"].input.value == 20


def test_a_timebox_changed_elsewhere_shows_after_a_refresh(ws: Workspace) -> None:
    agenda = agenda_of(page_for(ws))
    ws.set(SIG, "meeting.timeboxes.review", 10, author="Bo")
    agenda.session.refresh()
    assert agenda.timeboxes["review"].input.value == 10
    assert "95 minutes" in agenda.summary.value


def test_steps_missing_from_an_imported_agenda_get_zero_minutes(ws: Workspace) -> None:
    ws.set("blank-group", "meeting.timeboxes", {"core": 90})
    agenda = agenda_of(page_for(ws, sig="blank-group"))
    assert ws.load("blank-group").plan.meeting.timeboxes == {
        key: 90 if key == "core" else 0 for key in AGENDA_KEYS
    }
    assert "exactly" in agenda.summary.value


# --- progress -------------------------------------------------------------------------------


def test_progress_lists_every_step_with_its_first_gaps(ws: Workspace) -> None:
    shown = text_of(page_for(ws, sig="blank-group"))
    for step in STEPS:
        assert step.label in shown
    assert "2 of 13 checks done" in shown
    assert "Core group: a core group needs at least two people" in shown
    assert "and 8 more" in shown
    assert 'href="02-name.ipynb?sig=blank-group&who=Ada"' in shown


def test_progress_follows_edits_made_elsewhere(ws: Workspace) -> None:
    form = page_for(ws)
    assert "Complete ✓" in text_of(form)
    ws.set(SIG, "identity.theme", "", author="Bo")
    agenda_of(form).session.refresh()
    assert "5 of 6 checks done" in text_of(form)
    assert "Theme: not written yet" in text_of(form)


# --- who is here, choose and create ---------------------------------------------------------


def test_choosing_a_sig_and_a_name_gives_the_link_to_open_it(ws: Workspace) -> None:
    chooser = page_for(ws, author=None).chooser
    assert "This page is open for" in chooser.link.value
    chooser.name_input.value = "  Siân  Rhys "
    assert chooser.href() == "00-start.ipynb?sig=home-safely&who=Si%C3%A2n+Rhys"
    assert "as Siân Rhys" in chooser.link.value
    chooser.sig_input.value = None
    assert chooser.href() is None
    assert "Choose a SIG" in chooser.link.value


def test_without_a_name_the_link_warns_that_edits_are_anonymous(ws: Workspace) -> None:
    chooser = page_for(ws, author="Ada").chooser
    chooser.name_input.value = ""
    assert chooser.href() == "00-start.ipynb?sig=home-safely"
    assert "saved anonymously" in chooser.link.value


def test_a_name_too_long_is_refused_with_no_link(ws: Workspace) -> None:
    chooser = page_for(ws).chooser
    chooser.name_input.value = "x" * 81
    assert chooser.href() is None
    assert "Your name: at most 80 characters" in chooser.link.value


def test_creating_a_sig_saves_it_with_its_author_and_offers_to_open_it(ws: Workspace) -> None:
    form = page_for(ws, author="Ada")
    form.creator.name_input.value = "Frailty Friends"
    form.creator.create_button.click()
    assert "frailty-friends" in ws.sig_ids()
    assert ws.load("frailty-friends").plan.identity.name == "Frailty Friends"
    assert ws.history("frailty-friends")[0].author == "Ada"
    assert form.chooser.sig_input.value == "frailty-friends"
    assert 'href="00-start.ipynb?sig=frailty-friends&amp;who=Ada"' in form.creator.message.value
    assert form.creator.name_input.value == ""


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("   ", "type the new SIG's name first"),
        ("home SAFELY", "a SIG called “Home Safely” exists already"),
        ("x" * 81, "at most 80 characters"),
    ],
)
def test_a_bad_new_name_is_refused_and_nothing_is_created(
    ws: Workspace, typed: str, message: str
) -> None:
    form = page_for(ws)
    before = ws.sig_ids()
    form.creator.name_input.value = typed
    assert form.creator.create() is None
    assert message in html.unescape(form.creator.message.value)
    assert "swb-error" in form.creator.message.value
    assert ws.sig_ids() == before


def test_the_name_counter_warns_past_the_advised_length(ws: Workspace) -> None:
    creator = page_for(ws).creator
    creator.name_input.value = "x" * 41
    assert "41 / 40 characters" in creator.counter.value
    assert "swb-count--over" in creator.counter.value


# --- opening the page -----------------------------------------------------------------------


def test_without_a_chosen_sig_the_page_still_offers_choose_and_create(
    ws: Workspace, no_request: pytest.MonkeyPatch
) -> None:
    start = open_start(workspace=ws)
    assert start.page is None
    content = build_start(start)
    assert content.chooser.sig_input.value is None
    assert [o[1] for o in content.chooser.sig_input.options] == [None, "blank-group", SIG]
    assert not any(isinstance(w, AgendaEditor) for w in walk(content))
    content.creator.name_input.value = "New One"
    assert content.creator.create() is None  # nobody's SIG: the name comes first
    assert "Your name: type it first" in html.unescape(content.creator.message.value)
    content.chooser.name_input.value = "Bo"
    assert content.creator.create() == "new-one"
    assert {c.author for c in ws.history("new-one")} == {"Bo"}
    show_start(start)  # displays without a page


def test_a_query_string_picks_the_sig_and_the_participant(
    ws: Workspace, no_request: pytest.MonkeyPatch
) -> None:
    no_request.setenv("VOILA_REQUEST_URL", "http://localhost/voila/render/00-start.ipynb")
    no_request.setenv("QUERY_STRING", "sig=blank-group&who=Bo")
    start = open_start(workspace=ws)
    assert start.page is not None
    assert (start.page.sig_id, start.author) == ("blank-group", "Bo")
    assert "This page is open for" in build_start(start).chooser.link.value


def test_an_unknown_sig_in_the_query_string_is_reported(
    ws: Workspace, no_request: pytest.MonkeyPatch
) -> None:
    no_request.setenv("VOILA_REQUEST_URL", "http://localhost/voila/render/00-start.ipynb")
    no_request.setenv("QUERY_STRING", "sig=<nope>")
    start = open_start(workspace=ws)
    assert (start.page, start.unknown_sig) == (None, "<nope>")
    shown = build_start(start).children[0].value
    assert "&lt;nope&gt;" in shown and "<nope>" not in shown


def test_with_no_sig_to_choose_the_page_says_what_to_do_instead_of_an_empty_list(
    tmp_path: Path, no_request: pytest.MonkeyPatch
) -> None:
    with Workspace.open(tmp_path / "local", create=True) as local:
        chooser = build_start(open_start(workspace=local)).chooser
        assert chooser.sig_input.layout.display == "none"
        assert "There is no SIG here yet: start one below." in chooser.link.value
    with Workspace.open(tmp_path / "hub", create=True, user=User("dave")) as hosted:
        hosted.store.create("alices", {}, author="alice", validate=lambda plan: plan)
        start = build_start(open_start(workspace=hosted))
        hint = html.unescape(start.chooser.link.value)
        assert "You are not a member of any SIG yet" in hint
        assert "your hub user name, dave" in hint
        start.creator.name_input.value = "Night Owls"
        assert start.creator.create() == "night-owls"
        assert start.chooser.sig_input.layout.display is None  # now there is one to choose
        assert start.chooser.sig_input.value == "night-owls"
