"""JupyterHub hosting: where the hub tells a user's server to listen, and the hub's config."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sigworkbook import __version__, settings
from sigworkbook.app.voila_config import normalize_base_url
from sigworkbook.store import mask_password

DEFAULT_NETWORK_GROUP = settings.NETWORK_GROUP.default
"""The hub group whose members are the network team (they see every SIG)."""

DISPLAY_NAME_ENV = settings.USER_DISPLAY_NAME.env
GROUPS_ENV = settings.USER_GROUPS.env
NETWORK_GROUP_ENV = settings.NETWORK_GROUP.env
DATABASE_ENV = settings.DATABASE.env
"""The variables the user servers read, as the settings name them."""

IDLE_CULL_TIMEOUT_S = 3600
"""A user's server with no traffic for this long is stopped by the hub's idle culler."""

_GROUP = re.compile(r"^[A-Za-z0-9._@-]{1,255}$")


class HubEnvironmentError(ValueError):
    """`serve --hub` started without what JupyterHub gives the servers it spawns."""


@dataclass(frozen=True)
class HubPlace:
    """Where JupyterHub tells a user's server to listen and which path is its own."""

    host: str
    port: int
    base_url: str
    user: str


def hub_place(env: Mapping[str, str]) -> HubPlace:
    """Read the spawner's variables: JUPYTERHUB_SERVICE_URL (address and port to listen on),
    JUPYTERHUB_SERVICE_PREFIX (the server's path, e.g. /user/alice/), JUPYTERHUB_USER, and the
    hub's API token and access scopes, without which no request could be checked."""
    missing = [
        name
        for name in (
            "JUPYTERHUB_USER",
            "JUPYTERHUB_API_TOKEN",
            "JUPYTERHUB_API_URL",
            "JUPYTERHUB_SERVICE_PREFIX",
            "JUPYTERHUB_OAUTH_ACCESS_SCOPES",
        )
        if not env.get(name, "").strip()
    ]
    if missing:
        raise HubEnvironmentError(
            f"--hub: {', '.join(missing)} not set; JupyterHub sets these for the servers it "
            "starts (see docs/hosting.md)"
        )
    try:
        scopes = json.loads(env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"])
    except ValueError:
        scopes = None
    if not isinstance(scopes, list) or not scopes:
        raise HubEnvironmentError(
            "--hub: JUPYTERHUB_OAUTH_ACCESS_SCOPES names no scope, so every hub user would get in"
        )
    service_url = env.get("JUPYTERHUB_SERVICE_URL", "").strip() or "http://127.0.0.1:8888/"
    try:
        parts = urlsplit(service_url)
        port = parts.port or 8888
    except ValueError:
        raise HubEnvironmentError(
            f"--hub: JUPYTERHUB_SERVICE_URL {service_url!r} is not a URL"
        ) from None
    return HubPlace(
        host=parts.hostname or "127.0.0.1",
        port=port,
        base_url=normalize_base_url(env["JUPYTERHUB_SERVICE_PREFIX"]),
        user=env["JUPYTERHUB_USER"].strip(),
    )


def check_network_group(name: str) -> str:
    """`name` if it can be a hub group's name, else ValueError naming what is wrong."""
    if not _GROUP.match(name):
        raise ValueError(
            f"--network-group: {name!r} is not a group name (letters, digits, . _ @ - only)"
        )
    return name


_CONFIG = '''\
# jupyterhub_config.py for sigworkbook {version}, printed by `sigworkbook hub-config`.
# Database: {masked_database}
# This file holds the database URL with its password: keep it readable by the hub only
# (chmod 600). Append your authenticator and spawner at the end (docs/hosting.md).
import importlib.util
import os

c = get_config()  # noqa: F821 (JupyterHub provides it)

SIGWORKBOOK_DATABASE = {database!r}
NETWORK_GROUP = {network_group!r}

# Each logged-in user gets their own `sigworkbook serve --hub`: standalone Voila, which only
# lets widget messages through (no /api/kernels, /api/contents or terminals), listening where
# the spawner says, under the user's prefix, admitting only its owner (the hub's OAuth).
c.Spawner.cmd = [{python!r}, "-m", "sigworkbook.cli", "serve", "--hub"]
c.Spawner.args = []
c.Spawner.default_url = "/"
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120
# The user servers get the database URL in their environment only: never on a command line
# (which `ps` shows), in a page or in a log.
c.Spawner.environment = {{
    "{database_env}": SIGWORKBOOK_DATABASE,
    "{network_env}": NETWORK_GROUP,
}}
# Only what the user servers need from the hub's own environment reaches them.
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "TZ", "PGSSLROOTCERT", "PGSERVICEFILE"]


async def sigworkbook_pre_spawn_hook(spawner):
    """Tell the user's server the user's display name and hub groups."""
    user = spawner.user
    display_name = ""
    try:
        auth_state = await user.get_auth_state() or {{}}
    except Exception:  # auth state off or unreadable: the hub name is shown instead
        auth_state = {{}}
    for info in (auth_state, auth_state.get("oauth_user") or {{}}, auth_state.get("user") or {{}}):
        if isinstance(info, dict):
            display_name = display_name or str(info.get("display_name") or info.get("name") or "")
    spawner.environment["{display_env}"] = display_name or user.name
    spawner.environment["{groups_env}"] = ",".join(sorted(group.name for group in user.groups))


c.Spawner.pre_spawn_hook = sigworkbook_pre_spawn_hook

# A restart of the hub (an upgrade, a crash) leaves the users' servers running: their pages
# reconnect once the hub is back, and nothing typed and saved is lost.
c.JupyterHub.cleanup_servers = False

# Logging in starts the user's server and lands on its root, the app page (the spawner's
# default_url above says the same to the hub's links).
# Membership of the network group is read at every spawn; the group itself lives in the hub.
c.JupyterHub.load_groups = {{NETWORK_GROUP: {{"users": []}}}}

# Stop user servers idle for an hour (jupyterhub-idle-culler, when it is installed).
if importlib.util.find_spec("jupyterhub_idle_culler"):
    c.JupyterHub.load_roles = [
        {{
            "name": "sigworkbook-idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }}
    ]
    c.JupyterHub.services = [
        {{
            "name": "idle-culler",
            "command": [{python!r}, "-m", "jupyterhub_idle_culler", "--timeout={cull}"],
        }}
    ]

# The hub keeps its own state (users, tokens) in this folder's jupyterhub.sqlite unless you
# set c.JupyterHub.db_url; it is not the workbook's database.
'''


def hub_config(database: str, network_group: str = DEFAULT_NETWORK_GROUP) -> str:
    """A complete jupyterhub_config.py that serves the workbook to every user of the hub."""
    return _CONFIG.format(
        version=__version__,
        masked_database=mask_password(database),
        database=database,
        network_group=check_network_group(network_group),
        python=sys.executable,
        database_env=DATABASE_ENV,
        network_env=NETWORK_GROUP_ENV,
        display_env=DISPLAY_NAME_ENV,
        groups_env=GROUPS_ENV,
        cull=IDLE_CULL_TIMEOUT_S,
    )
