"""A new SIG taken through every step in the browser alone, each step checked after a reload."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.e2e_harness import Server, wait_for_widgets
from e2e.workbook_pages import (
    add_row,
    button,
    card,
    choose,
    field,
    open_rows,
    plan_value,
    reload,
    rows,
    selected_label,
    set_number,
    settled,
    shoot,
    shown,
    status,
    table,
    wait_for_value,
)
from sigworkbook.plan.fieldtypes import slugify
from sigworkbook.plan.steps import STEPS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WHO = "Tess Walker"
FIRST_NAME = "Ward Medicines Circle"
CHOSEN_NAME = "Safer Scripts"


class Walk:
    """The browser, the server and the SIG being built, with the checks every step shares."""

    def __init__(self, page: Page, server: Server) -> None:
        self.page = page
        self.server = server
        self.sig = ""

    def saved(self, values: dict[str, Any]) -> None:
        """Wait until every path holds its value in the database and the page says so."""
        for path, value in values.items():
            wait_for_value(self.server.workspace, self.sig, path, value)
        expect(status(self.page)).to_contain_text("Saved at")

    def next_step(self, title: str) -> None:
        """Follow the page's "Next" link, which carries the SIG and the participant along."""
        link = shown(self.page).locator(".swb-next a")
        expect(link).to_contain_text(title)
        link.click()  # the app switches to the step in place
        step = next(step for step in STEPS if step.label == title)
        self.page.wait_for_url(re.compile(rf"[?&]step={step.key}(&|$)"))
        settled(self.page)
        query = parse_qs(urlparse(self.page.url).query)
        assert query.get("sig") == [self.sig] and query.get("who") == [WHO], self.page.url
        current = shown(self.page).locator('.swb-steps [aria-current="page"]')
        expect(current).to_contain_text(title)

    def reload(self, shot: str) -> None:
        reload(self.page)
        expect(shown(self.page).locator(".swb-header .swb-who")).to_have_text(f"You: {WHO}")
        shoot(self.page, f"walkthrough-{shot}")


def fill(scope: Page | Locator, values: dict[str, str]) -> None:
    for label, value in values.items():
        field(scope, label).fill(value)


def expect_values(scope: Page | Locator, values: dict[str, str]) -> None:
    for label, value in values.items():
        expect(field(scope, label)).to_have_value(value)


# --- step 0: start ---------------------------------------------------------------------------


def start(walk: Walk) -> None:
    page = walk.page
    page.goto(walk.server.page_url("00-start.ipynb"))
    wait_for_widgets(page)
    field(page, "Your name").fill(WHO)
    field(page, "Name of the new SIG").fill(FIRST_NAME)
    button(page, "Create the SIG").click()
    created = card(page, "Start a new SIG").locator(".swb-notice--success")
    expect(created).to_contain_text(f"Created “{FIRST_NAME}”")
    with page.expect_navigation():
        created.get_by_role("link", name="Open it →").click()
    wait_for_widgets(page)
    walk.sig = parse_qs(urlparse(page.url).query)["sig"][0]
    assert plan_value(walk.server.workspace, walk.sig, "identity.name") == FIRST_NAME
    expect(shown(page).locator(".swb-header .swb-sig")).to_have_text(FIRST_NAME)
    expect(shown(page).locator(".swb-header .swb-who")).to_have_text(f"You: {WHO}")

    field(page, "Meeting date").fill("2027-03-09")
    set_number(field(page, "Meeting length (minutes)"), 120)
    set_number(field(page, "1. Core group and statement (minutes)"), 25)
    walk.saved(
        {"meeting.date": "2027-03-09", "meeting.length_minutes": 120, "meeting.timeboxes.core": 25}
    )

    walk.reload("0-start")
    expect(field(page, "Meeting date")).to_have_value("2027-03-09")
    expect(field(page, "Meeting length (minutes)")).to_have_value("120")
    expect(field(page, "1. Core group and statement (minutes)")).to_have_value("25")


# --- step 1: core group and statement --------------------------------------------------------

