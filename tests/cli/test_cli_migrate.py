"""`sigworkbook migrate` between SQLite files: what it refuses, and a copy that checks out."""

from __future__ import annotations

from pathlib import Path

from conftest import DEMO_SIG, RunCli
from sigworkbook.store import database_url


def test_migrate_to_an_sqlite_file_copies_and_checks(cli_ws: RunCli, tmp_path: Path) -> None:
    assert cli_ws("init", "--demo").code == 0
    assert cli_ws("set", DEMO_SIG, "identity.name", "Renamed", "--author", "ann").code == 0
    target = tmp_path / "copy.db"
    done = cli_ws("migrate", "--to", target)
    assert done.code == 0, done
    assert done.out.splitlines() == [
        f"Copied 1 SIG (2 revisions) from {tmp_path / 'workspace' / 'sigworkbook.db'} to {target}",
        "Checked: every SIG's plan is the same in both databases at every revision.",
    ]
    history = cli_ws("--database", database_url(target), "history", DEMO_SIG)
    assert history.code == 0 and "ann" in history.out


def test_migrate_refuses_a_target_with_sigs_the_same_database_and_a_missing_folder(
    cli_ws: RunCli, tmp_path: Path, workspace_dir: Path
) -> None:
    assert cli_ws("init", "--demo").code == 0
    target = tmp_path / "copy.db"
    assert cli_ws("migrate", "--to", target).code == 0
    before = target.read_bytes()
    refusals = [
        (cli_ws("migrate", "--to", target), "already holds SIGs"),
        (cli_ws("migrate", "--to", workspace_dir / "sigworkbook.db"), "already uses"),
        (cli_ws("migrate", "--to", tmp_path / "nowhere" / "x.db"), "does not exist"),
        (cli_ws("migrate"), "--to"),
    ]
    for result, says in refusals:
        assert result.code == 2, result
        assert len(result.err_lines) == 1 and says in result.err, result
    assert target.read_bytes() == before
    assert not (tmp_path / "nowhere").exists()
