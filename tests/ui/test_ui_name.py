"""The name page (step 2): ideas, voting rounds, ranking, choosing, and the listing texts."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
from traitlets import TraitError
from widget_tree import control, walk

from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.plan.voting import VotingError, add_idea, ranked
from sigworkbook.ui.downloads import export_all
from sigworkbook.ui.history import HistoryPanel
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import name_texts
from sigworkbook.ui.pages.name import NameIdeas, build
from sigworkbook.workspace import Workspace, WorkspaceError

SIG = "home-safely"


def shown_order(ideas: NameIdeas) -> list[str]:
    return [row.toggle.description for row in ideas.list_box.children]


def page_for(ws: Workspace, author: str | None, sig: str = SIG) -> widgets.Widget:
    return build(Page(STEP_BY_KEY["name"], Session(ws, sig, author=author)))


# --- the rules, without widgets -------------------------------------------------------------


def test_an_idea_needs_a_name_not_yet_on_the_list() -> None:
    ideas = add_idea([], "  Home   Safely ", "Ada")
    assert [(i["name"], i["proposed_by"], i["votes"]) for i in ideas] == [
        ("Home Safely", "Ada", [])
    ]
    with pytest.raises(VotingError, match="on the list already"):
        add_idea(ideas, "home safely", "Bo")
    with pytest.raises(VotingError, match="type a name idea"):
        add_idea(ideas, "   ", "Bo")


def test_ranking_puts_most_votes_first_and_ties_share_a_place() -> None:
    ideas = [
        {"id": "a", "name": "A", "votes": ["x"]},
        {"id": "b", "name": "B", "votes": ["x", "y"]},
        {"id": "c", "name": "C", "votes": ["z"]},
        {"id": "d", "name": "D", "votes": []},
    ]
    assert [(r.place, r.idea["name"], r.votes) for r in ranked(ideas)] == [
        (1, "B", 2),
        (2, "A", 1),
        (2, "C", 1),
        (4, "D", 0),
    ]
    assert [r.place_text for r in ranked(ideas)] == ["1st", "joint 2nd", "joint 2nd", "4th"]
    tied = [{"id": "a", "name": "A", "votes": ["x"]}, {"id": "b", "name": "B", "votes": ["y"]}]
    assert [r.place_text for r in ranked(tied)] == ["joint 1st", "joint 1st"]


# --- the page -------------------------------------------------------------------------------


def test_adding_an_idea_saves_it_as_proposed_by_the_participant(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    form.ideas.idea_input.value = "Safe at Home"
    form.ideas.add_button.click()
    ideas = ws.load(SIG).plan.identity.name_ideas
    assert (ideas[-1].name, ideas[-1].proposed_by, ideas[-1].votes) == ("Safe at Home", "Ada", [])
    assert form.ideas.idea_input.value == ""
    assert "Vote for “Safe at Home”" in shown_order(form.ideas)


@pytest.mark.parametrize(
    ("typed", "message"), [("", "type a name idea first"), ("DISCHARGE matters", "on the list")]
)
def test_an_empty_or_repeated_idea_shows_an_error_and_saves_nothing(
    ws: Workspace, typed: str, message: str
) -> None:
    form = page_for(ws, "Ada")
    before = ws.load(SIG).revision
    form.ideas.idea_input.value = typed
    assert form.ideas.add() is False
    assert message in form.ideas.message.value
    assert "swb-error" in form.ideas.message.value
    assert ws.load(SIG).revision == before


def test_an_idea_longer_than_the_model_allows_is_refused(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    before = ws.load(SIG).revision
    form.ideas.idea_input.value = "x" * 81
    assert form.ideas.add() is False
    assert "at most 80 characters" in form.ideas.message.value
    assert ws.load(SIG).revision == before


def _start(ideas: NameIdeas, *, budget: int = 3, per_idea: int = 1, **flags: bool) -> None:
    ideas.budget.value, ideas.per_idea.value = budget, per_idea
    ideas.anonymous.value = flags.get("anonymous", False)
    ideas.shared_screen.value = flags.get("shared_screen", False)
    ideas.start_button.click()
    assert ideas.session.value("identity.voting_round")["status"] == "open"


def _blank_page(ws: Workspace, *ideas: str, people: tuple[str, ...] = ()) -> widgets.Widget:
    """Ada's page of the blank group with `ideas` added on it, then (given) `people` as its
    core group."""
    form = page_for(ws, "Ada", sig="blank-group")
    for idea in ideas:
        form.ideas.idea_input.value = idea
        assert form.ideas.add(), form.ideas.message.value
    if people:
        ws.update("blank-group", "core_group.people", lambda _: [{"name": p} for p in people])
        form.ideas.session.refresh()
    return form


def _round_with_a_dot_on_dose_friends(ws: Workspace) -> widgets.Widget:
    """Ada's page of a round of one dot each (Ada and Bo in the core group) on "Pill Pals" and
    "Dose Friends", Ada's dot on "Dose Friends"."""
    form = _blank_page(ws, "Pill Pals", "Dose Friends", people=("Ada", "Bo"))
    _start(form.ideas, budget=1)
    form.ideas.row_for("Dose Friends").toggle.value = True
    return form