PEOPLE = [
    ("Tess Walker", "Riverside Hospital", "Convener", "tess.walker@example.org", True),
    ("Omar Haddad", "Hillside Surgery", "Co-convener", "omar.haddad@example.org", False),
]
CORE_TEXT = {
    "Area of action": "Medicines on hospital wards and at discharge",
    "Challenges": "Patients go home with long lists of medicines nobody has reviewed",
    "Where wider help would make the difference": "Pharmacists and GPs sharing what they check",
    "Learning question": "How can every ward review medicines before discharge",
    "Core statement": "We help ward teams and pharmacists review medicines together",
    "Invitation": "Join us if you care about safer medicines at discharge. Reply to Tess.",
}
GROUP = "Medicines Safety Community of Practice"


def core(walk: Walk) -> None:
    page = walk.page
    walk.next_step("1. Core group and statement")
    for name, organisation, role, contact, member in PEOPLE:
        row = add_row(page, "Core group", "Add a person")
        fill(row, {"Name": name, "Organisation": organisation, "Contact": contact})
        choose(row, "Role", role)
        choose(row, "Network member", "Yes" if member else "No")
    fill(page, CORE_TEXT)
    field(page, "Key phrases (one per line)").fill("polypharmacy\nmedicines safety")
    walk.saved(
        {
            "identity.key_phrases": ["polypharmacy", "medicines safety"],
            "core_group.people": lambda people: (
                [(p["name"], p["organisation"], p["role"], p["network_member"]) for p in people]
                == [
                    ("Tess Walker", "Riverside Hospital", "convener", True),
                    ("Omar Haddad", "Hillside Surgery", "co_convener", False),
                ]
            ),
            "statement.core_statement": CORE_TEXT["Core statement"],
            "statement.invitation": CORE_TEXT["Invitation"],
        }
    )

    existing = card(page, "Is there a group like this already?")
    button(existing, "Use the sample list").click()
    looked = existing.get_by_label(f"We looked at “{GROUP}”", exact=True)
    looked.check()
    expect(field(existing, "Groups looked at (one per line)")).to_have_value(GROUP)
    choose(existing, "Decision", "Start a new group")
    field(existing, "Reason").fill("Theirs is national; ours is about our own wards")
    walk.saved(
        {
            "statement.existing_groups.groups_considered": [GROUP],
            "statement.existing_groups.decision": "new",
            "statement.existing_groups.reason": "Theirs is national; ours is about our own wards",
        }
    )

    walk.reload("1-core")
    people = open_rows(table(page, "Core group"))
    expect(people).to_have_count(2)
    for index, (name, organisation, role, contact, member) in enumerate(PEOPLE):
        row = people.nth(index)
        expect_values(row, {"Name": name, "Organisation": organisation, "Contact": contact})
        assert selected_label(field(row, "Role")) == role
        assert selected_label(field(row, "Network member")) == ("Yes" if member else "No")
    expect_values(page, CORE_TEXT)
    expect(field(page, "Key phrases (one per line)")).to_have_value(
        "polypharmacy\nmedicines safety"
    )
    expect(field(page, "Groups looked at (one per line)")).to_have_value(GROUP)
    assert selected_label(field(page, "Decision")) == "Start a new group"


# --- step 2: name and description ------------------------------------------------------------

NAME_TEXT = {
    "Brief description": "Ward staff and pharmacists who review medicines together",
    "Theme": "Medicines safety",
    "Welcome message": "Welcome to Safer Scripts. Say hello and tell us about your ward.",
}


