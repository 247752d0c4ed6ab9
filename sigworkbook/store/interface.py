"""What every store backend offers: the Store protocol, its neutral types and its errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self

from sigworkbook.errors import SigworkbookError

Validate = Callable[[dict[str, Any]], dict[str, Any]]
"""Checks a whole plan and returns it normalised; raises (nothing is written) if it is wrong."""

Compute = Callable[[dict[str, Any]], Sequence[tuple[str, Any]]]
"""Works out ``(path, value)`` changes from the latest plan, inside the write transaction."""


class StoreError(SigworkbookError):
    """Something went wrong with the database; the message is one line for a user."""


class NotOurDatabase(StoreError):
    """The database exists but is not a sigworkbook database, or it is damaged."""


class NewerSchema(StoreError):
    """The database was written by a newer sigworkbook than this one."""


class UnknownSig(StoreError):
    """No SIG with that id is in the database."""


class SigExists(StoreError):
    """A SIG with that id is already in the database."""


class StoreBusy(StoreError):
    """Another process kept the database locked for longer than the busy timeout."""


class StoreUnreachable(StoreError):
    """The database server cannot be reached just now; trying again later may succeed."""


class LastOwner(StoreError):
    """The change would leave a SIG that has owners with none."""


class SigClosed(StoreError):
    """The SIG is closed: it can be read but not changed."""


ROLES: tuple[str, ...] = ("owner", "editor", "viewer")
"""A member's role in a SIG: owners (conveners) edit and manage members, editors edit, viewers
read."""


@dataclass(frozen=True)
class Member:
    """One member of a SIG, kept by the store (never in the plan): their hub name and role."""

    user: str
    role: str
    added_by: str | None
    added_at: datetime


@dataclass(frozen=True)
class Submission:
    """A SIG sent to the network team for listing: by whom, when, at which revision."""

    sig_id: str
    revision: int
    user: str | None
    at: datetime


@dataclass(frozen=True)
class Change:
    """One row of a SIG's history: a value set at a path (``""`` is the whole plan)."""

    revision: int
    path: str
    value: Any
    author: str | None
    at: datetime
    kind: str
    note: str | None


@dataclass(frozen=True)
class Snapshot:
    """A SIG's plan as of one revision."""

    revision: int
    plan: dict[str, Any]
    changed: bool = field(default=False, compare=False)
    """Whether the call that returned it wrote a revision (an edit may change nothing)."""
    closed: bool = field(default=False, compare=False)
    """Whether the SIG is closed (read-only)."""


@dataclass(frozen=True)
class Place:
    """One place where a person's name or contact is held."""

    sig_id: str
    where: str
    """plan (the current plan), history (a revision), member, listing, closed (who closed
    the SIG), presence (an open page), erasures (who erased someone)."""
    path: str
    """The field (plan, history) or what the text is there (user, added_by, author, note...)."""
    text: str
    revision: int | None = None


@dataclass(frozen=True)
class Erasure:
    """One erasure, as the database records it: who, when, how much; none of the data."""

    number: int
    what: str
    """person (a person erased from every SIG) or sig (a SIG deleted)."""
    by: str | None
    at: datetime
    places: int
    sigs: int
    placeholder: str | None


@dataclass(frozen=True)
class Visitor:
    """One open page: who (if they gave a name), which step, and the field they are typing in
    (if any, for "Dev is typing…")."""

    participant: str | None
    step: str
    typing: str | None = None


class Presence(Protocol):
    """Who has which page of a SIG open right now: best effort, never in the way of saving."""

    def mark(self, sig_id: str, visitor: str, participant: str | None, step: str) -> None:
        """Record that `visitor` has `step` of `sig_id` open now."""

    def leave(self, sig_id: str, visitor: str) -> None:
        """Forget `visitor` (their page closed)."""

    def others(self, sig_id: str, visitor: str) -> list[Visitor]:
        """Everyone else with a page of `sig_id` open, most recently seen first."""

    def everyone(self) -> list[tuple[str, str, str | None]]:
        """(SIG id, visitor, participant) of every page in the register, fresh or not."""

    def forget(self, pages: Sequence[tuple[str, str]]) -> None:
        """Remove these (SIG id, visitor) pages from the register, leaving nothing behind."""

    def close(self) -> None:
        """Release what the register holds open."""


class ChangeFeed(Protocol):
    """Tells a page, on its event loop, that a SIG has a new revision."""

    def start(self, loop: asyncio.AbstractEventLoop, on_revision: Callable[[int], None]) -> None:
        """Call ``on_revision(latest)`` on `loop` whenever the SIG's revision moves on."""

    def stop(self) -> None:
        """Stop watching; calling it twice is harmless."""