def _ballots(ws: Workspace, sig: str = SIG) -> dict[str, dict[str, int]]:
    """Each voter's dots by idea name, as stored."""
    identity = ws.load(sig).plan.identity
    names = {i.id: i.name for i in identity.name_ideas}
    assert identity.voting_round is not None
    return {
        b.voter: {names[k]: v for k, v in b.dots.items()} for b in identity.voting_round.ballots
    }


def _states(root: widgets.Widget) -> str:
    """Everything the page's widgets would send to the browser."""
    return json.dumps([w.get_state() for w in walk(root)], default=str)


def test_before_any_round_earlier_votes_show_and_nobody_can_tick(ws: Workspace) -> None:
    form = page_for(ws, "Maya Okafor")
    home = form.ideas.row_for("Home Safely")
    assert "1st" in home.summary.value and "votes:" in home.summary.value  # kept as they were
    assert all(row.toggle.layout.display == "none" for row in form.ideas.list_box.children)
    assert "Start a voting round" in [getattr(w, "description", "") for w in walk(form.ideas)]
    blank = _blank_page(ws, "One", "Two")
    summaries = " ".join(row.summary.value for row in blank.ideas.list_box.children)
    assert "joint" not in summaries and "0 votes" not in summaries and "1st" not in summaries
    assert blank.ideas.sort_button.layout.display == "none", "nothing to sort by"


def test_ticking_a_dot_saves_it_hidden_and_the_list_stays_put(ws: Workspace) -> None:
    form = page_for(ws, "Maya Okafor")
    _start(form.ideas)
    before = shown_order(form.ideas)
    rows = list(form.ideas.list_box.children)
    discharge = form.ideas.row_for("Discharge Matters")
    discharge.toggle.value = True
    assert _ballots(ws) == {"Maya Okafor": {"Discharge Matters": 1}}
    # Nothing moved and no row was rebuilt: the box that was ticked keeps the keyboard focus.
    assert shown_order(form.ideas) == before
    assert list(form.ideas.list_box.children) == rows
    assert discharge.toggle.value is True
    assert "Your dots: ●" in discharge.summary.value
    assert not re.search(r"\d votes?", discharge.summary.value)
    assert "1st" not in discharge.summary.value
    assert "You have 2 dots left" in form.ideas.round_status.value
    assert form.ideas.sort_button.layout.display == "none"
    assert form.ideas.chooser.layout.display == "none", "nothing to choose before the reveal"
    discharge.toggle.value = False
    assert _ballots(ws) == {}


def test_dots_stop_at_the_budget_and_the_kernel_refuses_a_forged_extra(ws: Workspace) -> None:
    form = _blank_page(ws, "One", "Two", "Three", "Four", people=("Ada", "Bo"))
    _start(form.ideas, budget=3)
    rows = list(form.ideas.list_box.children)
    for row in rows[:3]:
        row.toggle.value = True
    assert _ballots(ws, "blank-group") == {"Ada": {"One": 1, "Two": 1, "Three": 1}}
    assert rows[3].toggle.disabled, "no dots left"
    assert "You have 0 dots left" in form.ideas.round_status.value
    before = ws.load("blank-group").revision
    rows[3].toggle.value = True  # what a forged widget message does
    assert "only 3 dots" in form.ideas.message.value
    assert rows[3].toggle.value is False
    assert ws.load("blank-group").revision == before


