"""Who is using the workbook: the hub user in hosted mode (JupyterHub), nobody in particular locally."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sigworkbook import settings


def hub_user_name(typed: str) -> str:
    """A user name as JupyterHub keeps it: its authenticators lower-case every name at login
    (``Authenticator.normalize_username``), so "Bob " typed by a convener is the hub's `bob`."""
    return " ".join(typed.split()).lower()


@dataclass(frozen=True)
class User:
    """A logged-in hub user: their hub name, the name people read, their hub groups."""

    name: str
    display_name: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    network_group: str = settings.NETWORK_GROUP.default

    @property
    def shown(self) -> str:
        """The name to show people: the display name where the login gave one."""
        return self.display_name or self.name

    @property
    def network_team(self) -> bool:
        """Whether the user is in the network team's hub group (sees every SIG)."""
        return self.network_group in self.groups


def hosted_user(environ: Mapping[str, str] | None = None) -> User | None:
    """The hub user this server runs for, or None when not hosted (no $JUPYTERHUB_USER)."""
    name = settings.HUB_USER.read(environ)
    if not name:
        return None
    groups = settings.USER_GROUPS.read(environ) or ""
    return User(
        name=hub_user_name(name),
        display_name=settings.USER_DISPLAY_NAME.read(environ) or None,
        groups=frozenset(g.strip() for g in groups.split(",") if g.strip()),
        network_group=settings.NETWORK_GROUP.read(environ),
    )


def hosted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the workbook runs under a hub (edits are then always the hub user's)."""
    return hosted_user(environ) is not None


def author_for(requested: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The name an edit is recorded under: the hub user when hosted, whatever was asked
    (``?who=``, ``--author``) otherwise."""
    user = hosted_user(environ)
    return user.name if user is not None else requested
