"""The committed workbooks: executed, numbered in order, thin, and named as the steps say."""

from __future__ import annotations

import json
from typing import Any

import pytest
from repo_paths import WORKBOOKS

from sigworkbook.plan.steps import STEPS, Step

MAX_CODE_LINES = 6


def _notebook(name: str) -> Any:
    path = WORKBOOKS / name
    if not path.exists():
        pytest.fail(f"{name} is missing from workbooks/")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("step", STEPS, ids=[s.key for s in STEPS])
def test_every_code_cell_is_committed_executed(step: Step) -> None:
    notebook = _notebook(step.notebook)
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert cells, "a workbook page needs at least one code cell"
    unexecuted = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not unexecuted, f"code cells {unexecuted} have no execution count"
    counts = [c["execution_count"] for c in cells]
    assert counts == sorted(counts), f"cells were run out of order: {counts}"


@pytest.mark.parametrize("step", STEPS, ids=[s.key for s in STEPS])
def test_notebooks_are_thin(step: Step) -> None:
    notebook = _notebook(step.notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if line.strip()]
        assert len(lines) <= MAX_CODE_LINES, f"a code cell has {len(lines)} lines:\n{source}"
        assert "def " not in source and "class " not in source, "logic belongs in the package"
        assert "sigworkbook" in source, "code cells only call into the package"
