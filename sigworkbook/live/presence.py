"""Who else has this SIG open: checking in now and then, and reading the others (best effort)."""

from __future__ import annotations

import contextlib

from sigworkbook.store import Presence, StoreError, Visitor
from sigworkbook.workspace import Workspace


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

    def check_in(self, participant: str | None, step: str) -> None:
        """Record that this page is open now."""
        try:
            self._opened().mark(self._sig_id, self.visitor, participant, step)
        except (StoreError, OSError):  # a courtesy: a read-only disk must not break the page
            self._register = None

    def others(self) -> list[Visitor]:
        """Everyone else with a page of this SIG open ([] when that cannot be read)."""
        try:
            return self._opened().others(self._sig_id, self.visitor)
        except (StoreError, OSError):
            return []

    def leave(self) -> None:
        """Take this page off the register."""
        if self._register is not None:
            with contextlib.suppress(StoreError, OSError):
                self._register.leave(self._sig_id, self.visitor)
                self._register.close()
            self._register = None
