"""Reading the page request (query string) from inside a notebook served by Voila."""

from __future__ import annotations

import os
from urllib.parse import parse_qs

# Voila puts these in every kernel it starts; a JupyterLab or plain Python process has neither.
_VOILA_MARKERS = ("VOILA_PREHEAT", "VOILA_REQUEST_URL")

_request_ready = False


def in_voila() -> bool:
    """True when this code runs in a kernel that Voila started for a page."""
    return any(marker in os.environ for marker in _VOILA_MARKERS)


def _wait_for_request() -> None:
    """Block until Voila has handed this kernel its request (only pre-heated kernels wait)."""
    global _request_ready
    if _request_ready:
        return
    if os.environ.get("VOILA_PREHEAT") == "True":
        # A pre-heated kernel ran the notebook before anyone asked for the page: the query
        # string arrives later over a websocket, which this helper of Voila's waits for.
        from voila.utils import wait_for_request

        wait_for_request()
    _request_ready = True


def query_param(name: str) -> str | None:
    """The value of `name` in the page's query string, or None when absent or empty.

    Inside Voila this first waits for the request (needed with pre-heated kernels); in
    JupyterLab or plain Python there is no request and it returns None at once.
    """
    if not in_voila():
        return None
    _wait_for_request()
    values = parse_qs(os.environ.get("QUERY_STRING", ""), keep_blank_values=True).get(name)
    if not values or not values[0]:
        return None
    return values[0]
