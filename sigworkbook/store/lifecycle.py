"""A SIG's end and a person's erasure, the same on every backend: closing and deleting SIGs,
finding a person in every SIG and erasing them, each erasure recorded without the data."""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Final

from sigworkbook.plan.paths import canonical_json
from sigworkbook.store import changelog
from sigworkbook.store.erasure import (
    HistoryRow,
    Matcher,
    Records,
    Scrubber,
    leaf_places,
    matcher_for,
    note_records,
    rewritten,
)
from sigworkbook.store.interface import Erasure, Place, Presence, StoreError, Validate
from sigworkbook.store.transactions import Transaction, Transactional

SCHEMA_3: Final = (
    "ALTER TABLE sigs ADD COLUMN closed_at TEXT",
    "ALTER TABLE sigs ADD COLUMN closed_by TEXT",
    """CREATE TABLE erasures (
        number INTEGER PRIMARY KEY,
        what TEXT NOT NULL CHECK (what IN ('person', 'sig')),
        erased_by TEXT,
        erased_at TEXT NOT NULL,
        places INTEGER NOT NULL,
        sigs INTEGER NOT NULL,
        placeholder TEXT
    )""",
)
"""Version 3 (both backends): closed SIGs, and the record of erasures (who, when, how many
places; never what was erased)."""

