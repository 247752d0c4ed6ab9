"""The page session: saving, other people's edits, conflicts, retries, undo and presence."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_typing import browser_sends, typing

from sigworkbook.live.session import Session
from sigworkbook.ui.controls import FieldControl, LinesControl
from sigworkbook.workspace import Workspace


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Frailty Friends", author="setup")
    return tmp_path


Pages = Callable[..., tuple[Session, ...]]
"""Opens a page for each name given, each on its own workspace connection."""


@pytest.fixture
def pages(folder: Path) -> Iterator[Pages]:
    """People on pages of the same SIG, each with its own workspace connection (as each kernel
    would have); every page and connection is closed after the test."""
    opened: list[tuple[Workspace, Session]] = []

    def open_pages(*authors: str) -> tuple[Session, ...]:
        for author in authors:
            workspace = Workspace.open(folder)
            opened.append((workspace, Session(workspace, "frailty-friends", author=author)))
        return tuple(session for _, session in opened[-len(authors) :])

    yield open_pages
    for workspace, session in opened:
        session.close()
        workspace.close()


@pytest.fixture
def two(pages: Pages) -> tuple[Session, Session]:
    """Ana and Ben on two pages."""
    ana, ben = pages("Ana", "Ben")
    return ana, ben


@pytest.fixture
def three(pages: Pages) -> tuple[Session, Session, Session]:
    """Ana, Ben and Cai on three pages."""
    ana, ben, cai = pages("Ana", "Ben", "Cai")
    return ana, ben, cai


def test_an_edit_is_saved_with_its_author(two: tuple[Session, Session]) -> None:
    ana, _ = two
    control = FieldControl(ana, "identity.theme")
    control.input.value = "Frailty"
    change = ana.workspace.history("frailty-friends", path="identity.theme")[0]
    assert (change.value, change.author) == ("Frailty", "Ana")
    assert ana.status.ok and ana.status.message.startswith("Saved at ")


def test_another_persons_edit_shows_without_reload(two: tuple[Session, Session]) -> None:
    ana, ben = two
    ana_theme = FieldControl(ana, "identity.theme")
    FieldControl(ben, "identity.theme").input.value = "Falls"
    assert ana_theme.input.value == ""
    assert ana.refresh() is True
    assert ana_theme.input.value == "Falls"
    assert "Changed by Ben at" in ana_theme.notes.value


def test_typing_is_never_replaced_by_someone_elses_edit(two: tuple[Session, Session]) -> None:
    """A field that is not text (a number here) shows both values and lets the person choose."""
    ana, ben = two
    ana_length = FieldControl(ana, "meeting.length_minutes")
    typing(ana_length, 60)
    FieldControl(ben, "meeting.length_minutes").input.value = 120
    ana.refresh()
    assert ana_length.input.value == 60
    notice = ana_length.conflict.children[0].value
    assert "Ben changed this field" in notice and "120" in notice
    keep, _take = ana_length.conflict.children[1].children
    keep.click()
    assert ana.workspace.load("frailty-friends").plan.meeting.length_minutes == 60
    history = ana.workspace.history("frailty-friends", path="meeting.length_minutes")
    assert [c.value for c in history] == [60, 120]


def test_choosing_theirs_takes_their_value_and_saves_nothing(two: tuple[Session, Session]) -> None:
    ana, ben = two
    ana_length = FieldControl(ana, "meeting.length_minutes")
    typing(ana_length, 60)
    FieldControl(ben, "meeting.length_minutes").input.value = 120
    revision = ana.workspace.store.revision("frailty-friends")
    ana.refresh()
    ana_length.conflict.children[1].children[1].click()
    assert ana_length.input.value == 120
    assert ana_length.conflict is None
    assert ana.workspace.store.revision("frailty-friends") == revision


def test_typing_in_a_text_field_is_merged_with_someone_elses_save(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    ana.save("charter.purpose", "We help people get home.")
    ben.refresh()
    ana_purpose = FieldControl(ana, "charter.purpose")
    typing(ana_purpose, "We help people get home. Ana adds this.")
    FieldControl(ben, "charter.purpose").input.value = "We help people get home. Ben adds that."
    ana.refresh()
    # Ben's words come into her box while she types (its protocol keeps her keys in flight);
    # the merged text is saved at her pause.
    merged = "We help people get home. Ana adds this. Ben adds that."
    assert ana_purpose.input.value == merged, "Ben's words came into Ana's box"
    assert ana_purpose.conflict is None
    assert not ana.status.message.startswith(("Saved", "All changes saved"))
    ana.flush()
    assert ana.workspace.load("frailty-friends").plan.charter.purpose == merged
    assert "Saved at" in ana.status.message
    assert re.search("Changed by (Ana and Ben|Ben and Ana)", ana_purpose.notes.value)


def test_a_pending_edit_to_a_field_changed_meanwhile_is_not_saved_over_it(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    ana_length = FieldControl(ana, "meeting.length_minutes")
    typing(ana_length, 60)
    # Ben saves before Ana's pause is over; then Ana's debounced save runs.
    FieldControl(ben, "meeting.length_minutes").input.value = 120
    ana.flush()
    assert ana.workspace.load("frailty-friends").plan.meeting.length_minutes == 120
    assert ana_length.conflict is not None, "Ana is asked to choose"
    # A text field: her typing is merged with Ben's save instead.
    ana_theme = FieldControl(ana, "identity.theme")
    typing(ana_theme, "Frailty")
    FieldControl(ben, "identity.theme").input.value = "Falls"
    ana.flush()
    assert ana.workspace.load("frailty-friends").plan.identity.theme == "Falls Frailty"


def test_a_save_merges_in_its_transaction_with_a_save_the_page_has_not_seen(
    two: tuple[Session, Session],
) -> None:
    """Ben's save lands between Ana's page looking and Ana's save: merged all the same."""
    ana, ben = two
    ana.save("charter.purpose", "Calmer discharge.")
    ana_purpose = FieldControl(ana, "charter.purpose")
    ben.save("charter.purpose", "Calmer discharge. Ben was here.")
    ana_purpose.input.value = "Ana too. Calmer discharge."  # typed before Ana's page looked
    loaded, saved = ana.writer.save_merged("charter.purpose", ana_purpose.value, ana_purpose)
    assert saved == "Ana too. Calmer discharge. Ben was here."
    assert loaded.plan.charter.purpose == saved
    assert ana_purpose.input.value == saved


