"""Personal data on both backends: a person found and erased everywhere (every revision, the
raw database included), SIGs closed and deleted, who may do it, and the audit without the data."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_backends import BACKENDS, Backend, SQLiteBackend, make_backend, raw_text

from conftest import RunCli
from sigworkbook import privacy, settings
from sigworkbook.hosting.access import NOT_FOR_PEOPLE, NOT_OWNER_END, AccessDenied
from sigworkbook.hosting.identity import User
from sigworkbook.personal_data import PersonalDataError
from sigworkbook.plan.paths import differences
from sigworkbook.plan.validation import normalise
from sigworkbook.store import SigClosed, Snapshot, Store, StoreError, UnknownSig
from sigworkbook.workspace import Workspace

NAME, CONTACT, ORGANISATION = "Ann Smith", "ann.smith@example.org", "Northvale Trust"
NETWORK = User("nina", groups=frozenset({settings.NETWORK_GROUP.default}))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return make_backend(request, request.param, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    with backend.open() as opened:
        fill(opened)
        yield opened


def fill(store: Store) -> None:
    """Three SIGs: Ann convenes "walk" (with contact, votes, authorship, a member row and a
    listing), is written to in "talk"'s free text by her address only, and is not in "other"."""
    store.create("walk", normalise({"id": "walk"}), author=NAME, validate=normalise)
    people = [
        {"id": "person1", "name": NAME, "organisation": ORGANISATION, "contact": CONTACT},
        {
            "id": "person2",
            "name": "Bob Jones",
            "organisation": "Annual Trust",
            "contact": "bob@x.org",
        },
    ]
    store.apply("walk", [("core_group.people", people)], author="bob jones", validate=normalise)
    store.apply(
        "walk",
        [
            ("statement.invitation", f"Write to {CONTACT} or ask ANN  smith. Annual walks."),
            ("identity.name_ideas", [{"name": "Walkers", "votes": ["ann smith", "Bob Jones"]}]),
        ],
        author="ann smith",
        validate=normalise,
    )
    store.apply(
        "walk", [("core_group.people.0.role", "convener")], author="Bob", validate=normalise
    )
    store.set_member("walk", "ann smith", "owner", by="ann smith")
    store.set_member("walk", "bob", "owner", by="ann smith")
    store.submit_listing("walk", 3, user=NAME)
    store.create("talk", normalise({"id": "talk"}), author="Bob", validate=normalise)
    store.apply(
        "talk",
        [("statement.core_statement", f"Contact: {CONTACT.upper()}.")],
        author="Bob",
        validate=normalise,
    )
    store.create("other", normalise({"id": "other"}), author="Bob", validate=normalise)
    presence = store.presence()
    presence.mark("walk", "v1", NAME, "start")
    presence.mark("walk", "v2", "Bob", "start")
    presence.close()


def every_revision(store: Store) -> dict[tuple[str, int], dict[str, Any]]:
    return {
        (sig_id, revision): store.plan_at(sig_id, revision)
        for sig_id in store.sig_ids()
        for revision in range(1, store.revision(sig_id) + 1)
    }


def history_rows(store: Store) -> list[tuple[Any, ...]]:
    return [
        (sig_id, c.revision, c.path, c.at, c.kind)
        for sig_id in store.sig_ids()
        for c in store.history(sig_id)
    ]


def test_a_person_is_found_in_any_case_in_free_text_and_everywhere(store: Store) -> None:
    places = store.find_person("ANN smith")
    found = {(p.sig_id, p.where, p.path, p.revision) for p in places}
    assert ("walk", "plan", "core_group.people.0.name", None) in found
    assert ("walk", "plan", "core_group.people.0.contact", None) in found
    assert ("walk", "plan", "core_group.people.0.organisation", None) in found
    assert ("walk", "plan", "statement.invitation", None) in found
    assert ("walk", "plan", "identity.name_ideas.0.votes.0", None) in found
    assert ("walk", "history", "author", 1) in found
    assert ("walk", "history", "core_group.people.0.name", 2) in found
    assert ("walk", "member", "user_name", None) in found
    assert ("walk", "member", "added_by", None) in found
    assert ("walk", "listing", "submitted_by", None) in found
    assert ("walk", "presence", "participant", None) in found
    # by her contact, found with her name, in another SIG's free text (upper case there)
    assert ("talk", "plan", "statement.core_statement", None) in found
    assert not any(p.sig_id == "other" for p in places)
    # Bob's organisation ("Annual Trust") and "Annual walks" are not Ann
    assert not any(p.path == "core_group.people.1.organisation" for p in places)
    assert store.find_person(CONTACT) and store.find_person("nobody at all") == []