def name(walk: Walk) -> None:
    page = walk.page
    walk.next_step("2. Name and description")
    ideas = card(page, "Name ideas and votes")
    for idea in ("Medicines Matters", CHOSEN_NAME):
        field(ideas, "Name idea").fill(idea)
        button(ideas, "Add idea").click()
        expect(ideas.locator(".swb-ideas")).to_contain_text(idea)
        expect(field(ideas, "Name idea")).to_have_value("")
    set_number(field(ideas, "Dots each"), 1)
    button(ideas, "Start a voting round").click()
    ideas.get_by_label(f"Vote for “{CHOSEN_NAME}”", exact=True).check()
    # The core group's Omar is not here to vote: anyone may reveal.
    expect(ideas).to_contain_text("1 of 2 have voted; waiting for: Omar Haddad")
    button(ideas, "Reveal the results").click()
    expect(ideas).to_contain_text(f"1 vote: {WHO}")
    expect(field(ideas, "Name to choose")).to_have_value(re.compile(r"\w+"))
    assert selected_label(field(ideas, "Name to choose")) == CHOSEN_NAME, "the leader is offered"
    button(ideas, "Choose this name").click()
    expect(field(page, "Name")).to_have_value(CHOSEN_NAME)
    expect(shown(page).locator(".swb-header .swb-sig")).to_have_text(CHOSEN_NAME)
    fill(page, NAME_TEXT)
    walk.saved(
        {
            "identity.name": CHOSEN_NAME,
            "identity.name_ideas": lambda ideas: (
                [i["name"] for i in ideas] == ["Medicines Matters", CHOSEN_NAME]
            ),
            "identity.name_decision": lambda record: (
                record["name"] == CHOSEN_NAME and record["voters"] == [WHO]
            ),
            "identity.description": NAME_TEXT["Brief description"],
            "identity.theme": NAME_TEXT["Theme"],
            "identity.welcome_message": NAME_TEXT["Welcome message"],
        }
    )

    walk.reload("2-name")
    ideas = card(page, "Name ideas and votes")
    expect(ideas.locator(".swb-row--chosen")).to_contain_text(CHOSEN_NAME)
    expect(ideas.locator(".swb-row--chosen")).to_contain_text("1st")
    expect(ideas.locator(".swb-row").first).to_contain_text(CHOSEN_NAME)  # sorted on reload
    expect(ideas.locator(".swb-row--chosen")).to_contain_text("chosen")
    expect(ideas.locator(".swb-row--chosen")).to_contain_text(f"1 vote: {WHO}")
    expect(field(page, "Name")).to_have_value(CHOSEN_NAME)
    expect_values(page, NAME_TEXT)


# --- step 3: charter -------------------------------------------------------------------------

CHARTER_TEXT = {
    "What are we trying to do?": "Every patient leaves the ward with reviewed medicines",
    "How do we need to do it?": "Short monthly huddles and a shared checklist",
    "Who needs to do it?": "Ward nurses, pharmacists and GPs",
    "How will we know we are doing it?": "We count reviews done before discharge",
    "In scope": "Adult wards and the first week at home",
    "Out of scope": "Children and mental health wards",
    "What members get": "Checklists, peer support and quick answers",
    "Values and ground rules": "Be kind, share freely, no blame",
    "Who may join": "Anyone who prescribes, dispenses or gives medicines",
    "Expected commitment": "One huddle a month",
    "Meeting rhythm": "Monthly at lunchtime",
    "Channels and online space": "The network online space",
    "How learning is shared": "A short note after every huddle",
    "Resources and support needed": "A room and an hour of analyst time",
}
MEASURE = {"Indicator": "Reviews done before discharge", "Target": "Eight in ten by summer"}
RISK = {"Risk": "Wards too busy to join", "Mitigation": "Keep huddles to twenty minutes"}


def charter(walk: Walk) -> None:
    page = walk.page
    walk.next_step("3. Charter")
    fill(page, CHARTER_TEXT)
    choose(page, "Open or closed", "Closed: by invitation")
    choose(page, "Lifecycle stage", "Coalescing")
    measure = add_row(page, "Measures of success", "Add a measure")
    fill(measure, MEASURE)
    choose(measure, "Kind of value", "Applied value")
    field(measure, "Review date").fill("2027-09-01")
    risk = add_row(page, "Risks and mitigations", "Add a risk")
    fill(risk, RISK)
    field(page, "Charter review date").fill("2028-03-01")
    walk.saved(
        {
            "charter.purpose": CHARTER_TEXT["What are we trying to do?"],
            "charter.resources": CHARTER_TEXT["Resources and support needed"],
            "charter.membership.openness": "closed",
            "charter.lifecycle_stage": "coalescing",
            "charter.measures.0.indicator": MEASURE["Indicator"],
            "charter.measures.0.value_kind": "applied",
            "charter.measures.0.review_date": "2027-09-01",
            "charter.risks.0.mitigation": RISK["Mitigation"],
            "charter.review_date": "2028-03-01",
        }
    )

    walk.reload("3-charter")
    expect_values(page, CHARTER_TEXT)
    assert selected_label(field(page, "Open or closed")) == "Closed: by invitation"
    assert selected_label(field(page, "Lifecycle stage")) == "Coalescing"
    measure = open_rows(table(page, "Measures of success"))
    expect(measure).to_have_count(1)
    expect_values(measure, {**MEASURE, "Review date": "2027-09-01"})
    assert selected_label(field(measure, "Kind of value")) == "Applied value"
    risk = open_rows(table(page, "Risks and mitigations"))
    expect(risk).to_have_count(1)
    expect_values(risk, RISK)
    expect(field(page, "Charter review date")).to_have_value("2028-03-01")


