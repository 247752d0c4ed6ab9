"""The command line against a PostgreSQL database: --database, $SIGWORKBOOK_DATABASE, migrate."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresMissing, PostgresServer, find_bin, postgres_required

from conftest import DEMO_SIG, RunCli
from sigworkbook.store import database_url
from sigworkbook.store.postgres import PostgresStore
from sigworkbook.store.sqlite import SQLiteStore


def accept(plan: dict[str, Any]) -> dict[str, Any]:
    return plan


def test_every_verb_works_on_a_postgres_database(
    run_cli: RunCli, workspace_dir: Path, postgres_url: str, tmp_path: Path
) -> None:
    def cli(*args: str | Path) -> str:
        result = run_cli("--workspace", workspace_dir, "--database", postgres_url, *args)
        assert result.code == 0, result
        return result.out

    assert f"Plans are kept in the database {postgres_url}" in cli("init", "--demo")
    assert cli("list").startswith(f"{DEMO_SIG}\t")
    cli("check", DEMO_SIG)
    cli("set", DEMO_SIG, "identity.name", "Walk Home Together", "--author", "ann")
    exported = tmp_path / "plan.json"
    cli("export", DEMO_SIG, "-o", exported)
    assert json.loads(exported.read_text())["identity"]["name"] == "Walk Home Together"
    history = cli("history", DEMO_SIG)
    assert "ann" in history and "identity.name" in history
    cli("restore", DEMO_SIG, "1")
    cli("import", exported, "--replace")
    assert "revision 4" in cli("list")
    assert not (workspace_dir / "sigworkbook.db").exists(), "no SQLite file beside it"
    with PostgresStore(postgres_url, create=False) as store:
        assert store.revision(DEMO_SIG) == 4
        assert [c.kind for c in store.history(DEMO_SIG)] == ["replace", "restore", "set", "create"]


def test_the_database_can_come_from_the_environment(
    run_cli: RunCli, workspace_dir: Path, postgres_url: str
) -> None:
    env = {"SIGWORKBOOK_DATABASE": postgres_url}
    assert run_cli("--workspace", workspace_dir, "init", "--demo", env=env).code == 0
    listed = run_cli("--workspace", workspace_dir, "list", env=env)
    assert listed.out.startswith(DEMO_SIG), listed
    # the option after the verb wins over the environment
    other = run_cli(
        "--workspace", workspace_dir, "list", "--database", "sqlite:///nowhere/x.db", env=env
    )
    assert other.code == 2 and "/nowhere" in other.err, other


def test_a_password_in_the_url_is_never_printed(
    run_script: RunCli, workspace_dir: Path, postgres_server: PostgresServer
) -> None:
    secret = "pa55-W0rd-xyz"
    name = postgres_server.create_database()
    url = postgres_server.url(name, password=secret)
    results = [
        run_script("--workspace", workspace_dir, "--database", url, "init", "--demo"),
        run_script("--workspace", workspace_dir, "--database", url, "list"),
        run_script("--workspace", workspace_dir, "--database", url, "show", "nope"),
        run_script(
            "--workspace",
            workspace_dir,
            "--database",
            url.replace(f"port={postgres_server.port}", "port=2"),
            "list",
        ),
    ]
    assert [r.code for r in results] == [0, 0, 2, 2], results
    assert "cannot be reached" in results[3].err and len(results[3].err_lines) == 1
    for result in results:
        assert secret not in result.out + result.err
    assert "sig:***@" in results[0].out
    postgres_server.drop_database(name)


def _fill(workspace: Path, revisions: int) -> None:
    """Add a SIG with `revisions` revisions (edits by three people, then a whole-plan change)."""
    from sigworkbook.workspace import Workspace

    with Workspace.open(workspace) as opened:
        sig_id = opened.new_sig("Walkers", author="ann").plan.id
        store = opened.store
        done, batch = 1, 0
        while done < revisions:
            size = min(1000, revisions - done)
            changes = [("identity.description", f"{batch}-{n}") for n in range(size)]
            store.apply(sig_id, changes, author=f"w{batch % 3}", validate=accept, note="load")
            done += size
            batch += 1
        plan = store.current(sig_id).plan
        plan["identity"]["description"] = "Walking home together"
        store.replace(sig_id, plan, author="bo", validate=accept)


def _revisions(store: Any, sig_id: str) -> list[tuple[Any, ...]]:
    return [
        (c.revision, c.path, c.value, c.author, c.at, c.kind, c.note)
        for c in reversed(store.history(sig_id))
    ]


@pytest.mark.parametrize("revisions", [50, pytest.param(10_000, marks=pytest.mark.slow)])
def test_migrate_copies_every_revision_both_ways(
    run_script: RunCli, tmp_path: Path, postgres_url: str, revisions: int
) -> None:
    workspace = tmp_path / "workspace"
    assert run_script("--workspace", workspace, "init", "--demo").code == 0
    _fill(workspace, revisions)

    there = run_script("--workspace", workspace, "migrate", "--to", postgres_url)
    assert there.code == 0, there
    assert f"to {postgres_url}" in there.out
    assert "every SIG's plan is the same in both databases at every revision" in there.out

    back_file = tmp_path / "handed-over.db"
    assert (
        run_script("--workspace", tmp_path / "other", "--database", postgres_url, "init").code == 0
    )
    back = run_script(
        "--workspace", tmp_path / "other", "--database", postgres_url, "migrate", "--to", back_file
    )
    assert back.code == 0, back
    assert "Copied 2 SIGs" in back.out

    with (
        SQLiteStore(workspace / "sigworkbook.db", create=False) as original,
        PostgresStore(postgres_url, create=False) as middle,
        SQLiteStore(back_file, create=False) as handed,
    ):
        assert original.sig_ids() == middle.sig_ids() == handed.sig_ids()
        for sig_id in original.sig_ids():
            rows = _revisions(original, sig_id)
            assert rows == _revisions(middle, sig_id) == _revisions(handed, sig_id)
            assert original.current(sig_id) == middle.current(sig_id) == handed.current(sig_id)
        latest = original.revision("walkers")
        assert latest == revisions + 1
        for revision in sorted({1, 2, latest // 2, latest - 1, latest}):
            plan = original.plan_at("walkers", revision)
            assert (
                plan == middle.plan_at("walkers", revision) == handed.plan_at("walkers", revision)
            )

    listed = run_script(
        "--database", database_url(back_file), "--workspace", tmp_path / "other", "list"
    )
    assert listed.code == 0 and listed.out.startswith(DEMO_SIG), listed
    again = run_script("--workspace", workspace, "migrate", "--to", postgres_url)
    assert again.code == 2
    assert "already holds SIGs" in again.err and "nothing was copied" in again.err
    assert len(again.err_lines) == 1


def test_migrate_refuses_a_database_that_is_not_ours(
    run_script: RunCli, tmp_path: Path, postgres_url: str
) -> None:
    workspace = tmp_path / "workspace"
    assert run_script("--workspace", workspace, "init", "--demo").code == 0
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE contacts (name text)")
    refused = run_script("--workspace", workspace, "migrate", "--to", postgres_url)
    assert refused.code == 2
    assert "not a sigworkbook database" in refused.err


def test_serve_hands_the_database_to_its_kernels_and_prints_no_password(
    run_cli: RunCli,
    workspace_dir: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sigworkbook.app import serve as serve_module

    url = postgres_server.url(postgres_server.create_database(), password="hidden-pw")
    handed: list[str | None] = []

    def fake_serve(*_: object, **__: object) -> int:
        handed.append(os.environ.get("SIGWORKBOOK_DATABASE"))  # what the kernels inherit
        return 0

    monkeypatch.setattr(serve_module, "serve", fake_serve)
    result = run_cli("--workspace", workspace_dir, "serve", "--database", url, "--no-browser")
    assert result.code == 0, result
    assert handed == [url]
    assert "hidden-pw" not in result.out + result.err


def test_a_missing_postgres_skips_with_a_hint_but_fails_on_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(PostgresMissing) as missing:
        find_bin(["/nonexistent/bin"])
    assert "apt-get install postgresql-15" in str(missing.value)
    for name in ("CI", "SIGWORKBOOK_REQUIRE_POSTGRES"):
        monkeypatch.delenv(name, raising=False)
    assert not postgres_required()
    monkeypatch.setenv("CI", "true")
    assert postgres_required()
    monkeypatch.setenv("CI", "false")
    monkeypatch.setenv("SIGWORKBOOK_REQUIRE_POSTGRES", "1")
    assert postgres_required()