def test_more_dots_on_one_idea_up_to_the_cap(ws: Workspace) -> None:
    form = _blank_page(ws, "One", "Two")
    _start(form.ideas, budget=3, per_idea=2)
    one, two = form.ideas.list_box.children
    assert one.toggle.layout.display == "none" and one.dots.layout.display is None
    assert list(one.dots.options) == [0, 1, 2]
    one.dots.value = 2
    assert list(two.dots.options) == [0, 1], "one dot left"
    assert _ballots(ws, "blank-group") == {"Ada": {"One": 2}}
    assert form.ideas.set_dots(two.idea_id, 2) is False
    assert "only 3 dots" in form.ideas.message.value


def test_a_participant_without_a_name_is_told_and_cannot_vote(ws: Workspace) -> None:
    form = page_for(ws, None)
    _start(form.ideas)
    before = ws.load(SIG).revision
    assert form.ideas.vote_as.layout.display == "none", "no 'Voting as' on one's own device"
    assert "give your name" in form.ideas.notice.value
    assert "00-start.ipynb?sig=home-safely" in form.ideas.notice.value
    assert all(row.toggle.disabled for row in form.ideas.list_box.children)
    idea_id = form.ideas.row_for("Discharge Matters").idea_id
    assert form.ideas.vote(idea_id, True) is False
    assert "Voting as" in form.ideas.message.value
    assert ws.load(SIG).revision == before


def test_on_ones_own_device_voting_as_someone_else_is_not_offered(ws: Workspace) -> None:
    form = page_for(ws, "Fay")
    _start(form.ideas)
    assert form.ideas.vote_as.layout.display == "none"
    assert "You vote as <strong>Fay</strong>" in form.ideas.notice.value
    form.ideas.vote_as.value = "Jas Bhamra"  # a forged widget message
    form.ideas.row_for("Discharge Matters").toggle.value = True
    assert _ballots(ws) == {"Fay": {"Discharge Matters": 1}}


def test_on_a_shared_screen_each_person_picks_their_name_before_voting(ws: Workspace) -> None:
    form = page_for(ws, "Fay")
    ideas = form.ideas
    people = [p.name for p in ws.load(SIG).plan.core_group.people]
    _start(ideas, shared_screen=True)
    assert isinstance(ideas.vote_as, widgets.Dropdown), "chosen from a list, never typed"
    assert ideas.vote_as.layout.display is None
    assert ideas.vote_as.options == ("Fay", *people), "the visitor first, then the core group"
    assert ideas.vote_as.value is None, "nobody until the person at the screen picks"
    assert all(row.toggle.disabled for row in ideas.list_box.children)
    ideas.vote_as.value = "Jas Bhamra"
    ideas.row_for("Discharge Matters").toggle.value = True
    ideas.vote_as.value = "Hetty Greaves"
    assert ideas.row_for("Discharge Matters").toggle.value is False, "Hetty has not"
    ideas.row_for("Home Safely").toggle.value = True
    assert _ballots(ws) == {
        "Jas Bhamra": {"Discharge Matters": 1},
        "Hetty Greaves": {"Home Safely": 1},
    }
    with pytest.raises(TraitError):
        ideas.vote_as.value = "Jas"  # not somebody in the list: "Jas" and "Jas Bhamra" are one
    ideas.abstain_button.click()  # Hetty is done: the screen is handed over
    assert ideas.vote_as.value is None
    assert "Thank you, Hetty Greaves" in ideas.message.value


def test_someone_added_to_the_core_group_can_vote_at_once(ws: Workspace) -> None:
    form = page_for(ws, "Fay")
    ws.update(SIG, "core_group.people", lambda people: [*people, {"name": "Sam Newcomer"}])
    form.ideas.session.refresh()
    assert form.ideas.vote_as.options[-1] == "Sam Newcomer"


def test_two_people_voting_at_once_keep_both_ballots(ws: Workspace) -> None:
    ada, bo = page_for(ws, "Ada"), page_for(ws, "Bo")
    _start(ada.ideas)
    bo.ideas.session.refresh()
    ada.ideas.row_for("The Homecoming Group").toggle.value = True
    bo.ideas.row_for("The Homecoming Group").toggle.value = True  # Bo's page had not refreshed
    assert _ballots(ws) == {
        "Ada": {"The Homecoming Group": 1},
        "Bo": {"The Homecoming Group": 1},
    }