# --- step 4: schedule ------------------------------------------------------------------------

ACTIVITY = {
    "Title": "Medicines huddle",
    "Where": "Online, the network video room",
    "Owner": "Omar Haddad",
    "Number of times": "6",
}


def schedule(walk: Walk) -> None:
    page = walk.page
    walk.next_step("4. Schedule of activities")
    choose(page, "Type of the new activity", "Online meeting")
    activity = add_row(page, "Activities", "Add an activity")
    assert selected_label(field(activity, "Type")) == "Online meeting"
    expect(field(activity, "Duration (minutes)")).to_have_value("60")
    fill(activity, ACTIVITY)
    field(activity, "Starts").fill("2027-04-14T12:30")
    expect(field(activity, "Monthly on")).to_be_hidden()  # asked only for a monthly activity
    choose(activity, "Repeats", "Monthly")
    choose(activity, "Monthly on", "On the same weekday (e.g. the first Tuesday)")
    set_number(field(activity, "Duration (minutes)"), 45)
    walk.saved(
        {
            "schedule.activities.0.type": "online_meeting",
            "schedule.activities.0.title": ACTIVITY["Title"],
            "schedule.activities.0.start": "2027-04-14T12:30:00",
            "schedule.activities.0.duration_minutes": 45,
            "schedule.activities.0.recurrence.frequency": "monthly",
            "schedule.activities.0.recurrence.monthly_by": "weekday",
            "schedule.activities.0.recurrence.count": 6,
            "schedule.activities.0.owner": ACTIVITY["Owner"],
        }
    )
    by_date = card(page, "The schedule by date")
    expect(by_date).to_contain_text("Wed 14 Apr 2027, 12:30")
    expect(by_date).to_contain_text("Monthly on the second Wednesday, 6 times")

    walk.reload("4-schedule")
    activity = rows(table(page, "Activities"))
    expect(activity).to_have_count(1)
    # Folded after the reload: one line with the short fields, then the inputs on "Edit".
    expect(activity).to_contain_text("Owner: Omar Haddad")
    expect(activity).to_contain_text("Starts: Wed 14 Apr 2027, 12:30 · Time zone: UK time")
    activity = open_rows(table(page, "Activities"))
    expect_values(activity, {**ACTIVITY, "Duration (minutes)": "45"})
    expect(field(activity, "Starts")).to_have_value(re.compile(r"^2027-04-14T12:30"))
    assert selected_label(field(activity, "Repeats")) == "Monthly"
    assert selected_label(field(activity, "Monthly on")).startswith("On the same weekday")
    expect(card(page, "The schedule by date")).to_contain_text(ACTIVITY["Title"])


# --- step 5: promotion and invitations -------------------------------------------------------

DRAFT = "Do you review medicines at discharge? Join Safer Scripts, our new group."
INVITEE = "Hattie Abernant"