class Store(Protocol):
    """A database holding any number of SIGs, each as an append-only change log.

    Every write is one transaction, durable when the call returns. Revisions of a SIG follow on
    from 1 without gaps; history rows are never changed or removed.
    """

    @property
    def location(self) -> str:
        """Where the database is, for messages: a file path, or a URL with no password."""

    @property
    def read_only(self) -> bool:
        """Whether the database can only be read here."""

    @property
    def validator(self) -> Validate:
        """What every new plan is given to before it is saved (an edit may pass another)."""

    def close(self) -> None:
        """Close the database; further calls raise StoreError. Closing twice is harmless."""

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def sig_ids(self) -> list[str]:
        """The ids of all SIGs, sorted."""

    def exists(self, sig_id: str) -> bool:
        """Whether a SIG with this id is in the database."""

    def current(self, sig_id: str) -> Snapshot:
        """The SIG's latest plan and revision."""

    def revision(self, sig_id: str) -> int:
        """The SIG's latest revision number: cheap enough to poll."""

    def history(
        self,
        sig_id: str,
        *,
        path: str | None = None,
        limit: int | None = None,
        include_ancestors: bool = False,
    ) -> list[Change]:
        """The SIG's changes, newest first (see `sqlite.SQLiteStore.history`)."""

    def last_changes(self, sig_id: str) -> dict[str, Change]:
        """The latest change at each path that was ever changed."""

    def row_ids_at(self, sig_id: str, list_path: str, revision: int) -> list[str | None] | None:
        """The ids of the rows of the list at `list_path`, in order, as of `revision`."""

    def plan_at(self, sig_id: str, revision: int) -> dict[str, Any]:
        """The SIG's plan as of `revision`, rebuilt by replaying the change log."""

    def create(
        self,
        sig_id: str,
        plan: dict[str, Any],
        *,
        author: str | None,
        validate: Validate | None = None,
    ) -> Snapshot:
        """Add a new SIG with ``validate(plan)`` (by default the `validator`) as revision 1."""

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
        """Set each ``(path, value)`` in order, validate the result and save it atomically."""

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
        """Like `apply`, with the changes computed from the latest plan under the write lock."""

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

    def copy_in(self, sig_id: str, changes: Sequence[Change]) -> None:
        """Add a SIG with exactly these history rows, oldest first (``migrate`` copies a SIG)."""

    def presence(self) -> Presence:
        """The presence register that goes with this database."""

    def members(self, sig_id: str) -> list[Member]:
        """The SIG's members, owners first, then by name."""

    def memberships(self, user: str) -> dict[str, str]:
        """The role of `user` in each SIG they are a member of, by SIG id."""

    def set_member(
        self,
        sig_id: str,
        user: str,
        role: str | None,
        *,
        by: str | None,
        at: datetime | None = None,
    ) -> None:
        """Give `user` `role` in the SIG (None: remove them), in one transaction.

        LastOwner (nothing changed) when a SIG that has an owner would be left with none.
        """

    def submit_listing(
        self, sig_id: str, revision: int, *, user: str | None, at: datetime | None = None
    ) -> Submission:
        """Record that the SIG at `revision` was sent to the network team for listing."""

    def submissions(self) -> list[Submission]:
        """Every listing submission of every SIG, newest first."""

    def change_feed(self, sig_id: str) -> ChangeFeed:
        """A feed of the SIG's new revisions (SQLite polls; a server database may notify)."""

    def close_sig(self, sig_id: str, *, by: str | None, closed: bool = True) -> None:
        """Close the SIG (kept, read-only: edits raise SigClosed); ``closed=False`` reopens it."""

    def closed_sigs(self) -> dict[str, datetime]:
        """When each closed SIG was closed, by SIG id."""

    def updated_at(self) -> dict[str, datetime]:
        """When each SIG was last changed, by SIG id."""

    def delete_sig(self, sig_id: str, *, by: str | None) -> Erasure:
        """Delete the SIG for good (plan, history, members, listing submissions, presence)."""

    def erasures(self) -> list[Erasure]:
        """Every erasure and deletion, newest first (who, when, how many places)."""

    def copy_erasures(self, erasures: Sequence[Erasure]) -> None:
        """Add these records of erasures and deletions as they are (``migrate`` copies them)."""

    def find_person(
        self, name: str, *, also: Sequence[str] = (), only: Collection[str] | None = None
    ) -> list[Place]:
        """Every place in every SIG (or the SIGs `only`) where the person's name or contact (or
        one of `also`) is held."""

    def erase_person(
        self,
        name: str,
        *,
        by: str | None,
        also: Sequence[str] = (),
        only: Collection[str] | None = None,
        validate: Validate | None = None,
    ) -> Erasure:
        """Replace the person by a placeholder everywhere, in every revision (see lifecycle)."""
