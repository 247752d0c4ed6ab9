"""What a workspace does with personal data: a person looked up and erased, a SIG closed or
deleted for good, with the hosting policy enforced and each step logged without the data."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path

from sigworkbook import privacy, settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.access import (
    NOT_FOR_PEOPLE,
    NOT_OWNER_END,
    may_end,
    person_scope,
    refuse,
)
from sigworkbook.permissions import Permissions
from sigworkbook.plan.people import person_key
from sigworkbook.store import Erasure, Place


class PersonalDataError(SigworkbookError):
    """A personal-data operation that cannot be done as asked; one line for a user."""


class PersonalData(Permissions):
    """A workspace's personal-data operations: a person looked up and erased, a SIG closed or
    deleted for good, with the hosting policy (`hosting.access`) enforced and each one logged
    for the operator without the data (see `privacy`). Workspace inherits them."""

    root: Path

    def _by(self) -> str:
        """Who is doing it, as recorded: the hub user, else this computer's user."""
        return self.user.name if self.user is not None else privacy.local_user()

    def _person_scope(self, action: str) -> frozenset[str] | None:
        scope = person_scope(self.user, self._roles())
        if scope is not None and not scope:
            raise refuse(self.user, "(any)", action, NOT_FOR_PEOPLE)
        return scope

    def find_person(self, name: str, *, also: Sequence[str] = ()) -> list[Place]:
        """Every place where the person's name or contact is held, in the SIGs the user may
        look people up in (all of them for the network team and locally; their own SIGs for a
        convener)."""
        places = self.store.find_person(
            name, also=also, only=self._person_scope("look up a person in")
        )
        privacy.log_lookup(self._by(), places)
        return places

    def erase_person(self, name: str, *, also: Sequence[str] = ()) -> Erasure:
        """Erase the person from the SIGs the user may erase people in (see `find_person`).

        The exports folders of the SIGs they were in go too (documents written before the
        erasure name them; they are written again from the plan on the next export)."""
        scope = self._person_scope("erase a person in")
        affected = {p.sig_id for p in self.store.find_person(name, also=also, only=scope)}
        erasure = self.store.erase_person(
            name, by=self._by(), also=also, only=scope, validate=self.store.validator
        )
        for sig_id in sorted(affected - {""}):
            self._remove_exports(sig_id)
        privacy.log_erasure(erasure)
        return erasure

    def _remove_exports(self, sig_id: str) -> None:
        exports = self.root / "exports" / sig_id
        if exports.is_dir() and not exports.is_symlink():
            shutil.rmtree(exports)

    def _require_end(self, sig_id: str, action: str) -> None:
        if not self.store.exists(sig_id):
            if self.user is not None:
                raise refuse(self.user, sig_id, action)
            raise PersonalDataError(f"there is no SIG '{sig_id}' in this workspace")
        if not may_end(self.user, self._roles().get(sig_id)):
            raise refuse(self.user, sig_id, action, NOT_OWNER_END)

    def close_sig(self, sig_id: str, *, closed: bool = True) -> None:
        """Close the SIG (kept, read-only, listed as closed), or open it again; owners only."""
        self._require_end(sig_id, "close" if closed else "reopen")
        self.store.close_sig(sig_id, by=self._by(), closed=closed)
        privacy.log_closing(self._by(), closed)

    def is_closed(self, sig_id: str) -> bool:
        """Whether the SIG is closed (read-only for everyone until an owner opens it again)."""
        return sig_id in self.store.closed_sigs()

    def closed_sigs(self) -> dict[str, dt.datetime]:
        """When each closed SIG (of those the user may see) was closed."""
        return self.store.closed_sigs()

    def delete_sig(self, sig_id: str, *, typed: str) -> Erasure:
        """Delete the SIG for good (plan, history, members, listing submissions, presence and
        its exports folder) once `typed` is its name (or its id); owners only."""
        self._require_end(sig_id, "delete")
        name = self.store.current(sig_id).plan.get("identity", {}).get("name", "")
        if person_key(typed) not in {person_key(name), person_key(sig_id)} - {""}:
            raise PersonalDataError(
                f"Confirm: type the SIG's name, {name or sig_id}, to delete it; nothing was deleted"
            )
        erasure = self.store.delete_sig(sig_id, by=self._by())
        self._remove_exports(sig_id)
        privacy.log_deletion(erasure)
        return erasure

    def past_retention(self, today: dt.date | None = None) -> list[str]:
        """The SIGs nobody changed for longer than the retention period (none if unset)."""
        return privacy.past_retention(
            self.store.updated_at(), settings.RETENTION_DAYS.read(), today
        )
