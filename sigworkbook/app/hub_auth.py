"""Under JupyterHub: admit only requests the hub's OAuth says come from this server's owner
(imports jupyterhub: load it only when serving for a hub)."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join
from jupyterhub.singleuser.extension import (
    JupyterHubIdentityProvider,
    JupyterHubOAuthCallbackHandler,
)


class HubIdentityProvider(JupyterHubIdentityProvider):  # type: ignore[misc]
    """JupyterHub's own identity provider for single-user servers, fitted to standalone Voila.

    JupyterHub's provider checks every request against the hub (its OAuth cookie, or a hub
    token) and against the scopes the hub gave this server (by default: access to this server
    only, so another user is refused, not logged in). Voila hands its identity provider a
    `token` (ours comes from the hub) and registers the provider's handlers without the base
    URL; both are put right here.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("token", None)  # the hub's API token is the provider's token
        super().__init__(**kwargs)

    def get_handlers(self) -> list[tuple[Any, ...]]:
        prefix = self.hub_auth.base_url
        return [
            (url_path_join(prefix, "logout"), self.logout_handler_class),
            (
                url_path_join(prefix, "oauth_callback"),
                JupyterHubOAuthCallbackHandler,
                {"hub_auth": self.hub_auth},
            ),
        ]
