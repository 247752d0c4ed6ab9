"""A plan as the workspace reads it (`Loaded`, `UnreadablePlan`), and the rules every edit of
one keeps: which fields may be written, and which are partly each person's own."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sigworkbook.errors import SigworkbookError
from sigworkbook.plan.agreement import AGREEMENT
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.model import READ_ONLY_FIELDS, Plan
from sigworkbook.plan.paths import (
    PathError,
    format_path,
    get_path,
    parse_path,
    set_path_in_place,
    split_row,
)
from sigworkbook.plan.validation import PlanError, Problem, problems_from
from sigworkbook.store import Snapshot

NAME_IDEAS = "identity.name_ideas"
"""Where ideas and votes are kept: edited only through `update`, by the voter alone when hosted."""
NAME_DECISION = "identity.name_decision"
"""How the name was chosen after a round (set with the name)."""
VOTING_ROUND = "identity.voting_round"
"""Where the dot vote on the ideas is kept: edited like the ideas, each ballot by its voter."""
OWN_IN_PART: tuple[str, ...] = (NAME_IDEAS, VOTING_ROUND, AGREEMENT)
"""What is partly each person's own (ideas, ballots, agreement answers): when hosted, changed
only whole through `update` or `update_votes`, where `_check_own` sees each change."""


class WorkspaceError(SigworkbookError):
    """A problem with the workspace folder itself; one clear line for a user."""


@dataclass(frozen=True)
class Loaded:
    """A plan as read from the store, with the revision it was read at."""

    plan: Plan
    revision: int
    changed: bool = field(default=False, compare=False)
    """Whether the call that returned it wrote a revision (an edit may change nothing)."""


class UnreadablePlan(WorkspaceError):
    """A stored plan the model refuses (a database edited by hand, or a value saved before a
    rule existed): one line naming each field that is wrong, and the way to put it right."""

    def __init__(self, sig_id: str, problems: list[Problem]) -> None:
        self.sig_id = sig_id
        self.problems = problems
        wrong = "; ".join(str(problem) for problem in problems)
        super().__init__(
            f"the saved plan of '{sig_id}' holds a value that cannot be right ({wrong}): put "
            f"back the last good value with 'sigworkbook repair {sig_id}'"
        )


def loaded(snapshot: Snapshot, sig_id: str = "") -> Loaded:
    try:
        plan = Plan.model_validate(snapshot.plan)
    except ValidationError as error:
        raise UnreadablePlan(
            sig_id or str(snapshot.plan.get("id", "")), problems_from(error, snapshot.plan)
        ) from None
    return Loaded(plan, snapshot.revision, snapshot.changed)


ABSENT = object()
"""What `get_path` gives for a path that is not there (a default no plan holds)."""


def accepted(document: dict[str, Any], path: str, value: Any) -> bool:
    """Whether the model accepts `value` at `path` of `document` (other fields aside)."""
    trial = json.loads(json.dumps(document))
    try:
        set_path_in_place(trial, path, value)
        Plan.model_validate(trial)
    except PathError:
        return False
    except ValidationError as error:
        return not any(
            p.path == path or p.path.startswith(path + ".") for p in problems_from(error)
        )
    return True


def row_of(plan: dict[str, Any], path: str) -> tuple[str, str, str] | None:
    """For a path inside a table row of `plan`: the table's path, the row's id and the path
    within the row; None for a path in no row, or for a whole row."""
    split = split_row(parse_path(path))
    if split is None or not split[2]:
        return None
    table, index, inner = split
    row = get_path(plan, format_path((*table, index)), None)
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        return None
    return format_path(table), row["id"], format_path(inner)


def check_writable(path: str) -> None:
    try:
        spec = field_spec(path)
    except PathError:
        raise PlanError([Problem(path, path, "is not a field of the plan")]) from None
    if path.split(".")[0] in READ_ONLY_FIELDS or path == "":
        raise PlanError([Problem(path, spec.label, "cannot be changed")])
