"""Copying every SIG with its whole history (and the record of erasures) from one database into
another, and checking the copy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sigworkbook.plan.paths import canonical_json, set_path_in_place
from sigworkbook.store.interface import Change, Store, StoreError, Submission


@dataclass(frozen=True)
class Copied:
    """What `copy_all` copied: how many SIGs and revisions."""

    sigs: int
    revisions: int


def _oldest_first(store: Store, sig_id: str) -> list[Change]:
    return list(reversed(store.history(sig_id)))


def plan_digests(changes: list[Change]) -> list[str]:
    """A digest of the plan after each change, replaying the history once from the start."""
    plan: dict[str, Any] = {}
    digests = []
    for change in changes:
        plan = set_path_in_place(plan, change.path, json.loads(canonical_json(change.value)))
        digests.append(hashlib.sha256(canonical_json(plan).encode()).hexdigest())
    return digests


def _row(change: Change) -> tuple[Any, ...]:
    return (
        change.revision,
        change.path,
        canonical_json(change.value),
        change.author,
        change.at,
        change.kind,
        change.note,
    )


def copy_all(
    source: Store, target: Store, *, progress: Callable[[str, int], None] | None = None
) -> Copied:
    """Copy every SIG of `source` into `target`, which must hold none, then check the copy.

    The check reads the copy back: every history row must be the same, the plan replayed from
    each database's own rows must be the same at every revision, and each database's own
    replay (``plan_at``) of the latest revision must equal its stored plan.
    """
    there = target.sig_ids()
    if there:
        shown = ", ".join(there[:5]) + (", ..." if len(there) > 5 else "")
        raise StoreError(
            f"the database {target.location} already holds SIGs ({shown}): migrate copies only "
            "into an empty database; nothing was copied"
        )
    if target.erasures():
        raise StoreError(
            f"the database {target.location} already holds a record of erasures: migrate copies "
            "only into an empty database; nothing was copied"
        )
    revisions = 0
    sig_ids = source.sig_ids()
    submissions = list(reversed(source.submissions()))
    closed = source.closed_sigs()
    for sig_id in sig_ids:
        changes = _oldest_first(source, sig_id)
        target.copy_in(sig_id, changes)
        copy_access(source, target, sig_id, submissions)
        if sig_id in closed:
            target.close_sig(sig_id, by=None)
        revisions += len(changes)
        if progress is not None:
            progress(sig_id, len(changes))
    target.copy_erasures(list(reversed(source.erasures())))
    for sig_id in sig_ids:
        verify(source, target, sig_id)
    if target.erasures() != source.erasures():
        raise StoreError(f"the copy in {target.location} does not have the same record of erasures")
    if target.submissions() != source.submissions():
        raise StoreError(
            f"the copy in {target.location} does not have the same listing submissions"
        )
    return Copied(len(sig_ids), revisions)


def copy_access(source: Store, target: Store, sig_id: str, submissions: list[Submission]) -> None:
    """Copy the SIG's members and (from `submissions`, oldest first) its listing submissions."""
    for member in source.members(sig_id):
        target.set_member(sig_id, member.user, member.role, by=member.added_by, at=member.added_at)
    for sent in submissions:
        if sent.sig_id == sig_id:
            target.submit_listing(sig_id, sent.revision, user=sent.user, at=sent.at)


def verify(source: Store, target: Store, sig_id: str) -> None:
    """Raise StoreError unless `sig_id` is the same in both, row by row and at every revision."""
    original, copy = _oldest_first(source, sig_id), _oldest_first(target, sig_id)
    where = f"SIG {sig_id!r} in {target.location}"
    if list(map(_row, original)) != list(map(_row, copy)):
        raise StoreError(f"the copy of {where} does not have the same history as the original")
    for revision, (mine, theirs) in enumerate(
        zip(plan_digests(original), plan_digests(copy), strict=True), start=1
    ):
        if mine != theirs:
            raise StoreError(
                f"the copy of {where} differs from the original at revision {revision}"
            )
    latest = len(copy)
    for store in (source, target):
        if store.plan_at(sig_id, latest) != store.current(sig_id).plan:
            raise StoreError(
                f"SIG {sig_id!r} in {store.location}: its stored plan is not what its history gives"
            )
    if source.members(sig_id) != target.members(sig_id):
        raise StoreError(f"the copy of {where} does not have the same members as the original")
    if source.current(sig_id).plan != target.current(sig_id).plan:
        raise StoreError(f"the copy of {where} does not have the same plan as the original")
