"""Read-modify-write edits (votes, ticks, new rows) never lose a concurrent edit."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from sigworkbook.plan.validation import PlanError
from sigworkbook.settings import SettingError
from sigworkbook.workspace import Workspace

WRITERS = 6
EDITS = 20


def _add_invitees(folder: str, writer: int) -> None:
    with Workspace.open(folder) as workspace:
        for n in range(EDITS):
            workspace.update(
                "sig",
                "promotion.invitees",
                lambda people, n=n: [*(people or []), {"name": f"person {writer}-{n}"}],
                author=f"writer {writer}",
            )


def test_concurrent_appends_all_survive(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Sig")
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_add_invitees, args=(str(tmp_path), w)) for w in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    with Workspace.open(tmp_path) as workspace:
        names = [person.name for person in workspace.load("sig").plan.promotion.invitees]
        assert sorted(names) == sorted(
            f"person {w}-{n}" for w in range(WRITERS) for n in range(EDITS)
        )
        assert workspace.load("sig").revision == 1 + WRITERS * EDITS


def test_an_invalid_result_saves_nothing(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Sig")
        with pytest.raises(PlanError, match="Group looked at 1: "):
            workspace.update(
                "sig", "statement.existing_groups.groups_considered", lambda _: ["x" * 201]
            )
        assert workspace.load("sig").revision == 1


def test_an_error_in_the_change_rolls_back(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        workspace.new_sig("Sig")

        def fail(_: object) -> object:
            raise LookupError("no such idea")

        with pytest.raises(LookupError):
            workspace.update("sig", "identity.name_ideas", fail)
        workspace.set("sig", "identity.theme", "still writable")
        assert workspace.load("sig").revision == 2


def test_the_busy_timeout_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setenv("SIGWORKBOOK_BUSY_TIMEOUT", "2.5")
    with Workspace.open(tmp_path, create=True) as workspace:
        assert workspace.store.busy_timeout == 2.5
    monkeypatch.setenv("SIGWORKBOOK_BUSY_TIMEOUT", "soon")
    with pytest.raises(SettingError, match="SIGWORKBOOK_BUSY_TIMEOUT"):
        Workspace.open(tmp_path)
