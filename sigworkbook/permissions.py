"""What a hub user may do with each SIG, stated once per workspace operation (`needs`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Concatenate, ParamSpec, TypeVar

from sigworkbook.hosting.access import Access, access_for, refusal
from sigworkbook.hosting.identity import User
from sigworkbook.store import Store

P = ParamSpec("P")
R = TypeVar("R")
W = TypeVar("W", bound="Permissions")

_ROLES: ContextVar[tuple[object, dict[str, str]] | None] = ContextVar("roles", default=None)
"""The workspace whose operation is under way here, and its user's roles read at its start."""


class Permissions:
    """The user's role in each SIG, read once for everything one operation does, and the one
    check (`_require`) that `needs` runs before an operation on a SIG. With no user (the CLI,
    a local server) everything is allowed."""

    user: User | None
    store: Store

    @contextmanager
    def _operation(self) -> Iterator[None]:
        """Everything inside sees the roles read here once (an outer operation's, if any)."""
        held = _ROLES.get()
        if self.user is None or (held is not None and held[0] is self):
            yield
            return
        token = _ROLES.set((self, self.store.memberships(self.user.name)))
        try:
            yield
        finally:
            _ROLES.reset(token)

    def _roles(self) -> dict[str, str]:
        """The user's role by SIG id (none with no user), read once per operation."""
        if self.user is None:
            return {}
        held = _ROLES.get()
        if held is not None and held[0] is self:
            return held[1]
        return self.store.memberships(self.user.name)

    def role(self, sig_id: str) -> str | None:
        """The user's role in the SIG (owner, editor, viewer), None if not a member or no user."""
        return self._roles().get(sig_id)

    def access(self, sig_id: str) -> Access:
        """What the user may do with the SIG (everything, with no user)."""
        return access_for(self.user, self.role(sig_id))

    def can_manage(self, sig_id: str) -> bool:
        return self.access(sig_id) >= Access.MANAGE

    def _require(self, sig_id: str, needed: Access, action: str) -> None:
        """Raise AccessDenied (and log it) unless the user may do `action` to the SIG.

        A SIG that does not exist is refused the same way, so a link reveals nothing (a member's
        SIG exists: only a role that is not a membership asks the store).
        """
        if self.user is None:
            return
        role = self.role(sig_id)
        granted = access_for(self.user, role)
        if granted >= needed and (role is not None or self.store.exists(sig_id)):
            return
        raise refusal(self.user, sig_id, action, granted, needed)


def needs(
    level: Access, action: str
) -> Callable[[Callable[Concatenate[W, str, P], R]], Callable[Concatenate[W, str, P], R]]:
    """Decorate a workspace operation on the SIG given first: the user may do `action` to it
    only with `level` of access; their roles are read once for the whole operation."""

    def decorate(
        method: Callable[Concatenate[W, str, P], R],
    ) -> Callable[Concatenate[W, str, P], R]:
        @functools.wraps(method)
        def checked(self: W, sig_id: str, /, *args: P.args, **kwargs: P.kwargs) -> R:
            with self._operation():
                self._require(sig_id, level, action)
                return method(self, sig_id, *args, **kwargs)

        return checked

    return decorate
