"""Workspaces for the benchmarks: the demo plan, and text fields that saves can safely change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sigworkbook.demo import DEMO_FILE, add_demo
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.model import READ_ONLY_FIELDS
from sigworkbook.plan.paths import PathError, get_path
from sigworkbook.plan.validation import PlanError
from sigworkbook.store import StoreError
from sigworkbook.workspace import Workspace

TEXT_KINDS = ("line", "prose")


def demo_workspace(folder: Path, database: str | None = None) -> str:
    """Create a workspace in `folder` holding the demo SIG (in `database`, else the folder's
    SQLite file); return the SIG's id."""
    with Workspace.open(folder, create=True, database=database) as workspace:
        return add_demo(workspace, author="benchmarks").plan.id


def add_demo_copy(workspace: Workspace, sig_id: str) -> str:
    """Add the demo plan once more under the id `sig_id` (a full plan with a fresh history)."""
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    document["id"] = sig_id
    return workspace.import_plan(document, author="benchmarks").plan.id


def _text_leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _text_leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_leaves(item, f"{prefix}.{index}")
    elif isinstance(value, str) and value:
        yield prefix, value


def variant(original: str, tag: str, max_length: int | None) -> str:
    """`original` with ` (tag)` at the end, shortened first if the field has a length limit."""
    suffix = f" ({tag})"
    if max_length is not None and len(original) + len(suffix) > max_length:
        original = original[: max(0, max_length - len(suffix))].rstrip()
    return original + suffix


def editable_text(
    workspace: Workspace, sig_id: str, *, limit: int = 32
) -> dict[str, tuple[str, int | None]]:
    """Up to `limit` text fields of the SIG, spread over the whole plan, that accept a changed
    value: path -> (its text, its length limit).

    Each candidate is tried once on the SIG itself (a real save); those validation refuses or
    rewrites are left out, so every later save to the ones kept is a real change.
    """
    plan = workspace.load(sig_id).plan.model_dump(mode="json")
    candidates: list[tuple[str, str, int | None]] = []
    for path, text in _text_leaves(plan):
        if path.split(".")[0] in READ_ONLY_FIELDS:
            continue
        try:
            spec = field_spec(path)
        except PathError:
            continue
        if spec.kind in TEXT_KINDS:
            candidates.append((path, text, spec.max_length))
    step = max(1, len(candidates) // limit)
    found: dict[str, tuple[str, int | None]] = {}
    for path, text, max_length in candidates[::step][:limit]:
        trial = variant(text, "trial", max_length)
        before = workspace.revision(sig_id)
        try:
            after = workspace.set(sig_id, path, trial, author="benchmarks")
        except (PlanError, StoreError, PathError):
            continue
        if (
            after.revision == before + 1
            and get_path(after.plan.model_dump(mode="json"), path) == trial
        ):
            found[path] = (text, max_length)
    if not found:
        raise RuntimeError(f"SIG {sig_id!r} has no text field that accepts a changed value")
    return found
