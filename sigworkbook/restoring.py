"""Going back: a revision (or one field of it) restored, and a plan the model refuses
repaired field by field from its history."""

from __future__ import annotations

import json
from typing import Any, Final

from sigworkbook.editing import Editing
from sigworkbook.hosting.access import Access
from sigworkbook.permissions import needs
from sigworkbook.plan import meeting
from sigworkbook.plan.agreement import AGREEMENT
from sigworkbook.plan.fields import field_spec, in_words, label
from sigworkbook.plan.paths import PathError, get_path, row_by_id, set_path_in_place
from sigworkbook.plan.validation import Problem
from sigworkbook.workspace_plans import (
    ABSENT,
    OWN_IN_PART,
    VOTING_ROUND,
    Loaded,
    UnreadablePlan,
    WorkspaceError,
    accepted,
    check_writable,
    loaded,
    row_of,
)

KEPT_CURRENT: Final = (*OWN_IN_PART, *meeting.STATE, meeting.SET_ASIDE)
"""What restoring a whole revision leaves as it is now: it brings back the group's text fields
and lists, never what people did since (ideas and votes, ballots, agreement answers: each
person's own), nor the meeting as it went (timers, the live meeting, its records, versions
set aside)."""


def keep_current(restored: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """`restored` (an earlier plan, changed in place) with every `KEPT_CURRENT` part as in
    `current`."""
    for path in KEPT_CURRENT:
        section, _, key = path.rpartition(".")
        value = get_path(current, path, ABSENT)
        parent = get_path(restored, section, None)
        if not isinstance(parent, dict):
            if value is ABSENT:
                continue
            parent = {}
            set_path_in_place(restored, section, parent)
        if value is ABSENT:
            parent.pop(key, None)
        else:
            parent[key] = json.loads(json.dumps(value))
    return restored


class Restoring(Editing):
    """Restoring and repairing a SIG's plan from its history (Workspace inherits it)."""

    @needs(Access.EDIT, "repair")
    def repair(self, sig_id: str, *, author: str | None = None) -> Loaded:
        """Put back the last good value of every field of the stored plan that breaks the
        model's rules (see UnreadablePlan), as one new change; a plan with none is unchanged."""
        author = self._author(author)
        snapshot = self.store.current(sig_id)
        try:
            return loaded(snapshot, sig_id)
        except UnreadablePlan as unreadable:
            problems = unreadable.problems
        document = json.loads(json.dumps(snapshot.plan))
        changes = []
        for problem in problems:
            value = self._last_good_value(sig_id, document, problem)
            set_path_in_place(document, problem.path, value)
            changes.append((problem.path, value))
        return loaded(
            self.store.apply(
                sig_id,
                changes,
                author=author,
                kind="restore",
                note="put back the last good value",
            ),
            sig_id,
        )

    def _last_good_value(self, sig_id: str, document: dict[str, Any], problem: Problem) -> Any:
        """The newest value the field at the problem's path had that the model accepts there,
        else its blank (an empty optional field, empty text)."""
        if not problem.path:
            raise WorkspaceError(
                f"the saved plan of '{sig_id}' cannot be repaired field by field "
                f"({problem}): restore a whole revision with 'sigworkbook restore'"
            )
        row = row_of(document, problem.path)
        for change in self.store.history(sig_id, path=problem.path, include_ancestors=True):
            earlier = self.store.plan_at(sig_id, change.revision)
            if row is not None:  # the same row, wherever it was then
                list_path, row_id, inner = row
                found = row_by_id(get_path(earlier, list_path, None), row_id)
                earlier, path = (found[1], inner) if found else ({}, inner)
            else:
                path = problem.path
            value = get_path(earlier, path, ABSENT)
            if value is not ABSENT and accepted(document, problem.path, value):
                return value
        spec = field_spec(problem.path)
        for blank in (None, "") if spec.optional else ("",):
            if accepted(document, problem.path, blank):
                return blank
        raise WorkspaceError(
            f"{problem}: no earlier value of it is good; restore it from its history"
        )

    @needs(Access.EDIT, "restore")
    def restore(
        self, sig_id: str, revision: int, *, path: str | None = None, author: str | None = None
    ) -> Loaded:
        """Make the plan (or only the field at `path`) as it was at `revision`, as a new change;
        a whole plan keeps what `KEPT_CURRENT` says as it is now."""
        author = self._author(author)
        current = self.store.revision(sig_id)
        if not 1 <= revision <= current:
            raise WorkspaceError(
                f"revision {revision} does not exist: '{sig_id}' has 1 to {current}"
            )
        old = self.store.plan_at(sig_id, revision)
        note = f"restored revision {revision}"
        if path:
            check_writable(path)
            self._by_update_only(path)
            for kept, what in ((VOTING_ROUND, "dots are put"), (AGREEMENT, "answers are given")):
                if path == kept or path.startswith(kept + "."):
                    raise WorkspaceError(
                        f"{label(kept)}: {what} and taken back with the page's "
                        "buttons (going back here would take back other people's too)"
                    )
            try:
                value = get_path(old, path)
            except PathError:
                raise WorkspaceError(
                    f"{in_words(path)} did not exist at revision {revision}"
                ) from None
            row = row_of(old, path)
            if row is not None:
                list_path, row_id, field = row
                try:
                    return self.set_in_row(
                        sig_id,
                        list_path,
                        row_id,
                        field,
                        value,
                        author=author,
                        kind="restore",
                        note=note,
                    )
                except WorkspaceError:
                    raise WorkspaceError(
                        f"{label(list_path)}: the row of {label(path)} at revision {revision}"
                        " has been removed since; nothing was restored"
                    ) from None
            return loaded(
                self.store.apply(
                    sig_id,
                    [(path, value)],
                    author=author,
                    kind="restore",
                    note=note,
                )
            )

        def compute(current: dict[str, Any]) -> list[tuple[str, Any]]:
            return [("", keep_current(json.loads(json.dumps(old)), current))]

        return loaded(self.store.update(sig_id, compute, author=author, kind="restore", note=note))
