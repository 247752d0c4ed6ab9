"""The facilitator leads the meeting (issue 21), without a browser: the rules, and several
people's sessions on one real SQLite workspace, each as its own kernel would hold it."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import pytest
from store_backends import ALICE, BACKENDS, TOM, hosted_sig

from sigworkbook.exports import meeting_record
from sigworkbook.live.leading import Refused, meeting_of
from sigworkbook.live.session import Session
from sigworkbook.plan import meeting as rules
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.app import PAGE_READY, App
from sigworkbook.ui.meeting_bar import MeetingBar
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.name import NameIdeas
from sigworkbook.workspace import Workspace

SIG = "frailty-friends"


def test_moving_on_keeps_the_time_and_resets_who_is_ready() -> None:
    live = rules.started("Ada", "name", 1000.0, 3)
    live = rules.with_ready(live, "Ben", True)
    live = rules.with_ready(live, "cai", True)
    assert rules.ready_text(live, ["Ada", "Ben", "Cai", "Dee"]) == "2 of 3 ready (not yet: Dee)"
    live = rules.with_ready(live, "Cai", False)
    assert rules.readiness(live, ["Ada", "Ben", "Cai"]) == (["Ben"], ["Cai"])
    moved = rules.moved(live, "charter", 1000.0 + 20 * 60)
    assert moved.step == "charter" and moved.ready == [] and moved.spent == {"name": 1200.0}
    assert rules.moved(moved, "charter", 5000.0) is moved
    assert rules.spent_so_far(moved, 1000.0 + 25 * 60) == {"name": 1200.0, "charter": 300.0}


def test_the_agenda_says_ahead_or_behind_and_the_clock_counts_overtime() -> None:
    timeboxes = {"name": 15, "charter": 30}
    live = rules.moved(rules.started("Ada", "name", 0.0, 0), "charter", 20 * 60.0)
    assert rules.agenda_text(rules.lateness(live, timeboxes, 20 * 60.0)) == (
        "5 min behind the agenda"
    )
    early = rules.moved(rules.started("Ada", "name", 0.0, 0), "charter", 10 * 60.0)
    assert rules.agenda_text(rules.lateness(early, timeboxes, 11 * 60.0)) == (
        "5 min ahead of the agenda"
    )
    assert rules.agenda_text(rules.lateness(early, timeboxes, 55 * 60.0)) == (
        "10 min behind the agenda"  # 5 ahead, then 15 over the charter's 30
    )
    assert rules.clock_text(24 * 60 + 8) == "24:08" and rules.clock_text(-135) == "+02:15"
    assert rules.clock_state(600, 600, running=True) == ""
    assert rules.clock_state(120, 600, running=True) == "low"  # 20% left: amber
    assert rules.clock_state(30, 600, running=True) == "late"  # 5% left: red
    assert rules.clock_state(0, 600, running=True) == "over"
    assert rules.clock_state(-5, 600, running=False) == "over"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path, create=True) as opened:
        opened.new_sig("Frailty Friends", author="setup")
        yield opened


class Person:
    """One person's kernel: a session and the app's meeting bar, with the steps it went to."""

    def __init__(self, workspace: Workspace, name: str, step: str = "name") -> None:
        self.session = Session(workspace, SIG, author=name, step=step)
        self.steps: list[str] = []
        self.bar = MeetingBar(self.session, self.go, step)
        self.meeting = meeting_of(self.session)

    def go(self, step: str) -> None:
        self.steps.append(step)
        self.session.step = step
        self.bar.went(step)

    def look(self) -> None:
        """What the change feed and the presence tick do in a kernel."""
        self.session.check_in()
        self.session.refresh()

    @property
    def shown(self) -> str:
        """The bar's words and buttons as they show."""
        parts = [self.bar.line.value, self.bar.notice.value, self.bar.ready_line.value]
        buttons = [
            self.bar.go_button,
            self.bar.rejoin_button,
            self.bar.ready_button,
            self.bar.lead_button,
        ]
        parts += [b.description for b in buttons if b.layout.display != "none"]
        return " ".join(parts)


@pytest.fixture
def room(workspace: Workspace) -> Iterator[list[Person]]:
    people = [Person(workspace, name) for name in ("Ada", "Ben", "Cai")]
    for person in people * 2:
        person.look()
    yield people
    for person in people:
        person.session.close()


