"""What every store backend does the same way, over the backend's own transactions: creating
and editing SIGs, the reads that need no SQL of the backend's own, members and listings."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sigworkbook.plan.paths import canonical_json
from sigworkbook.plan.validation import normalise
from sigworkbook.store import changelog, membership
from sigworkbook.store.history import HistoryReads
from sigworkbook.store.interface import (
    Change,
    Compute,
    Member,
    SigClosed,
    SigExists,
    Snapshot,
    StoreError,
    Submission,
    UnknownSig,
    Validate,
)
from sigworkbook.store.transactions import Transaction

__all__ = ["HISTORY_INSERT", "SIG_INSERT", "SharedStore", "Transaction"]

SIG_INSERT: Final = (
    "INSERT INTO sigs (sig_id, revision, plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (sig_id) DO NOTHING RETURNING 1"
)
"""A new SIG's row; returns no row when the SIG exists (or was created since we looked)."""
HISTORY_INSERT: Final = (
    "INSERT INTO history (sig_id, revision, path, value, author, at, kind, note) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class SharedStore(HistoryReads):
    """What every backend does the same way, over its own transactions: creating and editing
    SIGs (`apply` and `replace` are `update`s), reading what needs no backend's own SQL, and
    the members and listing submissions, and the history (`HistoryReads`). A backend gives
    `_read()`, `_write()` and `location` (`Transactional`) and the dialect hook `_below`."""

    @property
    def validator(self) -> Validate:
        """The plan model's rules (`normalise`): every new plan passes them before it is saved."""
        return normalise

    def _exists(self, sig_id: str) -> SigExists:
        return SigExists(f"there is already a SIG {sig_id!r} in {self.location}")

    def create(
        self,
        sig_id: str,
        plan: dict[str, Any],
        *,
        author: str | None,
        validate: Validate | None = None,
    ) -> Snapshot:
        """Add a new SIG with ``validate(plan)`` (by default the `validator`) as revision 1."""
        validate = validate or self.validator
        changelog.check_sig_id(sig_id)
        draft = changelog.as_plan(plan, f"the plan for SIG {sig_id!r}")
        at = changelog.now()
        with self._write() as transaction:
            if transaction.run("SELECT 1 FROM sigs WHERE sig_id = ?", (sig_id,)):
                raise self._exists(sig_id)  # before validating: a quick, clear refusal
            new_plan = changelog.as_plan(validate(draft), "the plan returned by validation")
            text = canonical_json(new_plan)
            if not transaction.run(SIG_INSERT, (sig_id, 1, text, at, at)):
                raise self._exists(sig_id)  # created by someone else since we looked
            transaction.run_many(
                HISTORY_INSERT, [(sig_id, 1, "", text, author, at, "create", None)]
            )
        return Snapshot(revision=1, plan=new_plan, changed=True)

    def update(
        self,
        sig_id: str,
        compute: Compute,
        *,
        author: str | None,
        validate: Validate | None = None,
        kind: str = "set",
        note: str | None = None,
    ) -> Snapshot:
        """Like `apply`, with the changes computed from the current plan inside the transaction.

        For read-modify-write edits (a vote, a ticked item, a new row) that must not lose a
        concurrent edit by someone else: `compute` sees the latest plan, which nobody else can
        write until this one is saved.
        """
        changelog.check_kind(kind)
        validate = validate or self.validator
        at = changelog.now()
        with self._write() as transaction:
            before = transaction.snapshot(sig_id)
            if before.closed:
                raise SigClosed(f"the SIG {sig_id!r} is closed: it can be read but not changed")
            rows, new_plan = changelog.history_rows(
                before.revision, before.plan, compute(copy.deepcopy(before.plan)), validate, note
            )
            if not rows:
                return before
            revision = rows[-1].revision
            transaction.run_many(
                HISTORY_INSERT,
                [
                    (sig_id, row.revision, row.path, row.value, author, at, kind, row.note)
                    for row in rows
                ],
            )
            transaction.run(
                "UPDATE sigs SET revision = ?, plan = ?, updated_at = ? WHERE sig_id = ?",
                (revision, canonical_json(new_plan), at, sig_id),
            )
        return Snapshot(revision=revision, plan=new_plan, changed=True)

    def copy_in(self, sig_id: str, changes: Sequence[Change]) -> None:
        """Add a SIG with exactly these history rows, oldest first (``migrate`` copies a SIG)."""
        changelog.check_sig_id(sig_id)
        if not changes:
            raise StoreError(
                f"SIG {sig_id!r} cannot be copied into {self.location} without its history"
            )
        plan = changelog.replay((c.path, canonical_json(c.value)) for c in changes)
        first, last = changes[0], changes[-1]
        with self._write() as transaction:
            created = transaction.run(
                SIG_INSERT,
                (
                    sig_id,
                    last.revision,
                    canonical_json(plan),
                    changelog.at_text(first.at),
                    changelog.at_text(last.at),
                ),
            )
            if not created:
                raise self._exists(sig_id)
            transaction.run_many(
                HISTORY_INSERT,
                [
                    (
                        sig_id,
                        c.revision,
                        c.path,
                        canonical_json(c.value),
                        c.author,
                        changelog.at_text(c.at),
                        c.kind,
                        c.note,
                    )
                    for c in changes
                ],
            )

    def apply(
        self,
        sig_id: str,
        changes: Sequence[tuple[str, Any]],
        *,
        author: str | None,
        validate: Validate | None = None,
        kind: str = "set",
        note: str | None = None,
    ) -> Snapshot:
        """Set each ``(path, value)`` in order, validate the result and save it atomically.

        Each change becomes its own revision. A change that would not alter the plan is
        skipped; if every change is skipped, the current snapshot is returned unchanged. If
        ``validate`` raises, nothing is written and its exception propagates. Whatever else
        validation alters is recorded as further revisions noted as made by validation, so
        that replaying the history always gives the stored plan.
        """
        changelog.prepare(changes)  # refuse malformed paths and values before taking the write lock
        return self.update(
            sig_id, lambda _plan: changes, author=author, validate=validate, kind=kind, note=note
        )

    def replace(
        self,
        sig_id: str,
        plan: dict[str, Any],
        *,
        author: str | None,
        validate: Validate | None = None,
        kind: str = "replace",
        note: str | None = None,
    ) -> Snapshot:
        """Replace the whole plan (history path ``""``), e.g. for an import or a restore."""
        return self.apply(
            sig_id, [("", plan)], author=author, validate=validate, kind=kind, note=note
        )

    # ----------------------------------------------------------------- reading

    def sig_ids(self) -> list[str]:
        """The ids of all SIGs in the database, sorted."""
        with self._read() as transaction:
            return [
                row[0] for row in transaction.run("SELECT sig_id FROM sigs ORDER BY sig_id", ())
            ]

    def exists(self, sig_id: str) -> bool:
        """Whether a SIG with this id is in the database."""
        with self._read() as transaction:
            return bool(transaction.run("SELECT 1 FROM sigs WHERE sig_id = ?", (sig_id,)))

    def current(self, sig_id: str) -> Snapshot:
        """The SIG's latest plan and revision, read from the stored snapshot."""
        with self._read() as transaction:
            return transaction.snapshot(sig_id)

    def revision(self, sig_id: str) -> int:
        """The SIG's latest revision number: one indexed lookup, cheap enough to poll."""
        with self._read() as transaction:
            rows = transaction.run("SELECT revision FROM sigs WHERE sig_id = ?", (sig_id,))
        if not rows:
            raise UnknownSig(f"there is no SIG {sig_id!r} in {self.location}")
        return int(rows[0][0])

    def plan_at(self, sig_id: str, revision: int) -> dict[str, Any]:
        """The SIG's plan as of ``revision``, rebuilt by replaying the change log from the last
        whole-plan change at or before it (the snapshot is not consulted)."""
        latest = self.revision(sig_id)
        if isinstance(revision, bool) or not isinstance(revision, int):
            raise TypeError(f"revision must be an int, not {type(revision).__name__}")
        if not 1 <= revision <= latest:
            raise StoreError(
                f"SIG {sig_id!r} has no revision {revision}: its revisions are 1 to {latest}"
            )
        with self._read() as transaction:
            rows = transaction.run(
                "SELECT path, value FROM history WHERE sig_id = ? AND revision <= ? "
                "AND revision >= (SELECT MAX(revision) FROM history "
                "WHERE sig_id = ? AND path = '' AND revision <= ?) ORDER BY revision",
                (sig_id, revision, sig_id, revision),
            )
        return changelog.replay((path, value) for path, value in rows)

    # ----------------------------------------------------------------- members and listing

    def members(self, sig_id: str) -> list[Member]:
        """The SIG's members, owners first, then by name."""
        with self._read() as transaction:
            return membership.members(transaction.run, sig_id)

    def memberships(self, user: str) -> dict[str, str]:
        """The role of `user` in each SIG they are a member of."""
        with self._read() as transaction:
            return membership.memberships(transaction.run, user)

    def set_member(
        self,
        sig_id: str,
        user: str,
        role: str | None,
        *,
        by: str | None,
        at: datetime | None = None,
    ) -> None:
        """Give `user` `role` in the SIG (None: remove them); see `Store.set_member`."""
        with self._write() as transaction:
            # One member change of a SIG at a time, so two owners cannot both step down.
            transaction.snapshot(sig_id)
            membership.set_member(transaction.run, sig_id, user, role, by=by, at=at)

    def submit_listing(
        self, sig_id: str, revision: int, *, user: str | None, at: datetime | None = None
    ) -> Submission:
        """Record that the SIG at `revision` was sent to the network team for listing."""
        with self._write() as transaction:
            if transaction.snapshot(sig_id).closed:
                raise SigClosed(f"the SIG {sig_id!r} is closed: it cannot be sent for listing")
            return membership.submit_listing(transaction.run, sig_id, revision, user=user, at=at)

    def submissions(self) -> list[Submission]:
        """Every listing submission, newest first."""
        with self._read() as transaction:
            return membership.submissions(transaction.run)
