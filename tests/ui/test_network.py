"""The network team's view: every SIG with conveners, progress, last edit and listing state,
the review page's "send for listing", and the list as CSV and Markdown."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import walk

from sigworkbook.exports.network import network_csv, network_markdown
from sigworkbook.hosting.identity import User
from sigworkbook.live.session import Session
from sigworkbook.network_team import summarise
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages import network, review
from sigworkbook.workspace import Workspace

NINA = User("nina", groups=frozenset({"sigworkbook-network"}))
HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script> *bold* [link](http://y)'


@pytest.fixture
def root(kernel_root: Path) -> Iterator[Path]:
    with Workspace.open(kernel_root, create=True, user=User("alice")) as alice:
        first = alice.new_sig("Home safely").plan.id
        alice.set(first, "identity.description", "Getting people home")
        alice.set(
            first,
            "core_group.people",
            [{"name": "Ann Convener", "role": "convener"}, {"name": HOSTILE, "role": "convener"}],
        )
    with Workspace.open(kernel_root, user=User("bob")) as bob:
        second = bob.new_sig("Later group").plan.id
        bob.set(second, "identity.description", "Edited last")
    yield kernel_root


def test_submissions_come_first_and_each_sig_shows_its_state(root: Path) -> None:
    with Workspace.open(root, user=User("alice")) as alice:
        alice.submit_listing("home-safely")
    with Workspace.open(root, user=NINA) as nina:
        summaries = summarise(nina)
    assert [s.sig_id for s in summaries] == ["home-safely", "later-group"]
    sent, other = summaries
    assert sent.submitted and sent.submitted_by == "alice" and sent.submitted_revision == 3
    assert not sent.changed_since_submitted
    assert sent.conveners == ("Ann Convener", HOSTILE) and sent.owners == ("alice",)
    progress = {step.key: (done, total) for step, done, total in sent.progress}
    assert {"core", "name", "charter", "schedule", "promotion"} <= set(progress)
    assert all(0 <= done <= total for done, total in progress.values())
    assert not other.submitted and other.last_editor == "bob"
    with Workspace.open(root, user=User("bob")) as bob:
        assert [s.sig_id for s in summarise(bob)] == ["later-group"]


def test_without_submissions_the_latest_edit_comes_first(root: Path) -> None:
    with Workspace.open(root, user=NINA) as nina:
        assert [s.sig_id for s in summarise(nina)] == ["later-group", "home-safely"]


def test_the_csv_cannot_run_formulas_and_the_markdown_escapes_user_text(root: Path) -> None:
    with Workspace.open(root, user=NINA) as nina:
        summaries = summarise(nina)
    table = list(csv.reader(io.StringIO(network_csv(summaries).decode("utf-8-sig"))))
    assert table[0][:3] == ["SIG id", "Name", "Description"]
    # Times as spreadsheets sort them, in UTC, which the header says.
    assert table[0][5] == "Last edit (UTC)"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[5]) for row in table[1:])
    conveners = {row[0]: row[3] for row in table[1:]}
    assert conveners["home-safely"] == f"Ann Convener, {HOSTILE}"
    with Workspace.open(root, user=User("alice")) as alice:
        alice.set("home-safely", "identity.name", HOSTILE)
    with Workspace.open(root, user=NINA) as nina:
        summaries = summarise(nina)
    rows = list(csv.reader(io.StringIO(network_csv(summaries).decode("utf-8-sig"))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    text = network_markdown(summaries, at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC))
    assert not re.search(r"(?<!\\)[<*\[]", text.split("Getting")[0].split("## ")[1])
    assert r"\<script>" in text and r"\*bold\*" in text
    assert "As of 4 Dec 2026, 00:00 UTC: 2 SIGs." in text  # times in words for people


def _text(root: widgets.Widget) -> str:
    return html.unescape(" ".join(w.value for w in walk(root) if isinstance(w, widgets.HTML)))


def test_only_the_network_team_opens_the_network_page(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    assert network.open_network() is None
    shown = html.unescape(capsys.readouterr().out)
    assert "have access to this page" in shown and "Home safely" not in shown
    monkeypatch.setenv("SIGWORKBOOK_USER_GROUPS", "staff,sigworkbook-network")
    page = network.open_network()
    assert page is not None
    view = network.NetworkView(page.workspace)
    text = _text(view)
    assert "Home safely" in text and "Later group" in text and "not sent yet" in text
    assert "<script>" not in view.table.value
    assert "network-sigs.csv" in view.downloads.value
    assert "network-sigs.md" in view.downloads.value


def test_the_network_page_is_no_step_of_the_step_bar() -> None:
    assert all("network" not in step.notebook for step in STEPS)


def test_the_review_page_sends_the_listing(root: Path) -> None:
    with Workspace.open(root, user=User("bob")) as bob:
        bob.set_member("later-group", "carol", "viewer")
        session = Session(bob, "later-group", author="someone else")
        content = review.build(Page(STEP_BY_KEY["review"], session))
        send = next(w for w in walk(content) if isinstance(w, review.ListingSubmission))
        assert "Not sent" in send.state.value
        assert send.submit()
        assert "Sent to the network team" in send.state.value and "by bob" in send.state.value
        assert "(revision 2)" in send.state.value
        session.save("identity.description", "Changed after sending")
        assert "changed since" in send.state.value
        session.close()
    with Workspace.open(root, user=User("carol")) as carol:
        session = Session(carol, "later-group")
        send = review.ListingSubmission(session)
        assert not send.submit()
        assert "not change it" in send.message.value
        session.close()
    with Workspace.open(root, user=User("alice")) as alice:
        empty = alice.new_sig("Nameless yet").plan.id
        session = Session(alice, empty)
        send = review.ListingSubmission(session)
        assert not send.submit() and "fill in both" in send.message.value
        session.close()
