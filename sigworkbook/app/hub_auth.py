"""Under JupyterHub: admit only requests the hub's OAuth says come from this server's owner
(imports jupyterhub: load it only when serving for a hub)."""

from __future__ import annotations

import os
from typing import Any

from jupyter_server.utils import url_path_join
from jupyterhub.singleuser.extension import (
    JupyterHubIdentityProvider,
    JupyterHubOAuthCallbackHandler,
)
from tornado.web import HTTPError


class HubIdentityProvider(JupyterHubIdentityProvider):  # type: ignore[misc]
    """JupyterHub's own identity provider for single-user servers, fitted to standalone Voila.

    JupyterHub's provider checks every request against the hub (its OAuth cookie, or a hub
    token) and against the scopes the hub gave this server: access to this server, which the
    owner has, and also hub admins. The pages record everything under the owner's name, so
    here only the owner gets in; anyone else is refused, not logged in. Voila hands its
    identity provider a `token` (ours comes from the hub) and registers the provider's handlers
    without the base URL; both are put right here.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("token", None)  # the hub's API token is the provider's token
        super().__init__(**kwargs)
        self.owner = os.environ.get("JUPYTERHUB_USER", "")

    async def get_user(self, handler: Any) -> Any:
        user = await super().get_user(handler)
        if user is None or user.username == self.owner:
            return user
        self.log.warning("Refused %s: this server is %s's", user.username, self.owner)

        def refuse(*_args: Any, **_kwargs: Any) -> None:
            raise HTTPError(403, "This workbook belongs to another user.")

        handler.redirect = refuse  # as JupyterHub's provider does for missing scopes
        handler._jupyterhub_user = None
        return None

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
