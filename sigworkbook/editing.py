"""The workspace's edits: a SIG created or imported, fields set and updated in one
transaction, with what is partly each person's own changed only by them when hosted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sigworkbook.hosting.access import Access
from sigworkbook.permissions import Permissions, needs
from sigworkbook.plan.agreement import AGREEMENT
from sigworkbook.plan.agreement import check_change as check_agreement_change
from sigworkbook.plan.fields import label
from sigworkbook.plan.fieldtypes import slugify
from sigworkbook.plan.model import SCHEMA_VERSION
from sigworkbook.plan.paths import PathError, get_path, row_by_id
from sigworkbook.plan.people import clean_name
from sigworkbook.plan.validation import PlanError, Problem, normalise, validate_plan
from sigworkbook.plan.voting import check_voting_change
from sigworkbook.workspace_plans import (
    NAME_IDEAS,
    OWN_IN_PART,
    VOTING_ROUND,
    Loaded,
    WorkspaceError,
    check_writable,
    loaded,
)


class Editing(Permissions):
    """What changes a SIG's plan (Workspace inherits it): each edit one transaction of the
    store, which validates the new plan (nothing is saved when it is refused)."""

    def new_sig(self, name: str, *, author: str | None = None) -> Loaded:
        """Create a SIG named `name`; its id is derived from the name and made unique."""
        author = self._author(author)
        name = clean_name(name)
        identity = {"name": name}
        validate_plan({"id": "probe", "identity": identity})
        base = slugify(name)
        sig_id, n = base, 1
        while self.store.exists(sig_id):
            n += 1
            sig_id = f"{base[:60]}-{n}"
        document = normalise({"id": sig_id, "identity": identity})
        created = loaded(self.store.create(sig_id, document, author=author))
        self._make_owner(sig_id)
        return created

    def _by_update_only(self, path: str, *, whole: bool = False) -> None:
        """When hosted, what is partly each person's own (`OWN_IN_PART`) changes only through
        `update` of the whole list or map (`whole`), where `_check_own` sees the change: never
        a part of it, nor a section holding it ("identity", "charter")."""
        if self.user is None:
            return
        for kept in OWN_IN_PART:
            inside = path.startswith(kept + ".") or (bool(path) and kept.startswith(path + "."))
            if (path == kept and not whole) or inside:
                what = (
                    f"{label(AGREEMENT)}: answers are"
                    if kept == AGREEMENT
                    else f"{label(NAME_IDEAS)}: ideas and votes are"
                )
                raise WorkspaceError(
                    f"{what} given with the page's buttons, each under the name you logged in with"
                )

    def _check_own(self, plan: dict[str, Any], changes: Sequence[tuple[str, Any]]) -> None:
        """When hosted, the one check that `changes` to `plan` (whole values at paths of
        `OWN_IN_PART`) are the user's own to make: their ideas and ballot, a round started,
        revealed or closed, a merge outside a round (`check_voting_change`); their agreement
        answer, a check started or revealed (`agreement.check_change`)."""
        if self.user is None:
            return
        for path, _ in changes:
            self._by_update_only(path, whole=True)
        after = dict(changes)
        if NAME_IDEAS in after or VOTING_ROUND in after:
            ideas = get_path(plan, NAME_IDEAS, None) or []
            round_ = get_path(plan, VOTING_ROUND, None)
            new = (after.get(NAME_IDEAS, ideas) or [], after.get(VOTING_ROUND, round_))
            check_voting_change((ideas, round_), new, self.user.name)
        if AGREEMENT in after:
            before = get_path(plan, AGREEMENT, None)
            check_agreement_change(before, after[AGREEMENT], self.user.name)

    def _author(self, requested: str | None) -> str | None:
        """Who an edit is recorded under: always the hub user when there is one, whatever
        name a page or a shared screen asked for."""
        if self.user is not None:
            return self.user.name
        return " ".join(clean_name(requested).split()) or None if requested else None

    def _make_owner(self, sig_id: str) -> None:
        """In hosted mode, whoever creates a SIG is its first owner."""
        if self.user is not None:
            self.store.set_member(sig_id, self.user.name, "owner", by=self.user.name)

    def set(self, sig_id: str, path: str, value: Any, *, author: str | None = None) -> Loaded:
        """Set one field; PlanError (nothing saved) when the value cannot be accepted."""
        return self.set_many(sig_id, [(path, value)], author=author)

    @needs(Access.EDIT, "change")
    def set_many(
        self, sig_id: str, changes: Sequence[tuple[str, Any]], *, author: str | None = None
    ) -> Loaded:
        """Set several fields in one transaction: all are saved, or none."""
        author = self._author(author)
        for path, _ in changes:
            check_writable(path)
            self._by_update_only(path)
        try:
            snapshot = self.store.apply(sig_id, changes, author=author)
        except PathError:  # e.g. a row index past the end of its list
            path = changes[0][0] if len(changes) == 1 else ""
            raise PlanError(
                [Problem(path, label(path) if path else "", "is not there (its row may be gone)")]
            ) from None
        return loaded(snapshot)

    @needs(Access.EDIT, "change")
    def update(
        self,
        sig_id: str,
        path: str,
        change: Callable[[Any], Any],
        *,
        author: str | None = None,
    ) -> Loaded:
        """Set `path` to `change(current value)`, read and written in one transaction.

        For edits that build on the current value (a vote, a ticked item, a new row), so that
        a concurrent edit by someone else is never lost.
        """
        author = self._author(author)
        check_writable(path)

        def compute(plan: dict[str, Any]) -> list[tuple[str, Any]]:
            changes = [(path, change(get_path(plan, path, None)))]
            self._check_own(plan, changes)
            return changes

        return loaded(self.store.update(sig_id, compute, author=author))

    @needs(Access.EDIT, "change")
    def update_votes(
        self,
        sig_id: str,
        change: Callable[[list[Any], Any], tuple[list[Any], Any]],
        *,
        author: str | None = None,
    ) -> Loaded:
        """Set the name ideas and the voting round to `change(ideas, round)` in one
        transaction (a ballot, a round started or revealed, two ideas merged); when hosted,
        only what the user may do (`check_voting_change`)."""
        author = self._author(author)

        def compute(plan: dict[str, Any]) -> list[tuple[str, Any]]:
            ideas = get_path(plan, NAME_IDEAS, None) or []
            round_ = get_path(plan, VOTING_ROUND, None)
            new_ideas, new_round = change(ideas, round_)
            changes = [(NAME_IDEAS, new_ideas), (VOTING_ROUND, new_round)]
            self._check_own(plan, changes)
            return changes

        return loaded(self.store.update(sig_id, compute, author=author))

    @needs(Access.EDIT, "change")
    def set_in_row(
        self,
        sig_id: str,
        list_path: str,
        row_id: str,
        field: str,
        value: Any,
        *,
        author: str | None = None,
        kind: str = "set",
        note: str | None = None,
    ) -> Loaded:
        """Set `field` of the row whose id is `row_id` in the list at `list_path`.

        The row is found by its id inside the write transaction, so the edit lands on the
        right row even if someone else added or removed rows meanwhile. WorkspaceError when
        the row is gone.
        """
        author = self._author(author)

        def compute(plan: dict[str, Any]) -> list[tuple[str, Any]]:
            found = row_by_id(get_path(plan, list_path, None), row_id)
            if found is None:
                raise WorkspaceError(f"{label(list_path)}: this row was removed by someone else")
            path = f"{list_path}.{found[0]}.{field}"
            check_writable(path)
            self._by_update_only(path)
            return [(path, value)]

        return loaded(self.store.update(sig_id, compute, author=author, kind=kind, note=note))

    def import_plan(
        self, document: Any, *, replace: bool = False, author: str | None = None
    ) -> Loaded:
        """Create a SIG from an exported plan, or with `replace` make it a new revision of one."""
        author = self._author(author)
        if not isinstance(document, dict):
            raise PlanError([Problem("", "", "the file must hold one JSON object, a plan")])
        version = document.get("schema_version")
        if version is None:
            raise PlanError(
                [
                    Problem(
                        "schema_version",
                        "Schema version",
                        "is missing: is this a sigworkbook plan?",
                    )
                ]
            )
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise PlanError(
                [
                    Problem(
                        "schema_version",
                        "Schema version",
                        f"{version} is newer than this sigworkbook reads ({SCHEMA_VERSION})",
                    )
                ]
            )
        plan = normalise(document)
        sig_id = plan["id"]
        if self.store.exists(sig_id):
            self._require(sig_id, Access.EDIT, "replace")
            if not replace:
                raise WorkspaceError(
                    f"a SIG with id '{sig_id}' exists already: use --replace to make this file its new revision"
                )
            return loaded(self.store.replace(sig_id, plan, author=author))
        created = loaded(self.store.create(sig_id, plan, author=author))
        self._make_owner(sig_id)
        return created