def promotion(walk: Walk) -> None:
    page = walk.page
    walk.next_step("5. Promotion and invitations")
    action = add_row(page, "Promotion actions", "Add a promotion action")
    choose(action, "Channel", "LinkedIn")
    fill(action, {"Draft text": DRAFT, "Owner": "Tess Walker"})
    field(action, "Date").fill("2027-03-20")
    expect(action).to_contain_text(f"{len(DRAFT)} / ")

    people = card(page, "Find people to invite")
    button(people, "Use the sample directory").click()
    expect(people).to_contain_text("people loaded from the sample directory")
    query = field(people, "Search for (one term per line or separated by ;)")
    expect(query).to_have_value(re.compile("polypharmacy"))  # filled in from the plan
    query.fill("polypharmacy")
    button(people, "Search the directory").click()
    expect(people).to_contain_text(re.compile(r"\d+ people match"))
    people.get_by_label(re.compile(f"^Invite {INVITEE} ")).check()
    expect(people.locator(".swb-row")).to_contain_text(INVITEE)
    field(page, "A welcome post is up").check()
    walk.saved(
        {
            "promotion.actions.0.channel": "linkedin",
            "promotion.actions.0.draft": DRAFT,
            "promotion.actions.0.date": "2027-03-20",
            "promotion.invitees": lambda invitees: [i["name"] for i in invitees] == [INVITEE],
            "promotion.online_space.welcome_post": True,
        }
    )

    walk.reload("5-promotion")
    action = open_rows(table(page, "Promotion actions"))
    expect(action).to_have_count(1)
    assert selected_label(field(action, "Channel")) == "LinkedIn"
    expect_values(action, {"Draft text": DRAFT, "Owner": "Tess Walker", "Date": "2027-03-20"})
    people = card(page, "Find people to invite")
    expect(people.locator(".swb-row")).to_contain_text(INVITEE)
    expect(field(page, "A welcome post is up")).to_be_checked()
    expect(field(page, "New members are asked to introduce themselves")).not_to_be_checked()


# --- step 6: review and export ---------------------------------------------------------------


def review(walk: Walk, downloads: Path) -> None:
    page = walk.page
    walk.next_step("6. Review and export")
    preview = shown(page).locator(".swb-charter-preview")
    expect(preview).to_contain_text(CHOSEN_NAME)
    expect(preview).to_contain_text(CORE_TEXT["Core statement"])

    first = shown(page).locator(".swb-row").first
    choose(first, "Status", "In progress")
    field(first, "Owner").fill("Omar Haddad")
    item = "development.items.online_space"
    walk.saved({f"{item}.status": "in_progress", f"{item}.owner": "Omar Haddad"})
    walk.reload("6-review")
    first = shown(page).locator(".swb-row").first
    assert selected_label(field(first, "Status")) == "In progress"
    expect(field(first, "Owner")).to_have_value("Omar Haddad")

    saved_as = f"{slugify(CHOSEN_NAME)}-charter.md"  # the SIG's current name, not its first
    link = shown(page).locator(f'a.swb-download[download="{saved_as}"]')
    expect(link).to_have_attribute("href", re.compile(r"^data:text/markdown;charset=utf-8;base64,"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == saved_as
    saved = downloads / "charter.md"
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    written = walk.server.workspace / "exports" / walk.sig / "charter.md"
    assert saved.read_bytes() == written.read_bytes(), "the download differs from the export"

    assert text.startswith(f"# {CHOSEN_NAME}\n")
    expected = [
        NAME_TEXT["Brief description"],
        NAME_TEXT["Theme"],
        *(name for name, *_ in PEOPLE),
        "Riverside Hospital",
        *(text for label, text in CORE_TEXT.items() if label != "Invitation"),
        GROUP,
        "polypharmacy",
        *CHARTER_TEXT.values(),
        MEASURE["Indicator"],
        MEASURE["Target"],
        "1 September 2027",  # the measure's review date, as the charter writes dates
        *RISK.values(),
        ACTIVITY["Title"],
        "1 March 2028",
    ]
    missing = [value for value in expected if value not in text]
    assert not missing, f"the downloaded charter lacks {missing}:\n{text}"


def test_new_sig_through_every_step(page: Page, workbook_server: Server, tmp_path: Path) -> None:
    walk = Walk(page, workbook_server)
    start(walk)
    core(walk)
    name(walk)
    charter(walk)
    schedule(walk)
    promotion(walk)
    review(walk, tmp_path)