def test_erasing_a_person_leaves_them_nowhere_and_everything_else_as_it_was(
    store: Store, backend: Backend
) -> None:
    before, rows_before = every_revision(store), history_rows(store)
    other_before = [c for c in store.history("other")]
    erasure = store.erase_person("ann SMITH", by="the operator")
    assert erasure.placeholder == "Former member 1" and erasure.sigs == 2
    after = every_revision(store)
    assert history_rows(store) == rows_before  # same revisions, paths, times and kinds
    assert store.history("other") == other_before
    for key, plan in after.items():
        text = json.dumps(plan).lower()
        assert "ann smith" not in text and CONTACT not in text and ORGANISATION.lower() not in text
        for path, value in differences(before[key], plan):
            assert isinstance(value, str), (key, path)
            old = str(json.dumps(before[key]))
            assert (
                path.endswith((".name", ".contact", ".organisation")) or "Former member 1" in value
            )
            assert "ann" in old.lower()
    walk = store.current("walk").plan
    assert walk == after[("walk", store.revision("walk"))]
    assert walk["core_group"]["people"][0] | {"role": "x"} == {
        "id": "person1",
        "name": "Former member 1",
        "organisation": "",
        "contact": "",
        "role": "x",
        "network_member": None,  # unanswered, as a new person starts
    }
    assert walk["core_group"]["people"][1]["organisation"] == "Annual Trust"
    assert walk["statement"]["invitation"] == (
        "Write to Former member 1 or ask Former member 1. Annual walks."
    )
    assert walk["identity"]["name_ideas"][0]["votes"] == ["Former member 1", "Bob Jones"]
    assert [c.author for c in store.history("walk")][::-1][:3] == [
        "Former member 1",
        "bob jones",
        "Former member 1",
    ]
    authors = {c.author for sig in store.sig_ids() for c in store.history(sig)}
    assert not {a for a in authors if a and "ann" in a.lower()}
    assert [m.user for m in store.members("walk")] == ["bob"]
    assert store.members("walk")[0].added_by == "Former member 1"
    assert [s.user for s in store.submissions()] == ["Former member 1"]
    presence = store.presence()
    assert [p for _, _, p in presence.everyone()] == ["Bob"]
    presence.close()
    assert store.find_person(NAME) == [] and store.find_person(CONTACT) == []
    raw = raw_text(backend)
    assert "ann smith" not in raw and CONTACT not in raw and ORGANISATION.lower() not in raw
    # the erasure is recorded, without the data
    (recorded,) = store.erasures()
    assert (recorded.what, recorded.by, recorded.places, recorded.sigs) == (
        "person",
        "the operator",
        erasure.places,
        2,
    )
    assert "ann" not in repr(recorded).lower()
    # the next erasure gets the next placeholder; history stays append-only
    assert store.erase_person("Bob Jones", by=None).placeholder == "Former member 2"
    with pytest.raises(backend.IntegrityError, match="append-only"):
        backend.raw("UPDATE history SET author = 'x'")
    with pytest.raises(backend.IntegrityError, match="append-only"):
        backend.raw("DELETE FROM history")


