"""The review page (step 6): progress with links, charter preview, downloads, development checklist."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import control, find, walk

from sigworkbook.exports import FORMATS
from sigworkbook.live.session import Session
from sigworkbook.plan import catalogues
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.downloads import CHARTER_PAGE, REVISION_MARKER, DownloadsPanel
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.review import CharterPreview, MembershipNote, ProgressSummary, build
from sigworkbook.workspace import Workspace

DEMO = "home-safely"
LINK = re.compile(r'<a class="swb-download" download="([^"]+)" href="data:([^;,]+)[^,]*,([^"]+)"')


def page_for(ws: Workspace, sig: str) -> tuple[Session, widgets.Widget]:
    session = Session(ws, sig, author="Ada")
    return session, build(Page(STEP_BY_KEY["review"], session))


def test_a_complete_plan_shows_every_step_complete(ws: Workspace) -> None:
    _, form = page_for(ws, DEMO)
    shown = find(form, ProgressSummary).value
    assert "6 of 6 steps complete" in shown
    assert "left" not in shown


def test_what_is_left_is_listed_per_step_with_a_link_to_its_page(ws: Workspace) -> None:
    sig = ws.new_sig("Falls Friends").plan.id
    _, form = page_for(ws, sig)
    shown = find(form, ProgressSummary).value
    assert f'href="03-charter.ipynb?sig={sig}&amp;who=Ada"' in shown
    assert "What are we trying to do?: not written yet" in shown
    assert "no measure of success yet" in shown
    assert "of 6 steps complete" in shown


def test_the_review_page_lists_whose_network_membership_is_unanswered(ws: Workspace) -> None:
    session, form = page_for(ws, DEMO)
    shown = html.unescape(find(form, MembershipNote).value)
    assert "Nobody has said yet whether Edith Mallory is a network member" in shown
    assert 'href="01-core-group.ipynb?sig=home-safely&who=Ada"' in shown
    assert "6 of 6 steps complete" in find(form, ProgressSummary).value  # not a gap
    ws.set(DEMO, "core_group.people.6.network_member", False, author="Ada")
    session.refresh()
    assert find(form, MembershipNote).value == ""


def test_progress_and_preview_follow_changes_made_elsewhere(ws: Workspace) -> None:
    session, form = page_for(ws, DEMO)
    other = Session(ws, DEMO, author="Bo")
    other.save("charter.purpose", "")
    other.save("charter.scope", "Fewer <b>delays</b> at discharge.")
    session.refresh()
    progress = find(form, ProgressSummary).value
    assert "5 of 6 steps complete" in progress
    assert "3. Charter</a>: 1 thing left" in progress
    assert "What are we trying to do?: not written yet" in progress
    preview = find(form, CharterPreview).value
    assert "Fewer &lt;b&gt;delays&lt;/b&gt; at discharge." in preview
    assert "<b>" not in preview


def test_the_preview_is_the_exported_charter_under_the_pages_headings(ws: Workspace) -> None:
    _, form = page_for(ws, DEMO)
    preview = find(form, CharterPreview).value
    plan = ws.load(DEMO).plan
    assert plan.identity.name in preview
    assert plan.charter.risks[1].risk in preview
    assert plan.charter.measures[0].indicator in preview
    assert "<h1" not in preview and "<h2" not in preview
    assert "<h3>" in preview


def test_every_export_is_written_into_the_workspace_and_offered(ws: Workspace) -> None:
    _, form = page_for(ws, DEMO)
    panel = find(form, DownloadsPanel)
    folder = ws.root / "exports" / DEMO
    expected = [f.file_name for f in FORMATS.values()] + [CHARTER_PAGE]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*expected, REVISION_MARKER])
    links = LINK.findall(panel.links.value)
    # Saved under the SIG's name: home-safely-charter.md, home-safely-charter.docx, ...
    assert [name for name, _, _ in links] == [f"{DEMO}-{name}" for name in expected]
    assert f'download="{DEMO}-charter.docx"' in panel.links.value
    for name, media_type, data in links:
        written = folder / name.removeprefix(f"{DEMO}-")
        assert base64.b64decode(data) == written.read_bytes(), name
        assert media_type in {f.media_type for f in FORMATS.values()} | {"text/html"}
    charter = (folder / "charter.md").read_text(encoding="utf-8")
    assert ws.load(DEMO).plan.identity.name in charter
    assert "These files hold every change made up to " in panel.status.value
    assert "exports/" not in panel.status.value and "UTC" not in panel.status.value
    assert "revision" not in panel.status.value


def test_opening_the_page_again_reuses_the_files_of_the_same_revision(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, first = page_for(ws, DEMO)
    folder = ws.root / "exports" / DEMO

    def written() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}

    before = written()
    offered = find(first, DownloadsPanel).links.value
    _, again = page_for(ws, DEMO)
    assert written() == before  # not one file replaced
    assert find(again, DownloadsPanel).links.value == offered
    # A file gone missing, a newer revision or other templates mean writing them all again.
    (folder / "schedule.ics").unlink()
    _, after_loss = page_for(ws, DEMO)
    assert (folder / "schedule.ics").exists()
    links = find(after_loss, DownloadsPanel).links.value
    assert links.count('class="swb-download"') == len(before) - 1
    Session(ws, DEMO, author="Bo").save("identity.name", "Home Safely Again")
    page_for(ws, DEMO)
    assert "Home Safely Again" in (folder / "charter.md").read_text(encoding="utf-8")
    marker = (folder / REVISION_MARKER).read_text()
    assert marker.splitlines()[0] == str(ws.load(DEMO).revision)
    ours = tmp_path / "our-templates"
    ours.mkdir()
    (ours / "listing.md.j2").write_text("Our own listing for {{ plan.identity.name }}\n")
    monkeypatch.setenv("SIGWORKBOOK_TEMPLATES", str(ours))
    page_for(ws, DEMO)
    assert (folder / "listing.md").read_text(encoding="utf-8").startswith("Our own listing")


def test_files_left_half_rewritten_are_never_offered_as_current(ws: Workspace) -> None:
    _, form = page_for(ws, DEMO)
    folder = ws.root / "exports" / DEMO
    Session(ws, DEMO, author="Bo").save("identity.name", "Home Safely Again")
    (folder / CHARTER_PAGE).unlink()
    (folder / CHARTER_PAGE).mkdir()  # the last file cannot be written
    assert not find(form, DownloadsPanel).export()
    assert str(folder / CHARTER_PAGE) in find(form, DownloadsPanel).status.value
    assert not (folder / REVISION_MARKER).exists()
    (folder / CHARTER_PAGE).rmdir()
    page_for(ws, DEMO)
    assert (folder / CHARTER_PAGE).is_file()
    assert (folder / REVISION_MARKER).read_text().splitlines()[0] == str(ws.load(DEMO).revision)


def test_after_a_change_the_page_says_so_and_exports_again(ws: Workspace) -> None:
    session, form = page_for(ws, DEMO)
    panel = find(form, DownloadsPanel)
    control(form, "development.items.crowd_funding.owner").input.value = "Priyanka Desai"
    assert "changed since" in panel.status.value
    Session(ws, DEMO, author="Bo").save("identity.name", "Home Safely Together")
    session.refresh()
    assert panel.export()
    assert "changed since" not in panel.status.value
    charter = (ws.root / "exports" / DEMO / "charter.md").read_text(encoding="utf-8")
    assert "Home Safely Together" in charter
    listing = next(d for d in panel.downloads if d.file_name == "listing.md")
    assert b"Home Safely Together" in listing.data


def test_an_export_that_cannot_be_written_says_why(ws: Workspace) -> None:
    blocker = ws.root / "exports" / DEMO
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")
    _, form = page_for(ws, DEMO)
    panel = find(form, DownloadsPanel)
    assert "Export failed" in panel.status.value
    assert str(blocker) in panel.status.value or "not a folder" in panel.status.value
    assert panel.links.value == ""
    assert blocker.read_text() == "not a folder"


def test_the_checklist_has_every_follow_on_action(ws: Workspace) -> None:
    _, form = page_for(ws, DEMO)
    text = " ".join(w.value for w in walk(form) if isinstance(w, widgets.HTML))
    for key, entry in catalogues.active()["follow_on_actions"].items():
        assert html.escape(entry.label) in text
        for name in ("status", "owner", "notes"):
            control(form, f"development.items.{key}.{name}")


def test_an_action_nobody_has_touched_shows_its_defaults_and_saves(ws: Workspace) -> None:
    assert "funder_insight" not in ws.load(DEMO).plan.development.items
    _, form = page_for(ws, DEMO)
    status = control(form, "development.items.funder_insight.status")
    assert status.input.value == "not_started"
    status.input.value = "in_progress"
    item = ws.load(DEMO).plan.development.items["funder_insight"]
    assert (item.status, item.owner) == ("in_progress", "")


def test_checklist_edits_by_others_show_and_bad_input_is_refused(ws: Workspace) -> None:
    session, form = page_for(ws, DEMO)
    Session(ws, DEMO, author="Bo").save("development.items.connectors.owner", "Colm")
    session.refresh()
    assert control(form, "development.items.connectors.owner").input.value == "Colm"
    before = ws.load(DEMO).revision
    owner = control(form, "development.items.connectors.owner")
    owner.input.value = "x" * 81
    assert ws.load(DEMO).revision == before
    assert "Owner" in owner.problem.value and "80" in owner.problem.value
