"""Two workspaces open on one SQLite database in one process (the app page's kernel opens one for
its session and one for the start page): a write of the first reaches the file even after other
programs opened and closed the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sigworkbook.workspace import Workspace

READ = """
import sys
from sigworkbook.workspace import Workspace
with Workspace.open(sys.argv[1]) as workspace:
    print(workspace.load(sys.argv[2]).plan.statement.core_statement)
"""


def read_elsewhere(workspace: Path, sig_id: str) -> str:
    """The core statement as another program reads it (it opens and closes the database)."""
    done = subprocess.run(
        [sys.executable, "-c", READ, str(workspace), sig_id],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_a_second_workspace_in_the_process_does_not_take_the_first_ones_log_away(
    tmp_path: Path,
) -> None:
    with Workspace.open(tmp_path, create=True) as first:
        sig = first.new_sig("Lock Keepers", author="Ada").plan.id
        first.set(sig, "statement.core_statement", "Before", author="Ada")
        with Workspace.open(tmp_path) as second:
            assert second.load(sig).plan.statement.core_statement == "Before"
            assert read_elsewhere(tmp_path, sig) == "Before"  # opened and closed elsewhere
            first.set(sig, "statement.core_statement", "After", author="Ada")
            assert os.path.exists(tmp_path / "sigworkbook.db-wal"), "the log is in its place"
            assert read_elsewhere(tmp_path, sig) == "After"
    assert read_elsewhere(tmp_path, sig) == "After"