_ERASURE_INSERT: Final = (
    "INSERT INTO erasures (number, what, erased_by, erased_at, places, sigs, placeholder) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)

_HISTORY: Final = (
    "SELECT revision, path, value, author, note FROM history WHERE sig_id = ? ORDER BY revision"
)


class Lifecycle(Transactional):
    """Closing, deleting and erasing over a backend's transactions (mixed into SharedStore).

    A backend gives `_rewrite_history` and `_drop_history`, the one narrow way past its
    append-only guard, and may clean up after a deletion in `_after_forgetting`.
    """

    def presence(self) -> Presence:
        raise NotImplementedError

    def _rewrite_history(
        self, transaction: Transaction, sig_id: str, rows: Sequence[HistoryRow]
    ) -> None:
        """Replace value, author and note of these history rows (nothing else), in the
        transaction that recorded the erasure."""
        raise NotImplementedError

    def _drop_history(self, transaction: Transaction, sig_id: str) -> None:
        """Remove every history row of the SIG, in the transaction that recorded the deletion."""
        raise NotImplementedError

    def _after_forgetting(self) -> None:
        """Make what was erased or deleted unrecoverable from the database's own files."""

    # ----------------------------------------------------------------- closing and deleting

    def close_sig(self, sig_id: str, *, by: str | None, closed: bool = True) -> None:
        """Close the SIG (kept, read-only), or with ``closed=False`` open it again."""
        at = changelog.now() if closed else None
        with self._write() as transaction:
            transaction.snapshot(sig_id)  # UnknownSig; and no edit of it meanwhile
            transaction.run(
                "UPDATE sigs SET closed_at = ?, closed_by = ? WHERE sig_id = ?",
                (at, by if closed else None, sig_id),
            )

    def closed_sigs(self) -> dict[str, datetime]:
        """When each closed SIG was closed, by SIG id."""
        with self._read() as transaction:
            rows = transaction.run(
                "SELECT sig_id, closed_at FROM sigs WHERE closed_at IS NOT NULL ORDER BY sig_id", ()
            )
        return {sig_id: datetime.fromisoformat(at) for sig_id, at in rows}

    def updated_at(self) -> dict[str, datetime]:
        """When each SIG was last changed, by SIG id (for the retention period)."""
        with self._read() as transaction:
            rows = transaction.run("SELECT sig_id, updated_at FROM sigs ORDER BY sig_id", ())
        return {sig_id: datetime.fromisoformat(at) for sig_id, at in rows}

    def delete_sig(self, sig_id: str, *, by: str | None) -> Erasure:
        """Delete the SIG for good: its plan, history, members and listing submissions, and
        who had it open; the record of the deletion names neither the SIG nor its data."""
        with self._write() as transaction:
            before = transaction.snapshot(sig_id)
            erasure = _record(transaction, "sig", by, before.revision, 1, None)
            for table in ("members", "listing_submissions"):
                transaction.run(f"DELETE FROM {table} WHERE sig_id = ?", (sig_id,))
            self._drop_history(transaction, sig_id)
            transaction.run("DELETE FROM sigs WHERE sig_id = ?", (sig_id,))
        presence = self.presence()
        try:
            presence.forget([(s, v) for s, v, _ in presence.everyone() if s == sig_id])
        finally:
            presence.close()
        self._after_forgetting()
        return erasure

    def erasures(self) -> list[Erasure]:
        """Every erasure and deletion, newest first."""
        with self._read() as transaction:
            rows = transaction.run(
                "SELECT number, what, erased_by, erased_at, places, sigs, placeholder "
                "FROM erasures ORDER BY number DESC",
                (),
            )
        return [
            Erasure(n, w, b, datetime.fromisoformat(at), p, s, ph) for n, w, b, at, p, s, ph in rows
        ]

    def copy_erasures(self, erasures: Sequence[Erasure]) -> None:
        """Add these records of erasures and deletions as they are, numbers included
        (``migrate`` copies the record with the SIGs)."""
        with self._write() as transaction:
            transaction.run_many(
                _ERASURE_INSERT,
                [
                    (
                        e.number,
                        e.what,
                        e.by,
                        changelog.at_text(e.at),
                        e.places,
                        e.sigs,
                        e.placeholder,
                    )
                    for e in erasures
                ],
            )

    # ----------------------------------------------------------------- a person

    def find_person(
        self, name: str, *, also: Sequence[str] = (), only: Collection[str] | None = None
    ) -> list[Place]:
        """Every place in every SIG (or in the SIGs `only`) where the person's name or contact
        (or one of `also`, other spellings or contacts of theirs) is held: in any case, also
        inside free text, in every revision."""
        with self._read() as transaction:
            work = _Work.read(transaction, name, also=also, only=only)
            places = work.places(transaction, placeholder="")
        presence = self.presence()
        try:
            places += [
                Place(s, "presence", "participant", p)
                for s, _, p in presence.everyone()
                if p is not None and work.matcher.found_in(p) and work.includes(s)
            ]
        finally:
            presence.close()
        return places

    def erase_person(
        self,
        name: str,
        *,
        by: str | None,
        also: Sequence[str] = (),
        only: Collection[str] | None = None,
        validate: Validate | None = None,
    ) -> Erasure:
        """Erase the person from every SIG (or from the SIGs `only`), in one transaction: their name and contact become
        the placeholder (their record's organisation is emptied) in the current plans and in
        every revision, in free text, authors, votes and notes; their memberships go. Nothing
        else of any revision changes. The erasure is recorded: who, when, how many places.

        With `validate`, each SIG's new plan must pass it (a placeholder longer than the name
        it replaces could make a full field too long): else StoreError, nothing erased."""
        with self._write() as transaction:
            work = _Work.read(transaction, name, also=also, lock=True, only=only)
            number = _next_number(transaction)
            placeholder = work.matcher.placeholder(number)
            places = work.places(transaction, placeholder)
            in_sigs = sorted({place.sig_id for place in places if place.sig_id})
            erasure = _record(transaction, "person", by, len(places), len(in_sigs), placeholder)
            scrubber = Scrubber(work.matcher, work.own_ids, placeholder)
            for sig_id, rows in work.histories.items():
                changed, _, plan = rewritten(rows, scrubber)
                if changed and validate is not None:
                    try:
                        validate(copy.deepcopy(plan))
                    except Exception as error:
                        raise StoreError(
                            f"SIG {sig_id}: after the erasure {error}; nothing was erased"
                        ) from None
                if changed:
                    self._rewrite_history(transaction, sig_id, changed)
                    transaction.run(
                        "UPDATE sigs SET plan = ? WHERE sig_id = ?", (canonical_json(plan), sig_id)
                    )
            _erase_columns(transaction, work, placeholder)
        presence = self.presence()
        try:
            presence.forget(
                [
                    (s, v)
                    for s, v, p in presence.everyone()
                    if p and work.matcher.found_in(p) and work.includes(s)
                ]
            )
        finally:
            presence.close()
        self._after_forgetting()
        return erasure


class _Work:
    """Every SIG's history, read once, and the person's matcher worked out from all of it."""

    def __init__(
        self,
        histories: dict[str, list[HistoryRow]],
        plans: dict[str, dict[str, Any]],
        matcher: Matcher,
        own_ids: frozenset[str],
        only: Collection[str] | None,
    ) -> None:
        self.histories = histories
        self.plans = plans
        self.matcher = matcher
        self.own_ids = own_ids
        self.only = only

    def includes(self, sig_id: str) -> bool:
        """Whether the SIG is one this work is about ("" (the erasure log): only if all are)."""
        return self.only is None or (bool(sig_id) and sig_id in self.only)

    @classmethod
    def read(
        cls,
        transaction: Transaction,
        name: str,
        *,
        also: Sequence[str] = (),
        lock: bool = False,
        only: Collection[str] | None = None,
    ) -> _Work:
        histories: dict[str, list[HistoryRow]] = {}
        plans: dict[str, dict[str, Any]] = {}
        records = Records()
        for (sig_id,) in transaction.run("SELECT sig_id FROM sigs ORDER BY sig_id", ()):
            if only is not None and sig_id not in only:
                continue
            if lock:
                plans[sig_id] = transaction.snapshot(sig_id).plan
            else:
                (text,) = transaction.run("SELECT plan FROM sigs WHERE sig_id = ?", (sig_id,))[0]
                plans[sig_id] = json.loads(text)
            rows = [HistoryRow(*row) for row in transaction.run(_HISTORY, (sig_id,))]
            histories[sig_id] = rows
            note_records(rows, records)
        matcher, own_ids = matcher_for(name, records, also)
        return cls(histories, plans, matcher, own_ids, only)

    def places(self, transaction: Transaction, placeholder: str) -> list[Place]:
        """Every place held in the database (presence aside)."""
        scrubber = Scrubber(self.matcher, self.own_ids, placeholder or "\x00")
        found: list[Place] = []
        for sig_id, rows in self.histories.items():
            found += [
                Place(sig_id, "plan", path, str(text))
                for path, text in leaf_places(self.plans[sig_id], scrubber)
            ]
            _, places, _ = rewritten(rows, scrubber)
            for row, what in places:
                if what == "value":
                    found += _row_places(sig_id, row, scrubber)
                else:
                    text = row.author if what == "author" else row.note
                    found.append(Place(sig_id, "history", what, text or "", row.revision))
        for table, key, column, where in _COLUMNS:
            for sig_id, text in transaction.run(
                f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL", ()
            ):
                if self.matcher.found_in(text):
                    found.append(
                        Place(str(sig_id) if table != "erasures" else "", where, column, text)
                    )
        return found


_COLUMNS: Final = (
    ("members", "sig_id", "user_name", "member"),
    ("members", "sig_id", "added_by", "member"),
    ("listing_submissions", "sig_id", "submitted_by", "listing"),
    ("sigs", "sig_id", "closed_by", "closed"),
    ("erasures", "number", "erased_by", "erasures"),
)
"""The columns outside the plans that hold a person's name: table, key, column, place."""


def _row_places(sig_id: str, row: HistoryRow, scrubber: Scrubber) -> list[Place]:
    """The fields a history row's value holds about the person (its whole value if plain)."""
    value = json.loads(row.value)
    if not isinstance(value, dict | list):
        return [Place(sig_id, "history", row.path, str(value), row.revision)]
    return [
        Place(
            sig_id, "history", f"{row.path}.{path}" if row.path else path, str(text), row.revision
        )
        for path, text in leaf_places(value, scrubber)
    ]


def _next_number(transaction: Transaction) -> int:
    ((latest,),) = transaction.run("SELECT MAX(number) FROM erasures", ())
    return int(latest or 0) + 1


def _record(
    transaction: Transaction,
    what: str,
    by: str | None,
    places: int,
    sigs: int,
    placeholder: str | None,
) -> Erasure:
    """Add the erasure's record (first, so the database sees that a rewrite is recorded)."""
    number = _next_number(transaction)
    at = changelog.now()
    transaction.run(_ERASURE_INSERT, (number, what, by, at, places, sigs, placeholder))
    return Erasure(number, what, by, datetime.fromisoformat(at), places, sigs, placeholder)


def _erase_columns(transaction: Transaction, work: _Work, placeholder: str) -> None:
    """Members who are the person go; their name elsewhere outside the plans is replaced."""
    matcher = work.matcher
    for sig_id, user in transaction.run("SELECT sig_id, user_name FROM members", ()):
        if matcher.found_in(user) and work.includes(sig_id):
            transaction.run(
                "DELETE FROM members WHERE sig_id = ? AND user_name = ?", (sig_id, user)
            )
    for table, key, column, _ in _COLUMNS:
        if column == "user_name":
            continue
        for key_value, text in transaction.run(
            f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL", ()
        ):
            sig_id = str(key_value) if table != "erasures" else ""
            if matcher.found_in(text) and work.includes(sig_id):
                transaction.run(
                    f"UPDATE {table} SET {column} = ? WHERE {key} = ? AND {column} = ?",
                    (matcher.replace(text, placeholder), key_value, text),
                )
