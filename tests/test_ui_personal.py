"""The page sections for personal data, driven by widget messages as a browser sends them:
owners look a person up, erase them, close or delete their SIG; nobody else can, whatever
messages their page sends."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from widget_tree import walk

from sigworkbook.hosting.identity import User
from sigworkbook.store import SigClosed
from sigworkbook.ui.pages import start
from sigworkbook.ui.personal import PersonPanel, SigEndPanel, personal_cards, retention_html
from sigworkbook.workspace import Workspace

ALICE = User("alice")
SIG = "home-safely"


def typed(widget: widgets.Text, value: str) -> None:
    """What a browser sends when someone types into a box."""
    widget.set_state({"value": value})


def pressed(button: widgets.Button) -> None:
    """What a browser sends when someone presses a button."""
    button._handle_button_msg(None, {"event": "click"}, [])


def text_of(root: widgets.Widget) -> str:
    return html.unescape(" ".join(w.value for w in walk(root) if isinstance(w, widgets.HTML)))


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in ("SIGWORKBOOK_AUTHOR", "VOILA_REQUEST_URL", "VOILA_PREHEAT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SIGWORKBOOK_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("SIGWORKBOOK_SIG", SIG)
    with Workspace.open(tmp_path, create=True, user=ALICE) as alice:
        alice.new_sig("Home safely")
        alice.set(SIG, "core_group.people", [{"name": "Ann Smith", "contact": "ann@x.org"}])
        alice.set(SIG, "statement.invitation", "Ask ann smith.")
        alice.set_member(SIG, "carol", "viewer")
    return tmp_path


def cards_for(user: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, widgets.Widget]:
    monkeypatch.setenv("JUPYTERHUB_USER", user)
    page = start.open_start()
    assert page is not None and page.page is not None
    return page, start.build_start(page)


def test_owners_get_the_sections_and_readers_do_not(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, content = cards_for("alice", monkeypatch)
    shown = text_of(content)
    assert "A person's data" in shown and "Close or delete this SIG" in shown
    page.page.session.close()
    page, content = cards_for("carol", monkeypatch)
    assert not [w for w in walk(content) if isinstance(w, PersonPanel | SigEndPanel)]
    page.page.session.close()


def test_an_owner_finds_and_erases_a_person_through_the_page(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, content = cards_for("alice", monkeypatch)
    panel = next(w for w in walk(content) if isinstance(w, PersonPanel))
    typed(panel.name_input, "ANN smith")
    pressed(panel.erase_button)
    assert "Find them first" in panel.message.value
    pressed(panel.find_button)
    assert "statement.invitation" in panel.report.value and "ann@x.org" in panel.report.value
    pressed(panel.erase_button)
    assert "type erase" in panel.message.value
    typed(panel.confirm_input, "erase")
    pressed(panel.erase_button)
    assert "Former member 1" in panel.message.value
    with Workspace.open(root) as operator:
        assert operator.find_person("Ann Smith") == []
        assert operator.load(SIG).plan.statement.invitation == "Ask Former member 1."
    page.page.session.close()


def test_a_page_whose_user_is_no_longer_an_owner_cannot_close_delete_or_erase(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, content = cards_for("alice", monkeypatch)
    person = next(w for w in walk(content) if isinstance(w, PersonPanel))
    end = next(w for w in walk(content) if isinstance(w, SigEndPanel))
    typed(person.name_input, "Ann Smith")
    pressed(person.find_button)
    with Workspace.open(root) as operator:  # meanwhile, alice is made a reader
        operator.set_member(SIG, "bob", "owner")
        operator.set_member(SIG, "alice", "viewer")
    typed(person.confirm_input, "erase")
    pressed(person.erase_button)
    assert "network team" in person.message.value
    pressed(end.close_button)
    assert "conveners" in end.message.value
    typed(end.name_input, "Home safely")
    pressed(end.delete_button)
    assert "conveners" in end.message.value
    with Workspace.open(root) as operator:
        assert operator.store.exists(SIG) and operator.closed_sigs() == {}
        assert operator.find_person("Ann Smith")
    page.page.session.close()


def test_locally_the_workspaces_user_closes_and_deletes_after_typing_the_name(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    with Workspace.open(root) as local:
        cards = personal_cards(local, SIG)
        end = next(w for card in cards for w in walk(card) if isinstance(w, SigEndPanel))
        pressed(end.close_button)
        assert "closed" in end.message.value
        with pytest.raises(SigClosed):
            local.set(SIG, "statement.invitation", "x")
        pressed(end.reopen_button)
        local.set(SIG, "statement.invitation", "x")
        typed(end.name_input, "Home")
        pressed(end.delete_button)
        assert "type the SIG's name" in html.unescape(end.message.value)
        typed(end.name_input, "home SAFELY")
        pressed(end.delete_button)
        assert "deleted" in end.message.value
        assert local.sig_ids() == []


def test_the_network_team_sees_closed_sigs_and_those_past_retention(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(root) as operator:
        assert "No SIG is closed" in retention_html(operator)
        operator.close_sig(SIG)
        monkeypatch.setenv("SIGWORKBOOK_RETENTION_DAYS", "1")
        monkeypatch.setenv("SIGWORKBOOK_TODAY", "2099-01-01")
        shown = retention_html(operator)
        assert "retention period: home-safely" in shown and "Closed: home-safely" in shown


def test_a_closed_sigs_pages_are_read_only_and_say_it_is_closed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigworkbook.hosting.access import CLOSED
    from sigworkbook.live.session import Session
    from sigworkbook.plan.steps import STEP_BY_KEY
    from sigworkbook.ui.page import Page

    with Workspace.open(root) as local:
        local.close_sig(SIG)
        session = Session(local, SIG, author="Ada")
        page = Page(STEP_BY_KEY["charter"], session)
        assert session.read_only
        assert CLOSED in text_of(page.top())
        session.close()
        local.close_sig(SIG, closed=False)
        session = Session(local, SIG, author="Ada")
        assert not session.read_only
        session.close()


def test_the_widgets_going_never_closes_the_sig(root: Path) -> None:
    """ipywidgets closes a widget when it goes (`Widget.close`, from `__del__` at the kernel's
    exit too): that is not the owner pressing "Close the SIG"."""
    with Workspace.open(root) as local:
        end = SigEndPanel(local, SIG)
        end.close()
        widgets.Widget.close(end.close_button)
        assert local.closed_sigs() == {}


def test_a_kernel_that_built_the_owners_panel_exits_and_the_sig_stays_open(root: Path) -> None:
    """A real process builds the panel and exits, as a page's kernel does when it is shut down."""
    script = (
        "from sigworkbook.workspace import Workspace\n"
        "from sigworkbook.ui.personal import SigEndPanel\n"
        f"panel = SigEndPanel(Workspace.open({str(root)!r}), {SIG!r})\n"
    )
    env = {**os.environ, "USER": "convener", "LOGNAME": "convener"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=60)
    with Workspace.open(root) as local:
        assert local.closed_sigs() == {}