def test_nothing_of_an_open_round_reaches_another_page(ws: Workspace) -> None:
    """Ada's dots are in no widget state of Bo's page (what the browser could read), while
    'waiting for' names who has not voted; the reveal shows counts and who voted for what."""
    ada, bo = page_for(ws, "Ada Lovelace"), page_for(ws, "Bo Brummell")
    _start(ada.ideas)
    bo.ideas.session.refresh()
    for idea in ("The Homecoming Group", "Discharge Matters", "Home Safely"):
        ada.ideas.row_for(idea).toggle.value = True
    bo.ideas.session.refresh()
    seen = _states(bo)
    assert "Ada Lovelace" not in seen and "●" not in seen
    assert not re.search(r"\d votes?\b", seen)
    status = bo.ideas.round_status.value
    expected = len(ws.load(SIG).plan.core_group.people) + 2
    assert f"1 of {expected} have voted; waiting for: " in status
    assert "Bo Brummell" in status and "Jas Bhamra" in status
    order = [row.idea_id for row in bo.ideas.list_box.children]
    assert order == [i.id for i in ws.load(SIG).plan.identity.name_ideas], "as proposed"
    bo.ideas.abstain_button.click()  # abstaining counts as voted
    assert f"2 of {expected} have voted" in bo.ideas.round_status.value
    assert "You are not voting this round" in bo.ideas.round_status.value
    assert "Ada Lovelace" not in _states(bo)
    bo.ideas.reveal_button.click()
    homecoming = bo.ideas.row_for("The Homecoming Group").summary.value
    assert "joint 1st" in homecoming and "1 vote: Ada Lovelace" in homecoming
    assert "Home Safely" in bo.ideas.row_for("Home Safely").summary.value
    assert "(1 abstained)" in bo.ideas.round_status.value


def test_the_round_reveals_itself_when_everyone_expected_has_voted(ws: Workspace) -> None:
    form = _blank_page(ws, "One", "Two")
    _start(form.ideas, budget=1)
    assert "0 of 1 has voted; waiting for: Ada" in form.ideas.round_status.value
    form.ideas.row_for("Two").toggle.value = True
    assert ws.load("blank-group").plan.identity.voting_round.status == "revealed"
    assert "1st" in form.ideas.row_for("Two").summary.value


