"""Who may see and edit which SIG in hosted mode, enforced by the workspace, on both backends."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_backends import BACKENDS, make_backend

from sigworkbook import settings
from sigworkbook.hosting import access
from sigworkbook.hosting.access import NO_ACCESS, READ_ONLY, AccessDenied
from sigworkbook.hosting.identity import User, author_for, hosted_user
from sigworkbook.plan.validation import PlanError
from sigworkbook.settings import SettingError
from sigworkbook.store import LastOwner
from sigworkbook.workspace import Workspace

NETWORK = "sigworkbook-network"
Open = Callable[[User | None], Workspace]


@pytest.fixture(params=BACKENDS)
def open_as(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Open]:
    """Open the one shared database as a hub user (None: the operator)."""
    backend = make_backend(request, request.param, tmp_path)
    opened: list[Workspace] = []

    def open_as(user: User | None) -> Workspace:
        workspace = Workspace(tmp_path, backend.open(), user=user)
        opened.append(workspace)
        return workspace

    yield open_as
    for workspace in opened:
        workspace.close()


ALICE, BOB, CAROL, DAVE = (User(n) for n in ("alice", "bob", "carol", "dave"))
NINA = User("nina", groups=frozenset({NETWORK}))


class Seen(logging.Handler):
    """The log lines a logger writes, beside its own handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def sig(open_as: Open) -> str:
    """Alice's SIG, with bob as editor and carol as viewer."""
    alice = open_as(ALICE)
    sig_id = alice.new_sig("Home safely").plan.id
    alice.set_member(sig_id, "bob", "editor")
    alice.set_member(sig_id, "carol", "viewer")
    return sig_id


def test_whoever_creates_a_sig_is_its_owner(open_as: Open, sig: str) -> None:
    members = open_as(None).members(sig)
    assert [(m.user, m.role) for m in members] == [
        ("alice", "owner"),
        ("bob", "editor"),
        ("carol", "viewer"),
    ]
    assert open_as(ALICE).can_manage(sig)


def test_each_user_lists_only_their_sigs(open_as: Open, sig: str) -> None:
    open_as(DAVE).new_sig("Dave's own")
    assert open_as(BOB).sig_ids() == [sig]
    assert open_as(CAROL).sig_ids() == [sig]
    assert open_as(DAVE).sig_ids() == ["dave-s-own"]
    assert open_as(NINA).sig_ids() == ["dave-s-own", sig]
    assert open_as(None).sig_ids() == ["dave-s-own", sig]


def test_a_non_member_can_read_nothing_of_a_sig(open_as: Open, sig: str) -> None:
    dave = open_as(DAVE)
    reads: list[Callable[[], object]] = [
        lambda: dave.load(sig),
        lambda: dave.check(sig),
        lambda: dave.history(sig),
        lambda: dave.revision(sig),
        lambda: dave.last_changes(sig),
        lambda: dave.plan_at(sig, 1),
        lambda: dave.members(sig),
        lambda: dave.set(sig, "identity.description", "mine now"),
        lambda: dave.set_member(sig, "dave", "owner"),
        lambda: dave.load("no-such-sig"),
    ]
    seen = Seen()
    access.log.addHandler(seen)
    try:
        for read in reads:
            with pytest.raises(AccessDenied) as refused:
                read()
            assert str(refused.value) == NO_ACCESS
    finally:
        access.log.removeHandler(seen)
    refusals = seen.lines
    assert len(refusals) == len(reads)
    assert all("dave" in line for line in refusals)
    assert f"refused: dave may not read SIG '{sig}'" in refusals
    assert open_as(None).load(sig).revision == 1


def test_an_editor_edits_a_viewer_reads_only(open_as: Open, sig: str) -> None:
    bob, carol = open_as(BOB), open_as(CAROL)
    bob.set(sig, "identity.description", "Getting people home from hospital")
    assert carol.load(sig).plan.identity.description == "Getting people home from hospital"
    assert not carol.can_edit(sig) and bob.can_edit(sig) and not bob.can_manage(sig)
    for write in (
        lambda: carol.set(sig, "identity.description", "changed"),
        lambda: carol.update(sig, "identity.description", lambda _: "changed"),
        lambda: carol.restore(sig, 1),
        lambda: carol.submit_listing(sig),
    ):
        with pytest.raises(AccessDenied, match=READ_ONLY):
            write()
    with pytest.raises(AccessDenied, match="conveners"):
        bob.set_member(sig, "dave", "editor")
    assert open_as(None).revision(sig) == 2


def test_edits_are_recorded_under_the_hub_user_whatever_name_is_asked(
    open_as: Open, sig: str
) -> None:
    bob = open_as(BOB)
    bob.set(sig, "identity.description", "from bob", author="alice")
    assert bob.history(sig, limit=1)[0].author == "bob"
    operator = open_as(None)
    operator.set(sig, "identity.description", "from the CLI", author="ops")
    assert operator.history(sig, limit=1)[0].author == "ops"


