"""The change log every backend keeps: working out history rows from edits, and replaying them."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sigworkbook.plan.paths import (
    PathError,
    canonical_json,
    differences,
    get_path,
    parse_path,
    set_path,
    set_path_in_place,
)
from sigworkbook.store.interface import (
    StoreError,
    Validate,
)

EDIT_KINDS: Final = ("set", "replace", "restore")
ALL_KINDS: Final = ("create", *EDIT_KINDS)
VALIDATION_NOTE: Final = "changed by validation"
SIG_ID: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ABSENT: Final = object()


@dataclass(frozen=True)
class Row:
    """One history row to append: the value set at a path, and its note."""

    revision: int
    path: str
    value: str
    note: str | None


def now() -> str:
    """The current UTC time as ISO 8601 text with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def at_text(at: datetime) -> str:
    """A history time as stored: ISO 8601 with microseconds (the inverse of reading it)."""
    return at.isoformat(timespec="microseconds")


def check_sig_id(sig_id: str) -> None:
    """Refuse an id that is not 1 to 64 lower-case letters, digits, '-' or '_'."""
    if not isinstance(sig_id, str) or not SIG_ID.fullmatch(sig_id):
        raise StoreError(
            f"SIG id {sig_id!r} is not allowed: use 1 to 64 lower-case letters, digits, "
            "'-' or '_', starting with a letter or digit"
        )


def check_kind(kind: str) -> None:
    """Refuse an edit kind that is not one of EDIT_KINDS."""
    if kind not in EDIT_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(EDIT_KINDS)}")


def check_limit(limit: int | None) -> None:
    """Refuse a history limit that is not a whole number >= 0."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"history limit must be a whole number >= 0, not {limit!r}")


def as_json(value: Any, what: str) -> Any:
    """Return a plain-JSON copy of ``value`` (tuples become lists), or explain what is wrong."""
    try:
        return json.loads(canonical_json(value))
    except (TypeError, ValueError) as error:
        raise StoreError(f"{what} cannot be stored as JSON: {error}") from error


def as_plan(value: Any, what: str) -> dict[str, Any]:
    """Return a plain-JSON copy of a whole plan, which must be a dict."""
    if not isinstance(value, dict):
        raise StoreError(f"{what} must be a dict, not {type(value).__name__}")
    plan: dict[str, Any] = as_json(value, what)
    return plan


def prepare(changes: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Check each change's path and value; whole-plan values must be plans."""
    prepared: list[tuple[str, Any]] = []
    for path, value in changes:
        parse_path(path)
        if path == "":
            prepared.append((path, as_plan(value, "the whole plan")))
        else:
            prepared.append((path, as_json(value, f"the value for {path!r}")))
    return prepared


def containing_paths(path: str) -> list[str]:
    """Every path that contains `path` (the whole plan ``""`` first), `path` itself last."""
    parts = parse_path(path) if path else ()
    return [".".join(str(p) for p in parts[:n]) for n in range(len(parts) + 1)]


def _lookup(doc: Any, path: str) -> Any:
    """The value at ``path``, or ``_ABSENT`` if the path does not lead anywhere in ``doc``."""
    try:
        return get_path(doc, path, _ABSENT)
    except PathError:
        return _ABSENT


def _same(old: Any, new: Any) -> bool:
    """Whether two JSON values are identical (``1`` and ``True`` are not)."""
    return old is not _ABSENT and canonical_json(old) == canonical_json(new)


def _overtaken(paths: Sequence[str]) -> list[bool]:
    """For each path, whether a later path in the list is the same, inside it or around it."""
    later_exact: set[tuple[str | int, ...]] = set()
    later_inner: set[tuple[str | int, ...]] = set()  # proper ancestors of later paths
    result: list[bool] = []
    for path in reversed(paths):
        parts = parse_path(path)
        prefixes = [parts[:n] for n in range(len(parts))]
        result.append(
            parts in later_exact
            or parts in later_inner
            or any(prefix in later_exact for prefix in prefixes)
        )
        later_exact.add(parts)
        later_inner.update(prefixes)
    return result[::-1]


def edit_rows(
    plan: dict[str, Any], changes: Sequence[tuple[str, Any]], validate: Validate
) -> tuple[list[tuple[str, Any, bool]], dict[str, Any]]:
    """Work out the history rows for ``changes`` to ``plan`` and the validated new plan.

    Returns ``(rows, new_plan)`` where each row is ``(path, value, made_by_validation)``.
    Replaying the rows on ``plan`` gives exactly ``new_plan``. Each change is one row: with the
    value validation left at its path, or, when a later change in the same call overlaps it,
    with the value as given. Anything else validation altered is recorded after them. Changes
    that would not alter the plan are left out; if none remain, ``validate`` is not called and
    ``rows`` is empty.
    """
    draft = plan
    touched: list[tuple[str, Any]] = []
    for path, value in changes:
        if _same(get_path(draft, path, _ABSENT), value):
            continue
        draft = set_path(draft, path, value)
        touched.append((path, value))
    if not touched:
        return [], plan
    new_plan = as_plan(validate(draft), "the plan returned by validation")
    replay = copy.deepcopy(plan)
    rows: list[tuple[str, Any, bool]] = []
    overtaken = _overtaken([path for path, _ in touched])
    for (path, given), later in zip(touched, overtaken, strict=True):
        value = given if later else _lookup(new_plan, path)
        if value is _ABSENT or _same(_lookup(replay, path), value):
            continue
        try:
            replay = set_path_in_place(replay, path, copy.deepcopy(value))
        except PathError:
            continue  # the structure around it changed; the differences below cover it
        rows.append((path, value, False))
    rows.extend((path, value, True) for path, value in differences(replay, new_plan))
    return rows, new_plan


def history_rows(
    before: int,
    plan: dict[str, Any],
    compute_changes: Sequence[tuple[str, Any]],
    validate: Validate,
    note: str | None,
) -> tuple[list[Row], dict[str, Any]]:
    """The rows to append after revision `before` for `compute_changes`, and the new plan."""
    rows, new_plan = edit_rows(plan, prepare(compute_changes), validate)
    records: list[Row] = []
    revision = before
    for path, value, by_validation in rows:
        revision += 1
        row_note = note
        if by_validation:
            row_note = f"{note} ({VALIDATION_NOTE})" if note else VALIDATION_NOTE
        records.append(Row(revision, path, canonical_json(value), row_note))
    return records, new_plan


def replay(rows: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The plan made by applying history rows ``(path, json_value)`` in order to nothing."""
    plan: dict[str, Any] = {}
    for path, value in rows:
        plan = set_path_in_place(plan, path, json.loads(value))
    return plan


def rows_in(value: str, list_path: str, changed_path: str) -> list[str | None] | None:
    """The row ids of the list at `list_path` inside a change's JSON `value` at `changed_path`."""
    inner_parts = parse_path(list_path)[len(parse_path(changed_path)) :]
    inner = ".".join(str(p) for p in inner_parts)
    rows = get_path(json.loads(value), inner, None)
    if not isinstance(rows, list):
        return None
    return [row.get("id") if isinstance(row, dict) else None for row in rows]