def test_the_lead_moves_and_the_group_follows_unless_typing_or_wandered(
    room: list[Person],
) -> None:
    ada, ben, cai = room
    assert "Lead the meeting" in ben.shown
    ada.bar.lead_button.click()
    assert ada.meeting.leading and not ben.meeting.leading
    for person in room:
        person.look()
    assert "Led by Ada" in ben.shown and "Following the group" in ben.shown
    with pytest.raises(Refused, match="Ada leads"):
        ben.meeting.start("name")  # the lead is here: nobody takes over

    cai.session.edit("charter.purpose", "Fewer falls")  # Cai is typing
    ada.go("charter")
    for person in room:
        person.look()
    assert ben.steps == ["charter"], "a follower moves with the lead"
    assert cai.steps == [] and "The group has moved to 3. Charter" in cai.shown
    assert "Go" in cai.shown
    cai.bar.go_button.click()
    assert cai.steps == ["charter"] and "Following the group" in cai.shown
    cai.session.typed_at -= 60  # a minute later: Cai has stopped typing

    ben.go("schedule")  # wanders off
    assert "Rejoin the group" in ben.shown
    ada.go("promotion")
    for person in room:
        person.look()
    assert ben.steps == ["charter", "schedule"], "a wanderer is not brought along"
    assert "The group is on 5. Promotion and invitations" in ben.shown
    ben.bar.rejoin_button.click()
    assert ben.steps[-1] == "promotion" and "Following the group" in ben.shown

    ada.bar.roam.value = True  # free to roam: nobody is brought along
    ada.go("review")
    for person in room * 2:
        person.look()
    assert ben.steps[-1] == "promotion" and "free to roam" in ben.shown
    assert "Not with the group: Ben (5. Promotion and invitations)" in ada.bar.where.value


def test_only_the_lead_moves_roams_hands_over_ends_or_runs_the_timer(
    room: list[Person],
) -> None:
    ada, ben, _ = room
    ben_page = Page(STEP_BY_KEY["charter"], ben.session)
    ben_page.timer.toggle.click()  # no meeting yet: anyone may run the timer
    assert ben_page.timer.running
    ben_page.timer.reset_button.click()
    ada.bar.lead_button.click()
    ben.look()
    for refused in (
        lambda: ben.meeting.move("charter"),
        lambda: ben.meeting.set_roam(True),
        lambda: ben.meeting.hand_to("Ben"),
        ben.meeting.end,
    ):
        with pytest.raises(Refused, match="Only the meeting's lead"):
            refused()
    assert ben_page.timer.toggle.layout.display == "none"  # not offered to Ben ...
    ben_page.timer.start()  # ... and refused in his kernel whatever his page sends
    ben_page.timer.add_time()
    ben_page.timer.reset()
    assert ben_page.timer.refusals == 3
    ben.look()
    stored = ben.session.loaded.plan.meeting.timers["charter"]
    assert not ben_page.timer.running and stored.running_since is None
    assert stored.added_seconds == 0

    ada_page = Page(STEP_BY_KEY["charter"], ada.session)
    ada_page.timer.toggle.click()
    ada_page.timer.add_button.click()
    ben.look()
    assert ben_page.timer.running and ben_page.timer.total == 35 * 60

    ada.bar.hand_to.value = "Ben"
    ada.bar.hand_button.click()
    ben.look()
    assert ben.meeting.leading and not ada.meeting.leading
    assert ben_page.timer.toggle.layout.display != "none"
    ben_page.timer.toggle.click()  # the new lead pauses it
    assert not ben_page.timer.running and ben_page.timer.refusals == 3


