"""The history panel: paging back through every revision, the field filter and field restores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest

from sigworkbook.live.session import Session
from sigworkbook.ui.history import SHOWN, HistoryPanel
from sigworkbook.workspace import Workspace

SIG = "history-group"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace holding one new SIG, `SIG`, at revision 1."""
    with Workspace.open(tmp_path / "ws", create=True) as opened:
        opened.new_sig("History Group", author="setup")
        assert opened.store.revision(SIG) == 1
        yield opened


def edit_until(workspace: Workspace, revision: int, paths: tuple[str, ...]) -> None:
    """Save edits, cycling through `paths`, until the SIG is at `revision`."""
    while (current := workspace.store.revision(SIG)) < revision:
        path = paths[current % len(paths)]
        workspace.set(SIG, path, f"value {current + 1}", author="Ana")


def open_panel(workspace: Workspace) -> HistoryPanel:
    panel = HistoryPanel(Session(workspace, SIG, author="Ana"))
    panel.selected_index = 0
    return panel


def revisions(panel: HistoryPanel) -> list[int]:
    """The revision numbers the panel lists, top to bottom, read from the rows' text."""
    found = []
    for row in panel.rows.children:
        match = re.search(r'data-revision="(\d+)"', row.children[0].value)
        assert match is not None, row.children[0].value
        found.append(int(match[1]))
    return found


def buttons(row: widgets.Widget) -> dict[str, widgets.Button]:
    return {child.description: child for child in row.children if isinstance(child, widgets.Button)}


def row_for(panel: HistoryPanel, revision: int) -> widgets.Widget:
    return panel.rows.children[revisions(panel).index(revision)]


def older_shown(panel: HistoryPanel) -> bool:
    return panel.older_button in panel.footer.children


def test_older_changes_load_a_page_at_a_time_until_none_are_left(workspace: Workspace) -> None:
    edit_until(workspace, 60, ("identity.theme",))
    panel = open_panel(workspace)
    assert revisions(panel) == list(range(60, 60 - SHOWN, -1))
    assert older_shown(panel)
    panel.older_button.click()
    assert revisions(panel) == list(range(60, 60 - 2 * SHOWN, -1))
    assert older_shown(panel)
    panel.older_button.click()
    assert revisions(panel) == list(range(60, 0, -1))
    assert not older_shown(panel)


def test_exactly_one_page_of_history_offers_nothing_older(workspace: Workspace) -> None:
    edit_until(workspace, SHOWN, ("identity.theme",))
    panel = open_panel(workspace)
    assert revisions(panel) == list(range(SHOWN, 0, -1))
    assert not older_shown(panel)
    workspace.set(SIG, "identity.theme", "one more", author="Ben")
    panel.session.refresh()
    assert revisions(panel) == list(range(SHOWN + 1, 0, -1))


def test_a_new_revision_while_open_goes_on_top_and_older_ones_stay(
    workspace: Workspace,
) -> None:
    edit_until(workspace, 60, ("identity.theme", "identity.description"))
    panel = open_panel(workspace)
    panel.older_button.click()
    assert revisions(panel) == list(range(60, 10, -1))
    workspace.set(SIG, "identity.theme", "Falls at home", author="Ben")  # someone else
    assert panel.session.refresh()
    assert revisions(panel) == list(range(61, 10, -1))
    assert "Falls at home" in panel.rows.children[0].children[0].value
    assert older_shown(panel)
    panel.older_button.click()
    assert revisions(panel) == list(range(61, 0, -1))


def test_a_closed_panel_reads_nothing_and_catches_up_when_opened(workspace: Workspace) -> None:
    edit_until(workspace, 30, ("identity.theme",))
    panel = HistoryPanel(Session(workspace, SIG, author="Ana"))
    edit_until(workspace, 32, ("identity.theme",))
    panel.session.refresh()
    assert panel.rows.children == ()
    panel.selected_index = 0
    assert revisions(panel) == list(range(32, 32 - SHOWN, -1))


def test_the_filter_shows_only_that_fields_changes(workspace: Workspace) -> None:
    edit_until(workspace, 60, ("identity.theme", "identity.description"))
    panel = open_panel(workspace)
    labels = dict(panel.filter.options)
    assert labels["every field"] == ""
    assert labels["Theme"] == "identity.theme"
    assert labels["Brief description"] == "identity.description"
    panel.filter.value = "identity.description"
    description = list(range(60, 0, -2))  # set at every even revision
    assert revisions(panel) == description[:SHOWN]
    assert all("Brief description:" in row.children[0].value for row in panel.rows.children)
    assert older_shown(panel)
    panel.older_button.click()
    assert revisions(panel) == description
    assert not older_shown(panel)
    workspace.set(SIG, "identity.theme", "not shown", author="Ben")
    workspace.set(SIG, "identity.description", "shown", author="Ben")
    panel.session.refresh()
    assert revisions(panel) == [62, *description]
    panel.filter.value = ""
    assert revisions(panel) == list(range(62, 62 - SHOWN, -1))


