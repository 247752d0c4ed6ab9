"""Property: any valid plan survives `export --format json` and `import` unchanged, via the real CLI."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import plan_documents

from conftest import CliResult, RunCli
from sigworkbook.plan.model import Plan
from sigworkbook.plan.validation import normalise

# `run_cli` holds no state between calls, so sharing it between examples is safe.
SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def ok(result: CliResult) -> CliResult:
    assert result.code == 0, str(result)
    return result


def assert_kept(given: Any, stored: Any, where: str = "") -> None:
    """Every value in `given` is in `stored` at the same place, unchanged."""
    if isinstance(given, dict):
        assert isinstance(stored, dict), where
        for key, value in given.items():
            assert key in stored, f"{where}.{key} was dropped"
            assert_kept(value, stored[key], f"{where}.{key}")
    elif isinstance(given, list):
        assert isinstance(stored, list) and len(stored) == len(given), where
        for index, (value, kept) in enumerate(zip(given, stored, strict=True)):
            assert_kept(value, kept, f"{where}.{index}")
    else:
        assert type(stored) is type(given) and stored == given, f"{where}: {given!r} -> {stored!r}"


@pytest.mark.slow
@SETTINGS
@given(document=plan_documents())
def test_export_then_import_changes_nothing(run_cli: RunCli, document: dict[str, Any]) -> None:
    expected = Plan.model_validate(document).model_dump(mode="json")
    assert_kept(document, expected)
    sig_id = document["id"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        given_file = folder / "given.json"
        given_file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        first, second = folder / "first", folder / "second"
        exported, again = folder / "exported.json", folder / "again.json"

        ok(run_cli("--workspace", first, "init"))
        ok(run_cli("--workspace", first, "import", given_file))
        ok(run_cli("--workspace", first, "export", sig_id, "--format", "json", "-o", exported))
        assert json.loads(exported.read_text(encoding="utf-8")) == expected

        ok(run_cli("--workspace", second, "init"))
        ok(run_cli("--workspace", second, "import", exported))
        ok(run_cli("--workspace", second, "export", sig_id, "--format", "json", "-o", again))
        assert again.read_bytes() == exported.read_bytes()

        shown = ok(run_cli("--workspace", second, "show", sig_id, "--json")).out
        assert shown == exported.read_text(encoding="utf-8")

        replaced = ok(run_cli("--workspace", first, "import", "--replace", again))
        assert replaced.out == f"Imported '{sig_id}' (revision 1)\n"  # nothing changed


@settings(max_examples=100, deadline=None)
@given(document=plan_documents())
def test_normalising_twice_is_normalising_once(document: dict[str, Any]) -> None:
    once = normalise(document)
    assert normalise(once) == once
    assert json.loads(json.dumps(once)) == once
