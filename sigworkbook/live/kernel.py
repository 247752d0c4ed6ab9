"""Where live editing runs: the kernel's event loop, and a log that goes to the server, not the page."""

from __future__ import annotations

import asyncio
import logging
import sys

log = logging.getLogger("sigworkbook.live")


def log_to_server() -> None:
    """Send live-editing log records to the kernel process's own stderr, which the server log
    collects; the default would print them into the page the visitor sees."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[sigworkbook %(levelname)s] %(message)s"))
        log.addHandler(handler)
        log.propagate = False


def log_failure(what: str) -> None:
    """Log the exception being handled, as `what` failed, to the server log (never the page)."""
    log_to_server()
    log.exception(what)


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the Jupyter kernel this code runs in, or None outside a kernel.

    Outside a kernel (tests, scripts) edits save at once and nothing is scheduled, even if some
    other library (a browser driver, say) happens to run an event loop in this thread.
    """
    from IPython import get_ipython

    if getattr(get_ipython(), "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