def test_only_the_lead_has_sound_at_zero_and_only_the_leads_page_is_told_to_chime(
    room: list[Person],
) -> None:
    ada, ben, _ = room
    assert ada.bar.sound.value == "", "no meeting: no lead, no sound"
    ada.bar.lead_button.click()
    ada.go("charter")
    for person in room:
        person.look()
    assert ben.steps[-1] == "charter"
    assert "Sound at zero" in ada.bar.sound.value and "checkbox" in ada.bar.sound.value
    assert ben.bar.sound.value == "", "the box is the lead's only"

    def left(seconds: int) -> None:
        """The charter's 30 minutes running, `seconds` left (overtime when negative)."""
        state = {"spent_seconds": 30 * 60 - seconds, "running_since": time.time()}
        ada.session.workspace.set(SIG, "meeting.timers.charter", state)
        for person in room:
            person.look()

    left(100)
    assert ada.bar.chime.value == "" and ada.bar.chimes == 0
    left(-1)  # the clock reaches zero while the pages look
    assert 'data-swb-chime="1"' in ada.bar.chime.value
    assert ben.bar.chime.value == "" and ben.bar.chimes == 0, "a follower's page never chimes"
    left(-3)
    ada.bar.step_clock.show("charter")  # the clock ticks on into overtime: no second chime
    assert ada.bar.chimes == 1


def test_during_a_meeting_only_the_lead_runs_the_name_vote(room: list[Person]) -> None:
    """Issue 20's rounds follow issue 21's lead: start, reveal, close and choose are the lead's
    while a meeting goes on (refused in the kernel, nothing stored); anyone's without one."""
    ada, ben, _ = room
    ada_ideas, ben_ideas = NameIdeas(ada.session), NameIdeas(ben.session)
    for person, name in ((ada, "Frailty Friends"), (ben, "Home First")):
        ideas = ada_ideas if person is ada else ben_ideas
        ideas.idea_input.value = name
        assert ideas.add()
    ada.bar.lead_button.click()
    ben.look()
    before = ben.session.workspace.load(SIG).revision
    assert not ben_ideas.start()
    assert "only the meeting&#x27;s lead" in ben_ideas.message.value
    assert not ben_ideas.choose(ben.session.loaded.plan.identity.name_ideas[0].id)
    assert ben.session.workspace.load(SIG).revision == before, "nothing stored"
    assert ada_ideas.start()
    ben.look()
    assert not ben_ideas.reveal() and not ben_ideas.close_round()
    assert ben.session.loaded.plan.identity.voting_round is not None
    assert ben.session.loaded.plan.identity.voting_round.status == "open"
    assert ada_ideas.close_round()
    ada.meeting.end()
    ben.look()
    idea = ben.session.loaded.plan.identity.name_ideas[1]
    assert ben_ideas.choose(idea.id, anyway=True)  # no meeting going on: anyone may choose
    assert ben.session.workspace.load(SIG).plan.identity.name == "Home First"


def test_a_nameless_or_read_only_person_cannot_lead(workspace: Workspace) -> None:
    nameless = Session(workspace, SIG, author=None)
    assert not meeting_of(nameless).may_lead
    with pytest.raises(Refused, match="can't lead"):
        meeting_of(nameless).start("name")
    nameless.close()


def test_ready_counts_for_the_lead_and_moving_on_resets_it(room: list[Person]) -> None:
    ada, ben, _cai = room
    ada.bar.lead_button.click()
    for person in room:
        person.look()
    assert "0 of 2 ready (not yet: Ben, Cai)" in ada.shown
    ben.bar.ready_button.click()
    assert "Not done yet" in ben.shown
    ada.look()
    assert "1 of 2 ready (not yet: Cai)" in ada.shown
    ada.go("charter")
    ada.look()
    assert "0 of 2 ready" in ada.shown


def test_ending_the_meeting_keeps_its_record_with_the_sig(room: list[Person]) -> None:
    ada, ben, cai = room
    clock = [1_800_000_000.0]
    for person in room:
        person.meeting.clock = lambda: clock[0]
    ada.bar.lead_button.click()
    for person in room:
        person.look()
    ben.session.save("charter.purpose", "Fewer falls at home")
    cai.session.save("identity.name", "Home Safely")
    clock[0] += 12 * 60
    ada.go("charter")
    clock[0] += 31 * 60
    ada.bar.end_button.click()
    plan = ada.session.loaded.plan
    assert plan.meeting.live is None and len(plan.meeting.records) == 1
    record = plan.meeting.records[0]
    assert record.attendees == ["Ada", "Ben", "Cai"] and record.lead == "Ada"
    assert [(s.step, round(s.spent_seconds)) for s in record.steps] == [
        ("name", 720),
        ("charter", 1860),
    ]
    assert any(
        "What are we trying to do?" in c and "Fewer falls at home" in c for c in record.changes
    )
    assert any("Home Safely" in c and "(by Cai)" in c for c in record.changes)

    text = meeting_record.markdown(plan, record)
    assert "- Ben" in text and "| 3\\. Charter | 30 min | 31 min | 1 min over |" in text
    document = docx.Document(io.BytesIO(meeting_record.docx(plan, record)))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "Who attended" in words and "Cai" in words
    assert "Fewer falls at home" in words
    message = email.message_from_bytes(meeting_record.eml(plan, record))
    assert message["Subject"] == f"Meeting of Home Safely, {record.date.day} " + (
        f"{record.date:%B} {record.date.year}"
    )
    assert record.date == dt.datetime.fromtimestamp(1_800_000_000.0).date()
    assert "Last meeting" in ada.bar.records.value and "download=" in ada.bar.records.value
    ben.look()
    assert "No meeting going on" in ben.shown and "Lead the meeting" in ben.shown