def test_the_same_words_changed_two_ways_ask_and_keep_both_keeps_both(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    ana.save("charter.purpose", "We meet monthly in Leeds.")
    ben.refresh()
    ana_purpose = FieldControl(ana, "charter.purpose")
    ben_purpose = FieldControl(ben, "charter.purpose")
    typing(ana_purpose, "We meet weekly in Leeds.")
    ben_purpose.input.value = "We meet fortnightly in Leeds."
    ana.refresh()
    assert ana_purpose.input.value == "We meet weekly in Leeds.", "her text stays in the box"
    notice = ana_purpose.conflict.children[0].value
    assert "Ben changed the same words" in notice
    assert "fortnightly" in notice and "weekly" in notice
    assert ana.status.message.startswith("Not saved")
    # What Ana typed is on the server already (she might leave the page now).
    kept = ana.workspace.load("frailty-friends").plan.meeting.set_aside
    assert [(k.words, k.author) for k in kept] == [("We meet weekly in Leeds.", "Ana")]
    ana.flush()
    assert ana.workspace.load("frailty-friends").plan.charter.purpose == (
        "We meet fortnightly in Leeds."
    ), "nothing is saved before she chooses"
    both, mine, theirs = ana_purpose.conflict.children[1].children
    assert [b.description for b in (both, mine, theirs)] == [
        "Keep both",
        "Keep mine",
        "Keep theirs",
    ]
    both.click()
    plan = ana.workspace.load("frailty-friends").plan
    assert plan.charter.purpose == "We meet fortnightly weekly in Leeds."
    assert plan.meeting.set_aside == [], "her words are in the field: nothing set aside"
    assert ana.status.message.startswith("Saved at")


def test_keep_mine_tells_the_other_writer_with_undo(two: tuple[Session, Session]) -> None:
    ana, ben = two
    ana.save("charter.purpose", "We meet monthly.")
    ben.refresh()
    ana_purpose = FieldControl(ana, "charter.purpose")
    ben_purpose = FieldControl(ben, "charter.purpose")
    typing(ana_purpose, "We meet weekly.")
    ben_purpose.input.value = "We meet fortnightly."
    ana.refresh()
    ana_purpose.conflict.children[1].children[1].click()  # Keep mine
    assert ana.workspace.load("frailty-friends").plan.charter.purpose == "We meet weekly."
    ben.refresh()
    assert ben_purpose.input.value == "We meet weekly."
    notice = ben_purpose.replaced.children[0].value
    assert "Ana kept their own version" in notice and "We meet fortnightly." in notice
    ben_purpose.replaced.children[1].children[0].click()  # Undo
    plan = ben.workspace.load("frailty-friends").plan
    assert plan.charter.purpose == "We meet fortnightly."
    assert ben_purpose.input.value == "We meet fortnightly."
    assert [k.words for k in plan.meeting.set_aside][-1] == "We meet weekly.", "Ana's kept"


def test_invalid_input_shows_an_error_and_saves_nothing(two: tuple[Session, Session]) -> None:
    ana, _ = two
    control = FieldControl(ana, "identity.name")
    revision = ana.workspace.store.revision("frailty-friends")
    control.input.value = "x" * 81
    assert "Name: is too long: at most 80 characters" in control.problem.value
    assert ana.workspace.store.revision("frailty-friends") == revision
    assert control.input.value == "x" * 81, "the typed text stays in the field"
    control.input.value = "Frailty Friends Network"
    assert control.problem.value == ""


def test_a_field_is_marked_while_it_holds_typing_that_is_not_saved(
    two: tuple[Session, Session],
) -> None:
    ana, _ = two
    theme = FieldControl(ana, "identity.theme")
    assert "swb-field--unsaved" not in theme._dom_classes
    typing(theme, "Frailty")
    assert "swb-field--unsaved" in theme._dom_classes, "waiting for a pause in typing"
    ana.flush()
    assert "swb-field--unsaved" not in theme._dom_classes
    name = FieldControl(ana, "identity.name")
    name.input.value = "x" * 81  # refused: still not saved
    assert "swb-field--unsaved" in name._dom_classes
    name.input.value = "Frailty Friends"
    assert "swb-field--unsaved" not in name._dom_classes


def test_a_locked_database_keeps_the_edit_and_offers_a_retry(folder: Path) -> None:
    workspace = Workspace.open(folder)
    workspace.store.busy_timeout = 0.2
    session = Session(workspace, "frailty-friends", author="Ana")
    control = FieldControl(session, "identity.theme")
    blocker = sqlite3.connect(folder / "sigworkbook.db", timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        control.input.value = "Frailty"
        assert not session.status.ok and session.status.retry
        assert "not saved yet" in control.problem.value
        assert session.failed_paths == ["identity.theme"]
        assert control.input.value == "Frailty"
    finally:
        blocker.rollback()
        blocker.close()
    assert session.retry() is True
    assert workspace.load("frailty-friends").plan.identity.theme == "Frailty"
    assert session.failed_paths == []
    workspace.close()


def test_undo_restores_my_last_edit_only(two: tuple[Session, Session]) -> None:
    ana, ben = two
    FieldControl(ana, "identity.theme").input.value = "Frailty"
    FieldControl(ana, "identity.theme").input.value = "Frailty and falls"
    FieldControl(ben, "identity.learning_question").input.value = "How might we?"
    undone = ana.undo()
    assert undone is not None and undone.value == "Frailty and falls"
    plan = ana.workspace.load("frailty-friends").plan
    assert plan.identity.theme == "Frailty"
    assert plan.identity.learning_question == "How might we?"


def test_restore_a_field_and_the_whole_plan(two: tuple[Session, Session]) -> None:
    ana, _ = two
    theme = FieldControl(ana, "identity.theme")
    phrases = LinesControl(ana, "identity.key_phrases")
    theme.input.value = "Frailty"
    before = ana.loaded.revision
    phrases.input.value = "falls\nfrailty"
    theme.input.value = "Changed"
    ana.restore(before, path="identity.theme")
    assert theme.input.value == "Frailty"
    assert phrases.input.value == "falls\nfrailty"
    ana.restore(1)
    assert (theme.input.value, phrases.input.value) == ("", "")
    assert len(ana.workspace.history("frailty-friends")) == 6


def test_restoring_what_is_already_there_changes_nothing_and_claims_nothing(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    FieldControl(ben, "identity.theme").input.value = "Frailty"
    current = ben.loaded.revision
    ana.restore(current, path="identity.theme")
    assert ana.workspace.store.revision("frailty-friends") == current
    assert ana.status.ok
    assert ana.status.message == "Nothing to restore: Theme is already as it was then"
    assert ana.undo() is None, "Ben's edit is not Ana's to undo"
    assert ana.workspace.load("frailty-friends").plan.identity.theme == "Frailty"


def test_presence_shows_who_else_is_here(two: tuple[Session, Session]) -> None:
    ana, ben = two
    ana.step, ben.step = "charter", "schedule"
    ana.check_in()
    ben.check_in()
    assert [(v.participant, v.step) for v in ana.others()] == [("Ben", "schedule")]
    ben.close()
    assert ana.others() == []


def test_a_row_edit_lands_on_its_row_when_rows_move(two: tuple[Session, Session]) -> None:
    from sigworkbook.ui.tables import RowsEditor

    ana, ben = two
    ana_risks = RowsEditor(ana, "charter.risks", ["risk", "mitigation"])
    ana_risks.add()
    ana_risks.add()
    first, second = (row["id"] for row in ana_risks.rows)
    ana_second_risk = ana_risks.rows_box.children[1].controls[0]
    # Ben removes the first row; Ana has not seen that yet and types into the second.
    RowsEditor(ben, "charter.risks", ["risk"]).remove(first)
    ana_second_risk.input.value = "Conveners burn out"
    risks = ana.workspace.load("frailty-friends").plan.charter.risks
    assert [(r.id, r.risk) for r in risks] == [(second, "Conveners burn out")]


def _risk_tables(two: tuple[Session, Session], rows: int) -> tuple[Any, Any, list[str]]:
    """Ana adds `rows` risks; both people's risk tables, and the rows' ids in order."""
    from sigworkbook.ui.tables import RowsEditor

    ana, ben = two
    columns = ["risk", "mitigation"]
    ana_risks = RowsEditor(ana, "charter.risks", columns)
    for _ in range(rows):
        ana_risks.add()
    ben.refresh()
    return ana_risks, RowsEditor(ben, "charter.risks", columns), [r["id"] for r in ana_risks.rows]


def test_changed_by_names_who_edited_a_rows_field_never_the_wrong_row(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    ana_risks, ben_risks, (first, second) = _risk_tables(two, rows=2)
    ben_risks.open_row(second)
    risk, mitigation = ben_risks.rows_box.children[1].controls
    # Adding the rows changed the table, not these fields.
    assert "Changed by" not in risk.notes.value + mitigation.notes.value
    risk.input.value = "Conveners burn out"
    ana.refresh()
    ana_risks.open_row(second)
    ana_risk, ana_mitigation = ana_risks.rows_box.children[1].controls
    assert "Changed by Ben" in ana_risk.notes.value
    assert "Changed by" not in ana_mitigation.notes.value
    # Ana edits the first row, then Ben removes it: the second row moves up to its place
    # and must not say that Ana changed it.
    ana_risks.open_row(first)
    ana_risks.rows_box.children[0].controls[1].input.value = "Share the load"
    ben.refresh()
    ben_risks.remove(first)
    ana.refresh()
    ana_risks.open_row(second)
    moved_risk, moved_mitigation = ana_risks.rows_box.children[0].controls
    assert moved_risk.input.value == "Conveners burn out"
    assert "Ana" not in moved_risk.notes.value + moved_mitigation.notes.value


def test_changed_by_stays_with_its_row_when_others_add_or_remove_rows(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    ana_risks, ben_risks, (first, second, third) = _risk_tables(two, rows=3)
    ben_risks.open_row(third)
    ben_risks.rows_box.children[2].controls[0].input.value = "Funding ends"
    ana.refresh()
    ana_risks.add()  # a fourth row: the table changed after Ben's edit
    ana_risks.open_row(third)
    assert "Changed by Ben" in ana_risks.rows_box.children[2].controls[0].notes.value
    ben.refresh()
    ben_risks.remove(first)  # the third row moves up to the second place: still Ben's edit
    ana.refresh()
    ana_risks.open_row(third)
    assert [row["id"] for row in ana_risks.rows][1] == third
    moved = ana_risks.rows_box.children[1].controls[0]
    assert moved.input.value == "Funding ends"
    assert "Changed by Ben" in moved.notes.value
    ana_risks.open_row(second)
    assert "Changed by" not in ana_risks.rows_box.children[0].controls[0].notes.value


def test_undo_puts_back_a_rows_field_in_that_row_wherever_it_has_moved(
    two: tuple[Session, Session],
) -> None:
    from sigworkbook.ui.history import HistoryPanel
    from sigworkbook.ui.tables import RowsEditor

    ana, ben = two
    ana_risks = RowsEditor(ana, "charter.risks", ["risk", "mitigation"])
    ana_risks.add()
    ana_risks.add()
    first, second = (row["id"] for row in ana_risks.rows)
    ana_risks.open_row(second)
    ana_risks.rows_box.children[1].controls[1].input.value = "Rota the hosts"
    ana_risks.rows_box.children[1].controls[1].input.value = "Rota the hosts monthly"
    ben.workspace.update(
        "frailty-friends", "charter.risks", lambda rows: [{"risk": "Ben's new risk"}, *rows]
    )
    undone = ana.undo()
    assert undone is not None and undone.value == "Rota the hosts monthly"
    risks = {r.id: r for r in ana.workspace.load("frailty-friends").plan.charter.risks}
    assert risks[second].mitigation == "Rota the hosts"
    assert risks[first].mitigation == "", "the row now at the old place is left alone"
    history = ana.workspace.history("frailty-friends")
    assert (history[0].kind, history[0].path) == ("restore", "charter.risks.2.mitigation")
    # Once Ben removes that row, there is nothing to put the value back into: the panel says so.
    ana_risks.open_row(second)
    ana_risks.rows_box.children[2].controls[1].input.value = "Ask the sponsor"
    ben.workspace.update(
        "frailty-friends", "charter.risks", lambda rows: [r for r in rows if r["id"] != second]
    )
    revision = ana.workspace.store.revision("frailty-friends")
    panel = HistoryPanel(ana)
    panel.undo()
    assert "has been removed since; nothing was restored" in panel.message.value
    assert "swb-error" in panel.message.value
    assert ana.workspace.store.revision("frailty-friends") == revision


def test_a_row_removed_by_someone_else_is_not_recreated(two: tuple[Session, Session]) -> None:
    from sigworkbook.ui.tables import RowsEditor

    ana, ben = two
    ana_risks = RowsEditor(ana, "charter.risks", ["risk"])
    ana_risks.add()
    (only,) = (row["id"] for row in ana_risks.rows)
    control = ana_risks.rows_box.children[0].controls[0]
    RowsEditor(ben, "charter.risks", ["risk"]).remove(only)
    control.input.value = "Typed into a row that is gone"
    assert ana.workspace.load("frailty-friends").plan.charter.risks == []
    assert "removed by someone else" in control.problem.value


def test_typing_on_after_the_notice_saves_nothing_until_a_choice(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    ana_length = FieldControl(ana, "meeting.length_minutes")
    typing(ana_length, 60)
    FieldControl(ben, "meeting.length_minutes").input.value = 120
    ana.refresh()
    ana_length.input.value = 45
    assert ana.workspace.load("frailty-friends").plan.meeting.length_minutes == 120
    assert "choose your version" in ana.status.message
    keep = ana_length.conflict.children[1].children[0]
    keep.click()
    assert ana.workspace.load("frailty-friends").plan.meeting.length_minutes == 45


def test_use_theirs_drops_an_edit_still_waiting_to_be_saved(two: tuple[Session, Session]) -> None:
    ana, ben = two
    ana_length = FieldControl(ana, "meeting.length_minutes")
    typing(ana_length, 60)
    FieldControl(ben, "meeting.length_minutes").input.value = 120
    ana.refresh()
    typing(ana_length, 45)  # queued, within the pause before saving
    ana_length.conflict.children[1].children[1].click()  # Use theirs
    ana.flush()  # the pause is over
    assert ana.workspace.load("frailty-friends").plan.meeting.length_minutes == 120
    assert ana_length.input.value == 120


def test_a_failing_part_of_the_page_does_not_stop_the_others_updating(
    two: tuple[Session, Session],
) -> None:
    ana, ben = two
    seen: list[int] = []

    def broken(_loaded: object) -> None:
        raise RuntimeError("this part of the page is broken")

    ana.on_change(broken)
    ana.on_change(lambda loaded: seen.append(loaded.revision))
    ben.save("identity.theme", "Falls")
    assert ana.refresh() is True
    assert seen == [ana.loaded.revision]


def test_a_version_set_aside_is_brought_back_from_the_history_panel_on_another_page(
    two: tuple[Session, Session], pages: Pages
) -> None:
    from sigworkbook.ui.history import HistoryPanel

    ana, ben = two
    ana.save("charter.purpose", "We meet monthly.")
    ben.refresh()
    ana_purpose = FieldControl(ana, "charter.purpose")
    typing(ana_purpose, "We meet weekly.")
    FieldControl(ben, "charter.purpose").input.value = "We meet fortnightly."
    ana.refresh()
    ana_purpose.conflict.children[1].children[2].click()  # Keep theirs
    assert ana_purpose.input.value == "We meet fortnightly."
    assert ana.workspace.load("frailty-friends").plan.charter.purpose == "We meet fortnightly."

    (cai,) = pages("Cai")  # opened now, after the choice
    panel = HistoryPanel(cai)
    panel.selected_index = 0
    (title, row) = panel.set_aside.children
    assert "Versions set aside" in title.value
    assert "Ana" in row.children[0].value and "We meet weekly." in row.children[0].value
    assert "meeting" not in " ".join(r.children[0].value for r in panel.rows.children)
    row.children[1].click()  # Bring back
    plan = cai.workspace.load("frailty-friends").plan
    assert plan.charter.purpose == "We meet weekly."
    assert [(k.words, k.author) for k in plan.meeting.set_aside] == [
        ("We meet fortnightly.", "Ben")
    ], "the text it replaced is set aside in turn"


def test_someone_typing_in_a_field_is_shown_under_it_on_other_pages_until_they_stop(
    two: tuple[Session, Session],
) -> None:
    import time

    ana, ben = two
    FieldControl(ana, "charter.purpose").input.value = "We help"
    ben_purpose = FieldControl(ben, "charter.purpose")
    ben_theme = FieldControl(ben, "identity.theme")
    ana.check_in()
    ben.check_in()
    assert "Ana is typing…" in ben_purpose.notes.value
    assert "typing" not in ben_theme.notes.value
    assert [v.step for v in ben.here] == ["start"], "the step is read as before"
    ana.live._typing = ("charter.purpose", time.monotonic() - 10)  # she stopped a while ago
    ana.check_in()
    ben.check_in()
    assert "typing" not in ben_purpose.notes.value


def test_words_typed_on_the_old_text_where_anothers_word_came_in_keep_that_word(
    two: tuple[Session, Session],
) -> None:
    """Ben's keys typed on the old text, where Ana's saved word was put in his box, look like
    a replacement of her word by a character count (ana001 / ben001 ben0): still merged in."""
    ana, ben = two
    ana.save("charter.purpose", "We help people get home.")
    ben.refresh()
    ben_purpose = FieldControl(ben, "charter.purpose")
    ana_purpose = FieldControl(ana, "charter.purpose")
    typing(ana_purpose, "We help people get home. ana001")
    ana.flush()
    old = ben_purpose.input.rev
    ben.refresh()  # Ben's kernel puts Ana's word in his box; his browser has not shown it yet
    assert ben_purpose.input.value == "We help people get home. ana001"
    browser_sends(ben_purpose, "We help people get home. ben001 ben0", typed_on=old)
    assert "ana001" in ben_purpose.input.value and "ben001 ben0" in ben_purpose.input.value
    ben.flush()
    saved = ben.workspace.load("frailty-friends").plan.charter.purpose
    assert "ana001" in saved and "ben001 ben0" in saved, saved


def test_keys_sent_before_the_merged_text_reached_the_browser_are_merged_in_too(
    two: tuple[Session, Session],
) -> None:
    """The browser sends text typed on the box's old text after the kernel put the merged text
    in: taken as typing on the old text, never as deleting the others' words."""
    ana, ben = two
    ana.save("charter.purpose", "Calmer discharge.")
    ben.refresh()
    ana_purpose = FieldControl(ana, "charter.purpose")
    typing(ana_purpose, "Calmer discharge. Ana adds this.")
    FieldControl(ben, "charter.purpose").input.value = "Calmer discharge. Ben adds that."
    old = ana_purpose.input.rev
    ana.flush()
    merged = "Calmer discharge. Ana adds this. Ben adds that."
    assert ana_purpose.input.value == merged
    # Keys typed in the browser before the merged text arrived there.
    browser_sends(ana_purpose, "Calmer discharge. Ana adds this, and more.", typed_on=old)
    assert ana_purpose.input.value == "Calmer discharge. Ana adds this, and more. Ben adds that."
    ana.flush()
    assert ana.workspace.load("frailty-friends").plan.charter.purpose == (
        "Calmer discharge. Ana adds this, and more. Ben adds that."
    )
    # Then text typed on the merged text is taken as it is.
    browser_sends(ana_purpose, "Calmer discharge. Ana adds this, and more. Ben adds that!")
    ana.flush()
    assert ana.workspace.load("frailty-friends").plan.charter.purpose.endswith("that!")


def test_with_three_writers_every_status_says_what_is_in_the_database(
    three: tuple[Session, Session, Session],
) -> None:
    ana, ben, cai = three
    ana.save("statement.core_statement", "We meet monthly.")
    ben.refresh()
    cai.refresh()
    path = "statement.core_statement"
    boxes = {s.author: FieldControl(s, path) for s in (ana, ben, cai)}
    typing(boxes["Ana"], "We meet weekly.")
    typing(boxes["Ben"], "We meet fortnightly.")
    typing(boxes["Cai"], "We meet monthly. Cai adds a sentence.")
    for session in (ana, ben, cai):
        session.flush()
    saved = ana.workspace.load("frailty-friends").plan.statement.core_statement
    assert saved == "We meet weekly. Cai adds a sentence."
    assert ana.status.message.startswith("Saved at")
    assert ben.status.message.startswith("Not saved"), "Ben's words are not in it"
    assert cai.status.message.startswith("Saved at")
    # Ben types on while the notice waits: still not saved, never "Saving…".
    typing(boxes["Ben"], "We meet fortnightly, on Fridays.")
    assert ben.status.message.startswith("Not saved")
    ben.flush()
    assert ben.status.message.startswith("Not saved")
    boxes["Ben"].conflict.children[1].children[0].click()  # Keep both
    saved = ben.workspace.load("frailty-friends").plan.statement.core_statement
    assert "weekly" in saved and "fortnightly, on Fridays" in saved and "Cai" in saved
    assert ben.status.message.startswith("Saved at")


def idle_box_shows(ana: Session, ben: Session, text: str, added: str) -> FieldControl:
    """Ben's purpose box, untouched, showing `text` and then Ana's save of `text + added`."""
    ana.save("charter.purpose", text)
    ben.refresh()
    box = FieldControl(ben, "charter.purpose")
    ana.save("charter.purpose", text + added)
    ben.refresh()
    assert box.input.value == text + added
    return box


def test_keys_in_flight_when_the_kernel_showed_someones_save_in_an_idle_box_keep_both(
    two: tuple[Session, Session],
) -> None:
    """The kernel shows Ana's save in Ben's box while his first keys are still on their way to
    it (the box looked untouched): his keys were typed on the old text, so Ana's words stay."""
    ana, ben = two
    ben_purpose = idle_box_shows(ana, ben, "We help people get home.", " Ana wants")
    old = ben_purpose.input.rev - 1
    browser_sends(ben_purpose, "We help people get home. Ben w", typed_on=old)
    assert "Ana wants" in ben_purpose.input.value and "Ben w" in ben_purpose.input.value
    ben.flush()
    saved = ben.workspace.load("frailty-friends").plan.charter.purpose
    assert "Ana wants" in saved and "Ben w" in saved, saved
    # Once the browser sends text typed on the text the box shows now, what it sends is taken
    # as it is, deletions included.
    browser_sends(ben_purpose, saved.replace("Ben w", "Ben wants"))
    browser_sends(ben_purpose, saved.replace("Ben w", "Ben wants").replace(" Ana wants", ""))
    ben.flush()
    assert "Ana" not in ben.workspace.load("frailty-friends").plan.charter.purpose


def test_a_space_typed_between_words_someone_else_just_added_is_taken_as_typed(
    two: tuple[Session, Session],
) -> None:
    """A key typed on the text the kernel just showed is never mistaken for a key typed on the
    older text, even where it changes the words around it (a space before another's word)."""
    ana, ben = two
    ben_purpose = idle_box_shows(ana, ben, "Ana wants Ben wants", " Cai wants")
    browser_sends(ben_purpose, "Ana wants Ben wants  Cai wants")  # a space after "Ben wants"
    assert ben_purpose.input.value == "Ana wants Ben wants  Cai wants"


def test_a_space_just_typed_stays_at_the_caret_when_others_words_come_in(
    two: tuple[Session, Session],
) -> None:
    """Ana typed a space after her word, before Cai's (the caret is after it); Ben's word saved
    there meanwhile goes after her space, so her next keys start a word of their own. Over
    words the space went with Cai's word, after Ben's, and her next word glued onto Ben's
    ('ana002ben001', figure 18)."""
    ana, ben = two
    ana.save("charter.purpose", "We help. ana001 cai001")
    ben.refresh()
    ana_purpose = FieldControl(ana, "charter.purpose")
    typing(ana_purpose, "We help. ana001  cai001")
    ben.save("charter.purpose", "We help. ana001 ben001 cai001")
    ana.refresh()
    assert ana_purpose.input.value == "We help. ana001  ben001 cai001"
