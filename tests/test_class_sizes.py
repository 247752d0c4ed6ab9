"""No class in the package over 300 lines: a class that long does several jobs (issue 24)."""

from __future__ import annotations

import ast

from repo_paths import PACKAGE

MOST = 300
"""Lines a class may take, its docstring and blank lines included."""


def _class_lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lengths[f"{module}.{node.name}"] = node.end_lineno - node.lineno + 1
    return lengths


def test_no_class_is_over_300_lines() -> None:
    lengths = _class_lengths()
    too_long = {name: n for name, n in lengths.items() if n > MOST}
    assert not too_long, f"classes over {MOST} lines (split them into parts): {too_long}"