def test_the_append_only_guard_lets_only_a_recorded_erasure_through(
    store: Store, backend: Backend
) -> None:
    store.erase_person(NAME, by=None)
    if isinstance(backend, SQLiteBackend):
        triggers = backend.raw("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
        assert [t for (t,) in triggers] == [
            "history_next_revision",
            "history_no_delete",
            "history_no_update",
        ]
        return
    import psycopg

    with psycopg.connect(backend.url, autocommit=True) as conn:
        conn.execute("SET sigworkbook.rewriting = 'on'")  # a session setting is not enough
        for statement in ("UPDATE history SET author = 'x'", "DELETE FROM history"):
            with pytest.raises(psycopg.IntegrityError, match="recorded erasure"):
                conn.execute(statement)
        with pytest.raises(psycopg.IntegrityError, match="recorded erasure"):
            conn.execute("SELECT sigworkbook_rewrite_history('walk', 1, '{}', 'x', NULL)")
        with conn.transaction():  # even with a record, an UPDATE may not move a row
            conn.execute("INSERT INTO erasures VALUES (99, 'person', NULL, 'now', 0, 0, NULL)")
            with pytest.raises(psycopg.IntegrityError, match="append-only"), conn.transaction():
                conn.execute("UPDATE history SET path = 'x' WHERE revision = 1")
            raise psycopg.Rollback()
    with pytest.raises(backend.IntegrityError, match="append-only"):
        backend.raw("TRUNCATE history")


def test_a_closed_sig_is_kept_and_read_only_and_can_open_again(store: Store) -> None:
    store.close_sig("walk", by="bob")
    assert set(store.closed_sigs()) == {"walk"}
    assert store.current("walk").closed
    with pytest.raises(SigClosed, match="closed"):
        store.apply("walk", [("statement.core_statement", "x")], author=None, validate=normalise)
    assert store.current("walk").plan["statement"]["core_statement"] == ""
    store.close_sig("walk", by="bob", closed=False)
    assert store.closed_sigs() == {}
    store.apply("walk", [("statement.core_statement", "x")], author=None, validate=normalise)


def test_deleting_a_sig_leaves_no_row_of_it(store: Store, backend: Backend) -> None:
    store.close_sig("walk", by="bob")
    deleted = store.delete_sig("walk", by="bob")
    assert (deleted.what, deleted.sigs, deleted.placeholder) == ("sig", 1, None)
    assert store.sig_ids() == ["other", "talk"]
    with pytest.raises(UnknownSig):
        store.current("walk")
    assert store.members("walk") == [] and store.submissions() == []
    presence = store.presence()
    assert presence.everyone() == []
    presence.close()
    raw = raw_text(backend)
    assert "walk" not in raw and "ann smith" not in raw and "bob jones" not in raw
    assert store.erasures()[0].number == 1
    with pytest.raises(backend.IntegrityError, match="append-only"):
        backend.raw("DELETE FROM history")


def test_an_older_database_is_upgraded_and_its_people_can_be_erased(backend: Backend) -> None:
    if isinstance(backend, SQLiteBackend):
        from sigworkbook.store.sqlite import SQLiteStore

        class Old(SQLiteStore):
            SCHEMA_VERSION = 2
            MIGRATIONS = SQLiteStore.MIGRATIONS[:2]

        old: Store = Old(backend.file)
    else:
        from sigworkbook.store.postgres import PostgresStore

        class OldPg(PostgresStore):
            SCHEMA_VERSION = 2
            MIGRATIONS = PostgresStore.MIGRATIONS[:2]

        old = OldPg(backend.url)
    with old:
        old.create("walk", normalise({"id": "walk"}), author=NAME, validate=normalise)
    with backend.open() as store:
        assert store.erase_person(NAME, by=None).places == 1
        assert store.history("walk")[0].author == "Former member 1"


# ---------------------------------------------------------------- the workspace and its users


@pytest.fixture
def open_as(backend: Backend, tmp_path: Path) -> Iterator[Any]:
    opened: list[Workspace] = []

    def open_as(user: User | None) -> Workspace:
        workspace = Workspace(tmp_path, backend.open(), user=user)
        opened.append(workspace)
        return workspace

    with backend.open() as store:
        fill(store)
    yield open_as
    for workspace in opened:
        workspace.close()


def test_only_owners_close_or_delete_and_only_owners_or_the_network_team_erase(
    open_as: Any, tmp_path: Path
) -> None:
    bob, ann, stranger = open_as(User("bob")), open_as(User("ann smith")), open_as(User("zed"))
    network = open_as(NETWORK)
    open_as(None).store.set_member("walk", "carol", "editor", by=None)
    carol = open_as(User("carol"))
    for user in (carol, stranger, network):
        with pytest.raises(AccessDenied, match=re.escape(NOT_OWNER_END)):
            user.close_sig("walk")
        with pytest.raises(AccessDenied):
            user.delete_sig("walk", typed="walk")
    for user in (carol, stranger):
        with pytest.raises(AccessDenied, match=re.escape(NOT_FOR_PEOPLE)):
            user.find_person(NAME)
        with pytest.raises(AccessDenied, match=re.escape(NOT_FOR_PEOPLE)):
            user.erase_person(NAME)
    # a convener looks up and erases within their own SIGs only; the network team everywhere
    assert {p.sig_id for p in bob.find_person(NAME)} == {"walk"}
    assert {p.sig_id for p in network.find_person(NAME)} == {"walk", "talk"}
    for sig_id in ("walk", "talk"):  # documents exported before name her: they go
        (tmp_path / "exports" / sig_id).mkdir(parents=True)
        (tmp_path / "exports" / sig_id / "charter.md").write_text(NAME, encoding="utf-8")
    erased = bob.erase_person(NAME)
    assert not (tmp_path / "exports" / "walk").exists()
    assert (tmp_path / "exports" / "talk" / "charter.md").exists()  # not bob's to erase
    assert erased.sigs == 1 and erased.by == "bob"
    assert CONTACT.upper() in bob.store.current("talk").plan["statement"]["core_statement"]
    # her address in another SIG is no longer linked to her name there: found by itself
    assert network.find_person(NAME) == []
    assert {p.sig_id for p in network.find_person(CONTACT)} == {"talk"}
    # closing and deleting: the owner
    bob.close_sig("walk")
    with pytest.raises(SigClosed):
        bob.set("walk", "statement.core_statement", "x")
    assert "walk" in bob.closed_sigs()
    exports = tmp_path / "exports" / "walk"
    exports.mkdir(parents=True)
    (exports / "walk-charter.md").write_text("charter", encoding="utf-8")
    with pytest.raises(PersonalDataError, match="type the SIG's name"):
        bob.delete_sig("walk", typed="wal")
    assert bob.store.exists("walk") and exports.exists()
    assert ann.store.exists("walk")
    bob.delete_sig("walk", typed="WALK")
    assert not bob.store.exists("walk") and not exports.exists()


def test_lookups_erasures_and_deletions_are_logged_without_the_data(open_as: Any) -> None:
    seen: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    lines = Lines()
    privacy.log.addHandler(lines)
    try:
        operator = open_as(None)
        operator.find_person(NAME)
        operator.erase_person(NAME)
        operator.delete_sig("walk", typed="walk")
    finally:
        privacy.log.removeHandler(lines)
    assert len(seen) == 3
    assert seen[1].startswith("erasure 1 by ") and "Former member 1" in seen[1]
    assert "deletion 2 by " in seen[2]
    assert not [line for line in seen if "ann" in line.lower() or "walk" in line]


def test_sigs_past_the_retention_period_are_listed(
    open_as: Any, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    operator = open_as(None)
    assert operator.past_retention() == []
    monkeypatch.setenv("SIGWORKBOOK_RETENTION_DAYS", "30")
    import datetime as dt

    today = dt.date.today()
    assert operator.past_retention(today) == []
    assert operator.past_retention(today + dt.timedelta(days=31)) == ["other", "talk", "walk"]
    monkeypatch.setenv("SIGWORKBOOK_RETENTION_DAYS", "soon")
    with pytest.raises(settings.SettingError, match="RETENTION_DAYS"):
        operator.past_retention()


# ---------------------------------------------------------------- the command line


def document_text(path: Path) -> str:
    """A written document's text: a Word file's XML parts unzipped, any other file as is."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as docx:
            return "".join(docx.read(n).decode() for n in docx.namelist() if n.endswith(".xml"))
    return path.read_text("utf-8", "replace")


def test_the_cli_reports_erases_closes_and_deletes(
    run_cli: RunCli, backend: Backend, workspace_dir: Path, tmp_path: Path
) -> None:
    def cli(*args: str | Path, code: int = 0) -> str:
        result = run_cli("--workspace", workspace_dir, "--database", backend.url, *args)
        assert result.code == code, result
        return result.out if code == 0 else result.err

    cli("init")
    with backend.open() as store:
        fill(store)
    text = cli("person", "ann smith")
    assert (
        "SIG walk:" in text and "SIG talk:" in text and "current plan, statement.invitation" in text
    )
    report = json.loads(cli("person", CONTACT, "--json"))
    assert {s["sig"] for s in report["sigs"]} == {"walk", "talk"}
    assert "--yes" in cli("person", NAME, "--erase", code=2)  # no terminal to confirm on
    assert "Former member 1" in cli("person", NAME, "--erase", "--yes")
    assert "Nothing about" in cli("person", NAME)
    out = tmp_path / "out"
    cli("export", "walk", "--all", "-o", out)
    history = cli("history", "walk")
    documents = [document_text(p) for p in out.rglob("*") if p.is_file()]
    assert len(documents) >= 10 and any("former member 1" in d.lower() for d in documents)
    for text in [history, *documents]:
        assert "ann smith" not in text.lower() and CONTACT not in text.lower()
    cli("close", "walk")
    assert cli("list").splitlines()[2].endswith("\tclosed")
    assert "closed" in cli("set", "walk", "statement.core_statement", "x", code=2)
    assert "confirm" in cli("delete", "walk", code=2)
    assert "type the SIG's name" in cli("delete", "walk", "--confirm", "wrong", code=2)
    cli("delete", "walk", "--confirm", "walk")
    assert "walk" not in cli("list")


def test_an_erasure_that_would_make_a_field_too_long_changes_nothing(open_as: Any) -> None:
    operator = open_as(None)
    idea = "Al B " + "x" * 75  # 80 characters: the most a name idea holds
    operator.set("other", "identity.name_ideas", [{"name": idea}])
    before = raw_history(operator.store)
    with pytest.raises(StoreError, match=r"Name idea.*nothing was erased"):
        operator.erase_person("Al B")
    assert raw_history(operator.store) == before and operator.store.erasures() == []


def raw_history(store: Store) -> list[Any]:
    return [(s, store.history(s)) for s in store.sig_ids()]


def test_a_closed_sig_is_not_sent_for_listing_and_stays_closed_when_migrated(
    store: Store, tmp_path: Path
) -> None:
    from sigworkbook.store.migrate import copy_all

    store.close_sig("walk", by="bob")
    with pytest.raises(SigClosed):
        store.submit_listing("walk", 1, user="bob")
    with _copy_target(tmp_path) as copy:
        copy_all(store, copy)
        assert set(copy.closed_sigs()) == {"walk"}


def _copy_target(tmp_path: Path) -> Store:
    from sigworkbook.store.sqlite import SQLiteStore

    folder = tmp_path / "copy"
    folder.mkdir()
    return SQLiteStore(folder / "copy.db")


def test_a_file_written_before_secure_delete_keeps_no_old_copy_after_an_erasure(
    tmp_path: Path,
) -> None:
    import sqlite3

    from sigworkbook.store.sqlite import SQLiteStore

    class Old(SQLiteStore):
        """Version 2, which overwrote plans without zeroing the old bytes."""

        SCHEMA_VERSION = 2
        MIGRATIONS = SQLiteStore.MIGRATIONS[:2]

        def _connect(self, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
            conn = super()._connect(read_only=read_only, immutable=immutable)
            conn.execute("PRAGMA secure_delete = OFF")
            return conn

        def _snapshot_row(self, conn: sqlite3.Connection, sig_id: str) -> Snapshot:
            (revision, plan) = conn.execute(
                "SELECT revision, plan FROM sigs WHERE sig_id = ?", (sig_id,)
            ).fetchone()
            return Snapshot(revision=revision, plan=json.loads(plan))

    backend = SQLiteBackend(tmp_path / "workspace.db")
    with Old(backend.file) as old:
        old.create("walk", normalise({"id": "walk"}), author=None, validate=normalise)
        long = f"Ask {NAME}. " + "y" * 1900
        old.apply("walk", [("statement.invitation", long)], author=None, validate=normalise)
        # the stored plan shrinks: the pages its old copy took go to free space, bytes and all
        old.apply("walk", [("statement.invitation", "Ask us")], author=None, validate=normalise)
    with backend.open() as store:
        store.erase_person(NAME, by=None)
    assert "ann smith" not in raw_text(backend)


# ---------------------------------------------------------------- matching, without a database


def test_a_name_is_matched_as_whole_words_in_any_case_and_spacing() -> None:
    from sigworkbook.store.erasure import Matcher

    ann = Matcher("Ann Smith", ("Ann Smith", "ann@x.org"))
    assert ann.replace("ANN\n smith, Annual, Anne Smith, ann@x.org.", "P") == (
        "P, Annual, Anne Smith, P."
    )
    assert not ann.found_in("Joanna Smithson")
    odd = Matcher("Séan O'Brien (Jr.)", ("Séan O'Brien (Jr.)",))
    assert odd.replace("with séan o'brien (jr.) and \\1", "P") == "with P and \\1"
    assert Matcher("Former Member", ("Former Member",)).placeholder(3) == "Erased person 3"
    assert Matcher("3", ("3",)).placeholder(3) == "Former member 4"


def test_a_name_with_no_letter_or_digit_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no letter or digit"):
        store.find_person(" - ")
    with pytest.raises(StoreError, match="is empty"):
        store.erase_person("   ", by=None)
    assert store.erasures() == []
