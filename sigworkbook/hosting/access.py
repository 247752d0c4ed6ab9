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


def log_to_server(logger: logging.Logger) -> None:
    """What `logger` says goes to the process's own stderr (the server log), never into a
    page: the refusals here, and the operator's log of personal data (`privacy`)."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[sigworkbook %(levelname)s] %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def refuse(user: User | None, sig_id: str, action: str, message: str = NO_ACCESS) -> AccessDenied:
    """Log the refusal with the user and the SIG, and return the error to raise."""
    log_to_server(log)
    log.warning("refused: %s may not %s SIG %r", user.name if user else "(nobody)", action, sig_id)
    return AccessDenied(message)


def refusal(
    user: User | None, sig_id: str, action: str, granted: Access, needed: Access
) -> AccessDenied:
    """The refusal (logged) of `action` needing `needed` to a user granted only `granted`: one
    who may read is told what they lack; anyone else, as for a SIG that is not there."""
    message = NO_ACCESS
    if granted >= Access.READ and needed == Access.EDIT:
        message = READ_ONLY
    elif granted >= Access.READ and needed == Access.MANAGE:
        message = NOT_OWNER
    return refuse(user, sig_id, action, message)


def refuse_page(user: User, page: str) -> None:
    """Log that `user` was refused a whole page (e.g. the network team's)."""
    log_to_server(log)
    log.warning("refused: %s may not open the %s page", user.name, page)