def test_the_network_team_reads_every_sig_and_edits_none(open_as: Open, sig: str) -> None:
    nina = open_as(NINA)
    assert nina.load(sig).plan.identity.name == "Home safely"
    with pytest.raises(AccessDenied, match=READ_ONLY):
        nina.set(sig, "identity.description", "x")
    open_as(ALICE).set_member(sig, "nina", "editor")
    nina.set(sig, "identity.description", "now as an editor")


def test_owners_manage_members_and_keep_one_owner(open_as: Open, sig: str) -> None:
    alice = open_as(ALICE)
    # Typed as people write names; the hub lower-cases every login name, and so do we.
    assert alice.set_member(sig, "  Dave ", "viewer") == "dave"
    assert open_as(DAVE).sig_ids() == [sig]
    assert [m.user for m in alice.members(sig)] == ["alice", "bob", "carol", "dave"]
    alice.set_member(sig, "DAVE", None)
    assert open_as(DAVE).sig_ids() == []
    with pytest.raises(LastOwner):
        alice.set_member(sig, "alice", "editor")
    alice.set_member(sig, "bob", "owner")
    open_as(BOB).set_member(sig, "alice", None)
    with pytest.raises(AccessDenied):
        alice.load(sig)


def test_listing_submissions_record_who_and_which_revision(open_as: Open, sig: str) -> None:
    open_as(BOB).set(sig, "identity.description", "x")
    sent = open_as(ALICE).submit_listing(sig)
    assert (sent.user, sent.revision) == ("alice", 2)
    assert open_as(NINA).submissions() == [sent]
    assert open_as(DAVE).submissions() == []


def test_hosted_mode_comes_from_the_hub_environment() -> None:
    assert hosted_user({}) is None
    assert author_for("anyone", {}) == "anyone"
    environ = {
        "JUPYTERHUB_USER": "bob",
        "SIGWORKBOOK_USER_DISPLAY_NAME": "Bob Jones",
        "SIGWORKBOOK_USER_GROUPS": "core, sigworkbook-network",
    }
    user = hosted_user(environ)
    assert user == User("bob", "Bob Jones", frozenset({"core", NETWORK}))
    assert user.shown == "Bob Jones" and user.network_team
    assert author_for("alice", environ) == "bob"
    assert hosted_user({"JUPYTERHUB_USER": "Bob"}) == User("bob")
    other_team = {**environ, "SIGWORKBOOK_NETWORK_GROUP": "q-team"}
    assert not hosted_user(other_team).network_team  # type: ignore[union-attr]


def test_who_is_logged_in_cannot_come_from_a_settings_file(tmp_path: Path) -> None:
    (tmp_path / "sigworkbook.toml").write_text('hub_user = "alice"\n', encoding="utf-8")
    environ = {"SIGWORKBOOK_WORKSPACE": str(tmp_path)}
    assert hosted_user(environ) is None
    with pytest.raises(SettingError, match=r"hub_user can be set only in the environment"):
        settings.BUSY_TIMEOUT.read(environ)


def test_restoring_or_importing_a_plan_never_changes_the_members(open_as: Open, sig: str) -> None:
    alice = open_as(ALICE)
    before = alice.members(sig)
    exported = alice.load(sig).plan.model_dump(mode="json")
    alice.set(sig, "identity.description", "later")
    alice.restore(sig, 1)
    with pytest.raises(PlanError, match="“members”: is not a field of the plan"):
        alice.import_plan({**exported, "members": [{"user": "dave", "role": "owner"}]})
    alice.import_plan(exported, replace=True)
    assert alice.members(sig) == before
    assert open_as(DAVE).sig_ids() == []


def test_an_operation_reads_the_users_roles_once(open_as: Open, sig: str) -> None:
    """The permission is stated once per operation: one read of the user's memberships, even
    when the operation is made of others (a field of a row restored is a row edit), and no
    extra question whether a SIG the user is a member of exists."""
    bob = open_as(BOB)
    bob.set(sig, "core_group.people", [{"name": "Ann"}])
    bob.set_in_row(
        sig, "core_group.people", bob.load(sig).plan.core_group.people[0].id, "name", "Al"
    )
    asked: list[str] = []
    for name in ("memberships", "exists"):
        method = getattr(bob.store, name)
        setattr(bob.store, name, lambda *a, _m=method, _n=name: asked.append(_n) or _m(*a))
    bob.restore(sig, bob.revision(sig) - 1, path="core_group.people.0.name")
    assert asked == ["memberships", "memberships"]  # revision(), then restore() as one
    assert bob.load(sig).plan.core_group.people[0].name == "Ann"
    asked.clear()
    with pytest.raises(AccessDenied):
        open_as(DAVE).load(sig)
    assert bob.load(sig).revision > 0
    assert asked == ["memberships"]
