"""The core-group page (step 1): people, focus, existing-group check, statement and invitation."""

from __future__ import annotations

import datetime as dt
import html
import re

import ipywidgets as widgets
import pytest
from widget_tree import control

from sigworkbook.lists.matching import normalise
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.core import (
    LONG_SENTENCE,
    ExistingGroups,
    build,
    feedback_html,
    invitation_feedback,
    query_terms,
    sentences,
)
from sigworkbook.workspace import Workspace

SIG = "home-safely"
CONSIDERED = "statement.existing_groups.groups_considered"


def kinds(text: str) -> list[str]:
    return [advice.kind for advice in invitation_feedback(text)]


def page_for(ws: Workspace, sig: str = SIG, author: str = "Ada") -> widgets.Widget:
    return build(Page(STEP_BY_KEY["core"], Session(ws, sig, author=author)))


def upload(existing: ExistingGroups, name: str, content: bytes) -> None:
    existing.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 1, 1),
        },
    )


# --- plain-language feedback ----------------------------------------------------------------

GOOD = "Do you care about safe discharge? Join us at our monthly huddle."


def test_a_short_personal_invitation_with_a_next_step_gets_no_advice() -> None:
    assert invitation_feedback(GOOD) == []
    assert "Reads plainly" in feedback_html(GOOD)


def test_nothing_typed_gets_no_advice_yet() -> None:
    assert invitation_feedback("  \n ") == []
    assert "as you write" in feedback_html("")


def test_a_long_sentence_is_named_by_its_number() -> None:
    long_one = " ".join(["word"] * (LONG_SENTENCE + 1)) + "."
    (advice,) = invitation_feedback(f"{GOOD}\n\n{long_one}")
    assert advice.kind == "long_sentence"
    assert advice.message.startswith(f"Sentence 3 has {LONG_SENTENCE + 1} words")
    just_right = " ".join(["word"] * LONG_SENTENCE) + "."
    assert invitation_feedback(f"{GOOD} {just_right}") == []


def test_sentences_split_at_stops_and_line_breaks() -> None:
    assert sentences("One. Two? Three!\n- four\n\nfive") == [
        "One.",
        "Two?",
        "Three!",
        "- four",
        "five",
    ]


def test_unexplained_capitals_are_listed_but_well_known_ones_are_not() -> None:
    (advice,) = invitation_feedback(f"{GOOD} Our QI CoP meets GPs and NHS staff. QI again.")
    assert advice.kind == "capitals"
    assert "QI, CoP." in advice.message


def test_jargon_gets_a_plainer_word() -> None:
    advice = invitation_feedback(f"{GOOD} We leverage best practice.")
    assert [a.message for a in advice] == [
        "“leverage” is jargon: try “use”.",
        "“best practice” is jargon: try “what works”.",
    ]


def test_an_invitation_that_never_says_you_or_what_to_do_is_told_both() -> None:
    assert kinds("We are a group about discharge. It is good.") == ["no_you", "no_call_to_action"]
    assert kinds("We meet monthly. Come along!") == ["no_you"]
    assert kinds("You would like the following notes.") == ["no_call_to_action"]


def test_feedback_escapes_what_was_typed() -> None:
    shown = feedback_html("<SCRIPT>alert(1)</SCRIPT> " + " ".join(["x"] * 30))
    assert "<SCRIPT>" not in shown and "&lt;SCRIPT&gt;" not in shown  # quoted as words only
    assert "SCRIPT" in shown


def test_the_invitation_feedback_follows_typing_on_the_page(ws: Workspace) -> None:
    form = page_for(ws)
    assert "Sentence 4 has 31 words" in form.invitation.feedback.value  # the demo's draft
    form.invitation.control.input.value = GOOD
    assert "Reads plainly" in form.invitation.feedback.value
    assert ws.load(SIG).plan.statement.invitation == GOOD
    assert f"{len(GOOD)} / 1200 characters" in form.invitation.control.notes.value


# --- people and focus -----------------------------------------------------------------------


def test_adding_a_person_and_typing_their_details_saves_them(ws: Workspace) -> None:
    form = page_for(ws, sig="blank-group")
    form.people.add_button.click()
    control(form, "core_group.people.0.name").input.value = "Sam Jones"
    control(form, "core_group.people.0.role").input.value = "convener"
    (person,) = ws.load("blank-group").plan.core_group.people
    assert (person.name, person.role) == ("Sam Jones", "convener")