def test_changes_in_table_rows_are_filtered_by_their_table(workspace: Workspace) -> None:
    workspace.set(SIG, "identity.name_ideas", [{"name": "Alpha"}, {"name": "Beta"}], author="Ana")
    ideas = workspace.load(SIG).plan.identity.name_ideas
    workspace.set_in_row(SIG, "identity.name_ideas", ideas[1].id, "name", "Beta two")
    workspace.set(SIG, "identity.theme", "Falls", author="Ana")
    panel = open_panel(workspace)
    assert dict(panel.filter.options)["Name ideas"] == "identity.name_ideas"
    assert not any(".name_ideas." in path for path in dict(panel.filter.options).values())
    panel.filter.value = "identity.name_ideas"
    lines = [row.children[0].value for row in panel.rows.children]
    assert lines and "Beta two" in lines[0]
    assert not any("Falls" in line for line in lines)


def test_restore_a_field_as_it_was_after_a_change(workspace: Workspace) -> None:
    for value in ("First", "Second", "Third", "Fourth"):
        workspace.set(SIG, "identity.theme", value, author="Ana")  # revisions 2 to 5
    panel = open_panel(workspace)
    latest = buttons(row_for(panel, 5))
    assert "Undo this change" in latest
    assert not any(name.startswith("Put this value back") for name in latest)  # it is current
    assert any(name.startswith("Restore the plan as it was at ") for name in latest)
    third = buttons(row_for(panel, 4))
    assert list(third)[:2] == ["Undo this change", "Put this value back"]
    buttons(row_for(panel, 3))["Put this value back"].click()
    assert workspace.store.revision(SIG) == 6
    assert workspace.load(SIG).plan.identity.theme == "Second"
    assert panel.message.value == ""
    assert revisions(panel)[0] == 6
    assert not any(name.startswith("Put this value back") for name in buttons(row_for(panel, 3)))
    assert "Put this value back" in buttons(row_for(panel, 5))


def test_restoring_a_field_in_a_table_row_follows_the_row_not_its_place(
    workspace: Workspace,
) -> None:
    workspace.set(SIG, "identity.name_ideas", [{"name": "Alpha"}, {"name": "Beta"}], author="Ana")
    alpha, beta = workspace.load(SIG).plan.identity.name_ideas
    workspace.set_in_row(SIG, "identity.name_ideas", beta.id, "name", "Beta two")
    named = workspace.store.revision(SIG)
    reordered = [
        row.model_dump(mode="json") for row in workspace.load(SIG).plan.identity.name_ideas
    ]
    workspace.set(SIG, "identity.name_ideas", reordered[::-1], author="Ana")  # Beta now first
    panel = open_panel(workspace)
    # The row that was second is still "Beta two", though Alpha is second now: nothing to offer.
    assert not any(n.startswith("Put this value back") for n in buttons(row_for(panel, named)))
    workspace.set_in_row(SIG, "identity.name_ideas", beta.id, "name", "Beta three")
    panel.session.refresh()
    before = workspace.store.revision(SIG)
    buttons(row_for(panel, named))["Put this value back"].click()
    assert workspace.store.revision(SIG) == before + 1
    rows = {row.id: row.name for row in workspace.load(SIG).plan.identity.name_ideas}
    assert rows == {alpha.id: "Alpha", beta.id: "Beta two"}


def test_a_restore_into_a_removed_row_is_not_offered_and_undo_reports_it(
    workspace: Workspace,
) -> None:
    workspace.set(SIG, "identity.name_ideas", [{"name": "Alpha"}, {"name": "Beta"}], author="Ana")
    _, beta = workspace.load(SIG).plan.identity.name_ideas
    workspace.set_in_row(SIG, "identity.name_ideas", beta.id, "name", "Beta two")
    named = workspace.store.revision(SIG)
    workspace.set_in_row(SIG, "identity.name_ideas", beta.id, "name", "Beta three")
    kept = [workspace.load(SIG).plan.identity.name_ideas[0].model_dump(mode="json")]
    workspace.set(SIG, "identity.name_ideas", kept, author="Ana")
    panel = open_panel(workspace)
    offered = buttons(row_for(panel, named))
    assert not any(name.startswith("Put this value back") for name in offered)
    before = workspace.store.revision(SIG)
    offered["Undo this change"].click()
    assert "removed" in panel.message.value and 'role="alert"' in panel.message.value
    assert workspace.store.revision(SIG) == before