def test_an_idea_added_by_someone_else_shows_after_a_refresh(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    other = page_for(ws, "Bo")
    other.ideas.idea_input.value = "Homeward"
    other.ideas.add()
    assert "Vote for “Homeward”" not in shown_order(form.ideas)
    form.ideas.session.refresh()
    assert "Vote for “Homeward”" in shown_order(form.ideas)


def test_a_near_duplicate_is_pointed_out_and_can_be_supported_instead(ws: Workspace) -> None:
    form = _blank_page(ws, "Frailty Friends")
    form.ideas.idea_input.value = "Frailty Friends Network"
    assert form.ideas.add() is False
    assert "looks like “Frailty Friends”" in form.ideas.similar_box.children[0].value
    keep, anyway = form.ideas.similar_box.children[1].children
    assert keep.description == "Support “Frailty Friends” instead"
    anyway.click()
    names = [i.name for i in ws.load("blank-group").plan.identity.name_ideas]
    assert names == ["Frailty Friends", "Frailty Friends Network"]
    assert form.ideas.similar_box.children == ()


def test_two_ideas_merge_before_a_round_with_their_votes(ws: Workspace) -> None:
    ws.update(
        "blank-group",
        "identity.name_ideas",
        lambda _: [
            {"id": "idea01", "name": "Frailty Friends", "votes": ["Ada", "Bo"]},
            {"id": "idea02", "name": "Frailty Friends Network", "votes": ["bo", "Cy"]},
        ],
    )
    form = page_for(ws, "Ada", sig="blank-group")
    form.ideas.merge_from.value = "idea02"
    form.ideas.merge_into.value = "idea01"
    form.ideas.merge_button.click()
    ideas = ws.load("blank-group").plan.identity.name_ideas
    assert [(i.name, i.votes) for i in ideas] == [("Frailty Friends", ["Ada", "Bo", "Cy"])]
    _start(form.ideas)
    assert form.ideas.merge(ideas[0].id, ideas[0].id) is False
    assert "before a round" in form.ideas.message.value


def test_choosing_after_a_round_records_the_decision(ws: Workspace) -> None:
    form = _round_with_a_dot_on_dose_friends(ws)
    assert form.ideas.chooser.layout.display == "none"
    form.ideas.reveal_button.click()
    assert form.ideas.choice.value == form.ideas.row_for("Dose Friends").idea_id, "the leader"
    form.ideas.choose_button.click()
    identity = ws.load("blank-group").plan.identity
    assert identity.name == "Dose Friends"
    assert identity.voting_round is not None and identity.voting_round.status == "closed"
    assert identity.name_decision is not None
    assert identity.name_decision.model_dump(mode="json") | {"decided_on": None} == {
        "decided_on": None,
        "name": "Dose Friends",
        "options": [{"name": "Dose Friends", "dots": 1}, {"name": "Pill Pals", "dots": 0}],
        "voted": 1,
        "abstained": 0,
        "expected": 2,
        "voters": ["Ada"],
        "anonymous": False,
    }
    assert control(form, "identity.name").input.value == "Dose Friends"
    assert "✓ chosen" in form.ideas.row_for("Dose Friends").summary.value
    panel = HistoryPanel(form.ideas.session)
    panel.selected_index = 0  # the history reads as the decision, not as ticks
    lines = " ".join(w.value for w in walk(panel) if isinstance(w, widgets.HTML))
    assert "Changed Name decision: <q>Chosen by the core group on " in lines
    assert "1 of 1 vote; 1 of 2 people took part: Ada</q>" in lines


@pytest.mark.parametrize("revealed_first", [True, False])
def test_choosing_after_a_closed_round_records_the_decision(
    ws: Workspace, revealed_first: bool
) -> None:
    """Closing a round (revealed or not) and then choosing the name still puts the decision
    on record: the name was chosen after that round."""
    form = _round_with_a_dot_on_dose_friends(ws)
    if revealed_first:
        form.ideas.reveal_button.click()
    assert form.ideas.close_round()
    assert form.ideas.chooser.layout.display != "none"
    assert form.ideas.choose(form.ideas.row_for("Dose Friends").idea_id)
    identity = ws.load("blank-group").plan.identity
    assert identity.name == "Dose Friends"
    assert identity.voting_round is not None and identity.voting_round.status == "closed"
    assert identity.name_decision is not None
    assert identity.name_decision.name == "Dose Friends"
    assert [(o.name, o.dots) for o in identity.name_decision.options] == [
        ("Dose Friends", 1),
        ("Pill Pals", 0),
    ]
    assert (identity.name_decision.voted, identity.name_decision.expected) == (1, 2)


def test_choosing_an_idea_with_fewer_votes_asks_once(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    before = ws.load(SIG).revision
    discharge = form.ideas.row_for("Discharge Matters").idea_id
    assert form.ideas.choose(discharge) is False
    question = form.ideas.confirm.children[0].value
    assert "“Home Safely” has more votes. Choose “Discharge Matters” anyway?" in question
    assert ws.load(SIG).revision == before
    yes = form.ideas.confirm.children[1].children[0]
    assert yes.description == "Choose “Discharge Matters” anyway"
    yes.click()
    assert ws.load(SIG).plan.identity.name == "Discharge Matters"
    assert form.ideas.confirm.children == ()
    assert "✓ chosen" in form.ideas.row_for("Discharge Matters").summary.value


def test_a_name_matching_an_idea_is_not_chosen_until_someone_chooses_it(ws: Workspace) -> None:
    sig = ws.new_sig("Frailty Friends", author="Priya").plan.id
    form = page_for(ws, "Priya", sig=sig)
    form.ideas.idea_input.value = "Frailty Friends"
    assert form.ideas.add()
    assert "✓ chosen" not in form.ideas.row_for("Frailty Friends").summary.value
    assert form.ideas.choose(form.ideas.row_for("Frailty Friends").idea_id)
    assert "✓ chosen" in form.ideas.row_for("Frailty Friends").summary.value


def test_enter_in_the_idea_box_adds_the_idea_and_a_double_click_adds_it_once(
    ws: Workspace,
) -> None:
    form = page_for(ws, "Ada", sig="blank-group")
    form.ideas.idea_input.value = "Pill Pals"
    form.ideas.idea_input._handle_custom_msg(
        {"event": "submit"}, []
    )  # Enter, as the browser sends it
    assert [i.name for i in ws.load("blank-group").plan.identity.name_ideas] == ["Pill Pals"]
    form.ideas.add_button.presses.done_at = float("-inf")  # as if a second had passed
    form.ideas.idea_input.value = "Dose Friends"
    form.ideas.add_button.click()
    form.ideas.add_button.click()
    assert [i.name for i in ws.load("blank-group").plan.identity.name_ideas] == [
        "Pill Pals",
        "Dose Friends",
    ]
    assert form.ideas.message.value == "", "no 'already on the list' from the second click"


def test_idea_names_are_shown_as_text_never_as_markup(ws: Workspace) -> None:
    form = page_for(ws, "<b>Ada</b>", sig="blank-group")
    form.ideas.idea_input.value = "<img src=x onerror=alert(1)>"
    assert form.ideas.add()
    html_shown = "".join(w.value for w in walk(form.ideas) if isinstance(w, widgets.HTML))
    assert "<img" not in html_shown and "&lt;img src=x" in html_shown
    assert "<b>Ada</b>" not in html_shown and "&lt;b&gt;Ada&lt;/b&gt;" in html_shown


def test_every_line_the_name_page_writes_escapes_what_it_is_given() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    current = {"status": "open", "budget": 3, "per_idea": 1, "ballots": []}
    lines = [
        name_texts.hosted_notice(hostile),
        name_texts.named_notice(hostile),
        name_texts.nameless_notice(hostile),
        name_texts.looks_like(hostile, hostile),
        name_texts.more_votes(hostile, hostile),
        name_texts.thanks(hostile),
        name_texts.open_round(current, hostile, [hostile]),
        name_texts.row_summary(
            hostile, hostile, place=hostile, result=hostile, leading=True, chosen=True
        ),
    ]
    for line in lines:
        assert "<img" not in line and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in line


def test_the_name_page_is_in_parts_of_one_job_each() -> None:
    """Each module of the name page says its job in a line; no class over 300 lines; no
    escaping by hand (markupsafe does it)."""
    pages = Path(name_texts.__file__).parent
    modules = sorted(pages.glob("name*.py"))
    assert len(modules) > 1
    for module in modules:
        source = module.read_text(encoding="utf-8")
        tree = ast.parse(source)
        assert ast.get_docstring(tree), module.name
        assert "html.escape" not in source, module.name
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                assert size <= 300, f"{module.name}: {node.name} is {size} lines"


def test_a_new_sig_has_no_ideas_and_says_so(ws: Workspace) -> None:
    form = page_for(ws, "Ada", sig="blank-group")
    assert "No name ideas yet" in form.ideas.list_box.children[0].value


def test_description_count_is_live_against_the_listing_limit(ws: Workspace) -> None:
    form = page_for(ws, "Ada", sig="blank-group")
    description = control(form, "identity.description")
    description.input.value = "x" * 120
    assert "120 / 500 characters" in description.notes.value
    description.input.value = "x" * 501
    assert "swb-count--over" in description.notes.value
    assert ws.load("blank-group").plan.identity.description == "x" * 501  # advised, not a limit


def test_theme_and_welcome_save_and_a_line_break_in_the_name_is_refused(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    control(form, "identity.theme").input.value = "Discharge"
    control(form, "identity.welcome_message").input.value = "Hello!\nSay hi."
    plan = ws.load(SIG).plan
    assert (plan.identity.theme, plan.identity.welcome_message) == ("Discharge", "Hello!\nSay hi.")
    before = ws.load(SIG).revision
    name = control(form, "identity.name")
    name.input.value = "x" * 81
    assert "swb-error" in name.problem.value
    assert ws.load(SIG).revision == before
    assert ws.load(SIG).plan.identity.name == "Home Safely"


def test_a_name_changed_elsewhere_shows_after_a_refresh(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    ws.set(SIG, "identity.name", "Homeward", author="Bo")
    form.ideas.session.refresh()
    assert control(form, "identity.name").input.value == "Homeward"


def test_the_history_tells_of_a_round_without_anyones_dots(ws: Workspace) -> None:
    """The history panel is on every page and open to everyone: while a round is open it says
    a ballot was cast, never whose dots went where, and undoes no ballot (that would take back
    other people's dots put since)."""
    ada, bo = page_for(ws, "Ada Lovelace"), page_for(ws, "Bo Brummell")
    _start(ada.ideas)
    ada.ideas.row_for("The Homecoming Group").toggle.value = True
    panel = HistoryPanel(bo.ideas.session)
    bo.ideas.session.refresh()
    panel.selected_index = 0  # opened
    rows = [w for w in walk(panel) if "swb-history-row" in getattr(w, "_dom_classes", ())]
    newest = rows[0].children[0].value
    assert "Changed Voting round: <q>open, 3 dots each, 1 ballot</q>" in newest
    buttons = [b.description for b in walk(rows[0]) if isinstance(b, widgets.Button)]
    assert not any(b in ("Undo this change", "Put this value back") for b in buttons)
    seen = _states(panel)
    assert not any(i.id in seen for i in ws.load(SIG).plan.identity.name_ideas)
    assert "Homecoming" not in seen
    with pytest.raises(WorkspaceError, match="with the page's buttons"):
        ada.ideas.session.undo()
    assert _ballots(ws) == {"Ada Lovelace": {"The Homecoming Group": 1}}


def test_a_pages_downloads_hold_no_ballot_of_an_open_round(ws: Workspace) -> None:
    form = page_for(ws, "Ada Lovelace")
    _start(form.ideas)
    form.ideas.row_for("The Homecoming Group").toggle.value = True
    files = export_all(form.ideas.session).downloads
    assert files and not any(b"Ada Lovelace" in f.data for f in files)
    plan = next(f for f in files if f.file_name.endswith(".json"))
    assert json.loads(plan.data)["identity"]["voting_round"]["ballots"] == []
    form.ideas.reveal_button.click()  # revealed: the ballots are everyone's to read
    files = export_all(form.ideas.session).downloads
    assert b"Ada Lovelace" in next(f for f in files if f.file_name.endswith(".json")).data


def test_ideas_collected_privately_are_each_persons_own_until_revealed(ws: Workspace) -> None:
    """With 'ideas privately first', no page, history line or download shows another
    person's idea before the reveal (the first idea does not anchor the rest)."""
    ada, bo = page_for(ws, "Ada", sig="blank-group"), page_for(ws, "Bo", sig="blank-group")
    ada.ideas.private_ideas.value = True
    ada.ideas.start_button.click()
    assert ws.load("blank-group").plan.identity.voting_round.status == "collecting"
    for page, idea in ((ada, "Pill Pals"), (bo, "Pill Pals"), (bo, "Dose Friends")):
        page.ideas.session.refresh()
        page.ideas.idea_input.value = idea
        assert page.ideas.add(), page.ideas.message.value  # the same idea is no giveaway
    ada.ideas.session.refresh()
    panel = HistoryPanel(ada.ideas.session)
    panel.selected_index = 0
    seen = _states(ada) + _states(panel)
    assert "Dose Friends" not in seen and "Pill Pals" in seen  # Ada's own only
    assert "3 ideas so far" in ada.ideas.round_status.value
    assert "hidden until the ideas are revealed" in seen
    assert [row.idea_id for row in ada.ideas.list_box.children] == [
        i.id for i in ws.load("blank-group").plan.identity.name_ideas if i.proposed_by == "Ada"
    ]
    assert not any(b"Dose Friends" in f.data for f in export_all(ada.ideas.session).downloads)
    assert ada.ideas.vote(ada.ideas.list_box.children[0].idea_id, True) is False, "no vote yet"
    ada.ideas.reveal_ideas_button.click()
    assert ws.load("blank-group").plan.identity.voting_round.status == "open"
    assert "Vote for “Dose Friends”" in shown_order(ada.ideas)
    lines = " ".join(w.value for w in walk(panel) if isinstance(w, widgets.HTML))
    assert "Dose Friends" in lines
