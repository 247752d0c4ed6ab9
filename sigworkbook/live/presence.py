"""Who else has this SIG open: checking in now and then, and reading the others (best effort)."""

from __future__ import annotations

import contextlib

from sigworkbook.store import Presence, StoreError, Visitor
from sigworkbook.workspace import Workspace

TYPING_FOR = 3.0
"""Seconds after a person's last key that their page still says they are typing."""
TYPING_MARK = "|"
"""Between the step and the field typed in, in the register's step (steps have no "|")."""


class PresenceBoard:
    """One open page's entry in the presence register; failures never stop the page."""

    def __init__(self, workspace: Workspace, sig_id: str, visitor: str) -> None:
        self._workspace = workspace
        self._sig_id = sig_id
        self.visitor = visitor
        self._register: Presence | None = None

    def _opened(self) -> Presence:
        if self._register is None:
            self._register = self._workspace.presence()
        return self._register

    def check_in(self, participant: str | None, step: str, typing: str | None = None) -> None:
        """Record that this page is open now (and the field its person is typing in)."""
        where = f"{step}{TYPING_MARK}{typing}" if typing else step
        try:
            self._opened().mark(self._sig_id, self.visitor, participant, where)
        except (StoreError, OSError):  # a courtesy: a read-only disk must not break the page
            self._register = None

    def others(self) -> list[Visitor]:
        """Everyone else with a page of this SIG open ([] when that cannot be read)."""
        try:
            found = self._opened().others(self._sig_id, self.visitor)
        except (StoreError, OSError):
            return []
        return [_read(visitor) for visitor in found]

    def leave(self) -> None:
        """Take this page off the register."""
        if self._register is not None:
            with contextlib.suppress(StoreError, OSError):
                self._register.leave(self._sig_id, self.visitor)
                self._register.close()
            self._register = None


def _read(visitor: Visitor) -> Visitor:
    step, _, typing = visitor.step.partition(TYPING_MARK)
    return Visitor(visitor.participant, step, typing or None)