def test_network_membership_starts_unanswered_and_takes_yes_no_or_blank(ws: Workspace) -> None:
    form = page_for(ws, sig="blank-group")
    form.people.add_button.click()
    member = control(form, "core_group.people.0.network_member")
    assert member.input.value == "" and member.input.options[0][0] == "Not answered yet"
    control(form, "core_group.people.0.name").input.value = "Ann from Age UK"
    assert ws.load("blank-group").plan.core_group.people[0].network_member is None
    for shown, saved in (("yes", True), ("no", False), ("", None)):
        member.input.value = shown
        assert ws.load("blank-group").plan.core_group.people[0].network_member is saved


def test_focus_fields_and_key_phrases_save(ws: Workspace) -> None:
    form = page_for(ws, sig="blank-group")
    control(form, "statement.challenges").input.value = "Late discharges"
    control(form, "identity.key_phrases").input.value = "discharge\n\n older people \n"
    plan = ws.load("blank-group").plan
    assert plan.statement.challenges == "Late discharges"
    assert plan.identity.key_phrases == ["discharge", "older people"]


def test_a_too_long_core_statement_shows_an_error_and_saves_nothing(ws: Workspace) -> None:
    form = page_for(ws)
    before = ws.load(SIG).revision
    statement = control(form, "statement.core_statement")
    statement.input.value = "x" * 1501
    assert "at most 1500 characters" in statement.problem.value
    assert ws.load(SIG).revision == before


def test_a_statement_edited_elsewhere_shows_after_a_refresh(ws: Workspace) -> None:
    form = page_for(ws)
    ws.set(SIG, "statement.area_of_action", "Discharge of older people", author="Bo")
    form.existing.session.refresh()
    assert control(form, "statement.area_of_action").input.value == "Discharge of older people"


# --- existing-group check -------------------------------------------------------------------


def test_the_sample_list_shows_the_closest_groups_first(ws: Workspace) -> None:
    form = page_for(ws)
    assert form.existing.use_sample()
    assert "41 groups read" in form.existing.message.value
    shown = [getattr(r, "group_name", None) for r in form.existing.results.children[1:]]
    assert shown[0] == "Discharge and Home First Collaborative"
    assert "Frailty Improvement Network" in shown
    assert "Sepsis" not in " ".join(str(s) for s in shown)


def test_groups_already_considered_are_ticked(ws: Workspace) -> None:
    form = page_for(ws)
    form.existing.use_sample()
    assert form.existing.row_for("Frailty Improvement Network").tick.value is True
    assert form.existing.row_for("Carers' Voice Network").tick.value is False


def test_ticking_and_unticking_a_group_saves_the_list(ws: Workspace) -> None:
    form = page_for(ws)
    form.existing.use_sample()
    form.existing.row_for("Carers' Voice Network").tick.value = True
    assert ws.load(SIG).plan.statement.existing_groups.groups_considered == [
        "Discharge and Home First Collaborative",
        "Frailty Improvement Network",
        "Carers' Voice Network",
    ]
    assert "Carers' Voice Network" in control(form, CONSIDERED).input.value
    form.existing.row_for("Frailty Improvement Network").tick.value = False
    assert ws.load(SIG).plan.statement.existing_groups.groups_considered == [
        "Discharge and Home First Collaborative",
        "Carers' Voice Network",
    ]


def test_an_uploaded_csv_is_searched(ws: Workspace) -> None:
    form = page_for(ws)
    content = (
        b"Name,Theme,Key_Phrases,URL\n"
        b"Going Home Well,Hospital discharge,discharge; home first,https://a.example.org\n"
        b"Bone Health,Osteoporosis,fractures,\n"
    )
    upload(form.existing, "ours.csv", content)
    assert "2 groups read from ours.csv" in form.existing.message.value
    row = form.existing.row_for("Going Home Well")
    assert 'href="https://a.example.org"' in row.children[0].value
    with pytest.raises(KeyError):
        form.existing.row_for("Bone Health")
    assert form.existing.upload.value == ()


