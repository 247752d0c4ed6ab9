"""Who may see, edit and manage which SIG in hosted mode, and the refusals (logged) when they may not."""

from __future__ import annotations

import logging
import sys
from enum import IntEnum
from typing import Final

from sigworkbook.errors import SigworkbookError
from sigworkbook.hosting.identity import User

NO_ACCESS: Final = "You don't have access to this SIG"
READ_ONLY: Final = (
    "You can read this SIG but not change it: ask one of its conveners to make you an editor"
)
NOT_OWNER: Final = "Only the SIG's conveners (its owners) can change who its members are"
NOT_NETWORK: Final = "Only the network team can open this page"
CLOSED: Final = "This SIG is closed: you can read it, but not change it"
NOT_OWNER_END: Final = "Only the SIG's conveners (its owners) can close or delete it"
NOT_FOR_PEOPLE: Final = (
    "Only the network team, or a SIG's conveners within their own SIG, can look up or erase a "
    "person"
)

log = logging.getLogger("sigworkbook.hosting.access")


class AccessDenied(SigworkbookError):
    """The user may not do this to this SIG; the message is what they see."""


class Access(IntEnum):
    """What a user may do with a SIG, each level including the ones below it."""

    NONE = 0
    READ = 1
    EDIT = 2
    MANAGE = 3


ROLE_ACCESS: Final = {"owner": Access.MANAGE, "editor": Access.EDIT, "viewer": Access.READ}


def access_for(user: User | None, role: str | None) -> Access:
    """What `user`, with `role` in a SIG (None: not a member), may do with it. No user (the
    operator's CLI, a local server) may do everything."""
    if user is None:
        return Access.MANAGE
    granted = ROLE_ACCESS.get(role or "", Access.NONE)
    if user.network_team:
        granted = max(granted, Access.READ)
    return granted


def may_end(user: User | None, role: str | None) -> bool:
    """Whether `user` (role `role` in the SIG) may close or delete it: its owners when hosted,
    anyone with no user (the workspace's own user, locally or at the CLI); never the network
    team for being the network team."""
    return user is None or role == "owner"


def person_scope(user: User | None, roles: dict[str, str]) -> frozenset[str] | None:
    """The SIGs in which `user` (with `roles` by SIG id) may look up and erase a person:
    None for every SIG (no user, or the network team), else the SIGs they own (maybe none)."""
    if user is None or user.network_team:
        return None
    return frozenset(sig_id for sig_id, role in roles.items() if role == "owner")


def _log_to_server() -> None:
    """Refusals go to the process's own stderr (the server log), never into a page."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[sigworkbook %(levelname)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def refuse(user: User | None, sig_id: str, action: str, message: str = NO_ACCESS) -> AccessDenied:
    """Log the refusal with the user and the SIG, and return the error to raise."""
    _log_to_server()
    log.warning("refused: %s may not %s SIG %r", user.name if user else "(nobody)", action, sig_id)
    return AccessDenied(message)


def refuse_page(user: User, page: str) -> None:
    """Log that `user` was refused a whole page (e.g. the network team's)."""
    _log_to_server()
    log.warning("refused: %s may not open the %s page", user.name, page)
