"""The privacy notice and its start-page link (ours, or the operator's page or file), and the
member directory a page searches: read in the session, never kept on the server."""

from __future__ import annotations

import datetime as dt
import html
import sqlite3
from pathlib import Path

import ipywidgets as widgets
import pytest
from repo_paths import REPO
from widget_tree import walk

from sigworkbook import privacy, settings
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.directory import DirectorySearch
from sigworkbook.ui.notice import notice_html
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import promotion, start
from sigworkbook.workspace import Workspace

SIG = "home-safely"
DOCS = REPO / "docs" / "privacy.md"


def text_of(root: widgets.Widget) -> str:
    return html.unescape(" ".join(w.value for w in walk(root) if isinstance(w, widgets.HTML)))


def test_the_start_page_links_to_how_information_is_used(ws: Workspace) -> None:
    page = start.build(Page(STEP_BY_KEY["start"], Session(ws, SIG, author="Ada")))
    shown = text_of(page)
    assert privacy.NOTICE_TITLE in shown
    assert "Your rights" in shown and "never saved on the server" in shown


def test_an_operator_replaces_the_notice_by_their_page_or_their_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.PRIVACY_NOTICE.env, "https://trust.example.org/privacy")
    shown = notice_html(tmp_path)
    assert 'href="https://trust.example.org/privacy"' in shown and 'rel="noopener' in shown
    (tmp_path / "notice.md").write_text(
        "# Our notice\n\nAsk the DPO.\n\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    monkeypatch.setenv(settings.PRIVACY_NOTICE.env, "notice.md")  # relative to the workspace
    shown = notice_html(tmp_path)
    assert "<h1>Our notice</h1>" in shown and "Ask the DPO." in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    monkeypatch.setenv(settings.PRIVACY_NOTICE.env, "javascript:alert(1)")  # a file, not a link
    shown = notice_html(tmp_path)
    assert "href" not in shown and "cannot read" in shown


def test_the_privacy_document_covers_what_a_data_protection_officer_asks() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for needed in (
        "What is kept",
        "Where",
        "Who can see it",
        "How long",
        "A copy of what is held",
        "Erasure",
        "Backups",
        "sigworkbook person",
        settings.RETENTION_DAYS.name,
        settings.PRIVACY_NOTICE.name,
    ):
        assert needed in text, needed


def test_an_uploaded_member_directory_is_never_stored_on_the_server(ws: Workspace) -> None:
    marker = "Zebulon Quatermaine-Vrisk"
    data = (
        "name,organisation,role,region,interests\n"
        f"{marker},Marker Trust,nurse,North,falls prevention\n"
        "Ann Other,Other Trust,GP,South,sepsis\n"
    ).encode()
    page = promotion.build(Page(STEP_BY_KEY["promotion"], Session(ws, SIG, author="Ada")))
    directory = next(w for w in walk(page) if isinstance(w, DirectorySearch))
    directory.upload.value = (
        {
            "name": "members.csv",
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        },
    )
    assert "2 people loaded" in directory.source.value
    assert [m.record["name"] for m in directory.search("falls")] == [marker]
    assert directory.upload.value == ()  # the upload widget lets go of the file's bytes
    found = [
        path
        for path in ws.root.rglob("*")
        if path.is_file() and marker.encode() in path.read_bytes()
    ]
    assert found == []
    conn = sqlite3.connect(ws.root / "sigworkbook.db")
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                assert marker not in repr(row)
    finally:
        conn.close()
    assert marker not in ws.load(SIG).plan.model_dump_json()
