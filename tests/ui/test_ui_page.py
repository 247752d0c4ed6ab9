"""The page around every form: opening a workspace, notices, presence and the history panel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.store import Visitor
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.history import HistoryPanel
from sigworkbook.ui.layout import presence_html
from sigworkbook.ui.page import Page, open_step
from sigworkbook.workspace import Workspace


def test_a_corrupt_database_gives_a_notice_and_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "sigworkbook.db"
    database.write_bytes(b"this is not a database at all" * 100)
    before = database.read_bytes()
    monkeypatch.setenv("SIGWORKBOOK_WORKSPACE", str(tmp_path))
    assert open_step("charter") is None
    shown = capsys.readouterr().out
    assert "cannot open its workspace" in shown and "Nothing has been changed" in shown
    assert database.read_bytes() == before


def test_a_page_without_a_chosen_sig_points_to_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("One")
        workspace.new_sig("Two")
        monkeypatch.delenv("SIGWORKBOOK_SIG", raising=False)
        assert open_step("charter", workspace=workspace) is None
    assert "No SIG is chosen" in capsys.readouterr().out


def test_presence_line_names_people_here_and_elsewhere() -> None:
    charter = STEP_BY_KEY["charter"]
    text = presence_html(
        [
            Visitor("Ben", "charter"),
            Visitor(None, "schedule"),
            Visitor("<b>Eve</b>", "charter"),
            Visitor("maya", "start"),
        ],
        charter,
        me="Maya",
    )
    assert "Also on this step: &lt;b&gt;Eve&lt;/b&gt;, Ben" in text
    assert "Elsewhere: someone (Schedule of activities)" in text
    assert "maya" not in text, "one's own other tabs are not 'someone else'"
    assert presence_html([], charter) == ""
    assert presence_html([Visitor("Maya", "name")], charter, me="Maya") == ""


def test_presence_names_each_person_once() -> None:
    charter = STEP_BY_KEY["charter"]
    # Ana has left pages open on several steps (most recent first): she is named once.
    ana = [Visitor("Ana", "schedule"), Visitor("ana ", "core"), Visitor("Ana", "start")]
    assert presence_html(ana, charter).endswith(">Elsewhere: Ana (Schedule of activities)</div>")
    text = presence_html([*ana, Visitor("Ana", "charter")], charter)
    assert ">Also on this step: Ana</div>" in text


def test_history_panel_lists_changes_and_undoes_one(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Frailty Friends", author="setup")
        session = Session(workspace, "frailty-friends", author="Ana")
        page = Page(STEP_BY_KEY["name"], session)
        theme = FieldControl(session, "identity.theme")
        theme.input.value = "Frailty"
        theme.input.value = "Falls <script>"
        panel = HistoryPanel(page.session)
        assert panel.rows.children == ()
        panel.selected_index = 0
        lines = [row.children[0].value for row in panel.rows.children]
        assert "Falls &lt;script&gt;" in lines[0] and "<strong>Ana</strong>" in lines[0]
        assert len(lines) == 3
        undo_this = panel.rows.children[0].children[1]
        undo_this.click()
        assert workspace.load("frailty-friends").plan.identity.theme == "Frailty"
        assert theme.input.value == "Frailty"
        restored = panel.rows.children[0].children[0].value
        assert "Restored Theme as it was at " in restored and "(Ana): <q>Frailty</q>" in restored
        assert "revision" not in re.sub("<[^>]+>", "", restored)


def test_undo_button_says_when_there_is_nothing_to_undo(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Frailty Friends", author="setup")
        panel = HistoryPanel(Session(workspace, "frailty-friends", author="Ana"))
        panel.undo_button.click()
        assert "no edit to undo" in panel.message.value


def test_the_start_page_on_a_corrupt_database_gives_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sigworkbook.ui.pages.start import open_start, show_start

    database = tmp_path / "sigworkbook.db"
    database.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = database.read_bytes()
    monkeypatch.setenv("SIGWORKBOOK_WORKSPACE", str(tmp_path))
    start = open_start()
    show_start(start)
    assert start is None
    assert "cannot open its workspace" in capsys.readouterr().out
    assert database.read_bytes() == before


def test_the_step_timer_follows_the_agenda_and_keeps_time_already_spent(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        sig = workspace.new_sig("Timed Group").plan.id
        page = Page(STEP_BY_KEY["name"], Session(workspace, sig, author="Ana"))
        now = [5_000.0]
        page.timer.clock = lambda: now[0]
        assert "15:00" in page.timer.display_.value
        workspace.set(sig, "meeting.timeboxes.name", 20)  # someone edits the agenda
        page.session.refresh()
        assert "20:00" in page.timer.display_.value
        page.timer.start()
        now[0] += 90
        page.timer.pause()
        assert "18:30" in page.timer.display_.value
        workspace.set(sig, "meeting.timeboxes.name", 10)
        page.session.refresh()
        assert "08:30" in page.timer.display_.value
        page.timer.reset()
        assert "10:00" in page.timer.display_.value


def test_a_complete_step_is_ticked_for_the_eye_and_named_complete_for_screen_readers(
    ws: Workspace,
) -> None:
    from html.parser import HTMLParser

    from sigworkbook.plan.gaps import check
    from sigworkbook.ui.layout import header_html

    plan = ws.load("home-safely").plan
    markup = header_html(STEP_BY_KEY["name"], plan.identity.name, plan.id, "Ana", check(plan))

    class Spoken(HTMLParser):
        """The text a screen reader reads out of the step links (aria-hidden parts left out)."""

        def __init__(self) -> None:
            super().__init__()
            self.hidden = 0
            self.links: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.links.append("")
            if self.hidden or ("aria-hidden", "true") in attrs:
                self.hidden += 1

        def handle_endtag(self, tag: str) -> None:
            if self.hidden:
                self.hidden -= 1

        def handle_data(self, data: str) -> None:
            if self.links and not self.hidden:
                self.links[-1] += data

    spoken = Spoken()
    spoken.feed(markup)
    assert "1. Core group and statement (complete)" in spoken.links
    assert all("✓" not in link for link in spoken.links)
    assert markup.count('<span class="swb-tick" aria-hidden="true">✓</span>') >= 1


def test_the_timer_is_shared_by_every_screen_and_stays_out_of_the_history(tmp_path: Path) -> None:
    """Started on one page, it runs on another person's page from the same moment; paused
    there, it stops here; no one's undo stops it and the history does not list it."""
    now = [1_000.0]
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Frailty Friends", author="setup")
        priya = Page(STEP_BY_KEY["charter"], Session(workspace, "frailty-friends", author="Priya"))
        ben = Page(STEP_BY_KEY["charter"], Session(workspace, "frailty-friends", author="Ben"))
        for page in (priya, ben):
            page.timer.clock = lambda: now[0]
        total = priya.timer.total
        priya.timer.toggle.click()
        now[0] += 65
        ben.session.refresh()
        assert ben.timer.running and ben.timer.toggle.description == "Pause"
        assert ben.timer.remaining == priya.timer.remaining == total - 65
        assert f"{(total - 65) // 60:02d}:55" in ben.timer.display_.value
        ben.timer.toggle.click()  # pause on Ben's screen
        now[0] += 30
        priya.session.refresh()
        assert not priya.timer.running and priya.timer.remaining == total - 65
        assert priya.session.undo() is None, "the timer is nobody's edit"
        panel = HistoryPanel(priya.session)
        panel.selected_index = 0
        assert len(panel.rows.children) == 1  # only "Started the plan"
        ben.timer.reset_button.click()
        priya.session.refresh()
        assert priya.timer.remaining == total and not priya.timer.running
