"""The name page (step 2): ideas, one vote each, ranking, choosing, and the listing texts."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from traitlets import TraitError
from widget_tree import control, walk

from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.plan.voting import VotingError, add_idea, ranked, with_vote
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.name import NameIdeas, build
from sigworkbook.workspace import Workspace

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


def test_a_vote_is_given_once_and_taken_back_by_the_same_person() -> None:
    votes = with_vote(["Ada"], "Bo", True)
    assert votes == ["Ada", "Bo"]
    assert with_vote(votes, " bo ", True) == ["Ada", "bo"]
    assert with_vote(votes, "BO", False) == ["Ada"]
    with pytest.raises(VotingError, match="named participant"):
        with_vote(votes, "  ", True)


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


def test_ticking_a_vote_saves_it_and_the_list_stays_put_until_sorted(ws: Workspace) -> None:
    form = page_for(ws, "Maya Okafor")
    before = shown_order(form.ideas)
    assert before[1] == "Vote for “Out of Hospital, Into Home”"
    rows = list(form.ideas.list_box.children)
    discharge = form.ideas.row_for("Discharge Matters")
    discharge.toggle.value = True
    stored = {i.name: i.votes for i in ws.load(SIG).plan.identity.name_ideas}
    assert stored["Discharge Matters"] == ["Dr Priyanka Desai", "Maya Okafor"]
    # Nothing moved and no row was rebuilt: the box that was ticked keeps the keyboard focus.
    assert shown_order(form.ideas) == before
    assert list(form.ideas.list_box.children) == rows
    assert form.ideas.row_for("Discharge Matters") is discharge
    assert discharge.toggle.value is True
    assert "2 votes" in discharge.summary.value
    assert "2nd" in discharge.summary.value and "joint" not in discharge.summary.value

    form.ideas.sort_button.click()
    assert shown_order(form.ideas)[1] == "Vote for “Discharge Matters”"
    assert "leading" in form.ideas.row_for("Home Safely").summary.value
    assert "leading" not in discharge.summary.value

    discharge.toggle.value = False
    stored = {i.name: i.votes for i in ws.load(SIG).plan.identity.name_ideas}
    assert stored["Discharge Matters"] == ["Dr Priyanka Desai"]


def test_votes_in_a_row_each_count_however_fast(ws: Workspace) -> None:
    form = page_for(ws, "Ada", sig="blank-group")
    for idea in ("One", "Two", "Three"):
        form.ideas.idea_input.value = idea
        assert form.ideas.add()
    form.ideas.vote_as.options = ("Ada",)
    form.ideas.vote_as.value = "Ada"
    rows = list(form.ideas.list_box.children)
    for row in rows:
        row.toggle.value = True
    stored = {i.name: i.votes for i in ws.load("blank-group").plan.identity.name_ideas}
    assert stored == {"One": ["Ada"], "Two": ["Ada"], "Three": ["Ada"]}
    assert list(form.ideas.list_box.children) == rows
    assert all("joint 1st" in row.summary.value for row in rows)


def test_a_participant_without_a_name_is_told_and_cannot_vote(ws: Workspace) -> None:
    form = page_for(ws, None)
    before = ws.load(SIG).revision
    assert form.ideas.vote_as.value is None
    assert "choose who is voting" in form.ideas.notice.value
    assert "00-start.ipynb?sig=home-safely" in form.ideas.notice.value
    assert all(row.toggle.disabled for row in form.ideas.list_box.children)
    idea_id = form.ideas.row_for("Discharge Matters").idea_id
    assert form.ideas.vote(idea_id, True) is False
    assert "Voting as" in form.ideas.message.value
    assert ws.load(SIG).revision == before


def test_on_a_shared_screen_each_person_votes_in_turn(ws: Workspace) -> None:
    form = page_for(ws, "Fay")
    ideas = form.ideas
    people = [p.name for p in ws.load(SIG).plan.core_group.people]
    assert isinstance(ideas.vote_as, widgets.Dropdown), "chosen from a list, never typed"
    assert ideas.vote_as.options == ("Fay", *people), "the visitor first, then the core group"
    assert ideas.vote_as.value == "Fay"
    ideas.vote_as.value = "Jas Bhamra"
    assert "Voting as <strong>Jas Bhamra</strong>" in ideas.notice.value
    assert ideas.row_for("Home Safely").toggle.value is True, "Jas has voted for it"
    ideas.row_for("Discharge Matters").toggle.value = True
    ideas.vote_as.value = "Hetty Greaves"
    assert ideas.row_for("Discharge Matters").toggle.value is False, "Hetty has not"
    ideas.row_for("Discharge Matters").toggle.value = True
    stored = {i.name: i.votes for i in ws.load(SIG).plan.identity.name_ideas}
    assert stored["Discharge Matters"] == ["Dr Priyanka Desai", "Jas Bhamra", "Hetty Greaves"]
    assert not any("Fay" in votes for votes in stored.values())
    with pytest.raises(TraitError):
        ideas.vote_as.value = "Jas"  # not somebody in the list: "Jas" and "Jas Bhamra" are one
    ideas.vote_as.value = None
    assert all(row.toggle.disabled for row in ideas.list_box.children)
    assert "choose who is voting" in ideas.notice.value


def test_someone_added_to_the_core_group_can_vote_at_once(ws: Workspace) -> None:
    form = page_for(ws, "Fay")
    ws.update(SIG, "core_group.people", lambda people: [*people, {"name": "Sam Newcomer"}])
    form.ideas.session.refresh()
    assert form.ideas.vote_as.options[-1] == "Sam Newcomer"
    assert form.ideas.vote_as.value == "Fay"


def test_two_people_voting_at_once_keep_both_votes(ws: Workspace) -> None:
    ada, bo = page_for(ws, "Ada"), page_for(ws, "Bo")
    ada.ideas.row_for("The Homecoming Group").toggle.value = True
    bo.ideas.row_for("The Homecoming Group").toggle.value = True  # Bo's page had not refreshed
    stored = {i.name: i.votes for i in ws.load(SIG).plan.identity.name_ideas}
    assert stored["The Homecoming Group"] == ["Hetty Greaves", "Ada", "Bo"]


def test_an_idea_added_by_someone_else_shows_after_a_refresh(ws: Workspace) -> None:
    form = page_for(ws, "Ada")
    other = page_for(ws, "Bo")
    other.ideas.idea_input.value = "Homeward"
    other.ideas.add()
    assert "Vote for “Homeward”" not in shown_order(form.ideas)
    form.ideas.session.refresh()
    assert "Vote for “Homeward”" in shown_order(form.ideas)


def test_choosing_the_leading_idea_sets_the_name(ws: Workspace) -> None:
    form = page_for(ws, "Ada", sig="blank-group")
    for idea in ("Pill Pals", "Dose Friends"):
        form.ideas.idea_input.value = idea
        form.ideas.add()
    form.ideas.vote_as.options = ("Ada",)
    form.ideas.vote_as.value = "Ada"
    form.ideas.row_for("Dose Friends").toggle.value = True
    assert form.ideas.choice.value == form.ideas.row_for("Dose Friends").idea_id, "the leader"
    form.ideas.choose_button.click()
    assert ws.load("blank-group").plan.identity.name == "Dose Friends"
    assert control(form, "identity.name").input.value == "Dose Friends"
    assert "✓ chosen" in form.ideas.row_for("Dose Friends").summary.value
    assert "✓ chosen" not in form.ideas.row_for("Pill Pals").summary.value


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