def test_an_excel_list_with_its_own_column_spelling_is_searched(ws: Workspace) -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in [
        ["Name", "Theme", "Key Phrases"],
        ["Going Home Well", "Hospital discharge", "discharge; home first"],
        ["Bone Health", "Osteoporosis", "fractures"],
    ]:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    form = page_for(ws)
    upload(form.existing, "groups.xlsx", data.getvalue())
    assert "2 groups read from groups.xlsx" in form.existing.message.value
    text = html.unescape(form.existing.row_for("Going Home Well").children[0].value)
    assert "Key phrases: discharge; home first." in text
    assert "“Hospital discharge” in theme" in text
    assert ".xlsx" in form.existing.upload.accept


def test_a_bad_csv_names_the_problem_and_saves_nothing(ws: Workspace) -> None:
    form = page_for(ws)
    before = ws.load(SIG).revision
    upload(form.existing, "groups.csv", b"name,topic\nA,b\n")
    message = html.unescape(form.existing.message.value)
    assert "groups.csv: missing columns 'theme', 'key phrases'" in message
    assert "swb-error" in form.existing.message.value
    assert form.existing.results.children == ()
    assert ws.load(SIG).revision == before


def test_a_link_that_is_not_a_web_address_is_not_made_a_link(ws: Workspace) -> None:
    form = page_for(ws)
    content = b'name,theme,key_phrases,url\nGoing Home Well,discharge,x,"javascript:alert(1)"\n'
    form.existing.load(content, "x.csv")
    assert "href" not in form.existing.row_for("Going Home Well").children[0].value


def test_matches_follow_key_phrases_changed_by_someone_else(ws: Workspace) -> None:
    form = page_for(ws, sig="blank-group")
    form.existing.use_sample()
    assert "No group in the list comes close" in form.existing.results.children[0].value
    ws.set("blank-group", "identity.key_phrases", ["sepsis"], author="Bo")
    form.existing.session.refresh()
    names = [getattr(r, "group_name", None) for r in form.existing.results.children]
    assert any(name and "Sepsis" in name for name in names)


CLAIM = re.compile(r"“([^”]+)” in (name|theme|key phrases)(?: \(close to “([^”]+)”\))?")
"""One 'where found' claim of a shown group: the words, the field, and the term if different."""


def claims(form: widgets.Widget) -> list[tuple[str, str, str, str | None]]:
    """Every claim the shown groups make: (group, words, field, term searched for or None)."""
    found = []
    for row in form.existing.results.children[1:]:
        text = html.unescape(re.sub(r"<[^>]+>", "", row.children[0].value))
        where = text.split("Found ", 1)[1]
        found += [(row.group_name, *claim) for claim in CLAIM.findall(where)]
        assert found, text
    return [(group, words, field, term or None) for group, words, field, term in found]


def test_where_a_group_matched_is_said_truthfully(ws: Workspace) -> None:
    """Issue 14, item 11: a group was said to match 'Frailty Friends' in key phrases that only
    held 'frailty'. Each claim now quotes words that are in that field, and names the term
    searched for when the words differ from it."""
    ws.set("blank-group", "identity.name", "Frailty Friends")
    form = page_for(ws, sig="blank-group")
    form.existing.load(
        "name,theme,key_phrases\n"
        "Frailty Improvement Network,Frailty,frailty; older people; care homes\n"
        "Bone Health,Osteoporosis,fractures\n",
        "groups.csv",
    )
    assert claims(form) == [
        ("Frailty Improvement Network", "Frailty", "theme", "Frailty Friends"),
    ]
    text = form.existing.row_for("Frailty Improvement Network").children[0].value
    assert "“Frailty Friends” in key phrases" not in html.unescape(text)


def test_every_claim_about_the_sample_list_is_true(ws: Workspace) -> None:
    form = page_for(ws)
    form.existing.use_sample()
    groups = {g["name"]: g for g in form.existing.groups}
    shown = claims(form)
    assert len(shown) >= 5
    for group, words, field, term in shown:
        value = groups[group][field.replace(" ", "_")].casefold()
        assert words.casefold() in value, (group, words, field)
        searched = {normalise(t) for t in query_terms(ws.load(SIG).plan.model_dump())}
        if term is None:
            assert normalise(words) in searched, (group, words)
        else:
            assert normalise(term) in searched and normalise(words) != normalise(term)


def test_decision_and_reason_save(ws: Workspace) -> None:
    form = page_for(ws, sig="blank-group")
    control(form, "statement.existing_groups.decision").input.value = "signpost"
    control(form, "statement.existing_groups.reason").input.value = "One exists already."
    check = ws.load("blank-group").plan.statement.existing_groups
    assert (check.decision, check.reason) == ("signpost", "One exists already.")