def test_values_and_names_are_shown_as_text(workspace: Workspace) -> None:
    workspace.set(SIG, "identity.theme", "<b>Falls</b> & trips", author="<i>Eve</i>")
    panel = open_panel(workspace)
    line = panel.rows.children[0].children[0].value
    assert "&lt;b&gt;Falls&lt;/b&gt; &amp; trips" in line
    assert "&lt;i&gt;Eve&lt;/i&gt;" in line
    assert "<b>" not in line and "<i>" not in line


def test_a_change_in_a_table_row_names_its_table_and_row(workspace: Workspace) -> None:
    from sigworkbook.ui.history import describe

    workspace.set(SIG, "charter.risks", [{"risk": "A"}, {"risk": "B"}], author="Ana")
    second = workspace.load(SIG).plan.charter.risks[1].id
    workspace.set_in_row(SIG, "charter.risks", second, "mitigation", "Share <b>it</b>")
    line = describe(workspace.history(SIG)[0])
    assert "Changed Risk 2: Mitigation: <q>Share &lt;b&gt;it&lt;/b&gt;</q>" in line
    panel = open_panel(workspace)
    lines = [row.children[0].value for row in panel.rows.children]
    assert "Changed Risk 2, “B”: Mitigation: <q>Share &lt;b&gt;it&lt;/b&gt;</q>" in lines[0]
    assert "Added Risk 1, B to the risks and mitigations" not in lines[1]
    assert "· Added A, B to the risks and mitigations" in lines[1], "the whole table"


def test_history_lines_say_what_changed_in_words(workspace: Workspace) -> None:
    """Rows added and removed by name, choices by their label, no JSON, ids or revisions."""
    people = [{"name": "Maya Okafor", "role": "convener"}]
    workspace.set(SIG, "core_group.people", people, author="Priya")
    saved = [p.model_dump(mode="json") for p in workspace.load(SIG).plan.core_group.people]
    workspace.set(SIG, "core_group.people", [*saved, {"name": "Ben"}], author="Priya")
    ben = workspace.load(SIG).plan.core_group.people[1].id
    workspace.set_in_row(SIG, "core_group.people", ben, "role", "sponsor", author="Priya")
    workspace.set(SIG, "core_group.people", saved, author="Priya")
    workspace.set(SIG, "charter.out_of_scope", "Clinical advice", author="Priya")
    workspace.set(SIG, "charter.review_date", "2027-01-15", author="Priya")
    panel = open_panel(workspace)
    lines = [re.sub("<[^>]+>", "", row.children[0].value) for row in panel.rows.children]
    assert lines[0].endswith("Priya · Changed Charter review date: 15 January 2027")
    assert lines[1].endswith("Changed Out of scope: Clinical advice")
    assert lines[2].endswith("Removed Ben from the core group")
    assert lines[3].endswith("Changed Person 2, “Ben”: Role: Sponsor") is False  # Ben has gone
    assert lines[3].endswith("Changed Person 2: Role: Sponsor")
    assert lines[4].endswith("Added Ben to the core group")
    assert lines[5].endswith("Added Maya Okafor to the core group")
    for line in lines:
        assert not re.search(r"[{}\[\]#]|revision|\w\.\w", line), line


def test_undo_double_clicked_undoes_one_edit(workspace: Workspace) -> None:
    workspace.set(SIG, "identity.theme", "Falls", author="Ana")
    workspace.set(SIG, "identity.description", "First words", author="Ana")
    panel = open_panel(workspace)
    panel.undo_button.click()
    panel.undo_button.click()  # the second click of a double-click
    plan = workspace.load(SIG).plan
    assert (plan.identity.theme, plan.identity.description) == ("Falls", "")
    panel.undo_button.presses.done_at -= 5  # a second press, meant, a moment later
    panel.undo_button.click()
    assert workspace.load(SIG).plan.identity.theme == ""
    assert "Undone: Theme" in panel.message.value
    revision = workspace.store.revision(SIG)
    panel.undo_button.presses.done_at -= 5
    panel.undo_button.click()  # both of Ana's edits are undone: Undo does not redo them
    assert workspace.store.revision(SIG) == revision
    assert "no edit to undo" in panel.message.value
