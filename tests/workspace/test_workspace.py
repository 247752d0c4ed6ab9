"""The workspace service: new SIGs, setting fields, restore, import, and what may not be changed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from strategies import complete_plan

from sigworkbook.plan import catalogues
from sigworkbook.plan.fieldtypes import SLUG_PATTERN
from sigworkbook.plan.validation import PlanError
from sigworkbook.store import StoreError
from sigworkbook.workspace import DATABASE_NAME, Workspace, WorkspaceError, resolve


def revisions(workspace: Workspace, sig_id: str) -> list[int]:
    return [change.revision for change in workspace.history(sig_id)]


# --- new SIGs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sig_id"),
    [
        ("Home Safely", "home-safely"),
        ("Café Crème & Co", "cafe-creme-co"),
        ("  --Frailty   Friends!! ", "frailty-friends"),
        ("SIG 2.0: the sequel", "sig-2-0-the-sequel"),
        ("!!!", "sig"),
        ("Łódź Carers", "lodz-carers"),
        ("Straße", "strasse"),
        ("Забота о пожилых", "zabota-o-pozhilykh"),  # noqa: RUF001 (Cyrillic on purpose)
        ("東京", "dong-jing"),
        ("東京ケア", "dong-jing-kea"),
        ("Ελληνικά", "ellinika"),
        ("😀 Walking Group 🚶", "walking-group"),
        ("😀🚶", "sig"),
        ("x" * 80, "x" * 64),
    ],
)
def test_new_sig_id_derived_from_name(workspace: Workspace, name: str, sig_id: str) -> None:
    loaded = workspace.new_sig(name)
    assert loaded.plan.id == sig_id
    assert loaded.plan.identity.name == name
    assert loaded.revision == 1
    assert workspace.sig_ids() == [sig_id]


def test_same_name_gets_unique_ids(workspace: Workspace) -> None:
    ids = [workspace.new_sig("Home Safely").plan.id for _ in range(3)]
    assert ids == ["home-safely", "home-safely-2", "home-safely-3"]
    assert workspace.sig_ids() == sorted(ids)
    assert {workspace.load(sig_id).plan.identity.name for sig_id in ids} == {"Home Safely"}


def test_unique_id_skips_one_taken_by_an_import(workspace: Workspace) -> None:
    workspace.import_plan(complete_plan("home-safely-2"))
    first, second = (workspace.new_sig("Home Safely").plan.id for _ in range(2))
    assert (first, second) == ("home-safely", "home-safely-3")


def test_long_names_still_give_unique_valid_ids(workspace: Workspace) -> None:
    name = "A very long name for a special interest group that goes on " * 2
    ids = [workspace.new_sig(name[:80]).plan.id for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(re.fullmatch(SLUG_PATTERN, sig_id) and len(sig_id) <= 64 for sig_id in ids)


@pytest.mark.parametrize("name", ["two\nlines", "x" * 81, "nul\x00"])
def test_new_sig_refuses_a_bad_name(workspace: Workspace, name: str) -> None:
    with pytest.raises(PlanError) as caught:
        workspace.new_sig(name)
    assert "Name: " in str(caught.value)
    assert workspace.sig_ids() == []


def test_new_sig_records_author(workspace: Workspace) -> None:
    loaded = workspace.new_sig("Walk and Talk", author="Ada")
    [change] = workspace.history(loaded.plan.id)
    assert (change.revision, change.kind, change.author, change.path) == (1, "create", "Ada", "")


# --- set and set_many -----------------------------------------------------------------------


def test_set_saves_one_revision_with_author(workspace: Workspace) -> None:
    sig_id = workspace.new_sig("Walk").plan.id
    loaded = workspace.set(sig_id, "identity.theme", "Recovery", author="Ben")
    assert loaded.revision == 2
    assert workspace.load(sig_id).plan.identity.theme == "Recovery"
    latest = workspace.history(sig_id)[0]
    assert (latest.revision, latest.path, latest.value, latest.author, latest.kind) == (
        2,
        "identity.theme",
        "Recovery",
        "Ben",
        "set",
    )


def test_set_many_saves_all(workspace: Workspace) -> None:
    sig_id = workspace.new_sig("Walk").plan.id
    loaded = workspace.set_many(
        sig_id, [("identity.theme", "Recovery"), ("charter.review_date", "2027-01-31")]
    )
    assert loaded.revision == 3
    plan = workspace.load(sig_id).plan
    assert plan.identity.theme == "Recovery"
    assert str(plan.charter.review_date) == "2027-01-31"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        pytest.param(
            [("identity.theme", "Recovery"), ("charter.review_date", "2026-02-30")],
            "Charter review date: ",
            id="second-invalid",
        ),
        pytest.param(
            [("charter.review_date", "2026-02-30"), ("identity.theme", "Recovery")],
            "Charter review date: ",
            id="first-invalid",
        ),
        pytest.param([("identity.theme", "Recovery"), ("id", "other")], "SIG id: ", id="read-only"),
        pytest.param(
            [("identity.theme", "Recovery"), ("identity.nickname", "x")],
            "“nickname” in Name and description",
            id="unknown-field",
        ),
        pytest.param(
            [("identity.theme", "Recovery"), ("schedule.activities.9.title", "x")],
            "its row may be gone",
            id="row-out-of-range",
        ),
    ],
)
def test_set_many_saves_nothing_when_one_change_is_refused(
    workspace: Workspace, changes: list[tuple[str, Any]], named: str
) -> None:
    before = workspace.import_plan(complete_plan())
    with pytest.raises(PlanError) as caught:
        workspace.set_many(before.plan.id, changes)
    assert named in str(caught.value)
    after = workspace.load(before.plan.id)
    assert (after.revision, after.plan) == (before.revision, before.plan)
    assert revisions(workspace, before.plan.id) == [1]


def test_set_many_validates_the_result_not_each_step(workspace: Workspace) -> None:
    """Changing a count to an end date is only valid when both changes are made together."""
    document = complete_plan()
    document["schedule"]["activities"][0]["recurrence"] = {"frequency": "weekly", "count": 4}
    sig_id = workspace.import_plan(document).plan.id
    until = "schedule.activities.0.recurrence.until"
    with pytest.raises(PlanError):
        workspace.set(sig_id, until, "2026-12-01")
    workspace.set_many(
        sig_id, [(until, "2026-12-01"), ("schedule.activities.0.recurrence.count", None)]
    )
    recurrence = workspace.load(sig_id).plan.schedule.activities[0].recurrence
    assert (recurrence.count, str(recurrence.until)) == (None, "2026-12-01")


def test_setting_the_same_value_is_no_new_revision(workspace: Workspace) -> None:
    sig_id = workspace.new_sig("Walk").plan.id
    assert workspace.set(sig_id, "identity.name", "Walk").revision == 1
    assert revisions(workspace, sig_id) == [1]


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("id", "other-id", "SIG id: cannot be changed"),
        ("schema_version", 2, "Schema version: cannot be changed"),
        ("", {"id": "other-id"}, "cannot be changed"),
    ],
)
def test_read_only_paths_refused(workspace: Workspace, path: str, value: Any, named: str) -> None:
    sig_id = workspace.new_sig("Walk").plan.id
    with pytest.raises(PlanError) as caught:
        workspace.set(sig_id, path, value)
    assert named in str(caught.value)
    assert workspace.sig_ids() == [sig_id]
    assert revisions(workspace, sig_id) == [1]


def test_load_of_an_unknown_sig(workspace: Workspace) -> None:
    with pytest.raises(StoreError, match="no-such-sig"):
        workspace.load("no-such-sig")


# --- restore --------------------------------------------------------------------------------


@pytest.fixture
def edited(workspace: Workspace) -> str:
    """A SIG with four revisions: created 'A', name 'B', theme 'T', name 'C'."""
    sig_id = workspace.new_sig("A").plan.id
    workspace.set(sig_id, "identity.name", "B")
    workspace.set(sig_id, "identity.theme", "T")
    workspace.set(sig_id, "identity.name", "C")
    return sig_id


def test_restore_whole_plan_is_a_new_revision(workspace: Workspace, edited: str) -> None:
    loaded = workspace.restore(edited, 2, author="Ada")
    assert loaded.revision == 5
    plan = workspace.load(edited).plan
    assert (plan.identity.name, plan.identity.theme) == ("B", "")
    history = workspace.history(edited)
    assert [change.revision for change in history] == [5, 4, 3, 2, 1]
    assert (history[0].kind, history[0].note, history[0].author) == (
        "restore",
        "restored revision 2",
        "Ada",
    )
    again = workspace.restore(edited, 4)
    assert again.revision == 6
    assert (again.plan.identity.name, again.plan.identity.theme) == ("C", "T")
    assert revisions(workspace, edited) == [6, 5, 4, 3, 2, 1]


def test_restore_one_field_leaves_the_others(workspace: Workspace, edited: str) -> None:
    loaded = workspace.restore(edited, 2, path="identity.name")
    assert loaded.revision == 5
    assert (loaded.plan.identity.name, loaded.plan.identity.theme) == ("B", "T")
    latest = workspace.history(edited)[0]
    assert (latest.path, latest.value, latest.kind) == ("identity.name", "B", "restore")
    assert revisions(workspace, edited) == [5, 4, 3, 2, 1]


def test_restore_keeps_row_ids(workspace: Workspace) -> None:
    sig_id = workspace.import_plan(complete_plan()).plan.id
    ids = [a.id for a in workspace.load(sig_id).plan.schedule.activities]
    workspace.set(sig_id, "schedule.activities", [])
    restored = workspace.restore(sig_id, 1, path="schedule.activities")
    assert [a.id for a in restored.plan.schedule.activities] == ids


@pytest.mark.parametrize("revision", [0, -1, 5, 99])
def test_restore_of_a_missing_revision(workspace: Workspace, edited: str, revision: int) -> None:
    with pytest.raises(WorkspaceError, match=f"revision {revision} does not exist.*1 to 4"):
        workspace.restore(edited, revision)
    assert revisions(workspace, edited) == [4, 3, 2, 1]


@pytest.mark.parametrize("path", ["id", "schema_version", "identity.nickname"])
def test_restore_of_a_field_that_cannot_be_set(
    workspace: Workspace, edited: str, path: str
) -> None:
    with pytest.raises(PlanError):
        workspace.restore(edited, 2, path=path)
    assert revisions(workspace, edited) == [4, 3, 2, 1]


# --- import ---------------------------------------------------------------------------------


def test_import_creates_the_sig_as_exported(workspace: Workspace) -> None:
    document = complete_plan()
    loaded = workspace.import_plan(document, author="Ada")
    assert loaded.revision == 1
    assert loaded.plan.model_dump(mode="json")["schedule"]["activities"][1]["hashtag"] == (
        "#WalkTalkChat"
    )
    assert workspace.history(loaded.plan.id)[0].author == "Ada"


def test_import_of_an_existing_id_needs_replace(workspace: Workspace) -> None:
    first = workspace.import_plan(complete_plan())
    changed = complete_plan()
    changed["identity"]["name"] = "Walk and Talk Again"
    with pytest.raises(WorkspaceError, match=r"'walk-and-talk' exists already.*--replace"):
        workspace.import_plan(changed)
    assert workspace.load(first.plan.id).plan.identity.name == "Walk and Talk"
    assert revisions(workspace, first.plan.id) == [1]

    replaced = workspace.import_plan(changed, replace=True, author="Ben")
    assert replaced.revision == 2
    assert replaced.plan.identity.name == "Walk and Talk Again"
    history = workspace.history(first.plan.id)
    assert [(c.revision, c.kind, c.author) for c in history] == [
        (2, "replace", "Ben"),
        (1, "create", None),
    ]
    old = workspace.restore(first.plan.id, 1)
    assert old.plan.identity.name == "Walk and Talk"


def test_import_with_replace_of_a_new_id_creates_it(workspace: Workspace) -> None:
    loaded = workspace.import_plan(complete_plan(), replace=True)
    assert loaded.revision == 1


@pytest.mark.parametrize("replace", [False, True])
def test_import_of_a_newer_schema_version_refused(workspace: Workspace, replace: bool) -> None:
    workspace.import_plan(complete_plan("existing"))
    for sig_id in ("existing", "brand-new"):
        document = complete_plan(sig_id)
        document["schema_version"] = 2
        with pytest.raises(PlanError) as caught:
            workspace.import_plan(document, replace=replace)
        assert "Schema version: 2 is newer" in str(caught.value)
    assert workspace.sig_ids() == ["existing"]
    assert revisions(workspace, "existing") == [1]


@pytest.mark.parametrize("document", [[complete_plan()], "plan", 42, None])
def test_import_of_something_that_is_not_a_plan(workspace: Workspace, document: Any) -> None:
    with pytest.raises(PlanError, match="one JSON object"):
        workspace.import_plan(document)
    assert workspace.sig_ids() == []


def test_import_validates_everything_before_writing(workspace: Workspace) -> None:
    document = complete_plan()
    document["promotion"]["actions"][0]["channel"] = "carrier_pigeon"
    with pytest.raises(PlanError, match=r"Promotion action 1: Channel: "):
        workspace.import_plan(document)
    assert workspace.sig_ids() == []


# --- the workspace folder -------------------------------------------------------------------


def test_open_without_create_needs_an_existing_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"no workspace at .*sigworkbook init"):
        Workspace.open(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


def test_create_then_reopen_keeps_the_plans(workspace_dir: Path) -> None:
    with Workspace.open(workspace_dir, create=True) as workspace:
        sig_id = workspace.new_sig("Walk").plan.id
    assert (workspace_dir / DATABASE_NAME).is_file()
    with Workspace.open(workspace_dir) as reopened:
        assert reopened.sig_ids() == [sig_id]
        assert reopened.root == workspace_dir.resolve()


def test_two_handles_see_each_others_edits(workspace_dir: Path) -> None:
    with (
        Workspace.open(workspace_dir, create=True) as first,
        Workspace.open(workspace_dir) as second,
    ):
        sig_id = first.new_sig("Walk").plan.id
        second.set(sig_id, "identity.theme", "Recovery")
        first.set(sig_id, "identity.name", "Walk on")
        plan = second.load(sig_id).plan
        assert (plan.identity.name, plan.identity.theme) == ("Walk on", "Recovery")


def test_resolve_order(clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve() == clean_env / "sigworkbook"
    monkeypatch.setenv("SIGWORKBOOK_WORKSPACE", str(tmp_path / "from-env"))
    assert resolve() == tmp_path / "from-env"
    assert resolve(tmp_path / "given") == tmp_path / "given"
    assert resolve("~/mine") == clean_env / "mine"


def test_a_workspace_catalogue_file_is_used(workspace_dir: Path) -> None:
    workspace_dir.mkdir()
    text = catalogues.DEFAULT_FILE.read_text(encoding="utf-8")
    extra = '\n[roles.steward]\nlabel = "Steward"\ndescription = "Looks after shared things."\n'
    (workspace_dir / "catalogues.toml").write_text(text + extra, encoding="utf-8")
    with Workspace.open(workspace_dir, create=True) as workspace:
        sig_id = workspace.new_sig("Walk").plan.id
        loaded = workspace.set(sig_id, "core_group.people", [{"name": "Ada", "role": "steward"}])
        assert loaded.plan.core_group.people[0].role == "steward"
    catalogues.use(None)
    with Workspace.open(tmp_path_sibling(workspace_dir), create=True) as other:
        sig_id = other.new_sig("Walk").plan.id
        with pytest.raises(PlanError, match="'steward' is not in the roles list"):
            other.set(sig_id, "core_group.people", [{"name": "Ada", "role": "steward"}])


def tmp_path_sibling(folder: Path) -> Path:
    return folder.parent / (folder.name + "-other")
