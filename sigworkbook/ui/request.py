"""Reading the page request (query string) from inside a notebook served by Voila."""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

from sigworkbook.errors import SigworkbookError

# Voila puts these in every kernel it starts; a JupyterLab or plain Python process has neither.
_VOILA_MARKERS = ("VOILA_PREHEAT", "VOILA_REQUEST_URL")

QUERY_ENV = "QUERY_STRING"
"""Where Voila puts the page's query string (with pre-heated kernels: once the request came)."""

KERNEL_KEY_ENV = "SIGWORKBOOK_KERNEL_KEY"
"""A secret the server makes at start and hands only to its own kernels (in their environment):
its request endpoint answers a pre-heated kernel that shows it, and nobody else."""
KERNEL_KEY_HEADER = "X-Sigworkbook-Kernel-Key"
"""The header a pre-heated kernel shows the key in when it asks for its page request."""

APP_PATH_ENV = "SIGWORKBOOK_APP_PATH"
"""Where `serve` puts the app page's path (its base URL) for its kernels, when it serves the app:
steps then link to the app's own address; without it (JupyterLab, a folder without the app) a
step links to its notebook."""

CONNECT_TIMEOUT_S = 10.0
"""How long a pre-heated kernel tries to reach the server's request endpoint."""

_request_ready = False


class RequestError(SigworkbookError, RuntimeError):
    """A pre-heated kernel never received the request of the page it was handed to."""


def in_voila() -> bool:
    """True when this code runs in a kernel that Voila started for a page."""
    return any(marker in os.environ for marker in _VOILA_MARKERS)


def app_path() -> str | None:
    """The app page's path on this server ('/', or the base URL), or None where there is no app
    page (JupyterLab, or a server of notebooks without it)."""
    return os.environ.get(APP_PATH_ENV) or None


def is_preheated() -> bool:
    """True in a kernel that Voila started ahead of any visit (its pool of pre-heated kernels)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def request_endpoint() -> str:
    """The websocket a pre-heated kernel fetches its request from (the rule Voila's own helper,
    `voila.utils.wait_for_request`, follows)."""
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    kernel = os.environ.get("VOILA_KERNEL_ID", "?")
    return f"{protocol}://{host}:{port}{base}voila/query/{kernel}"


def _fetch_request() -> dict[str, str]:
    """Wait on Voila's request endpoint for this kernel's page request (CGI-style variables).

    Does what `voila.utils.wait_for_request` does, without importing Voila into the kernel:
    that import costs 2-3 s and about 60 MB in every pre-heated kernel.
    """
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    endpoint = request_endpoint()
    if not os.environ.get("VOILA_KERNEL_ID"):
        raise RequestError("this pre-heated kernel does not know its id (VOILA_KERNEL_ID)")
    try:
        # No proxy (the server is this machine) and no keep-alive pings: a pooled kernel may
        # wait for hours, and the server it talks to is its own parent.
        with connect(
            endpoint,
            open_timeout=CONNECT_TIMEOUT_S,
            proxy=None,
            ping_interval=None,
            additional_headers={KERNEL_KEY_HEADER: os.environ.get(KERNEL_KEY_ENV, "")},
        ) as connection:
            message = connection.recv()
        info = json.loads(message)
    except (OSError, TimeoutError, WebSocketException, ValueError) as error:
        raise RequestError(
            f"this pre-heated page never received its request from the server ({endpoint}: "
            f"{error or type(error).__name__}), so it cannot tell which SIG to show"
        ) from None
    if not isinstance(info, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in info.items()
    ):
        raise RequestError(f"{endpoint} sent something that is not a page request: {message!r}")
    if QUERY_ENV not in info:
        raise RequestError(f"{endpoint} sent a page request without {QUERY_ENV}")
    return info


def wait_for_request() -> None:
    """Block until this kernel has its page's request; at once in a kernel that already has it.

    A pre-heated kernel runs the notebook before anyone asks for the page, and stops here until
    a visitor is handed the kernel. A page must call this before it reads the workspace, or it
    would show the plan as it was when the kernel was heated. Raises RequestError when the
    request cannot be fetched (rather than carry on without knowing which SIG to show).
    """
    global _request_ready
    if _request_ready:
        return
    if is_preheated():
        os.environ.update(_fetch_request())
    _request_ready = True


def query_param(name: str) -> str | None:
    """The value of `name` in the page's query string, or None when absent or empty.

    Inside Voila this first waits for the request (needed with pre-heated kernels); in
    JupyterLab or plain Python there is no request and it returns None at once.
    """
    if not in_voila():
        return None
    wait_for_request()
    values = parse_qs(os.environ.get(QUERY_ENV, ""), keep_blank_values=True).get(name)
    if not values or not values[0]:
        return None
    return values[0]