def _meeting_moves(lead: Session, other: Session) -> None:
    """A meeting's every kind of write: the lead starts it, moves, lets people roam and runs
    the timer (started, five minutes added); `other` says they are ready."""
    meeting_of(lead).start("name")
    meeting_of(lead).move("charter")
    meeting_of(lead).set_roam(True)
    timer = Page(STEP_BY_KEY["charter"], lead).timer
    timer.toggle.click()
    timer.add_button.click()
    other.refresh()
    meeting_of(other).set_ready(True)
    lead.refresh()


def _meeting_kept(session: Session) -> None:
    live = session.loaded.plan.meeting.live
    assert live is not None and live.step == "charter" and live.roam and live.ready
    timer = session.loaded.plan.meeting.timers["charter"]
    assert timer.running_since is not None and timer.added_seconds == 300


def test_undo_takes_back_my_edit_never_a_move_ready_or_the_timer(room: list[Person]) -> None:
    ada, ben, _ = room
    ada.session.save("charter.purpose", "Fewer falls")
    _meeting_moves(ada.session, ben.session)
    assert ben.session.undo() is None, "a ready click is not an edit to undo"
    undone = ada.session.undo()
    assert undone is not None and undone.path == "charter.purpose"
    assert ada.session.loaded.plan.charter.purpose == ""
    _meeting_kept(ada.session)


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_hosted_undo_never_takes_back_the_meeting(
    request: pytest.FixtureRequest, backend_name: str, tmp_path: Path
) -> None:
    """Hosted, every write carries the login (the meeting's too): Undo still takes back only
    the person's own edit of the plan."""
    backend, sig_id = hosted_sig(request, backend_name, tmp_path, lambda _ws, _sig: None)
    with (
        Workspace(tmp_path, backend.open(), user=ALICE) as alice_ws,
        Workspace(tmp_path, backend.open(), user=TOM) as tom_ws,
    ):
        alice = Session(alice_ws, sig_id, author="alice", step="charter")
        tom = Session(tom_ws, sig_id, author="tom", step="charter")
        try:
            assert alice.save("charter.purpose", "Fewer falls")
            _meeting_moves(alice, tom)
            authors = {c.author for c in alice_ws.history(sig_id) if c.path.startswith("meeting")}
            assert authors == {"alice", "tom"}, "the meeting's writes carry the login"
            assert tom.undo() is None, "a ready click is not an edit to undo"
            undone = alice.undo()
            assert undone is not None and undone.path == "charter.purpose"
            alice.refresh()
            assert alice.loaded.plan.charter.purpose == ""
            _meeting_kept(alice)
        finally:
            alice.close()
            tom.close()


