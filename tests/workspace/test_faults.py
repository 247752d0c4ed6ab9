"""Faults below the browser: a read-only workspace and a full disk give a clear message, lose nothing."""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from repo_paths import SCRIPTS

from sigworkbook.workspace import Workspace

HELPER = SCRIPTS / "session_fault.py"
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER, _PR_CAPBSET_DROP = 1, 2, 3, 24


def _held_to_permissions() -> None:
    """Give up root's power to ignore file permissions (Linux), so read-only means read-only."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _run(
    folder: Path,
    path: str,
    text: str,
    limit: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(HELPER), str(folder), "frailty-friends", path, text],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        check=False,
        preexec_fn=limit,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    workspace_folder = tmp_path / "workspace"
    with Workspace.open(workspace_folder, create=True) as workspace:
        workspace.new_sig("Frailty Friends")
        workspace.set("frailty-friends", "identity.theme", "Frailty")
    yield workspace_folder
    for path in [workspace_folder, *workspace_folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_workspace_is_readable_and_says_edits_are_not_saved(folder: Path) -> None:
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    report = _run(folder, "identity.theme", "Falls", _held_to_permissions)
    assert report["read_only"] is True
    assert "read-only" in report["status_before"]
    assert report["name"] == "Frailty Friends"
    ok, message, retry = report["status_after"]
    assert not ok and "read-only" in message and retry
    assert "not saved yet" in report["problem"]
    assert report["field_kept"], "the typed text stays in the field"
    assert report["saved"]["theme"] == "Frailty"


def test_a_full_disk_gives_a_clear_message_and_keeps_the_database_whole(folder: Path) -> None:
    database = folder / "sigworkbook.db"
    report = _run(folder, "identity.description", "x" * 1900, env={"FAULT_DISK_FULL": "1"})
    ok, message, _ = report["status_after"]
    assert not ok, report
    assert "full" in message or "cannot read or write" in message, message
    assert report["field_kept"]
    assert report["saved"]["description"] == ""
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    with Workspace.open(folder) as workspace:
        assert workspace.load("frailty-friends").plan.identity.theme == "Frailty"
        workspace.set("frailty-friends", "identity.description", "fits now")