def test_hosted_only_an_owner_or_editor_leads_and_the_lead_passes_to_one(tmp_path: Path) -> None:
    from sigworkbook.hosting.identity import User

    with Workspace.open(tmp_path, create=True, user=User("alice")) as alice:
        sig_id = alice.new_sig("Home safely").plan.id
        alice.set_member(sig_id, "bob", "editor")
        alice.set_member(sig_id, "carol", "viewer")
    opened = {name: Workspace.open(tmp_path, user=User(name)) for name in ("alice", "bob", "carol")}
    sessions = {name: Session(ws, sig_id, author=name) for name, ws in opened.items()}
    try:
        meetings = {name: meeting_of(s) for name, s in sessions.items()}
        assert meetings["alice"].may_lead and meetings["bob"].may_lead
        assert not meetings["carol"].may_lead  # a viewer
        with pytest.raises(Refused, match="can't lead"):
            meetings["carol"].start("name")
        meetings["alice"].start("name")
        for session in [*sessions.values()] * 2:
            session.check_in()
            session.refresh()
        with pytest.raises(Refused, match="only the SIG's owners and editors"):
            meetings["alice"].hand_to("carol")
        meetings["alice"].hand_to("bob")
        sessions["bob"].refresh()
        assert meetings["bob"].leading and not meetings["alice"].leading
        assert not meetings["carol"].may_run_timer()
    finally:
        for session in sessions.values():
            session.close()
        for ws in opened.values():
            ws.close()


def test_the_meeting_is_shared_through_postgresql_too(postgres_url: str, tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws", create=True, database=postgres_url) as workspace:
        sig_id = workspace.new_sig("Postgres Meeting", author="setup").plan.id
        ada = Session(workspace, sig_id, author="Ada", step="name")
        ben = Session(workspace, sig_id, author="Ben", step="name")
        went: list[str] = []
        MeetingBar(ben, went.append, "name")
        try:
            meeting_of(ada).start("name")
            ben.refresh()
            meeting_of(ada).move("charter")
            ben.refresh()
            assert went == ["charter"]
            assert meeting_of(ben).live is not None and meeting_of(ben).live.lead == "Ada"
        finally:
            ada.close()
            ben.close()


@pytest.fixture
def app_loop(
    kernel_root: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[asyncio.AbstractEventLoop]:
    """The event loop an app's kernel runs (building ahead is scheduled on it), the meeting's
    hint acted on at once, and the SIG's workspace where the app finds it."""
    from sigworkbook.ui import app as app_module

    loop = asyncio.new_event_loop()
    monkeypatch.setattr(app_module, "kernel_loop", lambda: loop)
    monkeypatch.setattr(app_module, "GROUP_NEXT_AFTER", 0.01)
    yield loop
    loop.close()


def _built(app: App) -> list[str]:
    return [key for key, area in app.areas.items() if area.built]


def _until(loop: asyncio.AbstractEventLoop, done: Callable[[], bool]) -> None:
    async def wait() -> None:
        for _ in range(500):
            if done():
                return
            await asyncio.sleep(0.01)

    loop.run_until_complete(wait())


def test_during_a_meeting_each_app_builds_the_groups_next_step_ahead_even_with_building_off(
    workspace: Workspace, app_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `build_ahead` 0 (the browser tests' servers) an app builds the steps opened, and in
    a meeting the group's next one: following the lead stays a switch."""
    monkeypatch.setenv("SIGWORKBOOK_BUILD_AHEAD", "0")
    session = Session(workspace, SIG, author="Ada")
    try:
        app = App(session, STEP_BY_KEY["name"])
        app.nav.value = PAGE_READY
        assert app.bar is not None
        app.bar.lead_button.click()
        _until(app_loop, lambda: app.areas["charter"].built)
        assert app.areas["charter"].built, "the step after the group's is built ahead"
        assert app.current is not None and app.current.key == "name", "and not shown"
        app_loop.run_until_complete(asyncio.sleep(0.05))
        assert _built(app) == ["name", "charter"], "and no other"
    finally:
        session.close()


def test_with_building_ahead_on_the_groups_next_step_comes_first(
    workspace: Workspace, app_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGWORKBOOK_BUILD_AHEAD", "0.01")
    ada = Session(workspace, SIG, author="Ada")
    ben = Session(workspace, SIG, author="Ben")
    try:
        meeting_of(ada).start("schedule")
        meeting_of(ada).set_roam(True)
        ben.refresh()
        app = App(ben, STEP_BY_KEY["start"])  # Ben roams on the start page
        order: list[str] = []
        real = app._build
        monkeypatch.setattr(app, "_build", lambda area: (order.append(area.step.key), real(area)))
        app.nav.value = PAGE_READY
        _until(app_loop, lambda: len(order) >= 2)
        assert order[:2] == ["promotion", "core"], "the group's next step, then the one after his"
        assert app.current is not None and app.current.key == "start"
    finally:
        ada.close()
        ben.close()
